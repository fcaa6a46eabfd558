"""PDF writer (fpdf2, imported when used): a print-ready A4 brief of one or two pages with DejaVu
Sans embedded (tracker/assets/fonts, licence beside it), so non-ASCII names print anywhere."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from tracker.export.render.cells import as_text, chart_value, display_rows, paragraphs
from tracker.export.report import Chart, Report, Section, join_ids

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"


@cache
def _font_cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(FONT_DIR / "DejaVuSans.ttf"), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _pdf_text(text: Any) -> str:
    """Text the embedded font can print: tabs/newlines become spaces, unknown glyphs '?'."""
    cmap = _font_cmap()
    s = re.sub(r"[\t\r\n]+", " ", as_text(text) if not isinstance(text, str) else text)
    return "".join(ch if ord(ch) in cmap or ch == " " else "?" for ch in s)


PDF_ROW_LIMITS = (14, 10, 7, 5, 3)
PDF_MAX_COLUMNS = 8
PDF_CELL_CHARS = 120  # longer cells are cut in the PDF (the other formats keep the full text)
PDF_ROW_BUDGET = 60  # first guess: table rows the two pages hold, shared between the tables


def to_pdf(report: Report) -> bytes:
    """A print-ready A4 brief of one or two pages: title, dates, chart, tables (long ones cut, with a
    pointer to the full export), method, numbered sources. Tables shrink until it fits two pages."""
    tables = sum(1 for s in report.sections if s.table is not None and len(s.table))
    start = next((i for i, n in enumerate(PDF_ROW_LIMITS) if n * tables <= PDF_ROW_BUDGET), len(PDF_ROW_LIMITS) - 1)
    for i, limit in enumerate(PDF_ROW_LIMITS[start:], start=start):
        pdf = _layout_pdf(report, limit)  # layout is cheaper than embedding the font (output)
        if pdf.pages_count <= 2 or i == len(PDF_ROW_LIMITS) - 1:
            break
        _close_fonts(pdf)
    try:
        return bytes(pdf.output())
    finally:
        _close_fonts(pdf)


def _close_fonts(pdf) -> None:
    """fpdf2 keeps each TrueType file open (fontTools, lazy); close them deterministically."""
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def _layout_pdf(report: Report, row_limit: int):
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    version = report.catalogue_version

    class _PDF(FPDF):
        def footer(self):
            self.set_y(-11)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(110)
            self.cell(
                0,
                5,
                _pdf_text(
                    f"Cyber Norms Alignment Tracker · catalogue {version} · generated "
                    f"{report.generated} · page {self.page_no()}/{{nb}}"
                ),
                align="C",
            )
            self.set_text_color(0)

    pdf = _PDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_pdf_text(report.title))
    pdf.set_creator("Cyber Norms Alignment Tracker")
    pdf.set_creation_date(datetime.fromisoformat(report.generated).replace(tzinfo=UTC))
    pdf.add_page()
    epw = pdf.epw
    refs = report.source_refs()
    cited: list[int] = []

    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(epw, 7, _pdf_text(report.title), new_x="LMARGIN", new_y="NEXT", align="L")
    if report.subtitle:
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(epw, 5, _pdf_text(report.subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 8)
    pdf.set_text_color(70)
    pdf.multi_cell(
        epw,
        4.5,
        _pdf_text(f"Date: {report.generated}   ·   Data as of: {report.as_of}   ·   Catalogue version: {version}"),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.set_text_color(0)
    pdf.set_draw_color(40, 90, 160)
    pdf.set_line_width(0.4)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + epw, pdf.get_y() + 1)
    pdf.ln(3)

    body = list(report.sections)
    # an overview text comes first, then the chart, then the rest
    while body and body[0].table is None and body[0].text:
        _pdf_section_text(pdf, body.pop(0), epw)
    if report.chart is not None and report.chart.labels:
        _pdf_chart(pdf, report.chart, epw)
    for s in body:
        if pdf.will_page_break(18):
            pdf.add_page()
        pdf.set_font("DejaVu", "B", 10.5)
        pdf.set_text_color(40, 90, 160)
        pdf.multi_cell(epw, 5.5, _pdf_text(s.title), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(0)
        for para in paragraphs(s.text):
            pdf.set_font("DejaVu", "", 8.5)
            pdf.multi_cell(epw, 4.2, _pdf_text(para), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(1)
        if s.table is not None:
            _pdf_table(pdf, s, row_limit, refs, cited, epw, FontFace)
        if s.notes:
            pdf.set_font("DejaVu", "", 7)
            pdf.set_text_color(90)
            pdf.multi_cell(epw, 3.6, _pdf_text(s.notes), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.set_text_color(0)
        pdf.ln(2)

    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(epw, 5, "Method", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 7)
    pdf.multi_cell(epw, 3.5, _pdf_text(report.method), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1.5)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(epw, 5, "Sources", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 6.8)
    in_tables = {
        sid
        for s in report.sections
        if s.table is not None and "source_id" in s.table.columns
        for sid in join_ids(s.table["source_id"]).split(";")
    }
    shown = [s for s in report.sources if s.ref in set(cited) or s.id not in in_tables]
    shown = shown[: max(row_limit * 2, 6)]
    for src in shown:
        parts = [src.title or src.id, src.publisher, src.url]
        when = f" (as of {src.as_of})" if src.as_of else ""
        pdf.multi_cell(
            epw,
            3.3,
            _pdf_text(f"[{src.ref}] " + ". ".join(p for p in parts if p) + when),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    if len(shown) < len(report.sources):
        pdf.set_text_color(90)
        pdf.multi_cell(
            epw,
            3.3,
            _pdf_text(
                f"{len(report.sources)} sources in all; the complete numbered list is "
                "in the XLSX, JSON, CSV and Markdown exports."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
        pdf.set_text_color(0)
    if not report.sources:
        pdf.multi_cell(
            epw,
            3.3,
            "No catalogue sources are cited by this export.",
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    return pdf


def _pdf_section_text(pdf, s: Section, epw: float) -> None:
    pdf.set_font("DejaVu", "", 9)
    for para in paragraphs(s.text):
        pdf.multi_cell(epw, 4.5, _pdf_text(para), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    pdf.ln(1)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(pdf, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _pdf_chart(pdf, chart: Chart, epw: float) -> None:
    bars = list(zip(chart.labels, chart.values, chart.highlight or [False] * len(chart.labels), strict=True))[:10]
    h = 4.4
    if pdf.will_page_break(8 + h * len(bars)):
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(epw, 5, _pdf_text(chart.title), new_x="LMARGIN", new_y="NEXT", align="L")
    label_w, val_w = 62, 16
    bar_w = epw - label_w - val_w - 4
    top = chart.max_value or max([v for _, v, _ in bars] + [0]) or 1
    pdf.set_font("DejaVu", "", 7.5)
    for label, value, hl in bars:
        y, x = pdf.get_y(), pdf.l_margin
        pdf.set_xy(x, y)
        pdf.cell(label_w, h, _fit(pdf, _pdf_text(label), label_w - 1), align="R")
        pdf.set_draw_color(200)
        pdf.set_line_width(0.2)
        pdf.rect(x + label_w + 1, y + 0.7, bar_w, h - 1.4, style="D")
        width = bar_w * max(0.0, min(float(value) / top, 1.0))
        if width > 0:
            pdf.set_fill_color(*((200, 90, 50) if hl else (40, 90, 160)))
            pdf.rect(x + label_w + 1, y + 0.7, width, h - 1.4, style="F")
        pdf.set_fill_color(255)
        pdf.set_xy(x + label_w + bar_w + 3, y)
        pdf.cell(val_w, h, chart_value(float(value), chart.value_format))
        pdf.set_y(y + h)
    if chart.note:
        pdf.set_font("DejaVu", "", 7)
        pdf.set_text_color(90)
        pdf.multi_cell(epw, 3.6, _pdf_text(chart.note), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(0)
    pdf.ln(2)


def _pdf_table(pdf, s: Section, row_limit: int, refs: dict[str, int], cited: list[int], epw: float, FontFace) -> None:
    table = s.table
    if len(table) == 0:
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(epw, 4.5, "None.", new_x="LMARGIN", new_y="NEXT", align="L")
        return
    cols = [c for c in (s.compact or tuple(table.columns)) if c in table.columns][:PDF_MAX_COLUMNS]
    hidden_cols = len(table.columns) - len(cols)
    shown = table[cols].head(row_limit)
    for v in shown.get("source_id", []):
        for sid in join_ids([v]).split(";"):
            if sid in refs and refs[sid] not in cited:
                cited.append(refs[sid])
    head = [_pdf_text(s.label(c)) for c in cols]
    body = [[_pdf_text(_cut(x, PDF_CELL_CHARS)) for x in row] for row in display_rows(s, shown, refs)]
    pdf.set_font("DejaVu", "", 7)
    lengths = [
        min(max([pdf.get_string_width(head[j]) + 2] + [pdf.get_string_width(r[j]) + 2 for r in body]), 70)
        for j in range(len(cols))
    ]
    total = sum(lengths) or 1
    widths = [max(w / total, 0.05) for w in lengths]
    with pdf.table(
        col_widths=tuple(widths),
        width=epw,
        text_align="LEFT",
        line_height=3.4,
        headings_style=FontFace(emphasis="BOLD", fill_color=(221, 229, 240)),
        borders_layout="HORIZONTAL_LINES",
        padding=0.6,
        cell_fill_mode="ROWS",
        cell_fill_color=(245, 247, 250),
    ) as t:
        r = t.row()
        for h in head:
            r.cell(h)
        for cells in body:
            r = t.row()
            for c in cells:
                r.cell(c)
    if len(table) > len(shown) or hidden_cols:
        more = []
        if len(table) > len(shown):
            more.append(f"first {len(shown)} of {len(table)} rows")
        if hidden_cols:
            more.append(f"{len(cols)} of {len(table.columns)} columns")
        pdf.set_font("DejaVu", "", 7)
        pdf.set_text_color(90)
        pdf.multi_cell(
            epw,
            3.6,
            _pdf_text(f"Showing {' and '.join(more)}; the full table is in the XLSX/CSV/JSON export."),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
        pdf.set_text_color(0)
