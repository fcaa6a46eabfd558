"""The command line: --help everywhere, one clear line and a non-zero exit on bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()


def test_every_command_has_help():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("validate", "load", "info"):
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0 and "Usage" in sub.output


def test_validate_the_tiny_catalogue(mini_path):
    result = runner.invoke(app, ["validate", str(mini_path)])
    assert result.exit_code == 0
    assert result.output.strip().endswith("is valid")


def test_validate_lists_every_problem_and_fails(mini_path):
    text = (mini_path / "adoptions.csv").read_text()
    text = text.replace("FRA,signed", "XYZ,signed").replace("USA,ratified", "USA,ratifyed")
    (mini_path / "adoptions.csv").write_text(text)
    result = runner.invoke(app, ["validate", str(mini_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0] == "adoptions.csv:2:party_code: unknown code 'XYZ' (not in parties.csv)"
    assert lines[1].startswith("adoptions.csv:5:action: 'ratifyed' is not one of")
    assert lines[-1] == f"error: 2 problem(s) in {mini_path}"


def test_validate_report_counts_by_level_and_norm_rung(mini_path):
    result = runner.invoke(app, ["validate", str(mini_path), "--report"])
    assert result.exit_code == 0
    assert "budapest-convention: bound 3, signed 1; 6 rows, 0 undated, 0% secondary" in result.output
    assert "paris-call: committed 2; 2 rows, 2 undated" in result.output
    assert "two-person-rule: binding 3, national position 0, implementation 0, named commitment 1" in result.output
    assert "without any recorded action: 2 (PRK, RUS)" in result.output


def test_load_and_info(database_url, mini_path):
    first = runner.invoke(app, ["load", str(mini_path)])
    assert first.exit_code == 0 and "loaded catalogue" in first.output and "8 adoptions" in first.output
    second = runner.invoke(app, ["load", str(mini_path)])
    assert second.exit_code == 0 and second.stdout.startswith("unchanged")
    info = runner.invoke(app, ["info", "--json"])
    assert info.exit_code == 0 and '"adoptions": 8' in info.output and '"loaded": true' in info.output


def test_bad_input_gives_one_line_and_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", "validate", str(tmp_path / "missing")], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout.strip() == f"{tmp_path / 'missing' / 'datapackage.json'}: no datapackage.json here"


@pytest.mark.parametrize("url", ["postgresql://nobody@127.0.0.1:1/none", "mysql://x@y/z"])
def test_unreachable_or_unsupported_database_is_one_line(url, monkeypatch, mini_path):
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", "info"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DATABASE_URL": url},
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error: ")
