"""Blocs and swing states against external, sourced evidence (issue 15).

Run:  python benchmarks/blocs_validation.py [--n-boot 30] [--no-write]

Evidence (benchmarks/data/external/, provenance in its README): the sponsor lists of the rival
UN cyber drafts 2019-2023 (the "known camps") and New America's 2018 Digital Deciders.

1. Bloc candidates (topic/window x method x number of blocs), each measured in this run:
   stability (mean adjusted Rand index of the blocs of 30 vote resamples with the full
   blocs; smallest mean Jaccard of a bloc), agreement with the sponsor camps (ARI and purity
   over the parties that sponsored one camp's texts only), and how well the blocs explain the
   12 contested cyber votes (share of votes cast equal to the own bloc's majority). Baselines:
   one bloc, and the UN regional groups as blocs.
2. The default configuration's blocs.
3. Swing states: how many, the permanent members among them, and precision / recall against
   the 50 Digital Deciders, beside baselines from the same votes: "mixed votes" (changed vote
   between consecutive votes of a series), "yes on both rival texts in some session", their
   union (roughly what the tracker listed before: 184), and a random draw of our size.
4. Gaps: Kenya against the AU and other party/bloc pairs at min_share 0.5 and 0.3.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from bench_results import write_section  # noqa: E402

from tracker import analytics, load_catalogue  # noqa: E402
from tracker.analytics.blocs import RIVAL_SERIES, adjusted_rand, contested_rows  # noqa: E402
from tracker.analytics.config import AnalysisConfig  # noqa: E402
from tracker.analytics.votes import vote_data  # noqa: E402

DATA = ROOT / "benchmarks" / "data" / "external"
SECTION = "Blocs and swing states: validation (issue 15)"
WEST_TEXTS = {"A/RES/74/28", "A/RES/75/32", "A/RES/78/16"}  # US-led GGE and PoA texts
P5 = ["USA", "GBR", "FRA", "RUS", "CHN"]


def sponsor_camps() -> tuple[pd.Series, list[str], pd.DataFrame]:
    sp = pd.read_csv(DATA / "sponsors.csv")
    side = sp["resolution_id"].map(lambda r: "GGE/PoA" if r in WEST_TEXTS else "OEWG/Russian-led")
    camps = side.groupby(sp["party_code"]).agg(lambda s: "both" if s.nunique() > 1 else s.iloc[0])
    return camps[camps != "both"], sorted(camps[camps == "both"].index), sp


def purity(blocs: np.ndarray, truth: list[str]) -> float:
    df = pd.DataFrame({"b": blocs, "t": truth})
    return float(df.groupby("b")["t"].agg(lambda s: s.value_counts().iloc[0]).sum() / len(df))


def cyber_fit(cat, parties: list[str], labels: np.ndarray) -> float:
    data = vote_data(cat)
    rows = contested_rows(data)
    cols = np.array([data.col_of[p] for p in parties])
    hit = cast = 0
    for b in np.unique(labels):
        v = data.classes[np.ix_(rows, cols[labels == b])]
        for row in v:
            row = row[row >= 0]
            if len(row):
                hit += np.bincount(row, minlength=3).max()
                cast += len(row)
    return hit / cast


def measure(cat, camps, parties, labels, res=None) -> dict:
    lab = dict(zip(parties, labels, strict=True))
    known = [p for p in camps.index if p in lab]
    out = {
        "blocs": len(np.unique(labels)),
        "sizes": "/".join(str(x) for x in sorted(np.bincount(pd.factorize(labels)[0]), reverse=True)),
        "sponsor ARI": adjusted_rand([lab[p] for p in known], camps[known].tolist()),
        "purity": purity(np.array([lab[p] for p in known]), camps[known].tolist()),
        "cyber fit": cyber_fit(cat, parties, np.asarray(labels)),
        "stability ARI": np.nan,
        "min bloc stability": np.nan,
    }
    if res is not None:
        out["stability ARI"] = res.details.get("partition_ari") or np.nan
        out["min bloc stability"] = float(res.blocs["stability"].min())
    return out


def candidates(cat, camps, n_boot: int) -> pd.DataFrame:
    rows = []
    windows = [("cyber", None), ("cyber", "2018"), ("all", "2018"), ("all", None)]
    for topic, since in windows:
        for method, k in [("hierarchical", None), ("hierarchical", 2), ("hierarchical", 3), ("hierarchical", 4)] + [
            ("louvain", None)
        ]:
            cfg = AnalysisConfig(
                topic=topic,
                since=since,
                method=method,
                n_blocs=k,
                n_boot=n_boot,
                min_votes=5 if topic == "cyber" else 10,
            )
            t = time.perf_counter()
            try:
                res = analytics.blocs(cat, config=cfg)
            except ValueError as err:
                rows.append(
                    {"topic": topic, "since": since or "-", "method": method, "k": k or "auto", "note": str(err)}
                )
                continue
            took = time.perf_counter() - t
            m = measure(cat, camps, res.assignments["party"].tolist(), res.assignments["bloc"].to_numpy(), res)
            rows.append(
                {"topic": topic, "since": since or "-", "method": method, "k": k or "auto"} | m | {"seconds": took}
            )
    parties = sorted(set(cat.parties.loc[cat.parties["un_member"], "code"]) & set(vote_data(cat).col_of))
    regional = cat.parties.set_index("code")["un_regional_group"]
    base = [
        ("baseline: one bloc", np.ones(len(parties), dtype=int)),
        ("baseline: UN regional groups", pd.factorize(regional.reindex(parties).fillna("none"))[0]),
    ]
    for name, labels in base:
        rows.append({"topic": "-", "since": "-", "method": name, "k": "-"} | measure(cat, camps, parties, labels))
    return pd.DataFrame(rows)


def precision_recall(found: set[str], truth: set[str], universe: set[str]) -> tuple[int, int, float, float, float]:
    found, truth = found & universe, truth & universe
    tp = len(found & truth)
    p = tp / len(found) if found else 0.0
    r = tp / len(truth) if truth else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return len(found), tp, p, r, f


def mixed_votes(cat) -> tuple[set[str], set[str]]:
    """Baselines: changed vote between consecutive votes of a series; yes on both rival texts."""
    data = vote_data(cat)
    rows = contested_rows(data)
    series = data.resolutions["series"].to_numpy()[rows]
    ids = data.resolutions["id"].to_numpy()[rows]
    changed, both = set(), set()
    for s in set(series):
        pos = rows[series == s]
        for a, b in zip(pos, pos[1:], strict=False):
            ca, cb = data.classes[a], data.classes[b]
            changed |= {data.parties[j] for j in np.flatnonzero((ca >= 0) & (cb >= 0) & (ca != cb))}
    sessions = np.array([i.split("/")[2] for i in ids])
    for sess in set(sessions):
        a = rows[(sessions == sess) & (series == RIVAL_SERIES[0])]
        b = rows[(sessions == sess) & (series == RIVAL_SERIES[1])]
        for ra in a:
            for rb in b:
                both |= {data.parties[j] for j in np.flatnonzero((data.classes[ra] == 2) & (data.classes[rb] == 2))}
    return changed, both


def fmt_table(df: pd.DataFrame) -> str:
    def cell(x):
        if isinstance(x, float):
            return "-" if np.isnan(x) else f"{x:.3f}"
        return str(x)

    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-boot", type=int, default=30)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    cat = load_catalogue()
    camps, double, sponsors = sponsor_camps()
    lists = pd.read_csv(DATA / "swing_lists.csv")
    dd = lists[lists["category"] == "Digital Deciders"]
    deciders = set(dd["party_code"])
    open_camp = set(lists.loc[lists["category"] == "Global and Open", "party_code"])
    closed_camp = set(lists.loc[lists["category"] == "Sovereign and Controlled", "party_code"])
    mm = set(lists.loc[lists["list_id"] == "maurer-morgus-2014", "party_code"])

    grid = candidates(cat, camps, args.n_boot)
    print(grid.to_string())

    cfg = AnalysisConfig(n_boot=args.n_boot)
    res = analytics.blocs(cat, config=cfg)
    bloc_rows = []
    for r in res.blocs.itertuples():
        comp = pd.Series([camps.get(p, "no sponsorship read") for p in r.members]).value_counts()
        bloc_rows.append(
            {
                "bloc": r.bloc,
                "label": r.label,
                "size": r.size,
                "stability": r.stability,
                "cohesion": r.cohesion,
                "GGE/PoA sponsors": int(comp.get("GGE/PoA", 0)),
                "OEWG sponsors": int(comp.get("OEWG/Russian-led", 0)),
                "uncertain members": " ".join(r.uncertain_members) or "-",
            }
        )
    bloc_table = pd.DataFrame(bloc_rows)
    print(bloc_table.to_string())

    t = time.perf_counter()
    sw = analytics.swing_states(cat, config=cfg, result=res)
    swing_s = time.perf_counter() - t
    with_sp = analytics.swing_states(cat, config=cfg, result=res, sponsors=sponsors)
    universe = set(res.assignments["party"])
    changed, both = mixed_votes(cat)
    ours = set(sw["party"])
    rng = np.random.default_rng(0)
    rand_scores = [
        precision_recall(set(rng.choice(sorted(universe), len(ours), replace=False)), deciders, universe)
        for _ in range(200)
    ]
    rows = []
    for name, found in [
        ("ours (default configuration)", ours),
        ("ours + sponsoring both rival drafts", set(with_sp["party"])),
        ("baseline: changed vote between consecutive votes of a series", changed),
        ("baseline: yes on both rival texts in some session", both),
        ("baseline: either (about the old list)", changed | both),
    ]:
        n, tp, p, r, f = precision_recall(found, deciders, universe)
        rows.append(
            {
                "list": name,
                "parties": n,
                "Digital Deciders in it": tp,
                "precision": p,
                "recall": r,
                "F1": f,
                "P5 in it": " ".join(sorted(found & set(P5))) or "none",
                "Global and Open in it": len(found & open_camp),
                "Sovereign and Controlled in it": len(found & closed_camp),
                "Maurer-Morgus (7 known) in it": len(found & mm),
            }
        )
    rp = np.array([s[2:] for s in rand_scores]).mean(axis=0)
    rows.append(
        {
            "list": f"baseline: random {len(ours)} (mean of 200 draws)",
            "parties": len(ours),
            "Digital Deciders in it": round(rp[0] * len(ours), 1),
            "precision": rp[0],
            "recall": rp[1],
            "F1": rp[2],
            "P5 in it": "-",
            "Global and Open in it": "-",
            "Sovereign and Controlled in it": "-",
            "Maurer-Morgus (7 known) in it": "-",
        }
    )
    swing_table = pd.DataFrame(rows)
    print(swing_table.to_string())
    events = pd.DataFrame(sw.attrs["bloc_events"])
    double_found = sorted(set(double) & set(with_sp["party"]))

    gap_rows = []
    for party, bloc, own in [
        ("KEN", "au", "malabo-convention"),
        ("NGA", "au", "malabo-convention"),
        ("IND", "eu", "budapest-convention"),
        ("MEX", "oecd", "budapest-convention"),
        ("BRA", "oas", "paris-call"),
    ]:
        row = {"party vs bloc": f"{party} vs {bloc}", "instrument": own}
        for ms in (0.5, 0.3):
            g = analytics.gaps(cat, party, bloc=bloc, min_share=ms)
            row[f"gaps at {ms}"] = len(g)
            row[f"shows it at {ms}"] = own in set(g["instrument_id"])
        share = analytics.gaps(cat, party, bloc=bloc, min_share=0)
        hit = share[share["instrument_id"] == own]
        row["bloc share"] = float(hit["bloc_share"].iloc[0]) if len(hit) else np.nan
        gap_rows.append(row)
    gap_table = pd.DataFrame(gap_rows)
    print(gap_table.to_string())
    if args.no_write:
        return 0

    grid_out = grid.drop(columns=[c for c in ("note",) if c in grid.columns])
    default = grid[(grid["topic"] == "all") & (grid["since"] == "-") & (grid["method"] == "hierarchical")]
    default = default[default["k"] == "auto"].iloc[0]
    cyber = grid[grid["topic"] == "cyber"]
    ours_row, both_row = swing_table.iloc[0], swing_table.iloc[3]
    stable = grid[grid["min bloc stability"] >= 0.75]
    reading = (
        f"Reading. The default blocs (all votes, hierarchical, number chosen by stability) agree with the sponsor "
        f"camps at ARI {default['sponsor ARI']:.3f}, purity {default['purity']:.3f} (best of the {len(stable)} "
        f"candidates whose every bloc is stable: {stable['sponsor ARI'].max():.3f}; "
        f"cyber-only candidates {cyber['sponsor ARI'].min():.3f}-{cyber['sponsor ARI'].max():.3f}) and explain the "
        f"contested cyber votes best (cyber fit {default['cyber fit']:.3f}, against "
        f"{cyber['cyber fit'].max():.3f} at most for blocs fitted on those very votes), while cyber-only blocs do not "
        f"hold up under resampling (stability ARI at most {cyber['stability ARI'].max():.3f}, against "
        f"{default['stability ARI']:.3f}). Hierarchical cuts of the cyber votes give 2 blocs even when 3 or 4 are "
        "asked for (tied merge heights). Swing states: "
        f"{int(ours_row['parties'])} with no permanent member; precision against the Digital Deciders "
        f"{ours_row['precision']:.3f} against {swing_table.iloc[-1]['precision']:.3f} for a random list of the same "
        f"size; recall is low by design: 'yes on both rival texts' ({int(both_row['parties'])} parties, recall "
        f"{both_row['recall']:.3f}) is the whole middle of the Assembly, which the default blocs hold as blocs of "
        "their own (1 and 3), so voting like one's bloc is not swinging (India, Indonesia and South Africa vote with "
        "theirs). The Digital Deciders were chosen in 2018 on internet-governance indicators, not votes, and the "
        "copy is secondary: agreement with it is a check, not a target. Nothing was tuned on these lists; the "
        "thresholds are the documented defaults of `tracker/analytics/config.py` and `swing.py`."
    )
    body = [
        f"By `benchmarks/blocs_validation.py`; catalogue {cat.version}; {args.n_boot} resamples; evidence in "
        "`benchmarks/data/external/` (sponsor lists of the rival drafts 2019-2023 from the UN's DGACM records; New "
        "America's Digital Deciders 2018, a secondary copy; 7 of Maurer and Morgus's 30; see its README).",
        "",
        f"Sponsor camps: {int((camps == 'GGE/PoA').sum())} parties sponsored only US-led GGE/PoA texts, "
        f"{int((camps != 'GGE/PoA').sum())} only Russian-led OEWG/cybercrime texts; {len(double)} sponsored both "
        f"({' '.join(double)}). *cyber fit*: share of the votes cast on the 12 contested cyber votes 2018-2023 that "
        "equal the voter's bloc majority (the 'cyber' rows are fitted on those same votes). *stability ARI*: mean "
        "adjusted Rand index of the blocs of each vote resample with the full blocs; *min bloc stability*: the "
        "least stable bloc's mean Jaccard (>= 0.75 stable).",
        "",
        "### Bloc candidates",
        "",
        fmt_table(grid_out.rename(columns={"seconds": "s"})),
        "",
        f"### Default configuration: {cfg.describe()}",
        "",
        fmt_table(bloc_table),
        "",
        f"Number of blocs: {res.details['k']} ({res.details['k_rule']}; smallest bloc stability by number of blocs: "
        f"{res.details.get('min_bloc_stability')}).",
        "",
        "### Swing states against the Digital Deciders (50)",
        "",
        f"Universe: the {len(universe)} parties placed in blocs ({len(deciders & universe)} Digital Deciders among "
        f"them). Swing states took {swing_s * 1000:.0f} ms given the blocs.",
        "",
        fmt_table(swing_table),
        "",
        f"Our {len(ours)}: {' '.join(sorted(ours))}.",
        "",
        f"With the sponsor table, the double sponsors flagged: {' '.join(double_found) or 'none'} of "
        f"{' '.join(double)}.",
        "",
        "Bloc events (a bloc-wide change of vote, not a swing of each member): "
        + (
            "; ".join(
                f"bloc {e.bloc} {e.from_vote} -> {e.to_vote} on the {e.series} texts ({e.before} -> {e.after}), "
                f"{e.moved} of {e.voting}"
                for e in events.itertuples()
            )
            or "none"
        )
        + ".",
        "",
        reading,
        "",
        "### Gaps: min_share",
        "",
        fmt_table(gap_table),
    ]
    write_section(SECTION, "\n".join(body))
    print(f"wrote section '{SECTION}' of benchmarks/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
