"""Comparison: two to four parties side by side (adoptions, memberships, cyber votes, alignment),
optionally against a group: its members' adoption rates and majority votes (a tie is "tie"), and
each party's alignment with it. The app's Compare page shows this report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from tracker.catalogue import scope
from tracker.errors import TrackerError
from tracker.export.bloc import adoption_rates, analysis_config, bloc_votes, config_text
from tracker.export.common import (
    BLOC_METHOD,
    GROUP_METHOD,
    STATUS_METHOD,
    VOTE_METHOD,
    as_of_day,
    catalogue_version,
    collect_sources,
    has_any_data,
    method_text,
    plural,
    resolve_group,
    resolve_parties,
    weights_text,
)
from tracker.export.norms import NORM_METHOD
from tracker.export.norms import side_by_side_section as norm_side_by_side
from tracker.export.report import Chart, ExportError, NoDataError, Report, Section, join_ids

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

ALIGNMENT_TOPICS = ("all", "cyber")


def comparison(
    cat: Catalogue,
    parties: Sequence[str],
    *,
    as_of: Any = None,
    group: str | None = None,
    topic: str = "all",
) -> Report:
    """Two to four parties side by side: adoptions, memberships and cyber votes, with their pairwise
    alignment on ``topic`` votes ("all" or "cyber"; adoption portfolios always count).

    With a ``group`` (id, acronym or name) one party is enough: the report adds the group's members
    on the as-of date, their adoption rate per instrument, their majority on each vote, and each
    party's alignment with the group.
    """
    day = as_of_day(as_of)
    if topic not in ALIGNMENT_TOPICS:
        raise ExportError(f"unknown topic {topic!r} (choose one of {', '.join(ALIGNMENT_TOPICS)})")
    gid = resolve_group(cat, group) if group else None
    codes = resolve_parties(cat, parties)
    if gid is None and not 2 <= len(codes) <= 4:
        raise ExportError(f"compare two to four different parties (got {len(codes)})")
    if gid is not None and not 1 <= len(codes) <= 4:
        raise ExportError(f"compare one to four different parties with a group (got {len(codes)})")
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
    short = group_acronyms(cat)
    overview_rows: list[dict[str, Any]] = []
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

    members = scope.members_on(cat, gid, day) if gid else None
    member_codes = list(members["party_code"]) if members is not None else []
    rates = adoption_rates(status, member_codes, names).set_index("instrument_id") if member_codes else None

    wide = st.pivot(index="instrument_id", columns="party_code", values="status") if len(st) else pd.DataFrame()
    adopted = st.pivot(index="instrument_id", columns="party_code", values="adopted") if len(st) else pd.DataFrame()
    listed: set[str] = set(wide.index) | (set(rates.index[rates["adopted"] > 0]) if rates is not None else set())
    inst_rows = []

    def by_label(i: str) -> str:
        return names.get(i, i).casefold()

    for inst in sorted(listed, key=by_label):
        row: dict[str, Any] = {"instrument_id": inst, "instrument": names.get(inst, inst)}
        for c in codes:
            val = wide.at[inst, c] if inst in wide.index and c in wide.columns else None
            row[c] = val if isinstance(val, str) else ""
        row["adopted_by_all"] = bool(
            all(c in adopted.columns and inst in adopted.index and adopted.at[inst, c] is True for c in codes)
        )
        sources = list(st.loc[st["instrument_id"] == inst, "source_id"])
        if gid is not None:
            if rates is not None and inst in rates.index:
                row["group_adoption_rate"] = float(rates.at[inst, "adoption_rate"])
                sources += [rates.at[inst, "source_id"]]
            else:
                row["group_adoption_rate"] = 0.0
        row["source_id"] = join_ids(sources)
        inst_rows.append(row)
    group_cols = ["group_adoption_rate"] if gid else []
    instruments = pd.DataFrame(
        inst_rows, columns=["instrument_id", "instrument", *codes, "adopted_by_all", *group_cols, "source_id"]
    )
    vote_rows = []
    meta = res.set_index("id")
    majority = bloc_votes(cat, res, member_codes).set_index("resolution_id")["majority"] if gid else None
    for rid, grp in votes.groupby("resolution_id", sort=False):
        by = dict(zip(grp["party_code"], grp["vote"], strict=True))
        row = {"resolution_id": rid, "date": meta.at[rid, "date"], "series": meta.at[rid, "series"]}
        row.update({c: by.get(c, "") for c in codes})
        if majority is not None:
            row["group_majority"] = majority.get(rid, "")
        cast = [by.get(c) for c in codes]
        row["same_vote"] = bool(all(x in scope.VOTE_CHOICES for x in cast) and len(set(cast)) == 1)
        row["source_id"] = join_ids([meta.at[rid, "source_id"], *grp["source_id"]])
        vote_rows.append(row)
    majority_cols = ["group_majority"] if gid else []
    vote_table = pd.DataFrame(
        vote_rows, columns=["resolution_id", "date", "series", *codes, *majority_cols, "same_vote", "source_id"]
    )
    if len(vote_table):
        vote_table = vote_table.sort_values(["date", "resolution_id"], ascending=False).reset_index(drop=True)
    plist = ", ".join(f"{cat.party_name(c)} ({c})" for c in codes)
    shared = int(instruments["adopted_by_all"].sum()) if len(instruments) else 0
    agree = int(vote_table["same_vote"].sum()) if len(vote_table) else 0
    lead = (
        f"{plist} on {day}: {plural(shared, 'instrument')} adopted by all of them; "
        f"the same vote on {agree} of {len(vote_table)} recorded cyber resolutions."
    )
    acronym = short.get(gid, gid) if gid else ""
    sections = [
        Section("overview", "Overview", text=lead),
        Section("parties", "Parties at a glance", overview),
    ]
    if gid is not None and members is not None:  # members is set whenever a group is
        label = scope.group_label(cat, gid)
        member_table = pd.DataFrame(
            {
                "party_code": member_codes,
                "party": [cat.party_name(c) for c in member_codes],
                "role": members["role"].to_numpy(),
                "joined": members["joined"].to_numpy(),
                "source_id": members["source_id"].to_numpy(),
            }
        )
        sections.append(
            Section(
                "group",
                f"The group: {label}",
                member_table,
                text=f"{label}: {plural(len(member_codes), 'member')} on {day}.",
                compact=("party", "role", "joined", "source_id"),
            )
        )
    sections += [
        Section(
            "instruments",
            "Instruments side by side",
            instruments,
            notes="Status per party; empty = no recorded action."
            + (f" {acronym}: share of its members that adopted the instrument." if gid else ""),
            formats={"group_adoption_rate": "percent"} if gid else {},
            labels={"group_adoption_rate": f"{acronym}: share adopted"} if gid else {},
            compact=("instrument", *codes, *group_cols, "source_id"),
        ),
        Section(
            "votes",
            "Cyber votes side by side",
            vote_table,
            notes="Empty = no vote row (e.g. not a member then)."
            + (
                f" {acronym} majority: the most common vote of its members; tie = no single most common vote."
                if gid
                else ""
            ),
            labels={"group_majority": f"{acronym} majority"} if gid else {},
            compact=("resolution_id", "date", *codes, *majority_cols, "same_vote"),
        ),
    ]
    sections.append(norm_side_by_side(cat, codes, day))
    extra, analytics_method = _comparison_analytics(cat, codes, day, topic, gid if member_codes else None)
    sections.extend(extra)
    chart = Chart(
        "Instruments adopted",
        [cat.party_name(c) for c in codes],
        [float(r["instruments_adopted"]) for r in overview_rows],
        "count",
        None,
        [False] * len(codes),
    )
    parameters: dict[str, Any] = {"parties": codes, "as_of": day.isoformat()}
    if gid is not None:
        parameters["group_id"] = gid
    if topic != "all":
        parameters["topic"] = topic
    subtitle = f"Adoptions, memberships and cyber votes as of {day}"
    return Report(
        kind="comparison",
        title="Comparison: " + " / ".join([*(cat.party_name(c) for c in codes), *([acronym] if gid else [])]),
        subtitle=subtitle + (f"; against {scope.group_label(cat, gid)}" if gid else ""),
        as_of=day.isoformat(),
        method=method_text(
            STATUS_METHOD,
            VOTE_METHOD,
            GROUP_METHOD,
            BLOC_METHOD if gid else "",
            NORM_METHOD,
            analytics_method,
            config_text(analysis_config().replace(topic=topic)),
        ),
        catalogue_version=catalogue_version(cat),
        sections=sections,
        sources=collect_sources(cat, sections, [cat.groups.set_index("id").at[gid, "source_id"]] if gid else ()),
        chart=chart,
        parameters=parameters,
    )


def group_acronyms(cat: Catalogue) -> dict[str, str]:
    """Group id -> its acronym (the id when it has none)."""
    groups = cat.groups
    return dict(zip(groups["id"], groups["short_name"].where(groups["short_name"] != "", groups["id"]), strict=True))


def _comparison_analytics(
    cat: Catalogue, codes: Sequence[str], day: date, topic: str, group_id: str | None
) -> tuple[list[Section], str]:
    """Pairwise alignment with its evidence and, with a group, each party's alignment with it,
    from tracker.analytics."""
    from tracker.analytics import group_alignment, pair_alignment  # scipy and networkx: loaded when needed
    from tracker.analytics.readings import legend_text, reading

    sections = []
    if len(codes) >= 2:
        rows = []
        for i, a in enumerate(codes):
            for b in codes[i + 1 :]:
                pa = pair_alignment(cat, a, b, as_of=day, topic=topic)
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
                        "norm_score": rounded(pa.norm_score),
                        "reading": reading(pa.score),
                        "note": pa.note,
                    }
                )
        table = pd.DataFrame(rows)
        sections.append(
            Section(
                "alignment",
                "Pairwise alignment",
                table,
                formats={
                    "combined": "decimal",
                    "vote_agreement": "percent",
                    "vote_kappa": "decimal",
                    "adoption_kappa": "decimal",
                    "norm_score": "decimal",
                },
                notes=(
                    "Vote agreement counts an abstention against yes or no as half; kappa corrects for chance "
                    "(1 = always together, 0 = chance, below 0 = opposed); empty = not enough evidence. "
                    f"Reading of the combined score: {legend_text()}."
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
        )
    if group_id is not None:
        rows = []
        for c in codes:
            try:
                ga = group_alignment(cat, c, group_id, as_of=day, topic=topic)
            except TrackerError as exc:  # e.g. a party with no recorded vote at all
                rows.append({"party_code": c, "party": cat.party_name(c), "note": str(exc)})
                continue
            rows.append(
                {
                    "party_code": c,
                    "party": cat.party_name(c),
                    "mean_kappa_with_members": rounded(ga.mean_kappa),
                    "majority_agreement": rounded(ga.majority_agreement),
                    "majority_kappa": rounded(ga.majority_kappa),
                    "co_votes": ga.co_votes,
                    "note": ga.note,
                }
            )
        columns = [
            "party_code",
            "party",
            "mean_kappa_with_members",
            "majority_agreement",
            "majority_kappa",
            "co_votes",
            "note",
        ]
        sections.append(
            Section(
                "group_alignment",
                "Alignment with the group",
                pd.DataFrame(rows, columns=columns),
                formats={
                    "mean_kappa_with_members": "decimal",
                    "majority_agreement": "percent",
                    "majority_kappa": "decimal",
                },
                notes=(
                    "Mean vote kappa with the group's members on the as-of date, and agreement (raw and kappa) "
                    "with the majority of those who were members on each vote's date."
                ),
            )
        )
    votes_used = "all recorded UNGA votes" if topic == "all" else "the recorded votes on the cyber resolutions"
    method = (
        f"Alignment: tracker.analytics pair alignment on {votes_used} (absent as missing), "
        "adoption portfolios and norm commitments; " + weights_text() + "."
    )
    return sections, method


def rounded(x: Any, digits: int = 4) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits)
