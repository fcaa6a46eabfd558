"""Curation timings on the bundled catalogue: propose, approve, a 20,000-row import, dump, and
how long a one-row proposal from another process waits while the 20,000 rows are approved.

Usage: PYTHONPATH=. python benchmarks/bench_curation.py [--postgres URL] [--rows N] [--label TEXT] [--no-write]
Prints a table and replaces the "Curation (<backend>[, label])" section of benchmarks/RESULTS.md
(unless --no-write). --postgres takes an empty scratch database.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import curation, sync  # noqa: E402
from tracker.curation.changes import model_of  # noqa: E402
from tracker.curation.importer import plan_import, propose_import  # noqa: E402
from tracker.db import make_engine, migrate, session_scope  # noqa: E402
from tracker.sync import catalogue_from_database, sync_to_database  # noqa: E402

ALICE, CAROL, BOB = curation.User("alice", "editor"), curation.User("carol", "editor"), curation.User("bob", "reviewer")
BULK_ACTIONS = ("signed", "observer", "participates", "endorsed")


def timed(fn, repeat=5):
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


def write_users(folder: Path) -> Path:
    path = folder / "users.toml"
    lines = []
    for user in (ALICE, CAROL, BOB):
        hashed = curation.hash_password(f"{user.name}-password", n=2**4)
        lines += [f'[users."{user.name}"]', f'role = "{user.role}"', f'password = "{hashed}"', ""]
    path.write_text("\n".join(lines))
    return path


def bulk_chart(cat, rows: int) -> bytes:
    """``rows`` new adoption actions (instrument, party code, action, year) that touch no live
    (instrument, party, action), so every one is an add."""
    taken = set(zip(cat.adoptions["instrument_id"], cat.adoptions["party_code"], cat.adoptions["action"], strict=True))
    year = str(date.today().year)
    lines = ["instrument,party,action,date"]
    for action in BULK_ACTIONS:
        for inst in cat.instruments["id"]:
            for party in cat.parties["code"]:
                if (inst, party, action) not in taken:
                    lines.append(f"{inst},{party},{action},{year}")
                if len(lines) > rows:
                    return ("\n".join(lines) + "\n").encode()
    raise SystemExit(f"the catalogue has room for only {len(lines) - 1} new rows")


def proposer(url: str, users_file: str, stop_file: str, results) -> None:
    """Another process (an app instance): file one-row proposals back to back and time each."""
    os.environ["TRACKER_USERS_FILE"] = users_file
    engine = make_engine(url)
    times = []  # (wall-clock start, end) of each proposal
    n = 0
    while not os.path.exists(stop_file):
        n += 1
        with session_scope(engine) as s:
            source = curation.live_row(s, "groups", {"id": "g7"})["source_id"]
            ch = curation.make_change(s, "groups", {"id": "g7"}, {"note": f"concurrent edit {n}"})
        t = time.time()
        try:
            curation.propose(CAROL, [ch], reason="concurrent", source_id=source, engine=engine)
            times.append((t, time.time(), ""))
        except Exception as exc:  # e.g. "database is locked": counted and reported
            times.append((t, time.time(), type(exc).__name__))
        time.sleep(0.05)
    engine.dispose()
    results.put(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="PostgreSQL URL of an empty scratch database")
    parser.add_argument("--rows", type=int, default=20_000, help="rows of the bulk import")
    parser.add_argument("--label", default="", help="added to the section title (e.g. 'before')")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    os.environ["TRACKER_USERS_FILE"] = str(write_users(tmp))
    url = args.postgres or f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    t = time.perf_counter()
    sync_to_database(engine=engine, force=True)
    rows = [("load bundled catalogue (for reference)", 1, time.perf_counter() - t)]

    adoptions = model_of("adoptions").__table__
    with session_scope(engine) as s:
        fra = s.execute(adoptions.select().where(adoptions.c.party_code == "FRA")).mappings().first()
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
    rows.append(("propose one adoption change", 1, statistics.median(propose_times)))
    rows.append(("approve (validate + apply) one adoption change", 1, statistics.median(approve_times)))

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

    # a bulk import: propose, then approve while another process files one-row proposals
    bulk = bulk_chart(cat, args.rows)
    (pid, _plan), propose_s = timed(
        lambda: propose_import(
            ALICE, bulk, "bulk.csv", reason="bulk benchmark", source_id=fra["source_id"], engine=engine
        ),
        repeat=1,
    )
    rows.append((f"propose an import of {args.rows:,} new rows (plan + validate + file)", args.rows, propose_s))
    stop_file = str(tmp / "stop")
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    other = ctx.Process(target=proposer, args=(url, os.environ["TRACKER_USERS_FILE"], stop_file, results))
    other.start()
    time.sleep(5)  # the other process is up and proposing
    approval: dict = {}

    def approve_bulk():
        approval["start"] = time.time()
        try:
            curation.review(BOB, pid, approve=True, engine=engine)
        except Exception as exc:  # reported in the table, not hidden
            approval["error"] = repr(exc)
        approval["end"] = time.time()

    worker = threading.Thread(target=approve_bulk)
    worker.start()
    worker.join()
    time.sleep(1)
    Path(stop_file).touch()
    spans = results.get(timeout=600)
    other.join(timeout=60)
    approval["seconds"] = approval["end"] - approval["start"]
    # the proposals that were waiting or running at some moment of the approval
    overlapping = [
        (end - start, error) for start, end, error in spans if end > approval["start"] and start < approval["end"]
    ]
    during = [seconds for seconds, _ in overlapping]
    failed = [error for _, error in overlapping if error]
    rows.append(
        (
            f"approve the {args.rows:,}-row import (validate + apply + history)"
            + (f" FAILED: {approval['error'][:80]}" if "error" in approval else ""),
            args.rows,
            approval["seconds"],
        )
    )
    rows.append(
        (
            f"one-row proposal from another process during that approval: slowest of {len(during)}"
            + (f" ({len(failed)} failed: {', '.join(sorted(set(failed)))})" if failed else ""),
            1,
            max(during) if during else float("nan"),
        )
    )
    rows.append(("  the same: median", 1, statistics.median(during) if during else float("nan")))

    with tempfile.TemporaryDirectory() as out:
        _, dump_s = timed(lambda: sync.dump(Path(out) / "pkg", engine=engine), repeat=1)
    rows.append(("dump the database as the data package (+ validate)", 1, dump_s))

    backend = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    title = f"## Curation ({backend}{', ' + args.label if args.label else ''})"
    load = os.getloadavg()
    lines = [
        title,
        "",
        f"Measured {date.today()} by `benchmarks/bench_curation.py` on {platform.machine()} with "
        f"{os.cpu_count()} cores (load average at the end {load[0]:.1f}, {load[1]:.1f}; other jobs were running), "
        f"Python {platform.python_version()}, bundled catalogue ({len(cat.votes):,} votes, "
        f"{len(cat.adoptions):,} adoptions). Median of repeats where repeated.",
        "",
        "| operation | rows | seconds |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {n:,} | {s:.2f} |" for name, n, s in rows]
    section = "\n".join(lines) + "\n"
    print(section)
    if not args.no_write:
        results_md = ROOT / "benchmarks" / "RESULTS.md"
        text = results_md.read_text() if results_md.exists() else "# Benchmark results\n\n"
        if title in text:
            start = text.index(title)
            end = text.find("\n## ", start + 1)
            text = text[:start] + section + ("\n" + text[end + 1 :] if end != -1 else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        results_md.write_text(text)
    engine.dispose()


if __name__ == "__main__":
    main()
