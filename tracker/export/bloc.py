"""Bloc summary: a named group on a date, or a custom list of parties, for a briefing pack.

Also the bloc arithmetic the country brief and the comparison share: adoption rates among
members, and the bloc's majority and cohesion on each vote (tracker.catalogue.scope.bloc_majority:
a tie is reported as "tie", never broken).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tracker.catalogue import scope
from tracker.export.common import (
    BLOC_METHOD,
    GROUP_METHOD,
    STATUS_METHOD,
    VOTE_METHOD,
    as_of_day,
    catalogue_version,
    collect_sources,
    method_text,
    plural,
    resolve_group,
    resolve_parties,
    tally,
    weights_text,
)
from tracker.export.norms import NORM_METHOD
from tracker.export.norms import bloc_section as norm_bloc_section
from tracker.export.report import Chart, ExportError, NoDataError, Report, Section, join_ids

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

SWING_ROWS = 15


def analysis_config(min_share: float | None = None):
    """The analysis configuration every export states (tracker.analytics.config; the app and the
    CLI use the same defaults), with the gaps' share of the bloc if one is given."""
    from tracker.analytics.config import AnalysisConfig  # the analytics load when a builder runs

    return AnalysisConfig() if min_share is None else AnalysisConfig(min_share=min_share)


def config_text(cfg) -> str:
    return f"Analysis configuration (as in the app and the CLI): {cfg.describe()}."


@dataclass
class Bloc:
    label: str
    members: pd.DataFrame  # party_code, role, joined, source_id
    group_id: str | None
    extra_sources: list[str]


def resolve_bloc(
    cat: Catalogue, day: date, *, group_id: str | None, members: Sequence[str] | None, name: str | None = None
) -> Bloc:
    if (group_id is None) == (members is None):
        raise ExportError("name a bloc either by group (group_id) or by a list of members, not both")
    if group_id is not None:
        gid = resolve_group(cat, group_id)
        m = scope.members_on(cat, gid, day)
        label = name or scope.group_label(cat, gid)
        if m.empty:
            raise NoDataError(f"the bloc {label} has no members on {day}")
        return Bloc(label, m, gid, [cat.groups.set_index("id").at[gid, "source_id"]])
    codes = resolve_parties(cat, members or [])
    if not codes:
        raise NoDataError("the bloc is empty: give at least one member")
    m = pd.DataFrame({"party_code": sorted(codes), "role": "", "joined": "", "source_id": ""})
    return Bloc(name or "Custom bloc", m, None, [])


def adoption_rates(status: pd.DataFrame, codes: Sequence[str], names: dict[str, str]) -> pd.DataFrame:
    """Per instrument with any action by these parties: adopters, signed-only, adoption rate."""
    st = status[status["party_code"].isin(codes)]
    n = len(codes)
    cols = [
        "instrument_id",
        "instrument",
        "adopted",
        "signed_only",
        "members",
        "adoption_rate",
        "not_adopted_by",
        "source_id",
    ]
    if st.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for inst, grp in st.groupby("instrument_id", sort=True):
        adopters = set(grp.loc[grp["adopted"], "party_code"])
        rows.append(
            {
                "instrument_id": inst,
                "instrument": names.get(inst, inst),
                "adopted": len(adopters),
                "signed_only": int((grp["status"] == "signed").sum()),
                "members": n,
                "adoption_rate": round(len(adopters) / n, 4),
                "not_adopted_by": [c for c in codes if c not in adopters],
                "source_id": join_ids(grp["source_id"]),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(
        ["adoption_rate", "adopted", "instrument"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def bloc_votes(cat: Catalogue, res: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    votes = cat.votes[cat.votes["resolution_id"].isin(res["id"]) & cat.votes["party_code"].isin(codes)]
    by_res = {rid: grp for rid, grp in votes.groupby("resolution_id")}
    rows = []
    for r in res.to_dict("records"):
        grp = by_res.get(r["id"], votes.iloc[0:0])
        counts = grp["vote"].value_counts()
        cast = {c: int(counts.get(c, 0)) for c in scope.VOTE_CHOICES}
        majority, cohesion = scope.bloc_majority(cast)
        rows.append(
            {
                "resolution_id": r["id"],
                "date": r["date"],
                "series": r["series"],
                "title": r["title"],
                **cast,
                "absent": int(counts.get("absent", 0)),
                "no_data": len(codes) - len(grp),
                "majority": majority,
                "cohesion": cohesion,
                "result": tally(r),
                "source_id": join_ids([r["source_id"], *grp["source_id"]]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "resolution_id",
            "date",
            "series",
            "title",
            "yes",
            "no",
            "abstain",
            "absent",
            "no_data",
            "majority",
            "cohesion",
            "result",
            "source_id",
        ],
    )


def name_order(cat: Catalogue, codes: Sequence[str]) -> list[int]:
    """Positions of ``codes`` sorted by party name, accents ignored (Côte d'Ivoire among the Cs)."""
    import unicodedata

    def key(code: str) -> str:
        name = unicodedata.normalize("NFKD", cat.party_name(code))
        return "".join(ch for ch in name if not unicodedata.combining(ch)).casefold()

    return sorted(range(len(codes)), key=lambda i: key(codes[i]))


def format_codes(cat: Catalogue, codes: Sequence[str], limit: int = 12) -> str:
    names = [f"{cat.party_name(c)}" for c in codes[:limit]]
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return "; ".join(names) + more


def bloc_summary(
    cat: Catalogue,
    *,
    group_id: str | None = None,
    members: Sequence[str] | None = None,
    as_of: Any = None,
    name: str | None = None,
    min_share: float | None = None,
) -> Report:
    """Summary of a bloc (a named group, or a custom list of parties) for a briefing pack.

    Sections: overview, members, instruments with adoption rates, voting record on the cyber
    resolutions, gaps (instruments at least ``min_share`` of the members adopted that others have
    not; default the analysis configuration's), norm commitments of the members, cohesion and
    swing states at the bloc's edge.
    """
    day = as_of_day(as_of)
    cfg = analysis_config(min_share)
    bloc = resolve_bloc(cat, day, group_id=group_id, members=members, name=name)
    bloc.members = bloc.members.iloc[name_order(cat, list(bloc.members["party_code"]))].reset_index(drop=True)
    codes = list(bloc.members["party_code"])  # by name, as a reader looks them up
    status = cat.status(day)
    names = scope.instrument_labels(cat)
    res = scope.resolutions_in_scope(cat, day, newest_first=True)
    mine = status[status["party_code"].isin(codes)]

    adopted_n = mine[mine["adopted"]].groupby("party_code").size()
    cast = (
        cat.votes[
            cat.votes["resolution_id"].isin(res["id"])
            & cat.votes["party_code"].isin(codes)
            & cat.votes["vote"].isin(scope.VOTE_CHOICES)
        ]
        .groupby("party_code")
        .size()
    )
    regional = dict(zip(cat.parties["code"], cat.parties["un_regional_group"], strict=True))
    member_table = pd.DataFrame(
        {
            "party_code": codes,
            "party": [cat.party_name(c) for c in codes],
            "un_regional_group": [regional.get(c, "") for c in codes],
            "role": bloc.members["role"].to_numpy(),
            "joined": bloc.members["joined"].to_numpy(),
            "instruments_adopted": [int(adopted_n.get(c, 0)) for c in codes],
            "cyber_votes_cast": [int(cast.get(c, 0)) for c in codes],
            "source_id": bloc.members["source_id"].to_numpy(),
        }
    )
    if bloc.group_id is None:
        member_table = member_table.drop(columns=["role", "joined", "source_id"])

    rates = adoption_rates(status, codes, names)
    instruments = rates.drop(columns=["not_adopted_by"])
    gaps = rates[(rates["adoption_rate"] >= cfg.min_share) & (rates["adoption_rate"] < 1)]
    gap_table = pd.DataFrame(
        {
            "instrument_id": gaps["instrument_id"],
            "instrument": gaps["instrument"],
            "adoption_rate": gaps["adoption_rate"],
            "not_adopted_by": [format_codes(cat, c) for c in gaps["not_adopted_by"]],
        }
    ).reset_index(drop=True)
    vote_table = bloc_votes(cat, res, codes)

    sections: list[Section] = []
    full = int((rates["adoption_rate"] == 1).sum())
    lead = (
        f"{bloc.label}: {plural(len(codes), 'member')} on {day}. Of {plural(len(rates), 'tracked instrument')} "
        f"with a recorded action by a member, {full} {'is' if full == 1 else 'are'} adopted by every member "
        f"and {len(gap_table)} by at least {cfg.min_share:.0%} but not all (gaps). "
        f"{plural(len(vote_table), 'recorded cyber vote')}."
    )
    if len(vote_table) and vote_table["cohesion"].notna().any():
        lead += f" Mean vote cohesion {vote_table['cohesion'].mean():.0%}."
    sections.append(Section("overview", "Overview", text=lead))
    sections.append(
        Section(
            "members",
            "Members",
            member_table,
            text=f"{', '.join(member_table['party'])}.",
            compact=("party", "un_regional_group", "instruments_adopted", "cyber_votes_cast", "source_id"),
        )
    )
    sections.append(
        Section(
            "instruments",
            "Instruments and adoption rates",
            instruments,
            formats={"adoption_rate": "percent"},
            notes="Instruments with no recorded action by any member are not listed (no data is not rejection).",
            compact=("instrument", "adopted", "signed_only", "adoption_rate", "source_id"),
        )
    )
    sections.append(
        Section(
            "votes",
            "Voting record on cyber resolutions",
            vote_table,
            formats={"cohesion": "percent"},
            notes=(
                "Counts of members voting yes/no/abstain, absent, and with no vote row; result is the "
                "whole Assembly's recorded tally."
            ),
            compact=("resolution_id", "date", "series", "yes", "no", "abstain", "majority", "cohesion"),
        )
    )
    sections.append(
        Section(
            "gaps",
            "Gaps: instruments members adopted that others have not",
            gap_table,
            formats={"adoption_rate": "percent"},
            notes=f"Instruments adopted by at least {cfg.min_share:.0%} of the members but not by all.",
            compact=("instrument", "adoption_rate", "not_adopted_by"),
        )
    )
    sections.append(norm_bloc_section(cat, codes, day))
    extra, analytics_method = _bloc_analytics(cat, codes, day, bloc.label)
    sections.extend(extra)

    chart = None
    top = rates.head(10)
    if len(top):
        chart = Chart(
            f"Adoption rate in the bloc (top {len(top)} instruments)",
            list(top["instrument"]),
            [float(v) for v in top["adoption_rate"]],
            "percent",
            1.0,
            [False] * len(top),
        )
    method = method_text(
        GROUP_METHOD if bloc.group_id else "",
        STATUS_METHOD,
        VOTE_METHOD,
        BLOC_METHOD,
        NORM_METHOD,
        analytics_method,
        config_text(cfg),
    )
    return Report(
        kind="bloc_summary",
        title=f"Bloc summary: {bloc.label}",
        subtitle=f"{len(codes)} members; adoptions, voting record and gaps as of {day}",
        as_of=day.isoformat(),
        method=method,
        catalogue_version=catalogue_version(cat),
        sections=sections,
        sources=collect_sources(cat, sections, bloc.extra_sources),
        chart=chart,
        parameters={
            "group_id": bloc.group_id,
            "members": codes if bloc.group_id is None else None,
            "as_of": day.isoformat(),
            "min_share": cfg.min_share,
        },
    )


def _bloc_analytics(cat: Catalogue, codes: Sequence[str], day: date, label: str) -> tuple[list[Section], str]:
    """Cohesion and swing states at the bloc's edge, from tracker.analytics."""
    from tracker.analytics import alignment_tables, swing_states  # scipy and networkx: loaded when needed

    sections: list[Section] = []
    t = alignment_tables(cat, as_of=day)
    present = [c for c in codes if c in t.kappa.index]
    mean_combined: dict[str, float] = {}
    if len(present) >= 2:
        kappa = t.kappa.loc[present, present].to_numpy(dtype=float)
        comb = t.combined.loc[present, present].to_numpy(dtype=float)
        co = t.co_votes.loc[present, present].to_numpy(dtype=float)
        off = ~np.eye(len(present), dtype=bool)
        rows = []
        for i, c in enumerate(present):
            k, m, n = kappa[i][off[i]], comb[i][off[i]], co[i][off[i]]
            mean_combined[c] = float(np.nanmean(m)) if np.isfinite(m).any() else float("nan")
            rows.append(
                {
                    "party_code": c,
                    "party": cat.party_name(c),
                    "mean_vote_kappa": round(float(np.nanmean(k)), 4) if np.isfinite(k).any() else None,
                    "mean_combined": round(mean_combined[c], 4) if np.isfinite(mean_combined[c]) else None,
                    "median_co_votes": int(np.median(n)) if len(n) else 0,
                }
            )
        table = (
            pd.DataFrame(rows)
            .sort_values(["mean_combined", "party_code"], na_position="first", kind="stable")
            .reset_index(drop=True)
        )
        upper = np.triu(off)
        pairs = int(np.isfinite(kappa[upper]).sum())
        mk = np.nanmean(kappa[upper]) if pairs else float("nan")
        mc = np.nanmean(comb[upper]) if np.isfinite(comb[upper]).any() else float("nan")
        text = (
            (
                f"Cohesion of {label}: mean pairwise vote kappa {mk:.2f} over {pairs} of {int(upper.sum())} "
                f"member pairs with enough co-votes; mean combined alignment {mc:.2f}. The least aligned "
                "members come first: they sit at the bloc's edge."
            )
            if pairs
            else (f"Cohesion of {label}: not enough evidence (no member pair has enough co-votes).")
        )
        sections.append(
            Section(
                "cohesion",
                "Cohesion",
                table,
                text=text,
                formats={"mean_vote_kappa": "decimal", "mean_combined": "decimal"},
                compact=("party", "mean_vote_kappa", "mean_combined", "median_co_votes"),
            )
        )
    else:
        sections.append(
            Section(
                "cohesion",
                "Cohesion",
                text=f"Cohesion of {label}: not enough evidence ({len(present)} member(s) with votes).",
            )
        )
    swing = swing_states(cat, as_of=day)
    finite = [v for v in mean_combined.values() if np.isfinite(v)]
    edge = min(finite) if finite else float("inf")
    rows = []
    for r in swing.itertuples(index=False):
        inside = r.party in codes
        if r.party in t.combined.index and present:
            vals = t.combined.loc[r.party, [c for c in present if c != r.party]].to_numpy(dtype=float)
            closeness = float(np.nanmean(vals)) if np.isfinite(vals).any() else float("nan")
        else:
            closeness = float("nan")
        if inside or (np.isfinite(closeness) and closeness >= edge):
            reasons = r.reasons if isinstance(r.reasons, str) else "; ".join(map(str, r.reasons))
            rows.append(
                {
                    "party_code": r.party,
                    "party": r.name,
                    "in_bloc": inside,
                    "mean_alignment_with_bloc": round(closeness, 4) if np.isfinite(closeness) else None,
                    "swing_score": float(r.score),
                    "confidence": float(r.confidence),
                    "reasons": reasons,
                }
            )
    swing_table = pd.DataFrame(
        rows,
        columns=["party_code", "party", "in_bloc", "mean_alignment_with_bloc", "swing_score", "confidence", "reasons"],
    ).head(SWING_ROWS)
    sections.append(
        Section(
            "swing",
            "Swing states at the bloc's edge",
            swing_table,
            formats={"mean_alignment_with_bloc": "decimal"},
            notes=(
                "Swing states (tracker.analytics.swing_states: uncertain bloc placement under resampling, "
                "splits from its own bloc toward another on contested cyber votes, yes on both rival drafts, "
                "between the camps on the open-vs-sovereign axis; confidence = 1 - product of (1 - strength) "
                "over its reasons) that are members, or non-members at least as aligned with the bloc as its "
                f"least aligned member; at most {SWING_ROWS}, most confident first. A whole bloc changing "
                "its vote is a bloc event, not a swing of each member."
            ),
            compact=("party", "in_bloc", "mean_alignment_with_bloc", "confidence", "reasons"),
        )
    )
    method = (
        "Cohesion: mean pairwise chance-corrected vote agreement (Cohen's kappa, all recorded UNGA votes, "
        "absent as missing) and combined alignment (" + weights_text() + ")."
    )
    return sections, method
