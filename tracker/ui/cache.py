"""Every Streamlit cache lives here. Cache DataFrames and plain objects, never ORM objects."""

from __future__ import annotations

import streamlit as st

from tracker.catalogue import Catalogue, CatalogueError, catalogue_from_database, sync_to_database
from tracker.settings import get_settings


@st.cache_resource(show_spinner=False)
def ensure_database() -> str:
    """Create the database and load the bundled catalogue on first start (a progress bar shows)."""
    bar = st.progress(0.0, text="Preparing the database (first start loads the catalogue)…")

    def progress(done: int, total: int, label: str) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Loading {label}… {done:,} of {total:,} rows")

    try:
        result = sync_to_database(get_settings().catalogue_path, progress=progress)
    except CatalogueError as exc:
        # A newer catalogue folder would overwrite approved curated edits: keep serving the
        # database (the system of record) and say so; `tracker dump` / `tracker load --force` decide.
        if not all(p.file == "database" for p in exc.problems):
            raise
        bar.empty()
        st.warning(f"The catalogue folder was not loaded: it would overwrite {len(exc.problems)} approved "
                   "curated edit(s). Serving the database as curated; see `tracker load`.")
        return "curated"
    bar.empty()
    return result.content_hash


@st.cache_resource(show_spinner="Reading the catalogue…")
def catalogue(content_hash: str, edits: int = 0) -> Catalogue:
    """The catalogue from the database (the system of record), keyed by what was loaded and by
    the approved curated edits since (so every app instance sees an approval on its next run)."""
    return catalogue_from_database()


def get_catalogue() -> Catalogue:
    from tracker.curation import data_version

    return catalogue(ensure_database(), data_version())
