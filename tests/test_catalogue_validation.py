"""Validation reports every problem at once, with file, row and column (compared whole)."""

from __future__ import annotations

import gzip
import os
from datetime import date

import pytest

from tracker.catalogue import load_catalogue, validate_package
from tracker.errors import CatalogueError
from tracker.settings import BUNDLED_CATALOGUE

TODAY = date(2026, 11, 27)


def problems(path) -> list[str]:
    return [str(p) for p in validate_package(path, today=TODAY)]


def edit(path, name: str, old: str, new: str) -> None:
    f = path / name
    text = f.read_text("utf-8")
    assert old in text, f"fixture text {old!r} not in {name}"
    f.write_text(text.replace(old, new, 1), "utf-8")


def test_shipped_catalogue_is_valid():
    assert validate_package(BUNDLED_CATALOGUE) == []


def test_tiny_catalogue_is_valid(mini_path):
    assert problems(mini_path) == []


def test_unknown_party_and_instrument_and_source(mini_path):
    edit(mini_path, "adoptions.csv", "budapest-convention,USA,signed", "budapest-convention,XYZ,signed")
    edit(mini_path, "adoptions.csv", "paris-call,KOR,endorsed", "paris-kall,KOR,endorsed")
    edit(mini_path, "adoptions.csv", "2024-07-29,coe-chart-185", "2024-07-29,no-such-source")
    assert problems(mini_path) == [
        "adoptions.csv:4:party_code: unknown code 'XYZ' (not in parties.csv)",
        "adoptions.csv:7:source_id: unknown id 'no-such-source' (not in sources.csv)",
        "adoptions.csv:9:instrument_id: unknown id 'paris-kall' (not in instruments.csv)",
    ]


def test_duplicate_keys(mini_path):
    with (mini_path / "adoptions.csv").open("a", encoding="utf-8") as f:
        f.write("budapest-convention,FRA,signed,,2001-11-23,coe-chart-185,again\n")
    with (mini_path / "parties.csv").open("a", encoding="utf-8") as f:
        f.write("FRA,France bis,,state,FR,250,true,1945-10-24,WEOG,unga-test,\n")
    assert problems(mini_path) == [
        "adoptions.csv:10:instrument_id: duplicate key (instrument_id='budapest-convention', party_code='FRA', "
        "action='signed', role='', date='2001-11-23')",
        "parties.csv:8:code: duplicate key (code='FRA')",
    ]


def test_malformed_impossible_and_future_dates(mini_path):
    edit(mini_path, "adoptions.csv", "FRA,ratified,,2006-01-10", "FRA,ratified,,2006-02-30")
    edit(mini_path, "adoptions.csv", "USA,ratified,,2006-09-29", "USA,ratified,,29/09/2006")
    edit(mini_path, "adoptions.csv", "KOR,signed,,2022", "KOR,signed,,2031")
    edit(mini_path, "adoptions.csv", "CIV,acceded,,2024-07-29", "CIV,acceded,,2024-13")
    assert problems(mini_path) == [
        "adoptions.csv:3:date: '2006-02-30' is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "adoptions.csv:5:date: '29/09/2006' does not match the pattern ^\\d{4}(-\\d{2}(-\\d{2})?)?$",
        "adoptions.csv:6:date: '2031' is in the future (today is 2026-11-27)",
        "adoptions.csv:7:date: '2024-13' is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)",
    ]


def test_action_outside_vocabulary_and_missing_source(mini_path):
    edit(mini_path, "adoptions.csv", "FRA,ratified,", "FRA,ratifyed,")
    edit(
        mini_path,
        "adoptions.csv",
        "2001-11-23,coe-chart-185,\nbudapest-convention,USA",
        "2001-11-23,,\nbudapest-convention,USA",
    )
    found = problems(mini_path)
    assert found[0].startswith("adoptions.csv:3:action: 'ratifyed' is not one of: signed, ratified,")
    assert found[1] == "adoptions.csv:4:source_id: required value is missing"
    assert len(found) == 2


def test_action_before_the_instrument_opened(mini_path):
    edit(mini_path, "adoptions.csv", "USA,signed,,2001-11-23", "USA,signed,,1999")
    assert problems(mini_path) == ["adoptions.csv:4:date: 1999 is before budapest-convention opened (2001-11-23)"]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t"])
def test_formula_cells_are_rejected(mini_path, prefix):
    edit(mini_path, "adoptions.csv", "entry into force 2006-05-01", f"{prefix}HYPERLINK(1)")
    assert problems(mini_path) == [
        f"adoptions.csv:3:note: text starts with {prefix!r} (spreadsheet formula risk): {prefix + 'HYPERLINK(1)'!r}"
    ]


def test_missing_and_unexpected_columns(mini_path):
    edit(mini_path, "groups.csv", "id,name,short_name", "id,name,nickname")
    edit(mini_path, "crosswalk.csv", "source_id\n", "source_id,extra\n")
    assert problems(mini_path) == [
        "crosswalk.csv:1: unexpected column(s) extra",
        "groups.csv:1: missing column(s) short_name; unexpected column(s) nickname",
    ]


@pytest.mark.parametrize("path", ["../outside.csv", "/etc/passwd", "https://example.org/x.csv"])
def test_paths_outside_the_package_are_refused(mini_path, path):
    edit(mini_path, "datapackage.json", '"path": "crosswalk.csv"', f'"path": "{path}"')
    expected = f"datapackage.json: resource 'crosswalk': path {path!r} is outside the package (refused)"
    assert problems(mini_path) == [expected]


def test_not_utf8(mini_path):
    text = (mini_path / "parties.csv").read_text("utf-8")
    (mini_path / "parties.csv").write_bytes(text.encode("latin-1"))
    found = problems(mini_path)
    assert len(found) == 1 and found[0].startswith("parties.csv: not UTF-8 (byte ")


def test_empty_file(mini_path):
    (mini_path / "sources.csv").write_text("")
    found = problems(mini_path)
    assert found[0] == "sources.csv: file is empty (expected a header row)"
    assert len(found) == 1  # references to sources are not reported again once the table is unreadable


def test_truncated_file(mini_path):
    text = (mini_path / "adoptions.csv").read_text("utf-8")
    (mini_path / "adoptions.csv").write_text(text[: text.index("budapest-convention,USA,ratified") + 24])
    assert problems(mini_path) == [
        "adoptions.csv:5:action: required value is missing",
        "adoptions.csv:5:source_id: required value is missing",
    ]


def test_truncated_gzip(mini_path):
    data = (mini_path / "votes.csv.gz").read_bytes()
    (mini_path / "votes.csv.gz").write_bytes(data[: len(data) // 2])
    found = problems(mini_path)
    assert len(found) == 1 and found[0].startswith("votes.csv.gz: not a valid gzip file")


def test_large_junk_file(mini_path):
    with (mini_path / "instruments.csv").open("wb") as f:
        f.write(os.urandom(50 * 2**20))
    found = problems(mini_path)
    assert len(found) == 1 and found[0].startswith("instruments.csv: not UTF-8")


def test_bom_and_crlf_are_accepted(mini_path):
    text = (mini_path / "adoptions.csv").read_text("utf-8")
    (mini_path / "adoptions.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert problems(mini_path) == []
    assert len(load_catalogue(mini_path).adoptions) == 8


def test_vote_tally_must_match(mini_path):
    edit(mini_path, "resolutions.csv", "true,whole,2,3,1", "true,whole,3,3,1")
    assert problems(mini_path) == ["resolutions.csv:2:yes: A/RES/74/247: recorded tally yes=3 but the votes count 2"]


def test_votes_on_a_resolution_adopted_without_a_vote(mini_path):
    with gzip.open(mini_path / "votes.csv.gz", "at", encoding="utf-8") as f:
        f.write("A/RES/76/19,FRA,yes,unga-test\n")
    assert problems(mini_path) == [
        "votes.csv.gz:8:resolution_id: A/RES/76/19 was adopted without a vote; no votes expected"
    ]


def test_every_problem_is_reported_at_once(mini_path):
    edit(mini_path, "adoptions.csv", "budapest-convention,USA,signed", "budapest-convention,XYZ,signed")
    edit(mini_path, "parties.csv", "WEOG,unga-test", "WESTERN,unga-test")
    edit(mini_path, "groups.csv", "economic", "=economic")
    assert len(problems(mini_path)) == 4  # enum, formula+enum on groups.kind, unknown party


def test_load_catalogue_raises_with_all_problems(mini_path):
    edit(mini_path, "adoptions.csv", "budapest-convention,USA,signed", "budapest-convention,XYZ,signed")
    edit(mini_path, "party_aliases.csv", "DPRK,PRK", "DPRK,QQQ")
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(mini_path, today=TODAY)
    assert [str(p) for p in exc.value.problems] == [
        "adoptions.csv:4:party_code: unknown code 'XYZ' (not in parties.csv)",
        "party_aliases.csv:4:code: unknown code 'QQQ' (not in parties.csv)",
    ]
    assert "(and 1 more)" in str(exc.value)


def test_alias_that_names_another_party_is_rejected(mini_path):
    edit(mini_path, "party_aliases.csv", "South Korea,KOR", "Democratic People's Republic of Korea,KOR")
    assert problems(mini_path) == [
        'party_aliases.csv:3:alias: alias "Democratic People\'s Republic of Korea" is the name of party PRK'
    ]
