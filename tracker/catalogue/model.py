"""The ``Catalogue``: every table as a pandas DataFrame, plus an explicit, thread-safe memo.

A catalogue is built from a folder (``load_catalogue``) or from the database
(``tracker.sync.catalogue_from_database``); the two give identical frames, and the analytics
cannot tell which. Frames are text (booleans and integers typed), in canonical row order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from tracker.catalogue.evidence import all_evidence
from tracker.catalogue.package import content_hash, read
from tracker.catalogue.rules import check_rules
from tracker.catalogue.status import derive_status
from tracker.dates import to_date
from tracker.errors import CatalogueError, Problem, sorted_problems
from tracker.schema import CANONICAL_ORDER, TABLES, table_schema
from tracker.settings import get_settings

T = TypeVar("T")
# resources whose Catalogue attribute has another name (the public name is taken by a richer view)
ATTRIBUTE = {"norm_evidence": "stored_norm_evidence"}


def typed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Text frame -> typed frame (booleans, nullable integers), canonical row order."""
    schema = table_schema(name)
    df = df.reindex(columns=[f["name"] for f in schema["fields"]])  # hand-built frames may omit columns
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
    resolution_links: pd.DataFrame
    resolution_sponsors: pd.DataFrame
    stored_norm_evidence: pd.DataFrame  # resource "norm_evidence"; ``norm_evidence`` adds the derived rows
    version: str = ""
    origin: str = ""
    # memo: key -> (tables the value was computed from, value); shared by threads, so guarded
    _memo: dict[Hashable, tuple[frozenset[str], Any]] = field(default_factory=dict, repr=False, compare=False)
    _lock: Any = field(default_factory=threading.RLock, repr=False, compare=False)

    TABLES = TABLES

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame], *, version: str = "", origin: str = "") -> Catalogue:
        """A catalogue from frames by resource name (a missing table is empty; nothing is validated)."""
        empty = pd.DataFrame()
        typed_frames = {ATTRIBUTE.get(name, name): typed(name, frames.get(name, empty)) for name in TABLES}
        return cls(**typed_frames, version=version, origin=origin)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its resource name in the data package."""
        return {name: getattr(self, ATTRIBUTE.get(name, name)) for name in TABLES}

    # ------------------------------------------------------------------ memo

    def memo(self, key: Hashable, compute: Callable[[], T], *, uses: tuple[str, ...] = TABLES) -> T:
        """``compute()`` once per catalogue and key (thread-safe); ``uses`` names the tables it
        reads, so ``replace`` can keep what a change of other tables leaves valid."""
        with self._lock:
            if key in self._memo:
                return self._memo[key][1]
        value = compute()  # outside the lock: a slow computation does not block other keys
        with self._lock:
            return self._memo.setdefault(key, (frozenset(uses), value))[1]

    def replace(self, **tables: pd.DataFrame) -> Catalogue:
        """A new catalogue with some tables replaced (frames as given, not re-validated); memo
        entries computed from untouched tables only are carried over."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown table(s): {', '.join(sorted(unknown))}")
        frames = {ATTRIBUTE.get(n, n): f for n, f in {**self.tables(), **tables}.items()}
        new = Catalogue(**frames, version=self.version, origin=self.origin)
        with self._lock:
            new._memo = {k: v for k, v in self._memo.items() if not v[0] & tables.keys()}
        return new

    def __getstate__(self) -> dict[str, Any]:  # the memo and its lock are not part of the data
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("_memo", "_lock")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._memo = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ questions

    def party_names(self) -> dict[str, str]:
        """Party code -> display name."""
        return self.memo(
            "party_names",
            lambda: dict(zip(self.parties["code"], self.parties["name"], strict=True)),
            uses=("parties",),
        )

    @property
    def norm_evidence(self) -> pd.DataFrame:
        """Every piece of norm evidence: the stored rows and those derived from adoptions x
        crosswalk and from resolutions (column ``derived``); ``tracker.norms.ladder`` ranks it."""
        return self.memo("norm_evidence", lambda: all_evidence(self)).copy()

    def party_name(self, code: str) -> str:
        return self.party_names().get(code, code)

    def status(self, as_of: Any = None) -> pd.DataFrame:
        """One row per (instrument_id, party_code) with any action dated on or before ``as_of``.

        Priority rule: actions are ordered by date (a partial date counts from the last day it
        can mean, so "2001" is known by 2001-12-31) and, on the same date, signature <
        observer < binding act < exit. The latest action sets the status, except that a
        withdrawn ratification leaves a standing signature as "signed" (it is not a
        denunciation). An undated action appears from the instrument's opening, flagged
        ``date_known`` False (it is certainly true by its source's as-of date, ``known_by``).
        ``level`` says how strongly the party is committed (see ``tracker.catalogue.status``).
        Parties with no action are absent: "no action recorded" is not "no data" (see ``coverage``).
        """
        day: date | None = to_date(as_of)
        frame = self.memo(
            ("status", day),
            lambda: derive_status(self.adoptions, self.sources, self.instruments, day),
            uses=("adoptions", "sources", "instruments"),
        )
        return frame.copy()

    def coverage(self) -> pd.DataFrame:
        """Per instrument: whether adoptions are tracked (any row) and the newest source as-of date."""
        ad = self.adoptions.merge(self.sources[["id", "as_of"]], left_on="source_id", right_on="id", how="left")
        per = ad.groupby("instrument_id").agg(
            rows=("party_code", "size"), parties=("party_code", "nunique"), sources_as_of=("as_of", "max")
        )
        out = self.instruments[["id", "name", "kind", "as_of"]].set_index("id").join(per)
        out["tracked"] = out["rows"].notna()
        return out.fillna({"rows": 0, "parties": 0, "sources_as_of": ""}).astype({"rows": int, "parties": int})


def _read_and_check(path: Path, today: date | None) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    package = read(path)
    check_rules(package.frames, package.files, today or date.today(), package.problems, package.lines)
    return package.frames, sorted_problems(package.problems)


def validate_package(path: Path | str | None = None, *, today: date | None = None) -> list[Problem]:
    """Every problem in the package at ``path`` (empty list = valid)."""
    path = Path(path) if path is not None else get_settings().catalogue_path
    try:
        return _read_and_check(path, today)[1]
    except CatalogueError as exc:
        return exc.problems


def load_catalogue(path: Path | str | None = None, *, today: date | None = None) -> Catalogue:
    """Read and validate a catalogue folder (default: the bundled one); raise on any problem."""
    path = Path(path) if path is not None else get_settings().catalogue_path
    frames, problems = _read_and_check(path, today)
    if problems:
        raise CatalogueError(problems)
    return Catalogue.from_frames(frames, version=content_hash(path)[:12], origin=str(Path(path).resolve()))
