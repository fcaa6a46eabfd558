"""Gaps: what a party has not adopted that its bloc (or a reference party) has; an instrument's likely next adopters."""

import streamlit as st

from tracker.ui import cache, views
from tracker.ui import components as ui

cat = cache.get_catalogue()
st.title("Gaps")
ui.page_help("gaps")
tab_party, tab_instrument = ui.tabs(
    {"bloc": "A party against a bloc", "next": "Likely next adopters of an instrument"}, key="gaps_tab"
)

with tab_party:
    left, right = st.columns(2)
    with left:
        code = ui.pick_party(cat, "Party", key="gaps_party")
    with right:
        against = {"group": "a group", "party": "a reference party"}
        kind = against[
            ui.select(
                "Against",
                list(against),
                format_func=against.get,
                radio=True,
                horizontal=True,
                key="gaps_against",
                param="against",
            )
        ]
        if kind == "a group":
            ref = ui.pick_group(cat, "Group", key="gaps_group", param="bloc")
        else:
            opts = [c for c in ui.party_options(cat) if c != code]
            ref = ui.select(
                "Reference party",
                opts,
                default="GBR",
                key="gaps_ref_party",
                param="ref",
                what="party",
                resolve=ui.party_resolver(cat),
                format_func=ui.party_label(cat),
            )
    default_share = views.config().min_share
    shares = [round(0.05 * i, 2) for i in range(1, 21)]
    min_share = ui.select_slider(
        "Share of the bloc that must have adopted (or committed to) it",
        shares,
        key="gaps_min_share",
        param="min_share",
        default=min(shares, key=lambda x: abs(x - default_share)),
        format_func=lambda x: f"{x:.0%}",
        help=f"The analysis configuration's default is {default_share:.0%} (the same in the CLI's --min-share "
        "and the exports): low enough that a bloc's defining instruments show (Kenya against the AU shows the "
        "Malabo Convention, ratified by 17 of 55).",
    )
    views.analytics_gaps(cat, code, ref, is_group=(kind == "a group"), min_share=min_share)

with tab_instrument:
    coverage = cat.coverage()
    tracked = coverage.index[coverage["tracked"]].tolist()
    label = ui.instrument_label(cat)
    inst_id = ui.select(
        "Instrument",
        tracked,
        default="budapest-convention",
        key="gaps_instrument",
        param="instrument",
        format_func=label,
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
