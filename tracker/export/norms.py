"""Norm-commitment sections of the reports: one party's ladder, several parties side by side, and
the share of a bloc's members on each rung (tracker.norms, issue 13).

A party's commitment to a norm is the strongest rung of its supporting evidence (1 binding ...
5 consensus), never a yes/no flag; rejecting evidence is shown beside it, never netted away.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from tracker.catalogue import scope
from tracker.export.report import Section

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

NONE_RECORDED = "none recorded"
ONLY_AGAINST = "qualifying or rejecting evidence only"
NORM_METHOD = (
    "Norm commitments: each party's strongest supporting evidence for a norm on the ladder 1 binding "
    "(bound by a treaty in force whose clause carries it) > 2 national position > 3 implementation (law, "
    "strategy, national standard) > 4 named commitment (declaration, joint statement, sponsorship, signature) "
    "> 5 consensus (joined a UN consensus or voted for a resolution affirming it); none recorded is not "
    "rejection. Rejecting evidence is reported beside the support, never netted away. Evidence is stored "
    "(cited to the document) or derived from adoptions and resolutions through the crosswalk, whose "
    "confidence says how well a clause matches the norm, not how committed a State is."
)


def ladder_on(cat: Catalogue, day: date, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """tracker.norms.ladder on ``day``, for ``codes`` (all parties when None). Today's ladder is the
    ladder of everything recorded (the catalogue holds no evidence dated after today), so it shares
    the catalogue's memo of the evidence. One party's is ranked from its own evidence; several
    parties' from the ladder of all, computed once per catalogue and day."""
    from tracker import norms

    when = None if day >= date.today() else day
    if codes is not None and len(codes) == 1:
        return norms.ladder(cat, party=codes[0], as_of=when)
    lad = cat.memo(("export.norm_ladder", when), lambda: norms.ladder(cat, as_of=when))
    return lad if codes is None else lad[lad["party_code"].isin(codes)]


def rung_text(row) -> str:
    """ "2 national position", "qualifying or rejecting evidence only" or "none recorded", with
    "; rejecting evidence recorded" when there is any beside the support."""
    if row is None:
        return NONE_RECORDED
    text = f"{int(row['level'])} {row['level_name']}" if row["supported"] else ONLY_AGAINST
    if row["rejected"] and row["supported"]:
        text += "; rejecting evidence recorded"
    return text


def norm_ids(cat: Catalogue) -> list[str]:
    return cat.instruments.loc[cat.instruments["kind"] == "norm", "id"].tolist()


def party_section(cat: Catalogue, code: str, day: date) -> Section:
    """One row per norm: the party's strongest rung, the evidence behind it, rejecting evidence."""
    labels = scope.instrument_labels(cat)
    lad = ladder_on(cat, day, [code]).set_index("norm_id")
    rows = []
    for norm in norm_ids(cat):
        r = lad.loc[norm] if norm in lad.index else None
        rows.append(
            {
                "norm_id": norm,
                "norm": labels.get(norm, norm),
                "level": int(r["level"]) if r is not None and r["supported"] else None,
                "commitment": rung_text(r),
                "rejecting_evidence": bool(r["rejected"]) if r is not None else False,
                "evidence": int(r["n_evidence"]) if r is not None else 0,
                "strongest_document": r["document"] if r is not None else "",
                "newest": r["newest"] if r is not None else "",
                "source_id": r["source_id"] if r is not None else "",
            }
        )
    table = pd.DataFrame(rows).astype({"level": "Int64"})
    held = table["level"].notna()
    above = int((table["level"] <= 4).fillna(False).sum())
    name = cat.party_name(code)
    rejecting = int(table["rejecting_evidence"].sum())
    text = (
        f"{name} on {day}: supporting evidence for {int(held.sum())} of {len(table)} norms, "
        f"{above} of them above consensus (a named commitment or stronger)"
        + (f"; rejecting evidence on {rejecting}." if rejecting else ".")
    )
    return Section(
        "norms",
        "Norm commitments",
        table,
        text=text,
        notes="Level: 1 binding, 2 national position, 3 implementation, 4 named commitment, 5 consensus; "
        "the source is that of the strongest piece of evidence.",
        compact=("norm", "commitment", "evidence", "strongest_document", "source_id"),
    )


def side_by_side_section(cat: Catalogue, codes: Sequence[str], day: date) -> Section:
    """One row per norm, one column per party: its strongest rung (or none recorded)."""
    labels = scope.instrument_labels(cat)
    lad = ladder_on(cat, day, codes).set_index(["norm_id", "party_code"])
    rows = []
    for norm in norm_ids(cat):
        row = {"norm_id": norm, "norm": labels.get(norm, norm)}
        sources = []
        for c in codes:
            r = lad.loc[(norm, c)] if (norm, c) in lad.index else None
            row[c] = rung_text(r)
            if r is not None and r["source_id"]:
                sources.append(r["source_id"])
        row["source_id"] = ";".join(dict.fromkeys(sources))
        rows.append(row)
    table = pd.DataFrame(rows, columns=["norm_id", "norm", *codes, "source_id"])
    return Section(
        "norms",
        "Norm commitments side by side",
        table,
        text="Each party's strongest supporting evidence per norm (1 binding ... 5 consensus).",
        notes="None recorded is not rejection; rejecting evidence is named beside the support.",
        compact=("norm", *codes),
    )


def bloc_section(cat: Catalogue, codes: Sequence[str], day: date) -> Section:
    """One row per norm: the share of the members whose strongest supporting evidence is on each rung."""
    from tracker.norms import LEVEL_NAMES

    labels = scope.instrument_labels(cat)
    lad = ladder_on(cat, day, codes)
    n = len(codes)
    rows = []
    for norm in norm_ids(cat):
        mine = lad[lad["norm_id"] == norm]
        sup = mine[mine["supported"]]
        row = {"norm_id": norm, "norm": labels.get(norm, norm), "members": n}
        for level, name in LEVEL_NAMES.items():
            row[name.replace(" ", "_")] = round(int((sup["level"] == level).sum()) / n, 4) if n else 0.0
        row[NONE_RECORDED.replace(" ", "_")] = round((n - len(sup)) / n, 4) if n else 0.0
        row["rejecting"] = int(mine["rejected"].sum())
        rows.append(row)
    shares = [name.replace(" ", "_") for name in (*LEVEL_NAMES.values(), NONE_RECORDED)]
    table = pd.DataFrame(rows, columns=["norm_id", "norm", "members", *shares, "rejecting"])
    return Section(
        "norms",
        "Norm commitments of the members",
        table,
        text=(
            f"Share of the {n} members whose strongest supporting evidence for each norm is on each rung of "
            "the ladder; rejecting = members with any rejecting evidence."
        ),
        formats=dict.fromkeys(shares, "percent"),
        compact=("norm", *shares, "rejecting"),
    )
