"""Catalogue: search as you type, facets, a table; an instrument's page or a norm's page."""

import streamlit as st

from tracker.ui import cache, state, views
from tracker.ui import components as ui
from tracker.ui.text import md

cat = cache.get_catalogue()
st.title("Catalogue")
ui.page_help("catalogue")
inst = cat.instruments
coverage = cat.coverage()
label = ui.instrument_label(cat)


def clusters(series):
    return sorted({c for v in series for c in v.split(";") if c})


with st.expander("Facets", expanded=False):
    f = st.columns(5)
    with f[0]:
        pillars = ui.multiselect("Pillar", sorted(inst["pillar"].unique()), key="facet_pillar", param="pillar")
    with f[1]:
        kinds = ui.multiselect("Kind", sorted(inst["kind"].unique()), key="facet_kind", param="kind")
    with f[2]:
        vclusters = ui.multiselect(
            "Value cluster", clusters(inst["value_clusters"]), key="facet_cluster", param="cluster"
        )
    with f[3]:  # body names hold commas: repeated parameters (?body=A&body=B)
        bodies = ui.multiselect("Body", sorted(inst["body"].unique()), key="facet_body", param="body", sep=None)
    with f[4]:
        stances = ui.multiselect(
            "Stance",
            sorted(inst["stance"].unique()),
            key="facet_stance",
            param="stance",
            help="open = the open, rights-based internet side; sovereign = the "
            "'internet sovereignty' side; neutral = neither (each with a stated reason).",
        )

mask = inst["id"].notna()
if pillars:
    mask &= inst["pillar"].isin(pillars)
if kinds:
    mask &= inst["kind"].isin(kinds)
if vclusters:
    mask &= inst["value_clusters"].map(lambda v: bool(set(v.split(";")) & set(vclusters)))
if bodies:
    mask &= inst["body"].isin(bodies)
if stances:
    mask &= inst["stance"].isin(stances)
allowed = set(inst.loc[mask, "id"])


@st.fragment
def search_and_results() -> None:
    query = ui.text_input(
        "Search instruments, norms, clauses and countries",
        key="catalogue_q",
        param="q",
        live="200ms",
        placeholder="e.g. two person rule, budapest, wassenar, ccra, 108+, A.5.3",
        type="search",
    )
    table = views.search_table(cat, query, allowed)
    if query.strip() and table.empty:
        ui.empty_state(
            f"Nothing matches {md(repr(query))}"
            + (
                " with the chosen facets; clear them to search everything."
                if len(allowed) < len(inst)
                else ". Try a shorter or differently spelt name."
            )
        )
        return
    what = (
        f"{len(table)} results for {md(repr(query))}, best first"
        if query.strip()
        else f"{len(table)} of {len(inst)} catalogue entries"
    )
    st.caption(what + " · select a row to open it.")
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="catalogue_table",
        height=min(38 + 35 * len(table), 420),
        column_config={
            "score": st.column_config.NumberColumn("score", format="%.0f"),
            "parties": st.column_config.NumberColumn("parties recorded", help="parties with any recorded action"),
        },
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        picked = table.iloc[rows[0]]
        target = picked["id"]
        if picked["kind"] == "party":
            state.remember("party", target)
            st.switch_page("tracker/ui/pages/country.py", query_params={"party": target})
        if target != state.remembered("item", ""):
            state.remember("item", target)
            st.rerun(scope="app")


search_and_results()

item = ui.open_entry(set(inst["id"]))  # opened from a link (?item=...) or from the results above
st.divider()
if item:
    if st.button("Close this entry", key="close_item"):
        state.remember("item", "")
        st.rerun()
    views.instrument_page(cat, item)
else:
    ui.empty_state(
        "Select an entry in the table to see its description, official link, adopters on a map, "
        "timeline, the norms it carries and its sources. Norm concepts (kind = norm, e.g. the "
        "two-person rule) show which parties carry them and through which instruments and clauses."
    )
