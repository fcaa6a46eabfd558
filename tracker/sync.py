"""Catalogue <-> database: load a data package in one transaction, read it back, dump it.

Above both the catalogue (which knows nothing of databases) and curation (whose approved
edits a load must not silently overwrite), so neither imports the other.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tracker.catalogue import Catalogue, content_hash, load_catalogue, validate_package
from tracker.catalogue.package import catalogue_csv
from tracker.errors import CatalogueError, Problem, TrackerError
from tracker.schema import PACKAGE_FILE, REFERENCE, reference_descriptor, table_schemas
from tracker.settings import get_settings

if TYPE_CHECKING:
    from tracker.curation.users import User

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    status: str  # "loaded" or "unchanged"
    content_hash: str
    counts: dict[str, int]
    seconds: float


def _records(df: pd.DataFrame) -> list[tuple]:
    """Frame -> row tuples for the database: empty text becomes NULL, integers plain ints."""
    out = df.astype(object).where(df.ne("") & df.notna(), None)
    return list(out.itertuples(index=False, name=None))


def _bulk_insert(session, table, columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows inside the session's transaction through the driver's fast path
    (COPY on PostgreSQL, executemany on SQLite); the ORM would take ~10x longer for 300k votes."""
    if not rows:
        return
    raw = session.connection().connection.driver_connection
    cols = ", ".join(f'"{c}"' for c in columns)
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', rows)


def _parents_first(instruments: pd.DataFrame) -> pd.DataFrame:
    """Order instruments so a parent row is inserted before its children (row-wise FK checks)."""
    parent = dict(zip(instruments["id"], instruments["parent_id"], strict=True))

    def depth(i: str, seen: int = 0) -> int:
        return 0 if not parent.get(i) or seen > len(parent) else 1 + depth(parent[i], seen + 1)

    return (
        instruments.assign(_depth=instruments["id"].map(depth))
        .sort_values("_depth", kind="stable")
        .drop(columns="_depth")
    )


def sync_to_database(
    path: Path | str | None = None,
    *,
    engine=None,
    force: bool = False,
    user: User | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> LoadResult:
    """Load the catalogue into the database in one transaction.

    Unchanged content (same hash as the last load) returns at once. Otherwise the package is
    validated *before* the database is touched; then every catalogue table is replaced inside
    a single transaction holding the write lock, so an error anywhere leaves the database as it
    was and two loaders queue instead of interleaving. Curated edits approved since the last
    load that the new catalogue would overwrite are reported and stop the load (``force`` to
    override, which needs ``user``, a signed-in reviewer, and is recorded in the history).
    Every load that writes is recorded in the history: by ``user`` (re-checked against the
    users file) or, without one, by the operating-system account, marked as not authenticated.
    ``progress(done, total, label)`` is called as tables are written.
    """
    from tracker.db import get_engine, loaded_state, migrate

    started = time.perf_counter()
    path = Path(path) if path is not None else get_settings().catalogue_path
    engine = engine or get_engine()
    migrate(engine)
    digest = content_hash(path)
    state = loaded_state(engine)  # plain queries: an unchanged start needs no ORM models
    if not force and state is not None and state.content_hash == digest:
        return LoadResult("unchanged", digest, {}, time.perf_counter() - started)

    # only a real load pays for the ORM and curation imports (~0.3 s; an app start skips them)
    from sqlalchemy import delete, select, text

    from tracker.curation import audit
    from tracker.curation.users import REVIEW_ROLES, current_user, require_role
    from tracker.db import lock_writers, session_scope, table_of
    from tracker.errors import PermissionDenied
    from tracker.models import CATALOGUE_TABLES, CatalogueState

    def current_hash(session) -> str | None:
        state = session.exec(select(CatalogueState)).scalars().first()
        return state.content_hash if state else None

    cat = load_catalogue(path)  # raises CatalogueError before anything is written
    tables = cat.tables()
    total = sum(len(df) for df in tables.values())
    done = 0
    with session_scope(engine, write=True) as session:
        lock_writers(session)
        if not force and current_hash(session) == digest:  # another process loaded it meanwhile
            return LoadResult("unchanged", digest, {}, time.perf_counter() - started)
        conflicts = audit.load_conflicts(session, cat)
        if conflicts and not force:
            raise CatalogueError([Problem("database", None, None, c) for c in conflicts])
        if conflicts and user is None:  # overwriting curated edits is a reviewer's decision, on the record
            raise PermissionDenied(
                "a forced load that overwrites curated edits needs a reviewer (tracker load --force --user NAME)"
            )
        if user is not None:  # as the users file says now
            user = require_role(user, REVIEW_ROLES, "overwrite curated edits") if force else current_user(user)
        if engine.dialect.name == "postgresql":  # transactional, and skips row-by-row FK checks
            names = ", ".join(f'"{m.__tablename__}"' for m in CATALOGUE_TABLES.values())
            session.execute(text(f"TRUNCATE {names}"))
        else:
            for model in reversed(CATALOGUE_TABLES.values()):  # children first
                session.exec(delete(model))
        for name, model in CATALOGUE_TABLES.items():
            frame = _parents_first(tables[name]) if name == "instruments" else tables[name]
            rows = _records(frame)
            for start in range(0, len(rows), 50000):
                chunk = rows[start : start + 50000]
                _bulk_insert(session, table_of(model), list(frame.columns), chunk)
                done += len(chunk)
                if progress:
                    progress(done, total, name)
        counts = {n: len(df) for n, df in tables.items()}
        entry = audit.record_load(
            session, cat, content_hash=digest, loaded_from=str(path), rows=counts, conflicts=conflicts, user=user
        )
        session.exec(delete(CatalogueState))
        session.add(
            CatalogueState(
                id=1,
                content_hash=digest,
                catalogue_version=cat.version,
                loaded_from=str(path),
                loaded_at=pd.Timestamp.now("UTC").to_pydatetime(),
                load_audit_id=entry,  # edits with a larger audit id came after this load
            )
        )
    log.info("loaded %s (%d rows) in %.1f s", path, total, time.perf_counter() - started)
    return LoadResult("loaded", digest, {n: len(df) for n, df in tables.items()}, time.perf_counter() - started)


def catalogue_from_database(engine=None) -> Catalogue:
    """Build the same frames from the database (the system of record once loaded)."""
    from tracker.db import get_engine, table_of
    from tracker.models import CATALOGUE_TABLES, CatalogueState

    engine = engine or get_engine()
    schema = table_schemas()
    frames = {}
    with engine.connect() as conn:
        for name, model in CATALOGUE_TABLES.items():
            cols = [f["name"] for f in schema[name]["fields"]]
            quoted = ", ".join(f'"{c}"' for c in cols)  # plain driver query: reflection-free and fast
            cursor = conn.connection.driver_connection.cursor()
            cursor.execute(f'SELECT {quoted} FROM "{model.__tablename__}"')
            df = pd.DataFrame.from_records(cursor.fetchall(), columns=cols)
            cursor.close()
            for f in schema[name]["fields"]:
                if f.get("type") not in ("boolean", "integer"):
                    df[f["name"]] = df[f["name"]].astype(object).where(df[f["name"]].notna(), "")
            frames[name] = df
        state = conn.execute(table_of(CatalogueState).select()).first()
    if state is None:
        raise CatalogueError([Problem("database", None, None, "no catalogue loaded yet (run `tracker load`)")])
    return Catalogue.from_frames(frames, version=state.catalogue_version, origin=str(engine.url))


# --------------------------------------------------------------------------- dump


class DumpRefused(TrackerError):
    """The dump target is not a place to write a catalogue."""


def dump(path: Path | str, *, engine=None, overwrite: bool = False) -> dict[str, int]:
    """Write the database's approved state as the catalogue data package at ``path``
    (canonical form: stable row order, LF line ends, ``.gz`` with mtime 0) and validate it.
    Returns rows per table. Refuses a non-empty folder that is not a catalogue unless ``overwrite``."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise DumpRefused(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / PACKAGE_FILE).exists() and not overwrite:
        raise DumpRefused(f"{target} is not empty and holds no {PACKAGE_FILE} (refusing to write into it)")
    cat = catalogue_from_database(engine)
    descriptor = reference_descriptor()
    target.mkdir(parents=True, exist_ok=True)
    counts = {}
    tables = cat.tables()
    for resource in descriptor["resources"]:
        name, rel = resource["name"], resource["path"]
        data = catalogue_csv(name, tables[name])
        if rel.endswith(".gz"):
            buf = io.BytesIO()
            with gzip.GzipFile(filename=Path(rel).name.removesuffix(".gz"), mode="wb", fileobj=buf, mtime=0) as gz:
                gz.write(data)
            data = buf.getvalue()
        tmp = target / (rel + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target / rel)
        counts[name] = len(tables[name])
    shutil.copyfile(REFERENCE, target / PACKAGE_FILE)
    problems = validate_package(target)
    if problems:
        raise CatalogueError(problems)
    return counts
