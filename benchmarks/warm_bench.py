"""What a restart and a warm command pay, against the DESIGN.md budgets.

On a private SQLite database and cache directory holding the bundled catalogue (loaded once, with
`tracker load`, which also prepares the app's catalogue copy and opening analytics):
- reading the prepared catalogue copy and each opening analytics result back from the cache
  directory in a fresh process (what the app's restart and every warm CLI command pay);
- warm CLI commands end to end (`tracker align BRA IND`, ...): wall time of the whole process,
  median of N runs, after one run to warm the operating system's file cache.

Prints a table and replaces the "Warm start" section of benchmarks/RESULTS.md.
Usage: python benchmarks/warm_bench.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUDGET_CLI = 0.5  # DESIGN.md: a warm CLI command <= 0.5 s
COMMANDS = [
    ["align", "BRA", "IND"],
    ["align", "USA", "RUS", "--json"],
    ["search", "budapest"],
    ["swing", "--limit", "5"],
]

READ_BACK = """
import json, sys, time
t0 = time.perf_counter()
from tracker.db import data_version
from tracker.derived import OPENING, served_catalogue, store_for
t1 = time.perf_counter()
disk = store_for()
cat = served_catalogue(disk, data_version())
t2 = time.perf_counter()
out = {"imports": t1 - t0, "catalogue": t2 - t1}
again = []
for _ in range(10):  # the same read once the modules are imported: the file itself
    s = time.perf_counter()
    disk.load("catalogue")
    again.append(time.perf_counter() - s)
out["catalogue, read again (median of 10)"] = sorted(again)[5]
for name, args in OPENING:
    s = time.perf_counter()
    found, _ = disk.load(name, args)
    out[f"{name}{list(args)}"] = (time.perf_counter() - s) if found else None
print(json.dumps(out))
"""


def run(env: dict, args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one whole `tracker` process: CPU time shows the cost when
    other jobs share the cores and stretch the wall time."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tracker", *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warm-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'tracker.db'}",
        "XDG_CACHE_HOME": str(tmp / "cache"),
        "XDG_DATA_HOME": str(tmp / "data"),
        "COLUMNS": "120",
    }
    subprocess.run([sys.executable, "-m", "tracker", "load"], env=env, check=True, capture_output=True)

    reads: dict[str, list[float]] = {}
    for _ in range(args.runs):
        proc = subprocess.run([sys.executable, "-c", READ_BACK], env=env, check=True, capture_output=True, text=True)
        for key, seconds in json.loads(proc.stdout).items():
            reads.setdefault(key, []).append(seconds if seconds is not None else float("nan"))
    rows = []
    for key, values in reads.items():
        label = {"imports": "import tracker.derived", "catalogue": "catalogue copy (first, with its imports)"}.get(
            key, key
        )
        rows.append((f"read back: {label}", f"median {statistics.median(values) * 1000:.0f} ms", "", ""))

    for command in COMMANDS:
        run(env, command)  # the first run after a load may still compute a result the app did not prepare
        measured = [run(env, command) for _ in range(args.runs)]
        times = [wall for wall, _cpu in measured]
        median = statistics.median(times)
        cpu = statistics.median(c for _wall, c in measured)
        rows.append(
            (
                f"`tracker {' '.join(command)}` (warm, whole process)",
                f"median {median:.2f} s (CPU {cpu:.2f} s), best {min(times):.2f} s, {args.runs} runs",
                f"<= {BUDGET_CLI} s",
                "yes" if median <= BUDGET_CLI else "no",
            )
        )

    load = os.getloadavg()
    header = (
        "## Warm start (benchmarks/warm_bench.py)\n\n"
        f"Measured {date.today()} on {platform.node() or 'this machine'} ({os.cpu_count()} cores, load average at "
        f"the end {load[0]:.1f}; other jobs were running), Python {platform.python_version()}, SQLite database, "
        "bundled catalogue. Each row is a fresh process.\n\n"
        "| what | measured | budget | within |\n|---|---|---|---|\n"
    )
    table = header + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows) + "\n"
    print(table)
    results = HERE / "RESULTS.md"
    text = results.read_text("utf-8") if results.exists() else "# Benchmark results\n"
    out, skip = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            skip = line.startswith("## Warm start (")
        if not skip:
            out.append(line)
    results.write_text("".join(out).rstrip("\n") + "\n\n" + table, "utf-8")


if __name__ == "__main__":
    main()
