"""Party identity: exact lookup assigns, fuzzy suggestions rank the closest name first."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.search_fixture import search_catalogue
from tracker import cli
from tracker.cli import common as cli_common
from tracker.parties import PartyResolver, UnknownParty


@pytest.fixture(scope="module")
def resolver(bundled) -> PartyResolver:
    return PartyResolver(bundled)


@pytest.mark.parametrize(
    ("typed", "expected", "not_before"),
    [
        ("Kenia", "KEN", "ARM"),  # issue 16: Armenia came first
        ("Columbia", "COL", None),
        ("Austira", "AUT", "USA"),  # WRatio scored the alias "US" inside the typed name at 90
        ("Byelorussia", "BLR", "RUS"),
        ("Rusia", "RUS", "USA"),
        ("Ukrane", "UKR", "GBR"),
        ("Phillipines", "PHL", None),
        ("Tadjikistan", "TJK", None),
        ("Swizerland", "CHE", "SWZ"),
        ("Domenican Republic", "DOM", None),
        ("United Stats", "USA", "MEX"),
        ("Indai", "IND", "IDN"),
        ("Ivory Cost", "CIV", None),
        ("Nigera", "NGA", "NER"),
    ],
)
def test_suggestions_rank_the_closest_name_first(resolver, typed, expected, not_before):
    assert resolver.resolve(typed) is None  # a misspelling is never assigned
    codes = [m.code for m in resolver.suggest(typed)]
    assert codes[0] == expected, codes
    if not_before:
        assert not_before not in codes[:1]


def test_a_word_of_a_longer_name_suggests_the_names_holding_it(resolver):
    assert {m.code for m in resolver.suggest("Korea")} >= {"KOR", "PRK"}
    assert resolver.suggest("Bosnia")[0].code == "BIH"


def test_suggestions_are_distinct_parties_best_first(resolver):
    hits = resolver.suggest("Congo Republik", limit=3)
    assert len(hits) == len({m.code for m in hits}) <= 3
    assert [m.score for m in hits] == sorted((m.score for m in hits), reverse=True)
    assert all(0 < m.score <= 100 for m in hits)


def test_unknown_party_error_lists_up_to_three_suggestions(resolver):
    with pytest.raises(UnknownParty) as err:
        resolver.require("Kenia")
    message = str(err.value)
    assert message.startswith("unknown party 'Kenia'; did you mean Kenya (KEN)")
    assert "\n" not in message
    suggested = message.split("did you mean ", 1)[1].rstrip("?").split(", ")
    assert 1 <= len(suggested) <= 3


@pytest.mark.parametrize("text", ["", "   ", "xqzvw", "😀🔥", "\x00\x01"])
def test_nothing_close_gives_no_suggestion(resolver, text):
    assert resolver.suggest(text) == []
    with pytest.raises(UnknownParty) as err:
        resolver.require(text)
    assert "did you mean" not in str(err.value)


def test_exact_names_codes_and_aliases_still_resolve(resolver):
    for text, code in [("Kenya", "KEN"), ("ken", "KEN"), ("KE", "KEN"), ("Ivory Coast", "CIV"), ("Türkiye", "TUR")]:
        assert resolver.resolve(text) == code
        assert resolver.require(text) == code


def test_cli_unknown_party_names_the_closest_first(monkeypatch):
    monkeypatch.setattr(cli_common, "load_cat", lambda path=None: search_catalogue())
    result = CliRunner().invoke(cli.app, ["gaps", "Kenia", "--bloc", "eu"])
    assert result.exit_code != 0
    assert "did you mean Kenya (KEN)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
