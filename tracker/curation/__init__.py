"""The two-person rule applied to our own data: users, proposals, reviews and the history.

- ``users``: the users file, roles and sign-in (re-checked at every write);
- ``signin``: the sign-in back-off, shared by every process through the database;
- ``changes``: one row change, read against the live data and checked with the catalogue rules;
- ``workflow``: propose, review (never your own), revert;
- ``audit``: the append-only, hash-chained audit log (``history()`` reads it, ``verify_chain()``
  checks it), and load conflicts with curated edits;
- ``importer``: bulk import of adoption actions from CSV/XLSX as one proposal.
"""

from tracker.curation.audit import HISTORY_COLUMNS, ChainReport, history, load_conflicts, record_load, verify_chain
from tracker.curation.changes import Change, adoption_change, check_changes, key_columns, live_row, make_change
from tracker.curation.users import (
    ROLES,
    User,
    add_user,
    authenticate,
    current_user,
    hash_password,
    read_users,
    verify_password,
)
from tracker.curation.workflow import (
    ProposalView,
    get_proposal,
    list_proposals,
    proposal_changes,
    propose,
    propose_revert,
    review,
    view_proposal,
)
from tracker.errors import AuthenticationError, ConflictError, CurationError, InvalidProposal, PermissionDenied

__all__ = [
    "HISTORY_COLUMNS",
    "ROLES",
    "AuthenticationError",
    "Change",
    "ChainReport",
    "ConflictError",
    "CurationError",
    "InvalidProposal",
    "PermissionDenied",
    "ProposalView",
    "User",
    "add_user",
    "adoption_change",
    "authenticate",
    "check_changes",
    "current_user",
    "get_proposal",
    "hash_password",
    "history",
    "key_columns",
    "list_proposals",
    "live_row",
    "load_conflicts",
    "make_change",
    "proposal_changes",
    "propose",
    "propose_revert",
    "read_users",
    "record_load",
    "review",
    "verify_chain",
    "verify_password",
    "view_proposal",
]
