"""The one date parser: partial dates (YYYY, YYYY-MM, YYYY-MM-DD) and as-of values.

A partial date names a period. Questions "known by date X?" use its last day (``known_by``);
questions "possibly by date X?" use its first day (``earliest``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from typing import Any

from tracker.errors import TrackerError

PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"  # as written in datapackage.json


class BadDate(TrackerError, ValueError):
    """A date the user typed is not a date."""


def date_bounds(value: str) -> tuple[date, date] | None:
    """First and last day a (partial) date can mean; None when malformed or impossible."""
    m = PARTIAL_DATE.match(value or "")
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        mo = int(month)
        if day is None:
            return date(year, mo, 1), date(year, mo, calendar.monthrange(year, mo)[1])
        d = date(year, mo, int(day))
        return d, d
    except ValueError:
        return None


def known_by(value: str) -> date | None:
    """Last day a partial date can mean (the day it is surely known by); None when empty or malformed."""
    bounds = date_bounds(value) if value else None
    return bounds[1] if bounds else None


def earliest(value: str) -> date | None:
    """First day a partial date can mean; None when empty or malformed."""
    bounds = date_bounds(value) if value else None
    return bounds[0] if bounds else None


def to_date(value: Any, *, end: bool = False) -> date | None:
    """A date from a date, datetime, Timestamp or (partial) ISO string; None and "" stay None.

    A partial date ("2019", "2019-12") means its first day, or its last day with ``end=True``.
    Raises ``BadDate`` for anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):  # pandas.Timestamp is a datetime
        return value.date()
    if isinstance(value, date):
        return value
    bounds = date_bounds(str(value).strip())
    if bounds is None:
        raise BadDate(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return bounds[1] if end else bounds[0]


def as_of_date(value: Any) -> date:
    """An as-of date typed by a user: empty means today; a partial date means its last day."""
    day = to_date(value, end=True)
    return day if day is not None else date.today()
