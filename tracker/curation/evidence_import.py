"""Bulk import of norm evidence (CSV or XLSX) as one proposal, reviewed like every change.

Columns: ``party, norm, kind, polarity, date, document, locator, quote, source, note``
(``party``, ``norm``, ``kind`` and ``document`` required). A party matches by code (upper
case), name or curated alias; a norm by id, name or alias. The level follows from the kind
(national position 2, national law 3, joint statement 4, ...). Each row is added, or updates the
live row with the same (party, norm, document, locator, polarity), or is unchanged. Any problem
in the file (reported as file:row:column) and no proposal is made; the catalogue's own rules
(e.g. a date before the document existed) are checked again when the proposal is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pandas as pd

from tracker.catalogue.evidence import DERIVED_KINDS, KIND_LEVEL, QUOTE_LIMIT
from tracker.catalogue.rules import FORMULA_START
from tracker.curation.changes import Change, live_row, make_change, text_frame
from tracker.curation.importer import ImportRejected, read_rows
from tracker.curation.users import User
from tracker.curation.workflow import propose
from tracker.dates import date_bounds
from tracker.errors import CurationError, Problem
from tracker.parties import PartyResolver, normalise
from tracker.schema import enum_values
from tracker.text import control_char_problem, printable

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

EVIDENCE_IMPORT_COLUMNS = (
    "party",
    "norm",
    "kind",
    "polarity",
    "date",
    "document",
    "locator",
    "quote",
    "source",
    "note",
)
EVIDENCE_REQUIRED = ("party", "norm", "kind", "document")


@dataclass
class EvidencePlan:
    filename: str
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        added = sum(c.op == "add" for c in self.changes)
        return {"added": added, "changed": len(self.changes) - added, "unchanged": self.unchanged}


def _norm_index(instruments: pd.DataFrame, aliases: pd.DataFrame) -> dict[str, str]:
    norms = instruments[instruments["kind"] == "norm"]
    index = {
        normalise(v): i for col in ("id", "short_name", "name") for v, i in zip(norms[col], norms["id"], strict=True)
    }
    mine = aliases[aliases["instrument_id"].isin(norms["id"])]
    index.update({normalise(a): i for a, i in zip(mine["alias"], mine["instrument_id"], strict=True)})
    return index


def plan_evidence_import(
    data: bytes, filename: str, *, source_id: str, today: date | None = None, engine=None
) -> EvidencePlan:
    """Read the file and diff it against the live norm evidence; nothing is written."""
    from tracker.db import session_scope

    rows, problems = read_rows(data, filename, columns=EVIDENCE_IMPORT_COLUMNS, required=EVIDENCE_REQUIRED)
    name = printable(filename or "upload")
    plan = EvidencePlan(name, problems=problems)
    today = today or date.today()
    kinds, polarities = enum_values("norm_evidence", "kind"), enum_values("norm_evidence", "polarity")
    with session_scope(engine) as session:
        frames = {
            t: text_frame(session, t)
            for t in ("parties", "party_aliases", "instruments", "instrument_aliases", "sources")
        }
        # PartyResolver reads only these two frames of a catalogue
        resolver = PartyResolver(
            cast("Catalogue", SimpleNamespace(parties=frames["parties"], party_aliases=frames["party_aliases"]))
        )
        norms = _norm_index(frames["instruments"], frames["instrument_aliases"])
        sources = set(frames["sources"]["id"])
        seen: dict[tuple, int] = {}
        for raw in rows:
            line = raw["_line"]
            before = len(plan.problems)

            def problem(column: str, message: str, line: int = line) -> None:
                plan.problems.append(Problem(name, line, column, message))

            for col in EVIDENCE_IMPORT_COLUMNS:
                value = raw.get(col, "")
                control = control_char_problem(value)
                if control:
                    problem(col, control)
                elif value.startswith(FORMULA_START):
                    problem(col, f"text starts with {value[:1]!r} (spreadsheet formula risk): {value[:30]!r}")
            for col in EVIDENCE_REQUIRED:
                if not raw.get(col):
                    problem(col, "required value is missing")
            if len(plan.problems) > before:
                continue
            party_text = raw["party"]
            code = resolver.resolve(party_text)
            if code is not None and len(party_text) <= 3 and not party_text.isupper():
                code = None  # "No", "It": words, not country codes
            if code is None:
                hints = ", ".join(f"{m.name} ({m.code})" for m in resolver.suggest(party_text)[:3])
                problem("party", f"unknown party {party_text!r}" + (f"; did you mean {hints}?" if hints else ""))
            norm = norms.get(normalise(raw["norm"]))
            if norm is None:
                problem("norm", f"unknown norm {raw['norm']!r} (norms: {', '.join(sorted(set(norms.values())))})")
            kind = raw["kind"].strip().casefold().replace(" ", "_")
            if kind not in kinds:
                problem("kind", f"{raw['kind']!r} is not one of: {', '.join(kinds)}")
            elif kind in DERIVED_KINDS:
                problem(
                    "kind",
                    f"{kind} evidence is derived from adoptions, resolutions and the crosswalk; do not import it",
                )
            polarity = (raw.get("polarity") or "supports").strip().casefold()
            if polarity not in polarities:
                problem("polarity", f"{raw['polarity']!r} is not one of: {', '.join(polarities)}")
            when = raw.get("date", "")
            bounds = date_bounds(when) if when else None
            if when and bounds is None:
                problem("date", f"{when!r} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)")
            elif bounds and bounds[0] > today:
                problem("date", f"{when!r} is in the future (today is {today})")
            if len(raw.get("quote", "")) > QUOTE_LIMIT:
                problem("quote", f"quote is {len(raw['quote'])} characters (at most {QUOTE_LIMIT})")
            src = raw.get("source") or source_id
            if src not in sources:
                problem("source", f"unknown source {src!r} (not in sources)")
            if len(plan.problems) > before or code is None or norm is None:
                continue
            key = {
                "party_code": code,
                "norm_id": norm,
                "document": raw["document"],
                "locator": raw.get("locator", ""),
                "polarity": polarity,
            }
            ident = tuple(key.values())
            if ident in seen:
                problem("document", f"repeats row {seen[ident]} (same party, norm, document, locator and polarity)")
                continue
            seen[ident] = line
            new = {
                "kind": kind,
                "level": str(KIND_LEVEL[kind]),
                "date": when,
                "quote": raw.get("quote", ""),
                "source_id": src,
                "note": raw.get("note", ""),
            }
            current = live_row(session, "norm_evidence", key)
            if current is not None and all(current.get(k, "") == v for k, v in new.items()):
                plan.unchanged += 1
                continue
            plan.changes.append(make_change(session, "norm_evidence", key, new))
    return plan


def propose_evidence_import(
    user: User, data: bytes, filename: str, *, reason: str, source_id: str, today: date | None = None, engine=None
) -> tuple[int, EvidencePlan]:
    """Plan the import and file it as one proposal; ImportRejected (no proposal) on any problem."""
    plan = plan_evidence_import(data, filename, source_id=source_id, today=today, engine=engine)
    if plan.problems:
        raise ImportRejected(sorted(plan.problems, key=lambda p: (p.row or 0, p.column or "")))
    if not plan.changes:
        raise CurationError(f"{plan.filename}: nothing to change ({plan.unchanged} rows already match the live data)")
    c = plan.counts()
    full_reason = (
        f"{reason} [norm evidence import {plan.filename}: {c['added']} added, {c['changed']} changed, "
        f"{c['unchanged']} unchanged]"
    )
    return propose(user, plan.changes, reason=full_reason, source_id=source_id, kind="import", engine=engine), plan
