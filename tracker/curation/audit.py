"""The history: an append-only, hash-chained audit log of every change to the data, and the
check that a catalogue load does not silently undo curated edits.

Append-only: the code refuses updates and deletes of audit entries (ORM listeners below) and
database triggers refuse them too. Tamper-evident: each entry stores the hash of the entry
before it and a hash of its own content with that link (``entry_hash``), so changing or
removing an entry, even past the triggers, breaks the chain at that point (``verify_chain``).
Entries are appended under the history lock (``lock_history``), so the chain is one line. What a chain alone
cannot show is the newest entries being cut off: ``verify_chain`` reports the head hash and
the count, to be noted somewhere else and compared later.

The hash format is part of the stored data (migration 0003 chained the entries written
before it with the same function): changing it needs a new, versioned scheme.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import and_, event, func, insert, select, text
from sqlalchemy.orm import Session as OrmSession

from tracker.catalogue.package import catalogue_text
from tracker.curation.changes import insert_rows, key_of, key_text
from tracker.db import session_scope, table_of
from tracker.errors import PermissionDenied
from tracker.models import AuditEntry, CatalogueState
from tracker.schema import key_columns

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue
    from tracker.curation.users import User

# the events that change the data (a proposal or a rejection changes nothing)
DATA_EVENTS = ("applied", "loaded", "forced_load")
HASHED_COLUMNS = (
    "at",
    "actor",
    "event",
    "proposal_id",
    "table_name",
    "op",
    "row_key",
    "before",
    "after",
    "reason",
    "source_id",
)


def now() -> datetime:
    return datetime.now(UTC)


def to_json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=False)


def _timestamp(at: datetime) -> str:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_digest(values: dict) -> str:
    """sha256 of an entry's content other than its time (canonical JSON): computed before the
    writers' lock is taken, so chaining thousands of entries under it costs one short hash each."""
    content = [values.get(c) for c in HASHED_COLUMNS if c != "at"]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str | None, values: dict, digest: str | None = None) -> str:
    """sha256 over the previous entry's hash, this entry's time and its content digest."""
    link = f"{prev_hash or ''}|{_timestamp(values['at'])}|{digest or content_digest(values)}"
    return hashlib.sha256(link.encode("utf-8")).hexdigest()


HISTORY_LOCK_KEY = 727276  # PostgreSQL advisory lock of the chain's head (the writers' lock is 727274)


def lock_history(session) -> None:
    """Serialise appends to the history for this transaction (PostgreSQL: an advisory lock of
    its own, taken last by approvals and loads, which hold the writers' lock first, and alone by
    proposals, which change no data: so a proposal waits only for the end of a long approval,
    not for all of it; SQLite: the write transaction already serialises)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": HISTORY_LOCK_KEY})


def _head(session) -> str | None:
    a = table_of(AuditEntry)
    return session.execute(select(a.c.entry_hash).order_by(a.c.id.desc()).limit(1)).scalar()


def with_digests(entries: Iterable[dict]) -> list[dict]:
    """The entries with their content digest (``"digest"``) computed: do this before the lock."""
    return [{**values, "digest": values.get("digest") or content_digest(values)} for values in entries]


def record_many(session, entries: Iterable[dict], *, at: datetime | None = None) -> None:
    """Append entries (dicts of AuditEntry columns, one time ``at`` for all, default now) to the
    chain in order, with one executemany. Takes the history lock, so the chain never forks."""
    lock_history(session)
    at = at or now()
    head = _head(session)
    a = table_of(AuditEntry)
    names = [*HASHED_COLUMNS, "prev_hash", "entry_hash"]
    process_at = a.c.at.type.bind_processor(session.get_bind().dialect)  # the time as the driver takes it
    at_value = process_at(at) if process_at else at
    rows = []
    for values in entries:
        link = entry_hash(head, {"at": at}, values.get("digest") or content_digest(values))
        rows.append((*[at_value if c == "at" else values.get(c) for c in HASHED_COLUMNS], head, link))
        head = link
    insert_rows(session, a, names, rows)  # the ORM's per-row parameter processing costs more than the write


def record(session, *, at: datetime | None = None, **values) -> int:
    """Append one entry to the audit log (inside the caller's transaction); returns its id."""
    lock_history(session)
    head = _head(session)
    row = {c: values.get(c) for c in HASHED_COLUMNS}
    row["at"] = at or now()
    row["prev_hash"] = head
    row["entry_hash"] = entry_hash(head, row)
    return session.execute(insert(table_of(AuditEntry)).values(**row)).inserted_primary_key[0]


def data_seq(session) -> int:
    """The id of the newest audit entry that changed the data (0: none). Grows with every
    approved change and load, on the server's sequence, whatever the writers' clocks say."""
    a = table_of(AuditEntry)
    return int(session.execute(select(func.coalesce(func.max(a.c.id), 0)).where(a.c.event.in_(DATA_EVENTS))).scalar())


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
    ``author`` is who proposed it (the actor of the proposal's ``proposed`` entry: the history
    answers from itself, never from the mutable proposals table), ``actor`` who did the event
    (the reviewer for applied changes). ``key`` is matched as plain text, not as a pattern."""

    a = table_of(AuditEntry)
    proposed = a.alias("proposed")
    on = and_(proposed.c.proposal_id == a.c.proposal_id, proposed.c.event == "proposed")
    query = select(a, proposed.c.actor.label("author")).select_from(a.outerjoin(proposed, on)).order_by(a.c.id.desc())
    if table:
        query = query.where(a.c.table_name == table)
    if key and json.dumps(key, ensure_ascii=False)[1:-1] == key:  # a cheap pre-filter on the JSON text
        query = query.where(a.c.row_key.contains(key, autoescape=True))
    if proposal_id is not None:
        query = query.where(a.c.proposal_id == proposal_id)
    if limit and not key:
        query = query.limit(limit)
    with session_scope(engine) as session:
        rows = session.execute(query).mappings().all()
    if key:  # only the key's values count, not the JSON around them ("_" is in "party_code")
        rows = [r for r in rows if r["row_key"] and any(key in str(v) for v in json.loads(r["row_key"]).values())]
        rows = rows[:limit] if limit else rows
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


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found: ``broken_at`` is the id of the first entry that does not fit."""

    entries: int
    head: str | None
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(*, engine=None) -> ChainReport:
    """Walk the audit log in id order and check every link; stop at the first broken one."""
    a = table_of(AuditEntry)
    prev: str | None = None
    prev_id: int | None = None
    count = 0
    with session_scope(engine) as session:
        for row in session.execute(select(a).order_by(a.c.id)).mappings():
            count += 1
            if row["prev_hash"] != prev:
                after = f"entry #{prev_id}" if prev_id is not None else "the start of the log"
                return ChainReport(
                    count, prev, row["id"], f"does not follow {after} (an entry before it was removed or changed)"
                )
            if row["entry_hash"] != entry_hash(prev, dict(row)):
                return ChainReport(
                    count, prev, row["id"], "its content does not match its hash (changed after it was written)"
                )
            prev, prev_id = row["entry_hash"], row["id"]
    return ChainReport(count, prev)


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


def _final_states(session, after_id: int) -> dict[tuple[str, tuple], tuple[dict | None, dict]]:
    """(table, key) -> (row as the curated edits left it or None if removed, last entry), for
    the edits applied after audit entry ``after_id``."""
    a = table_of(AuditEntry)
    query = select(a).where(a.c.event == "applied", a.c.id > after_id).order_by(a.c.id)
    final: dict[tuple[str, tuple], tuple[dict | None, dict]] = {}
    for entry in session.execute(query).mappings():
        table = entry["table_name"]
        before = json.loads(entry["before"]) if entry["before"] else None
        after = json.loads(entry["after"]) if entry["after"] else None
        if before is not None:
            final[(table, tuple(key_of(table, before).values()))] = (None, entry)
        if after is not None:
            final[(table, tuple(key_of(table, after).values()))] = (after, entry)
    return final


def load_conflicts(session, catalogue: Catalogue) -> list[str]:
    """Curated edits approved since the last load that ``catalogue`` would overwrite.

    "Since" is decided by the audit log's own sequence (edits whose entry id is above the last
    load's), never by timestamps from the machines involved. An edit is safe when the new
    catalogue already holds its result (for instance a catalogue written by ``tracker dump``
    after the edit); otherwise the load would undo it silently."""
    state = session.execute(select(CatalogueState)).scalars().first()
    after_id = (state.load_audit_id or 0) if state else 0
    final = _final_states(session, after_id)
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
            f"{what} (curated edit of proposal #{entry['proposal_id']}, approved by {entry['actor']} "
            f"{entry['at']:%Y-%m-%d %H:%M}); dump the database first or load --force"
        )
    return sorted(conflicts)


def load_actor(user: User | None) -> str:
    """Who a load is recorded as: the signed-in user, or the operating-system account that ran
    it, marked as such (a plain load needs no password; the app's first start is one)."""
    if user is not None:
        return user.name
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. a container)
        who = "unknown"
    return f"{who} (OS user, not authenticated)"


def record_load(
    session,
    catalogue: Catalogue,
    *,
    content_hash: str,
    loaded_from: str,
    rows: dict[str, int],
    conflicts: list[str],
    user: User | None,
) -> int:
    """Record a load that changed the data (``forced_load`` if it overwrote curated edits, each
    one listed); returns the entry's id, the sequence number later edits are compared with."""
    forced = bool(conflicts)
    return record(
        session,
        actor=load_actor(user),
        event="forced_load" if forced else "loaded",
        reason=(f"forced load overwrote {len(conflicts)} curated edit(s)" if forced else "catalogue loaded"),
        source_id=catalogue.origin[:500] or None,
        after=to_json(
            {
                "catalogue_version": catalogue.version,
                "content_hash": content_hash,
                "loaded_from": loaded_from,
                "rows": rows,
                **({"overwritten": conflicts} if forced else {}),
            }
        ),
    )
