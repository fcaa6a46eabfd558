"""Results derived from the served catalogue, kept on disk so a restart has them in milliseconds.

The app reads the catalogue back from the database (300,000 votes: ~1.5 s) and computes the heavy
analytics its pages open with (alignment tables, blocs, the open-vs-sovereign axis, swing states,
the default prediction and its backtest: up to a few seconds). A :class:`DiskCache` keeps each of
them as a file in the per-user cache directory
(``platformdirs.user_cache_dir("cyber-norms-tracker")``), so a restarted server, every process
serving the same database, and every CLI command read them back instead.

A cache directory is not trusted. Each file is a pickle (the one format that keeps every result
exactly, and the fastest to read back) signed with HMAC-SHA256 under a random key kept *outside*
the cache directory, readable by its owner only (``derived.key`` in the per-user data directory,
beside the default database): a file is unpickled only once its signature checks, so a file
planted in the cache directory is never run. Files are opened without following links and
without blocking, and only regular files are read, so a FIFO, a device or a link in the cache
directory costs a recomputation, never a hang. Without a usable key nothing is cached.

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
import hmac
import logging
import os
import pickle
import re
import secrets
import stat
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import platformdirs

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

log = logging.getLogger(__name__)

APP_NAME = "cyber-norms-tracker"
FORMAT = "tracker-derived-2"
MAGIC = FORMAT.encode() + b"\n"  # then the 32-byte signature, then the pickle
KEY_FILE = "derived.key"
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


def key_path() -> Path:
    """Where the signing key lives: the per-user data directory (``XDG_DATA_HOME`` moves it)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / KEY_FILE


def _open_regular(path: Path, flags: int = os.O_RDONLY) -> int:
    """A descriptor of ``path`` if it is a regular file, else OSError: links are not followed and
    a FIFO does not block."""
    fd = os.open(path, flags | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path} is not a regular file")
    return fd


def _read_key(path: Path) -> bytes:
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if info.st_uid != os.geteuid() or info.st_mode & 0o077:
            raise PermissionError(f"{path} is readable or writable by others (it must be mode 0600)")
        key = bytes.fromhex(f.read(200).decode("ascii").strip())
    if len(key) < 32:
        raise ValueError(f"{path} does not hold a key")
    return key


@cache
def signing_key(path: str) -> bytes | None:
    """The key that signs the derived files, created on first use (mode 0600); None when it
    cannot be read or made safely (then nothing is cached, and a warning says why)."""
    where = Path(path)
    try:
        try:
            return _read_key(where)
        except FileNotFoundError:
            where.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:  # another process made it meanwhile
                return _read_key(where)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
            return _read_key(where)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.warning("not keeping derived results on disk: no usable signing key (%s)", exc)
        return None


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

    def _key(self) -> bytes | None:
        """The signing key, unless it would sit inside the cache directory (anyone who can plant
        a file there could then sign it)."""
        where = key_path()
        with contextlib.suppress(OSError):
            if where.resolve().is_relative_to(self.folder.resolve()):
                log.warning("not keeping derived results on disk: the signing key %s is in the cache folder", where)
                return None
        return signing_key(str(where))

    def load(self, name: str, args: tuple = ()) -> tuple[bool, Any]:
        """(True, value) when a valid file for ``name(*args)`` exists, else (False, None). Only a
        regular file whose signature checks is unpickled."""
        key = self._key()
        if key is None:
            return False, None
        try:
            with os.fdopen(_open_regular(self.path(name, args)), "rb") as f:
                data = f.read()
        except OSError:  # missing, a link, a FIFO, a folder, unreadable
            return False, None
        view = memoryview(data)  # no copy of a 20 MB catalogue for the slices
        head, tag, body = data[: len(MAGIC)], data[len(MAGIC) : len(MAGIC) + 32], view[len(MAGIC) + 32 :]
        if head != MAGIC or not hmac.compare_digest(tag, hmac.new(key, body, hashlib.sha256).digest()):
            return False, None  # an older version's file, damaged, or not ours
        try:
            stored = pickle.loads(body)  # signed by this user's key: written by this module
        except Exception:  # noqa: BLE001 - a library changed under a file of the same code fingerprint
            return False, None
        if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != self._meta(name, args):
            return False, None
        return True, stored[1]

    def save(self, name: str, args: tuple, value: Any) -> None:
        """Write atomically (a reader never sees half a file), signed; failures are ignored."""
        key = self._key()
        if key is None:
            return
        path = self.path(name, args)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            body = pickle.dumps((self._meta(name, args), value), protocol=pickle.HIGHEST_PROTOCOL)
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + hmac.new(key, body, hashlib.sha256).digest() + body)
            os.replace(tmp, path)  # replaces a link or a FIFO itself, never what it points to
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


@dataclass(frozen=True)
class ServedState:
    """What a database serves (``tracker.db.LoadedState`` without the import of SQLAlchemy)."""

    content_hash: str
    loaded_at: str
    edits: int


def _sqlite_file(database_url: str) -> Path | None:
    path = database_url.removeprefix("sqlite:///") if database_url.startswith("sqlite:///") else ""
    return Path(path) if path and path != ":memory:" else None


def _file_stamp(db: Path) -> tuple | None:
    """The identity, size and change times of a SQLite database and of its write-ahead log: a
    commit (a load, a proposal, an approval) writes the log, a checkpoint the database. An empty
    log counts as none: a reader opening the database creates one, and that changes nothing."""
    try:
        main = os.stat(db)
    except OSError:
        return None
    try:
        log_file = os.stat(db.with_name(db.name + "-wal"))
        wal = (log_file.st_ino, log_file.st_size, log_file.st_mtime_ns) if log_file.st_size else None
    except FileNotFoundError:
        wal = None
    except OSError:
        return None
    return (main.st_dev, main.st_ino, main.st_size, main.st_mtime_ns, main.st_ctime_ns), wal


def served_state(database_url: str) -> ServedState | None:
    """What the database serves now (``tracker.db.loaded_state``; None when nothing is loaded).

    For a SQLite file the answer is also kept (signed, like every file here) under the file's
    stamp, so a warm command on an unchanged database reads it back instead of importing
    SQLAlchemy to ask (~0.2 s, a fifth of the command); any write to the database changes the
    stamp and the database is asked again."""
    db = _sqlite_file(database_url)
    stamp = _file_stamp(db) if db is not None else None
    store = DiskCache(_digest("state", database_url)[:24], database=_digest(database_url)[:10])
    if stamp is not None:
        found, kept = store.load("state")  # one file per database: (stamp, state)
        if found and isinstance(kept, tuple) and len(kept) == 2 and kept[0] == stamp:
            return kept[1]
    from tracker.db import loaded_state

    loaded = loaded_state()
    if loaded is None:
        return None
    state = ServedState(loaded.content_hash, loaded.loaded_at, loaded.edits)
    if db is not None and stamp is not None and _file_stamp(db) == stamp:  # nothing was written while asking
        store.save("state", (), (stamp, state))
    return state


def served_catalogue(disk: DiskCache, edits: int, engine=None) -> Catalogue:
    """The catalogue the database serves, from its copy on disk, or read from the database (the
    system of record; 300,000 votes take ~1.5 s) and copied for the next start. Its version names
    the loaded content and the approved edits since (``+e<edits>``)."""
    from tracker.catalogue import Catalogue

    found, cat = disk.load("catalogue")
    if found and isinstance(cat, Catalogue):
        return cat
    from tracker.db import data_version  # only a miss needs the database (and SQLAlchemy)
    from tracker.sync import catalogue_from_database

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
            disk.get(name, args, partial(compute, cat, name, args))
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
