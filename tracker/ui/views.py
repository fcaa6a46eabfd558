"""Page sections: an instrument's page, a norm's page, search results, the analytics views, and the
Compare and Country pages drawn from the reports the export builders compute (tracker.export), so
the app and the exports give the same answer to the same question."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from tracker.catalogue import Catalogue, scope
from tracker.catalogue.status import ADOPTED_STATUSES, LEVEL_LABELS, LEVELS
from tracker.derived import DEFAULT_BLOCS, DEFAULT_RESOLUTION
from tracker.errors import TrackerError
from tracker.ui import cache, legends, maps
from tracker.ui import components as ui
from tracker.ui.text import md, web_url

if TYPE_CHECKING:
    from tracker.export import Report, Section


# --------------------------------------------------------------------------- search results


def search_table(cat: Catalogue, query: str, allowed: set[str]) -> pd.DataFrame:
    """The results table: every allowed entry when the query is empty, else the search hits."""
    inst = cat.instruments
    coverage = cat.coverage()
    cols = ["name", "kind", "pillar", "stance", "parties", "id"]
    if not query.strip():
        out = inst[inst["id"].isin(allowed)].assign(parties=lambda d: d["id"].map(coverage["parties"]))
        return out[cols].reset_index(drop=True)
    hits = cache.search_index(cat.version).search(query, limit=30)
    rows = []
    meta = inst.set_index("id")
    for h in hits:
        target = h.id.split("#", 1)[0] if h.kind == "clause" else h.id
        if h.kind in ("instrument", "norm", "clause") and target not in allowed:
            continue
        if h.kind in ("group", "resolution"):
            continue  # groups and resolutions have their own pages (compare, blocs)
        row = {
            "id": target,
            "kind": h.kind,
            "name": h.name,
            "score": round(h.score, 1),
            "matched": f"{h.via}: {h.matched}" if h.via else h.matched,
        }
        if target in meta.index:
            row.update(
                pillar=meta.loc[target, "pillar"],
                stance=meta.loc[target, "stance"],
                parties=int(coverage.loc[target, "parties"]),
            )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["name", "kind", "score", "matched", "pillar", "stance", "parties", "id"])
    return frame.astype({"parties": "Int64"})


# --------------------------------------------------------------------------- instrument page


def _sources_table(cat: Catalogue, ids) -> pd.DataFrame:
    src = cat.sources[cat.sources["id"].isin(set(ids))]
    return src[["id", "title", "publisher", "url", "as_of"]]


def instrument_page(cat: Catalogue, inst_id: str) -> None:
    inst = cat.instruments.set_index("id")
    row = inst.loc[inst_id]
    label = ui.instrument_label(cat)
    st.header(md(row["name"]))  # catalogue text is shown as text, never as markdown (tracker.ui.text)
    facts = [
        f"**Kind** {md(row['kind'].replace('_', ' '))}",
        f"**Pillar** {md(row['pillar'])}",
        f"**Stance** {md(row['stance'])}",
        f"**Body** {md(row['body'] or '—')}",
    ]
    if row["opened"]:
        facts.append(f"**Opened** {md(row['opened'])}")
    if row["in_force"]:
        facts.append(f"**In force** {md(row['in_force'])}")
    facts.append(f"**As of** {md(row['as_of'])}")
    st.markdown(" · ".join(facts))
    if row["value_clusters"]:
        st.caption(
            "Value clusters: "
            + md(", ".join(row["value_clusters"].split(";")))
            + (f" · stance reason: {md(row['stance_reason'])}" if row["stance_reason"] else "")
        )
    if row["description"]:
        st.markdown(md(row["description"]))
    if link := web_url(row["url"]):  # a link from the catalogue's url column, drawn as a link
        st.link_button("Official text or page (opens outside the app)", link)
        st.caption(md(row["url"]))
    ui.propose_change_link(instrument=inst_id)
    if row["parent_id"]:
        st.caption(f"Part of: {md(label(row['parent_id']))} ({md(row['parent_id'])})")
    children = inst.index[inst["parent_id"] == inst_id].tolist()
    if children:
        st.caption("Protocols and parts: " + md(", ".join(f"{label(c)} ({c})" for c in children)))

    if row["kind"] == "norm":
        norm_section(cat, inst_id)
    else:
        adopters_section(cat, inst_id)
        carried = cat.crosswalk[cat.crosswalk["instrument_id"] == inst_id]
        st.subheader("Norms it carries")
        if carried.empty:
            ui.empty_state("The crosswalk links no norm concept to this instrument yet.")
        else:
            st.caption(f"{len(carried)} crosswalk rows (norm concept → clause of this instrument).")
            st.dataframe(
                carried.assign(norm=carried["norm_id"].map(label))[
                    ["norm", "clause", "clause_title", "relationship", "confidence", "rationale", "source_id"]
                ],
                hide_index=True,
                width="stretch",
            )

    st.subheader("Sources")
    ids = {row["source_id"], *cat.adoptions.loc[cat.adoptions["instrument_id"] == inst_id, "source_id"]}
    ids |= set(
        cat.crosswalk.loc[
            (cat.crosswalk["instrument_id"] == inst_id) | (cat.crosswalk["norm_id"] == inst_id), "source_id"
        ]
    )
    ids.discard("")
    src = _sources_table(cat, ids)
    st.caption(f"{len(src)} sources cited for this entry, its adoptions and crosswalk rows.")
    st.dataframe(src, hide_index=True, width="stretch", column_config={"url": st.column_config.LinkColumn("url")})
    if row["kind"] != "norm" and cat.coverage().loc[inst_id, "tracked"]:
        ui.export_spot(
            f"Export the adopters of {label(inst_id)}", key=f"export_{inst_id}", kind="adoptions", instrument=inst_id
        )


def adopters_section(cat: Catalogue, inst_id: str) -> None:
    st.subheader("Adopters")
    coverage = cat.coverage()
    if not coverage.loc[inst_id, "tracked"]:
        ui.empty_state(
            "No adoption actions are recorded for this instrument yet: that means *no data*, "
            "not that nobody adopted it. Curators can propose rows with sources."
        )
        return
    as_of = ui.date_control("As of", key=f"asof_{inst_id}", param="as_of", first=date(1950, 1, 1), slider=False)
    s = cache.status_as_of(cat.version, as_of)
    s = s[s["instrument_id"] == inst_id]
    counts = s["level"].value_counts()
    present = [lv for lv in LEVELS if counts.get(lv, 0)]
    cols = st.columns(len(present) + 2)
    cols[0].metric(
        "Adopted",
        int(s["adopted"].sum()),
        help=f"Parties bound, members, endorsers or participants on {as_of} (a signature alone "
        f"is not adoption), out of {len(cat.parties)} parties in the catalogue.",
    )
    for col, level in zip(cols[1:], present, strict=False):
        col.metric(
            LEVEL_LABELS[level],
            int(counts[level]),
            help=f"Parties whose commitment level on {as_of} is '{LEVEL_LABELS[level]}' (tracker status level).",
        )
    undated = int((~s["date_known"].astype(bool)).sum())
    cols[-1].metric(
        "Date unknown",
        undated,
        help="Statuses resting on a row the source lists without a date: counted from the instrument's "
        "opening, certain only from the source's date; drawn faded on the map.",
    )
    st.caption(
        f"{len(s)} parties with any recorded action on {as_of}, from "
        f"{int(coverage.loc[inst_id, 'rows'])} dated or undated source rows; sources as of "
        f"{coverage.loc[inst_id, 'sources_as_of']}."
    )
    frame = level_frame(cat, s)
    spec = cache.map_spec(cat.version, frame, **level_map_options(f"Commitment level on {as_of}", height=360))
    ui.show_map(spec, key=f"map_{inst_id}")
    ui.map_notes(cat, frame, "Commitment")
    timeline(cat, inst_id)
    with st.expander(f"All {len(s)} parties with a recorded status"):
        table = s.assign(level=s["level"].map(LEVEL_LABELS), since=s["since"].where(s["date_known"], "date unknown"))
        st.dataframe(
            table[["party", "party_code", "level", "status", "since", "detail", "source_id"]].sort_values(
                ["level", "party"]
            ),
            hide_index=True,
            width="stretch",
        )


def level_frame(cat: Catalogue, status: pd.DataFrame) -> pd.DataFrame:
    """One row per party: its commitment level in words (or no action recorded), whether its date
    is known, and since when, for the level map."""
    frame = cat.parties[["code", "name"]].merge(
        status[["party_code", "level", "since", "date_known"]], left_on="code", right_on="party_code", how="left"
    )
    frame["Commitment"] = [legends.level_label(x) for x in frame["level"]]
    frame["Date"] = [legends.date_label(x) for x in frame["date_known"]]
    frame["since"] = ui.text_or(frame["since"])
    return frame[["code", "name", "Commitment", "Date", "since"]]


def level_map_options(title: str, height: int = 420) -> dict:
    """The commitment-level map's colours, legend in words, and the faded date-unknown rows."""
    domain, colours = legends.level_legend()
    return {
        "color": "Commitment",
        "title": title,
        "legend_title": "Commitment level",
        "domain": domain,
        "range_": colours,
        "tooltip": ["since"],
        "height": height,
        "fade": "Date",
        "fade_domain": [legends.DATE_KNOWN, legends.DATE_UNKNOWN],
        "fade_title": "Date of the action",
    }


def timeline(cat: Catalogue, inst_id: str) -> None:
    ad = cache.adoptions_dated(cat.version)
    ad = ad[ad["instrument_id"] == inst_id]
    dated = ad.dropna(subset=["last_day"])
    undated = ad[ad["last_day"].isna()]
    if ad.empty:
        st.caption("No recorded actions to draw a timeline.")
        return
    per = dated.assign(year=dated["last_day"].dt.year.astype(int).astype(str)).groupby(["year", "action"]).size()
    apart = undated.assign(year=legends.DATE_UNKNOWN).groupby(["year", "action"]).size()
    bars = pd.concat([per, apart]).rename("actions").reset_index()
    order = sorted(set(bars["year"]) - {legends.DATE_UNKNOWN}) + ([legends.DATE_UNKNOWN] if len(undated) else [])
    import altair as alt  # imported when drawn: ~0.3 s, not worth paying on every first page

    chart = (
        alt.Chart(bars)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year", sort=order),
            y=alt.Y("actions:Q", title="Actions"),
            color=alt.Color("action:N", scale=alt.Scale(range=maps.OKABE_ITO), title="Action"),
            tooltip=["year", "action", "actions"],
        )
        .properties(title="Timeline of recorded actions", height=220)
    )
    st.altair_chart(chart, width="stretch")
    st.caption(
        f"{len(dated)} dated actions by year; {len(undated)} actions without a date, counted apart "
        f'("{legends.DATE_UNKNOWN}", the last bar): the source lists them without saying when.'
    )


# --------------------------------------------------------------------------- norm page

EVIDENCE_COLUMNS = {
    "rung": "level",
    "document": "document",
    "locator": "locator",
    "quote": "quote",
    "date": "date",
    "polarity": "polarity",
    "kind": "kind",
    "via": "derived via",
    "confidence": "crosswalk confidence",
    "note": "note",
    "source_title": "source",
    "link": "link",
}


def safe_link(url: str) -> str:
    """A source address as a link only when it is a web address (the catalogue's url column)."""
    return url if isinstance(url, str) and url.lower().startswith(("https://", "http://")) else ""


def evidence_table(ev: pd.DataFrame, *, with_party: bool = False, names: dict | None = None) -> pd.DataFrame:
    """Evidence rows as plain-text columns for a table (quotes, locators, documents, sources)."""
    out = pd.DataFrame(
        {
            "rung": [legends.rung_label(lv) for lv in ev["level"]],
            "document": ev["document"],
            "locator": ev["locator"],
            "quote": ev["quote"],
            "date": ev["date"].where(ev["date"] != "", "date unknown"),
            "polarity": ev["polarity"],
            "kind": ev["kind"].str.replace("_", " "),
            "via": [
                f"derived from {i}" if d and i else ("derived" if d else "")
                for d, i in zip(ev["derived"], ev["instrument_id"], strict=True)
            ],
            "confidence": ev["confidence"],
            "note": ev["note"],
            "source_title": ev["source_title"].where(ev["source_title"] != "", ev["source_id"]),
            "link": [safe_link(u) for u in ev["source_url"]],
        },
        index=ev.index,
    ).rename(columns=EVIDENCE_COLUMNS)
    if with_party:
        out.insert(
            0, "party", ev["party_code"].map(names or {}).fillna(ev["party_code"]) + " (" + ev["party_code"] + ")"
        )
    return out


def show_evidence(table: pd.DataFrame, height: int | None = None) -> None:
    """Every cell as plain text; the source address as a link (never an image or markdown)."""
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=height or "auto",
        column_config={
            "quote": st.column_config.TextColumn("quote", width="large"),
            "document": st.column_config.TextColumn("document", width="medium"),
            "link": st.column_config.LinkColumn("link", display_text="source"),
        },
    )


def norm_section(cat: Catalogue, norm_id: str) -> None:
    """A norm's page: where it is written down, a map of every party's rung on the evidence ladder
    (legend in words; rejecting evidence faded), and the evidence per party with its sources."""
    label = ui.instrument_label(cat)
    cw = cat.crosswalk[cat.crosswalk["norm_id"] == norm_id]
    st.subheader("Where the norm is written down")
    if cw.empty:
        ui.empty_state("No crosswalk row links this norm concept to an instrument clause yet.")
    else:
        st.caption(
            f"{len(cw)} crosswalk rows link this norm to clauses of {cw['instrument_id'].nunique()} "
            "instruments (OSCAL relationships: equivalent-to, subset-of, superset-of, intersects-with). "
            "The confidence says how well a clause matches the norm, not how committed a State is."
        )
        st.dataframe(
            cw.assign(instrument=cw["instrument_id"].map(label))[
                ["instrument", "clause", "clause_title", "relationship", "confidence", "rationale", "source_id"]
            ],
            hide_index=True,
            width="stretch",
        )
    norm_ladder_section(cat, norm_id)


def norm_ladder_section(cat: Catalogue, norm_id: str) -> None:
    st.subheader("Who has committed to it, and how strongly")
    lad = cache.norm_ladder(cat.version)
    lad = lad[lad["norm_id"] == norm_id]
    names = cat.party_names()
    if lad.empty:
        ui.empty_state("No evidence is recorded for this norm yet: none recorded means missing data, not rejection.")
        return
    frame = cat.parties[["code", "name"]].merge(lad, left_on="code", right_on="party_code", how="left")
    frame["Commitment"] = [
        legends.NONE_RECORDED if pd.isna(lv) else legends.rung_label(lv, bool(sp))
        for lv, sp in zip(frame["level"], frame["supported"], strict=True)
    ]
    frame["Rejecting evidence"] = [
        legends.REJECTING if pd.notna(r) and bool(r) else legends.NO_REJECTING for r in frame["rejected"]
    ]
    frame["evidence"] = frame["n_evidence"].fillna(0).astype(int).astype(str) + " pieces"
    frame["strongest"] = ui.text_or(frame["document"])
    domain, colours = legends.rung_legend()
    spec = cache.map_spec(
        cat.version,
        frame[["code", "name", "Commitment", "Rejecting evidence", "evidence", "strongest"]],
        color="Commitment",
        title=f"{label_of(cat, norm_id)}: strongest evidence per party",
        legend_title="Strongest evidence (evidence ladder)",
        domain=domain,
        range_=colours,
        tooltip=["evidence", "strongest"],
        height=360,
        fade="Rejecting evidence",
        fade_domain=[legends.NO_REJECTING, legends.REJECTING],
        fade_title="Rejecting evidence (shown beside the support)",
    )
    ui.show_map(spec, key=f"normmap_{norm_id}")
    counts = frame["Commitment"].value_counts()
    rejecting = lad.loc[lad["rejected"], "party_code"].tolist()
    st.caption(
        "Parties by their strongest supporting evidence: "
        + "; ".join(f"{entry} {int(counts.get(entry, 0))}" for entry in domain)
        + ". Rungs, strongest first: binding (a treaty in force for the party whose clause carries it), "
        "national position, implementation (law, strategy, national standard), named commitment "
        "(declaration, joint statement, sponsorship, signature), consensus (joined a UN consensus). "
        + (
            f"Rejecting evidence is recorded for {len(rejecting)} parties ({', '.join(rejecting[:20])}"
            f"{'…' if len(rejecting) > 20 else ''}): drawn faded, listed beside their support below. "
            if rejecting
            else "No rejecting evidence is recorded for this norm. "
        )
        + "None recorded is missing evidence, not rejection."
    )
    ui.map_notes(cat, frame[frame["Commitment"] != legends.NONE_RECORDED], "Commitment")
    ev = cache.norm_evidence(cat.version)
    ev = ev[ev["norm_id"] == norm_id]
    ranked = lad.sort_values(["supported", "level", "party_code"], ascending=[False, True, True])
    options = ranked["party_code"].tolist()
    rung = dict(
        zip(
            lad["party_code"],
            [legends.rung_label(lv, sp) for lv, sp in zip(lad["level"], lad["supported"], strict=True)],
            strict=True,
        )
    )
    code = ui.select(
        "Evidence of one party",
        options,
        default=options[0],
        key=f"norm_party_{norm_id}",
        param="party",
        what="party",
        resolve=ui.party_resolver(cat),
        format_func=lambda c: f"{names.get(c, c)} ({c}): {rung[c]}",
    )
    mine = ev[ev["party_code"] == code].sort_values(["polarity", "level", "date"])
    st.caption(
        f"{len(mine)} pieces of evidence for {md(names.get(code, code))}: strongest {rung[code]}"
        + (" · rejecting evidence recorded (listed, never netted away)" if code in rejecting else "")
        + ". Derived rows come from the party's adoptions or votes through the crosswalk."
    )
    show_evidence(evidence_table(mine))
    with st.expander(f"All {len(ev)} pieces of evidence for this norm ({len(lad)} parties)"):
        show_evidence(evidence_table(ev, with_party=True, names=names), height=420)


def label_of(cat: Catalogue, item: str) -> str:
    return ui.instrument_label(cat)(item)


# --------------------------------------------------------------------------- analytics views

TOPICS = {"all": "all UNGA votes", "cyber": "cyber resolutions only"}
SCORE_HELP = (
    "Cohen's kappa: agreement corrected for chance (1 = always together, 0 = no better than chance, "
    "negative = systematically opposed). Raw agreement counts an abstention against a yes or no as half."
)


def config(**changes):
    """The analysis configuration the app shares with the CLI and the exports
    (tracker.analytics.config.AnalysisConfig defaults), with a page's choices applied."""
    from tracker.analytics.config import AnalysisConfig  # the analytics load when an analysis page runs

    return AnalysisConfig().replace(**changes)


def config_caption(cfg) -> None:
    st.caption(f"Analysis configuration (the same in the CLI and the exports): {cfg.describe()}.")


def topic_radio(key: str) -> str:
    default = config().topic
    return ui.select(
        "Votes considered",
        list(TOPICS),
        default=default if default in TOPICS else "all",
        radio=True,
        param="topic",
        format_func=TOPICS.get,
        horizontal=True,
        key=key,
        help="All: every recorded UNGA vote (the analysis configuration's default: more evidence, stable "
        "blocs). Cyber: the UN General Assembly resolutions on ICT security and cybercrime only.",
    )


def _fmt(x, pattern: str = "{:+.2f}") -> str:
    return "n/a" if x is None or pd.isna(x) else pattern.format(x)


def readings_text() -> str:
    from tracker.analytics.readings import legend_text

    return legend_text()


BASIS_HELP = {
    "votes": "votes: chance-corrected agreement on the UNGA votes considered",
    "combined": "combined: votes, adoption portfolios and norm commitments, weighted as stated",
    "adoptions": "adoptions: commitment levels on the tracked instruments",
    "norms": "norms: strongest evidence on each norm's ladder",
}


def alignment_map(cat: Catalogue, focus: str, as_of: date, basis: str, topic: str) -> None:
    """Overview map: every party coloured by the reading of its alignment with ``focus``."""
    m = cache.alignment_matrix(cat.version, basis, topic, as_of)
    names = cat.party_names()
    if focus not in m.index:
        ui.empty_state(
            f"Not enough evidence to place {md(names.get(focus, focus))} (too few recorded votes or "
            "adoptions up to this date)."
        )
        return
    row = m.loc[focus].drop(focus, errors="ignore")
    frame = pd.DataFrame({"code": row.index, "score": row.to_numpy()}).dropna()
    if frame.empty:
        ui.empty_state(
            f"Not enough evidence to compare {md(names.get(focus, focus))} with anyone up to {as_of} "
            "(too few co-votes, adoptions or norm commitments); try another party, a later date or other evidence."
        )
        return
    frame["name"] = frame["code"].map(names)
    frame["Reading"] = [legends.reading_entry(x) for x in frame["score"]]
    frame["Score"] = frame["score"].map(_fmt)
    domain, colours = legends.reading_legend()
    title = f"Alignment with {names.get(focus, focus)} on {as_of} ({basis})"
    spec = cache.map_spec(
        cat.version,
        frame[["code", "name", "Reading", "Score"]],
        color="Reading",
        title=title,
        legend_title="Reading of the score",
        domain=domain,
        range_=colours,
        tooltip=["Score"],
    )
    ui.show_map(spec, key="overview_align_map")
    attrs = m.attrs
    undated = ""
    if basis in ("combined", "adoptions") and attrs.get("adoption_data"):
        undated = (
            f" The adoption portfolios on {as_of} used {attrs.get('undated_rows', 0)} rows without a known date "
            "(counted from the instrument's opening)"
            + (
                f", {attrs['undated_after_as_of']} of them confirmed by their source only after {as_of}."
                if attrs.get("undated_after_as_of")
                else "."
            )
        )
    votes = f" Votes: {TOPICS.get(topic, topic)}." if basis in ("votes", "combined") else ""
    st.caption(
        f"{len(frame)} parties with enough evidence ({BASIS_HELP.get(basis, basis)}); light grey = not enough "
        f"evidence. Readings of the score: {readings_text()}.{votes}{undated} "
        + (f"{attrs['weights']}." if basis == "combined" else SCORE_HELP)
    )
    ui.map_notes(cat, frame, "Reading")


def partners_section(cat: Catalogue, code: str) -> None:
    """Closest and most distant partners, bloc and open-vs-sovereign position."""
    from tracker.analytics.readings import reading

    names = cat.party_names()
    topic = topic_radio("country_topic")
    cfg = config(topic=topic)
    try:
        part = cache.partners(cat.version, code, topic)
    except TrackerError as exc:
        ui.empty_state(f"Partners: {md(exc)}")
        part = pd.DataFrame()
    if len(part):
        st.caption(
            f"Combined alignment (votes: {TOPICS[topic]}; plus adoption portfolios and norm commitments). "
            f"Readings: {readings_text()}. {SCORE_HELP}"
        )
        part = part.assign(reading=[reading(x) for x in part["score"]])
        left, right = st.columns(2)
        cols = ["name", "score", "reading", "co_votes", "shared_instruments"]
        left.markdown("**Closest partners**")
        left.dataframe(part[part["side"] == "strongest"][cols], hide_index=True, width="stretch")
        right.markdown("**Most distant**")
        right.dataframe(part[part["side"] == "weakest"][cols], hide_index=True, width="stretch")
    elif part.attrs.get("note") is not None:
        ui.empty_state(md(part.attrs["note"]))
    st.markdown("**Voting bloc** (the analysis configuration's blocs)")
    try:
        b = cache.blocs(cat.version, *DEFAULT_BLOCS)
    except TrackerError as exc:  # too little evidence in this catalogue for any bloc
        b = None
        st.caption(md(exc))
    where = b.assignments[b.assignments["party"] == code] if b is not None else pd.DataFrame()
    if b is None:
        pass
    elif where.empty:
        st.caption(f"{md(names.get(code, code))} is not placed in a bloc (too few votes).")
    else:
        bloc = int(where["bloc"].iloc[0])
        info = b.blocs.set_index("bloc").loc[bloc]
        place = float(where["placement"].iloc[0])
        st.write(
            f"Bloc {bloc}: {md(info['label'])}. {int(info['size'])} members, cohesion {_fmt(info['cohesion'])} "
            f"(mean kappa inside the bloc), stability {_fmt(info['stability'], '{:.2f}')} (mean Jaccard over "
            f"resamples; >= 0.75 stable). {md(names.get(code, code))} is placed with it in {place:.0%} of resamples"
            + (" (uncertain placement)." if bool(where["uncertain"].iloc[0]) else ".")
        )
    config_caption(config(**dict(zip(("method", "basis", "topic"), DEFAULT_BLOCS, strict=True))))
    if topic != cfg.topic:
        st.caption(f"Partners above use {TOPICS[topic]}.")
    ax = cache.axis(cat.version)
    st.markdown("**Open-vs-sovereign axis** (positive = the DFI/GGE side, negative = the sovereignty side)")
    if code not in ax.index:
        st.caption("Not placed on the axis (too few cyber votes).")
    else:
        r = ax.loc[code]
        rank = int((ax["position"] > r["position"]).sum()) + 1
        st.write(
            f"Position {r['position']:+.2f} (95% interval {r['low']:+.2f} to {r['high']:+.2f}; "
            f"{int(r['n_votes'])} cyber votes), rank {rank} of {len(ax)} from the open end."
        )
        points = ax.reset_index()[["party", "position"]].assign(this=lambda d: d["party"] == code)
        st.vega_lite_chart(
            spec={  # a plain Vega-Lite spec: no Altair import and validation on this page
                "$schema": maps.VEGA_LITE_SCHEMA,
                "config": {"view": {"continuousWidth": 300, "continuousHeight": 300}},
                "data": {"name": "axis"},
                "mark": {"type": "tick", "size": 24, "thickness": 2},
                "encoding": {
                    "color": {
                        "field": "this",
                        "legend": None,
                        "type": "nominal",
                        "scale": {"domain": [False, True], "range": ["#BBBBBB", "#D55E00"]},
                    },
                    "tooltip": [
                        {"field": "party", "type": "nominal"},
                        {"field": "position", "format": "+.2f", "type": "quantitative"},
                    ],
                    "x": {"field": "position", "title": "open-vs-sovereign position", "type": "quantitative"},
                },
                "height": 60,
                "datasets": {"axis": maps.records(points)},
            },
            width="stretch",
        )


def analytics_gaps(cat: Catalogue, code: str, ref: str, *, is_group: bool, min_share: float) -> None:
    """Gaps from the analytics, ranked by the share of the bloc (or the reference party) that adopted,
    and the norms the bloc committed to above consensus that the party has not."""
    names = cat.party_names()
    bloc, reference = (ref, None) if is_group else (None, ref)
    try:
        g = cache.gaps(cat.version, code, bloc, reference, min_share)
    except TrackerError as exc:
        ui.empty_state(md(exc))
        return
    against = md(f"group {ref}" if is_group else names.get(ref, ref))
    config_caption(config(min_share=min_share))
    st.markdown("**Instruments**")
    if g.empty:
        ui.empty_state(
            f"No gap: {md(names.get(code, code))} has adopted every instrument that at least {min_share:.0%} of "
            f"{against} adopted (as recorded)."
        )
    else:
        size = int(g["bloc_size"].iloc[0])
        st.caption(
            f"{len(g)} instruments adopted by at least {min_share:.0%} of {against} ({size} parties) but not by "
            f"{names.get(code, code)}, ranked by the share that adopted them."
        )
        st.dataframe(
            g,
            hide_index=True,
            width="stretch",
            column_config={
                "bloc_share": st.column_config.ProgressColumn(
                    "share adopted", format="percent", min_value=0, max_value=1
                )
            },
        )
    st.markdown("**Norm commitments** (the third signal: the evidence ladder)")
    try:
        ng = cache.norm_gaps(cat.version, code, bloc, reference, min_share)
    except TrackerError as exc:
        ui.empty_state(str(exc))
        return
    if ng.empty:
        ui.empty_state(ng.attrs.get("note", "No norm gap."))
        return
    st.caption(
        f"{len(ng)} norms that at least {min_share:.0%} of {against} committed to above consensus (a named "
        f"commitment or stronger) while {md(names.get(code, code))} has no such evidence (joining a UN consensus "
        "is not counted: nearly every UN member did)."
    )
    st.dataframe(
        ng,
        hide_index=True,
        width="stretch",
        column_config={
            "bloc_share": st.column_config.ProgressColumn("share committed", format="percent", min_value=0, max_value=1)
        },
    )


def next_adopters(cat: Catalogue, inst_id: str) -> None:
    """The non-adopters most likely to adopt next (similarity-weighted neighbour adoption)."""
    try:
        nxt = cache.next_adopters(cat.version, inst_id)
    except TrackerError as exc:
        ui.empty_state(md(exc))
        return
    if nxt.empty:
        ui.empty_state("No candidate: every party with enough evidence has already adopted it.")
        return
    k = int(nxt["neighbours"].iloc[0])
    st.caption(
        f"Top {len(nxt)} non-adopters ranked by how many of their {k} most similar parties (by combined alignment: "
        "votes, adoptions, norms) adopted it, weighted by similarity. Validated on history in the analytics backtest."
    )
    st.dataframe(
        nxt,
        hide_index=True,
        width="stretch",
        column_config={"score": st.column_config.ProgressColumn(format="%.2f", min_value=0, max_value=1)},
    )
    section = cache.backtest_text("next adopters")
    if section:
        with st.expander("How well this ranking predicted past adoptions (measured by benchmarks/backtest.py)"):
            st.markdown(section)


BLOC_COLOURS = maps.OKABE_ITO
CERTAIN_PLACEMENT = "placed with its bloc"


def blocs_section(cat: Catalogue) -> None:
    st.subheader("Likely voting blocs")
    from tracker.analytics.blocs import METHODS
    from tracker.analytics.config import BASES

    default = config()
    c = st.columns(3)
    with c[0]:
        method = ui.select(
            "Method",
            METHODS,
            default=default.method,
            key="blocs_method",
            param="method",
            help="hierarchical: average-linkage clustering on 1 - kappa, the number of blocs chosen by stability "
            "under resampling; louvain: network communities with a resolution sweep.",
        )
    with c[1]:
        basis = ui.select("Evidence", BASES, default=default.basis, key="blocs_basis", param="basis")
    with c[2]:
        topic = ui.select(
            "Votes considered",
            list(TOPICS),
            default=default.topic,
            format_func=TOPICS.get,
            key="blocs_topic",
            param="topic",
        )
    method, basis, topic = str(method), str(basis), str(topic)
    cfg = config(method=method, basis=basis, topic=topic)
    try:
        b = cache.blocs(cat.version, method, basis, topic)
    except TrackerError as exc:
        ui.empty_state(md(exc))
        return
    config_caption(cfg)
    a = b.assignments.rename(columns={"party": "code"})
    labels = b.blocs.set_index("bloc")["label"]
    a["Bloc"] = a["bloc"].map(lambda x: f"{x}: {labels.get(x, '')}")
    unsure = f"uncertain (placed with its bloc in < {cfg.placement:.0%} of resamples)"
    a["Placement"] = [unsure if u else CERTAIN_PLACEMENT for u in a["uncertain"]]
    a["placed"] = a["placement"].map(lambda x: _fmt(x, "{:.0%}"))
    domain = [f"{x}: {labels[x]}" for x in labels.index]
    spec = cache.map_spec(
        cat.version,
        a[["code", "Bloc", "Placement", "placed"]],
        color="Bloc",
        title=f"Blocs ({method}, {basis}, {TOPICS.get(topic, topic)})",
        legend_title="Bloc",
        domain=domain,
        range_=BLOC_COLOURS[: len(domain)],
        tooltip=["placed"],
        fade="Placement",
        fade_domain=[CERTAIN_PLACEMENT, unsure],
        fade_title="Placement under resampling",
    )
    ui.show_map(spec, key="blocs_map")
    detail = b.details
    n_unsure = int(a["uncertain"].sum())
    st.caption(
        f"{len(a)} parties placed in {len(labels)} blocs ({detail.get('k_rule') or 'louvain'}); {n_unsure} with an "
        f"uncertain placement (faded); {len(b.excluded)} left out for too little evidence "
        f"({', '.join(b.excluded[:12])}{'…' if len(b.excluded) > 12 else ''})."
        + (f" Unaligned (no strong ties): {', '.join(detail['unaligned'])}." if detail.get("unaligned") else "")
    )
    table = b.blocs.assign(
        uncertain_members=b.blocs["uncertain_members"].map(lambda m: ", ".join(m) or "—"),
        members=b.blocs["members"].map(lambda m: ", ".join(m)),
        defining_instruments=b.blocs["defining_instruments"].map(lambda m: "; ".join(m)),
        defining_votes=b.blocs["defining_votes"].map(lambda m: "; ".join(m)),
    )[
        [
            "bloc",
            "label",
            "size",
            "cohesion",
            "stability",
            "uncertain_members",
            "defining_votes",
            "defining_instruments",
            "members",
        ]
    ]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "cohesion": st.column_config.NumberColumn(help="Mean kappa between members of the bloc", format="%.2f"),
            "stability": st.column_config.NumberColumn(
                help="Mean Jaccard of the bloc with its best match in each resample of the votes (>= 0.75 stable, "
                "< 0.5 dissolves)",
                format="%.2f",
            ),
            "uncertain_members": st.column_config.TextColumn(
                help=f"Members placed with this bloc in fewer than {cfg.placement:.0%} of the resamples"
            ),
        },
    )
    st.markdown("**Between-bloc agreement** (mean kappa between members of two blocs; the diagonal is cohesion)")
    st.dataframe(b.between.round(2), width="stretch")

    st.markdown("**Bloc events** (a whole bloc changing its vote between two votes of a series)")
    try:
        events = cache.bloc_events(cat.version, method, basis, topic)
    except TrackerError as exc:
        events = pd.DataFrame()
        st.caption(f"No bloc events: {exc}")
    if events.empty:
        st.caption("No bloc changed its majority vote between consecutive contested cyber votes of a series.")
    else:
        st.caption(
            f"{len(events)} bloc events: most members who voted both times made the same change. A bloc event is "
            "not a swing of each member."
        )
        st.dataframe(events, hide_index=True, width="stretch")

    st.subheader("Swing states")
    sw = cache.swing_states(cat.version)
    used = sw.attrs.get("config", "")
    if used != cfg.describe():
        st.caption(f"Swing states are those of the default configuration ({used}), whatever the choice above.")
    if sw.empty:
        ui.empty_state(sw.attrs.get("note") or "No party's own position is between camps with enough confidence.")
    else:
        st.caption(
            f"{len(sw)} parties whose own position is between camps, on {sw.attrs.get('contested_votes', 0)} "
            "contested cyber votes: uncertain bloc placement, splits toward another bloc, yes on both rival drafts, "
            "between the camps on the open-vs-sovereign axis. Confidence = 1 - product of (1 - strength) over the "
            f"reasons; a swing state needs {default.swing_confidence:.2f}."
        )
        shown = sw.assign(reasons=sw["reasons"].map(lambda r: " · ".join(r) if isinstance(r, list | tuple) else r))
        st.dataframe(
            shown[
                ["party", "name", "bloc", "confidence", "reasons", "placement", "splits", "rival_sessions", "between"]
            ],
            hide_index=True,
            width="stretch",
            height=320,
            column_config={
                "confidence": st.column_config.ProgressColumn(format="%.2f", min_value=0, max_value=1),
                "placement": st.column_config.NumberColumn(format="%.2f"),
            },
        )
    bloc_exports(b, method)


def bloc_exports(b, method: str) -> None:
    """One export control per bloc listed: its summary as PDF, XLSX, JSON, ... or a briefing pack."""
    st.markdown("**Export a bloc summary** (each bloc's members, adoptions, votes, gaps and swing states)")
    for row in b.blocs.itertuples(index=False):
        name = f"Bloc {row.bloc} ({method}): {row.label}"
        ui.export_spot(name, key=f"export_bloc_{row.bloc}", kind="bloc", members=list(row.members), name=name)


VOTES = ["yes", "no", "abstain"]
VOTE_COLOURS = [legends.VOTE_COLOURS[v] for v in VOTES]
LOW = "low confidence (p < 0.6): a guess"  # tracker.analytics.readings.UNSURE
NOT_LOW = "p >= 0.6"


def prediction_section(cat: Catalogue) -> None:
    st.subheader("Predicted votes")
    from tracker.analytics.backtest import CONTESTED

    cyber = scope.resolutions_in_scope(cat, date.today(), newest_first=True)
    options = cyber["id"].tolist()
    titles = dict(
        zip(cyber["id"], cyber["date"] + " · " + cyber["series"] + " · " + cyber["title"].str[:70], strict=True)
    )
    default = DEFAULT_RESOLUTION if DEFAULT_RESOLUTION in options else options[0]
    rid = ui.select(
        "Resolution",
        options,
        default=default,
        key="predict_resolution",
        param="resolution",
        format_func=lambda r: f"{r} ({titles[r]})",
    )
    names = cat.party_names()
    codes = ui.party_options(cat)
    st.caption(
        "Set the votes you already know (e.g. from statements or co-sponsorship); everything else is "
        "predicted from data dated before the vote: the series' earlier votes, agreement-weighted "
        "neighbours among the known votes, bloc majorities and adoption portfolios."
    )
    known: dict[str, str] = {}
    kc = st.columns(3)
    for col, vote in zip(kc, VOTES, strict=True):
        with col:
            chosen = ui.multiselect(
                f"Known {vote}",
                [c for c in codes if c not in known],
                key=f"known_{vote}",
                param=vote,
                what="party",
                format_func=ui.party_label(cat),
            )
        for c in chosen:
            known.setdefault(c, vote)
    try:
        pred = cache.predict_votes(cat.version, rid, tuple(sorted(known.items())))
    except TrackerError as exc:
        ui.empty_state(md(exc))
        return
    actual = cat.votes[(cat.votes["resolution_id"] == rid) & (cat.votes["vote"] != "absent")].set_index("party_code")[
        "vote"
    ]
    frame = pred.reset_index().rename(columns={"party_code": "code", "vote": "predicted"})
    frame["name"] = frame["code"].map(names)
    actual_by_code = actual.to_dict()
    frame["known"] = [known.get(c, "") for c in frame["code"]]
    frame["actual"] = [actual_by_code.get(c, "") for c in frame["code"]]
    frame["probability"] = frame[["p_yes", "p_no", "p_abstain"]].max(axis=1)
    frame["certainty"] = [
        "given as known" if k else legends.certainty(p)
        for k, p in zip(frame["known"], frame["probability"], strict=True)
    ]
    no_history = set(pred.attrs.get("no_history", []))
    frame["basis"] = [
        "given as known" if k else ("no earlier vote: the Assembly's usual vote" if c in no_history else "predicted")
        for c, k in zip(frame["code"], frame["known"], strict=True)
    ]
    frame["Confidence"] = [
        LOW if p < legends.unsure() and not k else NOT_LOW
        for p, k in zip(frame["probability"], frame["known"], strict=True)
    ]
    counts = frame["predicted"].value_counts()
    metrics = st.columns(5)
    for col, vote in zip(metrics, VOTES, strict=False):
        col.metric(f"Predicted {vote}", int(counts.get(vote, 0)))
    low = int((frame["Confidence"] == LOW).sum())
    metrics[3].metric(
        "Low-confidence predictions",
        low,
        help=f"Parties whose most likely vote has a probability below {legends.unsure():.1f}: a guess, drawn faded.",
    )
    scored = frame[(frame["known"] == "") & (frame["actual"] != "")]
    if len(scored):
        acc = float((scored["predicted"] == scored["actual"]).mean())
        metrics[4].metric(
            "Accuracy against the real vote",
            f"{acc:.0%}",
            help=f"On the {len(scored)} parties whose vote was not given as known and who voted.",
        )
    from tracker.analytics.readings import signals_text

    signals = pred.attrs.get("signals", [])
    st.caption(
        f"{len(frame)} parties predicted, {len(known)} known votes given; nothing dated on or after the "
        "vote is used, and of the resolution's own votes only the known ones. "
        f"The probabilities rest on: {signals_text(signals)}."
    )
    st.caption(_shared_probability_note(frame, pred.attrs))
    spec = cache.map_spec(
        cat.version,
        frame[["code", "predicted", "Confidence", "certainty"]].rename(columns={"predicted": "Predicted"}),
        color="Predicted",
        title=f"Predicted votes on {rid}",
        legend_title="Predicted vote",
        domain=VOTES,
        range_=VOTE_COLOURS,
        tooltip=["certainty"],
        height=360,
        fade="Confidence",
        fade_domain=[NOT_LOW, LOW],
        fade_title="Confidence of the prediction",
    )
    ui.show_map(spec, key="predict_map")
    st.dataframe(
        frame[
            [
                "name",
                "code",
                "predicted",
                "probability",
                "certainty",
                "basis",
                "p_yes",
                "p_no",
                "p_abstain",
                "known",
                "actual",
            ]
        ].sort_values(["probability", "p_yes"]),
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            col: st.column_config.NumberColumn(format="%.2f") for col in ("probability", "p_yes", "p_no", "p_abstain")
        },
    )

    st.markdown(
        "**How good is the method?** Backtest: only data before the vote, 20% of the votes revealed "
        "(5 seeds), the other 80% predicted; compared with the baselines in the same run."
    )
    section = cache.backtest_text("prediction backtest")
    if section:
        with st.expander(
            "Backtest over the 12 contested cyber votes (measured by benchmarks/backtest.py)", expanded=False
        ):
            st.markdown(section)
    if rid in CONTESTED:
        summary = cache.backtest_one(cat.version, rid)
        st.dataframe(summary.reset_index(), hide_index=True, width="stretch")
        st.caption(
            f"Backtest on {rid} itself: mean over 5 seeds of accuracy, macro-F1 and log loss per method "
            "(ours vs always-yes, last vote in the series, 15 nearest neighbours)."
        )
    elif not section:
        ui.empty_state(
            f"{rid} is not one of the 12 contested votes of the backtest, and this build ships no backtest "
            "summary (benchmarks/backtest.py writes it)."
        )


def _shared_probability_note(frame: pd.DataFrame, attrs: dict) -> str:
    """Say so when many parties share one probability: it is a signal's rule, not knowledge of each."""
    guessed = frame[frame["known"] == ""]
    if guessed.empty:
        return "Every vote was given as known."
    same = guessed.round({"p_yes": 3, "p_no": 3, "p_abstain": 3}).groupby(["p_yes", "p_no", "p_abstain"]).size()
    top = int(same.max())
    if top < max(10, len(guessed) // 4):
        return (
            f"Probabilities differ from party to party ({len(same)} distinct values among {len(guessed)} predictions)."
        )
    p = float(guessed["probability"].round(3).mode().iloc[0])
    previous = attrs.get("previous_in_series")
    rule = (
        f"each repeats its vote on {previous}, the previous vote of the series"
        if previous and attrs.get("signals") == ["series"]
        else "the same signals point the same way for all of them"
    )
    return (
        f"{top} of {len(guessed)} parties share the same probability ({p:.2f}): {rule}. It is a rule applied alike, "
        "not knowledge of each party; give known votes to let the other signals in, and see the backtest below for "
        "how often such predictions held."
    )


# --------------------------------------------------------------------------- reports of the export builders


def report(kind: str, **params) -> Report | None:
    """The Report of the export builder ``kind`` (tracker.export.BUILDERS) for these arguments,
    cached; None after saying why there is none (a one-line user error)."""
    try:
        return cache.export_report(cache.get_catalogue().version, kind, cache.freeze(params))
    except TrackerError as exc:
        ui.empty_state(md(exc))
        return None


def section_table(section: Section) -> pd.DataFrame:
    """The table of a section whose builder always gives it one (those this module shows)."""
    assert section.table is not None, f"section {section.key!r} has no table"
    return section.table


def show_table(section: Section, columns: Sequence[str] | None = None, rename: dict[str, str] | None = None) -> None:
    """A section's table (or some of its columns) with the section's number formats."""
    full = section_table(section)
    table = full if columns is None else full[list(columns)]
    formats = {c: f for c, f in section.formats.items() if c in table.columns}
    if rename:
        table = table.rename(columns=rename)
        formats = {rename.get(c, c): f for c, f in formats.items()}
    config = {
        c: st.column_config.NumberColumn(format="percent" if f == "percent" else "%.2f") for c, f in formats.items()
    }
    st.dataframe(table, hide_index=True, width="stretch", column_config=config)


# --------------------------------------------------------------------------- Compare (export.comparison)


def comparison(cat: Catalogue, codes: list[str], group: str) -> Report | None:
    """The Compare page below the pickers: alignment, instruments shared and not, the cyber votes
    where they split, all from the comparison report (with the group, when one is chosen)."""
    st.subheader("Alignment")
    topic = topic_radio("compare_topic")
    rep = report("compare", parties=codes, group=group or None, topic=topic)
    if rep is None:
        return None
    members = rep.find("group")
    if group and members is not None and section_table(members).empty:
        st.warning(f"No current members are recorded for {md(scope.group_label(cat, group))}; its column stays empty.")
    _comparison_alignment(cat, rep, codes, group, topic)
    _comparison_norms(cat, rep, codes)
    _comparison_instruments(cat, rep, codes)
    _comparison_votes(cat, rep, codes, group)
    config_caption(config(topic=topic))
    return rep


def _comparison_alignment(cat: Catalogue, rep: Report, codes: list[str], group: str, topic: str) -> None:
    from tracker.analytics.alignment import weights_text

    names = cat.party_names()
    pairs = rep.find("alignment")
    if pairs is not None and len(codes) == 2:
        p = section_table(pairs).iloc[0]
        c = st.columns(4)
        c[0].metric("Combined alignment", _fmt(p["combined"]), help=f"{weights_text()}. Readings: {readings_text()}.")
        c[1].metric(
            "Vote agreement (raw)",
            _fmt(p["vote_agreement"], "{:.0%}"),
            help=f"Share of the {p['co_votes']} co-votes on which they agree ({TOPICS[topic]}).",
        )
        c[2].metric("Vote kappa", _fmt(p["vote_kappa"]), help=SCORE_HELP)
        c[3].metric(
            "Norm score",
            _fmt(p["norm_score"]),
            help="Cosine of the two parties' deviations from each norm's usual commitment (evidence ladder): "
            "1 = committed above and below the usual on the same norms.",
        )
        evidence = str(p["note"]).removeprefix("not enough evidence: ")
        st.caption(
            f"Reading: {p['reading']} ({readings_text()}). Evidence: {evidence} ({TOPICS[topic]} for the votes). "
            f"{weights_text()}."
        )
    elif pairs is not None:
        t = section_table(pairs)
        table = pd.DataFrame(
            {
                "pair": [
                    f"{names.get(a, a)} – {names.get(b, b)}" for a, b in zip(t["party_a"], t["party_b"], strict=True)
                ],
                "combined": t["combined"],
                "vote kappa": t["vote_kappa"],
                "raw vote agreement": t["vote_agreement"],
                "co-votes": t["co_votes"],
                "adoption kappa": t["adoption_kappa"],
                "shared instruments": t["shared_instruments"],
                "norm score": t["norm_score"],
                "reading": t["reading"],
                "note": t["note"],
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={"raw vote agreement": st.column_config.NumberColumn(format="percent")},
        )
    against = rep.find("group_alignment")
    if against is not None:
        n = len(section_table(rep.section("group")))
        st.caption(f"Against the group {group} ({n} current members):")
        show_table(
            against,
            ["party", "mean_kappa_with_members", "majority_agreement", "majority_kappa", "co_votes", "note"],
            rename={
                "mean_kappa_with_members": "mean kappa with members",
                "majority_agreement": "agreement with the group majority",
                "majority_kappa": "kappa with the majority",
                "co_votes": "co-votes",
            },
        )


def _comparison_norms(cat: Catalogue, rep: Report, codes: list[str]) -> None:
    """The parties' norm ladders side by side (the comparison report's norms section)."""
    st.subheader("Norm commitments side by side")
    section = rep.find("norms")
    if section is None or section_table(section).empty:
        ui.empty_state("The catalogue holds no norm concept yet.")
        return
    names = cat.party_names()
    table = section_table(section).rename(columns={c: f"{names.get(c, c)} ({c})" for c in codes})
    st.caption(
        "Each party's strongest supporting evidence per norm, on the ladder 1 binding, 2 national position, "
        "3 implementation, 4 named commitment, 5 consensus; none recorded is missing evidence, not rejection. "
        "Rejecting evidence is named beside the support."
    )
    st.dataframe(table.drop(columns=["norm_id"]), hide_index=True, width="stretch")


def _comparison_instruments(cat: Catalogue, rep: Report, codes: list[str]) -> None:
    st.subheader("Instruments: shared and not")
    section = rep.section("instruments")
    names = cat.party_names()
    label = ui.instrument_label(cat)
    coverage = cat.coverage()
    tracked = coverage.index[coverage["tracked"]]
    rows = section_table(section).set_index("instrument_id")
    rows = rows.reindex(sorted(set(tracked) | set(rows.index), key=lambda i: label(i).casefold()))
    table = pd.DataFrame({"instrument": rows.index.map(label)}, index=rows.index)
    for c in codes:
        table[names.get(c, c)] = ui.text_or(rows[c]).replace("", "—")
    if "group_adoption_rate" in rows.columns:
        share = rows["group_adoption_rate"].astype(float).fillna(0.0)
        table[section.label("group_adoption_rate")] = share.map(lambda x: f"{x:.0%}")
    if len(codes) >= 2:
        adopted = pd.DataFrame({c: rows[c].isin(ADOPTED_STATUSES) for c in codes})
        all_in, any_in = adopted.all(axis=1), adopted.any(axis=1)
        table["shared"] = all_in.map({True: "all adopted", False: ""})
        table.loc[any_in & ~all_in, "shared"] = "split"
        st.caption(
            f"Of {len(tracked)} instruments with adoption data: {int(all_in.sum())} adopted by all "
            f"{len(codes)} parties, {int((any_in & ~all_in).sum())} split, "
            f"{int((~any_in).sum())} adopted by none of them."
        )
    st.dataframe(table.reset_index(drop=True), hide_index=True, width="stretch")


def _comparison_votes(cat: Catalogue, rep: Report, codes: list[str], group: str) -> None:
    st.subheader("UN cyber votes where they split")
    section = rep.section("votes")
    votes = section_table(section)
    if votes.empty:
        ui.empty_state("None of the chosen parties has a recorded vote on the cyber resolutions.")
        return
    voters = [*codes, *(["group_majority"] if group else [])]  # the group's majority counts as a voter
    cast = votes[voters].where(votes[voters].isin(scope.VOTE_CHOICES))  # not absent, no vote row or a tie
    both = cast.notna().sum(axis=1) >= 2
    split = both & (cast.nunique(axis=1) > 1)
    st.caption(
        f"{int(split.sum())} of {int(both.sum())} cyber resolutions where at least two of them cast a vote "
        "(absences ignored) split them."
    )
    names = cat.party_names()
    shown = votes.loc[split, ["resolution_id", "date", "series", *voters]].rename(
        columns={**{c: names.get(c, c) for c in codes}, "group_majority": section.label("group_majority")}
    )
    if shown.empty:
        ui.empty_state("They never split on a cyber resolution where both voted.")
    else:
        st.dataframe(shown, hide_index=True, width="stretch")


# --------------------------------------------------------------------------- Country profile (export.country_brief)


def country_profile(cat: Catalogue, code: str, brief: Report) -> None:
    """The Country profile's counts and tabs, from the country brief (adoptions, memberships, votes)
    and the analytics (partners, bloc, position)."""
    name = cat.party_name(code)
    adoptions = section_table(brief.section("adoptions"))
    adopted = adoptions[adoptions["adopted"]]
    others = adoptions[~adoptions["adopted"]]
    memberships = section_table(brief.section("memberships"))
    votes = brief.section("votes")
    vote_table = section_table(votes)
    coverage = cat.coverage()
    tracked = coverage.index[coverage["tracked"]]
    day = date.fromisoformat(brief.as_of)

    c = st.columns(4)
    c[0].metric(
        "Instruments adopted",
        f"{len(adopted)} of {len(tracked)}",
        help="Out of the instruments whose adoptions the catalogue tracks (bound, member, endorser, "
        "participant or national standard; a signature alone is not adoption).",
    )
    c[1].metric("Other recorded statuses", len(others), help="Signed only, observer, withdrew, left, ...")
    c[2].metric(
        "Group memberships",
        len(memberships),
        help=f"Groups it belongs to on {day}, any role (member, observer, partner), of the {len(cat.groups)} "
        "political groupings tracked; the Groups tab also lists past memberships.",
    )
    c[3].metric(
        "Cyber votes recorded",
        int((vote_table["vote"] != "absent").sum()),
        help=f"Yes/no/abstain votes on the {len(scope.resolutions_in_scope(cat, day))} UN cyber resolutions with "
        "a recorded vote (absences not counted).",
    )

    tab_adopt, tab_norms, tab_groups, tab_votes, tab_partners = ui.tabs(
        {
            "adoptions": "Adoptions and gaps",
            "norms": "Norm commitments",
            "groups": "Groups",
            "votes": "UN cyber votes",
            "partners": "Partners, bloc, position",
        },
        key="country_tab",
    )
    with tab_adopt:
        st.subheader("What it adopted, and when")
        if adopted.empty:
            ui.empty_state(
                f"No adoption of a tracked instrument is recorded for {name}. The catalogue "
                f"tracks adoptions for {len(tracked)} instruments; missing rows can mean missing data."
            )
        else:
            levels = adopted["level"].value_counts()
            undated = int((adopted["since"] == "date unknown").sum())
            st.caption(
                "By commitment level: "
                + ", ".join(f"{lv} {int(n)}" for lv, n in levels.items())
                + f". {undated} rest on a row without a known date (date unknown: counted from the instrument's "
                "opening)."
            )
            st.dataframe(
                adopted[["instrument", "kind", "pillar", "level", "status", "since", "source_id"]].sort_values("since"),
                hide_index=True,
                width="stretch",
            )
        if len(others):
            st.caption("Other recorded statuses (not adoption):")
            st.dataframe(
                others[["instrument", "level", "status", "since", "source_id"]], hide_index=True, width="stretch"
            )
        st.subheader("What it has not adopted")
        label = ui.instrument_label(cat)
        missing = [i for i in tracked if i not in set(adoptions["instrument_id"])]
        st.caption(
            f"{len(missing)} tracked instruments with no recorded action by {name} "
            '("no action recorded"; the Gaps page ranks them against a bloc).'
        )
        st.write(", ".join(label(i) for i in missing) or "—")
        untracked = coverage.index[~coverage["tracked"]]
        st.caption(f"{len(untracked)} catalogued instruments have no adoption data at all (no data, not non-adoption).")

    with tab_norms:
        norms_matrix(cat, code, brief)

    with tab_groups:
        st.subheader("Political groupings")
        gm = cat.group_members[cat.group_members["party_code"] == code]
        if gm.empty:
            ui.empty_state(
                f"{name} is not recorded in any of the {len(cat.groups)} groupings tracked "
                "(EU, NATO, G77, AU, ASEAN, SCO, BRICS, ...)."
            )
        else:
            st.caption(
                f"{len(gm)} membership rows ({len(memberships)} current on {day}, any role), each with a source."
            )
            st.dataframe(
                gm.assign(group=gm["group_id"].map(scope.group_names(cat)))[
                    ["group", "role", "joined", "left", "source_id"]
                ],
                hide_index=True,
                width="stretch",
            )

    with tab_votes:
        st.subheader("UN General Assembly votes on cyber resolutions")
        if vote_table.empty:
            ui.empty_state(
                f"No recorded votes for {name} on the cyber resolutions "
                "(not a UN member, or not yet a member at the time)."
            )
        else:
            counts = vote_table["vote"].value_counts()
            st.caption(
                " · ".join(f"{v}: {int(counts.get(v, 0))}" for v in (*scope.VOTE_CHOICES, "absent"))
                + f" on {len(vote_table)} recorded votes."
            )
            rename = {}
            if "bloc_majority" in vote_table.columns:  # the brief's bloc: its members' most common vote, or tie
                from tracker.export.compare import group_acronyms

                bloc = brief.parameters["bloc"]
                acronym = group_acronyms(cat).get(bloc, bloc) if isinstance(bloc, str) else "bloc"
                rename["bloc_majority"] = f"{acronym} majority"
            show_table(votes, ["resolution_id", "date", "series", "vote", *rename, "title"], rename=rename)

    with tab_partners:
        partners_section(cat, code)


def norms_matrix(cat: Catalogue, code: str, brief: Report) -> None:
    """Norms x rungs of the evidence ladder for one party: how many pieces of supporting evidence sit
    on each rung, its strongest (from the country brief, as exported) and any rejecting evidence."""
    from tracker.catalogue.evidence import LEVEL_NAMES

    name = cat.party_name(code)
    st.subheader("Norm commitments: norms x levels of evidence")
    section = brief.find("norms")
    if section is None or section_table(section).empty:
        ui.empty_state("The catalogue holds no norm concept yet.")
        return
    ev = cache.norm_evidence(cat.version)
    ev = ev[ev["party_code"] == code]
    support = ev[ev["polarity"] == "supports"]
    counts = support.groupby(["norm_id", "level"]).size().unstack(fill_value=0)
    against = ev[ev["polarity"] == "rejects"].groupby("norm_id").size()
    qualifying = ev[ev["polarity"] == "qualifies"].groupby("norm_id").size()
    table = section_table(section).set_index("norm_id")
    matrix = pd.DataFrame({"norm": table["norm"]})
    for level, rung in LEVEL_NAMES.items():
        col = counts[level] if level in counts.columns else pd.Series(dtype=int)
        matrix[f"{level} {rung}"] = [int(col.get(n, 0)) or None for n in matrix.index]
    matrix["strongest"] = table["commitment"]
    matrix["rejecting"] = [int(against.get(n, 0)) or None for n in matrix.index]
    matrix["qualifying"] = [int(qualifying.get(n, 0)) or None for n in matrix.index]
    st.caption(
        f"{md(section.text)} Each cell counts the pieces of supporting evidence {md(name)} has on that rung "
        "(empty = "
        "none); strongest = the best rung, as in the country brief. Rejecting and qualifying evidence "
        "(a dissociation, a vote against or an abstention on a text affirming it) is counted beside, never "
        "netted away. The Catalogue page of each norm lists every piece with its quote and source."
    )
    rung_cols = [f"{level} {rung}" for level, rung in LEVEL_NAMES.items()]
    st.dataframe(
        matrix.reset_index(drop=True),
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(c, format="%d") for c in rung_cols},
    )
