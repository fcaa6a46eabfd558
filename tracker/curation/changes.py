"""Row changes: what a proposal would do to one row, read against the live data and checked
with exactly the rules a catalogue load applies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

import pandas as pd
from sqlalchemy import Delete, Table, Update, and_, bindparam, delete, select, update

from tracker.catalogue.package import cell_text
from tracker.catalogue.rules import check_fields, check_rules
from tracker.db import table_of
from tracker.errors import ConflictError, CurationError, Problem
from tracker.models import CATALOGUE_TABLES
from tracker.schema import NATURAL_KEYS, columns, fields, key_columns, table_schema, table_schemas
from tracker.text import control_char_problem, printable

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
        """One line (control characters of live values shown escaped: it is stored as the summary)."""
        cols = ", ".join(f"{c}: {b or '∅'} → {a or '∅'}" for c, b, a in self.diff()) if self.op == "update" else ""
        return printable(f"{self.op} {self.table} ({key_text(self.key)}){': ' + cols if cols else ''}")


def catalogue_table(table: str) -> Table:
    """The Core table of a catalogue table's name; an unknown name is refused."""
    if table not in CATALOGUE_TABLES:
        raise CurationError(f"unknown table {table!r} (one of: {', '.join(CATALOGUE_TABLES)})")
    return table_of(CATALOGUE_TABLES[table])


def where_key(table: str, key: dict[str, str]):
    tbl = catalogue_table(table)
    values = to_db(table, {**{c: "" for c in columns(table)}, **key})
    conds = [tbl.c[c].is_(None) if values[c] is None else tbl.c[c] == values[c] for c in key_columns(table)]
    return and_(*conds)


def live_row(session, table: str, key: dict[str, str]) -> dict[str, str] | None:
    """The live row with this key as text (empty string for NULL), or None."""
    tbl = catalogue_table(table)
    found = session.execute(select(*[tbl.c[c] for c in columns(table)]).where(where_key(table, key))).first()
    return None if found is None else {c: cell_text(v) for c, v in zip(columns(table), found, strict=True)}


def make_change(session, table: str, key: dict[str, str], new: dict[str, str] | None) -> Change:
    """A change against the live data: add (no row with ``key``), update (``new`` holds the
    columns to set) or remove (``new`` is None). ``before`` is read from the live row now."""
    catalogue_table(table)  # refuses an unknown table
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
    tbl = catalogue_table(table)
    rows = session.execute(select(*[tbl.c[c] for c in cols])).all()
    return pd.DataFrame([[cell_text(v) for v in r] for r in rows], columns=cols, dtype=object).fillna("")


def _apply_in_memory(frames: dict[str, pd.DataFrame], changes: list[Change]) -> None:
    """Replay the changes, in order, on the tables' text frames: an update or removal drops every
    row with the change's key, an add or update appends its new row (linear in the changes)."""
    by_table: dict[str, list[Change]] = defaultdict(list)
    for ch in changes:
        by_table[ch.table].append(ch)
    for table, table_changes in by_table.items():
        df = frames[table]
        keys = key_columns(table)
        positions: dict[tuple, list[int]] = defaultdict(list)
        for i, key in enumerate(zip(*(df[c] for c in keys), strict=True)):
            positions[key].append(i)
        alive = [True] * len(df)
        added: list[dict] = []
        for ch in table_changes:
            if ch.op in ("update", "remove"):
                for i in positions.pop(tuple(ch.key.get(c, "") for c in keys), []):
                    alive[i] = False
            if ch.after is not None:
                positions[tuple(ch.after[c] for c in keys)].append(len(alive))
                alive.append(True)
                added.append(ch.after)
        rows = pd.concat([df, pd.DataFrame(added, columns=df.columns, dtype=object)], ignore_index=True)
        frames[table] = rows[alive].reset_index(drop=True)


def _related_tables(changes: list[Change]) -> set[str]:
    touched = {c.table for c in changes}
    needed = set(touched)
    for name in touched:
        needed |= {fk["reference"]["resource"] for fk in table_schema(name).get("foreignKeys", [])}
    if any(c.op != "add" for c in changes):  # cross-table rules (references, dates, aliases, kinds)
        rekeyed = {c.table for c in changes if c.op == "remove" or c.after is None or key_of(c.table, c.after) != c.key}
        for name, sch in table_schemas().items():
            refs = {fk["reference"]["resource"] for fk in sch.get("foreignKeys", [])}
            # the 300k votes only matter when a row they point to goes away or changes its key
            if refs & touched and (name != "votes" or refs & rekeyed):
                needed.add(name)
    if "votes" in touched or "resolutions" in touched:
        needed |= {"votes", "resolutions"}
    return needed


def _shape_problems(i: int, ch: Change) -> list[str]:
    """What is wrong with one change on its own (table, operation, columns, text)."""
    if ch.table not in CATALOGUE_TABLES:
        return [f"change {i}: unknown table {ch.table!r}"]
    if ch.op not in OPS:
        return [f"change {i}: unknown operation {ch.op!r} (add, update or remove)"]
    if (ch.op == "add") != (ch.before is None) or (ch.op == "remove") != (ch.after is None):
        return [
            f"change {i}: {ch.op} needs {'no ' if ch.op == 'add' else ''}before-row "
            f"and {'no ' if ch.op == 'remove' else ''}after-row"
        ]
    if ch.after is None:
        return []
    if set(ch.after) != set(columns(ch.table)):
        return [f"change {i}: {ch.table} rows have the columns {', '.join(columns(ch.table))}"]
    problems = []
    if not has_surrogate_id(ch.table) and ch.op == "update" and key_of(ch.table, ch.after) != ch.key:
        problems.append(
            f"change {i}: {ch.table} key ({', '.join(key_columns(ch.table))}) cannot change; add a new row instead"
        )
    for column in columns(ch.table):  # every cell of the new row is free text to someone's terminal
        problem = control_char_problem(ch.after[column])
        if problem:
            problems.append(f"change {i}: {ch.table}.{column}: {problem}")
    return problems


def _same_row_problems(changes: list[Change]) -> list[str]:
    """Two changes that expect the same live row: after the first, the second can never apply."""
    seen: dict[tuple, int] = {}
    problems = []
    for i, ch in enumerate(changes, 1):
        if ch.before is None:
            continue
        key = key_of(ch.table, ch.before)
        first = seen.setdefault((ch.table, tuple(key.values())), i)
        if first != i:
            problems.append(
                f"changes {first} and {i} both change {ch.table} ({printable(key_text(key))}); "
                "a proposal changes a row once"
            )
    return problems


def check_changes(session, changes: list[Change], *, today: date | None = None) -> list[str]:
    """Every problem the changes would cause: field rules on the new rows, then the catalogue's
    key, foreign-key, date and tally rules on the affected tables (problems that already
    existed before the change are not reported)."""
    if not changes:
        return ["a proposal needs at least one change"]
    problems: list[str] = []
    for i, ch in enumerate(changes, 1):
        problems += _shape_problems(i, ch)
    if problems:
        return problems
    problems += _same_row_problems(changes)
    numbered: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for i, ch in enumerate(changes, 1):
        if ch.after is not None:
            numbered[ch.table].append((i, ch.after))
    for table, rows in numbered.items():  # one pass per table, not one per change
        field_problems: list[Problem] = []
        frame = pd.DataFrame([row for _, row in rows], columns=columns(table), dtype=object)
        check_fields(frame, fields(table), table, field_problems)
        for p in field_problems:
            assert p.row is not None  # check_fields names the (1-based, header = 1) line of every problem
            problems.append(f"change {rows[p.row - 2][0]}: {table}.{p.column}: {p.message}")
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


def _live_rows(session, table: str, keys: list[dict[str, str]]) -> dict[tuple, dict[str, str]]:
    """The live rows with these keys as text, by key tuple: one query per key for a few, the
    whole table in one query for many."""
    cols = columns(table)
    kcols = key_columns(table)
    if len(keys) <= 100:
        found = (live_row(session, table, key) for key in keys)
        return {tuple(row[c] for c in kcols): row for row in found if row is not None}
    tbl = catalogue_table(table)
    out = {}
    for values in session.execute(select(*[tbl.c[c] for c in cols])):
        row = {c: cell_text(v) for c, v in zip(cols, values, strict=True)}
        out[tuple(row[c] for c in kcols)] = row
    return out


def replay(session, changes: list[Change]) -> None:
    """Check every change against the live rows as the changes before it leave them (the
    optimistic check); ConflictError naming the first row that moved. Reads, never writes."""
    tables = sorted({ch.table for ch in changes})
    state: dict[str, dict[tuple, dict[str, str]]] = {}
    for table in tables:
        mine = [ch for ch in changes if ch.table == table]
        keys = [key_of(table, ch.before) for ch in mine if ch.before is not None]
        keys += [key_of(table, ch.after) for ch in mine if ch.after is not None]
        state[table] = _live_rows(session, table, keys)
    for ch in changes:
        rows = state[ch.table]
        where = f"{ch.table} ({key_text(ch.key)})"
        if ch.op == "add":
            assert ch.after is not None  # an add has an after-row (_shape_problems)
            if tuple(key_of(ch.table, ch.after).values()) in rows:
                raise ConflictError(f"{where} exists already (added since the proposal was made)")
            rows[tuple(key_of(ch.table, ch.after).values())] = ch.after
            continue
        assert ch.before is not None  # an update or removal has a before-row (_shape_problems)
        old = tuple(key_of(ch.table, ch.before).values())
        if rows.get(old) != ch.before:
            raise ConflictError(
                f"{where} changed since the proposal was made (another approved change got "
                "there first); nothing was applied"
            )
        del rows[old]
        if ch.op == "update":
            assert ch.after is not None  # an update has an after-row (_shape_problems)
            new = tuple(key_of(ch.table, ch.after).values())
            if new in rows:
                raise ConflictError(f"{ch.table} ({key_text(key_of(ch.table, ch.after))}) exists already")
            rows[new] = ch.after


def _matches_before(table: str):
    """WHERE every column equals its ``b_``-prefixed parameter, NULL-safe, one statement shape
    for all rows (NOT NULL columns with =, so indexes are used)."""
    tbl = catalogue_table(table)
    conds = []
    for c in columns(table):
        col = tbl.c[c]
        param = bindparam(f"b_{c}", type_=col.type)
        conds.append(col == param if not col.nullable else col.is_not_distinct_from(param))
    return and_(*conds)


@dataclass
class Write:
    """One statement and the parameters it runs with: a run of consecutive changes to one table
    with one operation."""

    table: str
    op: str
    statement: Any
    params: list[dict[str, Any]]


def insert_rows(session, table, names: list[str], rows: list[tuple]) -> None:
    """Insert many rows in the session's transaction through the driver's fast path: COPY on
    PostgreSQL, executemany on SQLite (values already in the driver's form)."""
    if not rows:
        return
    columns = ", ".join(f'"{c}"' for c in names)
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in names)
        session.connection().exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)


def prepare_writes(changes: list[Change]) -> list[Write]:
    """The statements that apply the changes in order (no database access: done before the lock).
    Row order, and with it every foreign key, is exactly as the proposal lists it."""
    writes = []
    for (table, op), group in groupby(changes, key=lambda ch: (ch.table, ch.op)):
        tbl = catalogue_table(table)
        run = list(group)
        if op == "add":  # plain values (text, int, bool, None) need no processing: the driver's fast path
            added = []
            for ch in run:
                assert ch.after is not None  # an add has an after-row (_shape_problems)
                added.append(to_db(table, ch.after))
            writes.append(Write(table, op, None, added))
            continue
        params = []
        for ch in run:
            assert ch.before is not None  # an update or removal has a before-row (_shape_problems)
            param = {f"b_{c}": v for c, v in to_db(table, ch.before).items()}
            if ch.after is not None:
                param.update({f"a_{c}": v for c, v in to_db(table, ch.after).items()})
            params.append(param)
        statement: Update | Delete
        if op == "update":
            values = {c: bindparam(f"a_{c}", type_=tbl.c[c].type) for c in columns(table)}
            statement = update(tbl).where(_matches_before(table)).values(values)
        else:
            statement = delete(tbl).where(_matches_before(table))
        writes.append(Write(table, op, statement, params))
    return writes


def execute_write(session, write: Write) -> None:
    """Run one prepared statement for all its rows (one executemany, or COPY for new rows)."""
    if write.op == "add":
        names = columns(write.table)
        insert_rows(session, catalogue_table(write.table), names, [tuple(p[c] for c in names) for p in write.params])
        return
    result = session.connection().execute(write.statement, write.params)
    if write.op != "add" and result.rowcount not in (-1, len(write.params)):  # replay said every row was there
        raise ConflictError(
            f"{write.table}: {len(write.params) - result.rowcount} row(s) changed meanwhile; nothing was applied"
        )


def apply_changes(session, changes: list[Change]) -> None:
    """Apply every change in order, or none (the caller's transaction holds the writers' lock):
    replayed on the live rows first (ConflictError if a row moved since the proposal was made),
    then written set-based, one executemany per run of changes to one table and operation."""
    replay(session, changes)
    for write in prepare_writes(changes):
        execute_write(session, write)


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
