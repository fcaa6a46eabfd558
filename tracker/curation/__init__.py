"""The two-person rule applied to our own data: users, proposals, reviews and the history.

- ``users``: the users file, roles and sign-in;
- ``changes``: one row change, read against the live data and checked with the catalogue rules;
- ``workflow``: propose, review (never your own), revert;
- ``audit``: the append-only audit log (``history()`` reads it), and load conflicts with curated edits;
- ``importer``: bulk import of adoption actions from CSV/XLSX as one proposal.
"""

from tracker.curation.audit import HISTORY_COLUMNS, history, load_conflicts, record_forced_load
from tracker.curation.changes import Change, adoption_change, check_changes, key_columns, live_row, make_change
from tracker.curation.users import ROLES, User, add_user, authenticate, hash_password, read_users, verify_password
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
    "record_forced_load",
    "review",
    "verify_password",
    "view_proposal",
]
