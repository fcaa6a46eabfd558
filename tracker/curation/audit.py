"""The history: an append-only audit log of every change to the data, and the check that a
catalogue load does not silently undo curated edits.

The code refuses updates and deletes of audit entries (ORM listeners below) and database
triggers refuse them too.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import event, select
from sqlalchemy.orm import Session as OrmSession

from tracker.catalogue.package import catalogue_text
from tracker.curation.changes import key_of, key_text
from tracker.db import session_scope
from tracker.errors import PermissionDenied
from tracker.models import AuditEntry, CatalogueState, Proposal
from tracker.schema import key_columns

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue


def now() -> datetime:
    return datetime.now(UTC)


def to_json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=False)


def record(session, *, at: datetime | None = None, **values) -> None:
    """Append one entry to the audit log (inside the caller's transaction)."""
    session.add(AuditEntry(at=at or now(), **values))


HISTORY_COLUMNS = [
    "id",
    "at",
    "event",
    "actor",
    "proposal_id",
    "author",
    "table",
    "op",
    "key",
    "before",
    "after",
    "reason",
    "source_id",
]


def history(
    *,
    table: str | None = None,
    key: str | None = None,
    proposal_id: int | None = None,
    limit: int | None = None,
    engine=None,
) -> pd.DataFrame:
    """The audit log, newest first: who, when, what (table, key, before, after), why, which source.
    ``author`` is who proposed it, ``actor`` who did the event (the reviewer for applied changes)."""

    a, p = AuditEntry.__table__, Proposal.__table__
    query = select(a, p.c.author).select_from(a.outerjoin(p, a.c.proposal_id == p.c.id)).order_by(a.c.id.desc())
    if table:
        query = query.where(a.c.table_name == table)
    if key:
        query = query.where(a.c.row_key.contains(key))
    if proposal_id is not None:
        query = query.where(a.c.proposal_id == proposal_id)
    if limit:
        query = query.limit(limit)
    with session_scope(engine) as session:
        rows = session.execute(query).mappings().all()
    data = [
        {
            "id": r["id"],
            "at": r["at"],
            "event": r["event"],
            "actor": r["actor"],
            "proposal_id": r["proposal_id"],
            "author": r["author"] or "",
            "table": r["table_name"] or "",
            "op": r["op"] or "",
            "key": key_text(json.loads(r["row_key"])) if r["row_key"] else "",
            "before": json.loads(r["before"]) if r["before"] else None,
            "after": json.loads(r["after"]) if r["after"] else None,
            "reason": r["reason"] or "",
            "source_id": r["source_id"] or "",
        }
        for r in rows
    ]
    return pd.DataFrame(data, columns=HISTORY_COLUMNS)


# --------------------------------------------------------------------------- history is append-only


@event.listens_for(OrmSession, "before_flush")
def _refuse_history_edits(session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionDenied("the history is append-only: audit entries cannot be changed or deleted")


@event.listens_for(OrmSession, "do_orm_execute")
def _refuse_history_bulk_edits(state) -> None:
    target = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(target, "name", None) == AuditEntry.__tablename__:
        raise PermissionDenied("the history is append-only: audit entries cannot be changed or deleted")


# =========================================================================== catalogue loads


def _final_states(session, since: datetime | None) -> dict[tuple[str, tuple], tuple[dict | None, AuditEntry]]:
    """(table, key) -> (row as the curated edits left it or None if removed, last entry)."""
    query = select(AuditEntry).where(AuditEntry.event == "applied").order_by(AuditEntry.id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    final: dict[tuple[str, tuple], tuple[dict | None, AuditEntry]] = {}
    for entry in session.execute(query).scalars():
        table = entry.table_name
        before = json.loads(entry.before) if entry.before else None
        after = json.loads(entry.after) if entry.after else None
        if before is not None:
            final[(table, tuple(key_of(table, before).values()))] = (None, entry)
        if after is not None:
            final[(table, tuple(key_of(table, after).values()))] = (after, entry)
    return final


def load_conflicts(session, catalogue: Catalogue) -> list[str]:
    """Curated edits approved since the last load that ``catalogue`` would overwrite.

    An edit is safe when the new catalogue already holds its result (for instance a catalogue
    written by ``tracker dump`` after the edit); otherwise the load would undo it silently."""
    state = session.execute(select(CatalogueState)).scalars().first()
    since = state.loaded_at if state else None
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    final = _final_states(session, since)
    if not final:
        return []
    tables = catalogue.tables()
    indexed: dict[str, dict[tuple, dict]] = {}
    conflicts = []
    for (table, key), (row, entry) in final.items():
        if table not in indexed:
            frame = catalogue_text(table, tables[table])
            keys = key_columns(table)
            indexed[table] = {tuple(r[c] for c in keys): r for r in frame.to_dict("records")}
        incoming = indexed[table].get(key)
        if incoming == row:
            continue
        what = (
            "restore the removed row"
            if row is None
            else (
                "delete the row"
                if incoming is None
                else "overwrite " + ", ".join(f"{c}={row[c]!r}" for c in row if row[c] != incoming.get(c))
            )
        )
        conflicts.append(
            f"{table} ({key_text(dict(zip(key_columns(table), key, strict=True)))}): the load would "
            f"{what} (curated edit of proposal #{entry.proposal_id}, approved by {entry.actor} "
            f"{entry.at:%Y-%m-%d %H:%M}); dump the database first or load --force"
        )
    return sorted(conflicts)


def record_forced_load(session, catalogue: Catalogue, conflicts: list[str]) -> None:
    """Record in the audit log that a forced load overwrote curated edits (each one listed)."""
    actor = os.environ.get("TRACKER_USER") or f"{getpass.getuser()} (local)"
    record(
        session,
        actor=actor,
        event="forced_load",
        reason=f"forced load overwrote {len(conflicts)} curated edit(s)",
        source_id=catalogue.origin[:500] or None,
        after=to_json({"catalogue_version": catalogue.version, "overwritten": conflicts}),
    )
