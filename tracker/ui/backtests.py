"""How well the predictions did on history, as the app shows it: the "Vote prediction backtest"
section that benchmarks/backtest.py measured, shipped as a small asset (``assets/backtests.md``)
because the app never reads ``benchmarks/`` at run time. benchmarks/backtest.py rewrites the
asset whenever it rewrites its section of benchmarks/RESULTS.md (:func:`write_asset`). Pure: no
Streamlit.
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)

ASSET = Path(__file__).parent / "assets" / "backtests.md"
RESULTS_SECTION = "Vote prediction backtest"  # the heading in benchmarks/RESULTS.md


def section(markdown: str, title_word: str) -> str:
    """The section (## or ###, with its subsections) whose heading contains ``title_word``; '' if none."""
    out: list[str] = []
    level = 0
    for line in markdown.splitlines():
        depth = len(line) - len(line.lstrip("#")) if line.startswith("#") else 0
        if level and depth and depth <= level:
            break
        if not level and depth >= 2 and title_word.casefold() in line.casefold():
            level = depth
        if level:
            out.append(line)
    return "\n".join(out).strip()


def text(title_word: str) -> str:
    """The shipped backtest section whose heading contains ``title_word`` ('' if none or no asset)."""
    try:
        markdown = ASSET.read_text("utf-8")
    except OSError:
        logger.warning("backtest results asset %s is missing; the app shows no backtest summary", ASSET)
        return ""
    return section(markdown, title_word)


def write_asset(results: Path) -> Path:
    """Copy the backtest section of ``results`` (benchmarks/RESULTS.md) into the shipped asset."""
    body = section(results.read_text("utf-8"), RESULTS_SECTION)
    if not body:
        raise ValueError(f"no '## {RESULTS_SECTION}' section in {results}")
    ASSET.write_text(body + "\n", "utf-8")
    return ASSET
