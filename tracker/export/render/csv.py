"""CSV writer: RFC 4180, UTF-8 with a byte-order mark, text cells neutralised.

Spreadsheet safety
------------------
CSV and XLSX are opened in spreadsheet programs, which execute cells that look like formulas
(OWASP "CSV injection"). Both writers neutralise every *text* cell that begins with ``=``,
``+``, ``-``, ``@``, tab, CR or LF by prefixing a single quote (``'=1+2``); numbers and
booleans stay typed values (``-0.25`` is written as a number, not neutralised). JSON and
Markdown are for machines and readers respectively and carry the text unmodified, as does
the raw data package (``catalogue/``).

CSV layout (RFC 4180)
---------------------
One CSV holds one rectangular table, and a report has several, so a report's CSV is a
sequence of blocks, every record padded to the same number of fields (RFC 4180 section 2.4),
CRLF line ends, fields quoted only when needed, UTF-8 with BOM::

    report,<kind>                      metadata block: one key,value record each for
    title,<title>                      report, title, subtitle, generated, as_of,
    ...                                catalogue_version, method, then param.<name>
    <empty record>
    <section title>                    per section: its title alone in the first field,
    <text paragraph>                   each paragraph of its text, the header record and the
    <header>                           rows of its table (machine column names), its notes,
    <rows...>                          and an empty record
    <empty record>
    Chart: <title> / label,value       the chart's data, when the report has a chart
    Sources / ref,id,title,...,kind    the numbered sources, always last (kind "secondary" marks a
                                       reference work or press report, not a primary source)

A single-table raw export (``adoptions``, ``votes``, ``alignment``) has the same layout;
use JSON (or the XLSX sheet) to load one table without the framing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from tracker.export.render.cells import as_text, neutralise, paragraphs, param_text, table_rows
from tracker.export.report import Report


def to_csv(report: Report, *, bom: bool = True) -> bytes:
    """RFC 4180 CSV (layout in the module docstring), text cells neutralised, UTF-8 with BOM."""
    records: list[list[Any]] = [
        ["report", report.kind],
        ["title", report.title],
        ["subtitle", report.subtitle],
        ["generated", report.generated],
        ["as_of", report.as_of],
        ["catalogue_version", report.catalogue_version],
        ["method", report.method],
    ]
    for key, value in report.parameters.items():
        records.append([f"param.{key}", param_text(value)])
    records.append([])
    for s in report.sections:
        records.append([s.title])
        for para in paragraphs(s.text):
            records.append([para])
        if s.table is not None:
            records.append(list(map(str, s.table.columns)))
            records.extend([[as_text(v) if isinstance(v, bool) else v for v in row] for row in table_rows(s.table)])
        if s.notes:
            records.append([s.notes])
        records.append([])
    if report.chart is not None:
        c = report.chart
        records.append([f"Chart: {c.title}"])
        records.append(["label", "value", "highlight"])
        hl = c.highlight or [False] * len(c.labels)
        records.extend([[lab, float(v), as_text(bool(h))] for lab, v, h in zip(c.labels, c.values, hl, strict=True)])
        if c.note:
            records.append([c.note])
        records.append([])
    records.append(["Sources"])
    records.append(["ref", "id", "title", "publisher", "url", "as_of", "kind"])
    records.extend([[s.ref, s.id, s.title, s.publisher, s.url, s.as_of, s.kind] for s in report.sources])
    width = max(len(r) for r in records)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for r in records:
        cells = [_csv_cell(v) for v in r]
        writer.writerow(cells + [""] * (width - len(cells)))
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def _csv_cell(v: Any) -> Any:
    """CSV cell: text neutralised; numbers written as numbers (a negative number stays -0.25)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return neutralise(v)
    if isinstance(v, bool):
        return as_text(v)
    if isinstance(v, float):
        return as_text(v)
    return v
