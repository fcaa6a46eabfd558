"""Candidate improvements of vote prediction, each measured by the issue-5 backtest protocol,
plus a ceiling study: how much the voting record allows at all.

Run:  python benchmarks/predict_experiments.py [--no-write] [--quick]

Each variant plugs an extra expert / feature / series model into ``tracker.analytics.predict``
(via ``predict_core(extra_experts=...)`` or by swapping a private function for the run), or is a
stand-alone learner, and is scored like ``run_backtest`` scores ``ours`` (20% of the voters
revealed, 5 seeds; or known={}) on three sets of votes:

- **cyber**: the 12 contested cyber votes 2018-2023 of the backtest (DESIGN.md section 5);
- **dev** and **held-out**: recurring contested UNGA votes 2015-2023 outside cyber (>= 10% of
  the voters outside the majority; the same title was voted in the 3 previous years, which
  makes it a series with a predecessor), one vote per title, the titles shuffled (seed 0) and
  split 40 / the rest; 3 seeds. Changes were judged on cyber and dev, then checked on held-out.

The ceiling study runs the strongest learners with 20/50/80/95% of the target's votes revealed
(5 seeds) and with 10-fold cross-validation inside the target (90% revealed, every vote
predicted once), and, for known={}, looks for any earlier vote whose split matches the target.
Leakage rules are those of predict.py: every variant reads only ctx.hist (votes dated before
as_of) and the known votes; group memberships only with a joining date before as_of.
scikit-learn is not a project dependency: its two learners run only when it is importable.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from bench_results import write_section  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

from tracker import load_catalogue  # noqa: E402
from tracker.analytics import predict as P  # noqa: E402
from tracker.analytics._blas import single_thread  # noqa: E402
from tracker.analytics.backtest import CONTESTED  # noqa: E402
from tracker.analytics.votes import CYBER_TOPICS, to_date, vote_data  # noqa: E402

SECTION = "Vote prediction experiments (issue 5)"
SECOND_ORDER_PRIOR = 20.0
POOLED_PATTERNS = False
ANALOGUES = 5  # earlier votes averaged by the analogue expert
ANALOGUE_ALPHA = 1.0
ANALOGUE_BETA = 1.0
ANALOGUE_MIN_MINORITY = 0.05
STACK_LAMBDA = 1.0
CAT = None  # the catalogue, for the group features


def _series_triples(ctx: P.Context) -> np.ndarray:
    """Counts T[a2, a1, b]: a party's votes on three consecutive recorded votes of a series,
    over every series (cyber and any other labelled series) before ``as_of``."""
    if "triples" in ctx.extra:
        return ctx.extra["triples"]
    d = ctx.data
    series = d.resolutions["series"].to_numpy()[ctx.hist]
    t = np.zeros((3, 3, 3))
    for s in {x for x in series if x}:
        rows = ctx.hist[series == s]
        rows = rows[(d.classes[rows] >= 0).sum(axis=1) > 0]
        for r0, r1, r2 in zip(rows[:-2], rows[1:-1], rows[2:], strict=True):
            c0, c1, c2 = d.classes[r0], d.classes[r1], d.classes[r2]
            ok = (c0 >= 0) & (c1 >= 0) & (c2 >= 0)
            np.add.at(t, (c0[ok], c1[ok], c2[ok]), 1)
    ctx.extra["triples"] = t
    return t


def _series_expert(ctx: P.Context, sim: np.ndarray, known_idx: np.ndarray, known_cls: np.ndarray):
    """(probabilities for all parties, leave-one-out probabilities for the known, previous id).

    First order: previous vote -> target vote, a transition table from the known votes (or
    "most parties repeat" without them). Second order (SECOND_ORDER_PRIOR > 0), for parties
    that voted on the last two votes of the series: P(target | second-last, last) from the
    triples of consecutive series votes before ``as_of`` (and the known votes), shrunk toward
    the first-order row with weight SECOND_ORDER_PRIOR.
    """
    rows = P.series_rows(ctx)
    if not len(rows):
        return None, None, None
    prev = ctx.data.classes[rows[-1]]
    have = np.flatnonzero(prev >= 0)
    dist = P._onehot(prev)
    missing = np.flatnonzero(prev < 0)
    if len(missing) and len(have):
        dist[missing] = P._knn_dist(sim[np.ix_(missing, have)], prev[have], k=10, beta=30.0)
    if len(known_idx):
        counts = np.full((3, 3), 0.5) + np.eye(3)
        for j, c in zip(known_idx, known_cls, strict=True):
            if prev[j] >= 0:
                counts[prev[j], c] += 1
    else:
        counts = np.full((3, 3), 0.1) + 3 * np.eye(3)
    trans = counts / counts.sum(axis=1, keepdims=True)
    out = dist @ trans
    second = None
    if SECOND_ORDER_PRIOR > 0 and len(rows) >= 2:
        prev2 = ctx.data.classes[rows[-2]]
        tri = _series_triples(ctx).copy()
        for j, c in zip(known_idx, known_cls, strict=True):
            if prev[j] >= 0 and prev2[j] >= 0:
                tri[prev2[j], prev[j], c] += 1
        both = np.flatnonzero((prev >= 0) & (prev2 >= 0))
        second = (prev2, tri)
        out[both] = _second_row(tri, prev2[both], prev[both], trans)
    loo = None
    if len(known_idx):
        loo = np.empty((len(known_idx), 3))
        for i, (j, c) in enumerate(zip(known_idx, known_cls, strict=True)):
            own = counts.copy()
            if prev[j] >= 0:
                own[prev[j], c] -= 1
            t_own = own / own.sum(axis=1, keepdims=True)
            loo[i] = dist[j] @ t_own
            if second is not None and prev[j] >= 0 and second[0][j] >= 0:
                tri = second[1].copy()
                tri[second[0][j], prev[j], c] -= 1
                loo[i] = _second_row(tri, second[0][j : j + 1], prev[j : j + 1], t_own)[0]
    return out, loo, ctx.data.resolutions["id"].iloc[rows[-1]]


def _pattern(a2, a1):
    """0 steady, 1 into abstention, 2 out of abstention, 3 yes/no flip."""
    a2, a1 = np.asarray(a2), np.asarray(a1)
    return np.where(a2 == a1, 0, np.where(a1 == 1, 1, np.where(a2 == 1, 2, 3)))


def _relation_tables(tri: np.ndarray) -> np.ndarray:
    """Pooled counts R[pattern, relation]: relation 0 = as the last vote, 1 = as the second-last,
    2 = the third class (steady patterns: 1 and 2 are the other two classes, pooled in 2)."""
    r = np.zeros((4, 3))
    for a2 in range(3):
        for a1 in range(3):
            pat = int(_pattern(a2, a1))
            for b in range(3):
                rel = 0 if b == a1 else (1 if b == a2 else 2)
                r[pat, rel] += tri[a2, a1, b]
    return r


def _second_row(tri: np.ndarray, a2: np.ndarray, a1: np.ndarray, trans: np.ndarray) -> np.ndarray:
    if POOLED_PATTERNS:
        r = _relation_tables(tri)
        pats = _pattern(a2, a1)
        t = np.zeros((len(a1), 3))
        for i, (x2, x1, pat) in enumerate(zip(a2, a1, pats, strict=True)):
            third = [c for c in range(3) if c not in (x1, x2)]
            t[i, x1] += r[pat, 0]
            if x2 != x1:
                t[i, x2] += r[pat, 1]
            for c in third:
                t[i, c] += r[pat, 2] / len(third)
    else:
        t = tri[a2, a1]  # n x 3
    return (t + SECOND_ORDER_PRIOR * trans[a1]) / (t.sum(axis=1, keepdims=True) + SECOND_ORDER_PRIOR)


def _group_features(cat, ctx: P.Context) -> np.ndarray | None:
    """0/1 per UN regional group and per group with a membership dated before ``as_of``.

    Membership rows without a joining date are not used (their date is unknown)."""
    from tracker.dates import date_bounds

    d = ctx.data
    col = d.col_of
    cols = []
    region = dict(zip(cat.parties["code"], cat.parties["un_regional_group"], strict=True))
    for name in sorted({v for v in region.values() if v}):
        cols.append([region.get(p) == name for p in d.parties])
    gm = cat.group_members
    for _gid, rows in gm.groupby("group_id"):
        v = np.zeros(len(d.parties), bool)
        for p, joined, left in zip(rows["party_code"], rows["joined"], rows["left"], strict=True):
            jb = date_bounds(joined) if joined else None
            lb = date_bounds(left) if left else None
            if p in col and jb and jb[1] < ctx.as_of and (lb is None or lb[0] >= ctx.as_of):
                v[col[p]] = True
        if v.sum() >= 3:
            cols.append(v)
    if not cols:
        return None
    return np.stack(cols, axis=1).astype(np.float64)


def _propensity(ctx: P.Context, cyber: np.ndarray, years: int = 4) -> np.ndarray:
    """Per party: share of abstentions and of no votes on recent contested votes and on cyber votes."""
    d = ctx.data
    start = np.datetime64(ctx.as_of, "D") - np.timedelta64(365 * years, "D")
    rows = ctx.hist[d.dates[ctx.hist] >= start]
    cls = d.classes[rows]
    n_cls = np.stack([(cls == k).sum(axis=1) for k in range(3)], axis=1)
    contested = rows[1 - n_cls.max(axis=1) / np.maximum(n_cls.sum(axis=1), 1) >= 0.05]
    out = []
    for sel in (contested, cyber):
        c = d.classes[sel]
        n = (c >= 0).sum(axis=0) + 2.0
        out += [((c == 1).sum(axis=0) + 0.2) / n, ((c == 0).sum(axis=0) + 0.2) / n]
    f = np.stack(out, axis=1)
    return (f - f.mean(axis=0)) / (f.std(axis=0) + 1e-9)


def _analogue_rows(ctx: P.Context) -> np.ndarray:
    """Earlier contested votes since 2010 (>= 5% of voters not voting with the majority)."""
    if "analogue_rows" not in ctx.extra:
        d = ctx.data
        rows = ctx.hist[d.dates[ctx.hist] >= P.GENERAL_SINCE]
        cls = d.classes[rows]
        counts = np.stack([(cls == k).sum(axis=1) for k in range(3)], axis=1)
        n = counts.sum(axis=1)
        minority = 1 - counts.max(axis=1) / np.maximum(n, 1)
        keep = rows[(n >= 50) & (minority >= ANALOGUE_MIN_MINORITY)]
        x = d.classes[keep].astype(np.int64) + 1  # 0 absent, 1 no, 2 abstain, 3 yes
        ctx.extra["analogue_rows"] = (keep, x)
    return ctx.extra["analogue_rows"]


def _analogue_expert(ctx: P.Context, known_idx, known_cls):
    """Earlier votes whose split, mapped class to class, best explains the known votes.

    For every earlier contested vote h, a table P(target class | class on h) is estimated
    from the known votes (add-ALPHA smoothing towards the known class shares); each h is
    scored by the leave-one-out log-likelihood of the known votes, and the ANALOGUES best
    are averaged with softmax(score x n_known) weights.
    """
    if len(known_idx) < P.MIN_KNOWN_FIT:
        return None, None
    keep, x = _analogue_rows(ctx)
    if len(keep) < 1:
        return None, None
    xk = x[:, known_idx]  # H x K
    y = np.asarray(known_cls)
    prior = (np.bincount(y, minlength=3) + 1.0) / (len(y) + 3.0)
    onehot_x = np.eye(4)[xk]  # H x K x 4
    counts = np.einsum("hka,kb->hab", onehot_x, np.eye(3)[y])  # H x 4 x 3
    tot = counts.sum(axis=2)  # H x 4
    own = counts[np.arange(len(keep))[:, None], xk, y[None, :]]  # H x K
    own_tot = tot[np.arange(len(keep))[:, None], xk]
    loo_p = (own - 1 + ANALOGUE_ALPHA * prior[y][None, :]) / (own_tot - 1 + ANALOGUE_ALPHA)
    score = np.log(np.clip(loo_p, 1e-3, 1)).mean(axis=1)
    m = min(ANALOGUES, len(keep))
    top = np.argsort(-score, kind="stable")[:m]
    w = np.exp(ANALOGUE_BETA * (score[top] - score[top].max()))
    w /= w.sum()
    table = (counts[top] + ANALOGUE_ALPHA * prior) / (tot[top][:, :, None] + ANALOGUE_ALPHA)  # m x 4 x 3
    xa = x[top]  # m x P
    p_all = np.einsum("m,mpb->pb", w, table[np.arange(m)[:, None], xa])
    # held-out estimate for the pooling weights: the top analogues' LOO tables
    loo_tab = np.empty((m, len(y), 3))
    for i, h in enumerate(top):
        t = counts[h][xk[h]] - np.eye(3)[y]  # K x 3, own vote removed
        loo_tab[i] = (t + ANALOGUE_ALPHA * prior) / (t.sum(axis=1, keepdims=True) + ANALOGUE_ALPHA)
    loo = np.einsum("m,mkb->kb", w, loo_tab)
    return p_all, loo


def _series_expert_drift(ctx: P.Context, sim, known_idx, known_cls, weight: float = 2.0):
    """known={} only: the "most parties repeat" table plus ``weight`` x the row-normalised
    transitions between consecutive votes of the series (the direction of change so far)."""
    if len(known_idx):
        return ORIGINAL["_series_expert"](ctx, sim, known_idx, known_cls)
    rows = P.series_rows(ctx)
    if not len(rows):
        return None, None, None
    c = ctx.data.classes
    prev = c[rows[-1]]
    dist = P._onehot(prev)
    have, missing = np.flatnonzero(prev >= 0), np.flatnonzero(prev < 0)
    if len(missing) and len(have):
        dist[missing] = P._knn_dist(sim[np.ix_(missing, have)], prev[have], k=10, beta=30.0)
    counts = np.full((3, 3), 0.1) + 3 * np.eye(3)
    for a, b in zip(rows[:-1], rows[1:], strict=True):
        ok = (c[a] >= 0) & (c[b] >= 0)
        t = np.zeros((3, 3))
        np.add.at(t, (c[a][ok], c[b][ok]), 1)
        counts += weight * t / np.maximum(t.sum(axis=1, keepdims=True), 1) * 3
    return dist @ (counts / counts.sum(axis=1, keepdims=True)), None, ctx.data.resolutions["id"].iloc[rows[-1]]


def _latent_plus(extra: str):
    def features(ctx: P.Context):
        f = ORIGINAL["_latent_features"](ctx)
        if f is None:
            return None
        d = ctx.data
        cyber = ctx.hist[np.isin(d.resolutions["topic"].to_numpy()[ctx.hist], CYBER_TOPICS)]
        add = _propensity(ctx, cyber) if extra == "propensity" else _group_features(CAT, ctx)
        return f if add is None else np.hstack([f, add])

    return features


# --------------------------------------------------------------------------- evaluation sets


@dataclass
class Case:
    rid: str
    ctx: P.Context
    truth: np.ndarray
    has_prev: bool  # an earlier vote of its series to follow (known={} is scored only then)


def cyber_cases(cat) -> list[Case]:
    """The backtest's contexts (as ``run_backtest`` builds them)."""
    out = []
    for rid in CONTESTED:
        row = P.resolve_resolution(cat, rid)
        ctx = P.context(cat, row["series"], to_date(row["date"]) - timedelta(days=1), exclude_id=row["id"])
        d = ctx.data
        prev = P.series_rows(ctx)
        has_prev = bool(len(prev)) and d.resolutions["id"].iloc[prev[-1]] in CONTESTED
        out.append(Case(row["id"], ctx, d.classes[d.row_of[row["id"]]].copy(), has_prev))
    return out


def _title_keys(d) -> np.ndarray:
    return np.array([P.title_key(t) for t in d.resolutions["title"]], dtype=object)


def recurring_sets(cat, n: int = 40, seed: int = 0) -> tuple[list[str], list[str]]:
    """(dev, held-out) ids: recurring contested general votes 2015-2023, one per title."""
    d = vote_data(cat)
    keys = _title_keys(d)
    cls = d.classes
    n_cls = np.stack([(cls == k).sum(axis=1) for k in range(3)], axis=1)
    minority = 1 - n_cls.max(axis=1) / np.maximum(n_cls.sum(axis=1), 1)
    year = d.dates.astype("datetime64[Y]").astype(int) + 1970
    topic = d.resolutions["topic"].to_numpy()
    by_title: dict[str, list[str]] = {}
    idx = np.arange(len(keys))
    for i in idx:
        if not keys[i] or not 2015 <= year[i] <= 2023 or minority[i] < 0.1 or topic[i] != "general":
            continue
        prev = (keys == keys[i]) & (idx < i) & (year >= year[i] - 3) & (year < year[i]) & (d.dates < d.dates[i])
        if prev.any():
            by_title.setdefault(keys[i], []).append(d.resolutions["id"].iloc[i])
    titles = sorted(by_title)
    rng = np.random.default_rng(seed)
    rng.shuffle(titles)

    def pick(ts):
        return [by_title[t][rng.integers(len(by_title[t]))] for t in ts]

    return pick(titles[:n]), pick(titles[n : 2 * n])


def recurring_case(cat, rid: str) -> Case:
    """Context for a recurring general vote: its title's earlier votes form its series."""
    d = vote_data(cat)
    row = d.row_of[rid]
    keys = _title_keys(d)
    res = d.resolutions.copy()
    series = res["series"].to_numpy().copy()
    series[keys == keys[row]] = "title:" + keys[row][:40]
    res["series"] = series
    d = replace(d, resolutions=res)
    as_of = d.resolutions["date"].iloc[row] - timedelta(days=1)
    mask = d.dates < np.datetime64(as_of, "D")
    mask[row] = False
    return Case(rid, P.Context(d, as_of, np.flatnonzero(mask), series[row], row), d.classes[row].copy(), True)


def split(case: Case, frac: float, seed: int):
    """Revealed and scored voters, drawn exactly as ``run_backtest`` draws them."""
    voters = np.flatnonzero(case.truth >= 0)
    n_known = int(round(frac * len(voters)))
    rng = np.random.default_rng(seed)
    known_idx = np.sort(rng.choice(voters, size=n_known, replace=False)) if n_known else np.array([], int)
    targets = np.setdiff1d(voters, known_idx)
    return known_idx, case.truth[known_idx].astype(np.int64), targets, case.truth[targets].astype(np.int64)


def evaluate(fn, cases: list[Case], frac: float, seeds) -> pd.DataFrame:
    """Per resolution: mean accuracy and log loss over seeds of ``fn(ctx, known_idx, known_cls)``."""
    rows = []
    for case in cases:
        if frac == 0 and not case.has_prev:
            continue
        for seed in seeds if frac > 0 else [0]:
            ki, kc, tg, y = split(case, frac, seed)
            prob = fn(case.ctx, ki, kc)[tg]
            p = np.clip(prob, 1e-3, 1.0)
            p /= p.sum(axis=1, keepdims=True)
            rows.append(
                {
                    "rid": case.rid,
                    "accuracy": float(np.mean(prob.argmax(axis=1) == y)),
                    "log_loss": float(-np.mean(np.log(p[np.arange(len(y)), y]))),
                }
            )
    return pd.DataFrame(rows).groupby("rid", sort=False)[["accuracy", "log_loss"]].mean()


def cross_validate(fn, cases: list[Case], folds: int = 10, seed: int = 0) -> pd.Series:
    """Accuracy per resolution when every voter is predicted from the other folds."""
    out = {}
    for case in cases:
        voters = np.flatnonzero(case.truth >= 0)
        perm = np.random.default_rng(seed).permutation(voters)
        hits = 0
        for k in range(folds):
            test = np.sort(perm[k::folds])
            ki = np.setdiff1d(voters, test)
            prob = fn(case.ctx, ki, case.truth[ki].astype(np.int64))
            hits += int(np.sum(prob[test].argmax(axis=1) == case.truth[test]))
        out[case.rid] = hits / len(voters)
    return pd.Series(out)


def ours(ctx, known_idx, known_cls):
    known = {ctx.data.parties[j]: int(c) for j, c in zip(known_idx, known_cls, strict=True)}
    return P.predict_core(CAT, ctx, known, extra_experts=EXTRA_EXPERTS)[0]


def last_vote(ctx, known_idx, known_cls):
    rows = P.series_rows(ctx)
    n = len(ctx.data.parties)
    prev = ctx.data.classes[rows[-1]] if len(rows) else np.full(n, -1)
    return np.eye(3)[np.where(prev >= 0, prev, 2)] * 0.9 + 0.1 / 3


# --------------------------------------------------------------------------- ideal points (IRT)

IRT_YEARS = 6
IRT_CACHE: dict = {}


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=-1, keepdims=True)
    return e / s, z - np.log(s)


def irt_rows(ctx: P.Context, years: float = IRT_YEARS) -> np.ndarray:
    """Contested votes (>= 5% outside the majority, >= 50 voters) of the last ``years`` years
    before as_of, plus every earlier vote of the target's series."""
    d = ctx.data
    start = np.datetime64(ctx.as_of, "D") - np.timedelta64(int(365.25 * years), "D")
    rows = ctx.hist[d.dates[ctx.hist] >= start]
    c = d.classes[rows]
    n = np.stack([(c == k).sum(axis=1) for k in range(3)], axis=1)
    tot = n.sum(axis=1)
    keep = rows[(tot >= 50) & (1 - n.max(axis=1) / np.maximum(tot, 1) >= 0.05)]
    return np.union1d(keep, P.series_rows(ctx))


def fit_irt(C: np.ndarray, dims: int, lam: float = 1.0, maxiter: int = 150):
    """Multinomial (no / abstain / yes) ideal-point model on classes C (votes x parties, -1
    missing): P(class k) ~ exp(x_party . a_vote,k + b_vote,k); ridge ``lam`` on positions and
    loadings; joint L-BFGS from an SVD start. Returns positions X, loadings A, intercepts b."""
    R, n = C.shape
    obs = C >= 0
    Y = (np.eye(3)[np.where(obs, C, 0)] * obs[..., None]).transpose(1, 0, 2).copy()  # parties x votes x 3
    mask = obs.T[..., None]
    codes = np.where(obs, C / 2.0, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        z = np.nan_to_num(codes - np.nanmean(codes, axis=1, keepdims=True))
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    X0 = vt[:dims].T * np.sqrt(n)
    A0 = np.zeros((R, dims, 3))
    load = u[:, :dims] * s[:dims] / np.sqrt(n)
    A0[:, :, 2], A0[:, :, 0] = 2 * load, -2 * load
    freq = Y.sum(axis=0) + 0.5
    b0 = np.log(freq / freq.sum(axis=1, keepdims=True))
    nX, nA = n * dims, R * dims * 3

    def loss(th):
        X, A, b = th[:nX].reshape(n, dims), th[nX : nX + nA].reshape(R, dims, 3), th[nX + nA :].reshape(R, 3)
        A2 = A.transpose(1, 0, 2).reshape(dims, R * 3)
        p, lp = _softmax((X @ A2).reshape(n, R, 3) + b[None])
        val = -(Y * lp).sum() + lam * ((X**2).sum() + (A**2).sum())
        G = ((p - Y) * mask).reshape(n, R * 3)
        gX = G @ A2.T + 2 * lam * X
        gA = (X.T @ G).reshape(dims, R, 3).transpose(1, 0, 2) + 2 * lam * A
        return val, np.concatenate([gX.ravel(), gA.ravel(), G.reshape(n, R, 3).sum(axis=0).ravel()])

    th = minimize(
        loss,
        np.concatenate([X0.ravel(), A0.ravel(), b0.ravel()]),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": maxiter},
    ).x
    return th[:nX].reshape(n, dims), th[nX : nX + nA].reshape(R, dims, 3), th[nX + nA :].reshape(R, 3)


def irt_model(ctx: P.Context, dims: int):
    key = (ctx.data.resolutions["id"].iloc[ctx.target_row], str(ctx.as_of), dims)
    if key not in IRT_CACHE:
        rows = irt_rows(ctx)
        IRT_CACHE[key] = (rows, *fit_irt(ctx.data.classes[rows], dims))
    return IRT_CACHE[key]


def fit_item(X, idx, y, A0, b0, lam=1.0, lam_b=0.1, extra=None, lam_g=1.0):
    """One vote's loadings and intercepts given positions X, with a Gaussian prior at (A0, b0);
    ``extra`` (parties x 3) enters with one coefficient (e.g. the previous vote, one-hot)."""
    dims = X.shape[1]
    Yk, Xk = np.eye(3)[y], X[idx]
    Ek = extra[idx] if extra is not None else None

    def loss(th):
        A, b = th[: dims * 3].reshape(dims, 3), th[dims * 3 : dims * 3 + 3]
        z = Xk @ A + b + (th[-1] * Ek if Ek is not None else 0)
        p, lp = _softmax(z)
        val = -(Yk * lp).sum() + lam * ((A - A0) ** 2).sum() + lam_b * ((b - b0) ** 2).sum()
        G = p - Yk
        g = [(Xk.T @ G + 2 * lam * (A - A0)).ravel(), G.sum(axis=0) + 2 * lam_b * (b - b0)]
        if Ek is not None:
            val += lam_g * th[-1] ** 2
            g.append([(G * Ek).sum() + 2 * lam_g * th[-1]])
        return val, np.concatenate(g)

    th0 = np.concatenate([A0.ravel(), b0, [0.0] if Ek is not None else []])
    th = minimize(loss, th0, jac=True, method="L-BFGS-B").x
    return th[: dims * 3].reshape(dims, 3), th[dims * 3 : dims * 3 + 3], (th[-1] if Ek is not None else 0.0)


def previous_vote(ctx: P.Context) -> np.ndarray | None:
    rows = P.series_rows(ctx)
    return ctx.data.classes[rows[-1]].astype(np.int64) if len(rows) else None


def irt_learner(dims: int = 3, persist: bool = False, prior: bool = True):
    """Target's item parameters fitted on the revealed votes, positions fixed, prior centred on
    the previous vote of its series (or zero loadings); ``persist``: plus a learned coefficient
    on the party's previous vote. With known={}: the predecessor's parameters."""

    def fn(ctx, known_idx, known_cls):
        rows, X, A, b = irt_model(ctx, dims)
        srows = P.series_rows(ctx)
        if prior and len(srows):
            j = int(np.flatnonzero(rows == srows[-1])[0])
            A0, b0 = A[j], b[j]
        else:
            share = np.bincount(known_cls, minlength=3) + 0.5
            A0, b0 = np.zeros((dims, 3)), np.log(share / share.sum())
        pv = previous_vote(ctx) if persist else None
        extra = np.eye(4)[pv + 1][:, 1:] if pv is not None else None
        if not len(known_idx):
            return _softmax(X @ A0 + b0)[0]
        A1, b1, g = fit_item(X, known_idx, known_cls, A0, b0, extra=extra)
        return _softmax(X @ A1 + b1 + (g * extra if extra is not None else 0))[0]

    return fn


# --------------------------------------------------------------------------- other learners


def knn_learner(k: int = 10):
    def fn(ctx, known_idx, known_cls):
        return P._knn_dist(P._similarity(ctx, CAT)[:, known_idx], known_cls, k=k, beta=30.0)

    return fn


def best_analogue(ctx, known_idx, known_cls, alpha: float = 0.5):
    """The earlier contested vote (since 2010) whose classes, mapped to the target's, fit the
    revealed votes best; its map applied to every party."""
    keep, x = _analogue_rows(ctx)
    counts = np.einsum("hka,kb->hab", np.eye(4)[x[:, known_idx]], np.eye(3)[known_cls])
    h = int(counts.max(axis=2).sum(axis=1).argmax())
    table = (counts[h] + alpha) / (counts[h].sum(axis=1, keepdims=True) + 3 * alpha)
    return table[x[h]]


def lr_learner(analogues: int = 0, dims: int = 3):
    """Ridge multinomial logit on the revealed votes over the party's ideal point, its previous
    vote in the series and its votes on the ``analogues`` earlier votes best mapped to the
    revealed ones (supervised analogue features)."""

    def fn(ctx, known_idx, known_cls):
        feats = [irt_model(ctx, dims)[1]]
        pv = previous_vote(ctx)
        if pv is not None:
            feats.append(np.eye(4)[pv + 1])
        if analogues:
            keep, x = _analogue_rows(ctx)
            counts = np.einsum("hka,kb->hab", np.eye(4)[x[:, known_idx]], np.eye(3)[known_cls])
            top = np.argsort(-counts.max(axis=2).sum(axis=1), kind="stable")[:analogues]
            feats.append(np.eye(4)[x[top]].transpose(1, 0, 2).reshape(x.shape[1], -1))
        F = np.hstack(feats)
        W, b = P._softmax_fit(F[known_idx], known_cls, lam=1.0)
        return P._softmax_predict(F, W, b)

    return fn


def _rich_features(ctx: P.Context) -> np.ndarray:
    """Ideal point (5 dims), votes on the last 80 contested votes, previous vote in the series."""
    if "rich" not in ctx.extra:
        keep, _x = _analogue_rows(ctx)
        pv = previous_vote(ctx)
        feats = [irt_model(ctx, 5)[1], ctx.data.codes[keep[-80:]].T.astype(np.float64)]
        if pv is not None:
            feats.append(np.eye(4)[pv + 1])
        ctx.extra["rich"] = np.hstack(feats)
    return ctx.extra["rich"]


def sklearn_learner(kind: str):
    def fn(ctx, known_idx, known_cls):
        if kind == "gbm":
            from sklearn.ensemble import HistGradientBoostingClassifier

            model = HistGradientBoostingClassifier(max_depth=3, learning_rate=0.05, max_iter=150, l2_regularization=1.0)
            F = _rich_features(ctx)
        else:
            from sklearn.linear_model import LogisticRegression

            model = LogisticRegression(C=0.1, max_iter=2000)
            F = np.nan_to_num(_rich_features(ctx), nan=0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(F[known_idx], known_cls)
            out = np.full((len(F), 3), 1e-3)
            out[:, model.classes_] = model.predict_proba(F)
        return out / out.sum(axis=1, keepdims=True)

    return fn


def have_sklearn() -> bool:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


def as_expert(fn, folds: int = 4):
    """A stand-alone learner as a pool expert: its probabilities and 4-fold held-out ones."""

    def expert(ctx, known_idx, known_cls):
        if len(known_idx) < P.MIN_KNOWN_FIT:
            return None, None
        loo = np.empty((len(known_idx), 3))
        fold = np.arange(len(known_idx)) % folds
        for k in range(folds):
            t = fold == k
            loo[t] = fn(ctx, known_idx[~t], known_cls[~t])[known_idx[t]]
        return fn(ctx, known_idx, known_cls), loo

    return expert


def stacked_weights(experts, known_cls, base):
    """Pool weights fitted on the known votes: maximise the held-out log-likelihood of the
    pooled prediction (weights >= 0), ridge STACK_LAMBDA towards the base weights."""
    names = list(experts)
    fit = [n for n in names if experts[n][1] is not None and len(known_cls)]
    if len(fit) < 2:
        return ORIGINAL["_expert_weights"](experts, known_cls, base)
    tot = sum(base.get(n, 1.0) for n in names)
    prior = np.array([P.TEMPERATURE * base.get(n, 1.0) / tot for n in fit])
    logs = np.stack([np.log(experts[n][1] + 1e-3) for n in fit])
    y = np.asarray(known_cls)

    def loss(w):
        p, lp = _softmax(np.tensordot(w, logs, 1))
        val = -lp[np.arange(len(y)), y].sum() + STACK_LAMBDA * ((w - prior) ** 2).sum()
        g = -(logs[:, np.arange(len(y)), y] - np.einsum("kc,ekc->ek", p, logs)).sum(axis=1)
        return val, g + 2 * STACK_LAMBDA * (w - prior)

    w = minimize(loss, prior, jac=True, method="L-BFGS-B", bounds=[(0, None)] * len(fit)).x
    out = {n: P.TEMPERATURE * base.get(n, 1.0) / tot for n in names}
    out.update(zip(fit, w, strict=True))
    return out


def _catalogue_series_pairs(ctx: P.Context) -> dict[int, int]:
    """The previous learned expert's training pairs: labelled series only, all years."""
    d = ctx.data
    labels = d.resolutions["series"].fillna("").to_numpy()
    voted = ctx.hist[(d.classes[ctx.hist] >= 0).sum(axis=1) > 0]
    last, out = {}, {}
    for r in voted:
        if labels[r]:
            if labels[r] in last:
                out[int(r)] = last[labels[r]]
            last[labels[r]] = int(r)
    return out


def _six_features(*args, **kwargs):
    return ORIGINAL["_class_features"](*args, **kwargs)[:, :, :6]


WEIGHTS = dict(P.WEIGHTS)
EXTRA_EXPERTS: dict = {}  # candidate experts of the running variant (predict_core's plug-in seam)
ORIGINAL = {
    "_series_expert": P._series_expert,
    "_latent_features": P._latent_features,
    "_expert_weights": P._expert_weights,
    "_series_pairs": P._series_pairs,
    "_class_features": P._class_features,
}
ALL = ("cyber", "dev", "held-out")


def restore() -> None:
    global STACK_LAMBDA
    P.WEIGHTS.clear()
    P.WEIGHTS.update(WEIGHTS)
    EXTRA_EXPERTS.clear()
    for name, fn in ORIGINAL.items():
        setattr(P, name, fn)
    STACK_LAMBDA = 1.0


def variants():
    """(label, frac, learner, setup, sets): learner(ctx, known_idx, known_cls) -> probabilities;
    setup() patches the predict module for the run (restored after it)."""

    def analogue(n):
        def setup():
            global ANALOGUES
            ANALOGUES = n
            EXTRA_EXPERTS["analogue"] = _analogue_expert

        return setup

    def series(fn, prior=SECOND_ORDER_PRIOR, pooled=False):
        def setup():
            global SECOND_ORDER_PRIOR, POOLED_PATTERNS
            SECOND_ORDER_PRIOR, POOLED_PATTERNS = prior, pooled
            P._series_expert = fn

        return setup

    def latent(extra):
        def setup():
            P._latent_features = _latent_plus(extra)

        return setup

    def weights(**w):
        return lambda: P.WEIGHTS.update(w)

    def extra(name, fn):
        def setup():
            EXTRA_EXPERTS[name] = as_expert(fn)

        return setup

    def stacking(lam):
        def setup():
            global STACK_LAMBDA
            STACK_LAMBDA = lam
            P._expert_weights = stacked_weights

        return setup

    def previous_learned():
        P._series_pairs = _catalogue_series_pairs
        P._class_features = _six_features

    def labelled_pairs_only():
        P._series_pairs = _catalogue_series_pairs

    def six_features():
        P._class_features = _six_features

    def none():
        return None

    cyber = ("cyber",)
    return [
        ("shipped predictor", 0.2, ours, none, ALL),
        ("previous learned expert (labelled series pairs only, 6 features)", 0.2, ours, previous_learned, ALL),
        ("learned: new features, labelled series pairs only", 0.2, ours, labelled_pairs_only, cyber),
        ("learned: title-derived series pairs, previous 6 features", 0.2, ours, six_features, cyber),
        (
            "learned expert alone (pool weights of the others 0)",
            0.2,
            ours,
            weights(series=0.0, neighbours=0.0, latent=0.0),
            ALL,
        ),
        ("without the learned expert (the older hand-set pool)", 0.2, ours, weights(learned=0.0), cyber),
        ("+ IRT expert (3 dims, predecessor prior, persistence)", 0.2, ours, extra("irt", irt_learner(3, True)), ALL),
        ("+ LR expert (ideal point + previous vote)", 0.2, ours, extra("lr", lr_learner(0)), cyber),
        ("pool weights stacked on the known votes (ridge 1)", 0.2, ours, stacking(1.0), ("cyber", "dev")),
        ("pool weights stacked on the known votes (ridge 3)", 0.2, ours, stacking(3.0), cyber),
        ("+ analogue expert (5 best-mapped earlier contested votes)", 0.2, ours, analogue(5), cyber),
        ("+ analogue expert (10)", 0.2, ours, analogue(10), cyber),
        ("latent LR + abstention / no-vote propensity", 0.2, ours, latent("propensity"), cyber),
        ("latent LR + UN regional group + dated group memberships", 0.2, ours, latent("groups"), cyber),
        ("alone: IRT item, 3 dims, predecessor prior", 0.2, irt_learner(3), none, cyber),
        ("alone: IRT item, 5 dims, predecessor prior", 0.2, irt_learner(5), none, cyber),
        ("alone: IRT item, 3 dims, predecessor prior + persistence", 0.2, irt_learner(3, True), none, cyber),
        ("alone: LR on ideal point + previous vote", 0.2, lr_learner(0), none, cyber),
        ("alone: LR + votes on the 5 best-mapped earlier votes", 0.2, lr_learner(5), none, cyber),
        ("alone: LR + votes on the 20 best-mapped earlier votes", 0.2, lr_learner(20), none, cyber),
        ("alone: 10 nearest neighbours (agreement)", 0.2, knn_learner(10), none, cyber),
        ("alone: last vote in the series", 0.2, last_vote, none, ALL),
        (
            "series expert alone (pool weights of the others 0)",
            0.2,
            ours,
            weights(neighbours=0.0, latent=0.0, learned=0.0),
            ("dev", "held-out"),
        ),
        ("shipped predictor, known={}", 0.0, ours, none, ALL),
        ("known={}: last vote in the series", 0.0, last_vote, none, ALL),
        ("known={}: IRT, the predecessor's item parameters", 0.0, irt_learner(3), none, cyber),
        ("known={}: second-order series transitions (cell-wise)", 0.0, ours, series(_series_expert), cyber),
        (
            "known={}: second-order, pooled patterns (revert from abstention ...)",
            0.0,
            ours,
            series(_series_expert, pooled=True),
            cyber,
        ),
        (
            "known={}: + learned direction of change, weight 1",
            0.0,
            ours,
            series(lambda *a: _series_expert_drift(*a, weight=1.0)),
            cyber,
        ),
        (
            "known={}: + learned direction of change, weight 2",
            0.0,
            ours,
            series(lambda *a: _series_expert_drift(*a, weight=2.0)),
            cyber,
        ),
    ]


def case_sets(cat, names, dev_ids, holdout_ids) -> dict[str, list[Case]]:
    """Fresh contexts (a patched module must not reuse another variant's cached features)."""
    out = {}
    for name in names:
        if name == "cyber":
            out[name] = cyber_cases(cat)
        else:
            out[name] = [recurring_case(cat, r) for r in (dev_ids if name == "dev" else holdout_ids)]
    return out


def run_variants(cat, dev_ids, holdout_ids, quick: bool) -> pd.DataFrame:
    rows = []
    for label, frac, fn, setup, sets in variants():
        if not sets:
            continue
        sets = [s for s in sets if not (quick and s != "cyber")]
        setup()
        row = {"variant": label, "revealed": f"{frac:.0%}" if frac else "known={}"}
        started = time.perf_counter()
        try:
            for name, cases in case_sets(cat, sets, dev_ids, holdout_ids).items():
                seeds = range(5) if name == "cyber" else range(3)
                r = evaluate(fn, cases, frac, seeds)
                row[f"{name} accuracy"] = r["accuracy"].mean()
                row[f"{name} log loss"] = r["log_loss"].mean()
                if name == "cyber":
                    row["cyber n"] = len(r)
                    row["cyber worst"] = f"{r['accuracy'].idxmin()[6:]} {r['accuracy'].min():.3f}"
                    row["per_resolution"] = r["accuracy"]
        finally:
            restore()
        print(
            f"{label:78s} "
            + " ".join(f"{k.split()[0]} {row[k]:.4f}" for k in row if k.endswith("accuracy"))
            + f"  ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        rows.append(row)
    return pd.DataFrame(rows)


def ceiling_learners() -> dict:
    out = {
        "ours (shipped)": ours,
        "IRT 3 dims + persistence": irt_learner(3, True),
        "LR ideal point + previous vote": lr_learner(0),
        "10 nearest neighbours": knn_learner(10),
        "best-mapped earlier vote": best_analogue,
    }
    if have_sklearn():
        out["LR (scikit-learn) on 5-dim ideal point + last 80 votes + previous"] = sklearn_learner("lr")
        out["gradient boosting (scikit-learn), same features"] = sklearn_learner("gbm")
    return out


def run_ceiling(cat, dev_ids, quick: bool) -> pd.DataFrame:
    rows = []
    cases = cyber_cases(cat)
    for name, fn in ceiling_learners().items():
        row = {"learner": name}
        started = time.perf_counter()
        for frac in (0.2, 0.5, 0.8, 0.95):
            row[f"{frac:.0%}"] = evaluate(fn, cases, frac, range(5))["accuracy"].mean()
        cv = cross_validate(fn, cases, folds=10)
        row["90% (10-fold)"] = cv.mean()
        row["per_resolution"] = cv
        rows.append(row)
        print(
            f"ceiling {name:66s} "
            + " ".join(f"{k} {v:.4f}" for k, v in row.items() if isinstance(v, float))
            + f"  ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    if not quick:
        dev = [recurring_case(cat, r) for r in dev_ids]
        row = {"learner": "ours (shipped), dev set of recurring general votes"}
        for frac in (0.2, 0.5, 0.8, 0.95):
            row[f"{frac:.0%}"] = evaluate(ours, dev, frac, range(3))["accuracy"].mean()
        row["90% (10-fold)"] = cross_validate(ours, dev, folds=10).mean()
        rows.append(row)
        print(
            f"ceiling {row['learner']:66s} " + " ".join(f"{k} {v:.4f}" for k, v in row.items() if isinstance(v, float)),
            flush=True,
        )
    return pd.DataFrame(rows)


def shift_diagnostic(cat) -> pd.DataFrame:
    """known={}: accuracy of the last vote, of ours, and of the best earlier vote of the year
    before as_of taken as it is (same class for every party; chosen by peeking at the target)."""
    rows = []
    for case in cyber_cases(cat):
        if not case.has_prev:
            continue
        ctx, y = case.ctx, case.truth
        d = ctx.data
        voters = np.flatnonzero(y >= 0)
        last = last_vote(ctx, np.array([], int), np.array([], int))[voters].argmax(axis=1)
        mine = ours(ctx, np.array([], int), np.array([], int))[voters].argmax(axis=1)
        recent = ctx.hist[d.dates[ctx.hist] >= np.datetime64(ctx.as_of, "D") - np.timedelta64(365, "D")]
        x = d.classes[recent][:, voters]
        same = ((x == y[voters]) | ((x < 0) & (y[voters] == 2))).mean(axis=1)
        h = int(same.argmax())
        rows.append(
            {
                "resolution": case.rid,
                "last vote": np.mean(last == y[voters]),
                "ours": np.mean(mine == y[voters]),
                "best earlier vote as it is": same[h],
                "that vote": f"{d.resolutions['id'].iloc[recent[h]]} "
                f"({P.title_key(d.resolutions['title'].iloc[recent[h]])[:45]})",
            }
        )
    return pd.DataFrame(rows)


def _fmt(v):
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.4f}" if isinstance(v, float) else str(v)


def md_table(df: pd.DataFrame, cols: list[str]) -> list[str]:
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |")
    return lines


def main() -> int:
    global CAT
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--quick", action="store_true", help="cyber votes only, no held-out sets")
    args = ap.parse_args()
    CAT = load_catalogue()
    started = time.perf_counter()
    dev_ids, holdout_ids = recurring_sets(CAT)
    with single_thread():
        table = run_variants(CAT, dev_ids, holdout_ids, args.quick)
        ceiling = run_ceiling(CAT, dev_ids, args.quick)
        shifts = shift_diagnostic(CAT)
    print(shifts.round(3).to_string(index=False))
    total = time.perf_counter() - started
    print(f"\n{total:.1f} s")
    if args.no_write or args.quick:
        return 0
    shipped = table.iloc[0]
    previous = table.iloc[1]
    cols = [
        "variant",
        "revealed",
        "cyber n",
        "cyber accuracy",
        "cyber log loss",
        "cyber worst",
        "dev accuracy",
        "dev log loss",
        "held-out accuracy",
        "held-out log loss",
    ]
    ceil_cols = ["learner", "20%", "50%", "80%", "95%", "90% (10-fold)"]
    per = pd.DataFrame(
        {
            r["learner"]: r["per_resolution"]
            for _, r in ceiling.iterrows()
            if isinstance(r.get("per_resolution"), pd.Series)
        }
    )
    per_lines = ["| resolution | " + " | ".join(per.columns) + " |", "|" + "---|" * (len(per.columns) + 1)]
    per_lines += [f"| {rid} | " + " | ".join(f"{v:.3f}" for v in row) + " |" for rid, row in per.iterrows()]
    if have_sklearn():
        sk = f" scikit-learn {__import__('sklearn').__version__} was importable in this run (not a project dependency)."
    else:
        sk = (
            " scikit-learn was not importable in this run, so its two learners are missing; measured once with "
            "scikit-learn 1.9.1 (installed outside the project): LR 0.8881-0.9065 and gradient boosting 0.8895 "
            "at 90% (10-fold)."
        )
    body = [
        f"By `benchmarks/predict_experiments.py`; load average {os.getloadavg()[0]:.1f}; catalogue {CAT.version}; "
        f"{total:.0f} s. Means over resolutions; cyber: the 12 backtest votes, 5 seeds (known={{}}: the 9 with a "
        f"predecessor in the list); dev ({len(dev_ids)}) and held-out ({len(holdout_ids)}): recurring contested "
        "UNGA votes 2015-2023 outside cyber (>= 10% of voters outside the majority, the same title voted in the "
        "3 previous years; one vote per title; titles shuffled with seed 0 and split), 3 seeds.",
        "",
        "### Variants (20% of voters revealed unless known={})",
        "",
        *md_table(table, cols),
        "",
        f"Shipped: the learned expert's training votes get a predecessor from a repeated title as well as from "
        f"a labelled series (hundreds of earlier series votes instead of a few cyber ones), and three series "
        f"features (transition table of the known votes, one repeat weight per class). Against the previous "
        f"learned expert: cyber {shipped['cyber accuracy'] - previous['cyber accuracy']:+.4f} accuracy, "
        f"{shipped['cyber log loss'] - previous['cyber log loss']:+.3f} log loss; dev "
        f"{shipped['dev accuracy'] - previous['dev accuracy']:+.4f} / "
        f"{shipped['dev log loss'] - previous['dev log loss']:+.3f}; held-out "
        f"{shipped['held-out accuracy'] - previous['held-out accuracy']:+.4f} / "
        f"{shipped['held-out log loss'] - previous['held-out log loss']:+.3f}. "
        "Choices made while measuring (on cyber and dev; held-out measured for the candidates that got that "
        "far, and no choice made on held-out numbers alone): the title pairs alone "
        "and with the two kinds of series features; title pairs from all years or from the learned expert's "
        "6-year window (window kept: same accuracy, faster); two more features (a wider neighbour share, a "
        "one-year class rate) changed nothing and were dropped. The pool weights are unchanged. "
        "Everything else is not shipped: no variant raises the cyber mean by a real margin that also holds on "
        "dev and held-out. On the recurring general votes the pool with 20% revealed is below its own series "
        "expert alone and below itself with known={} (the held-out weighting of the experts does not pick the "
        "series there; on the cyber votes, where series shift, the pool is far above the series expert). "
        "*IRT*: multinomial ideal-point model (no / abstain / yes) fitted by joint L-BFGS "
        "(SVD start, ridge 1) on the contested votes of the 6 years before as_of; the target's item parameters "
        "are fitted on the revealed votes with the positions fixed and a Gaussian prior at the previous vote "
        "of its series (ridge 1 on loadings, 0.1 on intercepts), *persistence* adds a fitted coefficient on the "
        "party's previous vote; as a pool expert it lowers log loss on every set but not accuracy, and costs "
        "about 1 s per as_of. *LR*: ridge multinomial logit on the revealed votes; *best-mapped earlier "
        "votes*: the earlier contested votes whose classes, mapped to the target's, fit the revealed votes best "
        "(supervised analogue features). *Stacked pool weights*: the experts' weights fitted on their held-out "
        "predictions of the known votes instead of the hand-set softmax. *Analogue expert*: per earlier "
        "contested vote since 2010, a class-to-class map fitted on the revealed votes, scored by leave-one-out "
        "likelihood, the best averaged. *Propensity*: each party's share of abstentions and of no votes on the "
        "last four years' contested votes and on cyber votes. *Groups*: UN regional group and memberships with "
        "a joining date before as_of (undated rows unused). *Second order*: P(vote | second-last, last vote in "
        "the series) from consecutive triples of every series before as_of, shrunk to the first-order table "
        "(prior 20). *Direction of change*: the repeat table plus the row-normalised transitions between "
        "consecutive votes of the series; its weight-2 gain comes from A/RES/75/240 alone and rests on one "
        "party (the only abstainer on A/RES/71/28, which voted no on A/RES/73/27): a fluke, not shipped.",
        "",
        "### Ceiling: the same learners with more of the target's votes revealed (cyber votes)",
        "",
        *md_table(ceiling, ceil_cols),
        "",
        "10-fold: every voter of the target predicted from the other 90%, per resolution:",
        "",
        *per_lines,
        "",
        "Constants chosen on the 12 backtest votes for these learners: none beyond the ridge strengths "
        "(1, fixed before the first run), the number of dimensions (3 and 5 tried) and of analogues (5, 10, 20 "
        f"tried).{sk}",
        "",
        "### known={}: could any earlier vote have shown the shift?",
        "",
        *md_table(shifts, ["resolution", "last vote", "ours", "best earlier vote as it is", "that vote"]),
        "",
        "*Best earlier vote as it is*: among the recorded votes of the 365 days before as_of, the one whose "
        "classes, unchanged, match the target best (chosen by looking at the target's votes: an upper bound, "
        "not a method).",
    ]
    write_section(SECTION, "\n".join(body))
    print(f"wrote section '{SECTION}' of benchmarks/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
