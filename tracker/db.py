"""Engine factory, sessions and migrations.

SQLite gets WAL, foreign keys and a busy timeout on *every* connection (an engine-scoped
event), because SQLite forgets those pragmas per connection. PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from tracker.settings import get_settings

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
    return create_engine(url, pool_pre_ping=True)


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The process-wide engine for the configured DATABASE_URL (one pool per URL)."""
    return engine_for(get_settings().database_url)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_engine"] = engine
    return cfg


def migrate(engine: Engine | None = None) -> None:
    """Upgrade the database to the newest migration (runs on every start; cheap when current)."""
    engine = engine or get_engine()
    command.upgrade(alembic_config(engine), "head")


@contextmanager
def session_scope(engine: Engine | None = None, *, write: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception.

    write=True takes the write lock up front (SQLite BEGIN IMMEDIATE), so two writers
    queue instead of failing half-way with "database is locked".
    """
    engine = engine or get_engine()
    with engine.connect() as conn:
        conn.info["writer"] = write
        try:
            with conn.begin(), Session(bind=conn) as session:
                yield session
                session.flush()
        finally:
            conn.info.pop("writer", None)
