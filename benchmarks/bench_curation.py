"""Curation timings on the bundled catalogue (SQLite, WAL): propose, approve, import, dump.

Usage: PYTHONPATH=. python benchmarks/bench_curation.py [--postgres URL]
Prints a table and replaces the "Curation" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import curation  # noqa: E402
from tracker.curation.importer import plan_import  # noqa: E402
from tracker.db import make_engine, migrate, session_scope  # noqa: E402
from tracker.sync import catalogue_from_database, sync_to_database  # noqa: E402

ALICE, BOB = curation.User("alice", "editor"), curation.User("bob", "reviewer")


def timed(fn, repeat=5):
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL URL of an empty scratch database")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.postgres or f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    t = time.perf_counter()
    sync_to_database(engine=engine, force=True)
    load_s = time.perf_counter() - t
    rows = []
    rows.append(("load bundled catalogue (for reference)", 1, load_s))

    with session_scope(engine) as s:
        fra = (
            s.execute(
                curation._model("adoptions")
                .__table__.select()
                .where(curation._model("adoptions").__table__.c.party_code == "FRA")
            )
            .mappings()
            .first()
        )
    key = {k: fra[k] or "" for k in ("instrument_id", "party_code", "action", "role", "date")}
    counter = iter(range(1000))

    def propose_one():
        with session_scope(engine) as s:
            live = curation.live_row(s, "adoptions", key)
            ch = curation.make_change(s, "adoptions", key, {"note": f"{live['note']} (bench {next(counter)})"})
        return curation.propose(ALICE, [ch], reason="benchmark", source_id=fra["source_id"], engine=engine)

    propose_times, approve_times = [], []
    for _ in range(5):  # propose then approve, five times (each edit builds on the last)
        pid, t = timed(propose_one, repeat=1)
        propose_times.append(t)
        _, t = timed(lambda pid=pid: curation.review(BOB, pid, approve=True, engine=engine), repeat=1)
        approve_times.append(t)
    propose_s, approve_s = statistics.median(propose_times), statistics.median(approve_times)
    rows.append(("propose one adoption change", 1, propose_s))
    rows.append(("approve (validate + apply) one adoption change", 1, approve_s))

    def party_round():
        with session_scope(engine) as s:
            live = curation.live_row(s, "parties", {"code": "FRA"})
            ch = curation.make_change(s, "parties", {"code": "FRA"}, {"note": f"{live['note']} ."})
        pid = curation.propose(ALICE, [ch], reason="benchmark", source_id=live["source_id"], engine=engine)
        return curation.review(BOB, pid, approve=True, engine=engine)

    _, party_s = timed(party_round, repeat=3)
    rows.append(("propose + approve one party note change (re-checks referencing tables)", 1, party_s))

    cat = catalogue_from_database(engine)
    chart = cat.adoptions.merge(cat.parties[["code", "name"]], left_on="party_code", right_on="code")
    chart = chart[chart["role"] == ""]
    csv = (
        chart.rename(columns={"instrument_id": "instrument", "name": "party", "source_id": "source"})[
            ["instrument", "party", "action", "date", "source", "note"]
        ]
        .to_csv(index=False)
        .encode()
    )
    _, plan_s = timed(
        lambda: plan_import(csv, "all.csv", source_id=fra["source_id"], today=date.today(), engine=engine),
        repeat=3,
    )
    rows.append((f"plan import of {len(chart)} rows (all unchanged)", len(chart), plan_s))
    with tempfile.TemporaryDirectory() as out:
        _, dump_s = timed(lambda: curation.dump(Path(out) / "pkg", engine=engine), repeat=1)
    rows.append(("dump the database as the data package (+ validate)", 1, dump_s))

    backend = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    lines = [
        f"## Curation ({backend})",
        "",
        f"Measured {date.today()} on {platform.machine()} with 2 cores, Python {platform.python_version()}, "
        f"bundled catalogue ({len(cat.votes):,} votes, {len(cat.adoptions):,} adoptions). "
        "Median of repeats where repeated.",
        "",
        "| operation | rows | seconds |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {n} | {s:.2f} |" for name, n, s in rows]
    section = "\n".join(lines) + "\n"
    print(section)
    results = ROOT / "benchmarks" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n\n"
    head = f"## Curation ({backend})"
    if head in text:
        start = text.index(head)
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    results.write_text(text)
    engine.dispose()


if __name__ == "__main__":
    main()
