"""Evidence that a party committed to a norm, derived from what the catalogue already records.

Stored evidence (``norm_evidence.csv``: national positions, national rules, joint statements,
dissociations) is combined with evidence derived when the catalogue is read:

- **adoptions x crosswalk**: a party's status on an instrument whose clause carries the norm.
  Bound by a treaty in force for it: level 1 (binding). Ratified but not yet in force, signed,
  endorsed, joined or sponsored: level 4 (named commitment). A national adoption of a
  standard: level 3 (implementation). A seat in a standards body is no evidence. A withdrawal
  is shown as qualifying evidence.
- **resolutions x links x crosswalk**: a UN General Assembly resolution that endorses,
  welcomes or calls upon States to be guided by an instrument carrying the norm. Adopted
  without a vote: every UN Member State on that day joined the consensus (level 5). A recorded
  vote: yes supports (level 5); no or abstain qualifies (a vote is cast on the whole text, so
  it is not read as rejecting the norm). Sponsoring the draft: level 4.
- one step of norm -> norm crosswalk (a norm that carries another, e.g. 13(e) -> human rights
  online) passes the evidence on, naming the norm it came through.

The crosswalk's confidence says how well a clause matches the norm, not how committed a State
is; it travels with each derived row as ``confidence``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from tracker.dates import known_by

if TYPE_CHECKING:
    from tracker.catalogue.model import Catalogue

LEVEL_NAMES = {
    1: "binding",
    2: "national position",
    3: "implementation",
    4: "named commitment",
    5: "consensus",
}
KIND_LEVEL = {
    "binding_clause": 1,
    "national_position": 2,
    "regional_position": 2,
    "national_law": 3,
    "national_strategy": 3,
    "national_standard": 3,
    "national_policy": 3,
    "joint_statement": 4,
    "declaration": 4,
    "sponsorship": 4,
    "treaty_signature": 4,
    "consensus": 5,
    "dissociation": 5,
    "explanation_of_position": 5,
}
QUOTE_LIMIT = 300
# kinds the catalogue derives by itself (a stored row of these kinds would double-count)
DERIVED_KINDS = frozenset({"binding_clause", "consensus"})
EVIDENCE_COLUMNS = [
    "party_code",
    "norm_id",
    "kind",
    "level",
    "polarity",
    "date",
    "document",
    "locator",
    "quote",
    "source_id",
    "note",
    "derived",
    "instrument_id",
    "relationship",
    "confidence",
]
# status level -> (evidence kind, ladder level, polarity); levels without an entry give no evidence
FROM_STATUS = {
    "bound": ("binding_clause", 1, "supports"),
    "ratified_not_in_force": ("ratification", 4, "supports"),
    "signed": ("treaty_signature", 4, "supports"),
    "committed": ("declaration", 4, "supports"),
    "implemented": ("national_standard", 3, "supports"),
    "withdrawn": ("withdrawal", 4, "qualifies"),
}
VOTE_POLARITY = {"yes": "supports", "no": "qualifies", "abstain": "qualifies"}


def _frame(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.reindex(columns=EVIDENCE_COLUMNS)
    text = [c for c in EVIDENCE_COLUMNS if c not in ("level", "derived")]
    out[text] = out[text].fillna("").astype(str)
    out["level"] = out["level"].astype(int)
    out["derived"] = out["derived"].astype(bool)
    return out


def _from_adoptions(cat: Catalogue, as_of: date | None) -> pd.DataFrame:
    cw = cat.crosswalk
    st = cat.status(as_of)
    if cw.empty or st.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    st = st[st["level"].isin(FROM_STATUS)]
    rows = st.merge(cw, on="instrument_id", suffixes=("", "_cw"))
    if rows.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    mapped = rows["level"].map(FROM_STATUS)
    labels = cat.instruments.set_index("id")["short_name"]
    bound = rows["level"] == "bound"
    dates = rows["since"].where(~bound, rows["in_force_from"].map(lambda d: d.isoformat() if d else ""))
    out = pd.DataFrame(
        {
            "party_code": rows["party_code"],
            "norm_id": rows["norm_id"],
            "kind": mapped.str[0],
            "level": mapped.str[1],
            "polarity": mapped.str[2],
            "date": dates.fillna(""),
            "document": rows["instrument_id"].map(labels),
            "locator": rows["clause"],
            "quote": "",
            "source_id": rows["source_id"],
            "note": "status " + rows["level"].str.replace("_", " ") + ("" if as_of is None else f" on {as_of}"),
            "derived": True,
            "instrument_id": rows["instrument_id"],
            "relationship": rows["relationship"],
            "confidence": rows["confidence"],
        }
    )
    undated = ~rows["date_known"].astype(bool)
    out.loc[undated.to_numpy(), "note"] += " (date unknown: listed by a source without a date)"
    return out


def _un_members_on(parties: pd.DataFrame, day: date) -> list[str]:
    members = parties[parties["un_member"]]
    since = members["un_member_since"].map(known_by)
    return members.loc[since.map(lambda d: d is None or d <= day).to_numpy(), "code"].tolist()


def _from_resolutions(cat: Catalogue, as_of: date | None) -> pd.DataFrame:
    links, cw = cat.resolution_links, cat.crosswalk
    if links.empty or cw.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    res = cat.resolutions.set_index("id")
    carried = links.merge(cw, on="instrument_id", suffixes=("_link", ""))
    if carried.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    carried = carried[carried["resolution_id"].isin(res.index)]
    if as_of is not None:
        carried = carried[carried["resolution_id"].map(res["date"]) <= as_of.isoformat()]
    parts = []
    for rid, group in carried.groupby("resolution_id", sort=False):
        r = res.loc[rid]
        day = date.fromisoformat(r["date"])
        base = {
            "date": r["date"],
            "document": r["symbol"] or rid,
            "quote": "",
            "derived": True,
        }
        if not r["recorded_vote"] and r["forum"] == "UNGA":
            who = pd.DataFrame({"party_code": _un_members_on(cat.parties, day), "polarity": "supports"})
            who["kind"], who["level"], who["source_id"] = "consensus", 5, r["source_id"]
            who["note"] = f"adopted without a vote on {r['date']}: every UN Member State joined the consensus"
        elif r["recorded_vote"]:
            v = cat.votes[(cat.votes["resolution_id"] == rid) & cat.votes["vote"].isin(VOTE_POLARITY)]
            who = pd.DataFrame(
                {
                    "party_code": v["party_code"],
                    "polarity": v["vote"].map(VOTE_POLARITY),
                    "source_id": v["source_id"],
                    "note": "voted " + v["vote"] + " (a vote is on the whole text)",
                }
            )
            who["kind"], who["level"] = "vote", 5
        else:
            who = pd.DataFrame(columns=["party_code", "polarity", "kind", "level", "source_id", "note"])
        sp = cat.resolution_sponsors[cat.resolution_sponsors["resolution_id"] == rid]
        if len(sp):
            sponsors = pd.DataFrame(
                {
                    "party_code": sp["party_code"],
                    "polarity": "supports",
                    "kind": "sponsorship",
                    "level": 4,
                    "source_id": sp["source_id"],
                    "note": sp["role"] + " of the draft",
                }
            )
            who = pd.concat([who, sponsors], ignore_index=True)
        if who.empty:
            continue
        link_cols = ["norm_id", "instrument_id", "clause", "relationship", "confidence", "relation", "locator"]
        rows = who.merge(group[link_cols], how="cross")
        parts.append(
            pd.DataFrame(
                {
                    **{k: rows[k] for k in ("party_code", "polarity", "kind", "level", "source_id")},
                    **base,
                    "norm_id": rows["norm_id"],
                    "locator": (rows["locator"].where(rows["locator"] != "", "") + " -> " + rows["clause"]).str.strip(
                        " ->"
                    ),
                    "note": rows["note"] + "; " + rows["relation"].str.replace("_", " ") + " " + rows["instrument_id"],
                    "instrument_id": rows["instrument_id"],
                    "relationship": rows["relationship"],
                    "confidence": rows["confidence"],
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    # one resolution linked twice to instruments carrying the same norm is one piece of evidence
    out = pd.concat(parts, ignore_index=True)
    return out.drop_duplicates(["party_code", "norm_id", "document", "kind", "polarity"])


def _through_norms(cat: Catalogue, evidence: pd.DataFrame) -> pd.DataFrame:
    """Evidence for a norm that carries another norm (crosswalk norm -> norm), one step."""
    kinds = cat.instruments.set_index("id")["kind"]
    cw = cat.crosswalk[cat.crosswalk["instrument_id"].map(kinds).eq("norm")]
    if cw.empty or evidence.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    rows = evidence.merge(
        cw[["norm_id", "instrument_id", "clause", "relationship", "confidence"]],
        left_on="norm_id",
        right_on="instrument_id",
        suffixes=("_from", ""),
    )
    if rows.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    out = rows.drop(columns=["norm_id_from", "instrument_id_from", "relationship_from", "confidence_from"])
    out["note"] = out["note"].where(out["note"] == "", out["note"] + "; ") + "through " + out["instrument_id"]
    out["derived"] = True
    return out.drop(columns=["clause"])


def all_evidence(cat: Catalogue, as_of: date | None = None) -> pd.DataFrame:
    """Stored and derived norm evidence (as of a date: derived rows follow the status on that day)."""
    stored = cat.stored_norm_evidence.assign(derived=False, instrument_id="", relationship="", confidence="")
    if as_of is not None:
        stored = stored[stored["date"].map(lambda d: not d or (known_by(d) or date.min) <= as_of).to_numpy()]
    derived = [_from_adoptions(cat, as_of), _from_resolutions(cat, as_of)]
    first = (
        pd.concat([_frame(f) for f in (stored, *derived) if len(f)], ignore_index=True)
        if any(len(f) for f in (stored, *derived))
        else pd.DataFrame(columns=EVIDENCE_COLUMNS)
    )
    if first.empty:
        return _frame(first)
    chained = _through_norms(cat, first)
    out = pd.concat([first, _frame(chained)], ignore_index=True) if len(chained) else first
    out = _frame(out)
    return out.sort_values(["norm_id", "party_code", "level", "date"], kind="stable").reset_index(drop=True)
