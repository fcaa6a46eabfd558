"""Exports for a briefing pack: bloc summaries, country briefs, comparisons and raw tables -> bytes.

Two layers, so the CLI, the app's pages and its download buttons share one code path:

1. **Builders** turn a :class:`~tracker.catalogue.Catalogue` into a neutral :class:`Report`
   (``report.py``: title, subtitle, as-of date, method, catalogue version, sections of text
   and/or a table, an optional bar chart, numbered sources): :func:`bloc_summary` (``bloc.py``),
   :func:`country_brief` (``brief.py``), :func:`comparison` (``compare.py``), and the raw tables
   :func:`adoptions_table`, :func:`alignment_table`, :func:`votes_table` (``tables.py``). A bloc
   with no members, a party with no data or a filter that matches nothing raises
   :class:`NoDataError` (a ``ValueError``) with a one-line reason: no format ever gets an empty
   file. Who belongs to a group on a date, the cyber resolutions, the bloc majority (a tie is
   "tie") and labels come from ``tracker.catalogue.scope``; dates from ``tracker.dates``.
2. **Writers** (``render/``) turn a Report into bytes, one module per format: :func:`to_csv`,
   :func:`to_xlsx`, :func:`to_json`, :func:`to_markdown`, :func:`to_pdf`, and ``pack`` (a ZIP of
   the PDF, XLSX and JSON of the same report, ``render/pack.py``); :func:`render` dispatches
   on a format name, :func:`filename` names a file by what is inside and :data:`MEDIA_TYPES`
   gives MIME types for downloads. The CSV layout and the JSON shape are documented in
   ``render/csv.py`` and ``render/json.py``.

Every export carries the as-of date, the method and the catalogue version (``cat.version``),
plus the date it was generated. Text is UTF-8 everywhere (CSV with a byte-order mark so that
spreadsheet programs read "Côte d'Ivoire" correctly); the PDF embeds DejaVu Sans
(``tracker/assets/fonts``, licence beside it) so non-ASCII names print on any machine.

Importing this package is cheap: the analytics (scipy, networkx), openpyxl and fpdf2 are
imported by the builders and writers that use them, when they run.
"""

from tracker.export.bloc import SWING_ROWS, bloc_summary
from tracker.export.brief import PARTNERS_N, country_brief
from tracker.export.compare import comparison
from tracker.export.render import (
    BINARY_FORMATS,
    EXTENSIONS,
    FORMAT_NOTES,
    FORMATS,
    MEDIA_TYPES,
    WRITERS,
    filename,
    render,
)
from tracker.export.render.cells import neutralise
from tracker.export.render.csv import to_csv
from tracker.export.render.json import SCHEMA, to_json
from tracker.export.render.markdown import to_markdown
from tracker.export.render.pdf import to_pdf
from tracker.export.render.xlsx import to_xlsx
from tracker.export.report import Chart, ExportError, NoDataError, Report, Section, Source
from tracker.export.tables import adoptions_table, alignment_table, votes_table

BUILDERS = {
    "brief": country_brief,
    "bloc": bloc_summary,
    "compare": comparison,
    "adoptions": adoptions_table,
    "votes": votes_table,
    "alignment": alignment_table,
}

__all__ = [
    "BINARY_FORMATS",
    "BUILDERS",
    "EXTENSIONS",
    "FORMATS",
    "FORMAT_NOTES",
    "MEDIA_TYPES",
    "PARTNERS_N",
    "SCHEMA",
    "SWING_ROWS",
    "WRITERS",
    "Chart",
    "ExportError",
    "NoDataError",
    "Report",
    "Section",
    "Source",
    "adoptions_table",
    "alignment_table",
    "bloc_summary",
    "comparison",
    "country_brief",
    "filename",
    "neutralise",
    "render",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_pdf",
    "to_xlsx",
    "votes_table",
]
