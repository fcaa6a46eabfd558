"""Alembic environment: uses the engine handed over by tracker.db.migrate, or DATABASE_URL."""

from alembic import context
from sqlalchemy import Connection, text
from sqlmodel import SQLModel

import tracker.models  # noqa: F401  (registers every table on SQLModel.metadata)
from tracker.db import make_engine

target_metadata = SQLModel.metadata
config = context.config


def _sqlite_pragma(connection: Connection, sql: str) -> None:
    """Run a PRAGMA on the driver connection, outside SQLAlchemy's transaction handling."""
    driver = connection.connection.driver_connection
    assert driver is not None  # None only once the connection is closed; this one is open
    driver.execute(sql)


def run_migrations_online() -> None:
    engine = config.attributes.get("connection_engine") or make_engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # batch migrations rebuild tables (copy, drop, rename): foreign keys must be off while
            # they run (a PRAGMA that only works outside a transaction, so on the driver connection)
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        connection.info["writer"] = True  # SQLite: BEGIN IMMEDIATE, so concurrent starts queue
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=connection.dialect.name == "sqlite"
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several app instances may start at once: one migrates, the others wait and
                # then find the database current (PostgreSQL DDL is transactional).
                connection.execute(text("SELECT pg_advisory_xact_lock(727275)"))
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"a migration left rows with broken foreign keys: {broken[:5]}")
        connection.commit()
        if sqlite:
            _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


run_migrations_online()
