"""The errors a user can fix, and the one shape every data problem is reported in.

Only ``TrackerError`` subclasses are shown to a user as a one-line message (CLI and app);
any other exception is a bug: it is logged with its traceback and reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass


class TrackerError(Exception):
    """A problem with the user's input or data, explained in one line."""


class InvalidInput(TrackerError, ValueError):
    """An argument a user gave is not one the function accepts (the message lists what is)."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a file: where (file, 1-based line, column) and what."""

    file: str
    row: int | None  # 1-based line in the file, header = 1; None for file-level problems
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.message}"


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Distinct problems in file, row, column order (a stable, comparable report)."""
    return sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.message))


class CatalogueError(TrackerError):
    """The catalogue is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = problems[0] if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{head}{more}")


# --------------------------------------------------------------------------- curation


class CurationError(TrackerError, ValueError):
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
