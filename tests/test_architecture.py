"""House rules that keep the code simple: the core never imports streamlit."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tracker


def core_modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(tracker.__path__, "tracker.")
        if not m.name.startswith("tracker.ui") and "migrations" not in m.name
    ]


def test_the_core_does_not_import_streamlit():
    modules = core_modules()
    assert "tracker.catalogue" in modules and "tracker.cli" in modules
    code = (
        "import importlib, sys\n"
        + "".join(f"importlib.import_module({m!r})\n" for m in modules)
        + "print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
