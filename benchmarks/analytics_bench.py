"""Speed of the analytics on the bundled catalogue (DESIGN.md section 7 budgets).

Run:  python benchmarks/analytics_bench.py [--repeat 7] [--no-write]

Measures, with the vote matrix already built (first call reported separately):
- alignment, all parties x all votes since 2010 + adoptions (budget 300 ms);
- blocs with the default configuration (all votes, hierarchical, number of blocs chosen by
  30 bootstrap resamples), hierarchical on cyber votes, louvain with its sweep (budget 1 s);
- group alignment, India against the EU group (membership on each vote's date; budget 300 ms);
- one prediction: A/RES/78/237 with 20% of votes known, and with known={} (budget 1 s);
- swing states (no budget; reported);
- the norm signal (issue 13): the combined score now includes norm commitments, so the "uncached"
  alignment derives the norm evidence and its ladder afresh; the norms basis alone; and what each
  weighting of the combined score does to the next-adopters backtest (precision@10 at the two
  cut-offs of benchmarks/backtest.py), the one measure here of whether a signal helps find
  similar parties (--no-quality skips it).
Medians over --repeat runs; writes its section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from bench_results import write_section  # noqa: E402

from tracker import analytics, load_catalogue  # noqa: E402

SECTION = "Analytics speed (issue 5)"


def timed(fn, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), max(runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--no-quality", action="store_true", help="skip the next-adopters backtest per weighting")
    args = ap.parse_args()
    cat = load_catalogue()
    t = time.perf_counter()
    analytics.alignment(cat, since="2010")
    first = time.perf_counter() - t
    truth = cat.votes[cat.votes["resolution_id"] == "A/RES/78/237"]
    truth = truth[truth["vote"] != "absent"]
    rng = np.random.default_rng(0)
    known = dict(
        truth.iloc[rng.choice(len(truth), size=len(truth) // 5, replace=False)][["party_code", "vote"]].itertuples(
            index=False, name=None
        )
    )

    def uncached():
        fresh = cat.replace(votes=cat.votes)  # drops the memo of vote statistics and of the norm evidence
        fresh.memo("analytics.votes", lambda: analytics.votes.vote_data(cat), uses=("votes", "resolutions"))
        return analytics.alignment(fresh, basis="combined", since="2010")

    def norms_cold():
        fresh = cat.replace(norm_evidence=cat.stored_norm_evidence)  # the evidence is derived afresh
        return analytics.alignment(fresh, basis="norms")

    cases = [
        ("alignment, all parties x all votes since 2010 + adoptions", 0.3, uncached),
        (
            "alignment, same query again (pairwise vote statistics cached)",
            0.3,
            lambda: analytics.alignment(cat, basis="combined", since="2010"),
        ),
        ("blocs, default configuration (all votes, 30 resamples, auto number)", 1.0, lambda: analytics.blocs(cat)),
        (
            "blocs, hierarchical on cyber votes (30 resamples)",
            1.0,
            lambda: analytics.blocs(cat, method="hierarchical", topic="cyber"),
        ),
        (
            "blocs, louvain with resolution sweep (all votes, 10 resamples)",
            1.0,
            lambda: analytics.blocs(cat, method="louvain"),
        ),
        ("alignment, norms basis, evidence derived afresh", 0.3, norms_cold),
        ("alignment, norms basis (evidence ladder cached)", 0.3, lambda: analytics.alignment(cat, basis="norms")),
        ("group alignment, IND vs the EU group", 0.3, lambda: analytics.group_alignment(cat, "IND", "eu")),
        (
            f"prediction A/RES/78/237, {len(known)} votes known",
            1.0,
            lambda: analytics.predict_votes(cat, "A/RES/78/237", known=known),
        ),
        ("prediction A/RES/78/237, known={}", 1.0, lambda: analytics.predict_votes(cat, "A/RES/78/237")),
        ("swing states (default configuration, blocs included)", None, lambda: analytics.swing_states(cat)),
    ]
    rows = []
    for label, budget, fn in cases:
        med, worst = timed(fn, args.repeat)
        ok = "" if budget is None else ("ok" if med <= budget else "OVER")
        rows.append((label, med, worst, budget, ok))
        print(
            f"{label:<62} median {med * 1000:8.1f} ms  max {worst * 1000:8.1f} ms  "
            f"budget {'-' if budget is None else f'{budget * 1000:.0f} ms'} {ok}"
        )
    print(f"first alignment call (builds the vote matrix): {first * 1000:.0f} ms")
    quality = [] if args.no_quality else weighting_quality(cat)
    if args.no_write:
        return 0
    lines = [
        f"By `benchmarks/analytics_bench.py`; load average {os.getloadavg()[0]:.1f}; catalogue {cat.version}; "
        f"median and max of {args.repeat} runs after a warm-up "
        f"(the first call, which builds the vote matrix, took {first * 1000:.0f} ms).",
        "",
        "| what | median ms | max ms | budget ms | |",
        "|---|---|---|---|---|",
    ]
    for label, med, worst, budget, ok in rows:
        lines.append(
            f"| {label} | {med * 1000:.1f} | {worst * 1000:.1f} | "
            f"{'-' if budget is None else f'{budget * 1000:.0f}'} | {ok} |"
        )
    if quality:
        lines += [
            "",
            "Next adopters, precision@10 (mean over the instruments gaining dated adopters after the cut-off; "
            "`benchmarks/backtest.py`'s protocol) with the combined score weighted three ways: the same "
            "similarity ranks each party's 15 neighbours.",
            "",
            "| combined weights | 2021-12-31 | 2022-12-31 | mean |",
            "|---|---|---|---|",
        ]
        for label, per_cut in quality:
            mean = sum(per_cut) / len(per_cut)
            lines.append(f"| {label} | " + " | ".join(f"{x:.3f}" for x in per_cut) + f" | {mean:.3f} |")
    write_section(SECTION, "\n".join(lines))
    print(f"wrote section '{SECTION}' of benchmarks/RESULTS.md")
    return 0


WEIGHTINGS = (
    ("votes 0.5, adoptions 0.5 (before the norm signal)", {"votes": 0.5, "adoptions": 0.5, "norms": 0.0}),
    ("votes 0.5, adoptions 0.3, norms 0.2 (the default)", None),
    ("votes 0.5, adoptions 0.3, norms 0", {"votes": 0.5, "adoptions": 0.3, "norms": 0.0}),
    ("votes 0.4, adoptions 0.2, norms 0.4", {"votes": 0.4, "adoptions": 0.2, "norms": 0.4}),
)
CUTOFFS = ("2021-12-31", "2022-12-31")


def weighting_quality(cat) -> list[tuple[str, list[float]]]:
    from tracker.analytics import backtest_next_adopters

    out = []
    for label, weights in WEIGHTINGS:
        per_cut = []
        for cut in CUTOFFS:
            bt = backtest_next_adopters(cat, cut, k=10, weights=weights)
            per_cut.append(float(bt["ours"].mean()) if len(bt) else float("nan"))
        out.append((label, per_cut))
        print(f"next adopters precision@10, {label}: " + ", ".join(f"{x:.3f}" for x in per_cut))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
