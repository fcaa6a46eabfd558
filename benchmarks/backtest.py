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
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from tracker import load_catalogue  # noqa: E402
from tracker.analytics import CONTESTED, backtest_next_adopters, run_backtest  # noqa: E402
from tracker.analytics.backtest import METHODS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "backtest"
CUTOFFS = ("2021-12-31", "2022-12-31")


def write_section(name: str, body: str) -> None:
    start, end = f"<!-- section: {name} -->", f"<!-- /section: {name} -->"
    header = "# Benchmark results\n\nEach section is rewritten by its script.\n"
    text = RESULTS.read_text() if RESULTS.exists() else header
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)


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
        lines.append(f"| {idx} | " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines)


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
                           **{k: float(v) for k, v in mean.items()}})
        print(f"\nnext adopters, cut-off {cut}: precision@10 per instrument")
        print(bt.round(2).to_string(index=False))
    adopt = pd.DataFrame(adopt_rows)
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
        "## Vote prediction backtest (`benchmarks/backtest.py`)",
        "",
        f"Measured {date.today()} on {platform.node() or 'this machine'} ({os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}); catalogue {cat.version}. Whole run {total:.1f} s "
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
        "### Next adopters: precision@10, adoptions after the cut-off hidden",
        "",
        markdown(adopt.set_index("cutoff")) if len(adopt) else "no adoption data",
    ]
    write_section(SECTION, "\n".join(body))
    print(f"wrote section '{SECTION}' of {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
