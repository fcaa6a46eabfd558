"""Overview: a world map of an instrument's adoption (or of alignment), the state of play on a date,
headline counts and what changed recently."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from tracker.catalogue import scope
from tracker.catalogue.status import LEVEL_LABELS, LEVELS
from tracker.ui import cache, views
from tracker.ui import components as ui
from tracker.ui.text import md

cat = cache.get_catalogue()
st.title("Cyber Norms Alignment Tracker")
ui.page_help("overview")
st.caption(
    f"Catalogue version {cat.version} · newest source read {cat.sources['as_of'].max()} · "
    f"{len(cat.sources):,} cited sources"
)

coverage = cat.coverage()
tracked = coverage[coverage["tracked"]].sort_values("parties", ascending=False)
label = ui.instrument_label(cat)

left, right = st.columns([3, 1])
with right:
    mode_names = {"adoption": "Adoption of an instrument", "alignment": "Alignment with a country"}
    modes = list(mode_names.values())
    mode = mode_names[
        ui.select(
            "Colour the map by",
            list(mode_names),
            format_func=mode_names.get,
            radio=True,
            key="overview_mode",
            param="mode",
        )
    ]
    if mode == modes[0]:
        inst_id = ui.select(
            "Instrument",
            tracked.index.tolist(),
            default="budapest-convention",
            key="overview_instrument",
            param="instrument",
            format_func=lambda i: f"{label(i)} ({tracked.loc[i, 'parties']} parties recorded)",
        )
    else:
        focus = ui.pick_party(cat, "Alignment with", key="overview_party")
        basis = ui.select(
            "Evidence",
            list(views.BASIS_HELP),
            radio=True,
            key="overview_basis",
            param="basis",
            horizontal=True,
            help="; ".join(views.BASIS_HELP.values()) + ".",
        )
        topic = views.topic_radio("overview_topic") if basis in ("votes", "combined") else views.config().topic
    as_of = ui.as_of_slider(cat)
status = cache.status_as_of(cat.version, as_of)

with left:
    if mode == modes[0]:
        s = status[status["instrument_id"] == inst_id]
        frame = views.level_frame(cat, s)
        chart = cache.map_spec(
            cat.version, frame, **views.level_map_options(f"{inst_id and label(inst_id)}: commitment level on {as_of}")
        )
        ui.show_map(chart, key="overview_map")
        adopted = int(s["adopted"].sum())
        levels = s["level"].value_counts()
        undated = int((~s["date_known"].astype(bool)).sum())
        st.caption(
            f"{adopted} of {len(cat.parties)} parties in the catalogue had adopted "
            f"{md(label(inst_id))} on {as_of} ({len(s)} with any recorded action; source rows: "
            f"{int(coverage.loc[inst_id, 'rows'])}, sources as of {coverage.loc[inst_id, 'sources_as_of']}). "
            "By commitment level: "
            + (", ".join(f"{LEVEL_LABELS[lv]} {int(levels[lv])}" for lv in LEVELS if levels.get(lv)) or "none")
            + f". Date unknown (faded): {undated} statuses rest on a row the source lists without a date, "
            "counted from the instrument's opening."
        )
        ui.map_notes(cat, frame, "Commitment")
    else:
        views.alignment_map(cat, focus, as_of, basis, topic)

st.subheader(f"State of play on {as_of}")
c = st.columns(4)
c[0].metric(
    "Instruments tracked",
    f"{len(tracked)} of {len(cat.instruments)}",
    help="Instruments with at least one recorded adoption action; the others are catalogued "
    "(description, sources) but nobody's status is recorded yet.",
)
c[1].metric(
    "Parties with an adoption",
    f"{status.loc[status['adopted'], 'party_code'].nunique()}",
    help=f"Out of {len(cat.parties)} parties in the catalogue; adoption = bound, member, endorser, "
    "participant or national standard on that date (a signature alone is not adoption).",
)
c[2].metric(
    "Adoptions in force",
    f"{int(status['adopted'].sum()):,}",
    help=f"(instrument, party) pairs adopted on {as_of}, derived from {len(cat.adoptions):,} actions; "
    f"{int((status['adopted'] & ~status['date_known'].astype(bool)).sum()):,} of them rest on a row without a "
    "known date (counted from the instrument's opening).",
)
cyber = scope.resolutions_in_scope(cat, as_of, recorded_only=False)
c[3].metric(
    "Cyber resolutions voted",
    f"{int(cyber['recorded_vote'].sum())}",
    help=f"UN General Assembly cyber resolutions up to {as_of} with a recorded vote, out of "
    f"{len(cyber)} cyber resolutions; {len(cat.votes):,} country votes recorded on "
    f"{len(cat.resolutions):,} resolutions in all.",
)

st.subheader("What changed recently")
window = ui.select_slider(
    "Window before the chosen date",
    [3, 6, 12, 24, 60],
    default=12,
    format_func=lambda m: f"{m} months",
    key="overview_window",
    param="window",
)
ad = cache.adoptions_dated(cat.version)
end = pd.Timestamp(as_of)
start = end - timedelta(days=int(window * 30.44))
recent = ad[(ad["last_day"] <= end) & (ad["last_day"] > start)]
undated_rows = int(ad["last_day"].isna().sum())
if recent.empty:
    ui.empty_state(
        f"No dated adoption action in the {window} months up to {as_of}. Undated actions "
        f"(the source gives no date: {undated_rows:,} rows) are not listed here; widen the window or move the date."
    )
else:
    st.caption(
        f"{len(recent)} dated actions between {start.date()} and {as_of} (newest first; a year-only "
        f"date is placed at the end of that year). {undated_rows:,} actions without a date are counted apart "
        "(date unknown) and not listed: when they happened is not known."
    )
    st.dataframe(
        recent[["date", "party", "action", "instrument", "source_id"]].rename(columns={"source_id": "source"}),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(recent), 320),
    )

if mode == modes[0]:
    ui.export_spot(
        f"Export the adopters of {label(inst_id)} on {as_of}",
        key="overview_export",
        kind="adoptions",
        as_of=as_of.isoformat(),
        instrument=inst_id,
    )
