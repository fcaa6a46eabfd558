"""App speed and memory in a real browser (Debian's chromium via Playwright), against DESIGN.md budgets.

Measures, on the real server (`streamlit run app.py` on 127.0.0.1):
- first page after start: from spawning the server process until the overview is fully drawn
  (title shown, Streamlit's script state "notRunning", the map's canvas drawn), with the
  catalogue already in the database (the normal start), best and median of N restarts;
- first start ever (empty database: the catalogue is loaded into SQLite first), once;
- page switch: click a sidebar link until the new page's title is shown and the script has
  finished; first visit in a session (its caches cold) and repeat visits (caches warm);
- process RSS of the server after every page has been visited (VmRSS of the process and children).

Prints a table and replaces the "App" section of benchmarks/RESULTS.md.
Usage: python benchmarks/app_bench.py [--restarts 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser_support import (  # noqa: E402
    DONE,
    chromium,
    remote,
    rss_mb,
    streamlit_server,
    wait_until_done,
    watch_requests,
)

BUDGET = {"first page": 6.0, "page switch": 1.0, "rss": 600.0}  # DESIGN.md section 7
NAV = [
    ("Catalogue", "Catalogue"),
    ("Country profile", None),
    ("Compare", "Compare"),
    ("Blocs", "Blocs and predicted votes"),
    ("Gaps", "Gaps"),
    ("Sources and data quality", "Sources and data quality"),
    ("Overview", "Cyber Norms Alignment Tracker"),
]


def first_page(db_url: str, browser) -> tuple[float, float]:
    """Seconds from spawning the server to a fully drawn overview; and from healthy to drawn."""
    with streamlit_server(db_url, timeout=300) as (base, _proc, started):
        healthy = time.perf_counter()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base)
        wait_until_done(page, charts=True, timeout_ms=300_000)
        done = time.perf_counter()
        page.close()
    return done - started, done - healthy


def switch_to(page, link: str, title: str | None) -> float:
    start = time.perf_counter()
    page.get_by_role("link", name=link, exact=True).click()
    js = (
        "([done, title]) => !!document.querySelector(done) && !!document.querySelector('h1') && "
        "(title === null || document.querySelector('h1').innerText.trim() === title)"
    )
    page.wait_for_function(js, arg=[DONE, title], timeout=120_000)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--restarts", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="app-bench-"))
    db_url = f"sqlite:///{tmp / 'tracker.db'}"
    rows: list[tuple[str, str, str, str]] = []
    with chromium() as browser:
        cold_total, cold_after_healthy = first_page(db_url, browser)  # empty database: loads the catalogue
        warm = [first_page(db_url, browser) for _ in range(args.restarts)]
        warm_total = [w[0] for w in warm]
        warm_healthy = [w[1] for w in warm]

        with streamlit_server(db_url, timeout=300) as (base, proc, _started):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            requests = watch_requests(page)
            page.goto(f"{base}/?parties=USA")
            wait_until_done(page, charts=True)
            first_visit: dict[str, float] = {}
            repeat: dict[str, list[float]] = {}
            for rnd in range(args.rounds + 1):
                for link, title in NAV:
                    seconds = switch_to(page, link, title or "United States")
                    if rnd == 0:
                        first_visit[link] = seconds
                    else:
                        repeat.setdefault(link, []).append(seconds)
            rss = rss_mb(proc.pid)
            errors = page.locator('[data-testid="stException"]').count()
            page.close()
    outside = remote(requests)

    def fmt(x: float) -> str:
        return f"{x:.2f}"

    rows.append(
        (
            "first page after start (catalogue already loaded)",
            f"best {fmt(min(warm_total))} s, median {fmt(statistics.median(warm_total))} s "
            f"(from healthy: median {fmt(statistics.median(warm_healthy))} s), {args.restarts} restarts",
            f"<= {BUDGET['first page']} s",
            "yes" if statistics.median(warm_total) <= BUDGET["first page"] else "no",
        )
    )
    rows.append(
        (
            "first start ever (empty database, loads the catalogue)",
            f"{fmt(cold_total)} s (from healthy {fmt(cold_after_healthy)} s)",
            "(load <= 15 s)",
            "-",
        )
    )
    rep_all = [s for v in repeat.values() for s in v]
    rows.append(
        (
            "page switch, repeat visits (warm caches)",
            f"median {fmt(statistics.median(rep_all))} s, max {fmt(max(rep_all))} s over {len(rep_all)} switches",
            f"<= {BUDGET['page switch']} s",
            "yes" if max(rep_all) <= BUDGET["page switch"] else "no",
        )
    )
    rows.append(
        (
            "page switch, first visit in a session (cold caches)",
            ", ".join(f"{k} {fmt(v)}" for k, v in first_visit.items()),
            f"<= {BUDGET['page switch']} s",
            "yes" if max(first_visit.values()) <= BUDGET["page switch"] else "no",
        )
    )
    for link in repeat:
        rows.append((f"  repeat switch to {link}", f"median {fmt(statistics.median(repeat[link]))} s", "", ""))
    rows.append(
        (
            "server RSS after visiting every page",
            f"{rss:.0f} MB",
            f"<= {BUDGET['rss']:.0f} MB",
            "yes" if rss <= BUDGET["rss"] else "no",
        )
    )
    rows.append(
        (
            "error elements / requests beyond localhost",
            f"{errors} / {len(outside)}",
            "0 / 0",
            "yes" if errors == 0 and not outside else "no",
        )
    )

    load = os.getloadavg()
    header = (
        f"## App (benchmarks/app_bench.py)\n\n"
        f"Measured {date.today()} on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
        f"load average at the end {load[0]:.1f}; other jobs were running), Python "
        f"{platform.python_version()}, Debian chromium headless via Playwright, SQLite database.\n\n"
        "| what | measured | budget | within |\n|---|---|---|---|\n"
    )
    table = header + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows) + "\n"
    print(table)
    results = HERE / "RESULTS.md"
    text = results.read_text("utf-8") if results.exists() else "# Benchmark results\n"
    parts, out, skip = text.splitlines(keepends=True), [], False
    for line in parts:
        if line.startswith("## "):
            skip = line.startswith("## App (")
        if not skip:
            out.append(line)
    body = "".join(out).rstrip("\n") + "\n\n" + table
    results.write_text(body, "utf-8")


if __name__ == "__main__":
    main()
