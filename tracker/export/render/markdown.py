"""Markdown writer: title, provenance list, sections with pipe tables, a text bar chart, numbered
sources. Names and catalogue text are escaped, so a name never becomes raw HTML, an image, a link
or emphasis in a reader's viewer; the only links are the sources' own catalogue URLs."""

from __future__ import annotations

import re
from urllib.parse import quote

from tracker.export.render.cells import chart_value, display_rows, paragraphs
from tracker.export.report import Chart, Report

# Markdown syntax that could pull in HTML, an image or a link, or change how text reads; a
# backslash before an ASCII punctuation character shows it literally (CommonMark).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>!|#~])")


def _md_text(text: str) -> str:
    """Text shown literally: markdown and HTML syntax escaped, line breaks and tabs as spaces."""
    flat = str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return _MD_SPECIAL.sub(r"\\\1", flat)


_md_cell = _md_text  # table cells need the same, "|" included


def _md_url(url: str) -> str | None:
    """A source URL as a link target (http/https only; characters that could end it percent-encoded)."""
    if not url.startswith(("http://", "https://")):
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


def to_markdown(report: Report) -> bytes:
    """Markdown: title, provenance list, sections with pipe tables, numbered sources."""
    refs = report.source_refs()
    lines = [f"# {_md_text(report.title)}", ""]
    if report.subtitle:
        lines += [f"_{_md_text(report.subtitle)}_", ""]
    lines += [
        f"- **As of:** {_md_text(report.as_of)}",
        f"- **Generated:** {_md_text(report.generated)}",
        f"- **Catalogue version:** {_md_text(report.catalogue_version)}",
        f"- **Method:** {_md_text(report.method)}",
        "",
    ]
    lead = 0
    while lead < len(report.sections) and report.sections[lead].table is None:
        lead += 1
    for i, s in enumerate(report.sections):
        if i == lead:
            lines += _md_chart(report.chart)
        lines += [f"## {_md_text(s.title)}", ""]
        for para in paragraphs(s.text):
            lines += [_md_text(para), ""]
        if s.table is not None:
            if len(s.table) == 0:
                lines += ["_None._", ""]
            else:
                cols = list(s.table.columns)
                lines.append("| " + " | ".join(_md_cell(s.label(c)) for c in cols) + " |")
                lines.append("|" + "|".join("---" for _ in cols) + "|")
                for cells in display_rows(s, s.table, refs):
                    lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
                lines.append("")
        if s.notes:
            lines += [f"_{_md_text(s.notes)}_", ""]
    if lead >= len(report.sections):
        lines += _md_chart(report.chart)
    lines += ["## Sources", ""]
    if not report.sources:
        lines += ["_No catalogue sources are cited by this export._", ""]
    for src in report.sources:
        title = _md_text(src.title or src.id)
        url = _md_url(src.url)
        link = f"[{title}]({url})" if url else title
        extra = ", ".join(x for x in (src.publisher, f"as of {src.as_of}" if src.as_of else "") if x)
        marker = " (secondary)" if src.secondary else ""
        lines.append(f"{src.ref}. {link}{marker}{', ' + _md_text(extra) if extra else ''} ({_md_text(src.id)})")
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _md_chart(c: Chart | None) -> list[str]:
    if c is None:
        return []
    lines = [f"**{_md_text(c.title)}**", "", "| | | |", "|---|---|---|"]
    top = c.max_value or max([*c.values, 0]) or 1
    hl = c.highlight or [False] * len(c.labels)
    for lab, v, h in zip(c.labels, c.values, hl, strict=True):
        bar = "█" * round(20 * max(0.0, min(v / top, 1.0)))
        lines.append(f"| {_md_cell(lab)}{' ★' if h else ''} | `{bar:<20}` | {chart_value(v, c.value_format)} |")
    if c.note:
        lines += ["", f"_{_md_text(c.note)}_"]
    return [*lines, ""]
