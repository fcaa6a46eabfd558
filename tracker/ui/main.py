"""The Streamlit app: page config, navigation, shared sidebar. No logic here.

Run by `streamlit run app.py` (the repository's entry point imports ``run``) or by
`tracker app` (which runs this file from the installed package). No page icons: Material
icons are fetched from fonts.gstatic.com and emoji favicons from a CDN, and the app must not
make a request beyond localhost (air-gapped networks).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent / "pages"


def run() -> None:
    from tracker.ui import state
    from tracker.ui.cache import warm_up_after_first_page

    st.set_page_config(page_title="Cyber Norms Alignment Tracker", layout="wide")
    state.begin_run()  # every control a page draws binds its query parameter (tracker.ui.state)
    pages = [
        st.Page(PAGES_DIR / "overview.py", title="Overview", default=True),
        st.Page(PAGES_DIR / "catalogue.py", title="Catalogue", url_path="catalogue"),
        st.Page(PAGES_DIR / "country.py", title="Country profile", url_path="country"),
        st.Page(PAGES_DIR / "compare.py", title="Compare", url_path="compare"),
        st.Page(PAGES_DIR / "blocs.py", title="Blocs", url_path="blocs"),
        st.Page(PAGES_DIR / "gaps.py", title="Gaps", url_path="gaps"),
        st.Page(PAGES_DIR / "sources.py", title="Sources and data quality", url_path="sources"),
        st.Page(PAGES_DIR / "curation.py", title="Curation", url_path="curation"),
    ]
    page = st.navigation(pages)
    with st.sidebar:
        st.caption(
            "Cyber Norms Alignment Tracker · works offline · every number shows how many data points stand behind it."
        )
    page.run()
    state.end_run()  # not after st.rerun or st.switch_page: the run that follows binds again
    warm_up_after_first_page()  # heavy analytics for the next pages, in the background


if __name__ == "__main__":
    run()
