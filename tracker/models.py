"""All database tables in one module.

Catalogue tables mirror the data package resources column for column (dates stay text,
because partial dates such as "2001" or "2001-11" are real data). Empty cells are stored
as NULL. Curation tables hold proposals, reviews and the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class Source(SQLModel, table=True):
    __tablename__ = "sources"
    id: str = Field(primary_key=True)
    title: str
    publisher: str
    url: str | None = None
    as_of: str
    licence: str | None = None
    note: str | None = None
    kind: str


class Party(SQLModel, table=True):
    __tablename__ = "parties"
    code: str = Field(primary_key=True, max_length=3)
    name: str
    official_name: str | None = None
    kind: str
    iso_alpha2: str | None = None
    iso_numeric: str | None = None
    un_member: bool
    un_member_since: str | None = None
    un_regional_group: str | None = None
    source_id: str = Field(foreign_key="sources.id")
    note: str | None = None


class PartyAlias(SQLModel, table=True):
    __tablename__ = "party_aliases"
    alias: str = Field(primary_key=True)
    code: str = Field(foreign_key="parties.code")
    note: str | None = None


class Instrument(SQLModel, table=True):
    __tablename__ = "instruments"
    id: str = Field(primary_key=True)
    name: str
    short_name: str
    kind: str
    pillar: str
    value_clusters: str | None = None
    stance: str
    stance_reason: str
    body: str
    parent_id: str | None = Field(default=None, foreign_key="instruments.id")
    opened: str | None = None
    in_force: str | None = None
    party_in_force_rule: str | None = None
    url: str
    description: str
    source_id: str = Field(foreign_key="sources.id")
    as_of: str
    note: str | None = None


class InstrumentAlias(SQLModel, table=True):
    __tablename__ = "instrument_aliases"
    instrument_id: str = Field(foreign_key="instruments.id", primary_key=True)
    alias: str = Field(primary_key=True)
    alias_kind: str


class Adoption(SQLModel, table=True):
    """Link between an instrument and a party, with the dated action as extra fields."""

    __tablename__ = "adoptions"
    id: int | None = Field(default=None, primary_key=True)
    instrument_id: str = Field(foreign_key="instruments.id", index=True)
    party_code: str = Field(foreign_key="parties.code", index=True)
    action: str
    role: str | None = None
    date: str | None = None
    source_id: str = Field(foreign_key="sources.id")
    note: str | None = None


class Group(SQLModel, table=True):
    __tablename__ = "groups"
    id: str = Field(primary_key=True)
    name: str
    short_name: str
    kind: str
    url: str | None = None
    source_id: str = Field(foreign_key="sources.id")
    as_of: str
    note: str | None = None


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_members"
    id: int | None = Field(default=None, primary_key=True)
    group_id: str = Field(foreign_key="groups.id", index=True)
    party_code: str = Field(foreign_key="parties.code", index=True)
    role: str
    joined: str | None = None
    left: str | None = None
    source_id: str = Field(foreign_key="sources.id")
    note: str | None = None


class Resolution(SQLModel, table=True):
    __tablename__ = "resolutions"
    id: str = Field(primary_key=True)
    symbol: str | None = None
    date: str
    title: str | None = None
    forum: str
    committee: str | None = None
    topic: str
    series: str | None = None
    recorded_vote: bool
    vote_kind: str | None = None
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    tally_source: str | None = None
    source_id: str = Field(foreign_key="sources.id")
    note: str | None = None


class Vote(SQLModel, table=True):
    __tablename__ = "votes"
    resolution_id: str = Field(foreign_key="resolutions.id", primary_key=True)
    party_code: str = Field(foreign_key="parties.code", primary_key=True)
    vote: str
    source_id: str = Field(foreign_key="sources.id")


class Crosswalk(SQLModel, table=True):
    __tablename__ = "crosswalk"
    norm_id: str = Field(foreign_key="instruments.id", primary_key=True)
    instrument_id: str = Field(foreign_key="instruments.id", primary_key=True)
    clause: str = Field(primary_key=True)
    clause_title: str | None = None
    relationship: str
    rationale: str
    confidence: str
    source_id: str = Field(foreign_key="sources.id")


class ResolutionLink(SQLModel, table=True):
    __tablename__ = "resolution_links"
    resolution_id: str = Field(foreign_key="resolutions.id", primary_key=True)
    instrument_id: str = Field(foreign_key="instruments.id", primary_key=True)
    relation: str = Field(primary_key=True)
    locator: str | None = None
    source_id: str = Field(foreign_key="sources.id")
    note: str | None = None


class ResolutionSponsor(SQLModel, table=True):
    __tablename__ = "resolution_sponsors"
    resolution_id: str = Field(foreign_key="resolutions.id", primary_key=True)
    party_code: str = Field(foreign_key="parties.code", primary_key=True)
    role: str
    source_id: str = Field(foreign_key="sources.id")
    note: str | None = None


class NormEvidence(SQLModel, table=True):
    __tablename__ = "norm_evidence"
    id: int | None = Field(default=None, primary_key=True)
    party_code: str = Field(foreign_key="parties.code", index=True)
    norm_id: str = Field(foreign_key="instruments.id", index=True)
    kind: str
    level: int
    polarity: str
    date: str | None = None
    document: str
    locator: str | None = None
    quote: str | None = None
    source_id: str = Field(foreign_key="sources.id")
    note: str | None = None


class CatalogueState(SQLModel, table=True):
    """Which catalogue the database holds: its content hash and when it was loaded.

    ``load_audit_id`` is the id of the audit entry the load wrote: curated edits applied after
    the load are the ``applied`` entries with a larger id (a server-side sequence; clocks of
    the machines that loaded and approved never need to agree)."""

    __tablename__ = "catalogue_state"
    id: int = Field(default=1, primary_key=True)
    content_hash: str
    catalogue_version: str
    loaded_from: str
    loaded_at: datetime
    load_audit_id: int | None = None


# Order matters: parents before children (insert order; reverse for delete).
CATALOGUE_TABLES: dict[str, type[SQLModel]] = {
    "sources": Source,
    "parties": Party,
    "party_aliases": PartyAlias,
    "instruments": Instrument,
    "instrument_aliases": InstrumentAlias,
    "adoptions": Adoption,
    "groups": Group,
    "group_members": GroupMember,
    "resolutions": Resolution,
    "votes": Vote,
    "crosswalk": Crosswalk,
    "resolution_links": ResolutionLink,
    "resolution_sponsors": ResolutionSponsor,
    "norm_evidence": NormEvidence,
}


# --------------------------------------------------------------------------- curation (issue 8)


class Proposal(SQLModel, table=True):
    """A proposed change to the catalogue; nothing changes the live tables until a second person
    approves it. ``changes`` is JSON: a list of {table, op, key, before, after} (see curation.py)."""

    __tablename__ = "proposals"
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # edit, import, revert
    author: str = Field(index=True)
    created_at: datetime
    reason: str
    source_id: str
    changes: str
    summary: str
    status: str = Field(default="pending", index=True)  # pending, approved, rejected
    reviewer: str | None = None
    reviewed_at: datetime | None = None
    review_reason: str | None = None
    reverts_id: int | None = Field(default=None, foreign_key="proposals.id")


class AuditEntry(SQLModel, table=True):
    """The history: append-only (the code refuses updates and deletes; so do database triggers)
    and tamper-evident (each entry's hash covers its content and the previous entry's hash).

    One row per event (proposed, approved, rejected, loaded, forced load) and one per applied
    change, with the row's state before and after as JSON."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_event_id", "event", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime  # when, on the writing machine's clock: shown, never compared (the id orders)
    actor: str
    event: str  # proposed, approved, rejected, applied, loaded, forced_load
    proposal_id: int | None = Field(default=None, foreign_key="proposals.id", index=True)
    table_name: str | None = None
    op: str | None = None  # add, update, remove
    row_key: str | None = None  # JSON of the natural key
    before: str | None = None  # JSON row or NULL
    after: str | None = None  # JSON row or NULL
    reason: str | None = None
    source_id: str | None = None
    prev_hash: str | None = Field(default=None, max_length=64)  # the previous entry's entry_hash
    entry_hash: str = Field(max_length=64)  # sha256 of prev_hash and this entry's content


class SignInAttempt(SQLModel, table=True):
    """Failed sign-ins per user name, so every process backs off together (see curation.signin)."""

    __tablename__ = "sign_in_attempts"
    name: str = Field(primary_key=True, max_length=32)
    failures: int = 0  # consecutive failed (or still unverified) attempts since the last success
    blocked_until: float = 0.0  # seconds since the epoch, on the database's clock
