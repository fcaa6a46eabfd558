"""Proposals, reviews and the audit log: the two-person rule applied to our own data.

Every change to the catalogue tables (adoptions, votes, instruments, parties, groups and their
members, sources, aliases, resolutions, crosswalk) is a *proposal*: a list of row changes, each
with the row's expected state before and its state after, plus the author, time, reason and a
source. Nothing touches the live tables until a *different* user with the reviewer role approves
it; the code refuses self-approval. Approval applies every change in one transaction that holds
the write lock (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock shared with the catalogue
loader) and checks each live row against the expected before-state (optimistic concurrency), so
of two conflicting approvals one wins and the other gets a ``ConflictError`` and changes nothing.

The history (``audit_log``) is append-only: the code refuses updates and deletes and database
triggers refuse them too. A change is undone by a revert proposal, itself reviewed.

Identity: a users file (TOML, ``TRACKER_USERS_FILE``) with scrypt-hashed passwords and a role
(viewer, editor, reviewer). There is no function that changes a role from inside the app: only
``tracker users add`` (someone with write access to the file) can.
"""

from __future__ import annotations

import base64
import getpass
import gzip
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import and_, delete, event, insert, select, text, update
from sqlalchemy.orm import Session as OrmSession

from tracker.catalogue import (
    CANONICAL_ORDER,
    NATURAL_KEYS,
    PACKAGE_FILE,
    Catalogue,
    Problem,
    _check_fields,
    _check_rules,
    _reference_descriptor,
    table_schema,
    table_schemas,
)
from tracker.models import CATALOGUE_TABLES, AuditEntry, CatalogueState, Proposal
from tracker.settings import BUNDLED_CATALOGUE

ROLES = ("viewer", "editor", "reviewer")
PROPOSE_ROLES = frozenset({"editor", "reviewer"})
REVIEW_ROLES = frozenset({"reviewer"})
OPS = ("add", "update", "remove")
LOCK_KEY = 727274  # the PostgreSQL advisory lock the catalogue loader takes too
USER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
MIN_PASSWORD = 8


class CurationError(ValueError):
    """Base class: a curation action was refused (the message says why)."""


class PermissionDenied(CurationError):
    """The acting user may not do this (role, self-approval, history)."""


class AuthenticationError(CurationError):
    """Unknown user or wrong password (deliberately not saying which)."""


class ConflictError(CurationError):
    """The live data changed since the proposal was made, or another reviewer got there first."""


class InvalidProposal(CurationError):
    """The proposed changes break catalogue rules; ``problems`` lists every one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}" if problems else "invalid proposal")


def _now() -> datetime:
    return datetime.now(UTC)


# =========================================================================== identity


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_propose(self) -> bool:
        return self.role in PROPOSE_ROLES

    @property
    def can_review(self) -> bool:
        return self.role in REVIEW_ROLES


def hash_password(password: str, *, salt: bytes | None = None, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """scrypt with a random 16-byte salt: ``scrypt$n$r$p$salt$hash`` (base64)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a ``hash_password`` string."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@cache
def _dummy_hash() -> str:
    """Checked for unknown users too, so timing does not reveal which names exist."""
    return hash_password("not a real password", salt=b"\0" * 16)


def users_file(path: Path | str | None = None) -> Path:
    if path is not None:
        return Path(path)
    from tracker.settings import get_settings

    configured = get_settings().users_file
    if configured is None:
        raise CurationError("no users file configured: set TRACKER_USERS_FILE")
    return configured


def read_users(path: Path | str | None = None) -> dict[str, dict[str, str]]:
    """name -> {role, password} from the users file (a missing file means no users)."""
    file = users_file(path)
    if not file.exists():
        return {}
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CurationError(f"{file}: not a valid users file ({exc})") from None
    users = data.get("users", {})
    out = {}
    for name, entry in users.items():
        if not isinstance(entry, dict) or entry.get("role") not in ROLES or "password" not in entry:
            raise CurationError(f"{file}: user {name!r} needs a role ({', '.join(ROLES)}) and a password hash")
        out[name] = {"role": entry["role"], "password": entry["password"]}
    return out


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def add_user(name: str, role: str, password: str, *, path: Path | str | None = None, replace: bool = False) -> User:
    """Add a user to the users file (written atomically, mode 600). Refuses to overwrite an
    existing user unless ``replace`` (the administrator's command-line decision)."""
    if not USER_NAME.match(name or ""):
        raise CurationError(f"bad user name {name!r}: 2-32 of a-z 0-9 _ . - starting with a letter")
    if role not in ROLES:
        raise CurationError(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
    if len(password or "") < MIN_PASSWORD:
        raise CurationError(f"password too short (at least {MIN_PASSWORD} characters)")
    file = users_file(path)
    users = read_users(file)
    if name in users and not replace:
        raise CurationError(f"user {name!r} exists already (use --replace to reset their role and password)")
    users[name] = {"role": role, "password": hash_password(password)}
    lines = [
        "# Cyber Norms Alignment Tracker users, written by `tracker users add`.",
        "# Passwords are scrypt hashes; roles: viewer, editor, reviewer.",
        "",
    ]
    for user_name in sorted(users):
        entry = users[user_name]
        lines += [
            f"[users.{_toml_str(user_name)}]",
            f"role = {_toml_str(entry['role'])}",
            f"password = {_toml_str(entry['password'])}",
            "",
        ]
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(file.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    os.replace(tmp, file)
    return User(name, role)


def authenticate(name: str, password: str, *, path: Path | str | None = None) -> User:
    """The user with this name and password, role as written in the users file."""
    entry = read_users(path).get(name or "")
    ok = verify_password(password or "", entry["password"] if entry else _dummy_hash())
    if not entry or not ok:
        raise AuthenticationError("unknown user or wrong password")
    return User(name, entry["role"])


# =========================================================================== rows and changes


def _fields(table: str) -> list[dict]:
    return table_schema(table)["fields"]


def _columns(table: str) -> list[str]:
    return [f["name"] for f in _fields(table)]


def key_columns(table: str) -> list[str]:
    """The columns that identify a row: the primary key, or the natural key for surrogate ids."""
    return list(table_schema(table).get("primaryKey") or NATURAL_KEYS[table])


def _has_surrogate_id(table: str) -> bool:
    return table in NATURAL_KEYS


def _to_text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_db(table: str, row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in _fields(table):
        value = row.get(f["name"], "")
        if value == "" or value is None:
            out[f["name"]] = None
        elif f.get("type") == "boolean":
            out[f["name"]] = value == "true"
        elif f.get("type") == "integer":
            out[f["name"]] = int(value)
        else:
            out[f["name"]] = value
    return out


def _key_of(table: str, row: dict[str, str]) -> dict[str, str]:
    return {c: row.get(c, "") for c in key_columns(table)}


def _key_text(key: dict[str, str]) -> str:
    return ", ".join(v if v else "-" for v in key.values())


@dataclass
class Change:
    """One row change. ``before`` is the live row the proposal expects (None for add)."""

    table: str
    op: str
    key: dict[str, str]
    before: dict[str, str] | None
    after: dict[str, str] | None

    def to_json(self) -> dict:
        return {
            "table": self.table,
            "op": self.op,
            "key": self.key,
            "before": self.before,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, data: dict) -> Change:
        return cls(data["table"], data["op"], data["key"], data.get("before"), data.get("after"))

    def diff(self) -> list[tuple[str, str, str]]:
        """(column, before, after) for every column that differs."""
        before, after = self.before or {}, self.after or {}
        return [
            (c, before.get(c, ""), after.get(c, ""))
            for c in _columns(self.table)
            if before.get(c, "") != after.get(c, "")
        ]

    def describe(self) -> str:
        cols = ", ".join(f"{c}: {b or '∅'} → {a or '∅'}" for c, b, a in self.diff()) if self.op == "update" else ""
        return f"{self.op} {self.table} ({_key_text(self.key)}){': ' + cols if cols else ''}"


def _model(table: str):
    if table not in CATALOGUE_TABLES:
        raise CurationError(f"unknown table {table!r} (one of: {', '.join(CATALOGUE_TABLES)})")
    return CATALOGUE_TABLES[table]


def _where_key(table: str, key: dict[str, str]):
    tbl = _model(table).__table__
    values = _to_db(table, {**{c: "" for c in _columns(table)}, **key})
    conds = [tbl.c[c].is_(None) if values[c] is None else tbl.c[c] == values[c] for c in key_columns(table)]
    return and_(*conds)


def _where_row(table: str, row: dict[str, str]):
    tbl = _model(table).__table__
    values = _to_db(table, row)
    return and_(*[tbl.c[c].is_(None) if values[c] is None else tbl.c[c] == values[c] for c in _columns(table)])


def live_row(session, table: str, key: dict[str, str]) -> dict[str, str] | None:
    """The live row with this key as text (empty string for NULL), or None."""
    tbl = _model(table).__table__
    found = session.execute(select(*[tbl.c[c] for c in _columns(table)]).where(_where_key(table, key))).first()
    return None if found is None else {c: _to_text(v) for c, v in zip(_columns(table), found, strict=True)}


def make_change(session, table: str, key: dict[str, str], new: dict[str, str] | None) -> Change:
    """A change against the live data: add (no row with ``key``), update (``new`` holds the
    columns to set) or remove (``new`` is None). ``before`` is read from the live row now."""
    _model(table)
    unknown = set(key) - set(key_columns(table))
    if unknown or set(key_columns(table)) - set(key) and not new:
        raise CurationError(f"{table}: the key is {', '.join(key_columns(table))}")
    key = {c: _to_text(key.get(c, "")) for c in key_columns(table)}
    current = live_row(session, table, key)
    if new is not None:
        bad = set(new) - set(_columns(table))
        if bad:
            raise CurationError(f"{table}: unknown column(s) {', '.join(sorted(bad))}")
        new = {c: _to_text(v) for c, v in new.items()}
    if new is None:
        if current is None:
            raise CurationError(f"{table} ({_key_text(key)}): no such row to remove")
        return Change(table, "remove", key, current, None)
    if current is None:
        after = {c: new.get(c, key.get(c, "")) for c in _columns(table)}
        return Change(table, "add", _key_of(table, after), None, after)
    after = {**current, **new}
    if after == current:
        raise CurationError(f"{table} ({_key_text(key)}): the proposed row is the same as the live row")
    return Change(table, "update", key, current, after)


# =========================================================================== validation


def _text_frame(session, table: str) -> pd.DataFrame:
    cols = _columns(table)
    tbl = _model(table).__table__
    rows = session.execute(select(*[tbl.c[c] for c in cols])).all()
    return pd.DataFrame([[_to_text(v) for v in r] for r in rows], columns=cols, dtype=object).fillna("")


def _apply_in_memory(frames: dict[str, pd.DataFrame], changes: list[Change]) -> None:
    for ch in changes:
        df = frames[ch.table]
        if ch.op in ("update", "remove"):
            mask = pd.Series(True, index=df.index)
            for c, v in ch.key.items():
                mask &= df[c] == v
            df = df[~mask]
        if ch.after is not None:
            df = pd.concat([df, pd.DataFrame([ch.after], columns=df.columns)], ignore_index=True)
        frames[ch.table] = df.reset_index(drop=True)


def _related_tables(changes: list[Change]) -> set[str]:
    touched = {c.table for c in changes}
    needed = set(touched)
    for name in touched:
        needed |= {fk["reference"]["resource"] for fk in table_schema(name).get("foreignKeys", [])}
    if any(c.op != "add" for c in changes):  # cross-table rules (references, dates, aliases, kinds)
        rekeyed = {c.table for c in changes if c.op == "remove" or _key_of(c.table, c.after) != c.key}
        for name, sch in table_schemas().items():
            refs = {fk["reference"]["resource"] for fk in sch.get("foreignKeys", [])}
            # the 300k votes only matter when a row they point to goes away or changes its key
            if refs & touched and (name != "votes" or refs & rekeyed):
                needed.add(name)
    if "votes" in touched or "resolutions" in touched:
        needed |= {"votes", "resolutions"}
    return needed


def check_changes(session, changes: list[Change], *, today: date | None = None) -> list[str]:
    """Every problem the changes would cause: field rules on the new rows, then the catalogue's
    key, foreign-key, date and tally rules on the affected tables (problems that already
    existed before the change are not reported)."""
    problems: list[str] = []
    if not changes:
        return ["a proposal needs at least one change"]
    for i, ch in enumerate(changes, 1):
        if ch.table not in CATALOGUE_TABLES:
            problems.append(f"change {i}: unknown table {ch.table!r}")
            continue
        if ch.op not in OPS:
            problems.append(f"change {i}: unknown operation {ch.op!r} (add, update or remove)")
            continue
        if (ch.op == "add") != (ch.before is None) or (ch.op == "remove") != (ch.after is None):
            problems.append(
                f"change {i}: {ch.op} needs {'no ' if ch.op == 'add' else ''}before-row "
                f"and {'no ' if ch.op == 'remove' else ''}after-row"
            )
            continue
        if ch.after is not None:
            if set(ch.after) != set(_columns(ch.table)):
                problems.append(f"change {i}: {ch.table} rows have the columns {', '.join(_columns(ch.table))}")
                continue
            if not _has_surrogate_id(ch.table) and ch.op == "update" and _key_of(ch.table, ch.after) != ch.key:
                problems.append(
                    f"change {i}: {ch.table} key ({', '.join(key_columns(ch.table))}) cannot change; "
                    "add a new row instead"
                )
            field_problems: list[Problem] = []
            _check_fields(
                pd.DataFrame([ch.after], columns=_columns(ch.table)),
                _fields(ch.table),
                ch.table,
                field_problems,
            )
            problems += [f"change {i}: {ch.table}.{p.column}: {p.message}" for p in field_problems]
    if problems:
        return problems
    names = _related_tables(changes)
    frames = {name: _text_frame(session, name) for name in names}
    files = {name: name for name in names}
    today = today or date.today()
    baseline: list[Problem] = []
    _check_rules({n: f.copy() for n, f in frames.items()}, files, today, baseline)
    _apply_in_memory(frames, changes)
    after: list[Problem] = []
    _check_rules(frames, files, today, after)
    known = {(p.file, p.column, p.message) for p in baseline}
    return sorted(
        {
            f"{p.file}.{p.column}: {p.message}" if p.column else f"{p.file}: {p.message}"
            for p in after
            if (p.file, p.column, p.message) not in known
        }
    )


# =========================================================================== proposals and review


def _engine(engine):
    from tracker.db import get_engine

    return engine or get_engine()


def _lock(session) -> None:
    """Serialise writers on PostgreSQL (SQLite already holds BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})


def _audit(session, *, at: datetime | None = None, **values) -> None:
    session.add(AuditEntry(at=at or _now(), **values))


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=False)


def _require(user: User, allowed: frozenset[str], action: str) -> None:
    if not isinstance(user, User):
        raise PermissionDenied(f"{action} needs a signed-in user")
    if user.role not in allowed:
        raise PermissionDenied(f"{user.name} ({user.role}) may not {action}; needs role {' or '.join(sorted(allowed))}")


def propose(
    user: User,
    changes: list[Change],
    *,
    reason: str,
    source_id: str,
    kind: str = "edit",
    reverts_id: int | None = None,
    engine=None,
) -> int:
    """File a proposal (nothing live changes). Returns its id. Raises InvalidProposal listing
    every problem the changes would cause."""
    from tracker.db import session_scope

    _require(user, PROPOSE_ROLES, "propose changes")
    reason = (reason or "").strip()
    if not reason:
        raise CurationError("a proposal needs a reason")
    source_id = (source_id or "").strip()
    if not source_id:
        raise CurationError("a proposal needs a source (a sources.id)")
    with session_scope(_engine(engine), write=True) as session:
        _lock(session)
        added_sources = {c.after["id"] for c in changes if c.table == "sources" and c.after}
        if source_id not in added_sources and live_row(session, "sources", {"id": source_id}) is None:
            raise CurationError(f"unknown source {source_id!r} (propose the source first, or in this proposal)")
        problems = check_changes(session, changes)
        if problems:
            raise InvalidProposal(problems)
        summary = "; ".join(c.describe() for c in changes[:3]) + (
            f"; … {len(changes)} changes" if len(changes) > 3 else ""
        )
        proposal = Proposal(
            kind=kind,
            author=user.name,
            created_at=_now(),
            reason=reason,
            source_id=source_id,
            changes=json.dumps([c.to_json() for c in changes], ensure_ascii=False),
            summary=summary[:500],
            status="pending",
            reverts_id=reverts_id,
        )
        session.add(proposal)
        session.flush()
        _audit(
            session,
            actor=user.name,
            event="proposed",
            proposal_id=proposal.id,
            reason=reason,
            source_id=source_id,
            after=_json({"changes": len(changes), "summary": proposal.summary}),
        )
        return proposal.id


def proposal_changes(proposal: Proposal) -> list[Change]:
    return [Change.from_json(c) for c in json.loads(proposal.changes)]


def _apply_change(session, change: Change) -> None:
    """Apply one change with the optimistic check; ConflictError if the live row moved."""
    model = _model(change.table)
    tbl = model.__table__
    where = f"{change.table} ({_key_text(change.key)})"
    if change.op == "add":
        if live_row(session, change.table, change.key) is not None:
            raise ConflictError(f"{where} exists already (added since the proposal was made)")
        session.execute(insert(tbl).values(**_to_db(change.table, change.after)))
        return
    if change.op == "update":
        new_key = _key_of(change.table, change.after)
        if new_key != change.key and live_row(session, change.table, new_key) is not None:
            raise ConflictError(f"{change.table} ({_key_text(new_key)}) exists already")
        result = session.execute(
            update(tbl).where(_where_row(change.table, change.before)).values(**_to_db(change.table, change.after))
        )
    else:
        result = session.execute(delete(tbl).where(_where_row(change.table, change.before)))
    if result.rowcount != 1:
        raise ConflictError(
            f"{where} changed since the proposal was made (another approved change got "
            "there first); nothing was applied"
        )


def get_proposal(proposal_id: int, *, engine=None) -> Proposal:
    from tracker.db import session_scope

    with session_scope(_engine(engine)) as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None:
            raise CurationError(f"no proposal #{proposal_id}")
        session.expunge(proposal)
        return proposal


def review(user: User, proposal_id: int, *, approve: bool, reason: str = "", engine=None) -> Proposal:
    """Approve (apply every change, all or nothing) or reject (with a reason) a pending proposal.

    Refused for the proposal's own author and for users without the reviewer role. Of two
    conflicting approvals one wins; the other raises ConflictError and changes nothing."""
    from tracker.db import session_scope

    _require(user, REVIEW_ROLES, "review proposals")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise CurationError("a rejection needs a reason")
    with session_scope(_engine(engine), write=True) as session:
        _lock(session)
        proposal = session.get(Proposal, proposal_id)
        if proposal is None:
            raise CurationError(f"no proposal #{proposal_id}")
        if proposal.status != "pending":
            raise ConflictError(
                f"proposal #{proposal_id} was already {proposal.status} by {proposal.reviewer} "
                f"at {proposal.reviewed_at:%Y-%m-%d %H:%M} UTC"
            )
        if proposal.author == user.name:
            raise PermissionDenied(
                f"{user.name} cannot review their own proposal #{proposal_id} "
                "(two-person rule: a different reviewer must approve it)"
            )
        now = _now()
        changes = proposal_changes(proposal)
        if approve:
            problems = check_changes(session, changes)
            for change in changes:
                _apply_change(session, change)
            if problems:
                raise InvalidProposal(problems)
        status = "approved" if approve else "rejected"
        result = session.execute(
            update(Proposal.__table__)
            .where(Proposal.__table__.c.id == proposal_id, Proposal.__table__.c.status == "pending")
            .values(status=status, reviewer=user.name, reviewed_at=now, review_reason=reason or None)
        )
        if result.rowcount != 1:
            raise ConflictError(f"proposal #{proposal_id} was reviewed by someone else meanwhile")
        _audit(
            session,
            at=now,
            actor=user.name,
            event=status,
            proposal_id=proposal_id,
            reason=reason or proposal.reason,
            source_id=proposal.source_id,
        )
        if approve:
            for change in changes:
                _audit(
                    session,
                    at=now,
                    actor=user.name,
                    event="applied",
                    proposal_id=proposal_id,
                    table_name=change.table,
                    op=change.op,
                    row_key=_json(change.key),
                    before=_json(change.before),
                    after=_json(change.after),
                    reason=proposal.reason,
                    source_id=proposal.source_id,
                )
        session.expire(proposal)
        session.refresh(proposal)
        session.expunge(proposal)
        return proposal


def propose_revert(user: User, proposal_id: int, *, reason: str, engine=None) -> int:
    """A new proposal that undoes an approved one (reviewed like any other)."""
    from tracker.db import session_scope

    with session_scope(_engine(engine)) as session:
        original = session.get(Proposal, proposal_id)
        if original is None:
            raise CurationError(f"no proposal #{proposal_id}")
        if original.status != "approved":
            raise CurationError(f"proposal #{proposal_id} is {original.status}; only approved proposals are reverted")
        inverse: list[Change] = []
        for ch in reversed(proposal_changes(original)):
            if ch.after is not None:
                key = _key_of(ch.table, ch.after)
                live = live_row(session, ch.table, key)
                if live != ch.after:
                    raise ConflictError(
                        f"{ch.table} ({_key_text(key)}) changed after proposal #{proposal_id}; "
                        "revert the later change first"
                    )
            op = {"add": "remove", "remove": "add", "update": "update"}[ch.op]
            key = _key_of(ch.table, ch.after) if ch.after is not None else ch.key
            inverse.append(Change(ch.table, op, key, ch.after, ch.before))
        source_id = original.source_id
    return propose(
        user,
        inverse,
        reason=reason,
        source_id=source_id,
        kind="revert",
        reverts_id=proposal_id,
        engine=engine,
    )


def list_proposals(*, status: str | None = None, engine=None) -> pd.DataFrame:
    from tracker.db import session_scope

    with session_scope(_engine(engine)) as session:
        query = select(Proposal).order_by(Proposal.id)
        if status:
            query = query.where(Proposal.status == status)
        rows = session.execute(query).scalars().all()
        data = [
            {
                "id": p.id,
                "kind": p.kind,
                "status": p.status,
                "author": p.author,
                "created_at": p.created_at,
                "reason": p.reason,
                "source_id": p.source_id,
                "changes": len(json.loads(p.changes)),
                "summary": p.summary,
                "reviewer": p.reviewer or "",
                "reviewed_at": p.reviewed_at,
                "review_reason": p.review_reason or "",
                "reverts_id": p.reverts_id,
            }
            for p in rows
        ]
    columns = [
        "id",
        "kind",
        "status",
        "author",
        "created_at",
        "reason",
        "source_id",
        "changes",
        "summary",
        "reviewer",
        "reviewed_at",
        "review_reason",
        "reverts_id",
    ]
    return pd.DataFrame(data, columns=columns)


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
    from tracker.db import session_scope

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
    with session_scope(_engine(engine)) as session:
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
            "key": _key_text(json.loads(r["row_key"])) if r["row_key"] else "",
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
            final[(table, tuple(_key_of(table, before).values()))] = (None, entry)
        if after is not None:
            final[(table, tuple(_key_of(table, after).values()))] = (after, entry)
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
            frame = _catalogue_text(table, tables[table])
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
            f"{table} ({_key_text(dict(zip(key_columns(table), key, strict=True)))}): the load would "
            f"{what} (curated edit of proposal #{entry.proposal_id}, approved by {entry.actor} "
            f"{entry.at:%Y-%m-%d %H:%M}); dump the database first or load --force"
        )
    return sorted(conflicts)


def record_forced_load(session, catalogue: Catalogue, conflicts: list[str]) -> None:
    """Record in the audit log that a forced load overwrote curated edits (each one listed)."""
    actor = os.environ.get("TRACKER_USER") or f"{getpass.getuser()} (local)"
    _audit(
        session,
        actor=actor,
        event="forced_load",
        reason=f"forced load overwrote {len(conflicts)} curated edit(s)",
        source_id=catalogue.origin[:500] or None,
        after=_json({"catalogue_version": catalogue.version, "overwritten": conflicts}),
    )


# =========================================================================== dump (round trip)


def _catalogue_text(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """A typed Catalogue frame back to the package's text form ("true"/"false", integers, "")."""
    out = pd.DataFrame(index=df.index)
    for f in _fields(table):
        col = df[f["name"]]
        if f.get("type") in ("boolean", "integer"):
            out[f["name"]] = [_to_text(v) for v in col.astype(object)]
        else:
            out[f["name"]] = col.fillna("").astype(str)
    return out


def catalogue_csv(table: str, df: pd.DataFrame) -> bytes:
    """One table in canonical form: schema column order, canonical row order, LF, minimal quoting."""
    frame = _catalogue_text(table, df).sort_values(CANONICAL_ORDER[table], kind="stable")
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def dump(path: Path | str, *, engine=None, overwrite: bool = False) -> dict[str, int]:
    """Write the database's approved state as the catalogue data package at ``path``
    (canonical form: stable row order, LF line ends, ``.gz`` with mtime 0) and validate it.
    Returns rows per table. Refuses a non-empty folder that is not a catalogue unless ``overwrite``."""
    from tracker.catalogue import CatalogueError, catalogue_from_database, validate_package

    target = Path(path)
    if target.exists() and not target.is_dir():
        raise CurationError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / PACKAGE_FILE).exists() and not overwrite:
        raise CurationError(f"{target} is not empty and holds no {PACKAGE_FILE} (refusing to write into it)")
    cat = catalogue_from_database(_engine(engine))
    descriptor = _reference_descriptor()
    target.mkdir(parents=True, exist_ok=True)
    counts = {}
    for resource in descriptor["resources"]:
        name, rel = resource["name"], resource["path"]
        data = catalogue_csv(name, getattr(cat, name))
        if rel.endswith(".gz"):
            buf = io.BytesIO()
            with gzip.GzipFile(filename=Path(rel).name.removesuffix(".gz"), mode="wb", fileobj=buf, mtime=0) as gz:
                gz.write(data)
            data = buf.getvalue()
        tmp = target / (rel + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target / rel)
        counts[name] = len(getattr(cat, name))
    shutil.copyfile(BUNDLED_CATALOGUE / PACKAGE_FILE, target / PACKAGE_FILE)
    problems = validate_package(target)
    if problems:
        raise CatalogueError(problems)
    return counts


@dataclass
class ProposalView:
    """A proposal with its changes, for display."""

    proposal: Proposal
    changes: list[Change] = field(default_factory=list)


def view_proposal(proposal_id: int, *, engine=None) -> ProposalView:
    proposal = get_proposal(proposal_id, engine=engine)
    return ProposalView(proposal, proposal_changes(proposal))
