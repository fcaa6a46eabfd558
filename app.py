"""Streamlit entry point: page config, navigation, shared sidebar. No logic here."""

import streamlit as st

st.set_page_config(page_title="Cyber Norms Alignment Tracker", page_icon="🌐", layout="wide")

PAGES = [
    st.Page("tracker/ui/pages/overview.py", title="Overview", icon="🗺️", default=True),
    st.Page("tracker/ui/pages/curation.py", title="Curation", icon="✍️"),
]

page = st.navigation(PAGES)
page.run()
