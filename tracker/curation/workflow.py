"""Proposals and reviews: the two-person rule applied to our own data.

Every change to the catalogue tables is a *proposal*: a list of row changes, each with the
row's expected state before and its state after, plus the author, time, reason and a source.
Nothing touches the live tables until a *different* user with the reviewer role approves it;
the code refuses self-approval. The acting user's role is re-read from the users file at every
write (a signed-in session is only a claim).

Approval checks the changes against the catalogue rules and replays them on the live rows
(optimistic concurrency) *before* taking the writers' lock (the slow part); then, holding the
lock (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock shared with the catalogue loader),
it repeats that only if the data moved meanwhile (of two conflicting approvals one wins, the
other gets a ``ConflictError`` and changes nothing) and writes the rows and their history
set-based. So a 20,000-row import holds the lock for well under a second on SQLite, not minutes.
A proposal changes no data and takes only the history's lock (``audit.lock_history``), which an
approval takes last: on PostgreSQL it waits only for the approval's history write.
A change is undone by a revert proposal, itself reviewed.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Row, select, update
from sqlmodel import col

from tracker.curation import audit
from tracker.curation.audit import now, to_json
from tracker.curation.changes import (
    Change,
    check_changes,
    execute_write,
    key_of,
    key_text,
    live_row,
    prepare_writes,
    replay,
)
from tracker.curation.users import PROPOSE_ROLES, REVIEW_ROLES, User, require_role
from tracker.db import lock_writers, session_scope, table_of
from tracker.errors import ConflictError, CurationError, InvalidProposal, PermissionDenied
from tracker.models import Proposal
from tracker.text import control_char_problem

log = logging.getLogger(__name__)


def free_text(name: str, value: str | None) -> str:
    """A one-line free-text field, stripped; CurationError naming the field if it holds a
    control character or a bidi override (it would be printed to a reviewer's terminal)."""
    value = (value or "").strip()
    problem = control_char_problem(value)
    if problem:
        raise CurationError(f"{name} {problem}")
    return value


def _checked(session, changes: list[Change], source_id: str) -> list[str]:
    """Every problem of a proposal against the data as this session sees it."""
    added_sources = {c.after["id"] for c in changes if c.table == "sources" and c.after}
    if source_id not in added_sources and live_row(session, "sources", {"id": source_id}) is None:
        raise CurationError(f"unknown source {source_id!r} (propose the source first, or in this proposal)")
    return check_changes(session, changes)


def _validated(engine, changes: list[Change], source_id: str) -> tuple[list[str], int | None]:
    """Check the changes outside the writers' lock. Returns the problems and the data sequence
    they hold for (None if the data moved while they were read: check again under the lock)."""
    with session_scope(engine) as session:
        seq = audit.data_seq(session)
        problems = _checked(session, changes, source_id)
        return problems, seq if audit.data_seq(session) == seq else None


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

    require_role(user, PROPOSE_ROLES, "propose changes")
    reason = free_text("reason", reason)
    if not reason:
        raise CurationError("a proposal needs a reason")
    source_id = free_text("source", source_id)
    if not source_id:
        raise CurationError("a proposal needs a source (a sources.id)")
    problems, seq = _validated(engine, changes, source_id)
    if problems:
        raise InvalidProposal(problems)
    summary = "; ".join(c.describe() for c in changes[:3]) + (f"; … {len(changes)} changes" if len(changes) > 3 else "")
    with session_scope(engine, write=True) as session:
        audit.lock_history(session)  # a proposal changes no data: it needs only the history's lock
        author = require_role(user, PROPOSE_ROLES, "propose changes")  # as the users file says now
        if seq is None or audit.data_seq(session) != seq:
            problems = _checked(session, changes, source_id)
            if problems:
                raise InvalidProposal(problems)
        proposal = Proposal(
            kind=kind,
            author=author.name,
            created_at=now(),
            reason=reason,
            source_id=source_id,
            changes=json.dumps([c.to_json() for c in changes], ensure_ascii=False),
            summary=summary[:500],
            status="pending",
            reverts_id=reverts_id,
        )
        session.add(proposal)
        session.flush()
        assert proposal.id is not None  # the flush assigned it
        audit.record(
            session,
            actor=author.name,
            event="proposed",
            proposal_id=proposal.id,
            reason=reason,
            source_id=source_id,
            after=to_json({"changes": len(changes), "summary": proposal.summary}),
        )
        return proposal.id


def proposal_changes(proposal: Proposal) -> list[Change]:
    return [Change.from_json(c) for c in json.loads(proposal.changes)]


def get_proposal(proposal_id: int, *, engine=None) -> Proposal:

    with session_scope(engine) as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None:
            raise CurationError(f"no proposal #{proposal_id}")
        session.expunge(proposal)
        return proposal


def _reviewable(session, proposal_id: int, user: User) -> Row[*tuple[Any, ...]]:
    """The proposal's id, status and author (not its changes: cheap under the lock), if ``user``
    may review it now."""
    p = table_of(Proposal)
    row = session.execute(
        select(p.c.id, p.c.author, p.c.status, p.c.reviewer, p.c.reviewed_at, p.c.reason, p.c.source_id).where(
            p.c.id == proposal_id
        )
    ).first()
    if row is None:
        raise CurationError(f"no proposal #{proposal_id}")
    if row.status != "pending":
        when = f"{row.reviewed_at:%Y-%m-%d %H:%M} UTC"
        raise ConflictError(f"proposal #{proposal_id} was already {row.status} by {row.reviewer} at {when}")
    if row.author == user.name:
        raise PermissionDenied(
            f"{user.name} cannot review their own proposal #{proposal_id} "
            "(two-person rule: a different reviewer must approve it)"
        )
    return row


def review(user: User, proposal_id: int, *, approve: bool, reason: str = "", engine=None) -> Proposal:
    """Approve (apply every change, all or nothing) or reject (with a reason) a pending proposal.

    Refused for the proposal's own author and for users without the reviewer role (as the
    users file says at the moment of the review). Of two conflicting approvals one wins; the
    other raises ConflictError and changes nothing."""

    require_role(user, REVIEW_ROLES, "review proposals")
    reason = free_text("reason", reason)
    if not approve and not reason:
        raise CurationError("a rejection needs a reason")
    problems: list[str] = []
    changes: list[Change] = []
    seq: int | None = None
    with session_scope(engine) as session:  # everything slow, on a snapshot, outside the writers' lock
        proposal = _reviewable(session, proposal_id, user)
        if approve:
            stored = session.get(Proposal, proposal_id)
            assert stored is not None  # _reviewable found it in this session, and proposals are never deleted
            changes = proposal_changes(stored)
            seq = audit.data_seq(session)
            replay(session, changes)  # ConflictError first: it says what moved
            problems = check_changes(session, changes)
            seq = seq if audit.data_seq(session) == seq else None
        writes = prepare_writes(changes)
        applied = audit.with_digests(  # hashed now: under the lock they are only chained
            {
                "actor": user.name,
                "event": "applied",
                "proposal_id": proposal_id,
                "table_name": change.table,
                "op": change.op,
                "row_key": to_json(change.key),
                "before": to_json(change.before),
                "after": to_json(change.after),
                "reason": proposal.reason,
                "source_id": proposal.source_id,
            }
            for change in changes
        )
    with session_scope(engine, write=True) as session:
        lock_writers(session)
        locked = time.perf_counter()
        reviewer = require_role(user, REVIEW_ROLES, "review proposals")
        proposal = _reviewable(session, proposal_id, reviewer)
        at = now()
        if approve:
            if seq is None or audit.data_seq(session) != seq:  # the data moved meanwhile: check again
                replay(session, changes)
                problems = check_changes(session, changes)
            if problems:
                raise InvalidProposal(problems)
            for write in writes:
                execute_write(session, write)
        status = "approved" if approve else "rejected"
        p = table_of(Proposal)
        result = session.exec(
            update(p)
            .where(p.c.id == proposal_id, p.c.status == "pending")
            .values(status=status, reviewer=reviewer.name, reviewed_at=at, review_reason=reason or None)
        )
        if result.rowcount != 1:
            raise ConflictError(f"proposal #{proposal_id} was reviewed by someone else meanwhile")
        event = {
            "actor": reviewer.name,
            "event": status,
            "proposal_id": proposal_id,
            "reason": reason or proposal.reason,
            "source_id": proposal.source_id,
        }
        audit.record_many(session, [event, *applied], at=at)
    log.debug("proposal #%d %s; writers' lock held %.3f s", proposal_id, status, time.perf_counter() - locked)
    return get_proposal(proposal_id, engine=engine)


def propose_revert(user: User, proposal_id: int, *, reason: str, engine=None) -> int:
    """A new proposal that undoes an approved one (reviewed like any other)."""

    require_role(user, PROPOSE_ROLES, "propose changes")
    with session_scope(engine) as session:
        original = session.get(Proposal, proposal_id)
        if original is None:
            raise CurationError(f"no proposal #{proposal_id}")
        if original.status != "approved":
            raise CurationError(f"proposal #{proposal_id} is {original.status}; only approved proposals are reverted")
        inverse: list[Change] = []
        for ch in reversed(proposal_changes(original)):
            if ch.after is not None:
                key = key_of(ch.table, ch.after)
                live = live_row(session, ch.table, key)
                if live != ch.after:
                    raise ConflictError(
                        f"{ch.table} ({key_text(key)}) changed after proposal #{proposal_id}; "
                        "revert the later change first"
                    )
            op = {"add": "remove", "remove": "add", "update": "update"}[ch.op]
            key = key_of(ch.table, ch.after) if ch.after is not None else ch.key
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

    with session_scope(engine) as session:
        query = select(Proposal).order_by(col(Proposal.id))
        if status:
            query = query.where(col(Proposal.status) == status)
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


@dataclass
class ProposalView:
    """A proposal with its changes, for display."""

    proposal: Proposal
    changes: list[Change] = field(default_factory=list)


def view_proposal(proposal_id: int, *, engine=None) -> ProposalView:
    proposal = get_proposal(proposal_id, engine=engine)
    return ProposalView(proposal, proposal_changes(proposal))
