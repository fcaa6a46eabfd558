"""The analytics commands: --help, --json that parses, one clear line on bad input."""

from __future__ import annotations

import json

import pytest
from analytics_fixtures import build
from typer.testing import CliRunner

from tracker import cli
from tracker.cli import common as cli_common

runner = CliRunner()
COMMANDS = ["align", "blocs", "swing", "predict", "gaps", "next-adopters"]


@pytest.fixture(autouse=True)
def fixture_catalogue(monkeypatch):
    cat = build()
    monkeypatch.setattr(cli_common, "load_cat", lambda path=None: cat)
    return cat


@pytest.mark.parametrize("name", COMMANDS)
def test_help(name):
    result = runner.invoke(cli.app, [name, "--help"])
    assert result.exit_code == 0 and "--json" in result.output


@pytest.mark.parametrize(
    "args, check",
    [
        (
            ["align", "USA", "Russia", "--topic", "cyber"],
            lambda d: d["co_votes"] == 8 and d["kappa"] is None and "(need 10; votes not used)" in d["note"],
        ),
        (["align", "USA", "Russia"], lambda d: d["co_votes"] == 38 and d["kappa"] < 0 and d["enough_evidence"]),
        (["align", "India", "g7"], lambda d: d["group"] == "g7" and "RUS" not in d["members"]),
        (["align", "India", "RUS,CHN"], lambda d: d["members"] == ["CHN", "RUS"]),
        (["blocs", "--topic", "all"], lambda d: len(d["blocs"]) >= 2 and d["between"]),
        (
            ["swing"],
            lambda d: (
                {r["party"] for r in d["swing_states"]} == {"IND", "IDN", "ZAF"}
                and d["count"] == 3
                and d["config"].startswith("all recorded votes")
                and {e["from_vote"] for e in d["bloc_events"]} == {"no", "abstain"}
            ),
        ),
        (["blocs", "--k", "2", "--n-boot", "5"], lambda d: len(d["blocs"]) == 2 and d["blocs"][0]["stability"] > 0.5),
        (
            ["gaps", "IND", "--bloc", "g7", "--min-share", "0.9"],
            lambda d: d["min_share"] == 0.9 and d["gaps"] and all(g["bloc_share"] >= 0.9 for g in d["gaps"]),
        ),
        (
            ["predict", "A/RES/77/27", "--known", "USA=abstain"],
            lambda d: {p["party_code"]: p["vote"] for p in d["predictions"]}["USA"] == "abstain",
        ),
        (["gaps", "IND", "--bloc", "g7"], lambda d: d["gaps"][0]["instrument_id"] == "budapest-convention"),
        (["next-adopters", "dfi", "--as-of", "2022-12-31"], lambda d: d["candidates"][0]["party"] == "CAN"),
    ],
)
def test_json_output(args, check):
    result = runner.invoke(cli.app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert check(json.loads(result.stdout))


def test_align_with_a_party_without_votes_is_valid_json():
    result = runner.invoke(cli.app, ["align", "SSD", "USA", "--json"])
    data = json.loads(result.stdout)  # NaN would not parse
    assert data["enough_evidence"] is False and data["score"] is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["align", "USA", "Narnia"], "error: unknown party 'Narnia"),
        (["predict", "A/RES/99/1"], "error: unknown resolution 'A/RES/99/1'"),
        (["predict", "A/RES/77/27", "--known", "USA"], "error: --known 'USA': use PARTY=yes|no|abstain"),
        (["predict", "A/RES/77/27", "--known", "USA=perhaps"], "error: known vote for 'USA' is 'perhaps'"),
        (["predict", "A/RES/77/27", "--as-of", "1990"], "error: not enough evidence: 0 recorded votes"),
        (["blocs", "--method", "kmeans"], "error: unknown method 'kmeans'"),
        (["gaps", "IND", "--bloc", "g9"], "error: unknown group 'g9'"),
        (["gaps", "IND", "--bloc", "g7", "--min-share", "1.5"], "error: min_share must be between 0 and 1"),
        (["swing", "--confidence", "2"], "error: swing_confidence must be between 0 and 1"),
        (["blocs", "--k", "1"], "error: the number of blocs must be between 2 and 20"),
        (["next-adopters", "nope"], "error: unknown instrument 'nope'; no close match"),
    ],
)
def test_bad_input_is_one_line(args, message):
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message)


def test_human_output_states_evidence():
    result = runner.invoke(cli.app, ["align", "USA", "GBR"])
    assert result.exit_code == 0 and "co-votes" in result.output and "combined = 0.5" in result.output


def test_align_with_eu_uses_the_eu_group_not_the_eu_as_a_party(monkeypatch):
    from analytics_fixtures import camps

    cat = camps()  # has the group "eu" (FRA, DEU, NLD) and the party EUU with the alias "EU"
    monkeypatch.setattr(cli_common, "load_cat", lambda path=None: cat)
    group = json.loads(runner.invoke(cli.app, ["align", "IND", "eu", "--json"]).stdout)
    assert group["group"] == "eu" and group["members"] == ["DEU", "FRA", "NLD"] and group["co_votes"] > 0
    assert json.loads(runner.invoke(cli.app, ["align", "IND", "European Union", "--json"]).stdout)["group"] == "eu"
    party = json.loads(runner.invoke(cli.app, ["align", "IND", "EUU", "--json"]).stdout)
    assert party["b"] == "EUU" and party["co_votes"] == 0
    text = runner.invoke(cli.app, ["align", "IND", "eu"]).output
    assert "IND vs eu (3 members)" in text and "configuration: all recorded votes" in text


def test_blocs_and_swing_state_their_configuration():
    out = runner.invoke(cli.app, ["blocs", "--n-boot", "5"]).output
    assert out.startswith("configuration: all recorded votes") and "stability" in out
    out = runner.invoke(cli.app, ["swing"]).output
    assert "3 swing states on 8 contested cyber votes" in out and "bloc event: bloc" in out
