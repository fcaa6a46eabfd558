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
from tracker.export.render.pack import to_pack
from tracker.export.render.pdf import to_pdf
from tracker.export.render.xlsx import to_xlsx
from tracker.export.report import ExportError, Report

FORMATS = ("csv", "xlsx", "json", "md", "pdf", "pack")
EXTENSIONS = {"pack": "zip"}  # the file name extension of a format, where it differs from its name
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "pack": "application/zip",
}
BINARY_FORMATS = frozenset({"xlsx", "pdf", "pack"})
# One line per format for download buttons and --help: which exports are safe for spreadsheets and
# which carry the raw values for machines.
FORMAT_NOTES = {
    "csv": "CSV (RFC 4180, UTF-8): spreadsheet-safe, formula-like text is prefixed with '",
    "xlsx": "Excel workbook: one sheet per section plus About and Sources; spreadsheet-safe",
    "json": "JSON: raw values for machines (not neutralised for spreadsheets)",
    "md": "Markdown: the brief as text, tables and numbered sources",
    "pdf": "PDF: a printable A4 document: title page, every table in full, numbered sources",
    "pack": "Briefing pack: a ZIP of the PDF, the XLSX and the JSON of the same report",
}
WRITERS: dict[str, Callable[[Report], bytes]] = {
    "csv": to_csv,
    "xlsx": to_xlsx,
    "json": to_json,
    "md": to_markdown,
    "pdf": to_pdf,
    "pack": lambda report: to_pack(report, writers=WRITERS, name=filename),
}


def render(report: Report, fmt: str) -> bytes:
    """Report -> bytes in one of FORMATS."""
    key = (fmt or "").lower().lstrip(".")
    key = {"markdown": "md", "excel": "xlsx", "zip": "pack"}.get(key, key)
    if key not in WRITERS:
        raise ExportError(f"unknown format {fmt!r} (choose one of {', '.join(FORMATS)})")
    return WRITERS[key](report)


def filename(report: Report, fmt: str) -> str:
    """A file name that says what is inside: the kind, the subject and the as-of date, in lower case,
    e.g. ``bloc-summary-eu-2026-12-04.pdf``, ``country-brief-ind-2026-12-04.xlsx``; a custom bloc by
    its name (``bloc-summary-bloc-2-...``); a briefing pack is a ``.zip``."""
    bits = [report.kind.replace("_", "-")]
    p = report.parameters
    subject = [p[key] for key in ("party", "group_id", "instrument") if isinstance(p.get(key), str) and p[key]]
    if isinstance(p.get("parties"), list):
        subject.append("-".join(p["parties"]))
    if not subject and report.kind == "bloc_summary":
        subject.append(report.subject[:48])  # a custom bloc: its name
    bits += subject
    bits.append(report.as_of)
    stem = re.sub(r"[^a-z0-9._]+", "-", "-".join(bits).casefold()).strip("-.")
    return f"{stem}.{EXTENSIONS.get(fmt, fmt)}"
