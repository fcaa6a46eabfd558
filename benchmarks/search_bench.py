"""Search speed and quality, beside an earlier SearchIndex, a raw rapidfuzz pass and difflib.

Run:  PYTHONPATH=. python benchmarks/search_bench.py [--quick] [--baseline GIT_REF]

Measures, in one run:
1. the bundled catalogue (whatever ``catalogue/`` holds today): index build; quality on the
   single-name queries (tests/search_queries.csv, those whose entry the catalogue holds) and
   on the phrase queries (tests/search_phrases.csv); p50/p99 per query of each set;
2. the search fixture (tests/search_fixture.py, the expected real catalogue): quality on
   tests/search_queries.csv (top-1, MRR@10) and latency, for SearchIndex, a raw
   ``rapidfuzz.process.extract`` over the same texts (WRatio, default_process) and difflib;
3. a synthetic catalogue of 100,000 instruments (name + acronym, 200,000 texts): index build,
   p50/p99 per query, against raw ``process.extract`` on the same strings and difflib.

With ``--baseline REF`` the ``tracker/search.py`` of that git commit is loaded beside the
current one and measured on the same queries in the same run ("before" and "after").

Prints a table and replaces the "Search" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import importlib.util
import os
import platform
import random
import re
import string
import subprocess
import sys
import tempfile
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
SECTION = "## Search (issues 4 and 16)"
SECTION_PREFIX = "## Search ("


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


def queries_from_csv(name: str = "search_queries.csv") -> list[dict]:
    with (ROOT / "tests" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def held(rows: list[dict], idx) -> list[dict]:
    """The queries whose expected entry the index holds."""
    known = dict(zip(idx.ids, idx.kinds, strict=True))
    return [r for r in rows if known.get(r["expected_id"]) == r["expected_kind"]]


def baseline_index_class(ref: str):
    """``SearchIndex`` as ``tracker/search.py`` was at git commit ``ref`` (loaded from ``git show``)."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:tracker/search.py"], capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "baseline_search.py"
    path.write_text(source, "utf-8")
    spec = importlib.util.spec_from_file_location("baseline_search", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.SearchIndex


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
    ap.add_argument("--baseline", metavar="GIT_REF", help="also measure tracker/search.py of this commit")
    args = ap.parse_args()
    repeat = 1 if args.quick else 5
    rows = queries_from_csv()
    phrases = queries_from_csv("search_phrases.csv")
    texts = [r["query"] for r in rows]
    indexes = [("SearchIndex", SearchIndex)]
    if args.baseline:
        indexes.append((f"SearchIndex at {args.baseline}", baseline_index_class(args.baseline)))
    n_ix = len(indexes)
    lines: list[tuple[str, ...]] = []  # what, each SearchIndex, raw rapidfuzz, difflib

    def line(what: str, ours: list[str], raw: str = "-", dl: str = "-") -> None:
        lines.append((what, *ours, raw, dl))

    def each(fn) -> list[str]:
        return [fn(cls) for _, cls in indexes]

    # 1. bundled catalogue: build, quality on both query sets, latency
    cat = load_catalogue()
    built, build_ms = {}, {}
    for name, cls in indexes:
        t = time.perf_counter()
        built[name] = cls(cat)
        build_ms[name] = (time.perf_counter() - t) * 1000
    idx = built["SearchIndex"]
    single_b, phrase_b = held(rows, idx), held(phrases, idx)
    raw, dl = RawExtract(idx), Difflib(idx)
    size = f"{idx.n} entries, {len(idx._f_key)} texts"
    line(f"bundled catalogue ({size}): build", [f"{build_ms[n]:.0f} ms" for n, _ in indexes])
    for label, qrows in ((f"{len(single_b)} single-name", single_b), (f"{len(phrase_b)} phrase", phrase_b)):
        qual = [quality(lambda q, i=built[n]: [h.id for h in i.search(q, limit=10)], qrows) for n, _ in indexes]
        q_raw, q_dl = quality(raw.search, qrows), quality(dl.search, qrows)
        line(
            f"bundled: top-1 / MRR@10 on {label} queries",
            [f"{a:.3f} / {b:.3f}" for a, b in qual],
            f"{q_raw[0]:.3f} / {q_raw[1]:.3f}",
            f"{q_dl[0]:.3f} / {q_dl[1]:.3f}",
        )
    extra = ["A/RES/74/247", "74/247", "res 77/37", "Côte d'Ivoire", "Turkiye", "Korea"]
    for label, queries in (("single names", texts + extra), ("phrases", [r["query"] for r in phrases])):
        ms = [timed(lambda q, i=built[n]: i.search(q, limit=10), queries, repeat=repeat) for n, _ in indexes]
        raw_ms = timed(raw.search, queries)
        dl_ms = timed(dl.search, queries[:: 1 if not args.quick else 4])
        line(f"bundled: p50 / p99 per query, {label}", [p50_99(m) for m in ms], p50_99(raw_ms), p50_99(dl_ms, 1))

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
    line(
        f"bundled: bad input ({len(bad)} kinds: empty, 10,000 chars, control, emoji, RTL, SQL, regex)",
        [p50_99(bad_ms)] + ["-"] * (n_ix - 1),
    )

    # 2. fixture catalogue: quality and latency
    fcat = search_catalogue()
    fbuilt, fbuild = {}, {}
    for name, cls in indexes:
        t = time.perf_counter()
        fbuilt[name] = cls(fcat)
        fbuild[name] = (time.perf_counter() - t) * 1000
    fidx = fbuilt["SearchIndex"]
    fraw, fdl = RawExtract(fidx), Difflib(fidx)
    fqual = [quality(lambda q, i=fbuilt[n]: [h.id for h in i.search(q, limit=10)], rows) for n, _ in indexes]
    q_raw = quality(fraw.search, rows)
    q_dl = quality(fdl.search, rows)
    ours_f = [timed(lambda q, i=fbuilt[n]: i.search(q, limit=10), texts, repeat=repeat) for n, _ in indexes]
    raw_f = timed(fraw.search, texts)
    dl_f = timed(fdl.search, texts)
    fsize = f"{fidx.n} entries, {len(fidx._f_key)} texts"
    line(f"fixture catalogue ({fsize}): build", [f"{fbuild[n]:.0f} ms" for n, _ in indexes])
    line(
        f"fixture: top-1 / MRR@10 on {len(rows)} single-name queries",
        [f"{a:.3f} / {b:.3f}" for a, b in fqual],
        f"{q_raw[0]:.3f} / {q_raw[1]:.3f}",
        f"{q_dl[0]:.3f} / {q_dl[1]:.3f}",
    )
    line("fixture: p50 / p99 per query", [p50_99(m) for m in ours_f], p50_99(raw_f), p50_99(dl_f, 1))

    # 3. synthetic 100k
    n = 100_000
    scat, srows = synthetic_catalogue(n)
    sbuilt, sbuild = {}, {}
    for name, cls in indexes:
        t, c = time.perf_counter(), time.process_time()
        sbuilt[name] = cls(scat)
        sbuild[name] = (time.perf_counter() - t, time.process_time() - c)
    sidx = sbuilt["SearchIndex"]
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
    ours_s = [timed(lambda q, i=sbuilt[nm]: i.search(q, limit=10), squeries) for nm, _ in indexes]
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
    found = [
        sum(
            any(h.name == name for h in sbuilt[nm].search(q, limit=10))
            for q, name in zip(squeries[::3], picks[::3], strict=True)
        )
        for nm, _ in indexes
    ]
    ratios = [
        f"{pct(m, 50) / pct(raw_s, 50):.3f}x (CPU {pct(CPU[id(m)], 50) / pct(CPU[id(raw_s)], 50):.3f}x)" for m in ours_s
    ]
    line(
        f"synthetic {n:,} entries ({len(sidx._f_key):,} texts): build",
        [f"{w:.2f} s (CPU {c:.2f} s)" for w, c in (sbuild[nm] for nm, _ in indexes)],
    )
    line(
        "synthetic: p50 / p99 per query",
        [p50_99(m) for m in ours_s],
        p50_99(raw_s, 0),
        f"{pct(dl_s, 50):.0f} ms (3 queries)",
    )
    pre_what = "synthetic: raw extract on pre-processed strings (processor=None), p50"
    line(pre_what, ["-"] * n_ix, f"{pct(pre_s, 50):.0f} ms")
    line("synthetic: SearchIndex p50 / raw extract p50", ratios, "1x")
    line("synthetic: typo queries with the entry in the top 10", [f"{f}/{len(squeries[::3])}" for f in found])

    header = ("measure", *(name for name, _ in indexes), "raw rapidfuzz extract", "difflib")
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    table = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    table += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in lines]
    print("\n".join(table))
    budgets = (
        "Budgets: bundled p50 <= 1 ms, p99 <= 5 ms; synthetic 100k p50 <= 50 ms and <= 1.5x raw "
        "extract; 100k build <= 2 s; quality (tests) top-1 >= 0.95, MRR@10 >= 0.97 on the single-name "
        "queries (fixture) and top-1 >= 0.95 on the phrase queries (bundled)."
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average at the end {load}"
    )
    command = "`benchmarks/search_bench.py" + (" --quick" if args.quick else "")
    command += (f" --baseline {args.baseline}" if args.baseline else "") + "`"
    section = "\n".join(
        [
            SECTION,
            "",
            f"Measured {date.today().isoformat()} on {machine} by {command}.",
            "Raw rapidfuzz = `process.extract(q, {key: text}, scorer=WRatio, processor=default_process, "
            "limit=10)` over the same name texts the index holds; difflib = `get_close_matches` over them."
            + (
                f" `SearchIndex at {args.baseline}` is tracker/search.py of that commit (before the word-coverage "
                "score), measured in the same run on the same queries."
                if args.baseline
                else ""
            ),
            "Single-name queries: tests/search_queries.csv; phrase queries: tests/search_phrases.csv "
            "(multi-word, written the way diplomats and analysts type them).",
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
    if SECTION_PREFIX in text:
        start = text.index(SECTION_PREFIX)
        nxt = text.find("\n## ", start + len(SECTION_PREFIX))
        text = text[:start] + section + ("\n" + text[nxt + 1 :] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
