"""Sign-in back-off: failed attempts per user name, kept in the database so that every app
instance and command-line process sees them.

The first ``FREE_ATTEMPTS`` failures cost nothing; after that the name must wait 1, 2, 4, ...
seconds (at most ``MAX_DELAY``) between attempts, and an attempt made too early is refused
without checking the password, so even the right password waits. An attempt is counted
*before* its password is checked, so a burst of parallel guesses is counted too; a success
clears the count. Names that are not valid user names are refused without a database row.
Times are read from the database's clock (PostgreSQL) or this machine's (SQLite, one machine).
"""

from __future__ import annotations

import math
import time

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.errors import AuthenticationError
from tracker.models import SignInAttempt

FREE_ATTEMPTS = 5
MAX_DELAY = 15 * 60  # seconds
FORGET_AFTER = 24 * 3600  # rows of names nobody tried for a day are dropped


def delay_after(failures: int) -> float:
    """Seconds a name waits after ``failures`` consecutive failed attempts."""
    return 0.0 if failures < FREE_ATTEMPTS else float(min(2 ** (failures - FREE_ATTEMPTS), MAX_DELAY))


def _now(session) -> float:
    if session.get_bind().dialect.name == "postgresql":
        return float(session.execute(text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one())
    return time.time()


def _engine(engine):
    from tracker.db import get_engine, migrate

    engine = engine or get_engine()
    migrate(engine)  # one query when current
    return engine


def begin_attempt(name: str, *, engine=None) -> None:
    """Count an attempt for ``name``, or refuse it (AuthenticationError) while it must wait."""
    from tracker.db import session_scope, table_of

    table = table_of(SignInAttempt)
    with session_scope(_engine(engine), write=True) as session:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(insert(table).values(name=name, failures=0, blocked_until=0.0).on_conflict_do_nothing())
        failures, blocked_until = session.execute(
            select(table.c.failures, table.c.blocked_until).where(table.c.name == name).with_for_update()
        ).one()
        now = _now(session)
        if now < blocked_until:
            wait = math.ceil(blocked_until - now)
            raise AuthenticationError(f"too many failed sign-ins for {name!r}; try again in {wait} s")
        failures += 1
        session.execute(
            table.update()
            .where(table.c.name == name)
            .values(failures=failures, blocked_until=now + delay_after(failures))
        )
        session.execute(delete(table).where(table.c.blocked_until < now - FORGET_AFTER))


def succeeded(name: str, *, engine=None) -> None:
    """The password was right: clear the name's count."""
    from tracker.db import session_scope, table_of

    table = table_of(SignInAttempt)
    with session_scope(_engine(engine), write=True) as session:
        session.execute(delete(table).where(table.c.name == name))
