"""JSON writer: raw values for machines (no spreadsheet neutralisation).

JSON shape (stable keys, in this order)
---------------------------------------
::

    {
      "schema": "cyber-norms-tracker/export@1",
      "kind": "bloc_summary" | "country_brief" | "comparison" | "adoptions" | "votes" | "alignment",
      "title": str, "subtitle": str,
      "generated": "YYYY-MM-DD", "as_of": "YYYY-MM-DD",
      "method": str, "catalogue_version": str,
      "parameters": {str: str | [str] | null},            # what the report was built from
      "sections": [
        {"key": str, "title": str, "text": str, "notes": str,
         "columns": [str] | null,                         # null for a text-only section
         "rows": [{column: str | int | float | bool | null}] | null}
      ],
      "chart": {"title": str, "labels": [str], "values": [number], "highlight": [bool],
                "value_format": "percent" | "count" | "decimal", "max_value": number | null,
                "note": str} | null,
      "sources": [{"ref": int, "id": str, "title": str, "publisher": str, "url": str,
                   "as_of": str, "kind": str}]                # kind "secondary": not a primary source
    }

Values are the raw data (no spreadsheet neutralisation), missing values are ``null``,
rates are fractions between 0 and 1, and ``source_id`` cells hold catalogue source ids
(several separated by ``;``) that appear in ``sources``.
"""

from __future__ import annotations

import json
from typing import Any

from tracker.export.render.cells import table_rows
from tracker.export.report import Report

SCHEMA = "cyber-norms-tracker/export@1"


def to_json(report: Report) -> bytes:
    """JSON in the documented shape (module docstring); raw values, no neutralisation."""
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": report.kind,
        "title": report.title,
        "subtitle": report.subtitle,
        "generated": report.generated,
        "as_of": report.as_of,
        "method": report.method,
        "catalogue_version": report.catalogue_version,
        "parameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in report.parameters.items()},
        "sections": [],
        "chart": None,
        "sources": [
            {
                "ref": s.ref,
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "as_of": s.as_of,
                "kind": s.kind,
            }
            for s in report.sources
        ],
    }
    for s in report.sections:
        entry: dict[str, Any] = {
            "key": s.key,
            "title": s.title,
            "text": s.text,
            "notes": s.notes,
            "columns": None,
            "rows": None,
        }
        if s.table is not None:
            cols = list(map(str, s.table.columns))
            entry["columns"] = cols
            entry["rows"] = [dict(zip(cols, row, strict=True)) for row in table_rows(s.table)]
        doc["sections"].append(entry)
    if report.chart is not None:
        c = report.chart
        doc["chart"] = {
            "title": c.title,
            "labels": list(c.labels),
            "values": [float(v) for v in c.values],
            "highlight": [bool(h) for h in (c.highlight or [False] * len(c.labels))],
            "value_format": c.value_format,
            "max_value": c.max_value,
            "note": c.note,
        }
    return (json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
