"""Search speed and quality, beside a raw rapidfuzz pass and a naive difflib baseline.

Run:  PYTHONPATH=. python benchmarks/search_bench.py [--quick]

Measures, in one run:
1. the bundled catalogue (whatever ``catalogue/`` holds today): index build, p50/p99 per query;
2. the search fixture (tests/search_fixture.py, the expected real catalogue): quality on
   tests/search_queries.csv (top-1, MRR@10) and latency, for SearchIndex, a raw
   ``rapidfuzz.process.extract`` over the same texts (WRatio, default_process) and difflib;
3. a synthetic catalogue of 100,000 instruments (name + acronym, 200,000 texts): index build,
   p50/p99 per query, against raw ``process.extract`` on the same strings and difflib.

Prints a table and replaces the "Search" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import os
import platform
import random
import re
import string
import sys
import time
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures import make_catalogue  # noqa: E402
from tests.search_fixture import search_catalogue  # noqa: E402
from tracker.catalogue import load_catalogue  # noqa: E402
from tracker.search import SearchIndex  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Search (issue 4)"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


CPU: dict[int, list[float]] = {}  # id(wall list) -> CPU times of the same calls


def timed(fn, queries, repeat=1) -> list[float]:
    """Wall-clock ms per call; the thread's CPU ms of the same calls go to CPU[id(result)]."""
    out, cpu = [], []
    for _ in range(repeat):
        for q in queries:
            c, t = time.thread_time(), time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
    CPU[id(out)] = cpu
    return out


def p50_99(ms: list[float], digits: int = 2) -> str:
    """ "p50 / p99 ms wall (CPU p50 / p99)"."""
    cpu = CPU.get(id(ms))
    text = f"{pct(ms, 50):.{digits}f} / {pct(ms, 99):.{digits}f} ms"
    if cpu:
        text += f" (CPU {pct(cpu, 50):.{digits}f} / {pct(cpu, 99):.{digits}f})"
    return text


def queries_from_csv() -> list[dict]:
    with (ROOT / "tests" / "search_queries.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- baselines over the same texts


class RawExtract:
    """rapidfuzz.process.extract over every indexed name text, as-is (the raw comparison)."""

    def __init__(self, idx: SearchIndex):
        self.choices = {i: idx.field_text(i) for i in range(len(idx._f_key)) if idx._f_fuzzy[i]}
        self.entry = idx._f_entry
        self.ids = idx.ids

    def search(self, q: str, limit: int = 10) -> list[str]:
        hits = process.extract(q, self.choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit * 4)
        return _dedupe([self.ids[self.entry[k]] for _, _, k in hits], limit)


class Difflib:
    """Naive baseline: difflib.get_close_matches over the same texts (lower-cased)."""

    def __init__(self, idx: SearchIndex):
        self.by_text: dict[str, list[str]] = {}
        for i in range(len(idx._f_key)):
            if idx._f_fuzzy[i]:
                t = idx.field_text(i)
                self.by_text.setdefault(t.lower(), []).append(idx.ids[idx._f_entry[i]])
        self.texts = list(self.by_text)

    def search(self, q: str, limit: int = 10) -> list[str]:
        close = difflib.get_close_matches(q.lower(), self.texts, n=limit * 4, cutoff=0.0)
        return _dedupe([i for t in close for i in self.by_text[t]], limit)


def _dedupe(ids: list[str], limit: int) -> list[str]:
    return list(dict.fromkeys(ids))[:limit]


def quality(search, rows) -> tuple[float, float]:
    top1 = rr = 0.0
    for r in rows:
        ids = search(r["query"])
        if r["expected_id"] in ids:
            rank = ids.index(r["expected_id"]) + 1
            rr += 1 / rank
            top1 += rank == 1
    return top1 / len(rows), rr / len(rows)


# --------------------------------------------------------------------------- synthetic 100k


def synthetic_catalogue(n: int, seed: int = 7):
    rng = random.Random(seed)
    domain = re.findall(
        r"\w+",
        "convention protocol agreement declaration arrangement code practice standard framework charter "
        "principles security cyber information data privacy protection internet digital network critical "
        "infrastructure export control rights online trust cooperation crime evidence cloud identity "
        "encryption resilience incident response supply chain artificial intelligence",
    )
    made = {"".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 11))) for _ in range(6000)}
    words = domain + sorted(made)
    rows, aliases = [], []
    for i in range(n):
        k = rng.randint(2, 6)
        parts = [rng.choice(words) for _ in range(k)]
        name = " ".join(p.capitalize() if j % 2 == 0 else p for j, p in enumerate(parts))
        acronym = "".join(p[0] for p in parts).upper() + str(i % 97)
        rows.append(
            {
                "id": f"inst-{i}",
                "name": name,
                "short_name": name,
                "description": "",
                "pillar": "standards",
            }
        )
        aliases.append({"instrument_id": f"inst-{i}", "alias": acronym, "alias_kind": "acronym"})
    return make_catalogue(instruments=rows, instrument_aliases=aliases), rows


def typo(text: str, rng: random.Random) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.choice("dst")
    if op == "d":
        return text[:i] + text[i + 1 :]
    if op == "s":
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer queries (for a smoke run)")
    args = ap.parse_args()
    rows = queries_from_csv()
    texts = [r["query"] for r in rows]
    lines: list[tuple[str, str, str, str]] = []  # what, SearchIndex, raw rapidfuzz, difflib

    # 1. bundled catalogue
    cat = load_catalogue()
    t = time.perf_counter()
    idx = SearchIndex(cat)
    build_bundled = (time.perf_counter() - t) * 1000
    bundled_queries = texts + ["A/RES/74/247", "74/247", "res 77/37", "Côte d'Ivoire", "Turkiye", "Korea"]
    raw, dl = RawExtract(idx), Difflib(idx)
    ours_ms = timed(lambda q: idx.search(q, limit=10), bundled_queries, repeat=1 if args.quick else 5)
    raw_ms = timed(raw.search, bundled_queries)
    dl_ms = timed(dl.search, bundled_queries[:: 1 if not args.quick else 4])
    size = f"{idx.n} entries, {len(idx._f_key)} texts"
    lines += [
        (f"bundled catalogue ({size}): build", f"{build_bundled:.0f} ms", "-", "-"),
        (
            "bundled: p50 / p99 per query",
            p50_99(ours_ms),
            p50_99(raw_ms),
            p50_99(dl_ms, 1),
        ),
    ]

    bad = [
        "",
        "   ",
        "x" * 10_000,
        "budapest " * 2_000,
        "\x00\x01\x1b[31m",
        "😀🔥🇫🇷",
        "مرحبا بالعالم",
        "'; DROP TABLE parties; --",
        ".*+?[](){}|^$\\",
        "A/RES/",
        "ﬁ" * 500,
    ]
    bad_ms = timed(lambda q: idx.search(q, limit=10), bad, repeat=1 if args.quick else 20)
    lines.append(
        (
            f"bundled: bad input ({len(bad)} kinds: empty, 10,000 chars, control, emoji, RTL, SQL, regex)",
            p50_99(bad_ms),
            "-",
            "-",
        )
    )

    # 2. fixture catalogue: quality and latency
    fcat = search_catalogue()
    t = time.perf_counter()
    fidx = SearchIndex(fcat)
    build_fixture = (time.perf_counter() - t) * 1000
    fraw, fdl = RawExtract(fidx), Difflib(fidx)
    q_ours = quality(lambda q: [h.id for h in fidx.search(q, limit=10)], rows)
    q_raw = quality(fraw.search, rows)
    q_dl = quality(fdl.search, rows)
    ours_f = timed(lambda q: fidx.search(q, limit=10), texts, repeat=1 if args.quick else 5)
    raw_f = timed(fraw.search, texts)
    dl_f = timed(fdl.search, texts)
    fsize = f"{fidx.n} entries, {len(fidx._f_key)} texts"
    lines += [
        (f"fixture catalogue ({fsize}): build", f"{build_fixture:.0f} ms", "-", "-"),
        (
            f"fixture: top-1 / MRR@10 on {len(rows)} queries",
            f"{q_ours[0]:.3f} / {q_ours[1]:.3f}",
            f"{q_raw[0]:.3f} / {q_raw[1]:.3f}",
            f"{q_dl[0]:.3f} / {q_dl[1]:.3f}",
        ),
        (
            "fixture: p50 / p99 per query",
            p50_99(ours_f),
            p50_99(raw_f),
            p50_99(dl_f, 1),
        ),
    ]

    # 3. synthetic 100k
    n = 100_000
    scat, srows = synthetic_catalogue(n)
    t, c = time.perf_counter(), time.process_time()
    sidx = SearchIndex(scat)
    build_100k, build_100k_cpu = time.perf_counter() - t, time.process_time() - c
    rng = random.Random(11)
    picks = [rng.choice(srows)["name"] for _ in range(60 if args.quick else 300)]
    squeries = []
    for i, name in enumerate(picks):
        words = name.split()
        if i % 3 == 0:
            squeries.append(typo(name.lower(), rng))  # typo
        elif i % 3 == 1:
            squeries.append(" ".join(reversed(words[:3])))  # partial, word order
        else:
            squeries.append(words[0][:5])  # as-you-type prefix
    ours_s = timed(lambda q: sidx.search(q, limit=10), squeries)
    choices = {i: sidx.field_text(i) for i in range(len(sidx._f_key)) if sidx._f_fuzzy[i]}
    pre = {i: sidx._f_key[i] for i in choices}
    raw_q = squeries[: 10 if args.quick else 30]
    raw_s = timed(
        lambda q: process.extract(q, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=10),
        raw_q,
    )
    pre_s = timed(lambda q: process.extract(q, pre, scorer=fuzz.WRatio, processor=None, limit=10), raw_q)
    dl_texts = list(choices.values())
    dl_s = timed(lambda q: difflib.get_close_matches(q, dl_texts, n=10, cutoff=0.6), squeries[:3])
    # recall on the synthetic typo queries: the picked entry in the top 10
    found = sum(
        any(h.name == name for h in sidx.search(q, limit=10)) for q, name in zip(squeries[::3], picks[::3], strict=True)
    )
    ratio = pct(ours_s, 50) / pct(raw_s, 50)
    ratio_cpu = pct(CPU[id(ours_s)], 50) / pct(CPU[id(raw_s)], 50)
    lines += [
        (
            f"synthetic {n:,} entries ({len(sidx._f_key):,} texts): build",
            f"{build_100k:.2f} s (CPU {build_100k_cpu:.2f} s)",
            "-",
            "-",
        ),
        (
            "synthetic: p50 / p99 per query",
            p50_99(ours_s),
            p50_99(raw_s, 0),
            f"{pct(dl_s, 50):.0f} ms (3 queries)",
        ),
        (
            "synthetic: raw extract on pre-processed strings (processor=None), p50",
            "-",
            f"{pct(pre_s, 50):.0f} ms",
            "-",
        ),
        ("synthetic: SearchIndex p50 / raw extract p50", f"{ratio:.3f}x (CPU {ratio_cpu:.3f}x)", "1x", "-"),
        (
            "synthetic: typo queries with the entry in the top 10",
            f"{found}/{len(squeries[::3])}",
            "-",
            "-",
        ),
    ]

    header = ("measure", "SearchIndex", "raw rapidfuzz extract", "difflib")
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(4)]
    table = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    table += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in lines]
    print("\n".join(table))
    budgets = (
        "Budgets: bundled p50 <= 1 ms, p99 <= 5 ms; synthetic 100k p50 <= 50 ms and <= 1.5x raw "
        "extract; 100k build <= 2 s; quality (tests) top-1 >= 0.95, MRR@10 >= 0.97."
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average at the end {load}"
    )
    section = "\n".join(
        [
            SECTION,
            "",
            f"Measured {date.today().isoformat()} on {machine} by `benchmarks/search_bench.py`"
            + (" (--quick)" if args.quick else "")
            + ".",
            "Raw rapidfuzz = `process.extract(q, {key: text}, scorer=WRatio, processor=default_process, "
            "limit=10)` over the same name texts the index holds; difflib = `get_close_matches` over them.",
            "Times are wall-clock per query; in brackets the thread's own CPU time for the same calls. The "
            "machine was shared with other jobs (see the load average), so wall-clock p99 includes waits "
            "for a core.",
            "",
            *table,
            "",
            budgets,
            "",
        ]
    )
    write_section(section)


def write_section(section: str) -> None:
    text = RESULTS.read_text("utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[nxt + 1 :] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
