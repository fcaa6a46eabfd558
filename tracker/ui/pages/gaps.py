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
    default_share = views.config().min_share
    min_share = st.slider(
        "Share of the bloc that must have adopted (or committed to) it",
        min_value=0.05,
        max_value=1.0,
        value=default_share,
        step=0.05,
        key="gaps_min_share",
        format="%.2f",
        help=f"The analysis configuration's default is {default_share:.0%} (the same in the CLI's --min-share "
        "and the exports): low enough that a bloc's defining instruments show (Kenya against the AU shows the "
        "Malabo Convention, ratified by 17 of 55).",
    )
    views.analytics_gaps(cat, code, ref, is_group=(kind == "a group"), min_share=min_share)

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
    min_share=min_share,
)
