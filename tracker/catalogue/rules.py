"""The catalogue's rules as code: cell checks against the schema, keys, foreign keys, domain rules.

Public so that curation checks a proposal with exactly the rules a load applies. Every check
appends ``Problem``s (file, line, column) instead of stopping at the first one.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tracker.dates import PARTIAL_DATE, PARTIAL_DATE_PATTERN, date_bounds
from tracker.errors import Problem
from tracker.schema import DATE_COLUMNS, NATURAL_KEYS, table_schemas

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _rows(mask) -> list[int]:
    """1-based file lines (header = 1) of the rows where ``mask`` is true."""
    return [int(i) + 2 for i in np.flatnonzero(np.asarray(mask))]


def check_fields(df: pd.DataFrame, fields: list[dict], rel: str, problems: list[Problem]) -> None:
    """Every cell against its field: required, formula characters, enum, pattern, type."""
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


def check_rules(frames: dict[str, pd.DataFrame], files: dict[str, str], today: date, problems: list[Problem]) -> None:
    """Keys, foreign keys, future dates and the domain rules across tables."""
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
            for i in _rows(future):
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
        for i in _rows(folded.duplicated(keep="first")):
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
    if {"adoptions", "instruments"} <= frames.keys():
        _check_actions_fit(frames, files, problems)
    if {"norm_evidence", "instruments"} <= frames.keys():
        _check_evidence(frames, files, problems)


def _check_tallies(frames, files, problems: list[Problem]) -> None:
    res, votes = frames["resolutions"], frames["votes"]
    counts = votes.groupby(["resolution_id", "vote"]).size().unstack(fill_value=0)
    recorded = dict(zip(res["id"], res["recorded_vote"], strict=True))
    stray = votes["resolution_id"].map(recorded).eq("false")
    for i in _rows(stray)[:20]:
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


def _check_actions_fit(frames: dict[str, pd.DataFrame], files: dict[str, str], problems: list[Problem]) -> None:
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
        problems.append(Problem(files["adoptions"], i + 2, "action", message))


def _check_evidence(frames: dict[str, pd.DataFrame], files: dict[str, str], problems: list[Problem]) -> None:
    """Stored norm evidence: a norm concept, the level its kind implies, a short quote, a date
    not before the document it cites, and nothing the catalogue derives by itself."""
    from tracker.catalogue.evidence import DERIVED_KINDS, KIND_LEVEL, QUOTE_LIMIT

    ev, rel = frames["norm_evidence"], files["norm_evidence"]
    kinds = dict(zip(frames["instruments"]["id"], frames["instruments"]["kind"], strict=True))
    dated = {}
    if "resolutions" in frames:
        res = frames["resolutions"]
        dated.update(zip(res["symbol"], res["date"], strict=True))
    inst = frames["instruments"]
    dated.update((n, o) for n, o in zip(inst["short_name"], inst["opened"], strict=True) if o)
    for i, row in enumerate(ev.itertuples(index=False), start=2):
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
