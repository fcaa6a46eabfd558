"""PDF writer (fpdf2, imported when used): a print-ready A4 briefing document with DejaVu Sans
embedded (tracker/assets/fonts, licence beside it), so non-ASCII names print anywhere; Arabic and
Hebrew are shaped and laid out right to left by HarfBuzz (uharfbuzz) when a report holds them."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from tracker.errors import InvalidInput
from tracker.export.render.cells import as_text, chart_value, display_rows, paragraphs, param_text
from tracker.export.report import Chart, Report, Section

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


PDF_WIDE = 7  # a table with more columns than this is shown in full in the landscape annex


def needs_shaping(text: str) -> bool:
    """Right-to-left scripts (Arabic, Hebrew, ...) and combining marks need a shaping engine: letters
    join, marks attach, and the line is laid out right to left (Unicode bidi)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") or unicodedata.combining(ch) for ch in text)


def shaping_available() -> bool:
    """fpdf2 shapes text with HarfBuzz (the uharfbuzz package, a dependency of the tracker)."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


NO_SHAPING_NOTE = (
    "This PDF cannot show Arabic, Hebrew and other right-to-left text correctly (the text-shaping "
    "library uharfbuzz is not installed): such names are printed letter by letter, left to right. "
    "The XLSX, JSON, CSV and Markdown exports carry them correctly."
)


# fpdf2 lays out ~200 table rows a second here: the all-pairs alignment table (19,878 rows) took 86 s
# and 902 pages (benchmarks/RESULTS.md, Exports). No briefing report comes near this limit (G77 bloc
# summary: 21 pages); the raw adoptions and votes tables stay printable.
PDF_MAX_ROWS = 6000


def to_pdf(report: Report) -> bytes:
    """A print-ready A4 briefing document: a title page (subject, dates, catalogue version, analysis
    configuration), the overview, chart and every table in full (all rows, continued over pages with
    the header repeated), an annex with all columns of the wide tables, and the numbered sources."""
    rows = sum(len(s.table) for s in report.sections if s.table is not None)
    if rows > PDF_MAX_ROWS:
        raise InvalidInput(
            f"{report.title}: {rows:,} table rows (roughly {rows // 20:,} A4 pages) is too long to print; "
            f"a PDF takes at most {PDF_MAX_ROWS:,}. Export it as csv, xlsx or json, or narrow it (e.g. --party)"
        )
    pdf = _layout_pdf(report)  # layout is cheaper than embedding the font (output)
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


def _report_text(report: Report) -> str:
    parts = [report.title, report.subtitle]
    for s in report.sections:
        parts += [s.title, s.text, s.notes]
        if s.table is not None:
            parts += [str(v) for v in s.table.to_numpy().ravel() if isinstance(v, str)]
    parts += [x for src in report.sources for x in (src.title, src.publisher)]
    return " ".join(p for p in parts if p)


def _layout_pdf(report: Report):
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
                    f"Cyber Norms Alignment Tracker · {report.subject} · catalogue {version} · generated "
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
    rtl = needs_shaping(_report_text(report))
    shaped = rtl and shaping_available()
    if shaped:
        pdf.set_text_shaping(True)  # joined Arabic letters, right-to-left lines in reading order
    pdf.set_title(_pdf_text(report.title))
    pdf.set_creator("Cyber Norms Alignment Tracker")
    pdf.set_creation_date(datetime.fromisoformat(report.generated).replace(tzinfo=UTC))
    refs = report.source_refs()

    _title_page(pdf, report, FontFace, note=NO_SHAPING_NOTE if rtl and not shaped else "")
    pdf.add_page()
    epw = pdf.epw
    body = list(report.sections)
    # an overview text comes first, then the chart, then the rest
    while body and body[0].table is None and body[0].text:
        _pdf_heading(pdf, body[0].title, epw)
        _pdf_section_text(pdf, body.pop(0), epw)
    if report.chart is not None and report.chart.labels:
        _pdf_chart(pdf, report.chart, epw)
    annex: list[Section] = []
    for s in body:
        if pdf.will_page_break(18):
            pdf.add_page()
        _pdf_heading(pdf, s.title, epw)
        for para in paragraphs(s.text):
            pdf.set_font("DejaVu", "", 8.5)
            pdf.multi_cell(epw, 4.2, _pdf_text(para), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(1)
        if s.table is not None:
            cols = _body_columns(s)
            _pdf_table(pdf, s, cols, refs, epw, FontFace)
            if len(cols) < len(s.table.columns) and len(s.table):
                annex.append(s)
                _pdf_note(pdf, f"All {len(s.table.columns)} columns of this table: Annex {len(annex)}.", epw)
        if s.notes:
            _pdf_note(pdf, s.notes, epw)
        pdf.ln(2)

    for i, s in enumerate(annex, start=1):  # the wide tables in full, on landscape pages
        pdf.add_page(orientation="L")
        _pdf_heading(pdf, f"Annex {i}: {s.title} (all columns)", pdf.epw)
        _pdf_table(pdf, s, list(s.table.columns) if s.table is not None else [], refs, pdf.epw, FontFace)
    if annex:
        pdf.add_page(orientation="P")
    _pdf_sources(pdf, report, pdf.epw)
    return pdf


def _title_page(pdf, report: Report, FontFace, *, note: str) -> None:
    """Page 1: what the document is about, when, from which catalogue, and how it was computed."""
    pdf.add_page()
    epw = pdf.epw
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(90)
    pdf.cell(epw, 6, "Cyber Norms Alignment Tracker · briefing document", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(18)
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(epw, 9, _pdf_text(report.title), new_x="LMARGIN", new_y="NEXT", align="L")
    if report.subtitle:
        pdf.ln(2)
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(epw, 6, _pdf_text(report.subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_draw_color(40, 90, 160)
    pdf.set_line_width(0.5)
    pdf.ln(4)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + epw, pdf.get_y())
    pdf.ln(6)
    rows = [
        ("Subject", report.subject),
        ("Date", report.generated),
        ("Data as of", report.as_of),
        ("Catalogue version", report.catalogue_version),
    ]
    rows += [(f"Parameter: {k}", param_text(v)) for k, v in report.parameters.items() if param_text(v)]
    rows.append(("Analysis configuration", report.method))
    pdf.set_font("DejaVu", "", 8.5)
    with pdf.table(
        col_widths=(0.24, 0.76),
        width=epw,
        text_align="LEFT",
        line_height=4.2,
        first_row_as_headings=False,
        borders_layout="HORIZONTAL_LINES",
        padding=1,
    ) as t:
        for key, value in rows:
            r = t.row()
            r.cell(_pdf_text(key), style=FontFace(emphasis="BOLD"))
            r.cell(_pdf_text(value))
    if note:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 9)
        pdf.set_text_color(180, 60, 20)
        pdf.multi_cell(epw, 4.5, _pdf_text(note), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(0)


def _pdf_heading(pdf, title: str, epw: float) -> None:
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.set_text_color(40, 90, 160)
    pdf.multi_cell(epw, 5.5, _pdf_text(title), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0)


def _pdf_note(pdf, text: str, epw: float) -> None:
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(90)
    pdf.multi_cell(epw, 3.6, _pdf_text(text), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0)


def _pdf_sources(pdf, report: Report, epw: float) -> None:
    if pdf.will_page_break(20):
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(epw, 5, "Sources", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 6.8)
    for src in report.sources:
        parts = [src.label(), src.publisher, src.url]
        when = f" (as of {src.as_of})" if src.as_of else ""
        pdf.multi_cell(
            epw,
            3.3,
            _pdf_text(f"[{src.ref}] " + ". ".join(p for p in parts if p) + when),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    if any(src.secondary for src in report.sources):
        _pdf_note(
            pdf, "(secondary): a reference work, press report or other secondary source, not the primary record.", epw
        )
    if not report.sources:
        pdf.multi_cell(
            epw,
            3.3,
            "No catalogue sources are cited by this export.",
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )


def _body_columns(s: Section) -> list[str]:
    """The columns the body shows: all of a narrow table, the compact ones of a wide table."""
    table = s.table
    assert table is not None
    if len(table.columns) <= PDF_WIDE or not s.compact:
        return list(table.columns)
    return [c for c in s.compact if c in table.columns]


def _pdf_section_text(pdf, s: Section, epw: float) -> None:
    pdf.set_font("DejaVu", "", 9)
    for para in paragraphs(s.text):
        pdf.multi_cell(epw, 4.5, _pdf_text(para), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    pdf.ln(1)


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


def _pdf_table(pdf, s: Section, cols: list[str], refs: dict[str, int], epw: float, FontFace) -> None:
    """Every row of the table (fpdf2 continues it over pages and repeats the header row)."""
    table = s.table
    assert table is not None
    if len(table) == 0:
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(epw, 4.5, "None.", new_x="LMARGIN", new_y="NEXT", align="L")
        return
    head = [_pdf_text(s.label(c)) for c in cols]
    body = [[_pdf_text(x) for x in row] for row in display_rows(s, table[cols], refs)]
    size = 7 if len(cols) <= 8 else 6.3
    pdf.set_font("DejaVu", "", size)
    lengths = [
        min(max([pdf.get_string_width(head[j]) + 2] + [pdf.get_string_width(r[j]) + 2 for r in body[:400]]), 70)
        for j in range(len(cols))
    ]
    total = sum(lengths) or 1
    widths = [max(w / total, 0.04) for w in lengths]
    with pdf.table(
        col_widths=tuple(widths),
        width=epw,
        text_align="LEFT",
        line_height=size * 0.48,
        headings_style=FontFace(emphasis="BOLD", fill_color=(221, 229, 240)),
        borders_layout="HORIZONTAL_LINES",
        padding=0.6,
        cell_fill_mode="ROWS",
        cell_fill_color=(245, 247, 250),
        repeat_headings=1,
    ) as t:
        r = t.row()
        for h in head:
            r.cell(h)
        for cells in body:
            r = t.row()
            for c in cells:
                r.cell(c)
