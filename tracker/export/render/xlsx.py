"""XLSX writer (openpyxl, imported when used): an About sheet, one sheet per section, a Chart
sheet and a Sources sheet; text cells neutralised and never stored as formulas."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from tracker.export.render.cells import as_text, cell_value, neutralise, paragraphs, param_text, table_rows
from tracker.export.report import Report

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip().strip("'")[:31] or "Sheet"
    name, i = base, 2
    while name.casefold() in used:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.casefold())
    return name


def _xlsx_value(v: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    v = cell_value(v)
    if isinstance(v, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", v))
    return v


def _xlsx_set(ws, row: int, col: int, value: Any):
    cell = ws.cell(row=row, column=col)
    value = _xlsx_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text
    return cell


def to_xlsx(report: Report) -> bytes:
    """XLSX: an About sheet (title, as-of, method, catalogue version, parameters, contents), one sheet
    per section (bold frozen header, filter, column widths), a Chart sheet, and a Sources sheet."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE5F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    about = wb.active
    about.title = "About"
    used = {"about", "sources", "chart"}
    meta = [
        ("Title", report.title),
        ("Subtitle", report.subtitle),
        ("Report", report.kind),
        ("Generated", report.generated),
        ("As of", report.as_of),
        ("Catalogue version", report.catalogue_version),
        ("Method", report.method),
    ]
    meta += [(f"Parameter: {k}", param_text(v)) for k, v in report.parameters.items()]
    meta += [
        (
            "Spreadsheet safety",
            "Text cells that begin with = + - @ or a tab/CR/LF are prefixed with ' "
            "(the JSON export holds the unmodified values).",
        )
    ]
    for i, (k, v) in enumerate(meta, start=1):
        _xlsx_set(about, i, 1, k).font = bold
        _xlsx_set(about, i, 2, v).alignment = wrap
    about.cell(row=1, column=2).font = Font(bold=True, size=14)
    r = len(meta) + 2
    _xlsx_set(about, r, 1, "Contents").font = bold
    sheet_names = []
    for s in report.sections:
        sheet_names.append(_sheet_name(s.key.replace("_", " ").capitalize(), used))
    for s, name in zip(report.sections, sheet_names, strict=True):
        r += 1
        _xlsx_set(about, r, 1, name)
        _xlsx_set(about, r, 2, paragraphs(s.text)[0] if s.text and s.table is None else s.title).alignment = wrap
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    about.freeze_panes = "A2"

    for s, name in zip(report.sections, sheet_names, strict=True):
        ws = wb.create_sheet(name)
        row = 1
        if s.table is not None:
            cols = list(s.table.columns)
            for j, c in enumerate(cols, start=1):
                cell = _xlsx_set(ws, 1, j, s.label(c))
                cell.font, cell.fill = bold, head_fill
            data = table_rows(s.table)
            for i, values in enumerate(data, start=2):
                for j, (c, v) in enumerate(zip(cols, values, strict=True), start=1):
                    cell = _xlsx_set(ws, i, j, v)
                    if s.formats.get(c) == "percent" and isinstance(cell.value, (int, float)):
                        cell.number_format = "0%"
                    elif s.formats.get(c) == "decimal" and isinstance(cell.value, (int, float)):
                        cell.number_format = "0.00"
            ws.freeze_panes = "A2"
            if data:
                ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(data) + 1}"
            for j, c in enumerate(cols, start=1):
                longest = max([len(s.label(c))] + [len(as_text(v[j - 1])) for v in data[:500]])
                ws.column_dimensions[get_column_letter(j)].width = min(max(8, longest + 2), 60)
            row = len(data) + 3
        else:
            ws.column_dimensions["A"].width = 110
        for para in [*paragraphs(s.text), *([s.notes] if s.notes else [])]:
            _xlsx_set(ws, row, 1, para).alignment = Alignment(wrap_text=s.table is None, vertical="top")
            row += 1

    if report.chart is not None:
        c = report.chart
        ws = wb.create_sheet("Chart")
        for j, h in enumerate(("Label", "Value", "Highlight"), start=1):
            cell = _xlsx_set(ws, 1, j, h)
            cell.font, cell.fill = bold, head_fill
        hl = c.highlight or [False] * len(c.labels)
        for i, (lab, value, lit) in enumerate(zip(c.labels, c.values, hl, strict=True), start=2):
            _xlsx_set(ws, i, 1, lab)
            cell = _xlsx_set(ws, i, 2, float(value))
            if c.value_format == "percent":
                cell.number_format = "0%"
            _xlsx_set(ws, i, 3, bool(lit))
        ws.freeze_panes = "A2"
        ws.column_dimensions["A"].width = min(60, max([10, *[len(x) + 2 for x in c.labels]]))
        if c.labels:
            bar = BarChart()
            bar.type = "bar"
            bar.title = c.title[:80]
            bar.legend = None
            bar.add_data(Reference(ws, min_col=2, min_row=1, max_row=len(c.labels) + 1), titles_from_data=True)
            bar.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(c.labels) + 1))
            bar.height, bar.width = 7 + 0.4 * len(c.labels), 16
            ws.add_chart(bar, "E2")

    ws = wb.create_sheet("Sources")
    for j, h in enumerate(("Ref", "Id", "Title", "Publisher", "URL", "As of", "Kind"), start=1):
        cell = _xlsx_set(ws, 1, j, h)
        cell.font, cell.fill = bold, head_fill
    for i, src in enumerate(report.sources, start=2):
        for j, field in enumerate((src.ref, src.id, src.title, src.publisher, src.url, src.as_of, src.kind), start=1):
            cell = _xlsx_set(ws, i, j, field)
            if j == 5 and isinstance(field, str) and field.startswith(("http://", "https://")):
                cell.hyperlink = field
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (6, 30, 60, 30, 50, 12, 11), strict=True):
        ws.column_dimensions[letter].width = width

    wb.properties.title = report.title
    wb.properties.creator = "Cyber Norms Alignment Tracker"
    stamp = datetime.fromisoformat(report.generated).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
