"""The catalogue's rules as code: cell checks against the schema, keys, foreign keys, domain rules.

Public so that curation checks a proposal with exactly the rules a load applies. Every check
appends ``Problem``s (file, line, column) instead of stopping at the first one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tracker.dates import PARTIAL_DATE, PARTIAL_DATE_PATTERN, date_bounds
from tracker.errors import Problem
from tracker.schema import DATE_COLUMNS, INTEGER_MAX, INTEGER_MIN, MAX_KEY_BYTES, NATURAL_KEYS, table_schemas
from tracker.text import CONTROL_PATTERN, control_char_problem

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Each rule lists the first rows it finds in a column and then says how many more: a million
# duplicate rows are a few lines to read, not two million.
MAX_PER_RULE = 50


def file_lines(df: pd.DataFrame, lines: np.ndarray | None = None) -> np.ndarray:
    """The 1-based file line of each row (header = 1): as read, or counted when not known."""
    return np.asarray(lines) if lines is not None else np.arange(2, len(df) + 2)


def report(
    problems: list[Problem],
    rel: str,
    column: str | None,
    lines: Iterable[int],
    values: Iterable[Any],
    message: Callable[[Any], str],
    rule: str,
) -> None:
    """One problem per flagged row, the first ``MAX_PER_RULE`` of them, then one line saying how
    many more rows broke the same ``rule`` (from the line of the first one not listed)."""
    lines = list(lines)
    for line, value in zip(lines[:MAX_PER_RULE], values, strict=False):
        problems.append(Problem(rel, int(line), column, message(value)))
    if len(lines) > MAX_PER_RULE:
        more = len(lines) - MAX_PER_RULE
        problems.append(
            Problem(
                rel, int(lines[MAX_PER_RULE]), column, f"{rule}: {more:,} more rows like this from here on (not listed)"
            )
        )


def _control_beyond_tabs(v: str) -> str | None:
    """The control-character problem of a cell, if it has one besides tabs: a tab inside text
    only moves the cursor forward (a cell *starting* with one is a formula risk, refused above)."""
    return control_char_problem(v.replace("\t", " "))


def _short(v: str, n: int = 24) -> str:
    return v if len(v) <= n else v[:n] + "…"


def _out_of_range(v: str) -> bool:
    return len(v.lstrip("-")) > 4000 or not INTEGER_MIN <= int(v) <= INTEGER_MAX  # int() refuses over 4,300 digits


def check_fields(
    df: pd.DataFrame, fields: list[dict], rel: str, problems: list[Problem], lines: np.ndarray | None = None
) -> None:
    """Every cell against its field: required, formula and control characters, enum, pattern, type,
    and the database's integer range. ``lines`` are the rows' file lines (default: counted)."""
    lines = file_lines(df, lines)

    def flag(mask: pd.Series, name: str, message: Callable[[Any], str], rule: str) -> None:
        hit = np.asarray(mask, dtype=bool)
        if hit.any():
            report(problems, rel, name, lines[hit], df[name][hit], message, rule)

    for spec in fields:
        name, ftype, cons = spec["name"], spec.get("type", "string"), spec.get("constraints", {})
        col = df[name]
        empty = col == ""
        filled = ~empty
        if cons.get("required"):
            flag(empty, name, lambda _v: "required value is missing", "required value is missing")
        formula = filled & col.str[:1].isin(FORMULA_START)
        flag(
            formula,
            name,
            lambda v: f"text starts with {v[:1]!r} (spreadsheet formula risk): {v[:30]!r}",
            "spreadsheet formula risk",
        )
        control = filled & ~formula & col.str.contains(CONTROL_PATTERN, regex=True)
        if control.any():  # rare: look again at the few hits, tolerating tabs inside text
            control = control & col.where(control, "").map(_control_beyond_tabs).astype(bool)
        flag(control, name, lambda v: _control_beyond_tabs(v) or "", "control characters")
        if "enum" in cons:
            flag(
                filled & ~col.isin(cons["enum"]),
                name,
                lambda v: f"{v!r} is not one of: {', '.join(cons['enum'])}",  # noqa: B023 - used at once
                "not an allowed value",
            )
        if "pattern" in cons:
            flag(
                filled & ~col.str.fullmatch(cons["pattern"]),
                name,
                lambda v: f"{v[:60]!r} does not match the pattern {cons['pattern']}",  # noqa: B023 - used at once
                "pattern mismatch",
            )
        if ftype == "date" or cons.get("pattern") == PARTIAL_DATE_PATTERN:
            exact = ftype == "date"  # a full date; partial-date fields have their shape checked by the pattern
            form = "YYYY-MM-DD" if exact else "YYYY, YYYY-MM or YYYY-MM-DD"

            def bad_date(v: str, exact: bool = exact) -> bool:
                shaped = PARTIAL_DATE.match(v) is not None
                return (exact and (len(v) != 10 or date_bounds(v) is None)) or (shaped and date_bounds(v) is None)

            flag(
                filled & col.map(bad_date).astype(bool),
                name,
                lambda v: f"{v!r} is not a valid date ({form})",  # noqa: B023 - used at once
                "invalid date",
            )
        elif ftype == "integer":
            shaped = col.str.fullmatch(r"-?\d+")
            flag(filled & ~shaped, name, lambda v: f"{v!r} is not an integer", "not an integer")
            flag(
                filled & shaped & col.where(filled & shaped, "0").map(_out_of_range).astype(bool),
                name,
                lambda v: f"{_short(v)} is outside the database's integer range ({INTEGER_MIN:,} to {INTEGER_MAX:,})",
                "integer out of range",
            )
        elif ftype == "boolean":
            flag(filled & ~col.isin(["true", "false"]), name, lambda v: f"{v!r} is not true or false", "not a boolean")


def _check_unique(df: pd.DataFrame, key: list[str], rel: str, lines: np.ndarray, problems: list[Problem]) -> None:
    dup = df.duplicated(subset=key, keep="first").to_numpy()
    if not dup.any():
        return
    first = df.loc[dup, key].head(MAX_PER_RULE)
    values = [", ".join(f"{k}={v!r}" for k, v in zip(key, row, strict=True)) for row in first.itertuples(index=False)]
    report(problems, rel, key[0], lines[dup], values, lambda v: f"duplicate key ({v})", "duplicate key")


def _check_key_size(df: pd.DataFrame, key: list[str], rel: str, lines: np.ndarray, problems: list[Problem]) -> None:
    """A primary key must fit in a database index entry (``MAX_KEY_BYTES``, UTF-8)."""
    chars = sum(df[k].str.len().to_numpy() for k in key)
    maybe = chars * 4 > MAX_KEY_BYTES  # only these can be too long; encode just them
    if not maybe.any():
        return
    sizes = {k: df.loc[maybe, k].str.encode("utf-8").str.len().to_numpy() for k in key}
    total = sum(sizes.values())
    over = total > MAX_KEY_BYTES
    if not over.any():
        return
    widest = [key[int(i)] for i in np.argmax(np.vstack([sizes[k] for k in key]), axis=0)[over]]
    hit = np.flatnonzero(maybe)[over]
    for column in dict.fromkeys(widest):
        rows = [h for h, w in zip(hit, widest, strict=True) if w == column]
        report(
            problems,
            rel,
            column,
            lines[rows],
            total[over][[w == column for w in widest]],
            lambda n: (
                f"key too long for a database index: {n:,} bytes in UTF-8 ({', '.join(key)}; at most {MAX_KEY_BYTES:,})"
            ),
            "key too long",
        )


def _check_foreign_key(
    df: pd.DataFrame, fk: dict, frames: dict, files: dict, rel: str, lines: np.ndarray, problems: list[Problem]
) -> None:
    target = fk["reference"]["resource"]
    if target not in frames:
        return  # the target table failed to load and has been reported already
    for col, ref_col in zip(fk["fields"], fk["reference"]["fields"], strict=True):
        values = df[col]
        bad = ((values != "") & ~values.isin(set(frames[target][ref_col]))).to_numpy()
        report(
            problems,
            rel,
            col,
            lines[bad],
            values[bad],
            lambda v: f"unknown {ref_col} {v!r} (not in {files[target]})",  # noqa: B023 - used at once
            f"unknown {ref_col}",
        )


def check_rules(
    frames: dict[str, pd.DataFrame],
    files: dict[str, str],
    today: date,
    problems: list[Problem],
    lines: dict[str, np.ndarray] | None = None,
) -> None:
    """Keys (unique, and small enough for a database index), foreign keys, future dates and the
    domain rules across tables. ``lines`` gives each table's file lines (default: counted)."""
    schema = table_schemas()
    at = {name: file_lines(df, (lines or {}).get(name)) for name, df in frames.items()}
    for name, df in frames.items():
        rel, where = files[name], at[name]
        primary = schema[name].get("primaryKey")
        key = primary or NATURAL_KEYS.get(name)
        if key:
            _check_unique(df, key, rel, where, problems)
        if primary:
            _check_key_size(df, primary, rel, where, problems)
        for fk in schema[name].get("foreignKeys", []):
            _check_foreign_key(df, fk, frames, files, rel, where, problems)
        for col in DATE_COLUMNS.get(name, []):
            starts = df[col].map(lambda v: (date_bounds(v) or (None,))[0] if v else None)
            future = starts.map(lambda d: d is not None and d > today).to_numpy(dtype=bool)
            report(
                problems,
                rel,
                col,
                where[future],
                df[col][future],
                lambda v: f"{v!r} is in the future (today is {today})",
                "date in the future",
            )

    if {"adoptions", "instruments"} <= frames.keys():
        inst = frames["instruments"]
        opened = dict(zip(inst["id"], inst["opened"], strict=True))
        ad, rel, where = frames["adoptions"], files["adoptions"], at["adoptions"]
        early = [
            i
            for i, (inst_id, d) in enumerate(zip(ad["instrument_id"], ad["date"], strict=True))
            if (o := date_bounds(opened.get(inst_id, ""))) and (b := date_bounds(d)) and b[1] < o[0]
        ]
        report(
            problems,
            rel,
            "date",
            where[early],
            [(ad["date"].iat[i], ad["instrument_id"].iat[i]) for i in early[:MAX_PER_RULE]],
            lambda v: f"{v[0]} is before {v[1]} opened ({opened[v[1]]})",
            "action before the instrument opened",
        )
    if "group_members" in frames:
        gm = frames["group_members"]
        backwards = [
            i
            for i, (j, left) in enumerate(zip(gm["joined"], gm["left"], strict=True))
            if (a := date_bounds(j)) and (b := date_bounds(left)) and b[1] < a[0]
        ]
        report(
            problems,
            files["group_members"],
            "left",
            at["group_members"][backwards],
            [(gm["left"].iat[i], gm["joined"].iat[i]) for i in backwards[:MAX_PER_RULE]],
            lambda v: f"left {v[0]} before joining {v[1]}",
            "left before joining",
        )
    if "party_aliases" in frames and "parties" in frames:
        pa, names = frames["party_aliases"], frames["parties"]
        rel, where = files["party_aliases"], at["party_aliases"]
        folded = pa["alias"].str.casefold()
        repeated = folded.duplicated(keep="first").to_numpy()
        report(
            problems,
            rel,
            "alias",
            where[repeated],
            pa["alias"][repeated],
            lambda v: f"alias {v!r} repeats another alias (case-insensitive)",
            "repeated alias",
        )
        name_code = dict(zip(names["name"].str.casefold(), names["code"], strict=True))
        clash = [
            i
            for i, (alias, code) in enumerate(zip(folded, pa["code"], strict=True))
            if name_code.get(alias, code) != code
        ]
        report(
            problems,
            rel,
            "alias",
            where[clash],
            [(pa["alias"].iat[i], name_code[folded.iat[i]]) for i in clash[:MAX_PER_RULE]],
            lambda v: f"alias {v[0]!r} is the name of party {v[1]}",
            "alias naming another party",
        )
    if "crosswalk" in frames and "instruments" in frames:
        kinds = dict(zip(frames["instruments"]["id"], frames["instruments"]["kind"], strict=True))
        cw = frames["crosswalk"]
        not_norm = [i for i, norm in enumerate(cw["norm_id"]) if norm in kinds and kinds[norm] != "norm"]
        report(
            problems,
            files["crosswalk"],
            "norm_id",
            at["crosswalk"][not_norm],
            [cw["norm_id"].iat[i] for i in not_norm[:MAX_PER_RULE]],
            lambda v: f"{v!r} is a {kinds[v]}, not a norm concept",
            "not a norm concept",
        )
    if {"votes", "resolutions"} <= frames.keys():
        _check_tallies(frames, files, at, problems)
    if {"adoptions", "instruments"} <= frames.keys():
        _check_actions_fit(frames, files, at["adoptions"], problems)
    if {"norm_evidence", "instruments"} <= frames.keys():
        _check_evidence(frames, files, at["norm_evidence"], problems)


def _check_tallies(frames, files, at, problems: list[Problem]) -> None:
    res, votes = frames["resolutions"], frames["votes"]
    counts = votes.groupby(["resolution_id", "vote"]).size().unstack(fill_value=0)
    recorded = dict(zip(res["id"], res["recorded_vote"], strict=True))
    stray = votes["resolution_id"].map(recorded).eq("false").to_numpy()
    report(
        problems,
        files["votes"],
        "resolution_id",
        at["votes"][stray],
        votes["resolution_id"][stray],
        lambda v: f"{v} was adopted without a vote; no votes expected",
        "votes on a resolution adopted without a vote",
    )
    for i, r in enumerate(res.itertuples(index=False)):
        if r.recorded_vote != "true" or r.yes == "" or r.note.startswith("known discrepancy"):
            continue
        if any(not v.isdigit() or _out_of_range(v) for v in (r.yes, r.no, r.abstain) if v):
            continue  # not a count the database can hold: reported by the cell checks
        got = counts.loc[r.id] if r.id in counts.index else None
        for col in ("yes", "no", "abstain"):
            n = int(got[col]) if got is not None and col in got else 0
            if str(n) != getattr(r, col):
                problems.append(
                    Problem(
                        files["resolutions"],
                        int(at["resolutions"][i]),
                        col,
                        f"{r.id}: recorded tally {col}={getattr(r, col)} but the votes count {n}",
                    )
                )


def _check_actions_fit(
    frames: dict[str, pd.DataFrame], files: dict[str, str], lines: np.ndarray, problems: list[Problem]
) -> None:
    """An action must fit its instrument: a standard is adopted, never ratified; a norm concept
    has no adoptions (a party's link to a norm is evidence, see norm_evidence)."""
    from tracker.catalogue.status import ACTION_STATUS, ALLOWED_ACTIONS

    kinds = dict(zip(frames["instruments"]["id"], frames["instruments"]["kind"], strict=True))
    ad = frames["adoptions"]
    for i, (inst, action) in enumerate(zip(ad["instrument_id"], ad["action"], strict=True)):
        allowed = ALLOWED_ACTIONS.get(kinds.get(inst, ""))
        if allowed is None or action in allowed or action not in ACTION_STATUS:  # unknown: reported already
            continue
        if not allowed:
            message = f"{inst} is a norm concept: it has no adoptions (record commitments in norm_evidence.csv)"
        else:
            message = f"{action!r} does not fit a {kinds[inst]} ({inst}); allowed: {', '.join(sorted(allowed))}"
        problems.append(Problem(files["adoptions"], int(lines[i]), "action", message))


def _check_evidence(
    frames: dict[str, pd.DataFrame], files: dict[str, str], lines: np.ndarray, problems: list[Problem]
) -> None:
    """Stored norm evidence: a norm concept, the level its kind implies, a short quote, a date
    not before the document it cites, and nothing the catalogue derives by itself."""
    from tracker.catalogue.evidence import DERIVED_KINDS, KIND_LEVEL, QUOTE_LIMIT

    ev, rel = frames["norm_evidence"], files["norm_evidence"]
    kinds = dict(zip(frames["instruments"]["id"], frames["instruments"]["kind"], strict=True))
    dated: dict[str, str] = {}
    if "resolutions" in frames:
        res = frames["resolutions"]
        dated.update(zip(res["symbol"], res["date"], strict=True))
    inst = frames["instruments"]
    dated.update((n, o) for n, o in zip(inst["short_name"], inst["opened"], strict=True) if o)
    for line, row in zip(lines, ev.itertuples(index=False), strict=True):
        i = int(line)
        if row.norm_id in kinds and kinds[row.norm_id] != "norm":
            problems.append(
                Problem(rel, i, "norm_id", f"{row.norm_id!r} is a {kinds[row.norm_id]}, not a norm concept")
            )
        want = KIND_LEVEL.get(row.kind)
        if want is not None and row.level != "" and row.level != str(want):
            problems.append(Problem(rel, i, "level", f"a {row.kind} is level {want}, not {row.level}"))
        if len(row.quote) > QUOTE_LIMIT:
            problems.append(Problem(rel, i, "quote", f"quote is {len(row.quote)} characters (at most {QUOTE_LIMIT})"))
        if row.kind in DERIVED_KINDS:
            problems.append(
                Problem(
                    rel,
                    i,
                    "kind",
                    f"{row.kind} evidence is derived from adoptions, resolutions and the crosswalk; do not store it "
                    "by hand",
                )
            )
        start, born = date_bounds(row.date), date_bounds(dated.get(row.document, ""))
        if start and born and start[1] < born[0]:
            problems.append(
                Problem(rel, i, "date", f"{row.date} is before {row.document} existed ({dated[row.document]})")
            )
