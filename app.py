"""Streamlit entry point: page config, navigation, shared sidebar. No logic here."""

import streamlit as st

st.set_page_config(page_title="Cyber Norms Alignment Tracker", page_icon=":material/public:", layout="wide")

PAGES = [
    st.Page("tracker/ui/pages/overview.py", title="Overview", icon=":material/public:", default=True),
    st.Page("tracker/ui/pages/catalogue.py", title="Catalogue", icon=":material/menu_book:", url_path="catalogue"),
    st.Page("tracker/ui/pages/country.py", title="Country profile", icon=":material/flag:", url_path="country"),
    st.Page("tracker/ui/pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("tracker/ui/pages/blocs.py", title="Blocs", icon=":material/hub:", url_path="blocs"),
    st.Page("tracker/ui/pages/gaps.py", title="Gaps", icon=":material/rule:", url_path="gaps"),
    st.Page("tracker/ui/pages/sources.py", title="Sources and data quality", icon=":material/fact_check:", url_path="sources"),
]

page = st.navigation(PAGES)
with st.sidebar:
    st.caption("Cyber Norms Alignment Tracker · works offline · every number shows how many data "
               "points stand behind it.")
page.run()
