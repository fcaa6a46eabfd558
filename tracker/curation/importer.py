"""Bulk import of adoption actions (a depositary's chart as CSV or XLSX) into one proposal.

Columns: ``instrument, party, action, date, source, note`` (header names, any order; ``source``
and ``note`` may be left empty: the proposal's source is used). Party names resolve through
``PartyResolver`` (exact code, name or curated alias); a fuzzy match is only a *suggestion*
that a person confirms (``confirmed={"Ivory Cost": "CIV"}``), never applied on its own.

A country code resolves only when written in upper case ("NO", "FRA"): "No", "Is", "It", "Me"
or "And" are English words first, so they are only suggestions ("is a country code only in
upper case"), like any other inexact name.

``plan_import`` reads the file and compares it with the live adoptions: every row is added,
changed, unchanged or unresolved. A malformed file (wrong columns, unknown countries or
instruments, bad dates, formula cells, control characters, two rows for the same live row,
oversized or binary junk, wrong encoding) gives a report of *every* problem with row and
column, and ``propose_import`` then creates no proposal.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
from rapidfuzz import fuzz, process, utils

from tracker.catalogue.rules import FORMULA_START
from tracker.curation.changes import Change, text_frame
from tracker.curation.users import User
from tracker.curation.workflow import propose
from tracker.dates import date_bounds
from tracker.errors import CurationError, Problem
from tracker.parties import PartyMatch, PartyResolver, normalise
from tracker.schema import enum_values
from tracker.text import control_char_problem, printable

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

IMPORT_COLUMNS = ("instrument", "party", "action", "date", "source", "note")
REQUIRED_COLUMNS = ("instrument", "party", "action")
MAX_IMPORT_BYTES = 10 * 2**20  # a chart is kilobytes; 10 MiB of anything else is refused unread
MAX_UNZIPPED_BYTES = 100 * 2**20
MAX_ROWS = 50_000
MAX_PROBLEMS = 500
YEAR_ONLY = re.compile(r"^\d{4}(\.0)?$")
CODE_LIKE = re.compile(r"[A-Za-z]{2,3}")

# one row of an import file: {column: cell text}, plus its line number (an int) under "_line"
FileRow = dict[str, Any]


class ImportRejected(CurationError):
    """The file cannot become a proposal; ``problems`` lists every problem (file, row, column)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}" if problems else "import rejected")


@dataclass
class ImportRow:
    line: int
    instrument_id: str
    party: str  # as written in the file
    party_code: str | None
    action: str
    date: str
    source_id: str
    note: str
    status: str = ""  # added, changed, unchanged, unresolved
    change: Change | None = None
    suggestions: list[PartyMatch] = field(default_factory=list)
    code_case: bool = False  # unresolved only because a country code was not in upper case


@dataclass
class ImportPlan:
    filename: str
    rows: list[ImportRow]
    problems: list[Problem]

    def by_status(self, status: str) -> list[ImportRow]:
        return [r for r in self.rows if r.status == status]

    @property
    def changes(self) -> list[Change]:
        return [r.change for r in self.rows if r.change is not None]

    def counts(self) -> dict[str, int]:
        return {s: len(self.by_status(s)) for s in ("added", "changed", "unchanged", "unresolved")}

    def diff_frame(self) -> pd.DataFrame:
        """One row per file row: status, what it resolved to, what changes, suggestions."""
        data = []
        for r in self.rows:
            what = ""
            if r.change is not None and r.change.op == "update":
                what = "; ".join(f"{c}: {b or '∅'} → {a or '∅'}" for c, b, a in r.change.diff())
            data.append(
                {
                    "row": r.line,
                    "status": r.status,
                    "instrument": r.instrument_id,
                    "party": r.party,
                    "party_code": r.party_code or "",
                    "action": r.action,
                    "date": r.date,
                    "source": r.source_id,
                    "note": r.note,
                    "change": what,
                    "suggestions": ", ".join(f"{m.name} ({m.code}, {m.score:.0f})" for m in r.suggestions),
                }
            )
        return pd.DataFrame(
            data,
            columns=[
                "row",
                "status",
                "instrument",
                "party",
                "party_code",
                "action",
                "date",
                "source",
                "note",
                "change",
                "suggestions",
            ],
        )


# --------------------------------------------------------------------------- reading the file


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv(data: bytes, name: str, problems: list[Problem]) -> list[list[str]] | None:
    if b"\x00" in data[:65536]:
        problems.append(
            Problem(
                name,
                None,
                None,
                "binary data, not a CSV text file (save the sheet as CSV UTF-8 or upload the .xlsx)",
            )
        )
        return None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(
                name,
                None,
                None,
                f"not UTF-8 text (byte {exc.start}: {exc.reason}); save the file as CSV UTF-8",
            )
        )
        return None
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        problems.append(Problem(name, None, None, f"malformed CSV ({exc})"))
        return None


def _read_xlsx(data: bytes, name: str, problems: list[Problem]) -> list[list[str]] | None:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unzipped = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        problems.append(Problem(name, None, None, "not a valid .xlsx file (damaged or not a spreadsheet)"))
        return None
    if unzipped > MAX_UNZIPPED_BYTES:
        problems.append(Problem(name, None, None, f"spreadsheet unpacks to {unzipped // 2**20} MiB (refused)"))
        return None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on junk
        problems.append(Problem(name, None, None, f"not a readable .xlsx file ({exc.__class__.__name__})"))
        return None
    try:
        ws = wb.worksheets[0]
        rows: list[list[str]] = []
        for i, row in enumerate(ws.iter_rows(), 1):
            if i > MAX_ROWS + 1:
                break
            cells = []
            for j, cell in enumerate(row):
                value = cell.value
                if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                    problems.append(
                        Problem(
                            name,
                            i,
                            _column_letter(j),
                            f"formula cell {str(value)[:30]!r} (refused: enter values only)",
                        )
                    )
                    value = ""
                cells.append(_cell_text(value))
            rows.append(cells)
        return rows
    finally:
        wb.close()


def _column_letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def read_rows(
    data: bytes,
    filename: str,
    *,
    columns: tuple[str, ...] = IMPORT_COLUMNS,
    required: tuple[str, ...] = REQUIRED_COLUMNS,
) -> tuple[list[FileRow], list[Problem]]:
    """The file's rows as {column: text} with the line number under ``_line``, plus problems.
    ``columns`` are the columns the file may have, ``required`` those it must have."""
    problems: list[Problem] = []
    name = printable(filename or "upload")  # a file name is shown too
    if len(data) > MAX_IMPORT_BYTES:
        return [], [
            Problem(
                name,
                None,
                None,
                f"file is {len(data) / 2**20:.1f} MiB; the limit is {MAX_IMPORT_BYTES // 2**20} MiB (refused unread)",
            )
        ]
    if not data.strip():
        return [], [Problem(name, None, None, f"file is empty (expected a header row: {', '.join(columns)})")]
    is_xlsx = data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm"))
    table = _read_xlsx(data, name, problems) if is_xlsx else _read_csv(data, name, problems)
    if table is None:
        return [], problems
    while table and not any(c.strip() for c in table[0]):
        table.pop(0)
    if not table:
        return [], [Problem(name, None, None, "no header row")]
    header = [h.strip().casefold() for h in table[0]]
    while header and header[-1] == "":
        header.pop()
    missing = [c for c in required if c not in header]
    extra = [printable(h) or "(blank)" for h in header if h not in columns]
    dupes = sorted({printable(h) for h in header if header.count(h) > 1})
    if missing or extra or dupes:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(extra)}")
        if dupes:
            parts.append(f"repeated column(s) {', '.join(dupes)}")
        problems.append(Problem(name, 1, None, "; ".join(parts) + f" (expected: {', '.join(columns)})"))
        return [], problems
    if len(table) - 1 > MAX_ROWS:
        return [], [*problems, Problem(name, None, None, f"more than {MAX_ROWS} rows (refused)")]
    rows = []
    for line, cells in enumerate(table[1:], 2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problems.append(Problem(name, line, None, f"{len(cells)} cells but {len(header)} columns"))
            continue
        row: FileRow = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
        row["_line"] = line
        rows.append(row)
    return rows, problems


# --------------------------------------------------------------------------- planning


def _instrument_index(instruments: pd.DataFrame, aliases: pd.DataFrame) -> dict[str, str]:
    index: dict[str, str] = {}
    for iid, nm, short in zip(instruments["id"], instruments["name"], instruments["short_name"], strict=True):
        for label in (iid, nm, short):
            if label:
                index.setdefault(normalise(label), iid)
    for iid, alias in zip(aliases["instrument_id"], aliases["alias"], strict=True):
        index.setdefault(normalise(alias), iid)
    return index


def _compatible(a: str, b: str) -> bool:
    """Two partial dates that can mean the same day ("2001" and "2001-11-23")."""
    return not a or not b or a.startswith(b) or b.startswith(a)


def plan_import(
    data: bytes,
    filename: str,
    *,
    source_id: str,
    confirmed: dict[str, str] | None = None,
    today: date | None = None,
    engine=None,
) -> ImportPlan:
    """Read the file and diff it against the live adoptions; nothing is written."""
    from tracker.db import session_scope

    rows, problems = read_rows(data, filename)
    name = printable(filename or "upload")
    today = today or date.today()
    confirmed = confirmed or {}
    with session_scope(engine) as session:
        frames = {
            t: text_frame(session, t)
            for t in ("parties", "party_aliases", "instruments", "instrument_aliases", "adoptions", "sources")
        }
    # PartyResolver reads only these two frames of a catalogue
    resolver = PartyResolver(
        cast("Catalogue", SimpleNamespace(parties=frames["parties"], party_aliases=frames["party_aliases"]))
    )
    names = {  # names and aliases match in any case; codes only in upper case
        normalise(label)
        for column in (frames["parties"]["name"], frames["parties"]["official_name"], frames["party_aliases"]["alias"])
        for label in column
        if label
    }
    instruments = _instrument_index(frames["instruments"], frames["instrument_aliases"])
    opened = dict(zip(frames["instruments"]["id"], frames["instruments"]["opened"], strict=True))
    sources = set(frames["sources"]["id"])
    codes = set(frames["parties"]["code"])
    enum = enum_values("adoptions", "action")
    existing = frames["adoptions"]
    by_action: dict[tuple, list[dict]] = {}
    for rec in existing.to_dict("records"):
        by_action.setdefault((rec["instrument_id"], rec["party_code"], rec["action"]), []).append(rec)

    plan_rows: list[ImportRow] = []
    seen: dict[tuple, int] = {}
    targeted: dict[tuple, int] = {}  # live row -> the file row that matched it
    for raw in rows:
        line = raw["_line"]
        bad = False

        def problem(column, message, line=line):
            problems.append(Problem(name, line, column, message))

        for col in IMPORT_COLUMNS:
            value = raw.get(col, "")
            if control_char_problem(value):
                problem(col, control_char_problem(value))
                bad = True
            elif value and value.startswith(FORMULA_START):
                problem(col, f"text starts with {value[:1]!r} (spreadsheet formula risk): {value[:30]!r}")
                bad = True
        if bad:
            continue
        for col in REQUIRED_COLUMNS:
            if not raw.get(col):
                problem(col, "required value is missing")
                bad = True
        inst_text = raw.get("instrument", "")
        inst = instruments.get(normalise(inst_text)) if inst_text else None
        if inst_text and inst is None:
            hints = process.extract(
                normalise(inst_text),
                {k: k for k in instruments},
                scorer=fuzz.WRatio,
                processor=utils.default_process,
                limit=3,
                score_cutoff=70,
            )
            hint = f"; did you mean {', '.join(sorted({instruments[h[2]] for h in hints}))}?" if hints else ""
            problem("instrument", f"unknown instrument {inst_text!r}{hint}")
            bad = True
        action = raw.get("action", "").strip().casefold().replace(" ", "_")
        if action and action not in enum:
            problem("action", f"{raw.get('action')!r} is not one of: {', '.join(enum)}")
            bad = True
        when = raw.get("date", "")
        if YEAR_ONLY.match(when):
            when = when[:4]
        if when:
            bounds = date_bounds(when)
            if bounds is None:
                problem("date", f"{when!r} is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)")
                bad = True
            elif bounds[0] > today:
                problem("date", f"{when!r} is in the future (today is {today})")
                bad = True
            elif inst and (opened_bounds := date_bounds(opened.get(inst, ""))) and bounds[1] < opened_bounds[0]:
                problem("date", f"{when} is before {inst} opened ({opened[inst]})")
                bad = True
        src = raw.get("source", "") or source_id
        if src not in sources:
            problem("source", f"unknown source {src!r} (not in sources)")
            bad = True
        party_text = raw.get("party", "")
        code = resolver.resolve(party_text) if party_text else None
        suggestions: list[PartyMatch] = []
        code_case = False
        if code and CODE_LIKE.fullmatch(party_text) and not party_text.isupper() and normalise(party_text) not in names:
            # "No" is Norway's code only as "NO": otherwise a word, offered as a suggestion
            suggestions = [PartyMatch(code, resolver.names.get(code, code), 100.0, party_text.upper())]
            suggestions += [m for m in resolver.suggest(party_text) if m.code != code]
            code, code_case = confirmed.get(party_text), True
            if code and code not in codes:
                problem("party", f"confirmed code {code!r} for {party_text!r} is not a party")
                bad = True
        elif party_text and code is None:
            choice = confirmed.get(party_text)
            if choice:
                if choice not in codes:
                    problem("party", f"confirmed code {choice!r} for {party_text!r} is not a party")
                    bad = True
                else:
                    code = choice
            else:
                suggestions = resolver.suggest(party_text)
                if not suggestions:
                    problem("party", f"unknown party {party_text!r} (no close match; add an alias first)")
                    bad = True
        if bad or inst is None:  # inst is None only with a problem reported above
            continue
        row = ImportRow(
            line,
            inst,
            party_text,
            code,
            action,
            when,
            src,
            raw.get("note", ""),
            suggestions=suggestions,
            code_case=code_case,
        )
        if code is None:
            row.status = "unresolved"
            plan_rows.append(row)
            continue
        key = (inst, code, action, when)
        if key in seen:
            problem("party", f"repeats row {seen[key]} ({inst}, {code}, {action}, {when or 'undated'})")
            continue
        seen[key] = line
        candidates = by_action.get((inst, code, action), [])
        same = [r for r in candidates if r["date"] == when]
        target = (
            same[0]
            if same
            else (candidates[0] if len(candidates) == 1 and _compatible(candidates[0]["date"], when) else None)
        )
        if target is None:
            after = {
                "instrument_id": inst,
                "party_code": code,
                "action": action,
                "role": "",
                "date": when,
                "source_id": src,
                "note": row.note,
            }
            row.status, row.change = (
                "added",
                Change(
                    "adoptions",
                    "add",
                    {k: after[k] for k in ("instrument_id", "party_code", "action", "role", "date")},
                    None,
                    after,
                ),
            )
        else:
            live_key = tuple(target[k] for k in ("instrument_id", "party_code", "action", "role", "date"))
            first = targeted.setdefault(live_key, line)
            if first != line:  # two updates of one row: after the first, the second can never apply
                shown = ", ".join(live_key[:4]) + f", {live_key[4] or 'undated'}"
                problem("party", f"rows {first} and {line} both match the live row ({shown}); keep one of them")
                continue
            after = {
                **target,
                "date": when or target["date"],
                "source_id": src,
                "note": row.note or target["note"],
            }
            if after == target:
                row.status = "unchanged"
            else:
                key_cols = ("instrument_id", "party_code", "action", "role", "date")
                row.status, row.change = (
                    "changed",
                    Change("adoptions", "update", {k: target[k] for k in key_cols}, dict(target), after),
                )
        plan_rows.append(row)
        if len(problems) > MAX_PROBLEMS:
            problems.append(Problem(name, None, None, f"more than {MAX_PROBLEMS} problems; stopped reading"))
            break
    if not rows and not problems:
        problems.append(Problem(name, None, None, "no data rows"))
    return ImportPlan(name, plan_rows, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))


def propose_import(
    user: User,
    data: bytes,
    filename: str,
    *,
    reason: str,
    source_id: str,
    confirmed: dict[str, str] | None = None,
    today: date | None = None,
    engine=None,
) -> tuple[int, ImportPlan]:
    """Plan the import and file it as one proposal; ImportRejected (no proposal) on any problem,
    including rows whose party is only a fuzzy suggestion that nobody confirmed."""
    plan = plan_import(data, filename, source_id=source_id, confirmed=confirmed, today=today, engine=engine)
    problems = list(plan.problems)
    for row in plan.by_status("unresolved"):
        hint = ", ".join(f"{m.name} ({m.code})" for m in row.suggestions)
        what = "is a country code only in upper case" if row.code_case else "is not an exact name or alias"
        problems.append(Problem(plan.filename, row.line, "party", f"{row.party!r} {what}; confirm one of: {hint}"))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    if not plan.changes:
        raise CurationError(
            f"{plan.filename}: nothing to change ({len(plan.by_status('unchanged'))} rows already match the live data)"
        )
    counts = plan.counts()
    full_reason = (
        f"{reason} [import {plan.filename}: {counts['added']} added, {counts['changed']} changed, "
        f"{counts['unchanged']} unchanged]"
    )
    proposal_id = propose(user, plan.changes, reason=full_reason, source_id=source_id, kind="import", engine=engine)
    return proposal_id, plan
