"""The reference Table Schema the code is written against (``datapackage.json`` in this folder).

Every catalogue, the bundled one included, is read against this schema, not against the
schema its own descriptor claims; a test keeps ``catalogue/datapackage.json`` identical.
Also the keys and orders the schema language cannot express, and the database's limits.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_FILE = "datapackage.json"
REFERENCE = Path(__file__).resolve().parent / PACKAGE_FILE

# Natural keys for tables whose primary key in the database is a surrogate id.
NATURAL_KEYS = {
    "adoptions": ["instrument_id", "party_code", "action", "role", "date"],
    "group_members": ["group_id", "party_code", "role", "joined"],
    "norm_evidence": ["party_code", "norm_id", "document", "locator", "polarity"],
}
# Canonical row order (stable diffs, identical frames from folder and database).
CANONICAL_ORDER = {
    "sources": ["id"],
    "parties": ["code"],
    "party_aliases": ["alias"],
    "instruments": ["id"],
    "instrument_aliases": ["instrument_id", "alias"],
    "adoptions": ["instrument_id", "party_code", "date", "action", "role"],
    "groups": ["id"],
    "group_members": ["group_id", "party_code", "joined", "role"],
    "resolutions": ["date", "id"],
    "votes": ["resolution_id", "party_code"],
    "crosswalk": ["norm_id", "instrument_id", "clause"],
    "resolution_links": ["resolution_id", "instrument_id", "relation"],
    "resolution_sponsors": ["resolution_id", "party_code"],
    "norm_evidence": ["norm_id", "party_code", "date", "document", "locator"],
}
TABLES = tuple(CANONICAL_ORDER)
DATE_COLUMNS = {
    "adoptions": ["date"],
    "group_members": ["joined", "left"],
    "resolutions": ["date"],
    "sources": ["as_of"],
    "instruments": ["opened", "in_force", "as_of"],
    "groups": ["as_of"],
    "parties": ["un_member_since"],
    "norm_evidence": ["date"],
}


# The database's limits, the stricter of SQLite and PostgreSQL, so that validation refuses what a
# load could not store (one place: the rules check cells against them, tests load values at them).
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1  # "integer" fields are INTEGER columns: int4 on PostgreSQL
# A primary key is a btree index entry; PostgreSQL refuses an entry over 2,704 bytes (a third of an
# 8 kB page, less the tuple header). The key's text, all its columns in UTF-8, must fit with room
# for the header and the per-column lengths.
MAX_KEY_BYTES = 2600


@cache
def reference_descriptor() -> dict[str, Any]:
    """The whole reference descriptor (resources, licences, sources)."""
    return json.loads(REFERENCE.read_text("utf-8"))


@cache
def table_schemas() -> dict[str, dict[str, Any]]:
    """Every resource's Table Schema, by resource name."""
    return {r["name"]: r["schema"] for r in reference_descriptor()["resources"]}


def table_schema(resource: str) -> dict[str, Any]:
    """The Table Schema of one resource (fields, keys)."""
    return table_schemas()[resource]


def fields(resource: str) -> list[dict[str, Any]]:
    return list(table_schema(resource)["fields"])


def columns(resource: str) -> list[str]:
    """The columns of a resource, in file order."""
    return [f["name"] for f in fields(resource)]


def enum_values(resource: str, column: str) -> list[str]:
    """The allowed values of a column, in the order the data package lists them."""
    field = next(f for f in fields(resource) if f["name"] == column)
    return list(field["constraints"]["enum"])


def key_columns(resource: str) -> list[str]:
    """The primary key, or the natural key where the database uses a surrogate id."""
    return list(table_schema(resource).get("primaryKey") or NATURAL_KEYS[resource])
