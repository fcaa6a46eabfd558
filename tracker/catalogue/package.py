"""Read a data package from disk: safe resource paths, size limits, UTF-8 CSV, content hash.

Reading checks each file's shape and every cell against the reference schema
(``rules.check_fields``); the rules across tables run afterwards (``rules.check_rules``).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from tracker.catalogue.rules import check_fields
from tracker.errors import CatalogueError, Problem
from tracker.schema import CANONICAL_ORDER, PACKAGE_FILE, fields, reference_descriptor

MAX_FILE_BYTES = 64 * 1024 * 1024  # a larger resource is refused, not parsed


def resource_path(root: Path, rel: Any, name: str, problems: list[Problem]) -> Path | None:
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
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="c",
            skip_blank_lines=True,
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
    expected = {r["name"]: r for r in reference_descriptor()["resources"]}
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
        file_path = resource_path(root, rel, name, problems)
        if file_path is None:
            continue
        text = _read_text(file_path, rel, problems)
        if text is None:
            continue
        fields = expected[name]["schema"]["fields"]  # our schema, not the file's claim
        df = _parse_csv(text, rel, [f["name"] for f in fields], problems)
        if df is not None:
            check_fields(df, fields, rel, problems)
            frames[name] = df
    return descriptor, frames, problems, files


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
