"""Tiny hand-built catalogues for unit tests (shared by every test module).

``make_catalogue(parties=[{...}], instruments=[{...}], ...)`` takes rows as dicts, fills every
column the schema declares (missing text columns empty, sensible defaults for required
booleans) and returns a ``Catalogue``. Tables not given are empty.
"""

from __future__ import annotations

import pandas as pd

from tracker.catalogue import Catalogue
from tracker.schema import CANONICAL_ORDER, reference_descriptor

DEFAULTS = {
    "parties": {"kind": "state", "un_member": "true", "source_id": "test"},
    "instruments": {
        "kind": "treaty",
        "pillar": "values",
        "stance": "neutral",
        "stance_reason": "test",
        "body": "Test body",
        "url": "https://example.org/",
        "description": "test",
        "source_id": "test",
        "as_of": "2025-01-01",
    },
    "instrument_aliases": {"alias_kind": "synonym"},
    "groups": {"kind": "political", "source_id": "test", "as_of": "2025-01-01"},
    "group_members": {"role": "member", "source_id": "test"},
    "resolutions": {"forum": "UNGA", "topic": "general", "recorded_vote": "false", "source_id": "test"},
    "votes": {"source_id": "test"},
    "adoptions": {"source_id": "test"},
    "crosswalk": {
        "relationship": "intersects-with",
        "rationale": "test",
        "confidence": "medium",
        "source_id": "test",
    },
    "sources": {"title": "Test source", "publisher": "test", "as_of": "2025-01-01"},
}


def columns(table: str) -> list[str]:
    schema = {r["name"]: r["schema"] for r in reference_descriptor()["resources"]}[table]
    return [f["name"] for f in schema["fields"]]


def frame(table: str, rows: list[dict] | None = None) -> pd.DataFrame:
    cols = columns(table)
    filled = [{c: str({**DEFAULTS.get(table, {}), **row}.get(c, "")) for c in cols} for row in rows or []]
    return pd.DataFrame(filled, columns=cols, dtype=str)


def make_catalogue(**tables: list[dict]) -> Catalogue:
    unknown = set(tables) - set(CANONICAL_ORDER)
    if unknown:
        raise ValueError(f"unknown table(s): {', '.join(sorted(unknown))}")
    rows = dict(tables)
    rows.setdefault("sources", [{"id": "test"}])
    return Catalogue.from_frames({name: frame(name, rows.get(name)) for name in CANONICAL_ORDER})
