"""Shared helper: replace one benchmark's section in benchmarks/RESULTS.md."""

from __future__ import annotations

import os
import platform
import re
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def write_section(title: str, body: str) -> None:
    header = f"## {title}"
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"
    section = f"{header}\n\nMeasured {date.today()} on {machine}.\n\n{body.strip()}\n"
    empty = "# Benchmark results\n\nRe-run a script to refresh its section.\n"
    text = RESULTS.read_text("utf-8") if RESULTS.exists() else empty
    pattern = re.compile(rf"^{re.escape(header)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS.write_text(text, "utf-8")
