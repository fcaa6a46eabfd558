"""Voting blocs, how far they hold up, and the open-vs-sovereign axis.

Blocs come from the chance-corrected alignment of the configuration's window (``basis`` votes,
adoptions or combined; ``tracker.analytics.config`` says why the defaults are what they are):

- ``hierarchical``: average-linkage clustering on the distance 1 - kappa;
- ``louvain``: networkx Louvain communities on the graph of each party's 15 strongest
  positive-kappa partners, swept over resolutions 0.5..2.0 with a fixed seed; the partition
  with the best modularity among those with >= 2 blocs wins and the sweep is reported. Parties
  with no positive agreement with anyone are ``unaligned`` rather than singleton blocs.

**Stability.** The votes (and, for adoptions, the instruments) are resampled with replacement
``n_boot`` times (Louvain: at most 10, to stay within the 1 s budget) and the blocs recomputed
on each resample. Each bloc's stability is its mean
Jaccard with the best-matching bloc of each resample (Hennig 2007: >= 0.75 stable, < 0.5
dissolved); each member's placement is its co-assignment: the share of resamples that put it
with the other members of its bloc (mean over them); below ``placement`` it is uncertain.
With ``n_blocs=None`` (hierarchical) the number of blocs is the largest of 2..6 whose every
bloc is stable and has at least 3 members (falling back to 2 with a note when none is); without resamples, the best mean
silhouette.

**Labels** say what defines a bloc: its usual vote on each contested cyber series in the
window ("no on the OEWG texts, yes on the GGE/PoA texts") and who it is around (its best-known
members and the group most of whose members it holds).

Swing states and bloc events live in ``tracker.analytics.swing``.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from tracker.analytics._blas import single_thread
from tracker.analytics.agreement import pair_stats
from tracker.analytics.alignment import (
    ADOPTED_WEIGHT,
    MIN_INSTRUMENTS,
    STATUS_WEIGHT,
    adoption_levels,
    adoption_scores,
    alignment_tables,
    combine_scores,
)
from tracker.analytics.config import METHODS, STABLE_JACCARD, UNSET, AnalysisConfig, resolve
from tracker.analytics.votes import row_mask, vote_data
from tracker.catalogue import Catalogue
from tracker.catalogue.scope import group_label, member_codes
from tracker.dates import to_date
from tracker.errors import InvalidInput

__all__ = ["METHODS", "BlocResult", "adjusted_rand", "axis", "blocs", "contested_rows"]  # METHODS: for the UI
SWEEP = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
TOP_EDGES = 15
AUTO_BLOCS = range(2, 7)
LOUVAIN_BOOT = 10  # Louvain resamples at most this often: each costs ~40 ms, and blocs have 1 s
MIN_BLOC = 3  # the automatic number of blocs never makes a bloc of one or two parties
CONTESTED_SHARE = 0.95  # a vote is contested when its majority choice has less than 95% of the votes cast
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
SERIES_TEXT = {"oewg": "the OEWG texts", "gge-poa": "the GGE/PoA texts", "cybercrime": "the cybercrime texts"}
CLASS_NAMES = ("no", "abstain", "yes")


@dataclass
class BlocResult:
    method: str
    basis: str
    assignments: pd.DataFrame  # party, name, bloc, placement, uncertain
    blocs: pd.DataFrame  # bloc, label, size, cohesion, stability, members, uncertain_members, defined_by, ...
    between: pd.DataFrame  # bloc x bloc mean kappa
    excluded: list[str]
    details: dict = field(default_factory=dict)
    config: AnalysisConfig | None = None

    def members(self) -> dict[int, list[str]]:
        """Bloc number -> its members (codes): every bloc, for export."""
        return {int(r.bloc): list(r.members) for r in self.blocs.itertuples()}

    def bloc_of(self, party: str) -> int | None:
        hit = self.assignments.loc[self.assignments["party"] == party, "bloc"]
        return int(hit.iloc[0]) if len(hit) else None

    def to_dict(self) -> dict:
        def clean(x):
            if isinstance(x, (np.floating, float)):
                return None if np.isnan(x) else round(float(x), 4)
            if isinstance(x, np.integer):
                return int(x)
            return x

        return {
            "method": self.method,
            "basis": self.basis,
            "config": self.config.describe() if self.config else None,
            "details": self.details,
            "excluded": self.excluded,
            "blocs": [{k: clean(v) for k, v in r.items()} for r in self.blocs.to_dict("records")],
            "assignments": [{k: clean(v) for k, v in r.items()} for r in self.assignments.to_dict("records")],
            "between": {
                str(i): {str(j): clean(float(v)) for j, v in row.items()} for i, row in self.between.iterrows()
            },
        }


# --------------------------------------------------------------------------- scores and resamples


class _Scores:
    """The party x party score of the window, on all the evidence or on a resample of it."""

    def __init__(self, cat: Catalogue, cfg: AnalysisConfig):
        self.cfg = cfg
        data = vote_data(cat)
        self.parties = list(data.parties)
        mask = row_mask(data, topic=cfg.topic, since=cfg.since, as_of=cfg.as_of)
        self.classes = data.classes[mask] if cfg.basis in ("votes", "combined") else None
        self.levels = None
        if cfg.basis in ("adoptions", "combined"):
            self.levels = adoption_levels(
                cat, as_of=to_date(cfg.as_of, end=True) if cfg.as_of else None, parties=self.parties
            )
        t = alignment_tables(cat, as_of=cfg.as_of, topic=cfg.topic, since=cfg.since, min_votes=cfg.min_votes)
        self.tables = t
        self.full = t.score(cfg.basis).to_numpy(dtype=np.float64)

    def resample(self, rng: np.random.Generator, cols: np.ndarray) -> np.ndarray:
        v_kappa = ad_kappa = None
        if self.classes is not None:
            rows, times = np.unique(rng.integers(0, len(self.classes), len(self.classes)), return_counts=True)
            st = pair_stats(self.classes[np.ix_(rows, cols)], (0.0, 0.5, 1.0), weights=times)
            v_kappa = np.where(st.n >= self.cfg.min_votes, st.kappa, np.nan)
        if self.cfg.basis in ("adoptions", "combined"):
            if self.levels is None:
                ad_kappa = np.full((len(cols), len(cols)), np.nan)
            else:
                idx, values = self.levels
                pick = rng.integers(0, len(idx), len(idx))
                ad_kappa = adoption_scores(idx[pick][:, cols], values, MIN_INSTRUMENTS)[0]
        # set by the basis: votes and combined have self.classes (so v_kappa), adoptions and combined ad_kappa
        if self.cfg.basis == "votes":
            return cast(np.ndarray, v_kappa)
        if self.cfg.basis == "adoptions":
            return cast(np.ndarray, ad_kappa)
        # the norm signal (14 norms) is not resampled: it enters every resample as computed
        return combine_scores(
            cast(np.ndarray, v_kappa),
            cast(np.ndarray, ad_kappa),
            n_kappa=self.tables.norm_score.to_numpy()[np.ix_(cols, cols)],
        )


def _distance(score: np.ndarray) -> np.ndarray:
    kap = np.where(np.isnan(score), 0.0, score)
    dist = np.clip(1 - kap, 0, 2)
    dist = (dist + dist.T) / 2
    np.fill_diagonal(dist, 0)
    return dist


def _linkage(score: np.ndarray):
    from scipy.cluster.hierarchy import linkage  # imported when used: scipy takes ~0.3 s
    from scipy.spatial.distance import squareform

    return linkage(squareform(_distance(score), checks=False), method="average")


def _cut(z, k: int) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster

    return fcluster(z, t=k, criterion="maxclust")


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


def adjusted_rand(a, b) -> float:
    """Adjusted Rand index of two partitions of the same items (1 identical, ~0 chance)."""
    from scipy.special import comb

    _, ai = np.unique(np.asarray(a), return_inverse=True)
    _, bi = np.unique(np.asarray(b), return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(table, (ai, bi), 1)
    pairs = comb(table, 2).sum()
    rows, cols, total = comb(table.sum(1), 2).sum(), comb(table.sum(0), 2).sum(), comb(len(ai), 2)
    expected = rows * cols / total if total else 0.0
    top = (rows + cols) / 2
    return 1.0 if top == expected else float((pairs - expected) / (top - expected))


def _jaccards(labels: np.ndarray, other: np.ndarray) -> np.ndarray:
    """For each bloc of ``labels`` (sorted ids), its best Jaccard with a cluster of ``other``."""
    out = []
    for b in np.unique(labels):
        inside = labels == b
        out.append(max((inside & (other == c)).sum() / (inside | (other == c)).sum() for c in np.unique(other)))
    return np.array(out)


def _louvain_graph(score: np.ndarray, idx: list):
    import networkx as nx  # imported when used: ~0.3 s

    g = nx.Graph()
    g.add_nodes_from(idx)
    pos = np.where(np.isfinite(score) & (score > 0), score, 0.0)
    np.fill_diagonal(pos, 0.0)
    k = min(TOP_EDGES, len(idx) - 1)
    top = np.argpartition(-pos, k - 1, axis=1)[:, :k] if k > 0 else np.zeros((len(idx), 0), int)
    for i, row in enumerate(top):
        for j in row:
            if pos[i, j] > 0:
                g.add_edge(idx[i], idx[j], weight=float(pos[i, j]))
    return g


def _louvain_labels(g, resolution: float, seed: int, order: list) -> np.ndarray:
    import networkx as nx

    comms = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    of = {p: b + 1 for b, c in enumerate(sorted(comms, key=len, reverse=True)) for p in c}
    # a party isolated in a resample is a cluster of its own
    return np.array([of.get(p, -(i + 1)) for i, p in enumerate(order)])


def _louvain(score: np.ndarray, parties: list[str], seed: int, resolution: float | None):
    import networkx as nx

    g = _louvain_graph(score, parties)
    isolated = [n for n in g.nodes if g.degree(n) == 0]
    g.remove_nodes_from(isolated)
    if g.number_of_nodes() < 3:
        raise InvalidInput(
            f"not enough evidence for blocs: {g.number_of_nodes()} parties with positive agreement with anyone"
        )
    sweep, best = [], None
    for r in [resolution] if resolution else SWEEP:
        comms = nx.community.louvain_communities(g, weight="weight", resolution=r, seed=seed)
        q = nx.community.modularity(g, comms, weight="weight") if g.number_of_edges() else 0.0
        sweep.append({"resolution": r, "blocs": len(comms), "modularity": round(q, 4)})
        if (len(comms) >= 2 or best is None) and (best is None or q > best[0] or len(best[1]) < 2):
            best = (q, comms, r)
    assert best is not None  # the first pass sets it, and there is always one (SWEEP is not empty)
    of = {p: b + 1 for b, c in enumerate(sorted(best[1], key=len, reverse=True)) for p in c}
    labels = np.array([of.get(p, 0) for p in parties])
    details = {"resolution": best[2], "sweep": sweep, "graph": f"top {TOP_EDGES} positive-kappa partners per party"}
    return labels, details, isolated


# --------------------------------------------------------------------------- blocs


def blocs(
    cat: Catalogue,
    method=UNSET,
    basis=UNSET,
    *,
    config: AnalysisConfig | None = None,
    topic=UNSET,
    since=UNSET,
    as_of=UNSET,
    k=UNSET,
    resolution: float | None = None,
    seed=UNSET,
    min_votes=UNSET,
    n_boot=UNSET,
) -> BlocResult:
    """Voting blocs with their stability (see the module docstring).

    ``config`` (default ``AnalysisConfig()``) gives every setting; a keyword given here
    overrides it (``k`` is ``n_blocs``). Every bloc is in the result with its members.
    """
    cfg = resolve(
        config,
        method=method,
        basis=basis,
        topic=topic,
        since=since,
        as_of=as_of,
        n_blocs=k,
        seed=seed,
        min_votes=min_votes,
        n_boot=n_boot,
    )
    with single_thread():
        scores = _Scores(cat, cfg)
        full = scores.full
        counts = np.isfinite(full).sum(axis=1)
        keep = counts >= max(2, int(0.5 * len(full)))
        parties = [p for p, f in zip(scores.parties, keep, strict=True) if f]
        excluded = sorted(p for p, f in zip(scores.parties, keep, strict=True) if not f)
        cols = np.flatnonzero(keep)
        score = full[np.ix_(cols, cols)]
        if len(parties) < 3:
            raise InvalidInput(
                f"not enough evidence for blocs: {len(parties)} parties with enough "
                f"{'co-votes' if cfg.basis == 'votes' else 'evidence'} ({cfg.describe()})"
            )
        rng = np.random.default_rng(cfg.seed)
        details: dict = {"unaligned": []}
        if cfg.method == "hierarchical":
            labels, boot, info = _hierarchical(score, scores, cols, cfg, rng)
        else:
            labels, info, unaligned = _louvain(score, parties, cfg.seed, resolution)
            placed = labels > 0
            details["unaligned"] = sorted(unaligned)
            score, cols = score[np.ix_(placed, placed)], cols[placed]
            parties = [p for p, f in zip(parties, placed, strict=True) if f]
            labels = labels[placed]
            boot = _louvain_resamples(scores, cols, parties, cfg, rng, resolution or info["resolution"])
        details.update(info)
    # renumber blocs by size, largest first
    order = pd.Series(labels).value_counts().index.tolist()
    remap = {old: new + 1 for new, old in enumerate(order)}
    labels = np.array([remap[x] for x in labels])
    stability, placement, ari = _stability(labels, boot)
    details.update(
        topic=cfg.topic,
        since=cfg.since,
        as_of=cfg.as_of,
        parties=len(parties),
        resamples=len(boot),
        partition_ari=None if ari is None else round(ari, 4),
        weights=scores.tables.settings["weights"] if cfg.basis == "combined" else None,
        adoption_data=scores.tables.settings["adoption_data"],
        config=cfg.describe(),
    )
    assign = pd.DataFrame(
        {
            "party": parties,
            "name": [cat.party_name(p) for p in parties],
            "bloc": labels,
            "placement": placement,
            "uncertain": placement < cfg.placement,
        }
    )
    between = _between(score, labels)
    table = _bloc_table(cat, cfg, assign, score, between, stability)
    return BlocResult(cfg.method, cfg.basis, assign, table, between, excluded, details, cfg)


def _hierarchical(score, scores: _Scores, cols, cfg: AnalysisConfig, rng):
    z = _linkage(score)
    n = len(score)
    ks = [cfg.n_blocs] if cfg.n_blocs else [k for k in AUTO_BLOCS if k < n]
    ks = ks or [2]
    full = {k: _cut(z, k) for k in ks}
    boot: dict[int, list[np.ndarray]] = {k: [] for k in ks}
    for _ in range(cfg.n_boot):
        zb = _linkage(scores.resample(rng, cols))
        for k in ks:
            boot[k].append(_cut(zb, k))
    info: dict = {}
    if cfg.n_blocs:
        chosen = cfg.n_blocs
        info["k_rule"] = "given"
    elif cfg.n_boot:
        mins = {k: float(np.mean([_jaccards(full[k], b) for b in boot[k]], axis=0).min()) for k in ks}
        info["min_bloc_stability"] = {int(k): round(v, 4) for k, v in mins.items()}
        stable = [
            k
            for k in ks
            if mins[k] >= STABLE_JACCARD
            and len(np.unique(full[k])) == k
            and np.bincount(full[k]).max() < len(score)
            and np.bincount(full[k])[1:].min() >= MIN_BLOC
        ]
        chosen = max(stable) if stable else ks[0]
        info["k_rule"] = (
            f"largest number of blocs (of {ks[0]}..{ks[-1]}) whose every bloc has stability >= {STABLE_JACCARD} "
            f"and >= {MIN_BLOC} members"
            if stable
            else f"no number of blocs is stable (every bloc >= {STABLE_JACCARD}): showing {chosen}"
        )
    else:
        dist = _distance(score)
        sil = {k: _silhouette(dist, full[k]) for k in ks}
        info["silhouette"] = {int(k): round(v, 4) for k, v in sil.items()}
        chosen = max(sil, key=lambda k: sil[k])
        info["k_rule"] = "best mean silhouette (no resamples)"
    info["k"] = int(chosen)
    return full[chosen], boot[chosen], info


def _louvain_resamples(scores: _Scores, cols, parties, cfg: AnalysisConfig, rng, resolution: float) -> list:
    out = []
    for _ in range(min(cfg.n_boot, LOUVAIN_BOOT)):
        g = _louvain_graph(scores.resample(rng, cols), parties)
        out.append(_louvain_labels(g, resolution, cfg.seed, parties))
    return out


def _stability(labels: np.ndarray, boot: list[np.ndarray]):
    """(bloc -> mean Jaccard, per-party co-assignment, mean ARI) over the resamples."""
    ids = np.unique(labels)
    if not boot:
        return {int(b): np.nan for b in ids}, np.full(len(labels), np.nan), None
    jac = np.mean([_jaccards(labels, b) for b in boot], axis=0)
    same = np.zeros((len(labels), len(labels)))
    for b in boot:
        same += b[:, None] == b[None, :]
    same /= len(boot)
    placement = np.full(len(labels), np.nan)
    for i, b in enumerate(labels):
        mates = np.flatnonzero(labels == b)
        mates = mates[mates != i]
        if len(mates):
            placement[i] = same[i, mates].mean()
    ari = float(np.mean([adjusted_rand(labels, b) for b in boot]))
    return dict(zip((int(b) for b in ids), jac.tolist(), strict=True)), placement, ari


def _between(score: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    ids = sorted(set(labels.tolist()))
    between = pd.DataFrame(index=pd.Index(ids, name="bloc"), columns=pd.Index(ids, name="other"), dtype=float)
    for a in ids:
        for b in ids:
            sub = score[np.ix_(labels == a, labels == b)]
            if a == b:
                sub = sub[~np.eye(len(sub), dtype=bool)]
            between.loc[a, b] = _mean(sub.ravel())
    return between


def _bloc_table(cat, cfg, assign, score, between, stability) -> pd.DataFrame:
    labels = assign["bloc"].to_numpy()
    stance = _stances(cat, cfg, assign)
    defining_votes = _defining_votes(cat, assign, cfg)
    defining_inst = _defining_instruments(cat, assign, cfg.as_of)
    anchors = _anchors(cat, cfg, assign, score)
    rows = []
    for b in sorted(set(labels.tolist())):
        members = assign.loc[labels == b, "party"].tolist()
        unsure = assign[(labels == b) & assign["uncertain"]].sort_values("placement")
        around = anchors.get(b, "")
        defined = stance.get(b, "")
        if defined and around:
            label = f"{defined}; around {around}"
        else:
            label = defined or f"bloc of {len(members)} around {around}"
        rows.append(
            {
                "bloc": int(b),
                "label": label,
                "size": len(members),
                "cohesion": float(between.loc[b, b]) if len(members) > 1 else np.nan,
                "stability": stability.get(int(b), np.nan),
                "members": members,
                "uncertain_members": unsure["party"].tolist(),
                "defined_by": defined,
                "around": around,
                "defining_instruments": defining_inst.get(b, []),
                "defining_votes": defining_votes.get(b, []),
            }
        )
    return pd.DataFrame(rows)


def contested_rows(data, *, since=None, as_of=None, topic="cyber") -> np.ndarray:
    """Row numbers of the contested votes (majority < 95% of votes cast) in the window."""
    rows = np.flatnonzero(row_mask(data, topic=topic, since=since, as_of=as_of))
    keep = []
    for r in rows:
        cast = np.bincount(data.classes[r][data.classes[r] >= 0], minlength=3)
        if cast.sum() and cast.max() / cast.sum() < CONTESTED_SHARE:
            keep.append(r)
    return np.array(keep, dtype=np.int64)


def _stances(cat, cfg, assign) -> dict[int, str]:
    """Bloc -> its usual vote on each contested cyber series of the window."""
    data = vote_data(cat)
    rows = contested_rows(data, since=cfg.since, as_of=cfg.as_of)
    if not len(rows):
        return {}
    series = data.resolutions["series"].to_numpy()[rows]
    cols = np.array([data.col_of[p] for p in assign["party"]])
    labels = assign["bloc"].to_numpy()
    out = {}
    for b in sorted(set(labels.tolist())):
        parts = []
        for s, text in SERIES_TEXT.items():
            v = data.classes[np.ix_(rows[series == s], cols[labels == b])].ravel()
            v = v[v >= 0]
            if not len(v):
                continue
            share = np.bincount(v, minlength=3) / len(v)
            top = int(share.argmax())
            word = CLASS_NAMES[top]
            parts.append(
                f"{word} on {text}"
                if share[top] >= 0.75
                else f"mostly {word} on {text}"
                if share[top] >= 0.5
                else f"split on {text}"
            )
        out[b] = ", ".join(parts)
    return out


def _group_sets(cat, on) -> dict[str, set[str]]:
    """Groups of at least 5 members on a date -> their members (kept on the catalogue)."""

    def compute():
        sets = {gid: set(member_codes(cat, gid, on)) for gid in cat.groups["id"]}
        return {gid: m for gid, m in sets.items() if len(m) >= 5}

    return cat.memo(("analytics.group_sets", on), compute, uses=("groups", "group_members"))


def _anchors(cat, cfg, assign, score) -> dict[int, str]:
    """Bloc -> "United States, Germany; European Union (EU, 27 of 27)": who the bloc is around."""
    labels = assign["bloc"].to_numpy()
    parties = assign["party"].tolist()
    group_sets = _group_sets(cat, to_date(cfg.as_of, end=True) if cfg.as_of else None)
    out = {}
    for b in sorted(set(labels.tolist())):
        inside = labels == b
        members = [p for p, f in zip(parties, inside, strict=True) if f]
        sub = score[np.ix_(inside, inside)]
        with _quiet():
            central = np.nanmean(np.where(np.eye(len(sub), dtype=bool), np.nan, sub), axis=1)
        central = np.nan_to_num(central, nan=-np.inf)
        rank = {p: c for p, c in zip(members, central, strict=True)}
        # the best-known members closest to the bloc's centre; else its most central member
        notable = sorted((p for p in NOTABLE if p in rank), key=lambda p: -rank[p])[:2]
        if not notable:
            notable = [members[int(np.argmax(central))]]
        names = [cat.party_name(p) for p in notable]
        best = None
        for gid, m in group_sets.items():
            share = len(m & set(members)) / len(m)
            key = (share, len(m))
            if share >= 0.8 and (best is None or key > best[0]):
                best = (key, gid, len(m & set(members)), len(m))
        text = ", ".join(names)
        if best:
            text += f"; {group_label(cat, best[1])}: {best[2]} of {best[3]}"
        out[b] = text
    return out


def _defining_votes(cat, assign, cfg, top: int = 3) -> dict[int, list[str]]:
    """Bloc -> the votes (contested cyber ones when the window has any) that set it apart."""
    data = vote_data(cat)
    rows = contested_rows(data, since=cfg.since, as_of=cfg.as_of)
    if not len(rows):
        rows = np.flatnonzero(row_mask(data, topic=cfg.topic, since=cfg.since, as_of=cfg.as_of))
    if not len(rows):
        return {}
    cols = np.asarray([data.col_of[p] for p in assign["party"]], dtype=np.intp)
    codes = data.codes[np.ix_(rows, cols)].astype(np.float64)
    ids = data.resolutions["id"].to_numpy()[rows]
    out = {}
    labels = assign["bloc"].to_numpy()
    for b in sorted(set(labels.tolist())):
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
    st = st[st["level"].map(STATUS_WEIGHT).fillna(0) >= ADOPTED_WEIGHT]
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


def _mean(values) -> float:
    arr = np.asarray(values, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if len(arr) else np.nan


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
    runs = np.array(boots)
    out.loc[ok, "position"] = full
    out.loc[ok, "se"] = runs.std(axis=0)
    out.loc[ok, "low"] = np.percentile(runs, 5, axis=0)
    out.loc[ok, "high"] = np.percentile(runs, 95, axis=0)
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
