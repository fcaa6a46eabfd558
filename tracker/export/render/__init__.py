"""Writers: a Report -> bytes, one module per format; :func:`render` dispatches on a format name.

Note: ``tracker.export.render`` the function (re-exported by ``tracker.export``) shadows this
package's name there; import the writers as ``tracker.export.render.csv`` etc.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tracker.export.render.csv import to_csv
from tracker.export.render.json import to_json
from tracker.export.render.markdown import to_markdown
from tracker.export.render.pdf import to_pdf
from tracker.export.render.xlsx import to_xlsx
from tracker.export.report import ExportError, Report

FORMATS = ("csv", "xlsx", "json", "md", "pdf")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}
BINARY_FORMATS = frozenset({"xlsx", "pdf"})
# One line per format for download buttons and --help: which exports are safe for spreadsheets and
# which carry the raw values for machines.
FORMAT_NOTES = {
    "csv": "CSV (RFC 4180, UTF-8): spreadsheet-safe, formula-like text is prefixed with '",
    "xlsx": "Excel workbook: one sheet per section plus About and Sources; spreadsheet-safe",
    "json": "JSON: raw values for machines (not neutralised for spreadsheets)",
    "md": "Markdown: the brief as text, tables and numbered sources",
    "pdf": "PDF: a printable one- or two-page A4 brief",
}
WRITERS: dict[str, Callable[[Report], bytes]] = {
    "csv": to_csv,
    "xlsx": to_xlsx,
    "json": to_json,
    "md": to_markdown,
    "pdf": to_pdf,
}


def render(report: Report, fmt: str) -> bytes:
    """Report -> bytes in one of FORMATS."""
    key = (fmt or "").lower().lstrip(".")
    key = {"markdown": "md", "excel": "xlsx"}.get(key, key)
    if key not in WRITERS:
        raise ExportError(f"unknown format {fmt!r} (choose one of {', '.join(FORMATS)})")
    return WRITERS[key](report)


def filename(report: Report, fmt: str) -> str:
    """A safe default file name, e.g. ``country-brief-CIV-2024-01-01.pdf``."""
    bits = [report.kind.replace("_", "-")]
    p = report.parameters
    for key in ("party", "group_id", "instrument"):
        if isinstance(p.get(key), str):
            bits.append(p[key])
    if isinstance(p.get("parties"), list):
        bits.append("-".join(p["parties"]))
    bits.append(report.as_of)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(bits)).strip("-")
    return f"{stem}.{fmt}"
