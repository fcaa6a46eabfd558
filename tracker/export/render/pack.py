"""Briefing pack: one ZIP holding the PDF, the XLSX and the JSON of the same report, each named by
what is inside (``bloc-summary-eu-2026-12-04.pdf``), for a briefing pack in one download."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime

from tracker.export.report import Report

PACK_FORMATS = ("pdf", "xlsx", "json")


def to_pack(
    report: Report, *, writers: dict[str, Callable[[Report], bytes]], name: Callable[[Report, str], str]
) -> bytes:
    """A ZIP of the report as ``PACK_FORMATS``; ``writers`` and ``name`` come from tracker.export.render
    (passed in, so this module does not import its own package)."""
    stamp = datetime.fromisoformat(report.generated).timetuple()[:6]  # the same report, the same bytes
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for fmt in PACK_FORMATS:
            info = zipfile.ZipInfo(name(report, fmt), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, writers[fmt](report))
    return buf.getvalue()
