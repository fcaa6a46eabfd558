"""The report model every export builder fills and every writer renders.

A :class:`Report` is neutral: a title, subtitle, as-of date, method, catalogue version,
sections of text and/or a table, an optional bar chart and numbered sources. Builders
(``tracker.export.tables``, ``bloc``, ``brief``, ``compare``) make one; writers
(``tracker.export.render``) turn it into bytes; the app renders its sections on screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from tracker.errors import TrackerError


class ExportError(TrackerError, ValueError):
    """An export cannot be built from these inputs (one-line reason)."""


class NoDataError(ExportError):
    """The selection is empty: there is nothing to export (never an empty file)."""


@dataclass(frozen=True)
class Source:
    ref: int
    id: str
    title: str = ""
    publisher: str = ""
    url: str = ""
    as_of: str = ""
    kind: str = ""  # sources.kind: official, depositary, document or secondary (a reference work, a blog)

    @property
    def secondary(self) -> bool:
        return self.kind == "secondary"

    def label(self) -> str:
        """The title, marked "(secondary)" when it is not a primary source."""
        return f"{self.title or self.id}{' (secondary)' if self.secondary else ''}"


@dataclass
class Section:
    """A titled part of a report: text paragraphs and/or a table, with notes under it.

    ``key`` is the stable machine name (JSON key, sheet name); ``formats`` maps columns to
    "percent" or "decimal" for display (CSV and JSON keep raw values); ``labels`` overrides
    the display header of a column; ``compact`` lists the columns the PDF shows (all if empty).
    """

    key: str
    title: str
    table: pd.DataFrame | None = None
    text: str = ""
    notes: str = ""
    formats: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    compact: tuple[str, ...] = ()

    def label(self, column: str) -> str:
        return self.labels.get(column) or default_label(column)


@dataclass
class Chart:
    """A horizontal bar chart: one bar per label (highlighted bars drawn in a second colour)."""

    title: str
    labels: list[str]
    values: list[float]
    value_format: str = "percent"  # percent (0..1), count, decimal
    max_value: float | None = None
    highlight: list[bool] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    kind: str
    title: str
    subtitle: str
    as_of: str
    method: str
    catalogue_version: str
    sections: list[Section]
    sources: list[Source] = field(default_factory=list)
    chart: Chart | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    generated: str = field(default_factory=lambda: date.today().isoformat())

    def section(self, key: str) -> Section:
        found = self.find(key)
        if found is None:
            raise KeyError(f"no section {key!r} in this report (have: {', '.join(s.key for s in self.sections)})")
        return found

    def find(self, key: str) -> Section | None:
        """The section ``key``, or None when this report has none (optional sections)."""
        return next((s for s in self.sections if s.key == key), None)

    def source_refs(self) -> dict[str, int]:
        return {s.id: s.ref for s in self.sources}

    @property
    def subject(self) -> str:
        """What the report is about, e.g. "European Union (EU)" for "Bloc summary: European Union (EU)"."""
        return self.title.split(": ", 1)[1] if ": " in self.title else self.title


_LABELS = {
    "party_code": "Code",
    "source_id": "Source",
    "instrument_id": "Instrument id",
    "resolution_id": "Resolution",
    "un_regional_group": "UN regional group",
    "group_id": "Group id",
    "co_votes": "Co-votes",
    "median_co_votes": "Median co-votes",
}


def default_label(column: str) -> str:
    if column in _LABELS:
        return _LABELS[column]
    text = column.replace("_", " ")
    return text[:1].upper() + text[1:]


def join_ids(values: Iterable[str]) -> str:
    """Source ids from cells holding one or several ids separated by ";", deduplicated in order."""
    seen: list[str] = []
    for v in values:
        for part in str(v).split(";"):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return ";".join(seen)
