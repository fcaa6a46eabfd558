"""Pairwise agreement and chance-corrected agreement (Häge 2011) for every pair at once.

Input: a matrix of category indices (items x parties, -1 = missing) and the numeric value of
each category (votes: no 0, abstain 0.5, yes 1; adoption levels 0..1). Distance between two
answers is ``|value_a - value_b|``, so a yes against an abstention counts as half an agreement.

- raw agreement  S = 1 - D_o, with D_o the mean distance over the items both answered;
- Cohen's kappa  1 - D_o / D_e, D_e the distance expected if each party kept its own marginal
  distribution (over those shared items) but answered independently;
- Scott's pi     same, with D_e from the pooled marginal of the two parties.

Both corrections are undefined (NaN) when the expected distance is zero, e.g. two parties
that voted yes on everything they shared: identical, but with no variation to tell choice
from circumstance. All counts are computed with (parties x items) @ (items x parties)
products of category indicators, so the full table for ~200 parties costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairStats:
    n: np.ndarray  # P x P shared items
    agreement: np.ndarray  # raw agreement (NaN when n == 0)
    kappa: np.ndarray
    pi: np.ndarray


def pair_stats(
    classes: np.ndarray,
    values: np.ndarray | Sequence[float],
    cols: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> PairStats:
    """Statistics for every pair of columns of ``classes`` (or ``classes[:, cols]`` x all).

    ``weights``: how many times each item counts (a bootstrap resample is its distinct items
    with their multiplicities, which costs fewer products than the repeated rows)."""
    values = np.asarray(values, dtype=np.float64)
    k = len(values)
    ind = [(classes == a).astype(np.float32) for a in range(k)]
    ind_b = ind if cols is None else [m[:, cols] for m in ind]
    if weights is not None:
        w = np.asarray(weights, dtype=np.float32)[:, None]
        ind_b = [m * w for m in ind_b]
    counts = np.empty((k, k, classes.shape[1], ind_b[0].shape[1]), dtype=np.float64)
    for a in range(k):
        for b in range(k):
            if cols is None and b < a:  # the same parties on both sides: counts[b, a] is counts[a, b].T
                counts[a, b] = counts[b, a].T
            else:
                counts[a, b] = ind[a].T @ ind_b[b]
    dist = np.abs(values[:, None] - values[None, :])
    n = counts.sum(axis=(0, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        d_obs = np.einsum("ab,abij->ij", dist, counts) / n
        p_i = counts.sum(axis=1) / n  # k x P x Q: marginal of the row party over shared items
        p_j = counts.sum(axis=0) / n
        d_cohen = np.einsum("ab,aij,bij->ij", dist, p_i, p_j)
        q = (p_i + p_j) / 2
        d_scott = np.einsum("ab,aij,bij->ij", dist, q, q)
        agreement = 1 - d_obs
        kappa = np.where(d_cohen > 1e-12, 1 - d_obs / d_cohen, np.nan)
        pi = np.where(d_scott > 1e-12, 1 - d_obs / d_scott, np.nan)
    agreement[n == 0] = np.nan
    kappa[n == 0] = np.nan
    pi[n == 0] = np.nan
    return PairStats(n.astype(np.int64), agreement, kappa, pi)
