"""Raw tables for analysts: every adoption status, every recorded vote, alignment of every pair."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tracker.catalogue import scope
from tracker.export.common import (
    STATUS_METHOD,
    VOTE_METHOD,
    as_of_day,
    catalogue_version,
    collect_sources,
    method_text,
    resolve_parties,
    resolve_party,
    weights_text,
)
from tracker.export.report import ExportError, NoDataError, Report, Section

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue


def adoptions_table(
    cat: Catalogue, as_of: Any = None, *, instrument: str | None = None, party: str | None = None
) -> Report:
    """Every (instrument, party) status as of a date, optionally for one instrument or party."""
    day = as_of_day(as_of)
    st = cat.status(day)
    params: dict[str, Any] = {"as_of": day.isoformat()}
    if instrument is not None:
        known = set(cat.instruments["id"])
        if instrument not in known:
            close = difflib.get_close_matches(instrument, sorted(known), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ExportError(f"unknown instrument {instrument!r}{hint}")
        st = st[st["instrument_id"] == instrument]
        params["instrument"] = instrument
    if party is not None:
        code = resolve_party(cat, party)
        st = st[st["party_code"] == code]
        params["party"] = code
    if st.empty:
        raise NoDataError(f"no adoption recorded as of {day} for this selection")
    names = scope.instrument_labels(cat)
    table = pd.DataFrame(
        {
            "instrument_id": st["instrument_id"],
            "instrument": st["instrument_id"].map(names),
            "party_code": st["party_code"],
            "party": st["party_code"].map(cat.party_name),
            "status": st["status"],
            "role": st["role"],
            "since": st["since"],
            "adopted": st["adopted"],
            "detail": st["detail"],
            "source_id": st["source_id"],
        }
    ).reset_index(drop=True)
    section = Section(
        "adoptions",
        "Adoption status",
        table,
        notes=f"{len(table)} statuses, {table['party_code'].nunique()} parties, "
        f"{table['instrument_id'].nunique()} instruments.",
        compact=("instrument", "party", "status", "since", "source_id"),
    )
    return Report(
        kind="adoptions",
        title="Adoptions of cyber values, standards and norms",
        subtitle=f"Status of every party with a recorded action, as of {day}",
        as_of=day.isoformat(),
        method=STATUS_METHOD,
        catalogue_version=catalogue_version(cat),
        sections=[section],
        sources=collect_sources(cat, [section]),
        parameters=params,
    )


def votes_table(cat: Catalogue, as_of: Any = None, *, all_topics: bool = False, party: str | None = None) -> Report:
    """Recorded UNGA votes (long format) on cyber resolutions, or on every topic."""
    day = as_of_day(as_of)
    res = scope.resolutions_in_scope(cat, day, all_topics=all_topics)
    votes = cat.votes[cat.votes["resolution_id"].isin(res["id"])]
    params: dict[str, Any] = {"as_of": day.isoformat(), "topics": "all" if all_topics else list(scope.CYBER_TOPICS)}
    if party is not None:
        code = resolve_party(cat, party)
        votes = votes[votes["party_code"] == code]
        params["party"] = code
    if votes.empty:
        raise NoDataError(f"no recorded votes as of {day} for this selection")
    meta = res.set_index("id")
    table = (
        pd.DataFrame(
            {
                "resolution_id": votes["resolution_id"],
                "date": votes["resolution_id"].map(meta["date"]),
                "title": votes["resolution_id"].map(meta["title"]),
                "topic": votes["resolution_id"].map(meta["topic"]),
                "series": votes["resolution_id"].map(meta["series"]),
                "party_code": votes["party_code"],
                "party": votes["party_code"].map(cat.party_name),
                "vote": votes["vote"],
                "source_id": votes["source_id"],
            }
        )
        .sort_values(["date", "resolution_id", "party_code"])
        .reset_index(drop=True)
    )
    section = Section(
        "votes",
        "Recorded votes",
        table,
        notes=f"{len(table)} votes on {table['resolution_id'].nunique()} resolutions.",
        compact=("resolution_id", "date", "party", "vote", "source_id"),
    )
    covered = "all topics" if all_topics else "cyber-security and cybercrime resolutions"
    return Report(
        kind="votes",
        title="UN General Assembly recorded votes",
        subtitle=f"{covered}, up to {day}",
        as_of=day.isoformat(),
        method=VOTE_METHOD,
        catalogue_version=catalogue_version(cat),
        sections=[section],
        sources=collect_sources(cat, [section]),
        parameters=params,
    )


def alignment_table(
    cat: Catalogue, as_of: Any = None, *, basis: str = "combined", parties: Sequence[str] | None = None
) -> Report:
    """Alignment for every pair of parties (long format: one row per pair) with its evidence:
    the score on ``basis`` (combined, votes or adoptions), raw vote agreement, vote kappa, co-votes,
    adoption kappa and shared instruments. Pairs without enough evidence have an empty score."""
    from tracker.analytics.alignment import BASES, alignment_tables  # scipy and networkx: loaded when needed

    if basis not in BASES:
        raise ExportError(f"unknown basis {basis!r} (choose one of {', '.join(BASES)})")
    day = as_of_day(as_of)
    t = alignment_tables(cat, as_of=day)
    index = list(t.kappa.index)
    codes = index
    if parties:
        wanted = resolve_parties(cat, parties)
        missing = [c for c in wanted if c not in index]
        if missing:
            raise NoDataError(f"no votes or adoptions to align for {', '.join(missing)} as of {day}")
        codes = wanted
    pos = [index.index(c) for c in codes]
    ia, ib = np.triu_indices(len(codes), k=1)
    a_idx, b_idx = np.array(pos)[ia], np.array(pos)[ib]

    def pick(frame: pd.DataFrame) -> np.ndarray:
        return np.round(frame.to_numpy(dtype=float)[a_idx, b_idx], 4) + 0.0  # + 0.0: no negative zero

    table = pd.DataFrame(
        {
            "party_a": [codes[i] for i in ia],
            "party_a_name": [cat.party_name(codes[i]) for i in ia],
            "party_b": [codes[i] for i in ib],
            "party_b_name": [cat.party_name(codes[i]) for i in ib],
            "score": pick(t.score(basis)),
            "vote_agreement": pick(t.agreement),
            "vote_kappa": pick(t.kappa),
            "co_votes": pick(t.co_votes).astype(int),
            "adoption_kappa": pick(t.adoption_kappa),
            "shared_instruments": pick(t.shared_instruments).astype(int),
        }
    )
    table = table[(table["co_votes"] > 0) | (table["shared_instruments"] > 0) | table["score"].notna()]
    if table.empty:
        raise NoDataError(f"no alignment evidence as of {day} for this selection")
    table = table.reset_index(drop=True)
    section = Section(
        "alignment",
        f"Alignment ({basis})",
        table,
        formats={
            "score": "decimal",
            "vote_agreement": "percent",
            "vote_kappa": "decimal",
            "adoption_kappa": "decimal",
        },
        notes=(
            f"{len(table)} pairs of {len(codes)} parties; an empty score means not enough evidence "
            "(see co-votes and shared instruments). Every vote and adoption behind these scores cites its "
            "source in the votes and adoptions exports."
        ),
        compact=("party_a_name", "party_b_name", "score", "vote_agreement", "co_votes", "shared_instruments"),
    )
    return Report(
        kind="alignment",
        title="Alignment between parties",
        subtitle=f"basis: {basis}, as of {day}",
        as_of=day.isoformat(),
        method=method_text(_alignment_method(basis), VOTE_METHOD),
        catalogue_version=catalogue_version(cat),
        sections=[section],
        sources=[],
        parameters={"as_of": day.isoformat(), "basis": basis, "parties": codes if parties else None},
    )


def _alignment_method(basis: str) -> str:
    return (
        f"Alignment ({basis}) from tracker.analytics: votes coded yes=1, abstain=0.5, no=0 with absent as "
        "missing; raw agreement counts an abstention against yes or no as half; kappa is Cohen's "
        "chance-corrected agreement on all recorded UNGA votes up to the as-of date; adoption kappa compares "
        f"graded adoption portfolios; {weights_text()}."
    )
