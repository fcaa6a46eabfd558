"""Engine factory, sessions, migrations, and the cheap state queries an app start needs.

SQLite gets WAL, foreign keys and a busy timeout on *every* connection (an engine-scoped
event), because SQLite forgets those pragmas per connection. PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Table
    from sqlmodel import Session, SQLModel

from tracker.errors import TrackerError
from tracker.settings import get_settings


class UnsupportedDatabase(TrackerError):
    """DATABASE_URL names a database the tracker does not support."""


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)

        # Let SQLite start transactions ourselves (BEGIN IMMEDIATE for writers), see write_session.
        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("writer") else "BEGIN")

        return engine
    if not url.startswith("postgresql"):
        scheme = url.split(":", 1)[0]
        raise UnsupportedDatabase(
            f"unsupported database {scheme!r} in DATABASE_URL: use sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    return create_engine(url, pool_pre_ping=True)


def unreachable(exc: BaseException) -> bool:
    """Whether an exception means the configured database cannot be reached (not a bug)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, ModuleNotFoundError) and exc.name in ("psycopg", "psycopg2")
    )


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The process-wide engine for the configured DATABASE_URL (one pool per URL)."""
    return engine_for(get_settings().database_url)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_engine"] = engine
    return cfg


@cache
def head_revisions() -> frozenset[str]:
    """The head revision(s) of the shipped migrations, read from the ``revision`` and
    ``down_revision`` assignments of the version files (what Alembic computes, without the
    ~0.2 s of importing Alembic on every start; a test checks they agree)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for node in ast.parse(path.read_text("utf-8")).body:
            target: ast.expr
            assigned: ast.expr | None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, assigned = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, assigned = node.target, node.value
            else:
                continue
            if not isinstance(target, ast.Name) or assigned is None:
                continue
            if target.id == "revision":
                revisions.add(ast.literal_eval(assigned))
            elif target.id == "down_revision":
                value = ast.literal_eval(assigned)
                parents.update([value] if isinstance(value, str) else value or ())
    return frozenset(revisions - parents)


def at_head(engine: Engine) -> bool:
    """Whether the database is already at the newest migration (one cheap query; False when
    there is no ``alembic_version`` table yet or anything about it is unexpected)."""
    heads = head_revisions()
    if not heads:
        return False
    try:
        with engine.connect() as conn:
            current = {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    except DBAPIError:
        return False
    return current == heads


def migrate(engine: Engine | None = None) -> None:
    """Upgrade the database to the newest migration (runs on every start). A database that is
    already current is recognised by one query, without loading Alembic."""
    engine = engine or get_engine()
    if at_head(engine):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


CHANGE_EVENTS = ("applied", "forced_load")  # audit events that change the served catalogue


@dataclass(frozen=True)
class LoadedState:
    """What the database holds: the loaded catalogue and the newest change to it since."""

    content_hash: str
    catalogue_version: str
    loaded_at: str  # when it was loaded (as stored); a reload of the same content changes it
    edits: int  # id of the newest approved change or forced load (0: none); grows with every one


def data_version(engine: Engine | None = None) -> int:
    """Grows whenever an approved change or a forced load lands (a cache key for the UI)."""
    engine = engine or get_engine()
    events = ", ".join(f"'{e}'" for e in CHANGE_EVENTS)
    with engine.connect() as conn:
        return int(
            conn.execute(text(f"SELECT coalesce(max(id), 0) FROM audit_log WHERE event IN ({events})")).scalar_one()
        )


def loaded_state(engine: Engine | None = None) -> LoadedState | None:
    """The loaded catalogue and the newest change, by plain queries (no ORM models: an app start
    asks this before anything else, and importing the models costs ~0.25 s). None when nothing
    is loaded yet."""
    engine = engine or get_engine()
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT content_hash, catalogue_version, loaded_at FROM catalogue_state ORDER BY id LIMIT 1")
            ).first()
    except DBAPIError:
        return None
    if row is None:
        return None
    return LoadedState(row[0], row[1], str(row[2]), data_version(engine))


def table_of(model: type[SQLModel]) -> Table:
    """The Core table a SQLModel table class is mapped to (``model.__table__``, which SQLModel's
    type hints do not declare; its mapper's ``local_table`` is that same object)."""
    from sqlalchemy import inspect

    return cast("Table", inspect(model).local_table)


WRITE_LOCK_KEY = 727274  # the PostgreSQL advisory lock every writer of catalogue data takes


def lock_writers(session) -> None:
    """Serialise writers of catalogue data (loads, approvals, proposals) for this transaction.

    PostgreSQL: a transaction-scoped advisory lock; SQLite already holds BEGIN IMMEDIATE
    (``session_scope(write=True)``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})


@contextmanager
def session_scope(engine: Engine | None = None, *, write: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception.

    write=True takes the write lock up front (SQLite BEGIN IMMEDIATE), so two writers
    queue instead of failing half-way with "database is locked".
    """
    from sqlmodel import Session

    engine = engine or get_engine()
    with engine.connect() as conn:
        conn.info["writer"] = write
        try:
            with conn.begin(), Session(bind=conn) as session:
                yield session
                session.flush()
        finally:
            conn.info.pop("writer", None)
