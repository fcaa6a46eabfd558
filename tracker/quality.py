"""The data quality report: what the catalogue holds, how strongly, how well dated and sourced.

The same tables feed `tracker validate --report` and the app's Sources page:
- per instrument: rows, parties by commitment level, undated rows, share of rows resting on
  secondary sources, the instrument's as-of date and its newest source;
- per norm: parties at each rung of the evidence ladder;
- UN Member States with no recorded action at all.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tracker.catalogue import Catalogue, load_catalogue
from tracker.catalogue.status import LEVELS


def instrument_quality(cat: Catalogue) -> pd.DataFrame:
    """One row per instrument with adoption data: rows, parties per level, undated, secondary share."""
    status = cat.status()
    levels = status.groupby(["instrument_id", "level"]).size().unstack(fill_value=0)
    levels = levels.reindex(columns=[lv for lv in LEVELS if lv in levels.columns])
    kinds = dict(zip(cat.sources["id"], cat.sources["kind"], strict=True))
    ad = cat.adoptions.assign(
        undated=cat.adoptions["date"].eq(""), secondary=cat.adoptions["source_id"].map(kinds).eq("secondary")
    )
    per = ad.groupby("instrument_id").agg(
        rows=("party_code", "size"), undated=("undated", "sum"), secondary=("secondary", "mean")
    )
    coverage = cat.coverage()
    out = per.join(levels).fillna(0)
    out["secondary"] = (out["secondary"] * 100).round(0).astype(int)
    out = out.rename(columns={"secondary": "secondary_%"})
    out.insert(0, "kind", coverage["kind"].reindex(out.index))
    out["as_of"] = coverage["as_of"].reindex(out.index)
    out["sources_as_of"] = coverage["sources_as_of"].reindex(out.index)
    ints = [c for c in out.columns if c not in ("kind", "as_of", "sources_as_of")]
    return out.astype({c: int for c in ints}).reset_index()


def untracked_instruments(cat: Catalogue) -> list[str]:
    """Instruments (not norm concepts) without any adoption row: no data, not 'no adopters'."""
    coverage = cat.coverage()
    return [i for i in coverage.index[~coverage["tracked"]] if coverage.loc[i, "kind"] != "norm"]


def un_members_without_action(cat: Catalogue) -> list[str]:
    members = set(cat.parties.loc[cat.parties["un_member"], "code"])
    return sorted(members - set(cat.adoptions["party_code"]))


def quality_report(source: Catalogue | Path | str | None = None) -> str:
    """The report for a loaded catalogue, or for the catalogue folder at ``source``."""
    from tracker import norms  # norms builds on the catalogue; imported only for the report

    cat = source if isinstance(source, Catalogue) else load_catalogue(source)
    kinds = cat.sources["kind"].value_counts()
    lines = [
        f"Catalogue {cat.version}: {len(cat.instruments)} instruments, {len(cat.parties)} parties, "
        f"{len(cat.adoptions)} adoption rows, {len(cat.stored_norm_evidence)} stored norm evidence rows, "
        f"{len(cat.resolutions)} resolutions, {len(cat.votes)} votes",
        "Sources by kind: "
        + ", ".join(f"{k} {kinds.get(k, 0)}" for k in ("document", "depositary", "official", "secondary")),
        "",
        "Instruments with adoption data (parties by commitment level; undated rows; % of rows on secondary sources):",
    ]
    for r in instrument_quality(cat).to_dict("records"):
        by_level = ", ".join(f"{lv.replace('_', ' ')} {r[lv]}" for lv in LEVELS if r.get(lv))
        lines.append(
            f"  {r['instrument_id']}: {by_level}; {r['rows']} rows, {r['undated']} undated, "
            f"{r['secondary_%']}% secondary (as of {r['as_of']}; sources as of {r['sources_as_of'] or '-'})"
        )
    untracked = untracked_instruments(cat)
    lines += ["", f"Instruments without adoption data ({len(untracked)}): {', '.join(untracked) or '-'}", ""]
    lines.append(
        "Norms: parties by strongest supporting evidence (1 binding ... 5 consensus), and with rejecting evidence:"
    )
    for r in norms.counts(cat).to_dict("records"):
        rungs = ", ".join(f"{name} {r[name]}" for name in norms.LEVEL_NAMES.values())
        lines.append(f"  {r['norm_id']}: {rungs}; {r['parties']} parties; rejecting {r['rejecting']}")
    un = cat.parties[cat.parties["un_member"]]
    missing = un_members_without_action(cat)
    lines += [
        "",
        f"UN Member States: {len(un)} (expected 193); without any recorded action: {len(missing)}"
        + (f" ({', '.join(missing)})" if missing else ""),
    ]
    return "\n".join(lines)
