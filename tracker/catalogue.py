"""Read and validate the catalogue data package; derive adoption status; sync with the database.

The data package (``catalogue/datapackage.json`` + CSV files) declares every table's
columns, types, enums, patterns, primary and foreign keys. ``validate_package`` checks all of
them plus the domain rules below in one pass and reports *every* problem with file, row and
column, so a curator fixes a broken file in one round. ``Catalogue`` holds the tables as
pandas DataFrames of text (booleans and integers typed); it is built from the folder or from
the database and the two give identical frames.
"""

from __future__ import annotations

import calendar
import gzip
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracker.settings import BUNDLED_CATALOGUE, get_settings

PACKAGE_FILE = "datapackage.json"
MAX_FILE_BYTES = 64 * 1024 * 1024  # a larger resource is refused, not parsed
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"  # as written in datapackage.json

# Status derived from the latest action. Ties on one date resolve by rank (a signature and a
# ratification on the same day leave the party bound; an exit on the same day wins).
ACTION_STATUS = {
    "signed": "signed",
    "observer": "observer",
    "ratified": "party",
    "acceded": "party",
    "approved": "party",
    "accepted": "party",
    "succeeded": "party",
    "joined": "member",
    "endorsed": "endorsed",
    "participates": "participant",
    "adopted_national_standard": "adopted",
    "withdrew_signature": "withdrawn",
    "withdrew_ratification": "withdrawn",  # becomes "signed" again if a signature stands
    "denounced": "denounced",
    "left": "left",
    "suspended": "suspended",
}
ACTION_RANK = {
    "signed": 0,
    "observer": 1,
    "withdrew_signature": 3,
    "withdrew_ratification": 3,
    "denounced": 3,
    "left": 3,
    "suspended": 3,
}  # every binding action ranks 2
ADOPTED_STATUSES = frozenset({"party", "member", "endorsed", "participant", "adopted"})
STATUS_COLUMNS = ["instrument_id", "party_code", "status", "role", "since", "adopted", "source_id", "detail"]


class CatalogueError(Exception):
    """The catalogue is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = problems[0] if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{head}{more}")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    row: int | None  # 1-based line in the file, header = 1; None for file-level problems
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.message}"


# --------------------------------------------------------------------------- dates


def date_bounds(value: str) -> tuple[date, date] | None:
    """First and last day a (partial) date can mean; None when malformed or impossible."""
    m = PARTIAL_DATE.match(value or "")
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        mo = int(month)
        if day is None:
            return date(year, mo, 1), date(year, mo, calendar.monthrange(year, mo)[1])
        d = date(year, mo, int(day))
        return d, d
    except ValueError:
        return None


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


# --------------------------------------------------------------------------- package reading


def _resource_path(root: Path, rel: Any, name: str, problems: list[Problem]) -> Path | None:
    """Resolve a resource path, refusing absolute paths, URLs and anything outside the package."""
    if not isinstance(rel, str) or not rel:
        problems.append(Problem(PACKAGE_FILE, None, None, f"resource {name!r} has no path"))
        return None
    if "://" in rel or rel.startswith(("/", "\\")) or ".." in Path(rel).parts:
        problems.append(
            Problem(PACKAGE_FILE, None, None, f"resource {name!r}: path {rel!r} is outside the package (refused)")
        )
        return None
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        problems.append(
            Problem(PACKAGE_FILE, None, None, f"resource {name!r}: path {rel!r} is outside the package (refused)")
        )
        return None
    return path


def _read_text(path: Path, rel: str, problems: list[Problem]) -> str | None:
    if not path.is_file():
        problems.append(Problem(rel, None, None, "file not found"))
        return None
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.append(Problem(rel, None, None, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB (refused)"))
        return None
    raw = path.read_bytes()
    if rel.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            problems.append(Problem(rel, None, None, f"not a valid gzip file ({exc})"))
            return None
        if len(raw) > 4 * MAX_FILE_BYTES:
            problems.append(Problem(rel, None, None, "decompressed file is too large (refused)"))
            return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, None, None, f"not UTF-8 (byte {exc.start}: {exc.reason})"))
        return None
    return text.removeprefix("\ufeff")  # a byte-order mark is tolerated


def _parse_csv(text: str, rel: str, expected: list[str], problems: list[Problem]) -> pd.DataFrame | None:
    if not text.strip():
        problems.append(Problem(rel, None, None, "file is empty (expected a header row)"))
        return None
    if "\x00" in text:
        problems.append(Problem(rel, None, None, "file contains NUL bytes (not a CSV text file)"))
        return None
    try:
        df = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, engine="c", skip_blank_lines=True
        )
    except (pd.errors.ParserError, ValueError) as exc:
        problems.append(Problem(rel, None, None, f"malformed CSV: {str(exc).strip().splitlines()[-1]}"))
        return None
    header = list(df.columns)
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected column(s) {', '.join(map(str, extra))}")
        if not parts:
            parts.append(f"columns out of order (expected {', '.join(expected)})")
        problems.append(Problem(rel, 1, None, "; ".join(parts)))
        return None
    return df.fillna("")


def _check_fields(df: pd.DataFrame, fields: list[dict], rel: str, problems: list[Problem]) -> None:
    lines = np.arange(2, len(df) + 2)
    for spec in fields:
        name, ftype, cons = spec["name"], spec.get("type", "string"), spec.get("constraints", {})
        col = df[name]
        empty = col == ""
        if cons.get("required"):
            for i in lines[empty.to_numpy()]:
                problems.append(Problem(rel, int(i), name, "required value is missing"))
        filled = ~empty
        formula = filled & col.str[:1].isin(FORMULA_START)
        for i, v in zip(lines[formula.to_numpy()], col[formula], strict=True):
            problems.append(
                Problem(rel, int(i), name, f"text starts with {v[:1]!r} (spreadsheet formula risk): {v[:30]!r}")
            )
        if "enum" in cons:
            bad = filled & ~col.isin(cons["enum"])
            for i, v in zip(lines[bad.to_numpy()], col[bad], strict=True):
                problems.append(Problem(rel, int(i), name, f"{v!r} is not one of: {', '.join(cons['enum'])}"))
        if "pattern" in cons:
            bad = filled & ~col.str.fullmatch(cons["pattern"])
            for i, v in zip(lines[bad.to_numpy()], col[bad], strict=True):
                problems.append(Problem(rel, int(i), name, f"{v[:60]!r} does not match the pattern {cons['pattern']}"))
        if ftype == "date" or cons.get("pattern") == PARTIAL_DATE_PATTERN:
            exact = ftype == "date"  # a full date; partial-date fields have their shape checked by the pattern
            form = "YYYY-MM-DD" if exact else "YYYY, YYYY-MM or YYYY-MM-DD"
            for i, v in zip(lines[filled.to_numpy()], col[filled], strict=True):
                shaped = PARTIAL_DATE.match(v) is not None
                if (exact and (len(v) != 10 or date_bounds(v) is None)) or (shaped and date_bounds(v) is None):
                    problems.append(Problem(rel, int(i), name, f"{v!r} is not a valid date ({form})"))
        elif ftype == "integer":
            bad = filled & ~col.str.fullmatch(r"-?\d+")
            for i, v in zip(lines[bad.to_numpy()], col[bad], strict=True):
                problems.append(Problem(rel, int(i), name, f"{v!r} is not an integer"))
        elif ftype == "boolean":
            bad = filled & ~col.isin(["true", "false"])
            for i, v in zip(lines[bad.to_numpy()], col[bad], strict=True):
                problems.append(Problem(rel, int(i), name, f"{v!r} is not true or false"))


def _check_unique(df: pd.DataFrame, key: list[str], rel: str, problems: list[Problem]) -> None:
    dup = df.duplicated(subset=key, keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        value = ", ".join(f"{k}={df.iloc[i][k]!r}" for k in key)
        problems.append(Problem(rel, int(i) + 2, key[0], f"duplicate key ({value})"))


def _check_foreign_key(
    df: pd.DataFrame, fk: dict, frames: dict, files: dict, rel: str, problems: list[Problem]
) -> None:
    target = fk["reference"]["resource"]
    if target not in frames:
        return  # the target table failed to load and has been reported already
    for col, ref_col in zip(fk["fields"], fk["reference"]["fields"], strict=True):
        values = df[col]
        bad = (values != "") & ~values.isin(set(frames[target][ref_col]))
        lines = np.arange(2, len(df) + 2)[bad.to_numpy()]
        for i, v in zip(lines, values[bad], strict=True):
            problems.append(Problem(rel, int(i), col, f"unknown {ref_col} {v!r} (not in {files[target]})"))


def read_package(path: Path | str) -> tuple[dict, dict[str, pd.DataFrame], list[Problem], dict[str, str]]:
    """Read every resource. Returns (descriptor, frames of text, problems, resource file names)."""
    root = Path(path)
    problems: list[Problem] = []
    if root.is_file() and root.name == PACKAGE_FILE:
        root = root.parent
    descriptor_path = root / PACKAGE_FILE
    if not descriptor_path.is_file():
        raise CatalogueError([Problem(str(descriptor_path), None, None, "no datapackage.json here")])
    try:
        descriptor = json.loads(descriptor_path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueError([Problem(PACKAGE_FILE, None, None, f"not valid UTF-8 JSON ({exc})")]) from None
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    expected = {r["name"]: r for r in _reference_descriptor()["resources"]}
    resources = {r.get("name"): r for r in descriptor.get("resources", []) if isinstance(r, dict)}
    for name in expected:
        if name not in resources:
            problems.append(Problem(PACKAGE_FILE, None, None, f"resource {name!r} is missing"))
    for name, res in resources.items():
        if name not in expected:
            problems.append(Problem(PACKAGE_FILE, None, None, f"unknown resource {name!r}"))
            continue
        rel = res.get("path")
        files[name] = rel if isinstance(rel, str) else name
        file_path = _resource_path(root, rel, name, problems)
        if file_path is None:
            continue
        text = _read_text(file_path, rel, problems)
        if text is None:
            continue
        fields = expected[name]["schema"]["fields"]  # our schema, not the file's claim
        df = _parse_csv(text, rel, [f["name"] for f in fields], problems)
        if df is not None:
            _check_fields(df, fields, rel, problems)
            frames[name] = df
    return descriptor, frames, problems, files


def table_schema(resource: str) -> dict:
    """The Table Schema of one resource (fields, keys) as the bundled descriptor declares it."""
    return table_schemas()[resource]


def enum_values(resource: str, column: str) -> list[str]:
    """The allowed values of a column, in the order the data package lists them."""
    return next(f for f in table_schema(resource)["fields"] if f["name"] == column)["constraints"]["enum"]


@cache
def table_schemas() -> dict[str, dict]:
    """Every resource's Table Schema, by resource name."""
    return {r["name"]: r["schema"] for r in _reference_descriptor()["resources"]}


@cache
def _reference_descriptor() -> dict:
    """The schema the code is written against: the bundled descriptor, whatever package is read."""
    return json.loads((BUNDLED_CATALOGUE / PACKAGE_FILE).read_text("utf-8"))


# --------------------------------------------------------------------------- domain rules

# Natural keys for tables whose primary key in the database is a surrogate id.
NATURAL_KEYS = {
    "adoptions": ["instrument_id", "party_code", "action", "role", "date"],
    "group_members": ["group_id", "party_code", "role", "joined"],
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
}
DATE_COLUMNS = {
    "adoptions": ["date"],
    "group_members": ["joined", "left"],
    "resolutions": ["date"],
    "sources": ["as_of"],
    "instruments": ["opened", "in_force", "as_of"],
    "groups": ["as_of"],
    "parties": ["un_member_since"],
}


def _rows(df: pd.DataFrame, mask) -> list[int]:
    return [int(i) + 2 for i in np.flatnonzero(np.asarray(mask))]


def _check_rules(frames: dict[str, pd.DataFrame], files: dict[str, str], today: date, problems: list[Problem]) -> None:
    schema = table_schemas()
    for name, df in frames.items():
        key = schema[name].get("primaryKey") or NATURAL_KEYS.get(name)
        if key:
            _check_unique(df, key, files[name], problems)
        for fk in schema[name].get("foreignKeys", []):
            _check_foreign_key(df, fk, frames, files, files[name], problems)
        for col in DATE_COLUMNS.get(name, []):
            starts = df[col].map(lambda v: (date_bounds(v) or (None,))[0] if v else None)
            future = starts.map(lambda d: d is not None and d > today)
            for i in _rows(df, future):
                value = df.iloc[i - 2][col]
                problems.append(Problem(files[name], i, col, f"{value!r} is in the future (today is {today})"))

    if {"adoptions", "instruments"} <= frames.keys():
        opened = dict(zip(frames["instruments"]["id"], frames["instruments"]["opened"], strict=True))
        ad = frames["adoptions"]
        for i, (inst, d) in enumerate(zip(ad["instrument_id"], ad["date"], strict=True)):
            o, b = date_bounds(opened.get(inst, "")), date_bounds(d)
            if o and b and b[1] < o[0]:
                problems.append(
                    Problem(files["adoptions"], i + 2, "date", f"{d} is before {inst} opened ({opened[inst]})")
                )
    if "group_members" in frames:
        gm = frames["group_members"]
        for i, (j, left) in enumerate(zip(gm["joined"], gm["left"], strict=True)):
            a, b = date_bounds(j), date_bounds(left)
            if a and b and b[1] < a[0]:
                problems.append(Problem(files["group_members"], i + 2, "left", f"left {left} before joining {j}"))
    if "party_aliases" in frames and "parties" in frames:
        pa, names = frames["party_aliases"], frames["parties"]
        folded = pa["alias"].str.casefold()
        for i in _rows(pa, folded.duplicated(keep="first")):
            problems.append(
                Problem(
                    files["party_aliases"],
                    i,
                    "alias",
                    f"alias {pa.iloc[i - 2]['alias']!r} repeats another alias (case-insensitive)",
                )
            )
        name_code = dict(zip(names["name"].str.casefold(), names["code"], strict=True))
        for i, (alias, code) in enumerate(zip(folded, pa["code"], strict=True)):
            if name_code.get(alias, code) != code:
                problems.append(
                    Problem(
                        files["party_aliases"],
                        i + 2,
                        "alias",
                        f"alias {pa.iloc[i]['alias']!r} is the name of party {name_code[alias]}",
                    )
                )
    if "crosswalk" in frames and "instruments" in frames:
        kinds = dict(zip(frames["instruments"]["id"], frames["instruments"]["kind"], strict=True))
        cw = frames["crosswalk"]
        for i, norm in enumerate(cw["norm_id"]):
            if norm in kinds and kinds[norm] != "norm":
                problems.append(
                    Problem(files["crosswalk"], i + 2, "norm_id", f"{norm!r} is a {kinds[norm]}, not a norm concept")
                )
    if {"votes", "resolutions"} <= frames.keys():
        _check_tallies(frames, files, problems)


def _check_tallies(frames, files, problems: list[Problem]) -> None:
    res, votes = frames["resolutions"], frames["votes"]
    counts = votes.groupby(["resolution_id", "vote"]).size().unstack(fill_value=0)
    recorded = dict(zip(res["id"], res["recorded_vote"], strict=True))
    stray = votes["resolution_id"].map(recorded).eq("false")
    for i in _rows(votes, stray)[:20]:
        problems.append(
            Problem(
                files["votes"],
                i,
                "resolution_id",
                f"{votes.iloc[i - 2]['resolution_id']} was adopted without a vote; no votes expected",
            )
        )
    for i, r in enumerate(res.itertuples(index=False)):
        if r.recorded_vote != "true" or r.yes == "" or r.note.startswith("known discrepancy"):
            continue
        got = counts.loc[r.id] if r.id in counts.index else None
        for col in ("yes", "no", "abstain"):
            n = int(got[col]) if got is not None and col in got else 0
            if str(n) != getattr(r, col):
                problems.append(
                    Problem(
                        files["resolutions"],
                        i + 2,
                        col,
                        f"{r.id}: recorded tally {col}={getattr(r, col)} but the votes count {n}",
                    )
                )


# --------------------------------------------------------------------------- the Catalogue


def _typed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Text frame -> typed frame (booleans, nullable integers), canonical row order."""
    schema = table_schema(name)
    df = df[[f["name"] for f in schema["fields"]]].copy()
    for f in schema["fields"]:
        if f.get("type") == "boolean":
            df[f["name"]] = df[f["name"]].map({"true": True, "false": False, True: True, False: False}).astype(bool)
        elif f.get("type") == "integer":
            df[f["name"]] = pd.to_numeric(df[f["name"]].replace("", None)).astype("Int64")
        else:
            df[f["name"]] = df[f["name"]].fillna("").astype(str)
    return df.sort_values(CANONICAL_ORDER[name], kind="stable").reset_index(drop=True)


@dataclass
class Catalogue:
    """The catalogue as pandas DataFrames (text columns; booleans and integers typed)."""

    sources: pd.DataFrame
    parties: pd.DataFrame
    party_aliases: pd.DataFrame
    instruments: pd.DataFrame
    instrument_aliases: pd.DataFrame
    adoptions: pd.DataFrame
    groups: pd.DataFrame
    group_members: pd.DataFrame
    resolutions: pd.DataFrame
    votes: pd.DataFrame
    crosswalk: pd.DataFrame
    version: str = ""
    origin: str = ""
    _status_cache: dict = field(default_factory=dict, repr=False, compare=False)

    TABLES = tuple(CANONICAL_ORDER)

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame], *, version: str = "", origin: str = "") -> Catalogue:
        return cls(**{name: _typed(name, frames[name]) for name in CANONICAL_ORDER}, version=version, origin=origin)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in CANONICAL_ORDER}

    def party_name(self, code: str) -> str:
        names = self._party_names()
        return names.get(code, code)

    def _party_names(self) -> dict[str, str]:
        if "names" not in self._status_cache:
            self._status_cache["names"] = dict(zip(self.parties["code"], self.parties["name"], strict=True))
        return self._status_cache["names"]

    def status(self, as_of: Any = None) -> pd.DataFrame:
        """One row per (instrument_id, party_code) with any action dated on or before ``as_of``.

        Priority rule: actions are ordered by date (a partial date counts from the last day it
        can mean, so "2001" is known by 2001-12-31) and, on the same date, signature <
        observer < binding act < exit. The latest action sets the status, except that a
        withdrawn ratification leaves a standing signature as "signed" (it is not a
        denunciation). An undated action counts from its source's as-of date. Parties with no
        action are absent: "no action recorded" is not "no data" (see ``coverage``).
        """
        key = str(_as_date(as_of)) if as_of is not None else None
        if key not in self._status_cache:
            self._status_cache[key] = _derive_status(self, _as_date(as_of))
        return self._status_cache[key].copy()

    def coverage(self) -> pd.DataFrame:
        """Per instrument: whether adoptions are tracked (any row) and the newest source as-of date."""
        ad = self.adoptions.merge(self.sources[["id", "as_of"]], left_on="source_id", right_on="id", how="left")
        per = ad.groupby("instrument_id").agg(
            rows=("party_code", "size"), parties=("party_code", "nunique"), sources_as_of=("as_of", "max")
        )
        out = self.instruments[["id", "name", "kind", "as_of"]].set_index("id").join(per)
        out["tracked"] = out["rows"].notna()
        return out.fillna({"rows": 0, "parties": 0, "sources_as_of": ""}).astype({"rows": int, "parties": int})


def _derive_status(cat: Catalogue, as_of: date | None) -> pd.DataFrame:
    ad = cat.adoptions
    if ad.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    source_as_of = dict(zip(cat.sources["id"], cat.sources["as_of"], strict=True))
    ends = {d: date_bounds(d)[1] for d in ad["date"].unique() if d}
    eff = [
        ends[d] if d else date.fromisoformat(source_as_of[s]) for d, s in zip(ad["date"], ad["source_id"], strict=True)
    ]
    work = ad.assign(effective=eff, rank=ad["action"].map(ACTION_RANK).fillna(2).astype(int))
    if as_of is not None:
        work = work[work["effective"] <= as_of]
    work = work.sort_values(["instrument_id", "party_code", "effective", "rank"], kind="stable")
    last = work.groupby(["instrument_id", "party_code"], sort=False).tail(1).set_index(["instrument_id", "party_code"])
    status = last["action"].map(ACTION_STATUS)
    detail = pd.Series("", index=last.index)
    withdrawn = last.index[last["action"] == "withdrew_ratification"]
    if len(withdrawn):
        signed = work[work["action"] == "signed"].set_index(["instrument_id", "party_code"]).index
        unsigned = work[work["action"] == "withdrew_signature"].set_index(["instrument_id", "party_code"]).index
        for idx in withdrawn:
            detail[idx] = f"ratification withdrawn {last.loc[idx, 'date']}".strip()
            if idx in signed and idx not in unsigned:
                status[idx] = "signed"
    out = pd.DataFrame(
        {
            "status": status,
            "role": last["role"],
            "since": last["date"],
            "adopted": status.isin(ADOPTED_STATUSES),
            "source_id": last["source_id"],
            "detail": detail,
        }
    ).reset_index()
    return out[STATUS_COLUMNS].sort_values(["instrument_id", "party_code"]).reset_index(drop=True)


# --------------------------------------------------------------------------- entry points


def content_hash(path: Path | str) -> str:
    """Hash of the descriptor and every resource file as stored (cheap; decides "unchanged")."""
    root = Path(path)
    h = hashlib.sha256()
    descriptor = root / PACKAGE_FILE
    h.update(descriptor.read_bytes())
    try:
        resources = json.loads(descriptor.read_text("utf-8")).get("resources", [])
    except (UnicodeDecodeError, json.JSONDecodeError):
        resources = []
    for res in resources:
        rel = res.get("path") if isinstance(res, dict) else None
        f = root / rel if isinstance(rel, str) and ".." not in Path(rel).parts else None
        if f is not None and f.is_file():
            h.update(rel.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def validate_package(path: Path | str | None = None, *, today: date | None = None) -> list[Problem]:
    """Every problem in the package at ``path`` (empty list = valid)."""
    path = Path(path) if path is not None else get_settings().catalogue_path
    try:
        _, frames, problems, files = read_package(path)
    except CatalogueError as exc:
        return exc.problems
    _check_rules(frames, files, today or date.today(), problems)
    return sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.message))


def load_catalogue(path: Path | str | None = None, *, today: date | None = None) -> Catalogue:
    """Read and validate a catalogue folder (default: the bundled one); raise on any problem."""
    path = Path(path) if path is not None else get_settings().catalogue_path
    _, frames, problems, files = read_package(path)
    _check_rules(frames, files, today or date.today(), problems)
    if problems:
        raise CatalogueError(sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.message)))
    return Catalogue.from_frames(frames, version=content_hash(path)[:12], origin=str(Path(path).resolve()))


# --------------------------------------------------------------------------- database sync


@dataclass
class LoadResult:
    status: str  # "loaded" or "unchanged"
    content_hash: str
    counts: dict[str, int]
    seconds: float


def _records(name: str, df: pd.DataFrame) -> list[tuple]:
    """Frame -> row tuples for the database: empty text becomes NULL, integers plain ints."""
    out = df.astype(object).where(df.ne("") & df.notna(), None)
    return list(out.itertuples(index=False, name=None))


def _bulk_insert(session, table, columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows inside the session's transaction through the driver's fast path
    (COPY on PostgreSQL, executemany on SQLite); the ORM would take ~10x longer for 300k votes."""
    if not rows:
        return
    raw = session.connection().connection.driver_connection
    cols = ", ".join(f'"{c}"' for c in columns)
    if session.get_bind().dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', rows)


def _parents_first(instruments: pd.DataFrame) -> pd.DataFrame:
    """Order instruments so a parent row is inserted before its children (row-wise FK checks)."""
    parent = dict(zip(instruments["id"], instruments["parent_id"], strict=True))

    def depth(i: str, seen: int = 0) -> int:
        return 0 if not parent.get(i) or seen > len(parent) else 1 + depth(parent[i], seen + 1)

    return (
        instruments.assign(_depth=instruments["id"].map(depth))
        .sort_values("_depth", kind="stable")
        .drop(columns="_depth")
    )


def sync_to_database(path: Path | str | None = None, *, engine=None, force: bool = False, progress=None) -> LoadResult:
    """Load the catalogue into the database in one transaction.

    Unchanged content (same hash as the last load) returns at once. Otherwise the package is
    validated *before* the database is touched; then every catalogue table is replaced inside
    a single transaction holding the write lock, so an error anywhere leaves the database as it
    was and two loaders queue instead of interleaving. Curated edits approved since the last
    load that the new catalogue would overwrite are reported and stop the load (``force`` to
    override, which is itself logged by the curation module).
    ``progress(done, total, label)`` is called as tables are written.
    """
    import time

    from sqlalchemy import delete, select, text

    from tracker.db import get_engine, loaded_state, migrate, session_scope

    started = time.perf_counter()
    path = Path(path) if path is not None else get_settings().catalogue_path
    engine = engine or get_engine()
    migrate(engine)
    digest = content_hash(path)
    state = loaded_state(engine)  # plain queries: an unchanged start needs no ORM models
    if not force and state is not None and state.content_hash == digest:
        return LoadResult("unchanged", digest, {}, time.perf_counter() - started)

    from tracker import curation
    from tracker.models import CATALOGUE_TABLES, CatalogueState

    def current_hash(session) -> str | None:
        state = session.exec(select(CatalogueState)).scalars().first()
        return state.content_hash if state else None

    cat = load_catalogue(path)  # raises CatalogueError before anything is written
    tables = cat.tables()
    total = sum(len(df) for df in tables.values())
    done = 0
    with session_scope(engine, write=True) as session:
        if engine.dialect.name == "postgresql":
            session.exec(text("SELECT pg_advisory_xact_lock(727274)"))
        if not force and current_hash(session) == digest:  # another process loaded it meanwhile
            return LoadResult("unchanged", digest, {}, time.perf_counter() - started)
        conflicts = curation.load_conflicts(session, cat)
        if conflicts and not force:
            raise CatalogueError([Problem("database", None, None, c) for c in conflicts])
        if engine.dialect.name == "postgresql":  # transactional, and skips row-by-row FK checks
            names = ", ".join(f'"{m.__tablename__}"' for m in CATALOGUE_TABLES.values())
            session.exec(text(f"TRUNCATE {names}"))
        else:
            for model in reversed(CATALOGUE_TABLES.values()):  # children first
                session.exec(delete(model))
        for name, model in CATALOGUE_TABLES.items():
            frame = _parents_first(tables[name]) if name == "instruments" else tables[name]
            rows = _records(name, frame)
            for start in range(0, len(rows), 50000):
                chunk = rows[start : start + 50000]
                _bulk_insert(session, model.__table__, list(frame.columns), chunk)
                done += len(chunk)
                if progress:
                    progress(done, total, name)
        session.exec(delete(CatalogueState))
        session.add(
            CatalogueState(
                id=1,
                content_hash=digest,
                catalogue_version=cat.version,
                loaded_from=str(path),
                loaded_at=pd.Timestamp.now("UTC").to_pydatetime(),
            )
        )
        if conflicts:
            curation.record_forced_load(session, cat, conflicts)
    return LoadResult("loaded", digest, {n: len(df) for n, df in tables.items()}, time.perf_counter() - started)


def catalogue_from_database(engine=None) -> Catalogue:
    """Build the same frames from the database (the system of record once loaded)."""
    from tracker.db import get_engine
    from tracker.models import CATALOGUE_TABLES, CatalogueState

    engine = engine or get_engine()
    schema = table_schemas()
    frames = {}
    with engine.connect() as conn:
        for name, model in CATALOGUE_TABLES.items():
            cols = [f["name"] for f in schema[name]["fields"]]
            quoted = ", ".join(f'"{c}"' for c in cols)  # plain driver query: reflection-free and fast
            cursor = conn.connection.driver_connection.cursor()
            cursor.execute(f'SELECT {quoted} FROM "{model.__tablename__}"')
            df = pd.DataFrame.from_records(cursor.fetchall(), columns=cols)
            cursor.close()
            for f in schema[name]["fields"]:
                if f.get("type") not in ("boolean", "integer"):
                    df[f["name"]] = df[f["name"]].astype(object).where(df[f["name"]].notna(), "")
            frames[name] = df
        state = conn.execute(CatalogueState.__table__.select()).first()
    if state is None:
        raise CatalogueError([Problem("database", None, None, "no catalogue loaded yet (run `tracker load`)")])
    return Catalogue.from_frames(frames, version=state.catalogue_version, origin=str(engine.url))
