"""Who has committed to each norm, and how strongly: the evidence ladder.

A party's commitment to a norm is never a yes/no flag. Each piece of evidence sits on a rung,
strongest first: 1 binding (bound by a treaty in force whose clause carries the norm),
2 national position (an official national or regional position addressing it),
3 implementation (a national law, strategy or standard giving effect to it),
4 named commitment (signed or endorsed a text carrying it, sponsored a UN draft affirming it,
signed a treaty not yet binding), 5 consensus (joined a UN consensus or voted for a resolution
affirming it). Rejecting and qualifying evidence is shown beside the support, never netted away.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from tracker.catalogue import Catalogue
from tracker.catalogue.evidence import EVIDENCE_COLUMNS, LEVEL_NAMES, all_evidence
from tracker.catalogue.scope import instrument_labels
from tracker.dates import known_by, to_date
from tracker.errors import InvalidInput
from tracker.parties import PartyResolver

LADDER_COLUMNS = [
    "party_code",
    "norm_id",
    "level",
    "level_name",
    "supported",
    "n_evidence",
    "newest",
    "rejected",
    "qualified",
    "source_id",
    "document",
]


def _date_key(value: str) -> date:
    return known_by(value) or date.min


def norm_ids(cat: Catalogue) -> list[str]:
    return cat.instruments.loc[cat.instruments["kind"] == "norm", "id"].tolist()


def resolve_norm(cat: Catalogue, text: str) -> str:
    """A norm concept by id, short name, name or alias ("two person rule", "13(c)")."""
    norms = cat.instruments[cat.instruments["kind"] == "norm"]
    wanted = str(text).strip().casefold()
    for col in ("id", "short_name", "name"):
        hit = norms.loc[norms[col].str.casefold() == wanted, "id"]
        if len(hit):
            return str(hit.iloc[0])
    aliases = cat.instrument_aliases[cat.instrument_aliases["instrument_id"].isin(norms["id"])]
    hit = aliases.loc[aliases["alias"].str.casefold() == wanted, "instrument_id"]
    if len(hit):
        return str(hit.iloc[0])
    from tracker.search import SearchIndex  # only for a suggestion: search builds its index on demand

    hits = SearchIndex(cat).search(text, kind="norm", limit=3)
    # a clear best match of a name or alias ("two person rule", "segregation of duties") is taken
    if hits and hits[0].score >= 85 and (len(hits) == 1 or hits[0].score - hits[1].score >= 5):
        return hits[0].id
    hint = f"; did you mean {', '.join(h.id for h in hits)}?" if hits else ""
    raise InvalidInput(f"unknown norm {text!r}{hint} (norms: {', '.join(norms['id'])})")


def evidence(cat: Catalogue, *, norm: str | None = None, party: str | None = None, as_of: Any = None) -> pd.DataFrame:
    """Every piece of evidence (stored and derived), optionally for one norm and/or party, as of a date."""
    day: date | None = to_date(as_of, end=True)
    ev = cat.norm_evidence if day is None else cat.memo(("norm_evidence", day), lambda: all_evidence(cat, day))
    if norm is not None:
        ev = ev[ev["norm_id"] == resolve_norm(cat, norm)]
    if party is not None:
        ev = ev[ev["party_code"] == PartyResolver(cat).require(party)]
    return ev.reset_index(drop=True)


def ladder(cat: Catalogue, *, norm: str | None = None, party: str | None = None, as_of: Any = None) -> pd.DataFrame:
    """One row per (party_code, norm_id) with any evidence known by ``as_of``.

    ``level`` is the strongest rung of supporting evidence (1 binding ... 5 consensus); a pair
    with only qualifying or rejecting evidence has ``supported`` False and the level of that
    evidence. ``rejected``/``qualified``: any such evidence. ``source_id`` and ``document`` are
    those of the strongest piece (the newest among equals). Parties with no evidence are absent.
    """
    ev = evidence(cat, norm=norm, party=party, as_of=as_of)
    if ev.empty:
        return pd.DataFrame(columns=LADDER_COLUMNS)
    when = ev["date"].map(_date_key)
    ev = ev.assign(
        _support=ev["polarity"].eq("supports"),
        _when=when,
        _rejects=ev["polarity"].eq("rejects"),
        _qualifies=ev["polarity"].eq("qualifies"),
    )
    keys = ["party_code", "norm_id"]
    # strongest first: supporting before other evidence, then the level, then the newest
    ranked = ev.sort_values(keys + ["_support", "level", "_when"], ascending=[True, True, False, True, False])
    best = ranked.drop_duplicates(keys).set_index(keys)
    newest = ev.sort_values("_when", kind="stable").drop_duplicates(keys, keep="last").set_index(keys)["date"]
    grouped = ev.groupby(keys)
    out = pd.DataFrame(
        {
            "level": best["level"].astype(int),
            "supported": best["_support"].astype(bool),
            "n_evidence": grouped.size(),
            "newest": newest,  # as written: a partial date stays partial
            "rejected": grouped["_rejects"].any(),
            "qualified": grouped["_qualifies"].any(),
            "source_id": best["source_id"],
            "document": best["document"],
        }
    ).reset_index()
    out["level_name"] = out["level"].map(LEVEL_NAMES)
    return out[LADDER_COLUMNS].sort_values(["norm_id", "level", "party_code"]).reset_index(drop=True)


def counts(cat: Catalogue, as_of: Any = None) -> pd.DataFrame:
    """Per norm: parties with supporting evidence at each level (and with rejecting evidence)."""
    lad = ladder(cat, as_of=as_of)
    labels = instrument_labels(cat)
    rows = []
    for norm_id in norm_ids(cat):
        mine = lad[lad["norm_id"] == norm_id]
        sup = mine[mine["supported"]]
        row: dict[str, Any] = {"norm_id": norm_id, "norm": labels.get(norm_id, norm_id)}
        for level, name in LEVEL_NAMES.items():
            row[name] = int((sup["level"] == level).sum())
        row["parties"] = int(len(sup))
        row["rejecting"] = int(mine["rejected"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["EVIDENCE_COLUMNS", "LADDER_COLUMNS", "LEVEL_NAMES", "counts", "evidence", "ladder", "resolve_norm"]
