"""Row changes: what a proposal would do to one row, read against the live data and checked
with exactly the rules a catalogue load applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import and_, delete, insert, select, update

from tracker.catalogue.package import cell_text
from tracker.catalogue.rules import check_fields, check_rules
from tracker.errors import ConflictError, CurationError, Problem
from tracker.models import CATALOGUE_TABLES
from tracker.schema import NATURAL_KEYS, columns, fields, key_columns, table_schema, table_schemas

OPS = ("add", "update", "remove")
ADOPTION_KEY = ("instrument_id", "party_code", "action", "role", "date")


def has_surrogate_id(table: str) -> bool:
    return table in NATURAL_KEYS


def to_db(table: str, row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(table):
        value = row.get(f["name"], "")
        if value == "" or value is None:
            out[f["name"]] = None
        elif f.get("type") == "boolean":
            out[f["name"]] = value == "true"
        elif f.get("type") == "integer":
            out[f["name"]] = int(value)
        else:
            out[f["name"]] = value
    return out


def key_of(table: str, row: dict[str, str]) -> dict[str, str]:
    return {c: row.get(c, "") for c in key_columns(table)}


def key_text(key: dict[str, str]) -> str:
    return ", ".join(v if v else "-" for v in key.values())


@dataclass
class Change:
    """One row change. ``before`` is the live row the proposal expects (None for add)."""

    table: str
    op: str
    key: dict[str, str]
    before: dict[str, str] | None
    after: dict[str, str] | None

    def to_json(self) -> dict:
        return {
            "table": self.table,
            "op": self.op,
            "key": self.key,
            "before": self.before,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, data: dict) -> Change:
        return cls(data["table"], data["op"], data["key"], data.get("before"), data.get("after"))

    def diff(self) -> list[tuple[str, str, str]]:
        """(column, before, after) for every column that differs."""
        before, after = self.before or {}, self.after or {}
        return [
            (c, before.get(c, ""), after.get(c, ""))
            for c in columns(self.table)
            if before.get(c, "") != after.get(c, "")
        ]

    def describe(self) -> str:
        cols = ", ".join(f"{c}: {b or '∅'} → {a or '∅'}" for c, b, a in self.diff()) if self.op == "update" else ""
        return f"{self.op} {self.table} ({key_text(self.key)}){': ' + cols if cols else ''}"


def model_of(table: str):
    if table not in CATALOGUE_TABLES:
        raise CurationError(f"unknown table {table!r} (one of: {', '.join(CATALOGUE_TABLES)})")
    return CATALOGUE_TABLES[table]


def where_key(table: str, key: dict[str, str]):
    tbl = model_of(table).__table__
    values = to_db(table, {**{c: "" for c in columns(table)}, **key})
    conds = [tbl.c[c].is_(None) if values[c] is None else tbl.c[c] == values[c] for c in key_columns(table)]
    return and_(*conds)


def where_row(table: str, row: dict[str, str]):
    tbl = model_of(table).__table__
    values = to_db(table, row)
    return and_(*[tbl.c[c].is_(None) if values[c] is None else tbl.c[c] == values[c] for c in columns(table)])


def live_row(session, table: str, key: dict[str, str]) -> dict[str, str] | None:
    """The live row with this key as text (empty string for NULL), or None."""
    tbl = model_of(table).__table__
    found = session.execute(select(*[tbl.c[c] for c in columns(table)]).where(where_key(table, key))).first()
    return None if found is None else {c: cell_text(v) for c, v in zip(columns(table), found, strict=True)}


def make_change(session, table: str, key: dict[str, str], new: dict[str, str] | None) -> Change:
    """A change against the live data: add (no row with ``key``), update (``new`` holds the
    columns to set) or remove (``new`` is None). ``before`` is read from the live row now."""
    model_of(table)
    unknown = set(key) - set(key_columns(table))
    if unknown or set(key_columns(table)) - set(key) and not new:
        raise CurationError(f"{table}: the key is {', '.join(key_columns(table))}")
    key = {c: cell_text(key.get(c, "")) for c in key_columns(table)}
    current = live_row(session, table, key)
    if new is not None:
        bad = set(new) - set(columns(table))
        if bad:
            raise CurationError(f"{table}: unknown column(s) {', '.join(sorted(bad))}")
        new = {c: cell_text(v) for c, v in new.items()}
    if new is None:
        if current is None:
            raise CurationError(f"{table} ({key_text(key)}): no such row to remove")
        return Change(table, "remove", key, current, None)
    if current is None:
        after = {c: new.get(c, key.get(c, "")) for c in columns(table)}
        return Change(table, "add", key_of(table, after), None, after)
    after = {**current, **new}
    if after == current:
        raise CurationError(f"{table} ({key_text(key)}): the proposed row is the same as the live row")
    return Change(table, "update", key, current, after)


# =========================================================================== validation


def text_frame(session, table: str) -> pd.DataFrame:
    cols = columns(table)
    tbl = model_of(table).__table__
    rows = session.execute(select(*[tbl.c[c] for c in cols])).all()
    return pd.DataFrame([[cell_text(v) for v in r] for r in rows], columns=cols, dtype=object).fillna("")


def _apply_in_memory(frames: dict[str, pd.DataFrame], changes: list[Change]) -> None:
    for ch in changes:
        df = frames[ch.table]
        if ch.op in ("update", "remove"):
            mask = pd.Series(True, index=df.index)
            for c, v in ch.key.items():
                mask &= df[c] == v
            df = df[~mask]
        if ch.after is not None:
            df = pd.concat([df, pd.DataFrame([ch.after], columns=df.columns)], ignore_index=True)
        frames[ch.table] = df.reset_index(drop=True)


def _related_tables(changes: list[Change]) -> set[str]:
    touched = {c.table for c in changes}
    needed = set(touched)
    for name in touched:
        needed |= {fk["reference"]["resource"] for fk in table_schema(name).get("foreignKeys", [])}
    if any(c.op != "add" for c in changes):  # cross-table rules (references, dates, aliases, kinds)
        rekeyed = {c.table for c in changes if c.op == "remove" or key_of(c.table, c.after) != c.key}
        for name, sch in table_schemas().items():
            refs = {fk["reference"]["resource"] for fk in sch.get("foreignKeys", [])}
            # the 300k votes only matter when a row they point to goes away or changes its key
            if refs & touched and (name != "votes" or refs & rekeyed):
                needed.add(name)
    if "votes" in touched or "resolutions" in touched:
        needed |= {"votes", "resolutions"}
    return needed


def check_changes(session, changes: list[Change], *, today: date | None = None) -> list[str]:
    """Every problem the changes would cause: field rules on the new rows, then the catalogue's
    key, foreign-key, date and tally rules on the affected tables (problems that already
    existed before the change are not reported)."""
    problems: list[str] = []
    if not changes:
        return ["a proposal needs at least one change"]
    for i, ch in enumerate(changes, 1):
        if ch.table not in CATALOGUE_TABLES:
            problems.append(f"change {i}: unknown table {ch.table!r}")
            continue
        if ch.op not in OPS:
            problems.append(f"change {i}: unknown operation {ch.op!r} (add, update or remove)")
            continue
        if (ch.op == "add") != (ch.before is None) or (ch.op == "remove") != (ch.after is None):
            problems.append(
                f"change {i}: {ch.op} needs {'no ' if ch.op == 'add' else ''}before-row "
                f"and {'no ' if ch.op == 'remove' else ''}after-row"
            )
            continue
        if ch.after is not None:
            if set(ch.after) != set(columns(ch.table)):
                problems.append(f"change {i}: {ch.table} rows have the columns {', '.join(columns(ch.table))}")
                continue
            if not has_surrogate_id(ch.table) and ch.op == "update" and key_of(ch.table, ch.after) != ch.key:
                problems.append(
                    f"change {i}: {ch.table} key ({', '.join(key_columns(ch.table))}) cannot change; "
                    "add a new row instead"
                )
            field_problems: list[Problem] = []
            check_fields(
                pd.DataFrame([ch.after], columns=columns(ch.table)),
                fields(ch.table),
                ch.table,
                field_problems,
            )
            problems += [f"change {i}: {ch.table}.{p.column}: {p.message}" for p in field_problems]
    if problems:
        return problems
    names = _related_tables(changes)
    frames = {name: text_frame(session, name) for name in names}
    files = {name: name for name in names}
    today = today or date.today()
    baseline: list[Problem] = []
    check_rules({n: f.copy() for n, f in frames.items()}, files, today, baseline)
    _apply_in_memory(frames, changes)
    after: list[Problem] = []
    check_rules(frames, files, today, after)
    known = {(p.file, p.column, p.message) for p in baseline}
    return sorted(
        {
            f"{p.file}.{p.column}: {p.message}" if p.column else f"{p.file}: {p.message}"
            for p in after
            if (p.file, p.column, p.message) not in known
        }
    )


# =========================================================================== proposals and review


def apply_change(session, change: Change) -> None:
    """Apply one change with the optimistic check; ConflictError if the live row moved."""
    model = model_of(change.table)
    tbl = model.__table__
    where = f"{change.table} ({key_text(change.key)})"
    if change.op == "add":
        if live_row(session, change.table, change.key) is not None:
            raise ConflictError(f"{where} exists already (added since the proposal was made)")
        session.execute(insert(tbl).values(**to_db(change.table, change.after)))
        return
    if change.op == "update":
        new_key = key_of(change.table, change.after)
        if new_key != change.key and live_row(session, change.table, new_key) is not None:
            raise ConflictError(f"{change.table} ({key_text(new_key)}) exists already")
        result = session.execute(
            update(tbl).where(where_row(change.table, change.before)).values(**to_db(change.table, change.after))
        )
    else:
        result = session.execute(delete(tbl).where(where_row(change.table, change.before)))
    if result.rowcount != 1:
        raise ConflictError(
            f"{where} changed since the proposal was made (another approved change got "
            "there first); nothing was applied"
        )


def adoption_change(
    session,
    *,
    instrument: str,
    party: str,
    action: str,
    role: str = "",
    date: str = "",
    source_id: str = "",
    note: str | None = None,
    new_date: str | None = None,
    remove: bool = False,
) -> Change:
    """The change to one adoption action, as the CLI and the app's form both build it.

    The key is (instrument, party, action, role, date). An existing row is updated (its note,
    its date with ``new_date``, its source if one is given) or removed; otherwise a new row is
    added with ``source_id``. Re-dating a row that does not exist is refused.
    """
    key = {
        "instrument_id": instrument,
        "party_code": party,
        "action": action,
        "role": role.strip(),
        "date": date.strip(),
    }
    exists = live_row(session, "adoptions", key) is not None
    if new_date is not None and not exists:
        raise CurationError(
            f"no adoption row ({instrument}, {party}, {action}, {role or '-'}, {date or 'undated'}) to re-date"
        )
    if remove:
        return make_change(session, "adoptions", key, None)
    new: dict[str, str] = {}
    if source_id or not exists:
        new["source_id"] = source_id
    if note is not None:
        new["note"] = note.strip()
    if new_date is not None:
        new["date"] = new_date.strip()
    return make_change(session, "adoptions", key, new)
