"""Export speed on the bundled catalogue: build each report, then render it in every format.

Prints a table (median of --repeat runs, seconds; output size) and replaces the "Exports"
section of benchmarks/RESULTS.md (via benchmarks/bench_results.py).
Run: `python benchmarks/export_bench.py [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench_results import write_section

from tracker import export as ex
from tracker.catalogue import load_catalogue
from tracker.errors import InvalidInput

CASES = {
    "bloc summary: EU (27 members)": lambda cat: ex.bloc_summary(cat, group_id="eu"),
    "bloc summary: G77 (135 members)": lambda cat: ex.bloc_summary(cat, group_id="g77"),
    "country brief: Türkiye vs EU": lambda cat: ex.country_brief(cat, "TUR", bloc="eu"),
    "country brief: India + predicted vote": lambda cat: ex.country_brief(cat, "IND", resolution="A/RES/74/247"),
    "comparison: USA/CHN/IND/BRA": lambda cat: ex.comparison(cat, ["USA", "CHN", "IND", "BRA"]),
    "raw: adoptions": lambda cat: ex.adoptions_table(cat),
    "raw: cyber votes": lambda cat: ex.votes_table(cat),
    "raw: alignment, all pairs": lambda cat: ex.alignment_table(cat),
}


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cat = load_catalogue()
    header = ["report", "build s", *[f"{f} s" for f in ex.FORMATS], "pdf pages", "xlsx KB", "pdf KB"]
    rows = []
    for name, build in CASES.items():
        t_build, report = timed(lambda b=build: b(cat), args.repeat)
        cells = [name, f"{t_build:.2f}"]
        sizes = {}
        for fmt in ex.FORMATS:
            try:
                t, data = timed(lambda f=fmt, r=report: ex.render(r, f), args.repeat)
            except InvalidInput:  # a PDF (and so a pack) over the printable row limit is refused
                cells.append("refused")
                continue
            sizes[fmt] = data
            cells.append(f"{t:.2f}")
        from io import BytesIO

        from pypdf import PdfReader

        pdf = sizes.get("pdf")
        cells += [
            str(len(PdfReader(BytesIO(pdf)).pages)) if pdf else "-",
            f"{len(sizes['xlsx']) / 1024:.0f}",
            f"{len(pdf) / 1024:.0f}" if pdf else "-",
        ]
        rows.append(cells)
        print(" | ".join(cells), flush=True)
    table = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    table += ["| " + " | ".join(r) + " |" for r in rows]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    body = "\n".join(
        [
            f"Load average {load:.1f} at the end (other work was running); catalogue {cat.version}; median of "
            f"{args.repeat} runs. Build = catalogue -> Report; each format = Report -> bytes. Builds include the "
            "analytics sections (a bloc summary's swing states dominate its time). The PDF carries every table in "
            "full (a title page, tables continued over pages, an annex for wide tables) and embeds the font "
            "subset; a report over tracker.export.render.pdf.PDF_MAX_ROWS table rows is refused as a PDF and "
            'so as a pack ("refused"): on 2026-12-04, before the limit, the all-pairs alignment table took '
            "86 s and 902 pages.",
            "",
            *table,
        ]
    )
    write_section("Exports", body)
    print("\n".join(table))


if __name__ == "__main__":
    main()
