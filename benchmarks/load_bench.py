"""Catalogue load timings: validation, first load into SQLite, unchanged reload, read back.

Budgets (DESIGN.md section 7): first load of the bundled catalogue into SQLite <= 15 s,
unchanged reload <= 2 s. Run: python benchmarks/load_bench.py [--postgres URL]
Prints a table and replaces its section in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench_results import write_section


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="also measure against this (empty) PostgreSQL database URL")
    args = parser.parse_args()
    from tracker.catalogue import load_catalogue
    from tracker.db import make_engine
    from tracker.sync import catalogue_from_database, sync_to_database

    rows = []
    _, t = timed(load_catalogue)
    rows.append(("validate + read bundled catalogue (folder)", t, None))
    targets = [("SQLite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")]
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    for label, url in targets:
        os.environ["DATABASE_URL"] = url
        engine = make_engine(url)
        first, t = timed(lambda engine=engine: sync_to_database(engine=engine))
        rows.append((f"{label}: first load (migrate + validate + insert)", t, 15.0 if label == "SQLite" else None))
        again, t = timed(lambda engine=engine: sync_to_database(engine=engine))
        assert again.status == "unchanged"
        rows.append((f"{label}: unchanged reload", t, 2.0 if label == "SQLite" else None))
        _, t = timed(lambda engine=engine: catalogue_from_database(engine))
        rows.append((f"{label}: Catalogue from the database", t, None))
    lines = ["| step | seconds | budget |", "|---|---|---|"]
    lines += [f"| {name} | {t:.2f} | {f'<= {b:g} s' if b else '-'} |" for name, t, b in rows]
    table = "\n".join(lines)
    print(table)
    write_section("Catalogue load", table)


if __name__ == "__main__":
    main()
