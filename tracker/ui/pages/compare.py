"""Compare two to four parties (or a party and a group): alignment, instruments shared and not, split votes."""

import pandas as pd
import streamlit as st

from tracker.ui import cache, views
from tracker.ui import components as ui

cat = cache.get_catalogue()
st.title("Compare")
left, right = st.columns([3, 2])
with left:
    codes = ui.pick_parties(cat, "Parties (two to four)", max_selections=4, default=("USA", "RUS"))
with right:
    groups = cat.groups.set_index("id")
    group = st.selectbox(
        "Add a group (optional)",
        ["", *groups.index],
        key="compare_group",
        format_func=lambda g: "—" if not g else f"{groups.loc[g, 'name']} ({g})",
        help="A group's column shows the share of its current members that adopted each "
        "instrument and its members' majority vote.",
    )
    ui.sync_url(group=group or None)

if len(codes) + (1 if group else 0) < 2:
    ui.empty_state("Choose at least two parties, or one party and a group, to compare them.")
    st.stop()

names = cat.party_names()
members = cache.group_members(cat.version, group) if group else []
if group and not members:
    st.warning(f"No current members are recorded for {groups.loc[group, 'name']}; its column stays empty.")

views.alignment_section(cat, codes, group, members)

st.subheader("Instruments: shared and not")
status = cache.status_as_of(cat.version, None)
coverage = cat.coverage()
tracked = coverage.index[coverage["tracked"]]
label = ui.instrument_label(cat)
table = pd.DataFrame(index=pd.Index(tracked, name="instrument_id"))
for c in codes:
    s = status[status["party_code"] == c].set_index("instrument_id")
    table[names.get(c, c)] = ui.text_or(s["status"].reindex(table.index), "—")
if group and members:
    s = status[status["party_code"].isin(members) & status["adopted"]]
    share = s.groupby("instrument_id")["party_code"].nunique() / len(members)
    table[f"{groups.loc[group, 'short_name'] or group}: share adopted"] = (
        share.reindex(table.index).fillna(0).map(lambda x: f"{x:.0%}")
    )
adopted = pd.DataFrame(
    {
        c: status[(status["party_code"] == c) & status["adopted"]]
        .set_index("instrument_id")["adopted"]
        .reindex(table.index)
        .fillna(False)
        .astype(bool)
        for c in codes
    }
)
if len(codes) >= 2:
    all_in = adopted.all(axis=1)
    any_in = adopted.any(axis=1)
    table["shared"] = all_in.map({True: "all adopted", False: ""})
    table.loc[any_in & ~all_in, "shared"] = "split"
    st.caption(
        f"Of {len(tracked)} instruments with adoption data: {int(all_in.sum())} adopted by all "
        f"{len(codes)} parties, {int((any_in & ~all_in).sum())} split, "
        f"{int((~any_in).sum())} adopted by none of them."
    )
table.insert(0, "instrument", table.index.map(label))
st.dataframe(table.reset_index(drop=True), hide_index=True, width="stretch")

st.subheader("UN cyber votes where they split")
cyber = cache.cyber_votes(cat.version)
wide = cyber[cyber["party_code"].isin(codes)].pivot_table(
    index=["resolution_id", "date", "series"], columns="party_code", values="vote", aggfunc="first"
)
wide = wide.reindex(columns=codes)
if group and members:
    gv = cyber[cyber["party_code"].isin(members) & (cyber["vote"] != "absent")]
    maj = gv.groupby("resolution_id")["vote"].agg(lambda v: v.value_counts().idxmax())
    wide[f"{groups.loc[group, 'short_name'] or group} majority"] = wide.index.get_level_values("resolution_id").map(maj)
cast = wide.where(wide != "absent")
both = cast.notna().sum(axis=1) >= 2
split = both & (cast.nunique(axis=1) > 1)
if wide.empty:
    ui.empty_state("None of the chosen parties has a recorded vote on the cyber resolutions.")
else:
    st.caption(
        f"{int(split.sum())} of {int(both.sum())} cyber resolutions where at least two of them cast a vote "
        "(absences ignored) split them."
    )
    shown = wide[split].rename(columns=names).reset_index().sort_values("date", ascending=False)
    if shown.empty:
        ui.empty_state("They never split on a cyber resolution where both voted.")
    else:
        st.dataframe(shown, hide_index=True, width="stretch")

if len(codes) >= 2:
    ui.export_spot("Export this comparison", key="export_compare", kind="compare", parties=codes)
if group and members:
    ui.export_spot(
        f"Export a bloc summary of {groups.loc[group, 'name']}", key="export_compare_bloc", kind="bloc", group_id=group
    )
