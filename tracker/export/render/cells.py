"""Cell values shared by the writers: plain Python values, text, display formats, source refs,
and spreadsheet neutralisation."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from tracker.catalogue.rules import FORMULA_START
from tracker.export.report import Section, join_ids


def cell_value(v: Any) -> Any:
    """A cell as a plain Python value: None, bool, int, float or str."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def neutralise(value: Any) -> Any:
    """Spreadsheet-safe cell: text starting with = + - @ tab CR LF gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table_rows(table: pd.DataFrame) -> list[list[Any]]:
    return [[cell_value(v) for v in row] for row in table.itertuples(index=False, name=None)]


def as_text(v: Any) -> str:
    """A value as text for CSV/Markdown/PDF (booleans as true/false, floats without noise)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v)) if abs(v) < 1e15 else repr(v)
    return str(v)


def display(v: Any, fmt: str | None) -> str:
    if v is None:
        return ""
    if fmt == "percent" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.0%}"
    if fmt == "decimal" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.2f}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return as_text(v)


def chart_value(v: float, fmt: str) -> str:
    if fmt == "percent":
        return f"{v:.0%}"
    if fmt == "count":
        return f"{v:g}"
    return f"{v:.2f}"


def param_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(map(str, value))
    return str(value)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def refs_text(value: Any, refs: dict[str, int]) -> str:
    ids = join_ids([value]).split(";") if value else []
    nums = [str(refs[i]) for i in ids if i in refs]
    return f"[{', '.join(nums)}]" if nums else ""


def display_rows(section: Section, table: pd.DataFrame, refs: dict[str, int]) -> list[list[str]]:
    out = []
    cols = list(table.columns)
    for row in table_rows(table):
        cells = []
        for col, v in zip(cols, row, strict=True):
            cells.append(refs_text(v, refs) if col == "source_id" else display(v, section.formats.get(col)))
        out.append(cells)
    return out
