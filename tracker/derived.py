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
states are removed (and those of other databases unused for two weeks).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

APP_NAME = "cyber-norms-tracker"
FORMAT = "tracker-derived-1"
LIBRARIES = ("numpy", "pandas", "scipy", "networkx")
T = TypeVar("T")


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


class DiskCache:
    """The catalogue copy and derived results of one served catalogue state, as files."""

    def __init__(self, key: str, folder: Path | None = None, *, database: str = "db"):
        self.key = key
        self.database = database  # files are named per database, so several databases share the folder
        self.folder = folder or cache_dir()

    @classmethod
    def for_state(cls, database_url: str, content_hash: str, loaded_at: str, edits: int,
                  folder: Path | None = None) -> DiskCache:
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
        if (not isinstance(stored, tuple) or len(stored) != 3 or stored[0] != FORMAT
                or stored[1] != self._meta(name, args)):
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
        """The stored result of ``name(*args)``, or ``compute()`` stored for next time."""
        found, value = self.load(name, args)
        if found:
            return value
        value = compute()
        self.save(name, args, value)
        return value

    def prune(self, *, stale_days: float = 14) -> None:
        """Remove this database's files of every other state (older catalogues), and the files of
        other databases that were not written for ``stale_days`` (databases no longer in use)."""
        now = time.time()
        try:
            files = [*self.folder.glob("catalogue-*.pickle"), *self.folder.glob("derived-*.pickle"),
                     *self.folder.glob("*.tmp")]
        except OSError:
            return
        for f in files:
            if self.key in f.name:
                continue
            with contextlib.suppress(OSError):
                if f"-{self.database}-" in f.name or now - f.stat().st_mtime > stale_days * 86400:
                    f.unlink(missing_ok=True)
