"""Sources and data quality: every source, as-of dates, coverage, the quality report, licence, citation."""

import streamlit as st

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

st.subheader("Quality report")
report = cache.quality_report_text(cat.version)
st.code(report, language=None)

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
