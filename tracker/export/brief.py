"""Country brief: one party's adoptions, memberships and voting record, with gaps against a
bloc, its closest partners and, on request, a predicted vote."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from tracker.catalogue import scope
from tracker.catalogue.status import LEVEL_LABELS
from tracker.export.bloc import Bloc, adoption_rates, analysis_config, bloc_votes, config_text, resolve_bloc
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
    resolve_party,
    tally,
    weights_text,
)
from tracker.export.norms import NORM_METHOD
from tracker.export.norms import party_section as norm_party_section
from tracker.export.report import Chart, NoDataError, Report, Section

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

PARTNERS_N = 5  # strongest and weakest partners in a country brief


def country_brief(
    cat: Catalogue,
    party: str,
    *,
    bloc: str | Sequence[str] | None = None,
    resolution: str | None = None,
    as_of: Any = None,
    min_share: float | None = None,
) -> Report:
    """One party's brief: adoptions (with their commitment level), memberships, voting record, norm
    commitments, gaps against a bloc (a group id or name, or a list of parties: instruments at least
    ``min_share`` of it adopted, default the analysis configuration's) and, with the analytics,
    closest partners and a predicted vote."""
    day = as_of_day(as_of)
    cfg = analysis_config(min_share)
    code = resolve_party(cat, party)
    pname = cat.party_name(code)
    if not has_any_data(cat, code):
        raise NoDataError(f"no data for {pname} ({code}): no adoptions, votes or group memberships are recorded")
    names = scope.instrument_labels(cat)
    status = cat.status(day)
    mine = status[status["party_code"] == code]
    memberships = scope.memberships(cat, code, day)
    res = scope.resolutions_in_scope(cat, day)
    votes = cat.votes[(cat.votes["party_code"] == code) & cat.votes["resolution_id"].isin(res["id"])]
    if mine.empty and memberships.empty and votes.empty:
        raise NoDataError(f"no data for {pname} ({code}) as of {day}: nothing is recorded on or before that date")

    bloc_info = None
    if bloc is not None:
        if isinstance(bloc, str):
            bloc_info = resolve_bloc(cat, day, group_id=bloc, members=None)
        else:
            bloc_info = resolve_bloc(cat, day, group_id=None, members=list(bloc))
    inst = cat.instruments.set_index("id")
    adoption_table = (
        pd.DataFrame(
            {
                "instrument_id": mine["instrument_id"],
                "instrument": mine["instrument_id"].map(names),
                "kind": mine["instrument_id"].map(inst["kind"]),
                "pillar": mine["instrument_id"].map(inst["pillar"]),
                "status": mine["status"],
                "level": mine["level"].map(LEVEL_LABELS),
                "since": mine["since"].where(mine["date_known"], "date unknown"),
                "adopted": mine["adopted"],
                "source_id": mine["source_id"],
            }
        )
        .sort_values(["adopted", "instrument"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )

    meta = res.set_index("id")
    vote_table = (
        pd.DataFrame(
            {
                "resolution_id": votes["resolution_id"],
                "date": votes["resolution_id"].map(meta["date"]),
                "series": votes["resolution_id"].map(meta["series"]),
                "title": votes["resolution_id"].map(meta["title"]),
                "vote": votes["vote"],
                "result": [tally(meta.loc[r]) for r in votes["resolution_id"]],
                "source_id": votes["source_id"],
            }
        )
        .sort_values(["date", "resolution_id"], ascending=False)
        .reset_index(drop=True)
    )

    sections: list[Section] = []
    adopted = int(mine["adopted"].sum())
    signed = int((mine["status"] == "signed").sum())
    counts = vote_table["vote"].value_counts()
    lead = (
        f"{pname} ({code}) on {day}: adopted {plural(adopted, 'tracked instrument')} and signed {signed} "
        f"more; member of {plural(len(memberships), 'tracked group')}; "
        f"{plural(len(vote_table), 'recorded cyber vote')} ("
        + ", ".join(f"{int(counts.get(c, 0))} {c}" for c in (*scope.VOTE_CHOICES, "absent"))
        + ")."
    )

    gap_table = None
    chart = None
    if bloc_info is not None:
        others = [c for c in bloc_info.members["party_code"] if c != code]
        if not others:
            raise NoDataError(f"the bloc {bloc_info.label} has no members other than {pname} on {day}")
        rates = adoption_rates(status, others, names)
        party_status = dict(zip(mine["instrument_id"], mine["status"], strict=True))
        party_adopted = set(mine.loc[mine["adopted"], "instrument_id"])
        g = rates[(rates["adoption_rate"] >= cfg.min_share) & ~rates["instrument_id"].isin(party_adopted)]
        gap_table = pd.DataFrame(
            {
                "instrument_id": g["instrument_id"],
                "instrument": g["instrument"],
                "bloc_adoption_rate": g["adoption_rate"],
                "bloc_adopters": g["adopted"],
                "party_status": [party_status.get(i, "no action recorded") for i in g["instrument_id"]],
            }
        ).reset_index(drop=True)
        lead += (
            f" Against {bloc_info.label} ({plural(len(others), 'other member')}): "
            f"{plural(len(gap_table), 'instrument')} adopted by at least {cfg.min_share:.0%} of them that "
            f"{pname} has not."
        )
        bloc_majority = bloc_votes(cat, res, others).set_index("resolution_id")["majority"]
        vote_table.insert(5, "bloc_majority", vote_table["resolution_id"].map(bloc_majority).fillna(""))
        top = rates.head(10)
        if len(top):
            chart = Chart(
                f"Adoption in {bloc_info.label} (bars) and by {pname} (highlighted)",
                list(top["instrument"]),
                [float(v) for v in top["adoption_rate"]],
                "percent",
                1.0,
                [i in party_adopted for i in top["instrument_id"]],
                note=f"Highlighted: adopted by {pname}.",
            )

    sections.append(Section("overview", "Overview", text=lead))
    sections.append(
        Section(
            "adoptions",
            "Adoptions",
            adoption_table,
            notes="Instruments with no recorded action by this party are not listed. Date unknown: the source "
            "lists the action without a date (it counts from the instrument's opening).",
            compact=("instrument", "level", "since", "source_id"),
        )
    )
    sections.append(
        Section("memberships", "Group memberships", memberships, compact=("group", "role", "joined", "source_id"))
    )
    vote_compact = ("resolution_id", "date", "series", "vote", "bloc_majority", "result", "source_id")
    sections.append(
        Section(
            "votes",
            "Voting record on cyber resolutions",
            vote_table,
            compact=tuple(c for c in vote_compact if c in vote_table.columns),
        )
    )
    if gap_table is not None and bloc_info is not None:  # a gap table is only made against a bloc
        sections.append(
            Section(
                "gaps",
                f"Gaps against {bloc_info.label}",
                gap_table,
                formats={"bloc_adoption_rate": "percent"},
                notes=(
                    f"Instruments adopted by at least {cfg.min_share:.0%} of the other "
                    f"members that {pname} has not adopted."
                ),
            )
        )
    sections.append(norm_party_section(cat, code, day))
    extra, partner_chart, analytics_method = _brief_analytics(
        cat, code, day, resolution, bloc_info, with_gaps=gap_table is None, config=cfg
    )
    sections.extend(extra)
    chart = chart or partner_chart
    if chart is None and len(vote_table):
        chart = Chart(
            f"Votes of {pname} on cyber resolutions",
            [*scope.VOTE_CHOICES, "absent"],
            [float(counts.get(c, 0)) for c in (*scope.VOTE_CHOICES, "absent")],
            "count",
            None,
            [False] * 4,
        )
    method = method_text(
        STATUS_METHOD,
        VOTE_METHOD,
        GROUP_METHOD,
        BLOC_METHOD if bloc_info else "",
        NORM_METHOD,
        analytics_method,
        config_text(cfg),
    )
    subtitle = f"Adoptions, memberships and voting record as of {day}"
    if bloc_info is not None:
        subtitle += f"; gaps against {bloc_info.label}"
    return Report(
        kind="country_brief",
        title=f"Country brief: {pname}",
        subtitle=subtitle,
        as_of=day.isoformat(),
        method=method,
        catalogue_version=catalogue_version(cat),
        sections=sections,
        sources=collect_sources(cat, sections, bloc_info.extra_sources if bloc_info else ()),
        chart=chart,
        parameters={
            "party": code,
            "bloc": (bloc_info.group_id or list(bloc_info.members["party_code"])) if bloc_info else None,
            "resolution": resolution,
            "as_of": day.isoformat(),
            "min_share": cfg.min_share,
        },
    )


def _brief_analytics(
    cat: Catalogue, code: str, day: date, resolution: str | None, bloc: Bloc | None, *, with_gaps: bool, config
) -> tuple[list[Section], Chart | None, str]:
    """Closest partners, alignment with the bloc, gaps against the closest partners (when no bloc
    is given) and a predicted vote, from tracker.analytics."""
    from tracker import analytics as an  # scipy and networkx: loaded when needed

    pname = cat.party_name(code)
    sections: list[Section] = []
    chart = None
    partners = an.partners(cat, code, n=PARTNERS_N, as_of=day)
    if partners.empty:
        sections.append(
            Section(
                "partners",
                "Closest and most distant partners",
                text=partners.attrs.get("note", f"not enough evidence for {code}"),
            )
        )
    else:
        table = pd.DataFrame(
            {
                "side": partners["side"],
                "rank": partners["rank"],
                "party_code": partners["partner"],
                "party": partners["name"],
                "score": partners["score"].round(4),
                "co_votes": partners["co_votes"],
                "shared_instruments": partners["shared_instruments"],
            }
        )
        sections.append(
            Section(
                "partners",
                "Closest and most distant partners",
                table,
                formats={"score": "decimal"},
                notes=(
                    "Combined alignment on all recorded UNGA votes, adoption portfolios and norm commitments up "
                    "to the as-of date; 1 = always together, 0 = no better than chance, below 0 = opposed."
                ),
                compact=("side", "rank", "party", "score", "co_votes", "shared_instruments"),
            )
        )
        strongest = table[table["side"] == "strongest"].head(8)
        chart = Chart(
            f"Closest partners of {pname} (combined alignment)",
            list(strongest["party"]),
            [max(0.0, float(v)) for v in strongest["score"]],
            "decimal",
            1.0,
            [False] * len(strongest),
        )
    if bloc is not None:
        # the members on the as-of date, as a list: the group's majority on each vote is taken among
        # them (a group id would recompute the membership on every vote date, which is slow)
        ga = an.group_alignment(cat, code, list(bloc.members["party_code"]), as_of=day)
        parts = [f"Alignment of {pname} with {bloc.label}: {ga.note}."]
        if ga.mean_kappa is not None:
            parts.append(f"Mean vote kappa with the members: {ga.mean_kappa:.2f}.")
        if ga.majority_agreement is not None:
            parts.append(
                f"Agreement with the bloc's majority vote: {ga.majority_agreement:.0%}"
                + (f" (kappa {ga.majority_kappa:.2f})." if ga.majority_kappa is not None else ".")
            )
        sections.append(Section("bloc_alignment", f"Alignment with {bloc.label}", text=" ".join(parts)))
    if with_gaps:
        g = an.gaps(cat, code, as_of=day, config=config)
        label = g.attrs.get("bloc", "its closest partners")
        if g.empty:
            sections.append(Section("gaps", "Gaps against its closest partners", text=g.attrs.get("note", "no gaps")))
        else:
            table = pd.DataFrame(
                {
                    "instrument_id": g["instrument_id"],
                    "instrument": g["instrument_id"].map(scope.instrument_labels(cat)),
                    "partner_adoption_rate": g["bloc_share"].astype(float).round(4),
                    "partner_adopters": g["bloc_adopters"],
                    "partners": g["bloc_size"],
                    "party_status": g["party_status"].replace({"no action": "no action recorded"}),
                }
            )
            sections.append(
                Section(
                    "gaps",
                    "Gaps against its closest partners",
                    table,
                    formats={"partner_adoption_rate": "percent"},
                    notes=f"Instruments adopted by at least {config.min_share:.0%} of {label} that {pname} has "
                    "not adopted.",
                )
            )
    if resolution is not None:
        sections.append(_prediction_section(cat, code, resolution, day))
    method = (
        "Partners and alignment: chance-corrected agreement (Cohen's kappa) on all recorded UNGA "
        "votes with absent as missing, adoption-portfolio kappa and the norm score; " + weights_text() + "."
    )
    if resolution is not None:
        method += (
            " Predicted vote: tracker.analytics.predict_votes with no revealed votes, using only data "
            "dated before the resolution (or before the as-of date, if earlier)."
        )
    return sections, chart, method


def _prediction_section(cat: Catalogue, code: str, resolution: str, day: date) -> Section:
    from tracker.analytics import predict_votes
    from tracker.analytics.readings import signals_text, vote_certainty

    meta = cat.resolutions
    hit = meta[(meta["id"] == resolution) | (meta["symbol"] == resolution)]
    res_day = date.fromisoformat(hit["date"].iloc[0]) if len(hit) and hit["date"].iloc[0] else None
    before = day if res_day is None or day < res_day else None  # None: the day before the vote
    pred = predict_votes(cat, resolution, known={}, as_of=before)
    rid = pred.attrs.get("resolution", resolution)
    pname = cat.party_name(code)
    if code not in pred.index:
        return Section(
            "prediction",
            f"Predicted vote on {rid}",
            text=f"No prediction for {pname}: it is not among the voting members on this resolution.",
        )
    row = pred.loc[code]
    p = float(max(row["p_yes"], row["p_no"], row["p_abstain"]))
    actual = cat.votes[(cat.votes["resolution_id"] == rid) & (cat.votes["party_code"] == code)]
    shown_actual = "" if actual.empty or (res_day is not None and res_day > day) else actual["vote"].iloc[0]
    tally = pred["vote"].value_counts()
    table = pd.DataFrame(
        [
            {
                "resolution_id": rid,
                "party_code": code,
                "party": pname,
                "predicted_vote": row["vote"],
                "p_yes": round(float(row["p_yes"]), 4),
                "p_no": round(float(row["p_no"]), 4),
                "p_abstain": round(float(row["p_abstain"]), 4),
                "certainty": vote_certainty(p),
                "actual_vote": shown_actual,
            }
        ]
    )
    signals = pred.attrs.get("signals", [])
    same = int(
        (pred[["p_yes", "p_no", "p_abstain"]].round(3) == row[["p_yes", "p_no", "p_abstain"]].round(3))
        .all(axis=1)
        .sum()
    )
    text = (
        f"Predicted vote of {pname} on {rid}: {row['vote']} (p = {p:.2f}, certainty {vote_certainty(p)}; the "
        f"probabilities rest on: {signals_text(signals)}"
        + (
            f"; {same} of {len(pred)} parties get this same probability, a rule applied alike, not knowledge of "
            "each party"
            if same > len(pred) // 4
            else ""
        )
        + ")."
        " Predicted overall: " + ", ".join(f"{int(tally.get(c, 0))} {c}" for c in scope.VOTE_CHOICES) + "."
    )
    return Section(
        "prediction",
        f"Predicted vote on {rid}",
        table,
        text=text,
        formats={"p_yes": "percent", "p_no": "percent", "p_abstain": "percent"},
        notes="Actual vote shown only when it was cast on or before the as-of date.",
    )
