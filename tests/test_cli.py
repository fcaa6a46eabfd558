"""The command line: --help everywhere, one clear line and a non-zero exit on bad input."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.settings import BUNDLED_CATALOGUE

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


# --------------------------------------------------------------------------- export -o: formats and files


def export(tmp_path, mini_path, *args):
    return runner.invoke(app, ["export", "bloc", "g7", "--catalogue", str(mini_path), *args])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "eu.docx"], "error: the file name 'eu.docx' does not say which format (.docx is not one of: "),
        (["-o", "eu"], "error: the file name 'eu' does not say which format (it has no extension): "),
        (["-f", "pdf", "-o", "eu.csv"], "error: --format pdf does not match the file name 'eu.csv' "),
        (["-f", "csv", "-o", "eu.docx"], "error: --format csv does not match the file name 'eu.docx' "),
        (["-f", "docx"], "error: unknown format 'docx'; choose one of csv, xlsx, json, md, pdf"),
    ],
)
def test_the_format_follows_format_and_a_contradicting_name_is_refused(tmp_path, mini_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = export(tmp_path, mini_path, *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(message), result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mini"]  # nothing written


@pytest.mark.parametrize(("args", "magic"), [(["-o", "g7.md"], b"# "), (["-f", "pdf", "-o", "g7"], b"%PDF")])
def test_the_format_comes_from_the_name_or_from_format(tmp_path, mini_path, args, magic):
    args = [a if a in ("-o", "-f", "pdf") else str(tmp_path / a) for a in args]
    result = export(tmp_path, mini_path, *args)
    assert result.exit_code == 0, result.output
    assert Path(args[args.index("-o") + 1]).read_bytes().startswith(magic)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_export_file_follows_the_umask(tmp_path, mini_path, umask):
    old = os.umask(umask)
    try:
        result = export(tmp_path, mini_path, "-o", str(tmp_path / "g7.csv"))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "g7.csv").stat().st_mode) == 0o666 & ~umask


def test_an_existing_export_file_keeps_its_mode(tmp_path, mini_path):
    target = tmp_path / "g7.csv"
    target.write_text("old")
    target.chmod(0o640)
    result = export(tmp_path, mini_path, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_text() != "old"


def _special(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a null device node of our own
        except PermissionError:
            pytest.skip("creating a device node needs root")
    else:
        path.mkdir()


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_special_file_is_never_replaced(tmp_path, mini_path, kind):
    target = tmp_path / "g7.csv"
    _special(kind, target)
    before = os.lstat(target)
    result = export(tmp_path, mini_path, "-o", str(target))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and str(target) in result.stderr
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g7.csv", "mini"]  # no temporary file left


def test_a_symbolic_link_is_refused_and_neither_it_nor_its_target_changes(tmp_path, mini_path):
    real, link = tmp_path / "real.csv", tmp_path / "g7.csv"
    real.write_text("keep me")
    link.symlink_to(real)
    result = export(tmp_path, mini_path, "-o", str(link))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {link} is a symbolic link (to {real}); give the file itself or a new name"
    assert link.is_symlink() and real.read_text() == "keep me"


@pytest.mark.parametrize("where", ["missing", "file"])
def test_an_output_folder_that_does_not_exist_is_one_line_naming_it(tmp_path, mini_path, where):
    parent = tmp_path / "nonexistent" / "dir"
    if where == "file":
        parent = tmp_path / "a-file"
        parent.write_text("")
    result = export(tmp_path, mini_path, "-o", str(parent / "x.pdf"))
    assert result.exit_code == 1
    problem = "does not exist" if where == "missing" else "is not a folder"
    assert result.stderr.strip() == f"error: {parent} {problem} (for -o {parent / 'x.pdf'})"
    assert "Exporting" not in result.stderr  # refused before any work


def test_a_write_error_names_the_users_path_not_a_temporary_file(tmp_path, mini_path, monkeypatch):
    def full_disk(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    target = tmp_path / "g7.csv"
    result = export(tmp_path, mini_path, "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"error: cannot write {target}: No space left on device"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini"]


# --------------------------------------------------------------------------- help, limits, wrapping, pipes


@pytest.mark.parametrize("command", [["search"], ["align"], ["swing"], ["export", "votes"], ["load"], ["validate"]])
def test_boolean_flags_show_as_flags_in_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "bool" not in result.output
    assert "--help" in result.output


@pytest.mark.parametrize(
    "args",
    [["swing", "--limit", "-1"], ["search", "x", "--limit", "0"], ["next-adopters", "paris-call", "--limit", "-5"]],
)
def test_limits_must_be_positive(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "limit must be a positive" in result.stderr


def test_long_text_wraps_to_the_terminal_width(mini_path, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CATALOGUE", str(mini_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("COLUMNS", "70")
    result = runner.invoke(app, ["search", "paris call trust security", "--limit", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= 70
    words = " ".join(result.stdout.split())
    for word in ("Paris", "Call", "Trust", "Security", "Cyberspace"):
        assert word in words
    monkeypatch.setenv("COLUMNS", "200")
    wide = runner.invoke(app, ["search", "paris call trust security", "--limit", "3"])
    assert any("Paris Call for Trust and Security in Cyberspace" in line for line in wide.stdout.splitlines())


def test_output_cut_short_by_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "export", "adoptions", "-f", "csv", "--catalogue", str(BUNDLED_CATALOGUE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before the first line is written (as `| head -0`)
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    proc.wait(120)
    assert "Broken pipe" not in stderr and "Traceback" not in stderr and "error" not in stderr, stderr
    assert proc.returncode in (0, 141)


@pytest.mark.parametrize(
    "args",
    [
        ["propose", "paris-call", "FRA", "endorsed", "--source", "x", "--reason", "y", "--user", "alice"],
        ["review", "1", "--approve", "--user", "bob"],
    ],
)
def test_curation_without_a_users_file_explains_how_to_make_one_before_asking_anything(args, monkeypatch, tmp_path):
    monkeypatch.delenv("TRACKER_USERS_FILE", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = runner.invoke(app, args, input="secret\n")
    assert result.exit_code == 1
    assert "password" not in result.output.casefold()
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "TRACKER_USERS_FILE" in line and "tracker users add" in line


def test_curation_with_a_users_file_that_does_not_exist_yet_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_USERS_FILE", str(tmp_path / "users.toml"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = runner.invoke(app, ["review", "1", "--approve", "--user", "bob"], input="secret\n")
    assert result.exit_code == 1 and "password" not in result.output.casefold()
    assert str(tmp_path / "users.toml") in result.stderr and "tracker users add" in result.stderr


def test_an_unknown_party_points_to_the_valid_choices(mini_path):
    result = runner.invoke(app, ["export", "brief", "Atlantis", "--catalogue", str(mini_path)])
    assert result.exit_code == 1
    assert "tracker search" in result.stderr and "--kind party" in result.stderr


def test_warm_commands_with_default_settings_reuse_the_prepared_results(database_url, mini_path, monkeypatch):
    import tracker.analytics as analytics

    assert runner.invoke(app, ["load", str(mini_path)]).exit_code == 0
    commands = (("swing",), ("swing", "--limit", "1"))  # (too few votes in the tiny catalogue for blocs)
    first = {cmd: runner.invoke(app, [*cmd, "--json"]) for cmd in commands}
    assert all(r.exit_code == 0 for r in first.values()), {k: r.output for k, r in first.items()}

    def recomputed(*_a, **_k):
        raise RuntimeError("recomputed instead of read back")

    for name in ("swing_states", "blocs"):
        monkeypatch.setattr(analytics, name, recomputed)
    for cmd, result in first.items():
        again = runner.invoke(app, [*cmd, "--json"])
        assert again.exit_code == 0 and again.stdout == result.stdout
    other = runner.invoke(app, ["swing", "--confidence", "0.9", "--json"])  # not the prepared setting
    assert other.exit_code == 2 and "recomputed" in other.stderr  # computed, not read back


def test_a_warm_command_on_an_unchanged_sqlite_database_does_not_ask_it_again(database_url, mini_path, monkeypatch):
    import tracker.db

    assert runner.invoke(app, ["load", str(mini_path)]).exit_code == 0
    first = runner.invoke(app, ["search", "Ivory Coast", "--json"])
    assert first.exit_code == 0
    asked = []
    real = tracker.db.loaded_state
    monkeypatch.setattr(tracker.db, "loaded_state", lambda *a, **k: asked.append(1) or real(*a, **k))
    again = runner.invoke(app, ["search", "Ivory Coast", "--json"])
    assert again.stdout == first.stdout
    assert asked == ([] if database_url.startswith("sqlite") else [1])
    from sqlalchemy import text

    from tracker.db import get_engine, session_scope

    with session_scope(get_engine(), write=True) as session:  # any write: the database is asked again
        session.execute(text("UPDATE parties SET note = 'touched' WHERE code = 'FRA'"))
    assert runner.invoke(app, ["search", "Ivory Coast", "--json"]).stdout == first.stdout
    assert len(asked) == (1 if database_url.startswith("sqlite") else 2)


def test_users_add_without_a_users_file_says_how_to_name_one_before_asking_a_password(monkeypatch):
    monkeypatch.delenv("TRACKER_USERS_FILE", raising=False)
    monkeypatch.delenv("TRACKER_NEW_PASSWORD", raising=False)
    result = runner.invoke(app, ["users", "add", "alice", "--role", "editor"], input="pw\npw\n")
    assert result.exit_code == 1 and "password" not in result.output.casefold()
    assert "--file PATH" in result.stderr and "TRACKER_USERS_FILE" in result.stderr
