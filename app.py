"""Streamlit entry point: page config, navigation, shared sidebar. No logic here.

No page icons: Material icons are fetched from fonts.gstatic.com and emoji favicons from a CDN,
and the app must not make a request beyond localhost (air-gapped networks).
"""

import streamlit as st

from tracker.ui.cache import warm_up_after_first_page

st.set_page_config(page_title="Cyber Norms Alignment Tracker", layout="wide")

PAGES = [
    st.Page("tracker/ui/pages/overview.py", title="Overview", default=True),
    st.Page("tracker/ui/pages/catalogue.py", title="Catalogue", url_path="catalogue"),
    st.Page("tracker/ui/pages/country.py", title="Country profile", url_path="country"),
    st.Page("tracker/ui/pages/compare.py", title="Compare", url_path="compare"),
    st.Page("tracker/ui/pages/blocs.py", title="Blocs", url_path="blocs"),
    st.Page("tracker/ui/pages/gaps.py", title="Gaps", url_path="gaps"),
    st.Page("tracker/ui/pages/sources.py", title="Sources and data quality", url_path="sources"),
    st.Page("tracker/ui/pages/curation.py", title="Curation", url_path="curation"),
]

page = st.navigation(PAGES)
with st.sidebar:
    st.caption(
        "Cyber Norms Alignment Tracker · works offline · every number shows how many data points stand behind it."
    )
page.run()

warm_up_after_first_page()  # heavy analytics for the next pages, in the background
