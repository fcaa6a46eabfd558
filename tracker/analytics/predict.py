"""Vote prediction for one resolution: probabilities of yes / no / abstain per party.

Signals, pooled as a weighted product of experts (log-linear pooling):

1. **series transition**: each party's vote on the latest earlier recorded vote in the same
   series (a party absent from it borrows the previous votes of its most similar parties),
   mapped through a transition table estimated from the known votes (with no known votes: a
   "most parties repeat their vote" table);
2. **neighbours**: the known votes of the party's most similar parties, weighted by
   agreement; similarity blends the general voting affinity (all votes since 2010) with
   agreement on cyber votes, and adoption-portfolio agreement when adoptions exist;
3. **latent positions**: a small regularised multinomial logistic regression, fitted on the
   known votes, over each party's first three principal components of the last four years
   of contested votes plus its last cyber votes (only with >= 8 known votes);
4. **learned** (weights learned across history, not hand-set): a conditional logit over
   class-symmetric features (neighbours' share of the class among the known votes, the
   class's share among them, the party's own rate of that class, closeness of its latent
   position to the known voters of that class, its previous vote in the series, the
   transition table of the known votes, and a per-class "repeats its previous vote"),
   fitted on earlier contested votes dated before ``as_of``, each with a random 20% of its
   votes revealed (only with >= 8 known votes). Its training votes have a predecessor when
   they belong to a labelled series or repeat the title of an earlier recorded vote (a
   recurring resolution), so the weights of the series features are learned on hundreds
   of earlier series votes, not only on the few cyber ones.

Each expert's weight is its base weight (WEIGHTS) scaled by how well it predicted the known
votes held out (leave-one-out / 4-fold), so a series whose previous vote explains the revealed
votes well leans on that vote, and one that shifted leans on neighbours and positions.
The pooling constants were chosen on the 12 backtest votes (there is no other held-out set
of contested cyber votes); the benchmark reports them as measured there, and
benchmarks/predict_experiments.py also checks changes on two sets of other recurring
contested UNGA votes 2015-2023 (a development and a held-out set).

Leakage rule: nothing dated on or after ``as_of`` is read (default: the day before the
resolution), and of the resolution's own votes only ``known`` is used.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tracker.analytics._blas import single_thread
from tracker.analytics.agreement import pair_stats
from tracker.analytics.votes import (
    CLASSES,
    VOTE_CLASS,
    NotEnoughEvidence,
    VoteData,
    day_before,
    vote_data,
)
from tracker.catalogue import Catalogue
from tracker.catalogue.scope import CYBER_TOPICS
from tracker.dates import to_date
from tracker.errors import InvalidInput, TrackerError
from tracker.parties import PartyResolver

GENERAL_SINCE = np.datetime64("2010-01-01", "D")
VOTE_VALUES = (0.0, 0.5, 1.0)
# pooling weights of the experts (chosen on the backtest votes; see benchmarks/RESULTS.md)
WEIGHTS = {"series": 1.5, "neighbours": 1.0, "latent": 1.0, "learned": 1.0}
TEMPERATURE = 1.0  # the pooled weights sum to this (calibration of the probabilities)
LOO_SHARPNESS = 10.0  # how strongly held-out performance on the known votes shifts weight
MIN_KNOWN_FIT = 8
OUTPUT_COLUMNS = ["vote", "p_yes", "p_no", "p_abstain"]
# An expert: (ctx, known_idx, known_cls) -> (probabilities, held-out probabilities) or (None, None).
Expert = Callable[[Any, np.ndarray, np.ndarray], tuple[np.ndarray | None, np.ndarray | None]]


class UnknownResolution(TrackerError, ValueError):
    pass


@dataclass
class Context:
    """Everything prediction may see: history strictly before ``as_of``, minus the target."""

    data: VoteData
    as_of: date
    hist: np.ndarray  # row indices usable
    series: str
    target_row: int | None
    extra: dict = field(default_factory=dict)


def resolve_resolution(cat: Catalogue, resolution: str) -> pd.Series:
    res = cat.resolutions
    key = str(resolution).strip()
    hit = res[(res["id"] == key) | (res["symbol"] == key)]
    if hit.empty:
        norm = key.upper().replace(" ", "")
        if not norm.startswith("A/RES/"):
            norm = "A/RES/" + norm.lstrip("/")
        hit = res[res["id"].str.upper() == norm]
    if hit.empty:
        from rapidfuzz import process, utils
        from rapidfuzz.distance import Levenshtein

        hits = process.extract(
            key, list(res["id"]), scorer=Levenshtein.normalized_similarity, processor=utils.default_process, limit=3
        )
        hint = f"; did you mean {', '.join(h[0] for h in hits)}?" if hits else ""
        raise UnknownResolution(f"unknown resolution {resolution!r}{hint}")
    return hit.iloc[0]


def parse_known(cat: Catalogue, known: dict | None) -> dict[str, int]:
    """{party (code, name or alias): vote} -> {code: class}; clear errors for bad entries."""
    if not known:
        return {}
    resolver = PartyResolver(cat)
    out: dict[str, int] = {}
    for party, vote in known.items():
        code = resolver.require(party)
        v = str(vote).strip().lower()
        if v not in VOTE_CLASS:
            raise InvalidInput(f"known vote for {party!r} is {vote!r}; use yes, no or abstain")
        if code in out and out[code] != VOTE_CLASS[v]:
            raise InvalidInput(f"contradictory known votes for {code}: {CLASSES[out[code]]} and {v}")
        out[code] = VOTE_CLASS[v]
    return out


def context(cat: Catalogue, series: str, as_of: date, exclude_id: str | None = None) -> Context:
    data = vote_data(cat)
    limit = np.datetime64(as_of, "D")
    mask = data.dates < limit
    target_row = data.row_of.get(exclude_id) if exclude_id else None
    if target_row is not None:
        mask[target_row] = False
    return Context(data, as_of, np.flatnonzero(mask), series, target_row)


# --------------------------------------------------------------------------- features


def _similarity(ctx: Context, cat: Catalogue) -> np.ndarray:
    if "sim" in ctx.extra:
        return ctx.extra["sim"]
    d = ctx.data
    rows = ctx.hist
    gen = rows[d.dates[rows] >= GENERAL_SINCE]
    if len(gen) < 20:
        gen = rows
    cyber = rows[np.isin(d.resolutions["topic"].to_numpy()[rows], CYBER_TOPICS)]
    g = pair_stats(d.classes[gen], VOTE_VALUES)
    sim = np.nan_to_num(g.agreement, nan=0.5)
    if len(cyber):
        c = pair_stats(d.classes[cyber], VOTE_VALUES)
        sim_c = np.where(c.n >= 3, np.nan_to_num(c.agreement, nan=0.5), sim)
        sim = 0.3 * sim + 0.7 * sim_c
    adopt = _adoption_similarity(cat, ctx.as_of, d.parties)
    if adopt is not None:
        sim = 0.8 * sim + 0.2 * adopt
    np.fill_diagonal(sim, 1.0)
    ctx.extra["sim"] = sim
    return sim


def _adoption_similarity(cat: Catalogue, as_of: date, parties: list[str]) -> np.ndarray | None:
    """Raw agreement of adoption portfolios (status before ``as_of``), or None without data."""
    if cat.adoptions.empty:
        return None
    from tracker.analytics.alignment import adoption_levels

    levels = adoption_levels(cat, as_of=as_of - timedelta(days=1), parties=parties)
    if levels is None:
        return None
    cls, values = levels
    st = pair_stats(cls, values)
    out = np.where(st.n >= 3, st.agreement, np.nan)
    return np.where(np.isnan(out), np.nanmean(out) if np.isfinite(out).any() else 0.5, out)


def series_rows(ctx: Context) -> np.ndarray:
    d = ctx.data
    if not ctx.series:
        return np.array([], dtype=int)
    rows = ctx.hist[d.resolutions["series"].to_numpy()[ctx.hist] == ctx.series]
    return rows[(d.classes[rows] >= 0).sum(axis=1) > 0]


def _onehot(cls_row: np.ndarray) -> np.ndarray:
    return np.stack([cls_row == k for k in range(3)], axis=1).astype(np.float64)


def _knn_dist(sim_rows: np.ndarray, labels: np.ndarray, k: int = 10, beta: float = 30.0) -> np.ndarray:
    """Distribution over 3 classes from the k most similar labelled columns."""
    k = min(k, sim_rows.shape[1])
    idx = np.argpartition(-sim_rows, k - 1, axis=1)[:, :k]
    s = np.take_along_axis(sim_rows, idx, axis=1)
    w = np.exp(beta * (s - s.max(axis=1, keepdims=True)))
    out = np.zeros((sim_rows.shape[0], 3))
    np.add.at(out, (np.repeat(np.arange(len(idx)), k), labels[idx].ravel()), w.ravel())
    return out / out.sum(axis=1, keepdims=True)


def _series_expert(ctx: Context, sim: np.ndarray, known_idx: np.ndarray, known_cls: np.ndarray):
    """(probabilities for all parties, leave-one-out probabilities for the known, previous id)."""
    rows = series_rows(ctx)
    if not len(rows):
        return None, None, None
    prev = ctx.data.classes[rows[-1]]
    have = np.flatnonzero(prev >= 0)
    dist = _onehot(prev)
    missing = np.flatnonzero(prev < 0)
    if len(missing) and len(have):
        dist[missing] = _knn_dist(sim[np.ix_(missing, have)], prev[have], k=10, beta=30.0)
    loo = None
    if len(known_idx):
        counts = np.full((3, 3), 0.5) + np.eye(3)
        for j, c in zip(known_idx, known_cls, strict=True):
            if prev[j] >= 0:
                counts[prev[j], c] += 1
        loo = np.empty((len(known_idx), 3))
        for i, (j, c) in enumerate(zip(known_idx, known_cls, strict=True)):
            own = counts.copy()
            if prev[j] >= 0:
                own[prev[j], c] -= 1
            loo[i] = dist[j] @ (own / own.sum(axis=1, keepdims=True))
    else:
        counts = np.full((3, 3), 0.1) + 3 * np.eye(3)
    trans = counts / counts.sum(axis=1, keepdims=True)
    return dist @ trans, loo, ctx.data.resolutions["id"].iloc[rows[-1]]


def _neighbour_expert(sim: np.ndarray, known_idx, known_cls):
    all_ = _knn_dist(sim[:, known_idx], known_cls, k=10, beta=30.0)
    inner = sim[np.ix_(known_idx, known_idx)].copy()
    np.fill_diagonal(inner, -np.inf)
    loo = _knn_dist(inner, known_cls, k=min(10, len(known_idx) - 1), beta=30.0) if len(known_idx) > 1 else None
    return all_, loo


def _embedding(ctx: Context, years: int = 4, dims: int = 3) -> np.ndarray | None:
    d = ctx.data
    start = np.datetime64(ctx.as_of, "D") - np.timedelta64(365 * years, "D")
    rows = ctx.hist[d.dates[ctx.hist] >= start]
    if len(rows) < dims + 2:
        return None
    x = d.codes[rows].astype(np.float64)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing rows/columns
        sd = np.nanstd(x, axis=1)
        x = x[np.nan_to_num(sd) > 0.15]
        if len(x) < dims + 2:
            return None
        x = x - np.nanmean(x, axis=1, keepdims=True)
    x = np.nan_to_num(x)
    _u, s, vt = np.linalg.svd(x, full_matrices=False)
    emb = vt[:dims].T * s[:dims]
    return emb / (emb.std(axis=0) + 1e-9)


def _softmax_fit(f: np.ndarray, y: np.ndarray, lam: float = 1.0):
    n, k = f.shape
    onehot = np.eye(3)[y]

    def loss(w):
        W, b = w[: k * 3].reshape(k, 3), w[k * 3 :]
        z = f @ W + b
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - lse[:, None])
        val = -(onehot * (z - lse[:, None])).sum() + lam * (W**2).sum()
        g = p - onehot
        return val, np.concatenate([(f.T @ g + 2 * lam * W).ravel(), g.sum(axis=0)])

    w0 = np.zeros(k * 3 + 3)
    w0[k * 3 :] = np.log(onehot.mean(axis=0) + 0.05)
    from scipy.optimize import minimize  # imported when used: scipy.optimize takes ~0.5 s

    res = minimize(loss, w0, jac=True, method="L-BFGS-B")
    return res.x[: k * 3].reshape(k, 3), res.x[k * 3 :]


def _latent_features(ctx: Context) -> np.ndarray | None:
    emb = _embedding(ctx)
    if emb is None:
        return None
    d = ctx.data
    feats = [emb]
    srows = series_rows(ctx)
    cyber = ctx.hist[np.isin(d.resolutions["topic"].to_numpy()[ctx.hist], CYBER_TOPICS)]
    for r in list(srows[-1:]) + list(cyber[-3:]):
        feats.append(_onehot(d.classes[r]))
    return np.hstack(feats)


def _softmax_predict(f, W, b):
    z = f @ W + b
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def _latent_expert(ctx: Context, known_idx, known_cls, folds: int = 4):
    if len(known_idx) < MIN_KNOWN_FIT:
        return None, None
    if "latent_features" not in ctx.extra:
        ctx.extra["latent_features"] = _latent_features(ctx)
    f = ctx.extra["latent_features"]
    if f is None:
        return None, None
    W, b = _softmax_fit(f[known_idx], known_cls)
    loo = np.empty((len(known_idx), 3))
    fold_of = np.arange(len(known_idx)) % folds
    for k in range(folds):
        test = fold_of == k
        Wk, bk = _softmax_fit(f[known_idx[~test]], known_cls[~test])
        loo[test] = _softmax_predict(f[known_idx[test]], Wk, bk)
    return _softmax_predict(f, W, b), loo


# --------------------------------------------------------------------------- learned across history

LEARN_YEARS = 6
LEARN_MAX = 120
N_CLASS_FEATURES = 10
_TITLE_TAIL = re.compile(r":\s*resolution\s*/\s*adopted by the general assembly.*$")


def title_key(title) -> str:
    """A resolution title reduced for matching the votes of one recurring resolution
    ("Nuclear disarmament : resolution / adopted by the General Assembly" -> "nuclear disarmament")."""
    if not isinstance(title, str):  # missing (None, NaN, pd.NA): no title to match
        return ""
    t = _TITLE_TAIL.sub("", title.lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", t).split())


def _series_pairs(ctx: Context) -> dict[int, int]:
    """{row: row of the previous vote of its series} over the votes usable before ``as_of``.

    A series is the catalogue's label or, for unlabelled votes, a title shared with an earlier
    recorded vote (a recurring resolution: the same text voted every year or two)."""
    d = ctx.data
    labels = d.resolutions["series"].fillna("").to_numpy()
    titles = d.resolutions["title"].to_numpy()
    voted = ctx.hist[(d.classes[ctx.hist] >= 0).sum(axis=1) > 0]
    last: dict[str, int] = {}
    out: dict[int, int] = {}
    for r in voted:  # rows are in date order
        title = title_key(titles[r])
        key = labels[r] or (f"title:{title}" if title else "")
        if not key:
            continue
        if key in last:
            out[int(r)] = last[key]
        last[key] = int(r)
    return out


def _class_features(
    ctx: Context,
    sim: np.ndarray,
    emb: np.ndarray,
    prop: np.ndarray,
    known_idx: np.ndarray,
    known_cls: np.ndarray,
    prev: np.ndarray | None = None,
) -> np.ndarray:
    """Class-symmetric features F[party, class, feature] from the revealed votes of one vote.

    0 log neighbours' share of the class among the revealed; 1 log the class's share among
    the revealed; 2 log the party's own rate of the class; 3 closeness of the party's latent
    position to the revealed voters of the class (4: flag when none); 5 the party cast the
    class on the previous vote of the series; 6 log P(class | the party's previous vote) from
    the transition table of the revealed votes; 7-9 the party repeats its previous no /
    abstention / yes (one weight per class: abstentions persist differently).
    """
    n = sim.shape[0]
    knn = _knn_dist(sim[:, known_idx], known_cls, k=10, beta=30.0)
    share = (np.bincount(known_cls, minlength=3) + 0.5) / (len(known_cls) + 1.5)
    f = np.zeros((n, 3, N_CLASS_FEATURES))
    if prev is not None:
        f[:, :, 5] = np.eye(4)[prev + 1][:, 1:]
        counts = np.full((3, 3), 0.5) + np.eye(3)
        seen = prev[known_idx] >= 0
        np.add.at(counts, (prev[known_idx][seen], known_cls[seen]), 1)
        has = prev >= 0
        f[has, :, 6] = np.log(counts / counts.sum(axis=1, keepdims=True))[prev[has]]
        for c in range(3):
            f[:, c, 7 + c] = prev == c
    f[:, :, 0] = np.log(knn + 1e-3)
    f[:, :, 1] = np.log(share)[None, :]
    f[:, :, 2] = np.log(prop)
    for c in range(3):
        members = known_idx[known_cls == c]
        if len(members):
            f[:, c, 3] = -((emb - emb[members].mean(axis=0)) ** 2).sum(axis=1) / emb.shape[1]
        else:
            f[:, c, 4] = 1.0
    return f


def _clogit_fit(F: np.ndarray, y: np.ndarray, lam: float = 0.01) -> np.ndarray:
    onehot = np.eye(3)[y]
    flat = np.ascontiguousarray(F.reshape(-1, F.shape[2]))  # (n x 3) x features: matrix products

    def loss(w):
        z = (flat @ w).reshape(-1, 3)
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - lse[:, None])
        val = -(onehot * (z - lse[:, None])).sum() / len(y) + lam * (w**2).sum()
        g = (p - onehot).reshape(-1) @ flat / len(y) + 2 * lam * w
        return val, g

    from scipy.optimize import minimize

    return minimize(loss, np.zeros(F.shape[2]), jac=True, method="L-BFGS-B").x


def _learned_expert(ctx: Context, known_idx, known_cls):
    """Conditional logit over class-symmetric features, its weights learned across history.

    Training: earlier contested votes dated before ``as_of`` (general votes of the last
    LEARN_YEARS years, at most LEARN_MAX drawn at random, plus every contested vote of the
    last LEARN_YEARS years with a predecessor: a labelled series or a repeated title, see
    ``_series_pairs``), each with a random 20% of its votes revealed, the rest as targets.
    Features of (party, class): see ``_class_features``.
    """
    if len(known_idx) < MIN_KNOWN_FIT:
        return None, None
    d = ctx.data
    sim = ctx.extra["sim"]
    if "learned" not in ctx.extra:
        ctx.extra["learned"] = _learn(ctx, sim)
    w, emb, prop = ctx.extra["learned"]
    if w is None:
        return None, None
    srows = series_rows(ctx)
    pv = d.classes[srows[-1]].astype(np.int64) if len(srows) else None
    F = _class_features(ctx, sim, emb, prop, known_idx, known_cls, pv)
    z = F @ w
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    # held-out for the pooling weights: each known vote predicted from the others
    loo = np.empty((len(known_idx), 3))
    for i, j in enumerate(known_idx):
        keep = np.arange(len(known_idx)) != i
        zi = _class_features(ctx, sim, emb, prop, known_idx[keep], known_cls[keep], pv)[j] @ w
        loo[i] = np.exp(zi - zi.max()) / np.exp(zi - zi.max()).sum()
    return p, loo


def _learn(ctx: Context, sim: np.ndarray):
    """(weights, latent positions, class rates) fitted on votes dated before ``as_of``."""
    d = ctx.data
    emb = _embedding(ctx)
    if emb is None:
        return None, None, None
    rows = ctx.hist[d.dates[ctx.hist] >= np.datetime64(ctx.as_of, "D") - np.timedelta64(365 * 4, "D")]
    cls = d.classes[rows]
    prop = np.stack([(cls == c).sum(axis=0) for c in range(3)], axis=1) + 1.0
    prop = prop / prop.sum(axis=1, keepdims=True)
    start = np.datetime64(ctx.as_of, "D") - np.timedelta64(365 * LEARN_YEARS, "D")
    topics = d.resolutions["topic"].to_numpy()
    cand = ctx.hist[(d.dates[ctx.hist] >= start) & ~np.isin(topics[ctx.hist], CYBER_TOPICS)]
    c = d.classes[cand]
    n_cls = np.stack([(c == k).sum(axis=1) for k in range(3)], axis=1)
    n = n_cls.sum(axis=1)
    cand = cand[(n >= min(100, len(d.parties) // 2)) & (1 - n_cls.max(axis=1) / np.maximum(n, 1) >= 0.1)]
    rng = np.random.default_rng(0)
    if len(cand) > LEARN_MAX:
        cand = np.sort(rng.choice(cand, LEARN_MAX, replace=False))
    prev_of = {}
    for b, a in _series_pairs(ctx).items():
        cb = d.classes[b]
        nb = np.bincount(cb[cb >= 0], minlength=3)
        if d.dates[b] >= start and 1 - nb.max() / max(nb.sum(), 1) >= 0.05:
            prev_of[b] = d.classes[a].astype(np.int64)
    cand = np.union1d(cand, np.array(sorted(prev_of), dtype=np.int64))
    Fs, ys = [], []
    for h in cand:
        y = d.classes[h]
        voters = np.flatnonzero(y >= 0)
        kn = np.sort(rng.choice(voters, int(round(0.2 * len(voters))), replace=False))
        tg = np.setdiff1d(voters, kn)
        if len(kn) < 2 or not len(tg):
            continue
        pv = prev_of.get(h, np.full(len(y), -1, dtype=np.int64))
        Fs.append(_class_features(ctx, sim, emb, prop, kn, y[kn].astype(np.int64), pv)[tg])
        ys.append(y[tg].astype(np.int64))
    w = _clogit_fit(np.concatenate(Fs), np.concatenate(ys)) if Fs else None
    return w, emb, prop


def _fallback(ctx: Context) -> np.ndarray:
    """No series history and no known votes: each party's own recent cyber voting record."""
    d = ctx.data
    cyber = ctx.hist[np.isin(d.resolutions["topic"].to_numpy()[ctx.hist], CYBER_TOPICS)][-6:]
    rows = cyber if len(cyber) else ctx.hist[-20:]
    cls = d.classes[rows]
    counts = np.stack([(cls == k).sum(axis=0) for k in range(3)], axis=1).astype(np.float64)
    base = counts.sum(axis=0) + 1
    return (counts + base / base.sum()) / (counts.sum(axis=1, keepdims=True) + 1)


# --------------------------------------------------------------------------- core


def _expert_weights(experts, known_cls, base) -> dict[str, float]:
    """Pooling weights: base weight x how well each expert predicted the known votes held out.

    Each expert's leave-one-out (or 4-fold) log-likelihood on the known votes sets its share
    (softmax with sharpness LOO_SHARPNESS); the shares are scaled to sum to TEMPERATURE.
    """
    names = list(experts)
    if len(names) == 1:
        return {names[0]: 1.0}
    scores: dict[str, float | None] = {}
    for n in names:
        loo = experts[n][1]
        if loo is None or not len(known_cls):
            scores[n] = None
        else:
            p = np.clip(loo[np.arange(len(known_cls)), known_cls], 1e-3, 1)
            scores[n] = float(np.mean(np.log(p)))
    valid = [v for v in scores.values() if v is not None]
    ref = max(valid) if valid else 0.0
    raw = {
        n: base.get(n, 1.0) * (1.0 if (sc := scores[n]) is None else np.exp(LOO_SHARPNESS * (sc - ref))) for n in names
    }
    total = sum(raw.values())
    return {n: TEMPERATURE * v / total for n, v in raw.items()}


def predict_core(
    cat: Catalogue,
    ctx: Context,
    known: dict[str, int],
    weights: dict[str, float] | None = None,
    extra_experts: Mapping[str, Expert] | None = None,
) -> tuple[np.ndarray, list[str], dict]:
    """Probability matrix (parties x [no, abstain, yes]) and a description of the basis.

    The plug-in seam for experiments (benchmarks/predict_experiments.py): ``weights`` replaces
    the pooling weights and ``extra_experts`` adds candidate experts, pooled like the built-in
    ones; production calls use neither."""
    with single_thread():
        return _predict_core(cat, ctx, known, weights, extra_experts or {})


def _predict_core(cat, ctx, known, weights, extra_experts):
    d = ctx.data
    weights = weights or WEIGHTS
    if not len(ctx.hist) and not known:
        raise NotEnoughEvidence(f"not enough evidence: 0 recorded votes dated before {ctx.as_of} and no known votes")
    col = d.col_of
    known_idx = np.array([col[c] for c in known if c in col], dtype=np.int64)
    known_cls = np.array([known[c] for c in known if c in col], dtype=np.int64)
    sim = _similarity(ctx, cat) if len(ctx.hist) else np.eye(len(d.parties))
    experts: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    info: dict = {"as_of": str(ctx.as_of), "n_known": len(known), "history_votes": int(len(ctx.hist))}
    if len(ctx.hist):
        ps, loo, prev_id = _series_expert(ctx, sim, known_idx, known_cls)
        if ps is not None:
            experts["series"] = (ps, loo)
            info["previous_in_series"] = prev_id
    if len(known_idx):
        experts["neighbours"] = _neighbour_expert(sim, known_idx, known_cls)
        if len(ctx.hist):
            p_all, loo = _latent_expert(ctx, known_idx, known_cls)
            if p_all is not None:
                experts["latent"] = (p_all, loo)
            p_all, loo = _learned_expert(ctx, known_idx, known_cls)
            if p_all is not None:
                experts["learned"] = (p_all, loo)
            for name, expert in extra_experts.items():
                p_all, loo = expert(ctx, known_idx, known_cls)
                if p_all is not None:
                    experts[name] = (p_all, loo)
    if not experts:
        experts["fallback"] = (_fallback(ctx), None)
        info["warning"] = (
            "weak: no earlier vote in this series and no known votes; each party's recent cyber voting record only"
        )
    w = _expert_weights(experts, known_cls, weights)
    info["weights"] = {n: round(float(x), 3) for n, x in w.items()}
    logp = sum(w[n] * np.log(p + 1e-3) for n, (p, _loo) in experts.items())
    logp -= logp.max(axis=1, keepdims=True)
    prob = np.exp(logp)
    prob /= prob.sum(axis=1, keepdims=True)
    for j, c in zip(known_idx, known_cls, strict=True):
        prob[j] = np.eye(3)[c]
    info["signals"] = list(experts)
    no_history = (d.classes[ctx.hist] >= 0).sum(axis=0) == 0 if len(ctx.hist) else np.ones(len(d.parties), bool)
    info["no_history"] = [p for p, flag in zip(d.parties, no_history, strict=True) if flag and p not in known]
    return prob, list(d.parties), info


def predict_votes(cat: Catalogue, resolution: str, known: dict | None = None, as_of=None) -> pd.DataFrame:
    """Predicted vote of every UN member on ``resolution``.

    Returns a DataFrame indexed by party code with columns vote, p_yes, p_no, p_abstain.
    ``known`` maps parties (code, name or alias) to their revealed vote (yes/no/abstain).
    ``as_of`` defaults to the day before the resolution; nothing dated on or after it is
    used, and of the resolution's own votes only ``known`` is. ``df.attrs`` describes the
    basis (signals used, previous vote in the series, counts, parties without history).
    """
    row = resolve_resolution(cat, resolution)
    as_of = to_date(as_of) if as_of is not None else day_before(row["date"])
    known_cls = parse_known(cat, known)
    ctx = context(cat, row["series"], as_of, exclude_id=row["id"])
    prob, parties, info = predict_core(cat, ctx, known_cls)
    members = member_codes(cat) | set(known_cls)
    keep = [i for i, p in enumerate(parties) if p in members]
    out = frame(prob[keep], [parties[i] for i in keep])
    info.update(resolution=row["id"], series=row["series"])
    info["no_history"] = [p for p in info["no_history"] if p in members]
    out.attrs.update(info)
    return out


def member_codes(cat: Catalogue) -> set[str]:
    p = cat.parties
    members = set(p.loc[p["un_member"], "code"])
    return members or set(p["code"])


def frame(prob: np.ndarray, parties: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "vote": np.array(CLASSES, dtype=object)[prob.argmax(axis=1)],
            "p_yes": prob[:, 2],
            "p_no": prob[:, 0],
            "p_abstain": prob[:, 1],
        },
        index=pd.Index(parties, name="party_code"),
    )
    return out[OUTPUT_COLUMNS]
