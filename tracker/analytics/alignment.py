"""Alignment between parties: votes (raw agreement, Cohen's kappa, Scott's pi), adoptions and norms.

- **votes**: yes=1, abstain=0.5, no=0, absent = missing. Raw agreement counts an abstention
  against a yes or no as half an agreement (for display); the chance-corrected scores
  (Häge 2011) are for analysis: two states that vote yes on almost everything agree 95% of
  the time by circumstance, not choice.
- **adoptions**: each tracked instrument is an item and each party's commitment level on it
  (``cat.status(as_of)["level"]``, issue 14) a graded answer (``STATUS_WEIGHT``): bound 1.0;
  ratified but not yet in force, implemented as a national standard, or politically committed
  (endorsed, joined, sponsored) 0.8; signed 0.5; a seat in a standards body or observer
  status 0 (a standards body's seat is not a political commitment); withdrawn or no action 0.
  The same chance-corrected measure gives the adoption kappa; the weighted Jaccard of the
  portfolios and the number of shared instruments are reported beside it. A row whose date
  is unknown counts from the instrument's opening (``date_known`` False); the tables say how
  many such rows they used (``settings["undated_rows"]``).
- **norms**: each norm concept is an item and each party's strongest supporting rung of the
  evidence ladder (``tracker.norms.ladder``) a graded answer (``NORM_WEIGHT``): binding 1.0,
  national position 0.9, implementation 0.8, named commitment 0.7, consensus 0.3, none 0. The
  big step is between joining a collective consensus and any commitment made in the party's
  own name; the rungs above it differ in how strong the evidence is, not in what was committed
  to. Qualifying or rejecting evidence alone counts as none here (the norm page shows it
  beside the support). The **norm score** is the cosine of two parties' deviations from each
  norm's mean among UN members (-1..1 like kappa; 1 = committed above and below the usual
  level on the same norms, 0 = no more alike than chance, negative = on opposite sides). A
  plain kappa would reward the item effect every party shares (nearly all are bound by the
  ICCPR's due process and joined the GGE consensus), not a choice. A pair needs ``MIN_NORMS``
  norms on which either party's commitment differs from the most common one, and both some
  support, or the signal is not used: two parties holding only the commitments nearly everyone
  holds are alike by circumstance. The weighted Jaccard of the portfolios is reported beside it.
- **combined** = weighted mean of the signals a pair has (``COMBINED_WEIGHTS``: 0.5 x vote
  kappa + 0.3 x adoption kappa + 0.2 x norm score). Votes weigh most: hundreds of co-votes,
  each a choice made on the day. Adoption portfolios (about 60 instruments) come next. Norms
  weigh least: 14 concepts, eleven of them the GGE norms that most parties hold on the same
  consensus evidence, so they say less about a pair. A signal without enough evidence for a
  pair (fewer than ``min_votes`` co-votes; fewer than ``min_instruments`` instruments that
  either party adopted, or a party that adopted none; too few norms above consensus) is
  dropped and the others carry the pair, re-weighted; with none, the pair is NaN with its
  counts, never a silent zero. ``benchmarks/analytics_bench.py`` measures the cost and the
  next-adopters backtest with and without the norm signal.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from tracker.analytics._blas import single_thread
from tracker.analytics.agreement import pair_stats
from tracker.analytics.votes import CLASSES, row_mask, vote_data
from tracker.catalogue import Catalogue
from tracker.catalogue.scope import TIE, UnknownGroup, bloc_majority, member_codes, resolve_group
from tracker.dates import earliest, known_by, to_date
from tracker.errors import InvalidInput
from tracker.parties import PartyResolver

# What a commitment level (tracker.catalogue.status.LEVELS) counts for in an adoption portfolio.
STATUS_WEIGHT = {
    "bound": 1.0,
    "ratified_not_in_force": 0.8,  # consent to be bound given; the treaty does not yet bind it
    "implemented": 0.8,  # a national adoption of a standard
    "committed": 0.8,  # endorsed, joined or sponsored a political instrument
    "signed": 0.5,  # intent, not consent
    "participating": 0.0,  # a seat in a standards body or observer status: not a political commitment
    "withdrawn": 0.0,
}
LEVELS = (0.0, 0.5, 0.8, 1.0)  # the distinct portfolio values (no action = 0)
ADOPTED_WEIGHT = 0.8  # a level counting at least this much is "adopted" when a pair's instruments are listed
# What the strongest supporting rung of the norm evidence ladder counts for (tracker.norms).
NORM_WEIGHT = {1: 1.0, 2: 0.9, 3: 0.8, 4: 0.7, 5: 0.3}
NORM_VALUES = (0.0, 0.3, 0.7, 0.8, 0.9, 1.0)  # none recorded, consensus, named commitment ... binding
COMBINED_WEIGHTS = {"votes": 0.5, "adoptions": 0.3, "norms": 0.2}
BASES = ("combined", "votes", "adoptions", "norms")
SCORES = ("kappa", "pi", "agreement")
MIN_VOTES = 10
MIN_INSTRUMENTS = 3
MIN_NORMS = 3


def weights_text(weights=None) -> str:
    w = {**COMBINED_WEIGHTS, **(weights or {})}
    return (
        f"combined = {w['votes']:g} x vote kappa + {w['adoptions']:g} x adoption kappa + "
        f"{w['norms']:g} x norm score (a signal without enough evidence for a pair is dropped; "
        "the others carry it, re-weighted)"
    )


@dataclass
class AlignmentTables:
    """Every party x party table behind an alignment (same index and columns)."""

    parties: list[str]
    co_votes: pd.DataFrame
    agreement: pd.DataFrame
    kappa: pd.DataFrame
    pi: pd.DataFrame
    instruments_either: pd.DataFrame  # instruments adopted by at least one of the pair
    shared_instruments: pd.DataFrame  # adopted by both
    adoption_kappa: pd.DataFrame
    adoption_similarity: pd.DataFrame  # weighted Jaccard of the portfolios
    norms_either: pd.DataFrame  # norms on which at least one of the pair differs from the usual commitment
    norm_score: pd.DataFrame  # cosine of the deviations from each norm's mean (-1..1)
    norm_overlap: pd.DataFrame  # weighted Jaccard of the norm portfolios
    combined: pd.DataFrame
    settings: dict = field(default_factory=dict)

    def score(self, basis: str = "combined", score: str = "kappa") -> pd.DataFrame:
        if basis == "votes":
            out = {"kappa": self.kappa, "pi": self.pi, "agreement": self.agreement}[score]
        elif basis == "adoptions":
            out = self.adoption_kappa if score != "agreement" else self.adoption_similarity
        elif basis == "norms":
            out = self.norm_score if score != "agreement" else self.norm_overlap
        else:
            out = self.combined
        return out


def check_basis(basis: str) -> None:
    if basis not in BASES:
        raise InvalidInput(f"unknown basis {basis!r}; choose one of {', '.join(BASES)}")


def _portfolio_status(cat: Catalogue, as_of) -> pd.DataFrame | None:
    if cat.adoptions.empty:
        return None
    st = cat.status(as_of)
    return None if st.empty else st


def adoption_levels(cat: Catalogue, as_of=None, parties: list[str] | None = None):
    """(level indices instruments x parties, level values) for tracked instruments, or None.

    Each party's answer on an instrument is the weight of its commitment level (STATUS_WEIGHT)."""
    st = _portfolio_status(cat, as_of)
    if st is None:
        return None
    parties = parties or sorted(cat.parties["code"])
    tracked = sorted(set(cat.adoptions["instrument_id"]))
    row = {i: k for k, i in enumerate(tracked)}
    col = {p: k for k, p in enumerate(parties)}
    level = st["level"].map(STATUS_WEIGHT).fillna(0.0)
    idx = np.zeros((len(tracked), len(parties)), dtype=np.int8)  # no action: level 0
    lv = {v: k for k, v in enumerate(LEVELS)}
    for inst, party, w in zip(st["instrument_id"], st["party_code"], level, strict=True):
        if party in col and inst in row:
            idx[row[inst], col[party]] = lv[w]
    return idx, np.array(LEVELS)


def undated_rows(cat: Catalogue, as_of=None) -> dict[str, int]:
    """How many rows of the adoption portfolios (weight > 0) on ``as_of`` rest on an action
    without a known date (counted from the instrument's opening), and how many of those the
    sources only confirm after ``as_of`` (so they may not have been true yet)."""
    st = _portfolio_status(cat, as_of)
    if st is None:
        return {"undated_rows": 0, "undated_after_as_of": 0}
    used = st[(st["level"].map(STATUS_WEIGHT).fillna(0.0) > 0) & ~st["date_known"].astype(bool)]
    later = 0 if as_of is None else int((used["known_by"] > to_date(as_of, end=True)).sum())
    return {"undated_rows": len(used), "undated_after_as_of": later}


def norm_levels(cat: Catalogue, as_of=None, parties: list[str] | None = None):
    """(value indices norms x parties, NORM_VALUES) from the evidence ladder on ``as_of``, or None
    when the catalogue has no norm evidence. Index 0 = none recorded, 1 = consensus ... 5 = binding.
    Today or later is everything recorded (no evidence is dated in the future), so it shares the
    catalogue's memo of the evidence."""
    day = to_date(as_of, end=True) if as_of else None
    if day is not None and day >= date.today():
        day = None
    parties = parties or sorted(cat.parties["code"])

    def compute():
        from tracker import norms  # the ladder (and its evidence) is only built when a norm signal is asked for

        ids = norms.norm_ids(cat)
        if not ids:
            return None
        ev = norms.evidence(cat, as_of=day)
        ev = ev[ev["polarity"].eq("supports")]
        if ev.empty:
            return None
        lad = ev.groupby(["party_code", "norm_id"], as_index=False)["level"].min()  # the ladder's level
        row = {n: k for k, n in enumerate(ids)}
        col = {p: k for k, p in enumerate(parties)}
        idx = np.zeros((len(ids), len(parties)), dtype=np.int8)
        for norm, party, rung in zip(lad["norm_id"], lad["party_code"], lad["level"], strict=True):
            if party in col and norm in row:
                idx[row[norm], col[party]] = NORM_VALUES.index(NORM_WEIGHT[int(rung)])
        return idx, np.array(NORM_VALUES)

    key = ("analytics.norm_levels", day, hashlib.sha1("\n".join(parties).encode()).hexdigest())
    return cat.memo(key, compute)


def _jaccard(w: np.ndarray) -> np.ndarray:
    """Weighted Jaccard of every pair of columns of ``w`` (items x parties), NaN when both are empty."""
    num = np.minimum(w[:, :, None], w[:, None, :]).sum(axis=0)
    den = np.maximum(w[:, :, None], w[:, None, :]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def adoption_scores(idx: np.ndarray, values: np.ndarray, min_instruments: int = MIN_INSTRUMENTS):
    """(adoption kappa, weighted Jaccard, instruments adopted by either) for every pair of
    columns of ``idx`` (level indices, instruments x parties); NaN without enough evidence."""
    adopted = (values[idx] > 0).astype(np.float32)
    either = len(idx) - (1 - adopted).T @ (1 - adopted)
    st = pair_stats(idx, values)
    # a party that adopted nothing has no portfolio to compare: not enough evidence
    active = adopted.sum(axis=0) > 0
    usable = (either >= min_instruments) & active[:, None] & active[None, :]
    return np.where(usable, st.kappa, np.nan), np.where(usable, _jaccard(values[idx]), np.nan), either


def norm_scores(idx: np.ndarray, values: np.ndarray, reference: np.ndarray | None = None, min_norms: int = MIN_NORMS):
    """(norm score, weighted Jaccard, norms on which either differs from the usual commitment) for
    every pair of columns of ``idx`` (norm_levels); NaN without enough evidence. ``reference``:
    the columns (parties) whose mean and most common answer are "usual" (default: all)."""
    ref = np.ones(idx.shape[1], dtype=bool) if reference is None or not np.any(reference) else reference
    v = values[idx]
    dev = v - v[:, ref].mean(axis=1, keepdims=True)
    length = np.sqrt((dev**2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.clip((dev.T @ dev) / np.outer(length, length), -1.0, 1.0)
    usual = np.array([np.bincount(row[ref], minlength=len(values)).argmax() for row in idx])
    differs = (idx != usual[:, None]).astype(np.float32)
    either = len(idx) - (1 - differs).T @ (1 - differs)
    active = np.asarray((idx > 0).any(axis=0), dtype=bool)
    usable = (either >= min_norms) & active[:, None] & active[None, :] & (length[:, None] > 0) & (length[None, :] > 0)
    return np.where(usable, score, np.nan), np.where(usable, _jaccard(v), np.nan), either


def combine_scores(
    v_kappa: np.ndarray, ad_kappa: np.ndarray, weights: dict | None = None, n_kappa: np.ndarray | None = None
) -> np.ndarray:
    """The combined score: weighted mean of the signals a pair has (NaN with none)."""
    w = {**COMBINED_WEIGHTS, **(weights or {})}
    signals = [(v_kappa, w["votes"]), (ad_kappa, w["adoptions"])]
    if n_kappa is not None:
        signals.append((n_kappa, w["norms"]))
    num = np.zeros(np.shape(v_kappa))
    den = np.zeros(np.shape(v_kappa))
    for score, weight in signals:
        has = np.isfinite(score)
        num = num + np.where(has, weight * np.nan_to_num(score), 0)
        den = den + np.where(has, weight, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _vote_stats(cat: Catalogue, data, mask: np.ndarray):
    """Pairwise vote statistics for the selected rows, cached beside the vote matrix."""
    key = ("analytics.votestats", hashlib.sha1(np.packbits(mask).tobytes()).hexdigest())
    return cat.memo(key, lambda: pair_stats(data.classes[mask], (0.0, 0.5, 1.0)), uses=("votes", "resolutions"))


def _frame(a: np.ndarray, parties: list[str]) -> pd.DataFrame:
    return pd.DataFrame(a, index=pd.Index(parties, name="party"), columns=pd.Index(parties, name="other"))


def alignment_tables(
    cat: Catalogue,
    *,
    as_of=None,
    topic="all",
    since=None,
    min_votes: int = MIN_VOTES,
    min_instruments: int = MIN_INSTRUMENTS,
    weights: dict | None = None,
) -> AlignmentTables:
    """All party x party tables (votes, adoptions, norms) for the window ``since``..``as_of``."""
    weights = {**COMBINED_WEIGHTS, **(weights or {})}
    data = vote_data(cat)
    parties = list(data.parties)
    mask = row_mask(data, topic=topic, since=since, as_of=as_of)
    day = to_date(as_of, end=True) if as_of else None
    n_p = len(parties)
    with single_thread():
        votes = _vote_stats(cat, data, mask)
        levels = adoption_levels(cat, as_of=day, parties=parties)
        if levels is not None:
            idx, values = levels
            adopted = (values[idx] > 0).astype(np.float32)
            shared = adopted.T @ adopted
            ad_kappa, jacc, either = adoption_scores(idx, values, min_instruments)
        else:
            either = shared = np.zeros((n_p, n_p))
            ad_kappa = jacc = np.full((n_p, n_p), np.nan)
        commitments = norm_levels(cat, as_of=day, parties=parties)
        if commitments is not None:
            un = set(cat.parties.loc[cat.parties["un_member"], "code"])
            n_idx, n_values = commitments
            n_kappa, n_jacc, n_either = norm_scores(n_idx, n_values, np.array([p in un for p in parties]))
        else:
            n_either = np.zeros((n_p, n_p))
            n_kappa = n_jacc = np.full((n_p, n_p), np.nan)
    enough = votes.n >= min_votes
    v_kappa = np.where(enough, votes.kappa, np.nan)
    combined = combine_scores(v_kappa, ad_kappa, weights, n_kappa)
    settings = {
        "topic": topic,
        "since": str(since) if since else None,
        "as_of": str(as_of) if as_of else None,
        "resolutions": int(mask.sum()),
        "min_votes": min_votes,
        "min_instruments": min_instruments,
        "min_norms": MIN_NORMS,
        "weights": weights_text(weights),
        "adoption_data": levels is not None,
        "norm_data": commitments is not None,
        **undated_rows(cat, day),
    }
    return AlignmentTables(
        parties=parties,
        co_votes=_frame(votes.n, parties),
        agreement=_frame(np.where(enough, votes.agreement, np.nan), parties),
        kappa=_frame(v_kappa, parties),
        pi=_frame(np.where(enough, votes.pi, np.nan), parties),
        instruments_either=_frame(np.asarray(either, dtype=np.int64), parties),
        shared_instruments=_frame(np.asarray(shared, dtype=np.int64), parties),
        adoption_kappa=_frame(ad_kappa, parties),
        adoption_similarity=_frame(jacc, parties),
        norms_either=_frame(np.asarray(n_either, dtype=np.int64), parties),
        norm_score=_frame(n_kappa, parties),
        norm_overlap=_frame(n_jacc, parties),
        combined=_frame(combined, parties),
        settings=settings,
    )


def alignment(
    cat: Catalogue,
    basis: str = "combined",
    as_of=None,
    topic="all",
    since=None,
    score: str = "kappa",
    min_votes: int = MIN_VOTES,
) -> pd.DataFrame:
    """Party x party alignment. ``basis``: combined | votes | adoptions | norms.

    ``score`` (votes basis): kappa (Cohen, default), pi (Scott) or agreement (raw, abstention
    = half). Pairs without enough evidence are NaN; ``df.attrs`` states the basis, the window
    and the combined weights. Use ``alignment_tables`` for the evidence counts.
    """
    check_basis(basis)
    if score not in SCORES:
        raise InvalidInput(f"unknown score {score!r}; choose one of {', '.join(SCORES)}")
    tables = alignment_tables(cat, as_of=as_of, topic=topic, since=since, min_votes=min_votes)
    out = tables.score(basis, score).copy()
    out.attrs.update(basis=basis, score=score if basis != "combined" else "combined", **tables.settings)
    return out


# --------------------------------------------------------------------------- pairs and partners


@dataclass
class PairAlignment:
    a: str
    b: str
    basis: str
    score: float | None
    agreement: float | None
    kappa: float | None
    pi: float | None
    co_votes: int
    adoption_kappa: float | None
    adoption_similarity: float | None
    shared_instruments: int
    instruments_either: int
    norm_score: float | None
    norm_overlap: float | None
    norms_either: int
    enough_evidence: bool
    note: str
    weights: str
    votes: pd.DataFrame  # resolution_id, date, topic, vote_a, vote_b, agreement
    instruments: pd.DataFrame  # instrument_id, status_a, status_b, level_a, level_b, shared

    def to_dict(self, *, evidence_rows: int = 20) -> dict:
        def num(x):
            return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 4)

        disagreements = self.votes[self.votes["agreement"] < 1].head(evidence_rows)
        return {
            "a": self.a,
            "b": self.b,
            "basis": self.basis,
            "score": num(self.score),
            "agreement": num(self.agreement),
            "kappa": num(self.kappa),
            "pi": num(self.pi),
            "co_votes": self.co_votes,
            "adoption_kappa": num(self.adoption_kappa),
            "adoption_similarity": num(self.adoption_similarity),
            "shared_instruments": self.shared_instruments,
            "instruments_either": self.instruments_either,
            "norm_score": num(self.norm_score),
            "norm_overlap": num(self.norm_overlap),
            "norms_either": self.norms_either,
            "enough_evidence": self.enough_evidence,
            "note": self.note,
            "weights": self.weights,
            "disagreements": disagreements.astype({"date": str}).to_dict("records"),
            "shared": self.instruments.loc[self.instruments["shared"], "instrument_id"].tolist(),
        }


def _none(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def pair_alignment(
    cat: Catalogue,
    a: str,
    b: str,
    *,
    basis: str = "combined",
    as_of=None,
    topic="all",
    since=None,
    min_votes: int = MIN_VOTES,
) -> PairAlignment:
    """Alignment of two parties with the votes and instruments behind it."""
    check_basis(basis)
    resolver = PartyResolver(cat)
    a, b = resolver.require(a), resolver.require(b)
    if a == b:
        raise InvalidInput(f"{a} compared with itself; give two different parties")
    t = alignment_tables(cat, as_of=as_of, topic=topic, since=since, min_votes=min_votes)
    data = vote_data(cat)
    mask = row_mask(data, topic=topic, since=since, as_of=as_of)
    ca, cb = data.classes[mask, data.col_of[a]], data.classes[mask, data.col_of[b]]
    both = (ca >= 0) & (cb >= 0)
    meta = data.resolutions[mask].reset_index(drop=True)[both]
    va, vb = ca[both], cb[both]
    votes = pd.DataFrame(
        {
            "resolution_id": meta["id"].to_numpy(),
            "date": meta["date"].to_numpy(),
            "topic": meta["topic"].to_numpy(),
            "vote_a": np.array(CLASSES, dtype=object)[va],
            "vote_b": np.array(CLASSES, dtype=object)[vb],
            "agreement": 1 - np.abs(va - vb) / 2,
        }
    ).sort_values("date", ascending=False)
    instruments = _pair_instruments(cat, a, b, as_of)
    n = int(t.co_votes.loc[a, b])
    score = t.score(basis).loc[a, b]
    enough = bool(pd.notna(score))
    parts = []
    if basis in ("combined", "votes"):
        used = pd.notna(t.kappa.loc[a, b])
        parts.append(f"{n} co-votes" + ("" if used else f" (need {min_votes}; votes not used)"))
    if basis in ("combined", "adoptions"):
        if not t.settings["adoption_data"]:
            parts.append("no adoption data")
        else:
            used = pd.notna(t.adoption_kappa.loc[a, b])
            parts.append(
                f"{int(t.shared_instruments.loc[a, b])} shared instruments of "
                f"{int(t.instruments_either.loc[a, b])} adopted by either"
                + ("" if used else f" (need {MIN_INSTRUMENTS} and both adopting; adoptions not used)")
            )
    if basis in ("combined", "norms"):
        if not t.settings["norm_data"]:
            parts.append("no norm evidence")
        else:
            used = pd.notna(t.norm_score.loc[a, b])
            parts.append(
                f"{int(t.norms_either.loc[a, b])} norms on which either differs from the usual commitment"
                + ("" if used else f" (need {MIN_NORMS}; norms not used)")
            )
    note = ("" if enough else "not enough evidence: ") + ", ".join(parts)
    return PairAlignment(
        a=a,
        b=b,
        basis=basis,
        score=_none(score),
        agreement=_none(t.agreement.loc[a, b]),
        kappa=_none(t.kappa.loc[a, b]),
        pi=_none(t.pi.loc[a, b]),
        co_votes=n,
        adoption_kappa=_none(t.adoption_kappa.loc[a, b]),
        adoption_similarity=_none(t.adoption_similarity.loc[a, b]),
        shared_instruments=int(t.shared_instruments.loc[a, b]),
        instruments_either=int(t.instruments_either.loc[a, b]),
        norm_score=_none(t.norm_score.loc[a, b]),
        norm_overlap=_none(t.norm_overlap.loc[a, b]),
        norms_either=int(t.norms_either.loc[a, b]),
        enough_evidence=enough,
        note=note,
        weights=t.settings["weights"],
        votes=votes,
        instruments=instruments,
    )


def _pair_instruments(cat: Catalogue, a: str, b: str, as_of) -> pd.DataFrame:
    cols = ["instrument_id", "status_a", "status_b", "level_a", "level_b", "shared"]
    if cat.adoptions.empty:
        return pd.DataFrame(columns=cols).astype({"shared": bool})
    st = cat.status(to_date(as_of, end=True) if as_of else None)
    st = st[st["party_code"].isin([a, b])]
    out = pd.DataFrame({"instrument_id": sorted(set(st["instrument_id"]))})
    for code, side in ((a, "a"), (b, "b")):
        mine = st[st["party_code"] == code]
        for col in ("status", "level"):
            of = dict(zip(mine["instrument_id"], mine[col], strict=True))
            out[f"{col}_{side}"] = [of.get(i, "no action") for i in out["instrument_id"]]
    adopted = {lv for lv, w in STATUS_WEIGHT.items() if w >= ADOPTED_WEIGHT}
    out["shared"] = out["level_a"].isin(adopted) & out["level_b"].isin(adopted)
    return out[cols].sort_values(["shared", "instrument_id"], ascending=[False, True]).reset_index(drop=True)


def partners(
    cat: Catalogue,
    party: str,
    n: int = 10,
    *,
    basis: str = "combined",
    as_of=None,
    topic="all",
    since=None,
    min_votes: int = MIN_VOTES,
    tables: AlignmentTables | None = None,
) -> pd.DataFrame:
    """The ``n`` strongest and ``n`` weakest partners of ``party`` (rank, side, score, evidence).

    A party with no usable evidence yields an empty frame whose ``attrs['note']`` says so
    with the count. ``tables``: the :func:`alignment_tables` of ``cat`` for the same window,
    if already at hand (an app keeps them); tables of another window are refused.
    """
    check_basis(basis)
    code = PartyResolver(cat).require(party)
    if n < 1:
        raise InvalidInput("n must be at least 1")
    if tables is None:
        t = alignment_tables(cat, as_of=as_of, topic=topic, since=since, min_votes=min_votes)
    else:
        window = {
            "topic": topic,
            "since": str(since) if since else None,
            "as_of": str(as_of) if as_of else None,
            "min_votes": min_votes,
        }
        if any(tables.settings.get(k) != v for k, v in window.items()):
            raise InvalidInput(f"the alignment tables given are for another window ({tables.settings}), not {window}")
        t = tables
    s = t.score(basis).loc[code].drop(code).dropna()
    cols = ["side", "rank", "partner", "name", "score", "co_votes", "shared_instruments"]
    if s.empty:
        out = pd.DataFrame(columns=cols)
        total = int(t.co_votes.loc[code].drop(code).max()) if len(t.parties) > 1 else 0
        out.attrs["note"] = (
            f"not enough evidence for {code}: at most {total} co-votes with any party (need {min_votes})"
        )
        return out
    s = s.sort_values(ascending=False, kind="stable")
    rows = []
    for side, part in (("strongest", s.head(n)), ("weakest", s.iloc[::-1].head(n))):
        for rank, (other, score) in enumerate(part.items(), 1):
            rows.append(
                {
                    "side": side,
                    "rank": rank,
                    "partner": other,
                    "name": cat.party_name(other),
                    "score": float(score),
                    "co_votes": int(t.co_votes.loc[code, other]),
                    "shared_instruments": int(t.shared_instruments.loc[code, other]),
                }
            )
    out = pd.DataFrame(rows, columns=cols)
    out.attrs.update(party=code, basis=basis, **t.settings)
    return out


# --------------------------------------------------------------------------- groups


def group_members(cat: Catalogue, group: str | list[str] | tuple[str, ...], on: date | None = None) -> list[str]:
    """Members of a group (id, acronym or name) on a date, default today; or a custom list of
    parties (a list, or "A,B,C")."""
    if isinstance(group, str) and "," in group:
        group = [p.strip() for p in group.split(",") if p.strip()]
    if not isinstance(group, str):
        resolver = PartyResolver(cat)
        codes = sorted({resolver.require(p) for p in group})
        if not codes:
            raise InvalidInput("an empty list of parties is not a group")
        return codes
    return member_codes(cat, resolve_group(cat, group), on)


def counterpart(cat: Catalogue, text: str) -> tuple[str, str | list[str]]:
    """How ``text`` reads as the other side of an alignment, in this order:

    - ``("group", id)`` when it names a group by id, acronym or name ("eu" is the EU group,
      never the EU as a party: give the party's code, EUU, for that);
    - ``("list", codes)`` for comma-separated parties ("USA,GBR");
    - ``("party", code)`` otherwise (unknown names raise with a suggestion).
    """
    raw = str(text).strip()
    if "," in raw:
        return "list", group_members(cat, raw)
    if not cat.groups.empty:
        wanted = raw.casefold()
        for col in ("id", "short_name", "name"):
            hit = cat.groups.loc[cat.groups[col].str.casefold() == wanted, "id"]
            if len(hit):
                return "group", str(hit.iloc[0])
    code = PartyResolver(cat).resolve(raw)
    if code is None:
        try:
            return "group", resolve_group(cat, raw)  # a close group name gets its suggestion here
        except UnknownGroup:
            pass
        code = PartyResolver(cat).require(raw)  # raises: unknown party, with suggestions
    return "party", code


def _members_by_day(cat: Catalogue, group_id: str, days) -> list[list[str]]:
    """Members of a group on each day, asking ``member_codes`` once per stretch of days between
    two join or leave dates (membership cannot change inside one)."""
    gm = cat.group_members[cat.group_members["group_id"] == group_id]
    bounds = sorted({d for d in gm["joined"].map(known_by) if d} | {d for d in gm["left"].map(earliest) if d})
    seen: dict[int, list[str]] = {}
    out = []
    for day in days:
        stretch = bisect.bisect_right(bounds, day)
        if stretch not in seen:
            seen[stretch] = member_codes(cat, group_id, day)
        out.append(seen[stretch])
    return out


@dataclass
class GroupAlignment:
    party: str
    group: str
    members: list[str]
    mean_kappa: float | None  # mean pairwise vote kappa with the members
    majority_agreement: float | None  # raw agreement with the group's majority vote (membership by vote date)
    majority_kappa: float | None
    co_votes: int
    per_member: pd.DataFrame
    note: str

    def to_dict(self) -> dict:
        return {
            "party": self.party,
            "group": self.group,
            "members": self.members,
            "mean_kappa": self.mean_kappa,
            "majority_agreement": self.majority_agreement,
            "majority_kappa": self.majority_kappa,
            "co_votes": self.co_votes,
            "note": self.note,
            "per_member": self.per_member.to_dict("records"),
        }


def group_alignment(
    cat: Catalogue,
    party: str,
    group: str | list[str],
    *,
    as_of=None,
    topic="all",
    since=None,
    min_votes: int = MIN_VOTES,
) -> GroupAlignment:
    """Alignment of a party with a group (group id, or a custom list of parties).

    Two views: the mean pairwise kappa with today's (``as_of``) members, and agreement with the
    group's majority vote on each resolution among those who were members on that date.
    """
    code = PartyResolver(cat).require(party)
    dynamic = isinstance(group, str) and "," not in group
    label = (resolve_group(cat, group) if dynamic else group) if isinstance(group, str) else ",".join(group)
    on = to_date(as_of, end=True) if as_of else None
    members = [m for m in group_members(cat, group, on) if m != code]
    t = alignment_tables(cat, as_of=as_of, topic=topic, since=since, min_votes=min_votes)
    members = [m for m in members if m in t.co_votes.index]
    per = pd.DataFrame(
        {
            "member": members,
            "kappa": [t.kappa.loc[code, m] for m in members],
            "agreement": [t.agreement.loc[code, m] for m in members],
            "co_votes": [int(t.co_votes.loc[code, m]) for m in members],
        }
    )
    mean_kappa = _none(per["kappa"].mean()) if per["kappa"].notna().any() else None
    data = vote_data(cat)
    mask = row_mask(data, topic=topic, since=since, as_of=as_of)
    rows = np.flatnonzero(mask)
    maj = np.full(len(rows), -1, dtype=np.int8)
    days = data.resolutions["date"].to_numpy()[rows]
    by_day = _members_by_day(cat, label, days) if dynamic else [members] * len(rows)
    for i, (r, mem) in enumerate(zip(rows, by_day, strict=True)):
        cols = [data.col_of[m] for m in mem if m != code and m in data.col_of]
        v = data.classes[r, cols]
        counts = np.bincount(v[v >= 0], minlength=3)
        choice, _cohesion = bloc_majority(dict(zip(CLASSES, counts.tolist(), strict=True)))
        if choice and choice != TIE:  # a tie is no majority (tracker.catalogue.scope.bloc_majority)
            maj[i] = CLASSES.index(choice)
    mine = data.classes[rows, data.col_of[code]]
    st = pair_stats(np.stack([mine, maj], axis=1), (0.0, 0.5, 1.0))
    n = int(st.n[0, 1])
    enough = n >= min_votes
    note = (
        f"{n} co-votes with the group majority, {len(members)} members"
        if enough
        else f"not enough evidence: {n} co-votes with the group majority (need {min_votes})"
    )
    return GroupAlignment(
        code,
        label,
        members,
        mean_kappa,
        _none(st.agreement[0, 1]) if enough else None,
        _none(st.kappa[0, 1]) if enough else None,
        n,
        per,
        note,
    )
