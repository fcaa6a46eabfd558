"""Every Streamlit cache lives here, and only the caches: the work they wrap lives in the core,
tracker.derived, tracker.ui.maps and tracker.ui.backtests. Cache DataFrames and plain objects,
never ORM objects.

Everything heavy is keyed by the catalogue version (the content hash of what was loaded),
so a new load invalidates it; pages filter the cached frames outside the caches. The catalogue
and the heavy analytics are also kept on disk (tracker.derived), so a restarted server and
every new process read them back in milliseconds instead of recomputing them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import date
from typing import TYPE_CHECKING, cast

import pandas as pd
import streamlit as st

from tracker.catalogue import Catalogue, content_hash, scope
from tracker.db import data_version, loaded_state
from tracker.derived import (
    DiskCache,
    compute,
    prepare,
    prepare_results,
    served_catalogue,
    store_for,
)
from tracker.errors import CatalogueError
from tracker.settings import get_settings
from tracker.sync import sync_to_database
from tracker.ui import backtests, maps

if TYPE_CHECKING:
    from collections.abc import Callable

    from tracker.export import Report

logger = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def ensure_database() -> str:
    """Create the database and load the bundled catalogue on first start (a progress bar shows);
    a start that loads also prepares the catalogue copy and the analytics the first pages open
    with (tracker.derived), so every later start and first visit reads them from disk."""
    path = get_settings().catalogue_path
    state = loaded_state()  # a plain query: an unchanged start shows nothing and loads no ORM models
    bar = None
    if state is None or state.content_hash != content_hash(path):
        bar = st.progress(0.0, text="Preparing the database (first start loads the catalogue)…")

    def progress(done: int, total: int, label: str) -> None:
        if bar is not None:
            bar.progress(min(done / max(total, 1), 1.0), text=f"Loading {label}… {done:,} of {total:,} rows")

    try:
        result = sync_to_database(path, progress=progress)
    except CatalogueError as exc:
        # A newer catalogue folder would overwrite approved curated edits: keep serving the
        # database (the system of record) and say so; `tracker dump` / `tracker load --force` decide.
        if not all(p.file == "database" for p in exc.problems):
            raise
        if bar is not None:
            bar.empty()
        st.warning(
            f"The catalogue folder was not loaded: it would overwrite {len(exc.problems)} approved "
            "curated edit(s). Serving the database as curated; see `tracker load`."
        )
        return "curated"
    if result.status == "loaded":

        def preparing(done: int, total: int, label: str) -> None:
            if bar is not None:
                bar.progress(min(done / max(total, 1), 1.0), text=f"Preparing the analytics: {label}…")

        prepare(progress=preparing)
    if bar is not None:
        bar.empty()
    return result.content_hash


@st.cache_resource(show_spinner=False)
def disk_cache(content_hash: str, edits: int) -> DiskCache:
    """The files of the served catalogue state in the user cache directory (tracker.derived),
    keyed by the database, what was loaded and when, and the approved curated edits since."""
    disk = store_for()
    return disk if disk is not None else DiskCache.for_state(get_settings().database_url, content_hash, "", edits)


@st.cache_resource(show_spinner="Reading the catalogue…")
def catalogue(content_hash: str, edits: int = 0) -> Catalogue:
    """The catalogue from the database (the system of record), keyed by what was loaded and by
    the approved curated edits since (so every app instance sees an approval on its next run).
    Its version names both, so every cache keyed by ``cat.version`` follows an approval too.

    Reading 300,000 votes back from the database takes ~1.5 s, so the frames are also kept in
    the user cache directory under the same key (reading them back takes ~20 ms); a restart
    then serves its first page without that wait. A stale or unreadable file is ignored."""
    return served_catalogue(disk_cache(content_hash, edits), edits)


def _state() -> tuple[str, int]:
    return ensure_database(), data_version()


def get_catalogue() -> Catalogue:
    return catalogue(*_state())


def derived(name: str, args: tuple):
    """The analytics result ``name(*args)`` of the current catalogue (tracker.derived.compute)
    through its file in the user cache directory: computed once per catalogue state, read back by
    every later process. Catalogue and file are of the same state, even if an approval lands meanwhile."""
    state = _state()
    return disk_cache(*state).get(name, args, lambda: compute(catalogue(*state), name, args))


def warm_up_after_first_page() -> None:
    """Called by app.py once a page has run: start the background warm-up (once per catalogue)."""
    if get_settings().warm_up:
        state = _state()
        warm_up(*state)


@st.cache_resource(show_spinner=False)
def warm_up(content_hash: str, edits: int) -> threading.Thread:
    """Once per catalogue state and process, make sure the heavy analytics the Country profile
    and Blocs pages open with (tracker.derived.OPENING) are on disk, in a background thread, so a
    first visit reads them in milliseconds. After a load they already are (the start that loaded
    prepared them); otherwise (e.g. after an approved edit) they are computed, a few seconds of
    CPU, and written for every later process. Failures only cost speed.

    The thread touches no Streamlit API (no session, no spinner); a page asking for a result the
    thread is computing waits for it instead of computing it twice."""
    disk, cat = disk_cache(content_hash, edits), catalogue(content_hash, edits)

    def work() -> None:
        time.sleep(3)  # let the browser draw the first page before competing for the 2 cores
        try:
            prepare_results(disk, cat)
            cat.norm_evidence  # noqa: B018 - derives the norm evidence into the served catalogue's memo
        except Exception:  # only costs speed: a page computes what it needs and shows any error itself
            logger.exception("warm-up of the opening analytics failed")

    thread = threading.Thread(target=work, name="tracker-warm-up", daemon=True)
    thread.start()
    return thread


# --------------------------------------------------------------------------- map geometry (tracker.ui.maps)


@st.cache_resource(show_spinner=False)
def world_topology() -> dict:
    """Natural Earth 110m countries (npm world-atlas 2.0.2, ISC), shared by every session: read-only."""
    return maps.load_topology()


@st.cache_resource(show_spinner=False)
def small_state_points() -> dict[str, tuple[float, float]]:
    return maps.load_small_state_points()


@st.cache_data(show_spinner=False)
def party_geo(version: str) -> pd.DataFrame:
    """One row per party: code, name, geo_id, how it is drawn (polygon/point/none)."""
    return maps.party_geo(get_catalogue().parties, world_topology(), small_state_points())


@st.cache_data(show_spinner=False, max_entries=64)
def map_spec(version: str, frame: pd.DataFrame, **options) -> dict:
    """maps.world_map, cached on the frame's content and the options (building one costs ~0.3 s)."""
    cat = get_catalogue()
    return maps.world_map(frame, geo=party_geo(version), topology=world_topology(), names=cat.party_names(), **options)


# --------------------------------------------------------------------------- catalogue-derived frames


@st.cache_data(show_spinner=False)
def status_as_of(version: str, as_of: date | None) -> pd.DataFrame:
    """cat.status(as_of) joined with party and instrument names (a DataFrame copy per call)."""
    cat = get_catalogue()
    s = cat.status(as_of)
    s["party"] = s["party_code"].map(cat.party_names())
    s["instrument"] = s["instrument_id"].map(scope.instrument_labels(cat))
    return s


@st.cache_data(show_spinner=False)
def adoptions_dated(version: str) -> pd.DataFrame:
    """Adoption rows with the first and last day their (partial) date can mean, newest first."""
    from tracker.dates import date_bounds

    cat = get_catalogue()
    ad = cat.adoptions.copy()
    bounds = ad["date"].map(lambda d: date_bounds(d) if d else None)
    ad["first_day"] = pd.to_datetime(bounds.map(lambda b: b[0] if b else None))
    ad["last_day"] = pd.to_datetime(bounds.map(lambda b: b[1] if b else None))
    ad["party"] = ad["party_code"].map(cat.party_names())
    ad["instrument"] = ad["instrument_id"].map(dict(zip(cat.instruments["id"], cat.instruments["name"], strict=True)))
    return ad.sort_values(
        ["last_day", "instrument_id", "party_code"], ascending=[False, True, True], na_position="last"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- search


@st.cache_resource(show_spinner="Building the search index…")
def search_index(version: str):
    """The rapidfuzz index over instruments, norms, clauses and parties, built once per version."""
    from tracker.search import SearchIndex

    return SearchIndex(get_catalogue())


# --------------------------------------------------------------------------- metadata and quality


@st.cache_data(show_spinner=False)
def package_metadata() -> dict:
    """The data package descriptor without its resources (title, version, licences, sources)."""
    path = get_settings().catalogue_path / "datapackage.json"
    try:
        meta = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:  # e.g. a database loaded from a folder since moved: pages say less
        logger.warning("cannot read the data package descriptor %s: %s", path, exc)
        return {}
    meta.pop("resources", None)
    return meta


@st.cache_data(show_spinner="Checking data quality…")
def quality_tables(version: str) -> dict:
    """tracker.quality's tables (per instrument, untracked instruments, UN members without any
    action) and tracker.norms.counts, for the Sources page."""
    from tracker import norms, quality

    cat = get_catalogue()
    return {
        "instruments": quality.instrument_quality(cat),
        "untracked": quality.untracked_instruments(cat),
        "un_without_action": quality.un_members_without_action(cat),
        "norm_counts": norms.counts(cat),
    }


# --------------------------------------------------------------------------- norm commitments (tracker.norms)


@st.cache_data(show_spinner="Ranking the norm evidence…", max_entries=8)
def norm_ladder(version: str, as_of: date | None = None) -> pd.DataFrame:
    """tracker.norms.ladder for every party and norm on ``as_of``."""
    from tracker import norms

    return norms.ladder(get_catalogue(), as_of=as_of)


@st.cache_data(show_spinner="Reading the norm evidence…", max_entries=4)
def norm_evidence(version: str) -> pd.DataFrame:
    """Every piece of norm evidence (stored and derived) with its source's title and address."""
    cat = get_catalogue()
    src = cat.sources.set_index("id")
    ev = cat.norm_evidence
    ev["source_title"] = ev["source_id"].map(src["title"]).fillna("")
    ev["source_url"] = ev["source_id"].map(src["url"]).fillna("")
    return ev


# --------------------------------------------------------------------------- export reports


def freeze(params: dict) -> str:
    """Builder keyword arguments as a stable cache key."""
    return json.dumps(params, sort_keys=True, default=str)


@st.cache_data(show_spinner="Preparing…", max_entries=32)
def export_report(version: str, kind: str, frozen: str):
    """The Report of the builder ``tracker.export.BUILDERS[kind]`` for these arguments (what a page
    shows and its download buttons write); raises the builder's one-line errors."""
    from tracker import export  # the builders import the analytics when they run

    # BUILDERS mixes builders of different signatures; each is (cat, **params) -> Report
    builder = cast("Callable[..., Report]", export.BUILDERS[kind])
    return builder(get_catalogue(), **json.loads(frozen))


# --------------------------------------------------------------------------- analytics results
# Keyed by the catalogue version and the arguments; the pages filter the results outside.


@st.cache_data(show_spinner="Computing alignment…", max_entries=16)
def alignment_matrix(version: str, basis: str, topic: str, as_of: date | None = None) -> pd.DataFrame:
    from tracker import analytics

    return analytics.alignment(get_catalogue(), basis=basis, topic=topic, as_of=as_of)


@st.cache_resource(show_spinner="Computing alignment…", max_entries=8)
def alignment_tables(version: str, topic: str):
    """Every party x party alignment table for a topic (all dates): the basis of partners. Kept
    on disk; treat as read-only (shared by every session)."""
    return derived("alignment_tables", (topic,))


@st.cache_data(show_spinner="Finding partners…", max_entries=64)
def partners(version: str, party: str, topic: str, n: int = 10) -> pd.DataFrame:
    from tracker import analytics

    return analytics.partners(get_catalogue(), party, n, topic=topic, tables=alignment_tables(version, topic))


@st.cache_data(show_spinner="Finding blocs…", max_entries=16)
def blocs(version: str, method: str, basis: str, topic: str):
    return derived("blocs", (method, basis, topic))


@st.cache_data(show_spinner="Placing parties on the open-vs-sovereign axis…", max_entries=4)
def axis(version: str, topic: str = "cyber") -> pd.DataFrame:
    return derived("axis", (topic,))


@st.cache_data(show_spinner="Finding swing states…", max_entries=4)
def swing_states(version: str) -> pd.DataFrame:
    return derived("swing_states", ())


@st.cache_data(show_spinner="Predicting votes…", max_entries=64)
def predict_votes(version: str, resolution: str, known: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    from tracker import analytics

    if known:  # known votes are open-ended input: computed (fast), not kept on disk
        return analytics.predict_votes(get_catalogue(), resolution, known=dict(known))
    return derived("predict_votes", (resolution,))


@st.cache_data(show_spinner="Backtesting the prediction on this resolution…", max_entries=32)
def backtest_one(version: str, resolution: str) -> pd.DataFrame:
    return derived("backtest_one", (resolution,))


@st.cache_data(show_spinner="Ranking gaps…", max_entries=64)
def gaps(
    version: str, party: str, bloc: str | None, reference: str | None, min_share: float | None = None
) -> pd.DataFrame:
    from tracker import analytics

    return analytics.gaps(get_catalogue(), party, bloc=bloc, reference=reference, min_share=min_share)


@st.cache_data(show_spinner="Comparing norm commitments…", max_entries=64)
def norm_gaps(
    version: str, party: str, bloc: str | None, reference: str | None, min_share: float | None = None
) -> pd.DataFrame:
    from tracker.analytics.gaps import norm_gaps as compute_norm_gaps

    return compute_norm_gaps(get_catalogue(), party, bloc=bloc, reference=reference, min_share=min_share)


@st.cache_data(show_spinner="Finding bloc events…", max_entries=16)
def bloc_events(version: str, method: str, basis: str, topic: str) -> pd.DataFrame:
    """Bloc-wide changes of vote (tracker.analytics.bloc_events) of the blocs of this configuration."""
    from tracker import analytics
    from tracker.analytics.config import AnalysisConfig

    cfg = AnalysisConfig(method=method, basis=basis, topic=topic)
    return analytics.bloc_events(get_catalogue(), config=cfg, result=blocs(version, method, basis, topic))


@st.cache_data(show_spinner="Ranking likely next adopters…", max_entries=64)
def next_adopters(version: str, instrument: str, n: int = 15) -> pd.DataFrame:
    from tracker import analytics

    return analytics.next_adopters(get_catalogue(), instrument, n=n)


@st.cache_data(show_spinner=False)
def backtest_text(title_word: str) -> str:
    """The shipped backtest section whose heading contains ``title_word`` (tracker.ui.backtests)."""
    return backtests.text(title_word)
