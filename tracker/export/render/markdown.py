"""Markdown writer: title, provenance list, sections with pipe tables, a text bar chart, numbered
sources. Text is carried unmodified (pipes and line breaks escaped inside tables)."""

from __future__ import annotations

from tracker.export.render.cells import chart_value, display_rows, paragraphs
from tracker.export.report import Chart, Report


def _md_cell(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r\n", " ")
        .replace("\n", " ")
        .replace("\r", " ")
        .replace("\t", " ")
    )


def to_markdown(report: Report) -> bytes:
    """Markdown: title, provenance list, sections with pipe tables, numbered sources."""
    refs = report.source_refs()
    lines = [f"# {report.title}", ""]
    if report.subtitle:
        lines += [f"_{report.subtitle}_", ""]
    lines += [
        f"- **As of:** {report.as_of}",
        f"- **Generated:** {report.generated}",
        f"- **Catalogue version:** {report.catalogue_version}",
        f"- **Method:** {report.method}",
        "",
    ]
    lead = 0
    while lead < len(report.sections) and report.sections[lead].table is None:
        lead += 1
    for i, s in enumerate(report.sections):
        if i == lead:
            lines += _md_chart(report.chart)
        lines += [f"## {s.title}", ""]
        for para in paragraphs(s.text):
            lines += [para, ""]
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
            lines += [f"_{s.notes}_", ""]
    if lead >= len(report.sections):
        lines += _md_chart(report.chart)
    lines += ["## Sources", ""]
    if not report.sources:
        lines += ["_No catalogue sources are cited by this export._", ""]
    for src in report.sources:
        title = _md_cell(src.title or src.id)
        link = (
            f"[{title}]({src.url.replace(' ', '%20').replace(')', '%29')})"
            if src.url.startswith(("http://", "https://"))
            else title
        )
        extra = ", ".join(x for x in (src.publisher, f"as of {src.as_of}" if src.as_of else "") if x)
        lines.append(f"{src.ref}. {link}{', ' + _md_cell(extra) if extra else ''} (`{src.id}`)")
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _md_chart(c: Chart | None) -> list[str]:
    if c is None:
        return []
    lines = [f"**{_md_cell(c.title)}**", "", "| | | |", "|---|---|---|"]
    top = c.max_value or max([*c.values, 0]) or 1
    hl = c.highlight or [False] * len(c.labels)
    for lab, v, h in zip(c.labels, c.values, hl, strict=True):
        bar = "█" * round(20 * max(0.0, min(v / top, 1.0)))
        lines.append(f"| {_md_cell(lab)}{' ★' if h else ''} | `{bar:<20}` | {chart_value(v, c.value_format)} |")
    if c.note:
        lines += ["", f"_{c.note}_"]
    return [*lines, ""]
