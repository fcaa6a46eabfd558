"""Read a data package from disk: safe resource paths, size limits, UTF-8 CSV, content hash.

Every resource path is checked before anything is read or hashed: no absolute paths, URLs or
``..``, nothing that resolves (through a symbolic link) outside the package folder, and only
regular files (a FIFO or a device would block or never end). Sizes are checked before reading,
and a gzip file is decompressed as a stream that stops at the limit.

Reading checks each file's shape and every cell against the reference schema
(``rules.check_fields``); the rules across tables run afterwards (``rules.check_rules``). Rows are
named by their physical line in the file (blank lines and multi-line quoted cells count).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import logging
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracker.catalogue.rules import check_fields
from tracker.errors import CatalogueError, Problem
from tracker.schema import CANONICAL_ORDER, PACKAGE_FILE, fields, reference_descriptor

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 64 * 1024 * 1024  # a larger resource, on disk or once decompressed, is refused
MAX_DESCRIPTOR_BYTES = 1024 * 1024


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n >= 2**20 else f"{n // 2**10} KiB"


def _outside(name: str, rel: str) -> Problem:
    return Problem(PACKAGE_FILE, None, None, f"resource {name!r}: path {rel!r} is outside the package (refused)")


def resource_path(root: Path, rel: Any, name: str, problems: list[Problem]) -> Path | None:
    """Resolve a resource path, refusing absolute paths, URLs, ``..`` and symbolic links that lead
    outside the package. Reads nothing (only resolves links)."""
    if not isinstance(rel, str) or not rel:
        problems.append(Problem(PACKAGE_FILE, None, None, f"resource {name!r} has no path"))
        return None
    if "://" in rel or rel.startswith(("/", "\\")) or ".." in Path(rel).parts or Path(rel).is_absolute():
        problems.append(_outside(name, rel))
        return None
    base = root.resolve()
    path = (base / rel).resolve()
    if not path.is_relative_to(base):
        problems.append(
            Problem(
                PACKAGE_FILE,
                None,
                None,
                f"resource {name!r}: {rel!r} is a link to {path}, outside the package (refused)",
            )
        )
        return None
    return path


def _open_regular(path: Path, rel: str, limit: int, problems: list[Problem]):
    """A binary file object for ``path`` if it is a regular file of at most ``limit`` bytes, else
    None with the problem reported. Never blocks: a FIFO is opened non-blocking and refused."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        problems.append(Problem(rel, None, None, "file not found"))
        return None
    except OSError as exc:  # a link swapped in since it was resolved, no permission, ...
        problems.append(Problem(rel, None, None, f"cannot be read ({exc.strerror})"))
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        problems.append(Problem(rel, None, None, "not a regular file (refused)"))
        return None
    if info.st_size > limit:
        os.close(fd)
        problems.append(Problem(rel, None, None, f"file is larger than {_size(limit)} (refused)"))
        return None
    return os.fdopen(fd, "rb")


def _read_text(path: Path, rel: str, problems: list[Problem]) -> str | None:
    f = _open_regular(path, rel, MAX_FILE_BYTES, problems)
    if f is None:
        return None
    with f:
        if rel.endswith(".gz"):
            try:  # a stream: at most one byte past the limit is ever decompressed
                with gzip.GzipFile(fileobj=f, mode="rb") as gz:
                    raw = gz.read(MAX_FILE_BYTES + 1)
            except (OSError, EOFError, zlib.error) as exc:
                problems.append(Problem(rel, None, None, f"not a valid gzip file ({exc})"))
                return None
            if len(raw) > MAX_FILE_BYTES:
                problems.append(
                    Problem(rel, None, None, f"larger than {_size(MAX_FILE_BYTES)} once decompressed (refused)")
                )
                return None
        else:
            raw = f.read(MAX_FILE_BYTES + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, None, None, f"not UTF-8 (byte {exc.start}: {exc.reason})"))
        return None
    return text.removeprefix("\ufeff")  # a byte-order mark is tolerated


# --------------------------------------------------------------------------- physical lines

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _physical(text: str) -> list[str]:
    """The file's lines as an editor (and the csv module) counts them: LF, CRLF or a lone CR ends one."""
    return text.split("\n") if "\r" not in text else re.split(r"\r\n|\r|\n", text)


def _is_blank(line: str) -> bool:
    return line.strip(" \t") == ""


def record_lines(text: str) -> np.ndarray | None:
    """The 1-based line each record starts on, the header's first, as pandas reads the file
    (blank lines skipped, a quoted cell may span lines). None if the file cannot be scanned."""
    body = text.rstrip("\n")
    ends = (body[: max(body.find("\n"), 0)], body[body.rfind("\n") + 1 :])
    if not any(c in body for c in '"\r') and not _BLANK_LINE.search(body) and not any(map(_is_blank, ends)):
        return np.arange(1, body.count("\n") + 2)  # one line per record: nothing to count
    physical = _physical(text)
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        for _record in reader:
            start, end = end + 1, reader.line_num
            if start == end and _is_blank(physical[start - 1]):
                continue
            starts.append(start)
    except csv.Error:
        return None
    return np.array(starts, dtype=np.int64)


def _locate_parse_error(text: str, rel: str, width: int) -> Problem | None:
    """The line and cause of what the CSV parser refused: a quote never closed, or a row with
    more cells than the header has columns."""
    physical = _physical(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if start == end and _is_blank(physical[start - 1]):
                continue
            if len(record) > width:
                return Problem(
                    rel, start, None, f"malformed CSV: {len(record)} cells, but the header has {width} columns"
                )
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return Problem(
                rel,
                end + 1,
                None,
                "malformed CSV: a quoted cell opens on this line and is never closed (end of file inside quotes)",
            )
        return Problem(rel, reader.line_num, None, f"malformed CSV: {exc}")
    return None


def _parse_csv(
    text: str, rel: str, expected: list[str], problems: list[Problem]
) -> tuple[pd.DataFrame, np.ndarray] | None:
    if not text.strip():
        problems.append(Problem(rel, None, None, "file is empty (expected a header row)"))
        return None
    if "\x00" in text:
        problems.append(Problem(rel, None, None, "file contains NUL bytes (not a CSV text file)"))
        return None
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="c",
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        located = _locate_parse_error(text, rel, len(expected))
        problems.append(located or Problem(rel, None, None, f"malformed CSV: {str(exc).strip().splitlines()[-1]}"))
        return None
    starts = record_lines(text)
    header_line = int(starts[0]) if starts is not None and len(starts) else 1
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
        problems.append(Problem(rel, header_line, None, "; ".join(parts)))
        return None
    if starts is None or len(starts) != len(df) + 1:
        log.warning("%s: could not map rows to lines (%s starts for %d rows); counting rows", rel, starts, len(df))
        starts = np.arange(1, len(df) + 2)
    return df.fillna(""), starts[1:]


# --------------------------------------------------------------------------- the package


@dataclass
class Package:
    """What was read: the descriptor, each resource as a text frame, where each row is in its file."""

    descriptor: dict
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # resource name -> path as written
    lines: dict[str, np.ndarray] = field(default_factory=dict)  # resource name -> each row's file line


def _descriptor(root: Path) -> dict:
    """The parsed ``datapackage.json`` (a regular file inside the folder, at most 1 MiB), or
    CatalogueError."""
    path = root / PACKAGE_FILE
    if not path.exists() and not path.is_symlink():
        raise CatalogueError([Problem(str(path), None, None, "no datapackage.json here")])
    problems: list[Problem] = []
    if not path.resolve().is_relative_to(root.resolve()):
        raise CatalogueError(
            [Problem(PACKAGE_FILE, None, None, f"is a link to {path.resolve()}, outside the package (refused)")]
        )
    f = _open_regular(path.resolve(), PACKAGE_FILE, MAX_DESCRIPTOR_BYTES, problems)
    if f is None:
        raise CatalogueError(problems)
    with f:
        raw = f.read()
    try:
        descriptor = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogueError([Problem(PACKAGE_FILE, None, None, f"not valid UTF-8 JSON ({exc})")]) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        raise CatalogueError([Problem(PACKAGE_FILE, None, None, "not a data package (no list of resources)")])
    return descriptor


def _root(path: Path | str) -> Path:
    root = Path(path)
    return root.parent if root.is_file() and root.name == PACKAGE_FILE else root


def _declared(descriptor: dict, problems: list[Problem]) -> dict[str, dict]:
    """Resources by name; a name declared twice is refused (which one would count?)."""
    listed = [r for r in descriptor.get("resources", []) if isinstance(r, dict) and isinstance(r.get("name"), str)]
    names: list[str] = [r["name"] for r in listed]
    twice = {n for n in names if names.count(n) > 1}
    for name in sorted(twice, key=str):
        problems.append(
            Problem(PACKAGE_FILE, None, None, f"resource {name!r} is declared {names.count(name)} times (refused)")
        )
    return {r["name"]: r for r in listed if r["name"] not in twice}


def read(path: Path | str) -> Package:
    """Read every resource against the reference schema; problems are collected, not raised
    (except for a folder without a readable descriptor)."""
    root = _root(path)
    package = Package(_descriptor(root))
    problems = package.problems
    expected = {r["name"]: r for r in reference_descriptor()["resources"]}
    declared = _declared(package.descriptor, problems)
    listed = {r.get("name") for r in package.descriptor.get("resources", []) if isinstance(r, dict)}
    for name in expected:
        if name not in listed:
            problems.append(Problem(PACKAGE_FILE, None, None, f"resource {name!r} is missing"))
    for name, res in declared.items():
        if name not in expected:
            problems.append(Problem(PACKAGE_FILE, None, None, f"unknown resource {name!r}"))
            continue
        rel = res.get("path")
        package.files[name] = rel if isinstance(rel, str) else name
        file_path = resource_path(root, rel, name, problems)
        if file_path is None or not isinstance(rel, str):  # a path is only resolved from a str
            continue
        text = _read_text(file_path, rel, problems)
        if text is None:
            continue
        spec = expected[name]["schema"]["fields"]  # our schema, not the file's claim
        parsed = _parse_csv(text, rel, [f["name"] for f in spec], problems)
        if parsed is not None:
            df, lines = parsed
            check_fields(df, spec, rel, problems, lines)
            package.frames[name] = df
            package.lines[name] = lines
    return package


def read_package(path: Path | str) -> tuple[dict, dict[str, pd.DataFrame], list[Problem], dict[str, str]]:
    """Read every resource. Returns (descriptor, frames of text, problems, resource file names)."""
    package = read(path)
    return package.descriptor, package.frames, package.problems, package.files


def content_hash(path: Path | str) -> str:
    """Hash of the descriptor and every resource file as stored (decides "unchanged"). Paths are
    checked first, as reading does: an unsafe one raises ``CatalogueError`` and nothing is read."""
    root = _root(path)
    descriptor = _descriptor(root)
    problems: list[Problem] = []
    targets = []
    for res in descriptor.get("resources", []):
        rel = res.get("path") if isinstance(res, dict) else None
        if not isinstance(rel, str) or not rel:
            continue  # reported by validation
        resolved = resource_path(root, rel, res.get("name"), problems)
        if resolved is not None:
            targets.append((rel, resolved))
    if problems:
        raise CatalogueError(problems)
    h = hashlib.sha256()
    with (root / PACKAGE_FILE).resolve().open("rb") as f:
        h.update(f.read(MAX_DESCRIPTOR_BYTES))
    for rel, resolved in targets:
        f = _open_regular(resolved, rel, MAX_FILE_BYTES, problems)
        if f is None:
            if problems[-1].message == "file not found":
                problems.pop()  # a missing file is validation's to report; it changes the hash anyway
            continue
        with f:
            h.update(rel.encode())
            while chunk := f.read(2**20):
                h.update(chunk)
    if problems:
        raise CatalogueError(problems)
    return h.hexdigest()


# --------------------------------------------------------------------------- canonical text form


def cell_text(value: Any) -> str:
    """A typed value back to the package's text form ("true"/"false", integers, "")."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def catalogue_text(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """A typed Catalogue frame back to the package's text form."""
    out = pd.DataFrame(index=df.index)
    for f in fields(table):
        col = df[f["name"]]
        if f.get("type") in ("boolean", "integer"):
            out[f["name"]] = [cell_text(v) for v in col.astype(object)]
        else:
            out[f["name"]] = col.fillna("").astype(str)
    return out


def catalogue_csv(table: str, df: pd.DataFrame) -> bytes:
    """One table in canonical form: schema column order, canonical row order, LF, minimal quoting."""
    frame = catalogue_text(table, df).sort_values(CANONICAL_ORDER[table], kind="stable")
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
