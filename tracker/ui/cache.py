"""Every Streamlit cache lives here. Cache DataFrames and plain objects, never ORM objects."""

from __future__ import annotations

import streamlit as st

from tracker.catalogue import Catalogue, catalogue_from_database, sync_to_database
from tracker.settings import get_settings


@st.cache_resource(show_spinner=False)
def ensure_database() -> str:
    """Create the database and load the bundled catalogue on first start (a progress bar shows)."""
    bar = st.progress(0.0, text="Preparing the database (first start loads the catalogue)…")

    def progress(done: int, total: int, label: str) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Loading {label}… {done:,} of {total:,} rows")

    result = sync_to_database(get_settings().catalogue_path, progress=progress)
    bar.empty()
    return result.content_hash


@st.cache_resource(show_spinner="Reading the catalogue…")
def catalogue(content_hash: str) -> Catalogue:
    """The catalogue from the database (the system of record), keyed by what was loaded."""
    return catalogue_from_database()


def get_catalogue() -> Catalogue:
    return catalogue(ensure_database())
