"""Vote matrix helpers: resolutions x parties, coded yes=1, abstain=0.5, no=0, absent=NaN.

Every analytics function starts here. The full matrix is built once per catalogue (cached on
the catalogue object, keyed on the identity of its votes and resolutions frames) and the
filters (topic, since, as_of) select rows from it, so repeated calls are cheap.

Date rules: ``as_of`` is inclusive (a vote dated on ``as_of`` counts, as in ``cat.status``);
``before`` is strict (nothing dated on or after it counts), which is what prediction uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tracker.catalogue import Catalogue
from tracker.catalogue.scope import TOPIC_CHOICES
from tracker.dates import to_date
from tracker.errors import InvalidInput, TrackerError

VOTE_CODE = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
VOTE_CLASS = {"no": 0, "abstain": 1, "yes": 2}  # class index used by prediction
CLASSES = ("no", "abstain", "yes")
_CACHE_KEY = "analytics.votes"


class NotEnoughEvidence(TrackerError, ValueError):
    """Raised only where a result cannot be expressed as a 'not enough evidence' row."""


@dataclass(frozen=True)
class VoteData:
    """All recorded votes as arrays (rows = resolutions sorted by date, columns = parties)."""

    resolutions: pd.DataFrame  # id, date (datetime.date), topic, series, title; row order = matrix rows
    parties: list[str]
    codes: np.ndarray  # float32 R x P: 1 yes, 0.5 abstain, 0 no, NaN absent / not a member / no row
    classes: np.ndarray  # int8 R x P: 0 no, 1 abstain, 2 yes, -1 missing
    row_of: dict[str, int]
    col_of: dict[str, int]
    dates: np.ndarray  # datetime64[D] per row


def vote_data(cat: Catalogue) -> VoteData:
    """The cached full vote matrix of ``cat`` (recorded whole-text votes only)."""
    return cat.memo(_CACHE_KEY, lambda: _build(cat), uses=("votes", "resolutions"))


def _build(cat: Catalogue) -> VoteData:
    v = cat.votes
    # Factorise the 300,000 vote rows once and map only the distinct values: iterating over
    # Arrow-backed text columns element by element costs ~0.3 s.
    res_codes, res_values = pd.factorize(v["resolution_id"])
    party_codes, party_values = pd.factorize(v["party_code"])
    vote_codes, vote_values = pd.factorize(v["vote"])
    res = cat.resolutions
    res = res[res["id"].isin(res_values) & (res["vote_kind"].isin(["whole", ""]))]
    res = res.assign(_d=pd.to_datetime(res["date"], errors="coerce"))
    res = res[res["_d"].notna()].sort_values(["_d", "id"], kind="stable").reset_index(drop=True)
    parties = sorted(set(cat.parties["code"].tolist()) | set(party_values.tolist()))
    row_of = {r: i for i, r in enumerate(res["id"])}
    col_of = {p: j for j, p in enumerate(parties)}
    rows = _lookup(res_codes, [row_of.get(r, -1) for r in res_values])
    cols = _lookup(party_codes, [col_of[p] for p in party_values])
    cls = _lookup(vote_codes, [VOTE_CLASS.get(x, -1) for x in vote_values]).astype(np.int8)
    keep = rows >= 0
    classes = np.full((len(res), len(parties)), -1, dtype=np.int8)
    classes[rows[keep], cols[keep]] = cls[keep]
    codes = np.where(classes >= 0, classes.astype(np.float32) / 2, np.nan).astype(np.float32)
    meta = pd.DataFrame(
        {
            "id": res["id"],
            "date": res["_d"].dt.date,
            "topic": res["topic"],
            "series": res["series"],
            "title": res["title"],
        }
    )
    return VoteData(meta, parties, codes, classes, row_of, col_of, res["_d"].to_numpy().astype("datetime64[D]"))


def _lookup(codes: np.ndarray, values: list[int]) -> np.ndarray:
    """``values[code]`` for every factorised code; -1 for a missing value (code -1)."""
    table = np.append(np.asarray(values, dtype=np.int64), -1)  # index -1 picks the trailing -1
    return table[codes]


def topic_mask(data: VoteData, topic: str | list[str] | tuple[str, ...] | None) -> np.ndarray:
    if topic is None or topic == "all":
        return np.ones(len(data.resolutions), dtype=bool)
    if isinstance(topic, str):
        if topic in TOPIC_CHOICES:
            topics = TOPIC_CHOICES[topic]
        else:
            known = sorted(set(data.resolutions["topic"]) | set(TOPIC_CHOICES))
            if topic not in known:
                raise InvalidInput(f"unknown topic {topic!r}; choose one of {', '.join(known)}")
            topics = (topic,)
    else:
        topics = tuple(topic)
    return np.array(data.resolutions["topic"].isin(topics).to_numpy(), dtype=bool)  # writable copy


def row_mask(
    data: VoteData, *, topic=None, since=None, as_of=None, before=None, exclude: tuple[str, ...] | list[str] = ()
) -> np.ndarray:
    """Rows selected by topic, ``since`` (inclusive), ``as_of`` (inclusive), ``before`` (strict)."""
    mask = topic_mask(data, topic).copy()
    if since is not None:
        mask &= data.dates >= np.datetime64(to_date(since), "D")
    if as_of is not None:
        mask &= data.dates <= np.datetime64(to_date(as_of, end=True), "D")
    if before is not None:
        mask &= data.dates < np.datetime64(to_date(before), "D")
    if exclude:
        mask &= ~data.resolutions["id"].isin(list(exclude)).to_numpy()
    return mask


def vote_matrix(
    cat: Catalogue, *, topic: str | list[str] | None = "all", since=None, as_of=None, before=None
) -> pd.DataFrame:
    """Resolutions (rows, by date) x parties (columns): yes=1, abstain=0.5, no=0, absent=NaN."""
    data = vote_data(cat)
    mask = row_mask(data, topic=topic, since=since, as_of=as_of, before=before)
    return pd.DataFrame(
        data.codes[mask],
        index=pd.Index(data.resolutions["id"][mask], name="resolution_id"),
        columns=pd.Index(data.parties, name="party_code"),
    )


def day_before(value) -> date:
    day = to_date(value)
    if day is None:
        raise ValueError("day_before needs a date")
    return day - timedelta(days=1)
