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
from tracker.catalogue.status import ADOPTED_STATUSES
from tracker.derived import DEFAULT_RESOLUTION
from tracker.errors import TrackerError
from tracker.ui import cache, maps
from tracker.ui import components as ui
from tracker.ui.text import md, web_url

if TYPE_CHECKING:
    from tracker.export import Report, Section

CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}


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
    if web_url(row["url"]):  # a link from the catalogue's url column, drawn as a link
        st.link_button("Official text or page (opens outside the app)", web_url(row["url"]))
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
    counts = s["status"].value_counts()
    cols = st.columns(max(len(counts), 1) + 1)
    cols[0].metric(
        "Adopted",
        int(s["adopted"].sum()),
        help=f"Parties bound, members, endorsers or participants on {as_of} (a signature alone "
        f"is not adoption), out of {len(cat.parties)} parties in the catalogue.",
    )
    for col, (status, n) in zip(cols[1:], counts.items(), strict=False):
        col.metric(f"Status: {status}", int(n), help=f"Parties whose latest action by {as_of} gives '{status}'.")
    st.caption(
        f"{len(s)} parties with any recorded action on {as_of}, from "
        f"{int(coverage.loc[inst_id, 'rows'])} dated or undated source rows; sources as of "
        f"{coverage.loc[inst_id, 'sources_as_of']}."
    )
    frame = cat.parties[["code", "name"]].merge(
        s[["party_code", "status", "since"]], left_on="code", right_on="party_code", how="left"
    )
    frame["Status"] = ui.status_group(frame["status"])
    frame["since"] = ui.text_or(frame["since"])
    spec = cache.map_spec(
        cat.version,
        frame,
        color="Status",
        title=f"Status on {as_of}",
        legend_title="Status",
        domain=ui.STATUS_DOMAIN,
        range_=ui.STATUS_RANGE,
        tooltip=["since"],
        height=360,
    )
    ui.show_map(spec, key=f"map_{inst_id}")
    ui.map_notes(cat, frame, "Status")
    timeline(cat, inst_id)
    with st.expander(f"All {len(s)} parties with a recorded status"):
        st.dataframe(
            s[["party", "party_code", "status", "since", "detail", "source_id"]].sort_values(["status", "party"]),
            hide_index=True,
            width="stretch",
        )


def timeline(cat: Catalogue, inst_id: str) -> None:
    ad = cache.adoptions_dated(cat.version)
    ad = ad[ad["instrument_id"] == inst_id]
    dated = ad.dropna(subset=["last_day"])
    if dated.empty:
        st.caption(f"No dated actions to draw a timeline ({len(ad)} undated rows).")
        return
    per = dated.assign(year=dated["last_day"].dt.year).groupby(["year", "action"]).size().rename("actions")
    import altair as alt  # imported when drawn: ~0.3 s, not worth paying on every first page

    chart = (
        alt.Chart(per.reset_index())
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y("actions:Q", title="Actions"),
            color=alt.Color("action:N", scale=alt.Scale(range=maps.OKABE_ITO), title="Action"),
            tooltip=["year", "action", "actions"],
        )
        .properties(title="Timeline of recorded actions", height=220)
    )
    st.altair_chart(chart, width="stretch")
    st.caption(f"{len(dated)} dated actions by year ({len(ad) - len(dated)} undated rows not drawn).")


# --------------------------------------------------------------------------- norm page


def norm_carriers(cat: Catalogue, norm_id: str, as_of: date | None) -> pd.DataFrame:
    """Parties carrying a norm: one row per (party, instrument, clause) with relationship and confidence."""
    cw = cat.crosswalk[cat.crosswalk["norm_id"] == norm_id]
    s = cache.status_as_of(cat.version, as_of)
    s = s[s["adopted"] & s["instrument_id"].isin(cw["instrument_id"])]
    out = s.merge(cw[["instrument_id", "clause", "relationship", "confidence"]], on="instrument_id")
    return out[
        [
            "party_code",
            "party",
            "instrument",
            "instrument_id",
            "clause",
            "relationship",
            "confidence",
            "status",
            "since",
            "source_id",
        ]
    ]


def norm_section(cat: Catalogue, norm_id: str) -> None:
    label = ui.instrument_label(cat)
    cw = cat.crosswalk[cat.crosswalk["norm_id"] == norm_id]
    st.subheader("Where the norm is written down")
    if cw.empty:
        ui.empty_state("No crosswalk row links this norm concept to an instrument clause yet.")
        return
    st.caption(
        f"{len(cw)} crosswalk rows link this norm to clauses of {cw['instrument_id'].nunique()} "
        "instruments (OSCAL relationships: equivalent-to, subset-of, superset-of, intersects-with)."
    )
    st.dataframe(
        cw.assign(instrument=cw["instrument_id"].map(label))[
            ["instrument", "clause", "clause_title", "relationship", "confidence", "rationale", "source_id"]
        ],
        hide_index=True,
        width="stretch",
    )
    st.subheader("Parties that carry it (derived)")
    carriers = norm_carriers(cat, norm_id, None)
    if carriers.empty:
        ui.empty_state(
            "None of the instruments carrying this norm has recorded adopters yet, so no party can "
            "be shown as carrying it. That is missing data, not evidence of non-adoption."
        )
        return
    best = (
        carriers.assign(rank=carriers["confidence"].map(CONFIDENCE_ORDER).fillna(3))
        .sort_values("rank")
        .groupby("party_code")
        .agg(
            party=("party", "first"),
            confidence=("confidence", "first"),
            via=("instrument", lambda v: ", ".join(sorted(set(v)))),
            instruments=("instrument_id", "nunique"),
        )
        .reset_index()
    )
    st.caption(
        f"{len(best)} parties carry this norm through an instrument they adopted; this is derived "
        'evidence ("via ISO/IEC 27001 national adoption, confidence medium"), never asserted directly.'
    )
    frame = best.rename(columns={"party_code": "code"})
    frame["Carried via"] = "confidence " + frame["confidence"]
    spec = cache.map_spec(
        cat.version,
        frame[["code", "Carried via", "via"]],
        color="Carried via",
        title="Parties carrying the norm (best crosswalk confidence)",
        legend_title="Carried via",
        domain=["confidence high", "confidence medium", "confidence low"],
        range_=["#0072B2", "#56B4E9", "#E69F00"],
        tooltip=["via"],
        height=340,
    )
    ui.show_map(spec, key=f"normmap_{norm_id}")
    st.dataframe(carriers.rename(columns={"party_code": "code"}), hide_index=True, width="stretch")


# --------------------------------------------------------------------------- analytics views

TOPICS = {"cyber": "cyber resolutions only", "all": "all UNGA votes"}
SCORE_HELP = (
    "Cohen's kappa: agreement corrected for chance (1 = always together, 0 = no better than chance, "
    "negative = systematically opposed). Raw agreement counts an abstention against a yes or no as half."
)


def _topic(key: str) -> str:
    return ui.select(
        "Votes considered",
        list(TOPICS),
        radio=True,
        param="topic",
        format_func=TOPICS.get,
        horizontal=True,
        key=key,
        help="Cyber: the UN General Assembly resolutions on ICT security and cybercrime. All: every "
        "recorded UNGA vote (more evidence, less specific).",
    )


def _fmt(x, pattern: str = "{:+.2f}") -> str:
    return "n/a" if x is None or pd.isna(x) else pattern.format(x)


def alignment_map(cat: Catalogue, focus: str, as_of: date) -> None:
    """Overview map: every party coloured by its alignment (kappa) with ``focus``."""
    basis = st.session_state.get("overview_basis", "votes")
    m = cache.alignment_matrix(cat.version, basis, "cyber" if basis == "votes" else "all", as_of)
    names = cat.party_names()
    if focus not in m.index:
        ui.empty_state(
            f"Not enough evidence to place {md(names.get(focus, focus))} (too few recorded votes or "
            "adoptions up to this date)."
        )
        return
    row = m.loc[focus].drop(focus, errors="ignore")
    frame = pd.DataFrame({"code": row.index, "Alignment": row.to_numpy()}).dropna()
    if frame.empty:
        ui.empty_state(
            f"Not enough evidence to compare {md(names.get(focus, focus))} with anyone up to {as_of} "
            "(too few co-votes or adoptions); try another party, a later date or other evidence."
        )
        return
    frame["name"] = frame["code"].map(names)
    title = f"Alignment with {names.get(focus, focus)} on {as_of} ({basis})"
    spec = cache.map_spec(
        cat.version,
        frame,
        color="Alignment",
        title=title,
        legend_title="kappa",
        quantitative=True,
        scheme="blueorange",
        domain=[-1, 1],
    )
    ui.show_map(spec, key="overview_align_map")
    st.caption(
        f"{len(frame)} parties with enough evidence (at least 10 co-votes or shared-instrument "
        f"evidence). {SCORE_HELP} Blue = aligned, orange = opposed; grey = not enough evidence."
    )
    ui.map_notes(cat, frame.assign(Alignment=frame["Alignment"].map(_fmt)), "Alignment")


def partners_section(cat: Catalogue, code: str) -> None:
    """Closest and most distant partners, bloc and open-vs-sovereign position."""
    names = cat.party_names()
    topic = _topic("country_topic")
    try:
        part = cache.partners(cat.version, code, topic)
    except TrackerError as exc:
        ui.empty_state(f"Partners: {md(exc)}")
        part = pd.DataFrame()
    if len(part):
        st.caption(f"Combined alignment (votes: {TOPICS[topic]}; plus adoption portfolios). {SCORE_HELP}")
        left, right = st.columns(2)
        cols = ["name", "score", "co_votes", "shared_instruments"]
        left.markdown("**Closest partners**")
        left.dataframe(part[part["side"] == "strongest"][cols], hide_index=True, width="stretch")
        right.markdown("**Most distant**")
        right.dataframe(part[part["side"] == "weakest"][cols], hide_index=True, width="stretch")
    st.markdown("**Voting bloc** (hierarchical clustering on cyber votes)")
    try:
        b = cache.blocs(cat.version, "hierarchical", "votes", "cyber")
    except TrackerError as exc:  # too little evidence in this catalogue for any bloc
        b = None
        st.caption(md(exc))
    where = b.assignments[b.assignments["party"] == code] if b is not None else pd.DataFrame()
    if b is None:
        pass
    elif where.empty:
        st.caption(f"{md(names.get(code, code))} is not placed in a bloc (too few cyber votes).")
    else:
        bloc = int(where["bloc"].iloc[0])
        info = b.blocs.set_index("bloc").loc[bloc]
        st.write(
            f"{md(info['label'])}: {int(info['size'])} members, cohesion {_fmt(info['cohesion'])} "
            "(mean kappa inside the bloc)."
        )
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


def analytics_gaps(cat: Catalogue, code: str, ref: str, *, is_group: bool) -> None:
    """Gaps from the analytics, ranked by the share of the bloc (or the reference party) that adopted."""
    names = cat.party_names()
    try:
        g = cache.gaps(cat.version, code, ref if is_group else None, None if is_group else ref)
    except TrackerError as exc:
        ui.empty_state(md(exc))
        return
    against = md(f"group {ref}" if is_group else names.get(ref, ref))
    if g.empty:
        ui.empty_state(
            f"No gap: {md(names.get(code, code))} has adopted every instrument that at least half of "
            f"{against} adopted (as recorded)."
        )
        return
    size = int(g["bloc_size"].iloc[0])
    st.caption(
        f"{len(g)} instruments adopted by at least half of {against} ({size} parties) but not by "
        f"{md(names.get(code, code))}, ranked by the share that adopted them."
    )
    st.dataframe(
        g,
        hide_index=True,
        width="stretch",
        column_config={
            "bloc_share": st.column_config.ProgressColumn("share adopted", format="percent", min_value=0, max_value=1)
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
        f"Top {len(nxt)} non-adopters ranked by how many of their {k} most similar parties (by alignment) "
        "adopted it, weighted by similarity. Validated on history in the analytics backtest."
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


def blocs_section(cat: Catalogue) -> None:
    st.subheader("Likely voting blocs")
    from tracker.analytics.alignment import BASES
    from tracker.analytics.blocs import METHODS

    c = st.columns(3)
    with c[0]:
        method = ui.select(
            "Method",
            METHODS,
            key="blocs_method",
            param="method",
            help="hierarchical: average-linkage clustering on 1 - kappa; louvain: network "
            "communities with a resolution sweep.",
        )
    with c[1]:
        basis = ui.select("Evidence", BASES, default="votes", key="blocs_basis", param="basis")
    with c[2]:
        topic = ui.select("Votes considered", list(TOPICS), format_func=TOPICS.get, key="blocs_topic", param="topic")
    try:
        b = cache.blocs(cat.version, method, basis, topic)
    except TrackerError as exc:
        ui.empty_state(md(exc))
        return
    a = b.assignments.rename(columns={"party": "code"})
    labels = b.blocs.set_index("bloc")["label"]
    a["Bloc"] = a["bloc"].map(lambda x: f"{x}: {labels.get(x, '')}")
    domain = [f"{x}: {labels[x]}" for x in labels.index]
    spec = cache.map_spec(
        cat.version,
        a[["code", "Bloc"]],
        color="Bloc",
        title=f"Blocs ({method}, {basis}, {topic})",
        legend_title="Bloc",
        domain=domain,
        range_=BLOC_COLOURS[: len(domain)],
    )
    ui.show_map(spec, key="blocs_map")
    detail = b.details
    st.caption(
        f"{len(a)} parties placed in {len(labels)} blocs; {len(b.excluded)} left out for too little "
        f"evidence ({', '.join(b.excluded[:12])}{'…' if len(b.excluded) > 12 else ''})."
        + (f" Unaligned (no strong ties): {', '.join(detail['unaligned'])}." if detail.get("unaligned") else "")
    )
    table = b.blocs.assign(
        members=b.blocs["members"].map(lambda m: ", ".join(m)),
        defining_instruments=b.blocs["defining_instruments"].map(lambda m: "; ".join(m)),
        defining_votes=b.blocs["defining_votes"].map(lambda m: "; ".join(m)),
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "cohesion": st.column_config.NumberColumn(help="Mean kappa between members of the bloc", format="%.2f")
        },
    )
    st.markdown("**Between-bloc agreement** (mean kappa between members of two blocs; the diagonal is cohesion)")
    st.dataframe(b.between.round(2), width="stretch")

    st.subheader("Swing states")
    sw = cache.swing_states(cat.version)
    if sw.empty:
        ui.empty_state("No party meets a swing-state criterion.")
    else:
        st.caption(
            f"{len(sw)} parties between blocs, with uncertain predicted votes, changing votes between "
            "sessions, or voting yes on both rival drafts (the score adds up the reasons)."
        )
        shown = sw.assign(reasons=sw["reasons"].map(lambda r: " · ".join(r) if isinstance(r, list | tuple) else r))
        st.dataframe(shown, hide_index=True, width="stretch", height=320)
    bloc_exports(b, method)


def bloc_exports(b, method: str) -> None:
    """One export control per bloc listed: its summary as PDF, XLSX, JSON, ... or a briefing pack."""
    st.markdown("**Export a bloc summary** (each bloc's members, adoptions, votes, gaps and swing states)")
    for row in b.blocs.itertuples(index=False):
        name = f"Bloc {row.bloc} ({method}): {row.label}"
        ui.export_spot(name, key=f"export_bloc_{row.bloc}", kind="bloc", members=list(row.members), name=name)


VOTES = ["yes", "no", "abstain"]
VOTE_COLOURS = ["#0072B2", "#D55E00", "#E69F00"]


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
    frame["confidence"] = frame[["p_yes", "p_no", "p_abstain"]].max(axis=1)
    counts = frame["predicted"].value_counts()
    c = st.columns(4)
    for col, vote in zip(c, VOTES, strict=False):
        col.metric(f"Predicted {vote}", int(counts.get(vote, 0)))
    scored = frame[(frame["known"] == "") & (frame["actual"] != "")]
    if len(scored):
        acc = float((scored["predicted"] == scored["actual"]).mean())
        c[3].metric(
            "Accuracy against the real vote",
            f"{acc:.0%}",
            help=f"On the {len(scored)} parties whose vote was not given as known and who voted.",
        )
    st.caption(
        f"{len(frame)} parties predicted, {len(known)} known votes given; nothing dated on or after the "
        "vote is used, and of the resolution's own votes only the known ones."
    )
    spec = cache.map_spec(
        cat.version,
        frame[["code", "predicted", "confidence"]].rename(columns={"predicted": "Predicted"}),
        color="Predicted",
        title=f"Predicted votes on {rid}",
        legend_title="Predicted vote",
        domain=VOTES,
        range_=VOTE_COLOURS,
        tooltip=["confidence"],
        height=360,
    )
    ui.show_map(spec, key="predict_map")
    st.dataframe(
        frame[["name", "code", "predicted", "p_yes", "p_no", "p_abstain", "known", "actual"]].sort_values("p_yes"),
        hide_index=True,
        width="stretch",
        height=320,
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


# --------------------------------------------------------------------------- reports of the export builders


def report(kind: str, **params) -> Report | None:
    """The Report of the export builder ``kind`` (tracker.export.BUILDERS) for these arguments,
    cached; None after saying why there is none (a one-line user error)."""
    try:
        return cache.export_report(cache.get_catalogue().version, kind, cache.freeze(params))
    except TrackerError as exc:
        ui.empty_state(md(exc))
        return None


def show_table(section: Section, columns: Sequence[str] | None = None, rename: dict[str, str] | None = None) -> None:
    """A section's table (or some of its columns) with the section's number formats."""
    table = section.table if columns is None else section.table[list(columns)]
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
    topic = _topic("compare_topic")
    rep = report("compare", parties=codes, group=group or None, topic=topic)
    if rep is None:
        return None
    members = rep.find("group")
    if group and members is not None and members.table.empty:
        st.warning(f"No current members are recorded for {md(scope.group_label(cat, group))}; its column stays empty.")
    _comparison_alignment(cat, rep, codes, group, topic)
    _comparison_instruments(cat, rep, codes)
    _comparison_votes(cat, rep, codes, group)
    return rep


def _comparison_alignment(cat: Catalogue, rep: Report, codes: list[str], group: str, topic: str) -> None:
    from tracker.analytics.alignment import weights_text

    names = cat.party_names()
    pairs = rep.find("alignment")
    if pairs is not None and len(codes) == 2:
        p = pairs.table.iloc[0]
        c = st.columns(3)
        c[0].metric("Combined alignment", _fmt(p["combined"]), help=weights_text())
        c[1].metric(
            "Vote agreement (raw)",
            _fmt(p["vote_agreement"], "{:.0%}"),
            help=f"Share of the {p['co_votes']} co-votes on which they agree ({TOPICS[topic]}).",
        )
        c[2].metric("Vote kappa", _fmt(p["vote_kappa"]), help=SCORE_HELP)
        evidence = str(p["note"]).removeprefix("not enough evidence: ")
        st.caption(f"Evidence: {evidence} ({TOPICS[topic]} for the votes). {weights_text()}.")
    elif pairs is not None:
        t = pairs.table
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
        n = len(rep.find("group").table)
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


def _comparison_instruments(cat: Catalogue, rep: Report, codes: list[str]) -> None:
    st.subheader("Instruments: shared and not")
    section = rep.section("instruments")
    names = cat.party_names()
    label = ui.instrument_label(cat)
    coverage = cat.coverage()
    tracked = coverage.index[coverage["tracked"]]
    rows = section.table.set_index("instrument_id")
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
    votes = section.table
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
    adoptions = brief.section("adoptions").table
    adopted = adoptions[adoptions["adopted"]]
    others = adoptions[~adoptions["adopted"]]
    memberships = brief.section("memberships").table
    votes = brief.section("votes")
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
        int((votes.table["vote"] != "absent").sum()),
        help=f"Yes/no/abstain votes on the {len(scope.resolutions_in_scope(cat, day))} UN cyber resolutions with "
        "a recorded vote (absences not counted).",
    )

    tab_adopt, tab_groups, tab_votes, tab_partners = ui.tabs(
        {
            "adoptions": "Adoptions and gaps",
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
            st.dataframe(
                adopted[["instrument", "kind", "pillar", "status", "since", "source_id"]].sort_values("since"),
                hide_index=True,
                width="stretch",
            )
        if len(others):
            st.caption("Other recorded statuses (not adoption):")
            st.dataframe(others[["instrument", "status", "since", "source_id"]], hide_index=True, width="stretch")
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
        norms_carried(cat, code)

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
        if votes.table.empty:
            ui.empty_state(
                f"No recorded votes for {name} on the cyber resolutions "
                "(not a UN member, or not yet a member at the time)."
            )
        else:
            counts = votes.table["vote"].value_counts()
            st.caption(
                " · ".join(f"{v}: {int(counts.get(v, 0))}" for v in (*scope.VOTE_CHOICES, "absent"))
                + f" on {len(votes.table)} recorded votes."
            )
            rename = {}
            if "bloc_majority" in votes.table.columns:  # the brief's bloc: its members' most common vote, or tie
                from tracker.export.compare import group_acronyms

                bloc = brief.parameters["bloc"]
                acronym = group_acronyms(cat).get(bloc, bloc) if isinstance(bloc, str) else "bloc"
                rename["bloc_majority"] = f"{acronym} majority"
            show_table(votes, ["resolution_id", "date", "series", "vote", *rename, "title"], rename=rename)

    with tab_partners:
        partners_section(cat, code)


def norms_carried(cat: Catalogue, code: str) -> None:
    """The norm concepts a party carries through instruments it adopted (derived from the crosswalk)."""
    label = ui.instrument_label(cat)
    norms = cat.instruments.loc[cat.instruments["kind"] == "norm", "id"]
    carried = [(n, norm_carriers(cat, n, None)) for n in norms]
    carried = [(n, df[df["party_code"] == code]) for n, df in carried]
    carried = [(n, df) for n, df in carried if len(df)]
    st.subheader("Norms it carries (derived)")
    if not carried:
        ui.empty_state("No norm concept is carried through an instrument this party adopted (as recorded).")
        return
    for n, df in carried:
        via = "; ".join(
            f"{r.instrument} {r.clause} ({r.relationship}, confidence {r.confidence})" for r in df.itertuples()
        )
        st.markdown(f"- **{md(label(n))}** via {md(via)}")
