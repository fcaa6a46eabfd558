"""Compare two to four parties (or a party and a group): alignment, instruments shared and not, split votes.

Everything below the pickers is the comparison report (tracker.export.comparison), as exported.
"""

import streamlit as st

from tracker.catalogue import scope
from tracker.ui import cache, views
from tracker.ui import components as ui

cat = cache.get_catalogue()
st.title("Compare")
ui.page_help("compare")
left, right = st.columns([3, 2])
with left:
    codes = ui.pick_parties(cat, "Parties (two to four)", key="compare_parties", default=("USA", "RUS"))
with right:
    group = ui.pick_group(
        cat,
        "Add a group (optional)",
        key="compare_group",
        param="group",
        optional=True,
        help="A group's column shows the share of its current members that adopted each "
        "instrument and its members' majority vote (tie when no vote is the most common).",
    )

if len(codes) + (1 if group else 0) < 2:
    ui.empty_state("Choose at least two parties, or one party and a group, to compare them.")
    ui.stop()

report = views.comparison(cat, codes, group)
if report is not None:
    ui.export_spot(
        "Export this comparison",
        key="export_compare",
        kind="compare",
        parties=codes,
        group=group or None,
        topic=report.parameters.get("topic", "all"),
    )
if group:
    ui.export_spot(
        f"Export a bloc summary of {scope.group_label(cat, group)}",
        key="export_compare_bloc",
        kind="bloc",
        group_id=group,
    )
