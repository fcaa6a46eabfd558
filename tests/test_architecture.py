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


def _import_graph() -> dict[str, set[str]]:
    """tracker module -> the tracker modules it imports, anywhere in the file (inside functions
    too), except under ``if TYPE_CHECKING:``."""
    import ast
    from pathlib import Path

    root = Path(tracker.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if "migrations" in name:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        typing_only = {
            id(n)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for stmt in node.body
            for n in ast.walk(stmt)
        }
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("tracker")}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker"):
                base = root.parent / Path(*node.module.split("."))
                submodules = {
                    a.name for a in node.names if (base / a.name).is_dir() or (base / f"{a.name}.py").exists()
                }
                targets |= {f"{node.module}.{m}" for m in submodules}  # `from tracker import analytics`
                if len(submodules) < len(node.names):  # names defined by the module itself
                    targets.add(node.module)
        graph[name] = targets - {name}
    return graph


def test_no_import_cycles_in_tracker():
    """Layers point down only: no cycle among tracker modules, imports inside functions included."""
    import networkx as nx

    graph = nx.DiGraph([(a, b) for a, targets in _import_graph().items() for b in targets])
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_the_core_does_not_reach_into_private_names_of_other_modules():
    """Modules use each other's public names (no `from tracker.x import _private`)."""
    import ast
    from pathlib import Path

    root = Path(tracker.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker"):
                offenders += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert not offenders, offenders
