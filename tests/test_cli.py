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


def test_validate_report_counts_by_status(mini_path):
    result = runner.invoke(app, ["validate", str(mini_path), "--report"])
    assert result.exit_code == 0
    assert "budapest-convention: bound 3, signed 1; 6 rows" in result.output
    assert "two-person-rule: binding 3, national position 0" in result.output


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


def test_a_warm_command_reads_the_prepared_catalogue_copy_not_the_database(database_url, mini_path, monkeypatch):
    import tracker.sync

    assert runner.invoke(app, ["load", str(mini_path)]).exit_code == 0  # also prepares the app's copy
    cold = runner.invoke(app, ["align", "FRA", "USA", "--json"])
    assert cold.exit_code == 0, cold.output

    def no_database_read(*_a, **_k):
        raise AssertionError("re-read the catalogue from the database")

    monkeypatch.setattr(tracker.sync, "catalogue_from_database", no_database_read)
    warm = runner.invoke(app, ["align", "FRA", "USA", "--json"])
    assert warm.exit_code == 0, warm.output
    assert warm.stdout == cold.stdout


def test_a_new_load_is_never_answered_from_an_older_copy(database_url, mini_path):
    assert runner.invoke(app, ["load", str(mini_path)]).exit_code == 0
    before = runner.invoke(app, ["search", "Ivory Coast", "--json"])
    aliases = mini_path / "party_aliases.csv"
    aliases.write_text(aliases.read_text("utf-8").replace("Ivory Coast,CIV", "Elfenbeinküste,CIV"), "utf-8")
    assert runner.invoke(app, ["load", str(mini_path)]).exit_code == 0
    after = runner.invoke(app, ["search", "Elfenbeinküste", "--json"])
    assert '"CIV"' in after.stdout and "Elfenbeinküste" not in before.stdout
