"""Comparison: two to four parties side by side (adoptions, memberships, cyber votes, alignment)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from tracker.catalogue import scope
from tracker.export.common import (
    GROUP_METHOD,
    STATUS_METHOD,
    VOTE_METHOD,
    as_of_day,
    catalogue_version,
    collect_sources,
    has_any_data,
    method_text,
    plural,
    resolve_parties,
    weights_text,
)
from tracker.export.report import Chart, ExportError, NoDataError, Report, Section, join_ids

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue


def comparison(cat: Catalogue, parties: Sequence[str], *, as_of: Any = None) -> Report:
    """Two to four parties side by side: adoptions, memberships and cyber votes."""
    day = as_of_day(as_of)
    codes = resolve_parties(cat, parties)
    if not 2 <= len(codes) <= 4:
        raise ExportError(f"compare two to four different parties (got {len(codes)})")
    for c in codes:
        if not has_any_data(cat, c):
            raise NoDataError(
                f"no data for {cat.party_name(c)} ({c}): no adoptions, votes or group memberships are recorded"
            )
    names = scope.instrument_labels(cat)
    status = cat.status(day)
    st = status[status["party_code"].isin(codes)]
    res = scope.resolutions_in_scope(cat, day)
    votes = cat.votes[cat.votes["resolution_id"].isin(res["id"]) & cat.votes["party_code"].isin(codes)]
    short = dict(
        zip(
            cat.groups["id"],
            cat.groups["short_name"].where(cat.groups["short_name"] != "", cat.groups["id"]),
            strict=True,
        )
    )
    overview_rows = []
    for c in codes:
        mine = st[st["party_code"] == c]
        v = votes.loc[votes["party_code"] == c, "vote"].value_counts()
        groups = scope.memberships(cat, c, day)
        overview_rows.append(
            {
                "party_code": c,
                "party": cat.party_name(c),
                "instruments_adopted": int(mine["adopted"].sum()),
                "signed_only": int((mine["status"] == "signed").sum()),
                "groups": ", ".join(short.get(g, g) for g in groups["group_id"]),
                **{f"votes_{k}": int(v.get(k, 0)) for k in (*scope.VOTE_CHOICES, "absent")},
            }
        )
    overview = pd.DataFrame(overview_rows)

    wide = st.pivot(index="instrument_id", columns="party_code", values="status") if len(st) else pd.DataFrame()
    adopted = st.pivot(index="instrument_id", columns="party_code", values="adopted") if len(st) else pd.DataFrame()
    inst_rows = []
    for inst in sorted(wide.index, key=lambda i: names.get(i, i).casefold()):
        row = {"instrument_id": inst, "instrument": names.get(inst, inst)}
        for c in codes:
            val = wide.at[inst, c] if c in wide.columns else None
            row[c] = val if isinstance(val, str) else ""
        row["adopted_by_all"] = bool(all(c in adopted.columns and adopted.at[inst, c] is True for c in codes))
        row["source_id"] = join_ids(st.loc[st["instrument_id"] == inst, "source_id"])
        inst_rows.append(row)
    instruments = pd.DataFrame(
        inst_rows, columns=["instrument_id", "instrument", *codes, "adopted_by_all", "source_id"]
    )
    vote_rows = []
    meta = res.set_index("id")
    for rid, grp in votes.groupby("resolution_id", sort=False):
        by = dict(zip(grp["party_code"], grp["vote"], strict=True))
        row = {"resolution_id": rid, "date": meta.at[rid, "date"], "series": meta.at[rid, "series"]}
        row.update({c: by.get(c, "") for c in codes})
        cast = [by.get(c) for c in codes]
        row["same_vote"] = bool(all(x in scope.VOTE_CHOICES for x in cast) and len(set(cast)) == 1)
        row["source_id"] = join_ids([meta.at[rid, "source_id"], *grp["source_id"]])
        vote_rows.append(row)
    vote_table = pd.DataFrame(vote_rows, columns=["resolution_id", "date", "series", *codes, "same_vote", "source_id"])
    if len(vote_table):
        vote_table = vote_table.sort_values(["date", "resolution_id"], ascending=False).reset_index(drop=True)
    plist = ", ".join(f"{cat.party_name(c)} ({c})" for c in codes)
    shared = int(instruments["adopted_by_all"].sum()) if len(instruments) else 0
    agree = int(vote_table["same_vote"].sum()) if len(vote_table) else 0
    lead = (
        f"{plist} on {day}: {plural(shared, 'instrument')} adopted by all of them; "
        f"the same vote on {agree} of {len(vote_table)} recorded cyber resolutions."
    )
    sections = [
        Section("overview", "Overview", text=lead),
        Section("parties", "Parties at a glance", overview),
        Section(
            "instruments",
            "Instruments side by side",
            instruments,
            notes="Status per party; empty = no recorded action.",
            compact=("instrument", *codes, "source_id"),
        ),
        Section(
            "votes",
            "Cyber votes side by side",
            vote_table,
            notes="Empty = no vote row (e.g. not a member then).",
            compact=("resolution_id", "date", *codes, "same_vote"),
        ),
    ]
    extra, analytics_method = _comparison_analytics(cat, codes, day)
    sections.extend(extra)
    chart = Chart(
        "Instruments adopted",
        [cat.party_name(c) for c in codes],
        [float(r["instruments_adopted"]) for r in overview_rows],
        "count",
        None,
        [False] * len(codes),
    )
    return Report(
        kind="comparison",
        title="Comparison: " + " / ".join(cat.party_name(c) for c in codes),
        subtitle=f"Adoptions, memberships and cyber votes as of {day}",
        as_of=day.isoformat(),
        method=method_text(STATUS_METHOD, VOTE_METHOD, GROUP_METHOD, analytics_method),
        catalogue_version=catalogue_version(cat),
        sections=sections,
        sources=collect_sources(cat, sections),
        chart=chart,
        parameters={"parties": codes, "as_of": day.isoformat()},
    )


def _comparison_analytics(cat: Catalogue, codes: Sequence[str], day: date) -> tuple[list[Section], str]:
    """Pairwise alignment with its evidence, from tracker.analytics."""
    from tracker.analytics import pair_alignment  # scipy and networkx: loaded when needed

    rows = []
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            pa = pair_alignment(cat, a, b, as_of=day)
            rows.append(
                {
                    "party_a": a,
                    "party_b": b,
                    "combined": rounded(pa.score),
                    "vote_agreement": rounded(pa.agreement),
                    "vote_kappa": rounded(pa.kappa),
                    "co_votes": pa.co_votes,
                    "adoption_kappa": rounded(pa.adoption_kappa),
                    "shared_instruments": pa.shared_instruments,
                    "note": pa.note,
                }
            )
    table = pd.DataFrame(rows)
    section = Section(
        "alignment",
        "Pairwise alignment",
        table,
        formats={
            "combined": "decimal",
            "vote_agreement": "percent",
            "vote_kappa": "decimal",
            "adoption_kappa": "decimal",
        },
        notes=(
            "Vote agreement counts an abstention against yes or no as half; kappa corrects for chance "
            "(1 = always together, 0 = chance, below 0 = opposed); empty = not enough evidence."
        ),
        compact=(
            "party_a",
            "party_b",
            "combined",
            "vote_agreement",
            "vote_kappa",
            "co_votes",
            "shared_instruments",
        ),
    )
    method = (
        "Alignment: tracker.analytics pair alignment on all recorded UNGA votes (absent as missing) and "
        "adoption portfolios; " + weights_text() + "."
    )
    return [section], method


def rounded(x: Any, digits: int = 4) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits)
