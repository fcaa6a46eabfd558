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
        (["swing"], lambda d: {"IND", "IDN", "ZAF"} <= {r["party"] for r in d}),
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
