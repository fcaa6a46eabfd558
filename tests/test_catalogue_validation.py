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


# --------------------------------------------------------------------------- reading limits and safe paths


def _gzip_of_zeros(header: bytes, megabytes: int) -> bytes:
    """A small gzip file that decompresses to ``megabytes`` MiB (a decompression bomb)."""
    import zlib

    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [z.compress(header)]
    block = b"0" * 2**20
    parts += [z.compress(block) for _ in range(megabytes)]
    return b"".join([*parts, z.flush()])


def test_a_gzip_bomb_is_refused_without_being_decompressed_whole(mini_path, monkeypatch):
    import tracemalloc

    from tracker.catalogue import package

    monkeypatch.setattr(package, "MAX_FILE_BYTES", 2**20)
    (mini_path / "votes.csv.gz").write_bytes(_gzip_of_zeros(b"resolution_id,party_code,vote,source_id\n", 200))
    assert (mini_path / "votes.csv.gz").stat().st_size < 2**20  # small on disk
    tracemalloc.start()
    try:
        found = problems(mini_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == ["votes.csv.gz: larger than 1 MiB once decompressed (refused)"]
    assert peak < 24 * 2**20  # never the 200 MiB the file expands to


def test_a_resource_larger_than_the_limit_is_refused_before_it_is_read(mini_path, monkeypatch):
    from tracker.catalogue import package

    monkeypatch.setattr(package, "MAX_FILE_BYTES", 2**10)
    with (mini_path / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("x" * 2000 + "\n")
    assert problems(mini_path) == ["sources.csv: file is larger than 1 KiB (refused)"]


def test_a_symlink_out_of_the_package_is_refused_by_validate_and_by_the_content_hash(mini_path, tmp_path):
    from tracker.catalogue import content_hash

    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((mini_path / "crosswalk.csv").read_bytes())
    (mini_path / "crosswalk.csv").unlink()
    (mini_path / "crosswalk.csv").symlink_to(outside)
    expected = (
        f"datapackage.json: resource 'crosswalk': 'crosswalk.csv' is a link to {outside}, outside the package (refused)"
    )
    assert problems(mini_path) == [expected]
    with pytest.raises(CatalogueError) as exc:
        content_hash(mini_path)  # refused, not hashed
    assert [str(p) for p in exc.value.problems] == [expected]
    with pytest.raises(CatalogueError):
        load_catalogue(mini_path, today=TODAY)


@pytest.mark.parametrize("path", ["../outside.csv", "/etc/passwd", "https://example.org/x.csv"])
def test_the_content_hash_refuses_paths_outside_the_package(mini_path, path):
    from tracker.catalogue import content_hash

    edit(mini_path, "datapackage.json", '"path": "crosswalk.csv"', f'"path": "{path}"')
    with pytest.raises(CatalogueError, match="outside the package"):
        content_hash(mini_path)


def test_a_symlink_inside_the_package_is_read(mini_path):
    (mini_path / "data").mkdir()
    (mini_path / "crosswalk.csv").rename(mini_path / "data" / "crosswalk.csv")
    (mini_path / "crosswalk.csv").symlink_to(mini_path / "data" / "crosswalk.csv")
    assert problems(mini_path) == []


@pytest.mark.parametrize("special", ["fifo", "folder"])
def test_a_resource_that_is_not_a_regular_file_is_refused_without_hanging(mini_path, special):
    import threading

    from tracker.catalogue import content_hash

    (mini_path / "crosswalk.csv").unlink()
    if special == "fifo":
        os.mkfifo(mini_path / "crosswalk.csv")  # opening it for reading would wait for a writer forever
    else:
        (mini_path / "crosswalk.csv").mkdir()
    outcome = {}

    def run():
        outcome["problems"] = problems(mini_path)
        with pytest.raises(CatalogueError) as exc:
            content_hash(mini_path)
        outcome["hash"] = [str(p) for p in exc.value.problems]

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "reading a special file hung"
    assert outcome["problems"] == outcome["hash"] == ["crosswalk.csv: not a regular file (refused)"]


def test_a_descriptor_declaring_a_resource_twice_is_refused(mini_path):
    import json

    descriptor = json.loads((mini_path / "datapackage.json").read_text("utf-8"))
    twin = dict(next(r for r in descriptor["resources"] if r["name"] == "crosswalk"), path="other.csv")
    descriptor["resources"].append(twin)
    (mini_path / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    assert problems(mini_path) == ["datapackage.json: resource 'crosswalk' is declared 2 times (refused)"]


def test_a_million_duplicate_keys_are_reported_in_a_few_lines(mini_path):
    from tracker.catalogue.rules import MAX_PER_RULE

    rows = "".join("A/RES/74/247,FRA,no,unga-test\n" for _ in range(200_000))
    with gzip.open(mini_path / "votes.csv.gz", "at", encoding="utf-8") as f:
        f.write(rows)
    found = problems(mini_path)
    dup = [p for p in found if "duplicate key" in p]
    assert len(dup) == MAX_PER_RULE + 1
    assert dup[0] == "votes.csv.gz:8:resolution_id: duplicate key (resolution_id='A/RES/74/247', party_code='FRA')"
    assert dup[-1] == (
        f"votes.csv.gz:{8 + MAX_PER_RULE}:resolution_id: duplicate key: "
        f"{200_000 - MAX_PER_RULE:,} more rows like this from here on (not listed)"
    )
    assert len(found) < 3 * MAX_PER_RULE  # the tally problem and the capped lists


# --------------------------------------------------------------------------- physical line numbers


def test_rows_are_named_by_their_physical_line(mini_path):
    text = (mini_path / "adoptions.csv").read_text("utf-8")
    lines = text.splitlines()
    # a blank line after the header, a whitespace-only line, and a quoted note over two lines
    lines.insert(1, "")
    lines.insert(3, "   ")
    lines[4] = lines[4].replace("entry into force 2006-05-01", '"entry into force\n2006-05-01"')
    (mini_path / "adoptions.csv").write_text("\n".join(lines) + "\n", "utf-8")
    edit(mini_path, "adoptions.csv", "budapest-convention,USA,signed", "budapest-convention,XYZ,signed")
    assert problems(mini_path) == [
        "adoptions.csv:5:note: contains a control character (U+000A LF) at position 17; not allowed in text",
        "adoptions.csv:7:party_code: unknown code 'XYZ' (not in parties.csv)",
    ]


def test_a_quote_never_closed_names_the_line_it_opens_on(mini_path):
    edit(mini_path, "adoptions.csv", "budapest-convention,USA,ratified", 'budapest-convention,"USA,ratified')
    assert problems(mini_path) == [
        "adoptions.csv:5: malformed CSV: a quoted cell opens on this line and is never closed "
        "(end of file inside quotes)"
    ]


def test_a_row_with_too_many_cells_names_its_line(mini_path):
    text = (mini_path / "adoptions.csv").read_text("utf-8")
    (mini_path / "adoptions.csv").write_text(
        text.replace("budapest-convention,USA,ratified,,2006-09-29,coe-chart-185,", '"a\nb",,\n\nx,1,2,3,4,5,6,7,8')
        + "\n",
        "utf-8",
    )
    assert problems(mini_path) == ["adoptions.csv:8: malformed CSV: 9 cells, but the header has 7 columns"]


# --------------------------------------------------------------------------- text and domain rules


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("ok\x1b[2A\x1b[Kdate: unchanged", "U+001B ESC) at position 3"),
        ("line one\rline two", "U+000D CR) at position 9"),
        ("two\nlines", "U+000A LF) at position 4"),
        ("abc\u202edcba", "U+202E RIGHT-TO-LEFT OVERRIDE) at position 4"),
        ("bell\x07", "U+0007 control) at position 5"),
        ("c1 \x9b control", "U+009B CSI) at position 4"),
    ],
)
def test_control_characters_in_any_text_cell_are_refused(mini_path, cell, shown):
    edit(mini_path, "adoptions.csv", "entry into force 2006-05-01", f'"{cell}"')
    edit(mini_path, "parties.csv", "French Republic", f'"French\t{cell}"')
    code, position = shown.rsplit(" ", 1)
    assert problems(mini_path) == [
        f"adoptions.csv:3:note: contains a control character ({shown}; not allowed in text",
        f"parties.csv:3:official_name: contains a control character ({code} {int(position) + 7}; not allowed in text",
    ]


def test_a_tab_inside_text_is_tolerated(mini_path):
    edit(mini_path, "adoptions.csv", "entry into force 2006-05-01", "entry into force\t2006-05-01")
    assert problems(mini_path) == []


def test_an_adoption_of_a_norm_concept_is_refused(mini_path):
    with (mini_path / "adoptions.csv").open("a", encoding="utf-8") as f:
        f.write("two-person-rule,FRA,endorsed,,2020,coe-chart-185,\n")
    assert problems(mini_path) == [
        "adoptions.csv:10:action: two-person-rule is a norm concept: it has no adoptions "
        "(record commitments in norm_evidence.csv)"
    ]


# --------------------------------------------------------------------------- the database's limits


@pytest.mark.parametrize("value", ["2147483648", "99999999999999999999", "9" * 5000])
def test_an_integer_the_database_cannot_hold_is_refused(mini_path, value):
    from tracker.schema import INTEGER_MAX, INTEGER_MIN

    edit(mini_path, "resolutions.csv", "true,whole,2,3,1", f"true,whole,2,3,{value}")
    found = problems(mini_path)
    assert found == [
        f"resolutions.csv:2:abstain: {value[:24]}{'…' if len(value) > 24 else ''} is outside the database's "
        f"integer range ({INTEGER_MIN:,} to {INTEGER_MAX:,})"
    ]


def test_the_integer_limits_themselves_are_accepted(mini_path):
    from tracker.schema import INTEGER_MAX

    edit(mini_path, "resolutions.csv", "true,whole,2,3,1", f"true,whole,2,3,{INTEGER_MAX}")
    assert problems(mini_path) == [
        "resolutions.csv:2:abstain: A/RES/74/247: recorded tally abstain=2147483647 but the votes count 1"
    ]


def test_a_key_longer_than_a_database_index_holds_is_refused(mini_path):
    from tracker.schema import MAX_KEY_BYTES

    fits, too_long = "a" * MAX_KEY_BYTES, "é" * (MAX_KEY_BYTES // 2 + 1)  # é is two bytes in UTF-8
    with (mini_path / "party_aliases.csv").open("a", encoding="utf-8") as f:
        f.write(f"{fits},FRA,\n{too_long},FRA,\n")
    assert problems(mini_path) == [
        f"party_aliases.csv:6:alias: key too long for a database index: {MAX_KEY_BYTES + 2:,} bytes in UTF-8 "
        f"(alias; at most {MAX_KEY_BYTES:,})"
    ]
