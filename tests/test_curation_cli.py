"""`tracker propose / review / history / dump / users` end to end through the CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tracker import curation
from tracker.catalogue import load_catalogue
from tracker.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(engine, mini_path, tmp_path, monkeypatch):
    users = tmp_path / "users.toml"
    monkeypatch.setenv("TRACKER_USERS_FILE", str(users))
    monkeypatch.setenv("TRACKER_CATALOGUE", str(mini_path))
    for name, role in (("alice", "editor"), ("bob", "reviewer")):
        monkeypatch.setenv("TRACKER_NEW_PASSWORD", f"{name}-password")
        result = runner.invoke(app, ["users", "add", name, "--role", role])
        assert result.exit_code == 0, result.output
    monkeypatch.delenv("TRACKER_NEW_PASSWORD")
    assert runner.invoke(app, ["load"]).exit_code == 0
    return engine


def as_user(monkeypatch, name):
    monkeypatch.setenv("TRACKER_USER", name)
    monkeypatch.setenv("TRACKER_PASSWORD", f"{name}-password")


def test_users_add_prompts_and_lists(cli_env, tmp_path):
    result = runner.invoke(
        app, ["users", "add", "carol", "--role", "reviewer"], input="carol-password\ncarol-password\n"
    )
    assert result.exit_code == 0 and "user carol (reviewer) written" in result.output
    listed = runner.invoke(app, ["users", "list"])
    assert listed.output.splitlines() == ["alice\teditor", "bob\treviewer", "carol\treviewer"]
    again = runner.invoke(app, ["users", "add", "alice", "--role", "reviewer"])
    assert again.exit_code == 1 and again.stderr.startswith("error: user 'alice' exists already")


def test_propose_review_history(cli_env, monkeypatch):
    as_user(monkeypatch, "alice")
    result = runner.invoke(
        app,
        [
            "propose",
            "budapest-convention",
            "Ivory Coast",
            "acceded",
            "--date",
            "2024-07-29",
            "--new-date",
            "2024-07-30",
            "--source",
            "coe-chart-185",
            "--reason",
            "typo",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    proposal = json.loads(result.stdout)
    assert proposal["status"] == "pending" and proposal["changes"][0]["after"]["date"] == "2024-07-30"
    pid = str(proposal["id"])
    queue = runner.invoke(app, ["review", "--json"])
    assert [p["id"] for p in json.loads(queue.stdout)] == [proposal["id"]]
    own = runner.invoke(app, ["review", pid, "--approve"])
    assert own.exit_code == 1 and "may not review" in own.stderr
    as_user(monkeypatch, "bob")
    done = runner.invoke(app, ["review", pid, "--approve", "--reason", "checked"])
    assert done.exit_code == 0 and f"proposal #{pid} approved by bob" in done.output
    log = json.loads(runner.invoke(app, ["history", "--key", "CIV", "--json"]).stdout)
    assert [e["event"] for e in log] == ["applied"]
    assert (log[0]["before"]["date"], log[0]["after"]["date"]) == ("2024-07-29", "2024-07-30")
    text = runner.invoke(app, ["history"]).output
    assert "date: 2024-07-29 → 2024-07-30" in text and "why: typo" in text
    twice = runner.invoke(app, ["review", pid, "--approve"])
    assert twice.exit_code == 1 and "already approved by bob" in twice.stderr


def test_reject_and_revert(cli_env, monkeypatch):
    as_user(monkeypatch, "alice")
    first = runner.invoke(
        app,
        [
            "propose",
            "paris-call",
            "USA",
            "endorsed",
            "--date",
            "2021-11-10",
            "--source",
            "paris-call-data",
            "--reason",
            "joined",
            "--json",
        ],
    )
    pid = str(json.loads(first.stdout)["id"])
    as_user(monkeypatch, "bob")
    no_reason = runner.invoke(app, ["review", pid, "--reject"])
    assert no_reason.exit_code == 1 and "needs a reason" in no_reason.stderr
    assert runner.invoke(app, ["review", pid, "--approve"]).exit_code == 0
    as_user(monkeypatch, "alice")
    revert = runner.invoke(app, ["propose", "--revert", pid, "--reason", "wrong year", "--json"])
    assert revert.exit_code == 0, revert.output
    rid = str(json.loads(revert.stdout)["id"])
    as_user(monkeypatch, "bob")
    assert runner.invoke(app, ["review", rid, "--reject", "--reason", "the year is right"]).exit_code == 0
    shown = runner.invoke(app, ["review", rid])
    assert "rejected by bob" in shown.output and "the year is right" in shown.output


def test_import_with_problems_creates_nothing(cli_env, monkeypatch, tmp_path):
    as_user(monkeypatch, "alice")
    chart = tmp_path / "chart.csv"
    chart.write_text(
        "instrument,party,action,date\nbudapest-convention,Atlantis,signed,2001\n"
        "budapest-convention,United Stats,signed,20011\n"
    )
    result = runner.invoke(app, ["propose", "--import", str(chart), "--source", "coe-chart-185", "--reason", "r"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert "chart.csv:2:party: unknown party 'Atlantis' (no close match; add an alias first)" in lines
    assert "chart.csv:3:date: '20011' is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)" in lines
    assert lines[-1] == "error: 2 problem(s); no proposal was created"
    assert curation.list_proposals().empty


def test_import_with_confirmed_suggestion(cli_env, monkeypatch, tmp_path):
    as_user(monkeypatch, "alice")
    chart = tmp_path / "chart.csv"
    chart.write_text(
        "instrument,party,action,date\nbudapest-convention,United Stats,signed,2001-11-23\n"
        "paris-call,Korea Republic,endorsed,\n"
    )
    args = ["propose", "--import", str(chart), "--source", "coe-chart-185", "--reason", "chart"]
    unconfirmed = runner.invoke(app, args)
    assert unconfirmed.exit_code == 1 and "confirm one of: United States (USA)" in unconfirmed.stderr
    result = runner.invoke(app, [*args, "--confirm", "United Stats=USA", "--confirm", "Korea Republic=KOR"])
    assert result.exit_code == 0, result.output
    assert "import: 0 added, 1 changed, 1 unchanged" in result.output


def test_acting_user_is_required(cli_env, monkeypatch):
    monkeypatch.delenv("TRACKER_USER", raising=False)
    result = runner.invoke(
        app, ["propose", "paris-call", "USA", "endorsed", "--source", "paris-call-data", "--reason", "r"]
    )
    assert result.exit_code == 1 and "pass --user NAME or set TRACKER_USER" in result.stderr
    monkeypatch.setenv("TRACKER_PASSWORD", "nope-nope")
    wrong = runner.invoke(
        app,
        [
            "propose",
            "paris-call",
            "USA",
            "endorsed",
            "--user",
            "alice",
            "--source",
            "paris-call-data",
            "--reason",
            "r",
        ],
    )
    assert wrong.exit_code == 1 and wrong.stderr.strip() == "error: unknown user or wrong password"


def test_dump_cli(cli_env, tmp_path):
    result = runner.invoke(app, ["dump", str(tmp_path / "out")])
    assert result.exit_code == 0 and "it validates" in result.output
    assert len(load_catalogue(tmp_path / "out").adoptions) == 8


# --------------------------------------------------------------------------- norm evidence import (issue 13)

EVIDENCE_HEADER = "party,norm,kind,polarity,date,document,locator,quote,source,note\n"


def test_norm_evidence_import_is_a_proposal_reviewed_like_any_other(cli_env, monkeypatch, tmp_path):
    as_user(monkeypatch, "alice")
    sheet = tmp_path / "evidence.csv"
    sheet.write_text(
        EVIDENCE_HEADER
        + "France,two-person-rule,national law,supports,2020-03,Code de la défense,art. 2,Two persons.,,\n"
        + "KOR,Two-person rule,national_position,,2021,Position paper,p. 3,,coe-chart-185,\n"
    )
    args = ["propose", "--import", str(sheet), "--evidence", "--source", "coe-chart-185", "--reason", "papers"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "import: 2 added, 0 changed, 0 unchanged" in result.output
    pid = int(curation.list_proposals()["id"].iloc[-1])
    # the live data has not changed yet:
    from tracker.sync import catalogue_from_database

    assert catalogue_from_database().stored_norm_evidence.empty
    as_user(monkeypatch, "bob")
    assert runner.invoke(app, ["review", str(pid), "--approve"]).exit_code == 0
    stored = catalogue_from_database().stored_norm_evidence.set_index("party_code")
    assert stored.loc["FRA", "level"] == 3 and stored.loc["FRA", "kind"] == "national_law"
    assert stored.loc["KOR", "level"] == 2 and stored.loc["KOR", "polarity"] == "supports"
    again = runner.invoke(app, args)  # the same file again: nothing to change
    assert again.exit_code == 1 and "nothing to change (2 rows already match" in again.stderr


def test_norm_evidence_import_with_problems_creates_nothing(cli_env, monkeypatch, tmp_path):
    as_user(monkeypatch, "alice")
    sheet = tmp_path / "evidence.csv"
    sheet.write_text(
        EVIDENCE_HEADER
        + "Atlantis,two-person-rule,national_law,,2020,Act,,,,\n"
        + "FRA,no such norm,national_law,,2020,Act,,,,\n"
        + "FRA,two-person-rule,consensus,,2020,A/RES/1,,,,\n"
        + "FRA,two-person-rule,national_law,maybe,2099,Act,,,,\n"
        + "FRA,two-person-rule,national_law,,2020,Act,p. 1,"
        + "x" * 301
        + ",,\n"
        + "No,two-person-rule,national_law,,2020,Act,,,,\n"
    )
    result = runner.invoke(
        app, ["propose", "--import", str(sheet), "--evidence", "--source", "coe-chart-185", "--reason", "r"]
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("evidence.csv:2:party: unknown party 'Atlantis'") for line in lines)
    assert any(line.startswith("evidence.csv:3:norm: unknown norm 'no such norm'") for line in lines)
    assert any(line.startswith("evidence.csv:4:kind: consensus evidence is derived") for line in lines)
    assert any(line.startswith("evidence.csv:5:polarity: 'maybe' is not one of") for line in lines)
    assert any(line.startswith("evidence.csv:5:date: '2099' is in the future") for line in lines)
    assert any(line.startswith("evidence.csv:6:quote: quote is 301 characters") for line in lines)
    assert any(line.startswith("evidence.csv:7:party: unknown party 'No'") for line in lines)
    assert lines[-1].endswith("no proposal was created")
    assert curation.list_proposals().empty
    bare = runner.invoke(app, ["propose", "--evidence", "--reason", "r"])
    assert bare.exit_code == 1 and "--evidence goes with --import FILE" in bare.stderr
