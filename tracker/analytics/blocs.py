"""Voting blocs, the open-vs-sovereign axis and swing states.

Blocs come from the chance-corrected alignment (``basis`` votes, adoptions or combined):

- ``hierarchical``: average-linkage clustering on the distance 1 - kappa; the number of blocs
  (2..8) maximises the mean silhouette unless ``k`` is given;
- ``louvain``: networkx Louvain communities on the graph of positive kappas, swept over
  resolutions 0.5..2.0 with a fixed seed (graph: each party's 15 strongest positive-kappa
  partners); the partition with the best modularity among those with >= 2 blocs wins, and the
  sweep is reported. Parties with no positive agreement with anyone (e.g. a state that voted
  yes on everything: kappa 0) are listed as ``unaligned`` rather than made singleton blocs.

Each bloc gets its members, cohesion (mean within-bloc kappa), the instruments that define it
(adoption share inside minus outside) and the resolutions that separate it, plus a
between-bloc matrix of mean kappa. Parties with too little evidence are listed apart.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.analytics._blas import single_thread
from tracker.analytics.alignment import STATUS_WEIGHT, alignment_tables, check_basis
from tracker.analytics.votes import row_mask, vote_data
from tracker.catalogue import Catalogue
from tracker.dates import to_date
from tracker.errors import InvalidInput

METHODS = ("hierarchical", "louvain")
SWEEP = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
TOP_EDGES = 15
NOTABLE = (
    "USA",
    "RUS",
    "CHN",
    "IND",
    "BRA",
    "ZAF",
    "FRA",
    "DEU",
    "GBR",
    "JPN",
    "IDN",
    "NGA",
    "EGY",
    "MEX",
    "TUR",
    "SAU",
    "IRN",
    "ARG",
    "AUS",
    "CAN",
)
RIVAL_SERIES = ("oewg", "gge-poa")


@dataclass
class BlocResult:
    method: str
    basis: str
    assignments: pd.DataFrame  # party, name, bloc
    blocs: pd.DataFrame  # bloc, label, size, cohesion, members, defining_instruments, defining_votes
    between: pd.DataFrame  # bloc x bloc mean kappa
    excluded: list[str]
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        def clean(x):
            return None if isinstance(x, float) and np.isnan(x) else x

        return {
            "method": self.method,
            "basis": self.basis,
            "details": self.details,
            "excluded": self.excluded,
            "blocs": [{k: clean(v) for k, v in r.items()} for r in self.blocs.to_dict("records")],
            "between": {
                str(i): {str(j): clean(round(float(v), 4)) for j, v in row.items()}
                for i, row in self.between.iterrows()
            },
        }


def _score_matrix(cat, basis, topic, since, as_of, min_votes):
    t = alignment_tables(cat, as_of=as_of, topic=topic, since=since, min_votes=min_votes)
    s = t.score(basis)
    counts = s.notna().sum(axis=1)
    keep = counts[counts >= max(2, int(0.5 * len(s)))].index.tolist()
    return t, s.loc[keep, keep], sorted(set(s.index) - set(keep))


def _silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    uniq = np.unique(labels)
    if len(uniq) < 2:
        return -1.0
    s = np.zeros(len(labels))
    for i in range(len(labels)):
        own = labels == labels[i]
        if own.sum() <= 1:
            continue
        a = dist[i, own].sum() / (own.sum() - 1)
        b = min(dist[i, labels == c].mean() for c in uniq if c != labels[i])
        s[i] = (b - a) / max(a, b) if max(a, b) > 0 else 0.0
    return float(s.mean())


def _hierarchical(score: pd.DataFrame, k: int | None):
    kap = score.to_numpy(dtype=np.float64)
    kap = np.where(np.isnan(kap), 0.0, kap)
    dist = np.clip(1 - kap, 0, 2)
    np.fill_diagonal(dist, 0)
    from scipy.cluster.hierarchy import fcluster, linkage  # imported when used: scipy takes ~0.3 s
    from scipy.spatial.distance import squareform

    z = linkage(squareform((dist + dist.T) / 2, checks=False), method="average")
    tried = {}
    for kk in [k] if k else range(2, 9):
        labels = fcluster(z, t=kk, criterion="maxclust")
        tried[kk] = (_silhouette(dist, labels), labels)
    best = max(tried, key=lambda kk: tried[kk][0])
    return tried[best][1], {"k": int(best), "silhouette": {int(kk): round(v[0], 4) for kk, v in tried.items()}}


def _louvain(score: pd.DataFrame, seed: int, resolution: float | None):
    import networkx as nx  # imported when used: ~0.3 s

    g = nx.Graph()
    g.add_nodes_from(score.index)
    arr = score.to_numpy(dtype=np.float64)
    idx = list(score.index)
    pos = np.where(np.isfinite(arr) & (arr > 0), arr, 0.0)
    np.fill_diagonal(pos, 0.0)
    k = min(TOP_EDGES, len(idx) - 1)
    top = np.argpartition(-pos, k - 1, axis=1)[:, :k] if k > 0 else np.zeros((len(idx), 0), int)
    for i, row in enumerate(top):
        for j in row:
            if pos[i, j] > 0:
                g.add_edge(idx[i], idx[j], weight=float(pos[i, j]))
    isolated = [n for n in g.nodes if g.degree(n) == 0]
    g.remove_nodes_from(isolated)
    if g.number_of_nodes() < 3:
        raise InvalidInput(
            f"not enough evidence for blocs: {g.number_of_nodes()} parties with positive agreement with anyone"
        )
    sweep = []
    best = None
    for r in [resolution] if resolution else SWEEP:
        comms = nx.community.louvain_communities(g, weight="weight", resolution=r, seed=seed)
        q = nx.community.modularity(g, comms, weight="weight") if g.number_of_edges() else 0.0
        sweep.append({"resolution": r, "blocs": len(comms), "modularity": round(q, 4)})
        if (len(comms) >= 2 or best is None) and (best is None or q > best[0] or len(best[1]) < 2):
            best = (q, comms, r)
    labels_of = {p: b + 1 for b, c in enumerate(sorted(best[1], key=len, reverse=True)) for p in c}
    return (
        np.array([labels_of.get(p, 0) for p in idx]),
        {"resolution": best[2], "sweep": sweep, "graph": f"top {TOP_EDGES} positive-kappa partners per party"},
        isolated,
    )


def blocs(
    cat: Catalogue,
    method: str = "hierarchical",
    basis: str = "votes",
    *,
    topic="cyber",
    since=None,
    as_of=None,
    k: int | None = None,
    resolution: float | None = None,
    seed: int = 0,
    min_votes: int = 5,
) -> BlocResult:
    """Voting blocs (see module docstring). Defaults: cyber votes, all dates."""
    if method not in METHODS:
        raise InvalidInput(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    check_basis(basis)
    if k is not None and not 2 <= k <= 20:
        raise InvalidInput("k must be between 2 and 20")
    with single_thread():
        t, score, excluded = _score_matrix(cat, basis, topic, since, as_of, min_votes)
        if len(score) < 3:
            raise InvalidInput(
                f"not enough evidence for blocs: {len(score)} parties with enough "
                f"{'co-votes' if basis == 'votes' else 'evidence'} (basis={basis}, topic={topic})"
            )
        unaligned: list[str] = []
        if method == "hierarchical":
            labels, details = _hierarchical(score, k)
        else:
            labels, details, unaligned = _louvain(score, seed, resolution)
            keep = labels > 0
            score, labels = score.loc[keep, keep], labels[keep]
    details["unaligned"] = unaligned
    parties = list(score.index)
    # renumber blocs by size, largest first
    order = pd.Series(labels).value_counts().index.tolist()
    remap = {old: new + 1 for new, old in enumerate(order)}
    labels = np.array([remap[x] for x in labels])
    assign = pd.DataFrame({"party": parties, "name": [cat.party_name(p) for p in parties], "bloc": labels})
    arr = score.to_numpy(dtype=np.float64)
    ids = sorted(set(labels))
    between = pd.DataFrame(index=pd.Index(ids, name="bloc"), columns=pd.Index(ids, name="other"), dtype=float)
    for a in ids:
        for b in ids:
            sub = arr[np.ix_(labels == a, labels == b)]
            if a == b:
                sub = sub[~np.eye(len(sub), dtype=bool)]
            between.loc[a, b] = _mean(sub.ravel())
    rows = []
    defining_votes = _defining_votes(cat, assign, topic, since, as_of)
    defining_inst = _defining_instruments(cat, assign, as_of)
    for b in ids:
        members = assign.loc[assign["bloc"] == b, "party"].tolist()
        sub = score.loc[members, members].to_numpy(dtype=np.float64)
        with _quiet():
            centrality = (
                np.nanmean(np.where(np.eye(len(members), dtype=bool), np.nan, sub), axis=1)
                if len(members) > 1
                else np.array([np.nan])
            )
        anchor = members[int(np.nanargmax(centrality))] if np.isfinite(centrality).any() else members[0]
        anchor = next((p for p in NOTABLE if p in members), anchor)
        rows.append(
            {
                "bloc": int(b),
                "label": f"bloc around {cat.party_name(anchor)} ({anchor})",
                "size": len(members),
                "cohesion": float(between.loc[b, b]) if len(members) > 1 else np.nan,
                "members": members,
                "defining_instruments": defining_inst.get(b, []),
                "defining_votes": defining_votes.get(b, []),
            }
        )
    details.update(
        topic=topic,
        since=str(since) if since else None,
        as_of=str(as_of) if as_of else None,
        parties=len(parties),
        weights=t.settings["weights"] if basis == "combined" else None,
        adoption_data=t.settings["adoption_data"],
    )
    return BlocResult(method, basis, assign, pd.DataFrame(rows), between, excluded, details)


def _defining_votes(cat, assign, topic, since, as_of, top: int = 3) -> dict[int, list[str]]:
    data = vote_data(cat)
    mask = row_mask(data, topic=topic, since=since, as_of=as_of)
    if not mask.any():
        return {}
    cols = [data.col_of[p] for p in assign["party"]]
    codes = data.codes[mask][:, cols].astype(np.float64)
    ids = data.resolutions["id"][mask].to_numpy()
    out = {}
    labels = assign["bloc"].to_numpy()
    for b in sorted(set(labels)):
        inside, outside = codes[:, labels == b], codes[:, labels != b]
        if not outside.shape[1]:
            continue
        with np.errstate(invalid="ignore"), _quiet():
            gap = np.abs(np.nanmean(inside, axis=1) - np.nanmean(outside, axis=1))
        order = np.argsort(-np.nan_to_num(gap))[:top]
        out[int(b)] = [
            f"{ids[i]} ({np.nanmean(inside[i]):.2f} vs {np.nanmean(outside[i]):.2f})"
            for i in order
            if np.isfinite(gap[i])
        ]
    return out


@contextlib.contextmanager
def _quiet():
    """Silence numpy's 'mean of empty slice' (an all-missing row is expected and gives NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _defining_instruments(cat, assign, as_of, top: int = 5) -> dict[int, list[str]]:
    if cat.adoptions.empty:
        return {}
    st = cat.status(to_date(as_of, end=True) if as_of else None)
    st = st[st["status"].map(STATUS_WEIGHT).fillna(0) >= 0.8]
    adopted = st.groupby("instrument_id")["party_code"].apply(set).to_dict()
    out = {}
    labels = dict(zip(assign["party"], assign["bloc"], strict=True))
    for b in sorted(set(labels.values())):
        inside = {p for p, x in labels.items() if x == b}
        outside = set(labels) - inside
        scores = []
        for inst, who in adopted.items():
            share_in = len(who & inside) / len(inside)
            share_out = len(who & outside) / len(outside) if outside else 0.0
            if share_in - share_out > 0.2:
                scores.append((share_in - share_out, inst, share_in, share_out))
        scores.sort(reverse=True)
        out[int(b)] = [f"{inst} ({si:.0%} vs {so:.0%})" for _d, inst, si, so in scores[:top]]
    return out


# --------------------------------------------------------------------------- axis


def axis(
    cat: Catalogue, *, topic="cyber", since=None, as_of=None, n_boot: int = 200, seed: int = 0, min_votes: int = 5
) -> pd.DataFrame:
    """Open (+) vs sovereign (-) position of every party, with a bootstrap standard error.

    The position is the first principal component of the party x resolution matrix of
    contested votes (``topic``, default cyber; missing votes imputed with the resolution mean),
    scaled to unit standard deviation. Its sign is anchored so that adopters of instruments
    with stance "open" (e.g. the DFI) sit on the positive side when adoption data exists;
    otherwise so that the USA is positive (and Russia negative). The uncertainty resamples the
    resolutions (``n_boot`` times) and re-anchors each replicate to the full solution; parties
    with fewer than ``min_votes`` votes are returned with NaN and their count.
    """
    data = vote_data(cat)
    mask = row_mask(data, topic=topic, since=since, as_of=as_of)
    x = data.codes[mask].astype(np.float64)
    with np.errstate(invalid="ignore"), _quiet():
        keep_rows = np.nanstd(x, axis=1) > 0.1
    x = x[keep_rows]
    n_votes = (~np.isnan(x)).sum(axis=0)
    ok = n_votes >= min_votes
    cols = ["position", "se", "low", "high", "n_votes", "anchor"]
    out = pd.DataFrame(index=pd.Index(data.parties, name="party"), columns=cols)
    out["n_votes"] = n_votes
    if ok.sum() < 3 or len(x) < 2:
        out[["position", "se", "low", "high"]] = np.nan
        out["anchor"] = f"not enough evidence: {int(len(x))} contested votes"
        return out.astype({"n_votes": int})
    sub = x[:, ok]
    anchor_vec, anchor_text = _anchor(cat, [p for p, f in zip(data.parties, ok, strict=True) if f], as_of)

    def pc1(m):
        with _quiet():
            m = m - np.nanmean(m, axis=1, keepdims=True)
        m = np.nan_to_num(m)
        _u, _s, vt = np.linalg.svd(m, full_matrices=False)
        v = vt[0]
        return (v - v.mean()) / (v.std() + 1e-12)

    with single_thread():
        full = pc1(sub)
        if np.dot(full, anchor_vec) < 0:
            full = -full
        rng = np.random.default_rng(seed)
        boots = []
        for _ in range(n_boot):
            b = pc1(sub[rng.integers(0, len(sub), len(sub))])
            boots.append(b if np.dot(b, full) >= 0 else -b)
    boots = np.array(boots)
    out.loc[ok, "position"] = full
    out.loc[ok, "se"] = boots.std(axis=0)
    out.loc[ok, "low"] = np.percentile(boots, 5, axis=0)
    out.loc[ok, "high"] = np.percentile(boots, 95, axis=0)
    out["anchor"] = anchor_text
    out[["position", "se", "low", "high"]] = out[["position", "se", "low", "high"]].astype(float)
    out.attrs.update(topic=topic, contested_votes=int(len(sub)), anchor=anchor_text)
    return out.astype({"n_votes": int}).sort_values("position", ascending=False)


def _anchor(cat, parties, as_of) -> tuple[np.ndarray, str]:
    vec = np.zeros(len(parties))
    if not cat.adoptions.empty and "stance" in cat.instruments:
        st = cat.status(to_date(as_of, end=True) if as_of else None)
        stance = dict(zip(cat.instruments["id"], cat.instruments["stance"], strict=True))
        st = st[st["adopted"]]
        sign = (
            st["instrument_id"]
            .map({i: 1 if s == "open" else -1 if s == "sovereign" else 0 for i, s in stance.items()})
            .fillna(0)
        )
        per = sign.groupby(st["party_code"]).sum()
        vec = np.array([per.get(p, 0.0) for p in parties], dtype=float)
        if np.abs(vec).sum() > 0:
            return vec - vec.mean(), "adopters of open-stance instruments positive"
    for code, s in (("USA", 1.0), ("RUS", -1.0)):
        if code in parties:
            vec[parties.index(code)] = s
    return vec, "USA positive / RUS negative"


# --------------------------------------------------------------------------- swing states


def _mean(values) -> float:
    arr = np.asarray(values, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if len(arr) else np.nan


def _session(res_id: str) -> str:
    parts = str(res_id).split("/")
    return parts[2] if len(parts) > 3 else ""


def swing_states(cat: Catalogue, *, as_of=None, min_reasons: int = 1, predict: bool = True) -> pd.DataFrame:
    """Parties that could go either way on cyber votes, each with its reasons.

    Reasons: (1) yes on both rival drafts of one session (the OEWG and the GGE/PoA texts);
    (2) changed vote between consecutive votes of the same cyber series; (3) between blocs:
    its mean kappa with its own hierarchical bloc barely exceeds that with another bloc;
    (4) an uncertain predicted vote (top probability < 0.6) on the next vote of a series.
    """
    data = vote_data(cat)
    mask = row_mask(data, topic="cyber", as_of=as_of)
    meta = data.resolutions[mask]
    rows = np.flatnonzero(mask)
    reasons: dict[str, list[str]] = {}
    weight: dict[str, float] = {}

    def add(p, text, w=1.0):
        reasons.setdefault(p, []).append(text)
        weight[p] = weight.get(p, 0.0) + w

    series = meta["series"].to_numpy()
    sessions = np.array([_session(i) for i in meta["id"]])
    ids = meta["id"].to_numpy()
    rival: dict[str, list[str]] = {}
    for s in sorted(set(sessions)):
        a = [r for r, ss, se in zip(rows, sessions, series, strict=True) if ss == s and se == RIVAL_SERIES[0]]
        b = [r for r, ss, se in zip(rows, sessions, series, strict=True) if ss == s and se == RIVAL_SERIES[1]]
        for ra in a:
            for rb in b:
                both = (data.classes[ra] == 2) & (data.classes[rb] == 2)
                ya, yb = data.classes[ra] == 0, data.classes[rb] == 0
                if not (ya.any() or yb.any()):
                    continue  # not rival in practice: nobody voted no
                for j in np.flatnonzero(both):
                    rival.setdefault(data.parties[j], []).append(
                        f"{data.resolutions['id'].iloc[ra]} + {data.resolutions['id'].iloc[rb]}"
                    )
    for p, pairs in rival.items():
        add(p, f"yes on both rival drafts ({len(pairs)} sessions): {'; '.join(pairs)}", 1.0 + 0.25 * (len(pairs) - 1))
    changes: dict[str, list[str]] = {}
    for s in sorted(set(series) - {""}):
        srows = [r for r, se in zip(rows, series, strict=True) if se == s]
        for r0, r1 in zip(srows, srows[1:], strict=False):
            c0, c1 = data.classes[r0], data.classes[r1]
            changed = (c0 >= 0) & (c1 >= 0) & (c0 != c1)
            names = ("no", "abstain", "yes")
            for j in np.flatnonzero(changed):
                changes.setdefault(data.parties[j], []).append(
                    f"{s}: {names[c0[j]]} on {data.resolutions['id'].iloc[r0]} -> "
                    f"{names[c1[j]]} on {data.resolutions['id'].iloc[r1]}"
                )
    for p, items in changes.items():
        add(p, f"changed vote between sessions ({len(items)}): {'; '.join(items)}", 0.5 + 0.25 * (len(items) - 1))
    try:
        res = blocs(cat, method="hierarchical", basis="votes", topic="cyber", as_of=as_of)
        score = alignment_tables(cat, as_of=as_of, topic="cyber", min_votes=5).kappa
        lab = dict(zip(res.assignments["party"], res.assignments["bloc"], strict=True))
        placed = list(lab)
        kappa = score.reindex(index=placed, columns=placed).to_numpy(dtype=np.float64)
        bloc_of = np.array([lab[q] for q in placed])
        for i, (p, b) in enumerate(lab.items()):
            others_in = {
                bb: np.flatnonzero((bloc_of == bb) & (np.arange(len(placed)) != i)) for bb in set(lab.values())
            }
            means = {bb: _mean(kappa[i, cols]) for bb, cols in others_in.items()}
            own = means.get(b)
            others = {bb: m for bb, m in means.items() if bb != b and np.isfinite(m)}
            if own is not None and np.isfinite(own) and others:
                bb, m = max(others.items(), key=lambda kv: kv[1])
                if own - m < 0.15:
                    add(p, f"between blocs: kappa {own:.2f} with its bloc {b}, {m:.2f} with bloc {bb}", 1.5)
    except ValueError:
        pass
    if predict:
        from tracker.analytics.predict import context, predict_core

        limit = to_date(as_of, end=True) if as_of else None
        for s in RIVAL_SERIES + ("cybercrime",):
            if not (series == s).any():
                continue
            when = limit or (max(data.resolutions["date"]) + pd.Timedelta(days=1))
            ctx = context(cat, s, when)
            prob, parties, _info = predict_core(cat, ctx, {})
            top = prob.max(axis=1)
            for j in np.flatnonzero(top < 0.6):
                if (data.classes[ctx.hist, j] >= 0).any():
                    add(parties[j], f"uncertain predicted vote on the next {s} resolution (top p={top[j]:.2f})")
    members = set(cat.parties.loc[cat.parties["un_member"], "code"]) or set(cat.parties["code"])
    out = pd.DataFrame(
        [
            {"party": p, "name": cat.party_name(p), "score": round(weight[p], 2), "reasons": r}
            for p, r in reasons.items()
            if p in members and len(r) >= min_reasons
        ],
        columns=["party", "name", "score", "reasons"],
    )
    if len(ids) == 0:
        out.attrs["note"] = "not enough evidence: 0 cyber votes in the window"
    return out.sort_values(["score", "party"], ascending=[False, True]).reset_index(drop=True)
