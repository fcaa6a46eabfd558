"""Catalogue: search as you type, facets, a table; an instrument's page or a norm's page."""

import streamlit as st

from tracker.ui import cache, state, views
from tracker.ui import components as ui

cat = cache.get_catalogue()
st.title("Catalogue")
inst = cat.instruments
coverage = cat.coverage()
label = ui.instrument_label(cat)


def clusters(series):
    return sorted({c for v in series for c in v.split(";") if c})


with st.expander("Facets", expanded=False):
    f = st.columns(5)
    pillars = f[0].multiselect("Pillar", sorted(inst["pillar"].unique()), key="facet_pillar")
    kinds = f[1].multiselect("Kind", sorted(inst["kind"].unique()), key="facet_kind")
    vclusters = f[2].multiselect("Value cluster", clusters(inst["value_clusters"]), key="facet_cluster")
    bodies = f[3].multiselect("Body", sorted(inst["body"].unique()), key="facet_body")
    stances = f[4].multiselect(
        "Stance",
        sorted(inst["stance"].unique()),
        key="facet_stance",
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
    query = st.text_input(
        "Search instruments, norms, clauses and countries",
        key="catalogue_q",
        live="200ms",
        placeholder="e.g. two person rule, budapest, wassenar, ccra, 108+, A.5.3",
        type="search",
    )
    table = views.search_table(cat, query, allowed)
    if query.strip() and table.empty:
        ui.empty_state(
            f"Nothing matches {query!r}"
            + (
                " with the chosen facets; clear them to search everything."
                if len(allowed) < len(inst)
                else ". Try a shorter or differently spelt name."
            )
        )
        return
    what = (
        f"{len(table)} results for {query!r}, best first"
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
            state.set_selected_parties([target, *[c for c in ui.selected_parties(cat) if c != target]])
            st.switch_page("tracker/ui/pages/country.py")
        if target != state.open_item():
            state.set_open_item(target)
            st.rerun(scope="app")


search_and_results()

item = state.open_item()  # opened from a link (?item=...) or from the results above
state.sync_url(item=item if item in set(inst["id"]) else None)
st.divider()
if item in set(inst["id"]):
    if st.button("Close this entry", key="close_item"):
        state.set_open_item("")
        st.rerun()
    views.instrument_page(cat, item)
else:
    if item:
        st.warning(f"There is no catalogue entry {item!r}; pick one from the table.")
    ui.empty_state(
        "Select an entry in the table to see its description, official link, adopters on a map, "
        "timeline, the norms it carries and its sources. Norm concepts (kind = norm, e.g. the "
        "two-person rule) show which parties carry them and through which instruments and clauses."
    )
