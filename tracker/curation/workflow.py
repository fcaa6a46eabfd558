"""Proposals and reviews: the two-person rule applied to our own data.

Every change to the catalogue tables is a *proposal*: a list of row changes, each with the
row's expected state before and its state after, plus the author, time, reason and a source.
Nothing touches the live tables until a *different* user with the reviewer role approves it;
the code refuses self-approval. Approval applies every change in one transaction that holds
the write lock (SQLite ``BEGIN IMMEDIATE``; a PostgreSQL advisory lock shared with the catalogue
loader) and checks each live row against the expected before-state (optimistic concurrency), so
of two conflicting approvals one wins and the other gets a ``ConflictError`` and changes nothing.
A change is undone by a revert proposal, itself reviewed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select, update

from tracker.curation.audit import now, record, to_json
from tracker.curation.changes import Change, apply_change, check_changes, key_of, key_text, live_row
from tracker.curation.users import PROPOSE_ROLES, REVIEW_ROLES, User
from tracker.db import lock_writers, session_scope
from tracker.errors import ConflictError, CurationError, InvalidProposal, PermissionDenied
from tracker.models import Proposal


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

    _require(user, PROPOSE_ROLES, "propose changes")
    reason = (reason or "").strip()
    if not reason:
        raise CurationError("a proposal needs a reason")
    source_id = (source_id or "").strip()
    if not source_id:
        raise CurationError("a proposal needs a source (a sources.id)")
    with session_scope(engine, write=True) as session:
        lock_writers(session)
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
        record(
            session,
            actor=user.name,
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


def review(user: User, proposal_id: int, *, approve: bool, reason: str = "", engine=None) -> Proposal:
    """Approve (apply every change, all or nothing) or reject (with a reason) a pending proposal.

    Refused for the proposal's own author and for users without the reviewer role. Of two
    conflicting approvals one wins; the other raises ConflictError and changes nothing."""

    _require(user, REVIEW_ROLES, "review proposals")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise CurationError("a rejection needs a reason")
    with session_scope(engine, write=True) as session:
        lock_writers(session)
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
        at = now()
        changes = proposal_changes(proposal)
        if approve:
            problems = check_changes(session, changes)
            for change in changes:
                apply_change(session, change)
            if problems:
                raise InvalidProposal(problems)
        status = "approved" if approve else "rejected"
        result = session.execute(
            update(Proposal.__table__)
            .where(Proposal.__table__.c.id == proposal_id, Proposal.__table__.c.status == "pending")
            .values(status=status, reviewer=user.name, reviewed_at=at, review_reason=reason or None)
        )
        if result.rowcount != 1:
            raise ConflictError(f"proposal #{proposal_id} was reviewed by someone else meanwhile")
        record(
            session,
            at=at,
            actor=user.name,
            event=status,
            proposal_id=proposal_id,
            reason=reason or proposal.reason,
            source_id=proposal.source_id,
        )
        if approve:
            for change in changes:
                record(
                    session,
                    at=at,
                    actor=user.name,
                    event="applied",
                    proposal_id=proposal_id,
                    table_name=change.table,
                    op=change.op,
                    row_key=to_json(change.key),
                    before=to_json(change.before),
                    after=to_json(change.after),
                    reason=proposal.reason,
                    source_id=proposal.source_id,
                )
        session.expire(proposal)
        session.refresh(proposal)
        session.expunge(proposal)
        return proposal


def propose_revert(user: User, proposal_id: int, *, reason: str, engine=None) -> int:
    """A new proposal that undoes an approved one (reviewed like any other)."""

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


@dataclass
class ProposalView:
    """A proposal with its changes, for display."""

    proposal: Proposal
    changes: list[Change] = field(default_factory=list)


def view_proposal(proposal_id: int, *, engine=None) -> ProposalView:
    proposal = get_proposal(proposal_id, engine=engine)
    return ProposalView(proposal, proposal_changes(proposal))
