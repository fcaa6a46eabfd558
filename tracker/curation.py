"""Proposals, reviews and the audit log: the two-person rule applied to our own data.

Issue 8 builds the workflow here. The catalogue loader already asks this module which
curated edits a new load would overwrite, so that a load never deletes them silently.
"""

from __future__ import annotations


def load_conflicts(session, catalogue) -> list[str]:
    """Curated edits approved since the last load that ``catalogue`` would overwrite.

    There is no curation table yet, so there is nothing a load could overwrite.
    """
    return []


def record_forced_load(session, catalogue, conflicts: list[str]) -> None:
    """Record in the audit log that a forced load overwrote curated edits."""
    raise NotImplementedError("curated edits do not exist before the curation workflow")
