"""Backtest of vote prediction (DESIGN.md section 5) and its baselines.

For each contested vote: only data dated before the vote (as_of = the day before), reveal a
random 20% of the states that voted yes/no/abstain (one draw per seed), predict the other
80% (absent states are not scored). Baselines, measured in the same run:

- ``always-yes``;
- ``last-in-series``: each state's vote on the previous recorded vote in the same series
  (yes when it has none);
- ``knn-15``: majority of the 15 revealed states with the highest raw agreement with the
  state over all votes since 2010 (ties to yes);
- ``ours``: ``predict.predict_core``.
With ``frac=0`` (known={}) only resolutions with an earlier vote of the same series in the
list are scored, as the last-vote baseline needs one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.analytics import predict as P
from tracker.analytics._blas import single_thread
from tracker.analytics.agreement import pair_stats
from tracker.analytics.votes import day_before
from tracker.catalogue import Catalogue
from tracker.errors import InvalidInput

CONTESTED = (
    "A/RES/73/27",
    "A/RES/73/187",
    "A/RES/73/266",
    "A/RES/74/28",
    "A/RES/74/29",
    "A/RES/74/247",
    "A/RES/75/32",
    "A/RES/75/240",
    "A/RES/77/36",
    "A/RES/77/37",
    "A/RES/78/16",
    "A/RES/78/237",
)
METHODS = ("always-yes", "last-in-series", "knn-15", "ours")
EPS = 1e-3


@dataclass
class BacktestResult:
    per_resolution: pd.DataFrame  # resolution, method, accuracy, macro_f1, log_loss, n_scored
    summary: pd.DataFrame  # method -> mean accuracy, macro_f1, log_loss
    seconds: float
    predictions: dict = field(default_factory=dict)  # (resolution, seed) -> ours' probabilities (keep_predictions)


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 over the classes present in the truth or the prediction."""
    scores = []
    for c in np.union1d(np.unique(y), np.unique(pred)):
        tp = np.sum((pred == c) & (y == c))
        fp = np.sum((pred == c) & (y != c))
        fn = np.sum((pred != c) & (y == c))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def log_loss(y: np.ndarray, prob: np.ndarray) -> float:
    p = np.clip(prob, EPS, 1.0)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


def _smooth(onehot: np.ndarray, conf: float = 0.9) -> np.ndarray:
    """Hard baseline predictions as probabilities (so log loss is finite and comparable)."""
    return onehot * conf + (1 - conf) / 3


def baseline_probs(ctx: P.Context, method: str, known_idx, known_cls, targets) -> np.ndarray:
    d = ctx.data
    n = len(targets)
    if method == "always-yes":
        return _smooth(np.tile(np.eye(3)[2], (n, 1)))
    if method == "last-in-series":
        rows = P.series_rows(ctx)
        prev = d.classes[rows[-1]][targets] if len(rows) else np.full(n, -1)
        return _smooth(np.eye(3)[np.where(prev >= 0, prev, 2)])
    if method == "knn-15":
        if not len(known_idx):
            return _smooth(np.tile(np.eye(3)[2], (n, 1)))
        rows = ctx.hist[d.dates[ctx.hist] >= P.GENERAL_SINCE]
        st = pair_stats(d.classes[rows], P.VOTE_VALUES, cols=known_idx)
        sim = np.nan_to_num(st.agreement[targets], nan=-1.0)
        k = min(15, len(known_idx))
        idx = np.argsort(-sim, axis=1, kind="stable")[:, :k]
        counts = np.stack([(known_cls[idx] == c).sum(axis=1) for c in range(3)], axis=1).astype(float)
        counts[:, 2] += 0.5  # ties go to yes
        return _smooth(np.eye(3)[counts.argmax(axis=1)])
    raise InvalidInput(f"unknown method {method!r}")


def run_backtest(
    cat: Catalogue,
    resolutions=CONTESTED,
    seeds=range(5),
    frac: float = 0.2,
    methods=METHODS,
    require_predecessor: bool | None = None,
    keep_predictions: bool = False,
) -> BacktestResult:
    with single_thread():
        return _run(cat, resolutions, seeds, frac, methods, require_predecessor, keep_predictions)


def _run(cat, resolutions, seeds, frac, methods, require_predecessor, keep_predictions) -> BacktestResult:
    started = time.perf_counter()
    require_predecessor = frac == 0 if require_predecessor is None else require_predecessor
    rows_out = []
    kept: dict = {}
    listed = set(resolutions)
    for rid in resolutions:
        row = P.resolve_resolution(cat, rid)
        as_of = day_before(row["date"])
        ctx = P.context(cat, row["series"], as_of, exclude_id=row["id"])
        d = ctx.data
        truth = d.classes[d.row_of[row["id"]]]
        voters = np.flatnonzero(truth >= 0)
        if require_predecessor:
            prev = P.series_rows(ctx)
            if not len(prev) or d.resolutions["id"].iloc[prev[-1]] not in listed:
                continue
        for seed in seeds if frac > 0 else [0]:
            rng = np.random.default_rng(seed)
            n_known = int(round(frac * len(voters)))
            known_idx = np.sort(rng.choice(voters, size=n_known, replace=False)) if n_known else np.array([], int)
            targets = np.setdiff1d(voters, known_idx)
            known_cls = truth[known_idx].astype(np.int64)
            y = truth[targets].astype(np.int64)
            for method in methods:
                if method == "ours":
                    known = {d.parties[j]: int(c) for j, c in zip(known_idx, known_cls, strict=True)}
                    prob, _parties, _info = P.predict_core(cat, ctx, known)
                    prob = prob[targets]
                    if keep_predictions:
                        kept[(row["id"], seed)] = pd.DataFrame(
                            prob, index=[d.parties[j] for j in targets], columns=["p_no", "p_abstain", "p_yes"]
                        )
                else:
                    prob = baseline_probs(ctx, method, known_idx, known_cls, targets)
                pred = prob.argmax(axis=1)
                rows_out.append(
                    {
                        "resolution": row["id"],
                        "method": method,
                        "seed": seed,
                        "accuracy": float(np.mean(pred == y)),
                        "macro_f1": macro_f1(y, pred),
                        "log_loss": log_loss(y, prob),
                        "n_scored": len(y),
                        "n_known": len(known_idx),
                    }
                )
    raw = pd.DataFrame(rows_out)
    if raw.empty:
        empty = pd.DataFrame(columns=["accuracy", "macro_f1", "log_loss"])
        return BacktestResult(raw, empty, time.perf_counter() - started, kept)
    per = (
        raw.groupby(["resolution", "method"], sort=False)
        .agg(
            accuracy=("accuracy", "mean"),
            macro_f1=("macro_f1", "mean"),
            log_loss=("log_loss", "mean"),
            n_scored=("n_scored", "mean"),
            n_known=("n_known", "mean"),
        )
        .reset_index()
    )
    summary = per.groupby("method", sort=False)[["accuracy", "macro_f1", "log_loss"]].mean()
    return BacktestResult(per, summary, time.perf_counter() - started, kept)
