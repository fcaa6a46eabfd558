"""Sources and data quality: every source, as-of dates, coverage, the quality report, licence, citation."""

import pandas as pd
import streamlit as st

from tracker.catalogue.status import LEVEL_LABELS, LEVELS
from tracker.ui import cache
from tracker.ui import components as ui
from tracker.ui.text import md

cat = cache.get_catalogue()
meta = cache.package_metadata()
st.title("Sources and data quality")
ui.page_help("sources")
st.caption(
    md(f"{meta.get('title', 'Catalogue')} {meta.get('version', '')} · content version {cat.version} · ")
    + md(f"loaded from {cat.origin}")
)

c = st.columns(4)
c[0].metric("Sources cited", len(cat.sources))
c[1].metric("Adoption rows", len(cat.adoptions), help="Every adoption row cites one of the sources.")
c[2].metric(
    "Recorded UN votes",
    f"{len(cat.votes):,}",
    help=f"On {int(cat.resolutions['recorded_vote'].sum()):,} resolutions with a recorded vote, "
    f"out of {len(cat.resolutions):,} resolutions.",
)
c[3].metric("Crosswalk rows", len(cat.crosswalk), help="Norm concept → clause links, each with a source.")

st.subheader("Coverage by instrument")
cov = cat.coverage().reset_index()
st.caption(
    f"{int(cov['tracked'].sum())} of {len(cov)} instruments have adoption data. 'rows' = source rows, "
    "'parties' = distinct parties with any action, 'sources_as_of' = the newest source date behind them. "
    "An instrument without rows has *no data*, which is not the same as *no adoption*."
)
st.dataframe(cov, hide_index=True, width="stretch")

st.subheader("Data quality")
quality = cache.quality_tables(cat.version)
names = cat.party_names()
members = quality["un_without_action"]
un = int(cat.parties["un_member"].sum())
st.markdown("**UN Member States without any recorded action**")
st.caption(
    f"{len(members)} of {un} UN Member States have no adoption row on any instrument: missing data (a gap in the "
    "catalogue), not evidence that they rejected anything."
)
if members:
    st.dataframe(
        pd.DataFrame({"party": [names.get(c, c) for c in members], "code": members}),
        hide_index=True,
        width="stretch",
    )
per = quality["instruments"]
levels = [lv for lv in LEVELS if lv in per.columns]
st.markdown("**Commitment levels, undated rows and secondary sources by instrument**")
totals = per[levels].sum()
st.caption(
    "Parties at each commitment level today: "
    + ", ".join(f"{LEVEL_LABELS[lv]} {int(totals[lv])}" for lv in levels)
    + f". {int(per['undated'].sum())} of {int(per['rows'].sum())} rows have no date (counted from the "
    "instrument's opening, shown as date unknown); secondary_% = share of an instrument's rows resting on a "
    "secondary or unofficial source."
)
st.dataframe(
    per.rename(columns={lv: LEVEL_LABELS[lv] for lv in levels}),
    hide_index=True,
    width="stretch",
    column_config={
        "secondary_%": st.column_config.ProgressColumn("secondary_%", format="%d%%", min_value=0, max_value=100)
    },
)
untracked = quality["untracked"]
st.markdown("**Instruments without adoption data**")
st.caption(
    f"{len(untracked)} catalogued instruments (norm concepts aside) have no adoption row: no data, not 'no adopters'."
)
if untracked:
    label = ui.instrument_label(cat)
    st.write(", ".join(f"{label(i)} ({i})" for i in untracked))
st.markdown("**Norms: parties by their strongest evidence**")
st.caption(
    "Per norm, parties whose strongest supporting evidence is on each rung of the ladder (1 binding ... "
    "5 consensus), and parties with rejecting evidence (shown beside the support, never netted away)."
)
st.dataframe(quality["norm_counts"], hide_index=True, width="stretch")
st.caption("The same tables as text: `tracker validate --report`.")

st.subheader("Every source")
q = ui.text_input(
    "Filter sources", key="sources_filter", param="filter", placeholder="publisher, title or id", live="300ms"
)
src = cat.sources
if q.strip():
    text = (src["id"] + " " + src["title"] + " " + src["publisher"]).str.casefold()
    src = src[text.str.contains(q.strip().casefold(), regex=False)]
st.caption(
    f"{len(src)} of {len(cat.sources)} sources; as-of dates from {cat.sources['as_of'].min()} to "
    f"{cat.sources['as_of'].max()}."
)
if src.empty:
    ui.empty_state(f"No source matches {md(repr(q))}.")
else:
    st.dataframe(src, hide_index=True, width="stretch", column_config={"url": st.column_config.LinkColumn("url")})

st.subheader("Licence")
for lic in meta.get("licenses", []):
    st.markdown(f"- **{md(lic.get('name', ''))}**: {md(lic.get('title', ''))} ({md(lic.get('path', ''))})")
st.markdown(
    "- Map geometry: Natural Earth 110m (public domain) via the npm package world-atlas 2.0.2, "
    "© Michael Bostock, ISC licence (shipped in `tracker/ui/assets/`)."
)
for s in meta.get("sources", []):
    st.caption(f"Upstream: {md(s.get('title', ''))} {md(s.get('path', ''))}")

st.subheader("How to cite")
st.code(
    f"{meta.get('title', 'Cyber Norms Alignment Tracker catalogue')}, version {meta.get('version', '')} "
    f"(content {cat.version}), sources as of {cat.sources['as_of'].max()}. Licence "
    f"{', '.join(lic.get('name', '') for lic in meta.get('licenses', []))}. "
    "Cite the row-level source (sources.csv) for any single fact.",
    language=None,
)

st.subheader("Raw tables")
st.caption(
    "For analysts: every (instrument, party) status today, and every recorded vote on the cyber "
    "resolutions. The catalogue itself (CSV files + datapackage.json) is the unmodified machine format."
)
ui.export_spot("All adoption statuses", key="export_raw_adoptions", kind="adoptions", formats=["csv", "xlsx", "json"])
ui.export_spot("Votes on the cyber resolutions", key="export_raw_votes", kind="votes", formats=["csv", "xlsx", "json"])
