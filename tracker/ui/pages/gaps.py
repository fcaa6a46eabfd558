"""Gaps: what a party has not adopted that its bloc (or a reference party) has; an instrument's likely next adopters."""

import streamlit as st

from tracker.ui import cache, state, views
from tracker.ui import components as ui

cat = cache.get_catalogue()
st.title("Gaps")
tab_party, tab_instrument = st.tabs(["A party against a bloc", "Likely next adopters of an instrument"])

with tab_party:
    left, right = st.columns(2)
    with left:
        code = ui.pick_party(cat, "Party")
    with right:
        kind = st.radio("Against", ["a group", "a reference party"], horizontal=True, key="gaps_against")
        if kind == "a group":
            ref = ui.pick_group(cat, "Group", key="gaps_group", url_key="bloc")
        else:
            opts = [c for c in ui.party_options(cat) if c != code]
            state.seed_widget("gaps_ref_party", opts, url_key="ref", default="GBR")
            ref = st.selectbox("Reference party", opts, key="gaps_ref_party", format_func=ui.party_label(cat))
            state.sync_url(ref=ref)
    views.analytics_gaps(cat, code, ref, is_group=(kind == "a group"))

with tab_instrument:
    coverage = cat.coverage()
    tracked = coverage.index[coverage["tracked"]].tolist()
    label = ui.instrument_label(cat)
    inst_id = st.selectbox(
        "Instrument",
        tracked,
        key="gaps_instrument",
        format_func=label,
        index=tracked.index("budapest-convention") if "budapest-convention" in tracked else 0,
    )
    views.next_adopters(cat, inst_id)

ui.export_spot(
    "Export a country brief with these gaps",
    key="export_gaps",
    kind="brief",
    party=code,
    bloc=ref if kind == "a group" else [ref],
)
