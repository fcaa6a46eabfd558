"""The data quality report: per instrument counts by status, as-of dates, sources; global checks."""

from __future__ import annotations

from pathlib import Path

from tracker.catalogue import Catalogue, load_catalogue


def quality_report(source: Catalogue | Path | str | None = None) -> str:
    """The report for a loaded catalogue, or for the catalogue folder at ``source``."""
    cat = source if isinstance(source, Catalogue) else load_catalogue(source)
    status = cat.status()
    lines = [
        f"Catalogue {cat.version}: {len(cat.instruments)} instruments, {len(cat.parties)} parties, "
        f"{len(cat.adoptions)} adoption rows, {len(cat.resolutions)} resolutions, {len(cat.votes)} votes"
    ]
    counts = status.groupby(["instrument_id", "status"]).size().unstack(fill_value=0)
    coverage = cat.coverage()
    for inst in cat.instruments.itertuples():
        if inst.id in counts.index:
            by_status = ", ".join(f"{s} {n}" for s, n in counts.loc[inst.id].items() if n)
        else:
            by_status = "no adoption data"
        newest = coverage.loc[inst.id, "sources_as_of"] or "-"
        lines.append(f"  {inst.id}: {by_status} (as of {inst.as_of}; sources as of {newest})")
    un = cat.parties[cat.parties["un_member"]]
    lines.append(f"UN member states: {len(un)} (expected 193)")
    return "\n".join(lines)
