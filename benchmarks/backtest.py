"""Backtest of vote prediction (DESIGN.md section 5) and of next-adopter ranking.

Run:  python benchmarks/backtest.py [--seeds 5] [--no-write]

For each of the 12 contested cyber votes 2018-2023: only data dated before the vote (as_of =
the day before), reveal a random 20% of the states that voted yes/no/abstain (5 seeds),
predict the other 80% (absent states are not scored). Printed in the same run: always-yes,
last vote in the same series, 15 nearest neighbours by agreement, and ours; accuracy,
macro-F1 and log loss per resolution and the mean. Then known={} on the resolutions whose
series has an earlier vote in the list, and precision@10 of next_adopters (adoptions after
the cut-off hidden) against random and popularity baselines. Writes its section of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from bench_results import write_section  # noqa: E402

from tracker import load_catalogue  # noqa: E402
from tracker.analytics import CONTESTED, backtest_next_adopters, run_backtest  # noqa: E402
from tracker.analytics.backtest import METHODS  # noqa: E402

SECTION = "Vote prediction backtest (issue 5)"
CUTOFFS = ("2021-12-31", "2022-12-31")


def wide(per: pd.DataFrame) -> pd.DataFrame:
    tables = []
    for metric in ("accuracy", "macro_f1", "log_loss"):
        t = per.pivot(index="resolution", columns="method", values=metric)[list(METHODS)]
        t.columns = pd.MultiIndex.from_product([[metric], t.columns])
        tables.append(t)
    out = pd.concat(tables, axis=1)
    order = [r for r in CONTESTED if r in out.index]
    out = out.loc[order]
    out.loc["mean"] = out.mean()
    return out


def markdown(df: pd.DataFrame) -> str:
    cols = [f"{m} {meth}" if isinstance(df.columns, pd.MultiIndex) else str(m)
            for m, meth in (df.columns if isinstance(df.columns, pd.MultiIndex) else [(c, "") for c in df.columns])]
    lines = ["| | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for idx, row in df.iterrows():
        cells = [f"{int(v)}" if isinstance(v, float) and float(v).is_integer() and abs(v) > 1 else
                 f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append(f"| {idx} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def oracle_ceiling(cat) -> pd.Series:
    """Diagnostic: accuracy of the single best earlier resolution (since 2010, before as_of) when
    each of its vote classes is mapped to the best target class using ALL the target's votes.
    Not a method (it peeks at every vote); it shows how well history can explain each split."""
    from tracker.analytics.votes import vote_data

    d = vote_data(cat)
    out = {}
    for rid in CONTESTED:
        r = d.row_of[rid]
        y = d.classes[r]
        voters = np.flatnonzero(y >= 0)
        hist = np.flatnonzero((d.dates < d.dates[r] - np.timedelta64(1, "D"))
                              & (d.dates >= np.datetime64("2010-01-01")))
        x = d.classes[hist][:, voters].astype(int) + 1
        onehot = np.eye(3)[y[voters]]
        counts = np.einsum("hka,kb->hab", np.eye(4)[x], onehot)
        out[rid] = float((counts.max(axis=2).sum(axis=1) / len(voters)).max())
    return pd.Series(out, name="oracle")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    cat = load_catalogue()
    started = time.perf_counter()
    main_run = run_backtest(cat, seeds=range(args.seeds), frac=0.2)
    zero_run = run_backtest(cat, frac=0.0)
    votes_seconds = time.perf_counter() - started
    t1 = wide(main_run.per_resolution)
    t0 = wide(zero_run.per_resolution)
    pd.set_option("display.width", 200)
    print(f"Vote prediction, 20% revealed, {args.seeds} seeds ({main_run.seconds:.1f} s)")
    print(t1.round(3).to_string())
    print(f"\nknown={{}} on resolutions with an earlier vote of their series in the list ({zero_run.seconds:.1f} s)")
    print(t0.round(3).to_string())
    adopt_rows = []
    for cut in CUTOFFS:
        bt = backtest_next_adopters(cat, cut, k=10)
        if bt.empty:
            print(f"\nnext adopters, cut-off {cut}: {bt.attrs.get('note')}")
            continue
        mean = bt[["ours", "popularity", "random"]].mean()
        adopt_rows.append({"cutoff": cut, "instruments": len(bt), "new_adopters": int(bt["new_adopters"].sum()),
                           "undated_excluded": int(bt["undated_excluded"].sum()),
                           **{k: float(v) for k, v in mean.items()}})
        print(f"\nnext adopters, cut-off {cut}: precision@10 per instrument")
        print(bt.round(2).to_string(index=False))
    adopt = pd.DataFrame(adopt_rows)
    oracle = oracle_ceiling(cat)
    print(f"\ndiagnostic ceiling: best single earlier resolution, all target votes revealed: mean {oracle.mean():.3f}")
    print(oracle.round(3).to_string())
    total = time.perf_counter() - started
    print(f"\nwhole backtest: {total:.1f} s (vote prediction {votes_seconds:.1f} s)")
    mean1, mean0 = t1.loc["mean"], t0.loc["mean"]
    ok1 = mean1[("accuracy", "ours")] >= 0.92 and all(
        mean1[("accuracy", "ours")] > mean1[("accuracy", m)] for m in METHODS if m != "ours")
    ok0 = mean0[("accuracy", "ours")] >= 0.92
    print(f"target 20% revealed: mean accuracy >= 0.92 and above every baseline: {'met' if ok1 else 'NOT met'}")
    print(f"target known={{}}: mean accuracy >= 0.92: {'met' if ok0 else 'NOT met'}")
    if args.no_write:
        return 0
    body = [
        f"By `benchmarks/backtest.py`; load average {os.getloadavg()[0]:.1f}; catalogue {cat.version}. "
        f"Whole run {total:.1f} s "
        f"(vote prediction {votes_seconds:.1f} s; budget 60 s).",
        "",
        f"### 20% of voters revealed, {args.seeds} seeds (means over seeds)",
        "",
        markdown(t1),
        "",
        "### known={} (resolutions whose series has an earlier vote in the list)",
        "",
        markdown(t0),
        "",
        f"Targets: 20% revealed, mean accuracy >= 0.92 and above every baseline: **{'met' if ok1 else 'not met'}** "
        f"(ours {mean1[('accuracy', 'ours')]:.3f}); known={{}} mean >= 0.92: **{'met' if ok0 else 'not met'}** "
        f"(ours {mean0[('accuracy', 'ours')]:.3f}, last vote {mean0[('accuracy', 'last-in-series')]:.3f}).",
        "",
        "Notes. *Predecessor*: the resolutions whose series has an earlier vote **in the list** (9); "
        "A/RES/73/27's only predecessor, A/RES/71/28, was near-unanimous (181-0-1). "
        "All constants of `ours` (expert weights, neighbour counts, temperature) were chosen on these same 12 "
        "votes: there is no other set of contested cyber votes to hold out, so the numbers are optimistic "
        "for unseen votes (the *learned* expert's weights are fitted on earlier votes only, but its features "
        "and training-set sizes were chosen while watching these votes). "
        "Why 0.92 is not reached: as a diagnostic, the single best earlier resolution "
        "(since 2010), with each of its vote classes mapped to the target's classes using *all* the "
        f"target's votes, explains on average {oracle.mean():.3f} of the votes "
        f"({', '.join(f'{k[6:]} {v:.2f}' for k, v in oracle.items())}); with 20% revealed we reach "
        f"{mean1[('accuracy', 'ours')]:.3f}. With known={{}}, A/RES/74/29 (Western states moved from no to "
        "abstain) and A/RES/75/240 (back to no, with a new group of abstainers) are collective shifts that "
        "no data dated before the vote shows; the other seven average "
        f"{t0.drop(index=['A/RES/74/29', 'A/RES/75/240', 'mean'], errors='ignore')[('accuracy', 'ours')].mean():.3f}. "
        "Candidate improvements (an analogue expert over earlier contested votes, abstention propensity, "
        "group memberships, second-order and learned-drift series models) and the same predictor with 50% "
        "and 80% of the target's votes revealed are measured in the section *Vote prediction experiments*: "
        "none raised mean accuracy, and 80% revealed stays below 0.92.",
        "",
        "### Next adopters: precision@10, adoptions after the cut-off hidden",
        "",
        markdown(adopt.set_index("cutoff")) if len(adopt) else "no adoption data",
        "",
        "Mean over instruments with >= 1 adopter at the cut-off and >= 1 UN member adopting after it "
        "(with an explicit date). Undated adoption rows count from their source's as-of date (often the day "
        "the page was read), so they are not treated as adoptions after the cut-off: those (instrument, party) "
        "pairs are neither positives nor candidates (`undated_excluded`: over the instruments listed; an instrument "
        "whose only later adopters are undated drops out). Before this "
        "rule (undated rows counted as adoptions after the cut-off) the same table read 10 / 11 instruments, "
        "215 / 202 new adopters, ours 0.500 / 0.436, popularity 0.450 / 0.391, random 0.070 / 0.100: mostly "
        "undated endorsements, i.e. not evidence of adoption after the cut-off. "
        "`ours`: 0.5 x alignment-weighted share of the 15 most aligned parties that adopted + 0.5 x the "
        "party's number of other same-stance adoptions (relative); `popularity`: most adoptions overall; "
        "`random`: seeded shuffle. The 0.5 weight was chosen on these cut-offs (before the undated rule).",
    ]
    write_section(SECTION, "\n".join(body))
    print(f"wrote section '{SECTION}' of benchmarks/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
