"""Results derived from the served catalogue, kept on disk so a restart has them in milliseconds.

The app reads the catalogue back from the database (300,000 votes: ~1.5 s) and computes the heavy
analytics its pages open with (alignment tables, blocs, the open-vs-sovereign axis, swing states,
the default prediction and its backtest: up to a few seconds). A :class:`DiskCache` keeps each of
them as a pickle in the per-user cache directory
(``platformdirs.user_cache_dir("cyber-norms-tracker")``), so a restarted server, and every
process serving the same database, reads them back instead.

A file is only ever used for exactly what it was computed from. Its key names the database, the
loaded catalogue (content hash and load time), the newest approved change (a curation approval
or a forced load starts afresh), the tracker sources and the versions of the libraries that
compute; the key is also stored inside the file and checked on reading. A missing, unreadable,
foreign or stale file is ignored and rewritten; a cache directory that cannot be written only
costs the speed-up. When a new catalogue copy is written, the files of that database's older
states are removed, and those of all but the two other databases written most recently.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import sys
import threading
import time
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import platformdirs

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

APP_NAME = "cyber-norms-tracker"
FORMAT = "tracker-derived-1"
LIBRARIES = ("numpy", "pandas", "scipy", "networkx")
T = TypeVar("T")

DEFAULT_RESOLUTION = "A/RES/74/247"  # the Blocs page opens its prediction and backtest on this vote
# The blocs of the analysis configuration's defaults (tracker.analytics.config.AnalysisConfig: method,
# basis, topic), which the app, the CLI and the exports share; written out here so that the first
# page need not import the analytics (a test checks they are the configuration's).
DEFAULT_BLOCS = ("hierarchical", "votes", "all")
# The heavy results the app's pages open with (Country profile: alignment tables, blocs, axis;
# Blocs: blocs, swing states, the default prediction and its backtest), as (name, args).
OPENING: tuple[tuple[str, tuple], ...] = (
    ("alignment_tables", ("all",)),
    ("alignment_tables", ("cyber",)),
    ("blocs", DEFAULT_BLOCS),
    ("axis", ("cyber",)),
    ("swing_states", ()),
    ("predict_votes", (DEFAULT_RESOLUTION,)),
    ("backtest_one", (DEFAULT_RESOLUTION,)),
)
LABELS = {
    "alignment_tables": "alignment tables",
    "blocs": "voting blocs",
    "axis": "open-vs-sovereign axis",
    "swing_states": "swing states",
    "predict_votes": "predicted votes",
    "backtest_one": "prediction backtest",
}


def cache_dir() -> Path:
    """The per-user cache directory (``XDG_CACHE_HOME`` moves it, as the tests do)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


@cache
def code_fingerprint() -> str:
    """A hash of the tracker sources that compute (everything but the UI) and of the library
    versions: any change to either invalidates every derived file."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(sys.version.encode())
    for lib in LIBRARIES:
        try:
            h.update(f"{lib}={metadata.version(lib)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{lib}=none".encode())
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] == "ui":
            continue
        h.update(str(rel).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(path, threading.Lock())


class DiskCache:
    """The catalogue copy and derived results of one served catalogue state, as files."""

    def __init__(self, key: str, folder: Path | None = None, *, database: str = "db"):
        self.key = key
        self.database = database  # files are named per database, so several databases share the folder
        self.folder = folder or cache_dir()

    @classmethod
    def for_state(
        cls, database_url: str, content_hash: str, loaded_at: str, edits: int, folder: Path | None = None
    ) -> DiskCache:
        """The store for what ``database_url`` serves: the catalogue with ``content_hash`` loaded
        at ``loaded_at``, plus the approved changes up to audit entry ``edits``."""
        key = _digest(database_url, content_hash, loaded_at, edits, code_fingerprint())[:24]
        return cls(key, folder, database=_digest(database_url)[:10])

    # ------------------------------------------------------------------ files

    def path(self, name: str, args: tuple = ()) -> Path:
        if name == "catalogue":
            return self.folder / f"catalogue-{self.database}-{self.key}.pickle"
        return self.folder / f"derived-{self.database}-{self.key}-{name}-{_digest(args)[:16]}.pickle"

    def _meta(self, name: str, args: tuple) -> tuple:
        return (self.key, name, args)

    def load(self, name: str, args: tuple = ()) -> tuple[bool, Any]:
        """(True, value) when a valid file for ``name(*args)`` exists, else (False, None)."""
        try:
            with self.path(name, args).open("rb") as f:
                stored = pickle.load(f)  # written by this module, in the user's own cache directory
        except Exception:  # noqa: BLE001 - missing, truncated, garbage or from an older version
            return False, None
        if (
            not isinstance(stored, tuple)
            or len(stored) != 3
            or stored[0] != FORMAT
            or stored[1] != self._meta(name, args)
        ):
            return False, None
        return True, stored[2]

    def save(self, name: str, args: tuple, value: Any) -> None:
        """Write atomically (a reader never sees half a file); failures are ignored."""
        path = self.path(name, args)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as f:
                pickle.dump((FORMAT, self._meta(name, args), value), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def get(self, name: str, args: tuple, compute: Callable[[], T]) -> T:
        """The stored result of ``name(*args)``, or ``compute()`` stored for next time. Two
        threads asking for the same missing result compute it once (the second waits)."""
        found, value = self.load(name, args)
        if found:
            return value
        with _lock_for(self.path(name, args)):
            found, value = self.load(name, args)  # written while this thread waited
            if found:
                return value
            value = compute()
            self.save(name, args, value)
            return value

    def prune(self, *, keep_databases: int = 2) -> None:
        """Remove this database's files of every other state (older catalogues), files this
        version cannot read, and the files of all but the ``keep_databases`` other databases
        written most recently (test and benchmark databases come and go); crashed partial
        writes go after an hour."""
        now = time.time()
        others: dict[str, list[tuple[Path, float]]] = {}
        try:
            files = [
                (f, f.stat().st_mtime)
                for f in self.folder.iterdir()
                if f.name.startswith(("catalogue-", "derived-")) and self.key not in f.name
            ]
        except OSError:
            return
        doomed = []
        for f, mtime in files:
            match = _NAME.match(f.name)
            if f.name.endswith(".tmp"):
                if now - mtime > 3600:
                    doomed.append(f)
            elif match is None or match["database"] == self.database:
                doomed.append(f)
            else:
                others.setdefault(match["database"], []).append((f, mtime))
        ranked = sorted(others, key=lambda db: max(m for _f, m in others[db]), reverse=True)
        doomed += [f for db in ranked[keep_databases:] for f, _m in others[db]]
        for f in doomed:
            with contextlib.suppress(OSError):
                f.unlink(missing_ok=True)


_NAME = re.compile(r"^(?:catalogue|derived)-(?P<database>[0-9a-f]{10})-(?P<key>[0-9a-f]{24})[-.]")


# --------------------------------------------------------------------------- what is kept


def compute(cat: Catalogue, name: str, args: tuple) -> Any:
    """The analytics result ``name(*args)`` of ``cat``, for every name this store keeps."""
    from tracker import analytics

    if name == "alignment_tables":
        (topic,) = args
        return analytics.alignment_tables(cat, topic=topic)
    if name == "blocs":
        method, basis, topic = args
        return analytics.blocs(cat, method=method, basis=basis, topic=topic)
    if name == "axis":
        (topic,) = args
        return analytics.axis(cat, topic=topic)
    if name == "swing_states":
        return analytics.swing_states(cat)
    if name == "predict_votes":  # the opening view: no known votes
        (resolution,) = args
        return analytics.predict_votes(cat, resolution)
    if name == "backtest_one":
        (resolution,) = args
        return analytics.run_backtest(cat, resolutions=[resolution], seeds=range(5)).summary
    raise KeyError(f"no derived result called {name!r}")


def store_for(database_url: str | None = None, engine=None) -> DiskCache | None:
    """The store of what the database serves now (None when nothing is loaded yet)."""
    from tracker.db import loaded_state
    from tracker.settings import get_settings

    state = loaded_state(engine)
    if state is None:
        return None
    return DiskCache.for_state(
        database_url or get_settings().database_url, state.content_hash, state.loaded_at, state.edits
    )


def served_catalogue(disk: DiskCache, edits: int, engine=None) -> Catalogue:
    """The catalogue the database serves, from its copy on disk, or read from the database (the
    system of record; 300,000 votes take ~1.5 s) and copied for the next start. Its version names
    the loaded content and the approved edits since (``+e<edits>``)."""
    from tracker.catalogue import Catalogue
    from tracker.db import data_version
    from tracker.sync import catalogue_from_database

    found, cat = disk.load("catalogue")
    if found and isinstance(cat, Catalogue):
        return cat
    cat = catalogue_from_database(engine)
    if edits:
        cat.version = f"{cat.version}+e{edits}"
    if data_version(engine) == edits:  # no approval landed while reading: the copy matches its key
        disk.prune()
        disk.save("catalogue", (), cat)
    return cat


def prepare_results(disk: DiskCache, cat: Catalogue, progress: Callable[[int, int, str], None] | None = None) -> int:
    """Make sure the :data:`OPENING` results of ``cat`` (the catalogue ``disk`` is keyed by) are
    on disk: read back when there, else computed and written. A result the catalogue cannot give
    (e.g. too few votes) is skipped; the page says why when it is opened. Returns how many are
    on disk; ``progress(done, total, label)`` is called before each."""
    ready = 0
    for done, (name, args) in enumerate(OPENING):
        if progress:
            progress(done, len(OPENING), LABELS.get(name, name))
        try:
            disk.get(name, args, lambda name=name, args=args: compute(cat, name, args))
            ready += 1
        except ValueError:  # not enough evidence in this catalogue, unknown resolution, ...
            pass
    return ready


def prepare(
    database_url: str | None = None, engine=None, progress: Callable[[int, int, str], None] | None = None
) -> int:
    """After a load: write the catalogue copy and the :data:`OPENING` results of what the database
    now serves, so the app's next start and its first pages find them on disk. Returns how many
    results are on disk; ``progress(done, total, label)`` is called as it goes."""
    disk = store_for(database_url, engine)
    if disk is None:
        return 0
    total = len(OPENING) + 1
    if progress:
        progress(0, total, "the catalogue copy")
    from tracker.db import data_version

    cat = served_catalogue(disk, data_version(engine), engine)
    ready = prepare_results(
        disk, cat, None if progress is None else lambda done, _total, label: progress(done + 1, total, label)
    )
    if progress:
        progress(total, total, "done")
    return ready
