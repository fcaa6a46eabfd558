"""Bulk import of adoption actions: diff, suggestions, and a full report for malformed files."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from tests.curation_users import ALICE, BOB, install_users
from tracker import curation
from tracker.curation.importer import ImportRejected, plan_import, propose_import, read_rows
from tracker.schema import enum_values
from tracker.sync import sync_to_database

HEADER = "instrument,party,action,date,source,note\n"
TODAY = date(2026, 1, 1)


@pytest.fixture
def db(engine, mini_path, tmp_path, monkeypatch):
    install_users(tmp_path, monkeypatch)
    sync_to_database(mini_path, engine=engine)
    return engine


def plan(db, text: str | bytes, name="chart.csv", **kw):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return plan_import(data, name, source_id="coe-chart-185", today=TODAY, engine=db, **kw)


def rejected(db, data: bytes, name="chart.csv") -> list[str]:
    with pytest.raises(ImportRejected) as info:
        propose_import(ALICE, data, name, reason="chart", source_id="coe-chart-185", today=TODAY, engine=db)
    assert curation.list_proposals(engine=db).empty  # nothing from partial data
    return [str(p) for p in info.value.problems]


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = HEADER + (
    "budapest-convention,France,signed,2001-11-23,,\n"  # unchanged
    "Budapest Convention,United States,ratified,2006-09-29,,in force 2007-01-01\n"  # changed (note)
    "ETS 185,Republic of Korea,signed,2022-03-01,,\n"  # changed (date refined)
    "budapest-convention,Ivory Coast,signed,2019,,\n"  # added (alias)
    "paris-call,United Stats,endorsed,2021-11-10,paris-call-data,\n"  # unresolved (fuzzy only)
)


def test_plan_diff_against_live_data(db):
    p = plan(db, GOOD)
    assert p.problems == []
    assert p.counts() == {"added": 1, "changed": 2, "unchanged": 1, "unresolved": 1}
    status = {r.line: r.status for r in p.rows}
    assert status == {2: "unchanged", 3: "changed", 4: "changed", 5: "added", 6: "unresolved"}
    korea = next(r for r in p.rows if r.line == 4)
    assert korea.change.diff() == [("date", "2022", "2022-03-01")]
    added = next(r for r in p.rows if r.line == 5)
    assert (added.party_code, added.change.after["party_code"]) == ("CIV", "CIV")
    unresolved = next(r for r in p.rows if r.line == 6)
    assert unresolved.party_code is None and unresolved.change is None  # never applied silently
    assert unresolved.suggestions[0].code == "USA"
    frame = p.diff_frame()
    assert frame.loc[frame["row"] == 6, "suggestions"].iloc[0].startswith("United States (USA")


def test_unconfirmed_suggestion_blocks_the_proposal(db):
    problems = rejected(db, GOOD.encode())
    assert problems == [
        "chart.csv:6:party: 'United Stats' is not an exact name or alias; confirm one of: United States (USA)"
    ]


def test_confirmed_import_becomes_one_proposal(db):
    pid, p = propose_import(
        ALICE,
        GOOD.encode(),
        "chart.csv",
        reason="CoE chart 2024",
        source_id="coe-chart-185",
        confirmed={"United Stats": "USA"},
        engine=db,
    )
    assert p.counts() == {"added": 2, "changed": 2, "unchanged": 1, "unresolved": 0}
    proposals = curation.list_proposals(engine=db)
    assert proposals["id"].tolist() == [pid] and proposals["kind"].tolist() == ["import"]
    assert "2 added, 2 changed, 1 unchanged" in proposals["reason"].iloc[0]
    view = curation.view_proposal(pid, engine=db)
    assert sorted(c.op for c in view.changes) == ["add", "add", "update", "update"]
    curation.review(BOB, pid, approve=True, engine=db)
    again = plan(db, GOOD, confirmed={"United Stats": "USA"})
    assert again.counts() == {"added": 0, "changed": 0, "unchanged": 5, "unresolved": 0}
    with pytest.raises(curation.CurationError, match="nothing to change"):
        propose_import(
            ALICE,
            GOOD.encode(),
            "chart.csv",
            reason="again",
            source_id="coe-chart-185",
            confirmed={"United Stats": "USA"},
            engine=db,
        )


def test_confirmation_must_name_a_real_party(db):
    p = plan(db, GOOD, confirmed={"United Stats": "XXX"})
    assert [str(x) for x in p.problems] == ["chart.csv:6:party: confirmed code 'XXX' for 'United Stats' is not a party"]


def test_xlsx_import_with_real_dates(db):
    from datetime import datetime

    data = xlsx(
        [
            ["Instrument", "Party", "Action", "Date", "Source", "Note"],
            ["budapest-convention", "KOR", "ratified", datetime(2023, 5, 1), None, None],
            ["budapest-convention", "FRA", "signed", 2001, None, None],
        ]
    )
    p = plan(db, data, name="chart.xlsx")
    assert p.problems == []
    assert [(r.status, r.date) for r in p.rows] == [("added", "2023-05-01"), ("changed", "2001")]


def test_every_problem_is_reported_with_row_and_column(db):
    bad = HEADER + (
        "budapest-convention,Atlantis,signed,2001-11-23,,\n"
        "budapest-convention,France,ratifyed,2001-11-23,,\n"
        "budapest-convention,France,signed,23/11/2001,,\n"
        "budapest-convention,France,signed,2001-02-30,,\n"
        "budapest-convention,France,signed,2030-01-01,,\n"
        "budapest-convention,France,signed,1999,,\n"
        "budapst convention,France,signed,2001-11-23,,\n"
        "budapest-convention,France,signed,2001-11-23,no-such-source,\n"
        'budapest-convention,France,signed,2001-11-23,,=HYPERLINK("http://x")\n'
        "budapest-convention,@SUM(A1),signed,2001-11-23,,\n"
        ",France,signed,2001-11-23,,\n"
        "budapest-convention,USA,joined,2010,,\n"
        "budapest-convention,United States,joined,2010,,\n"
        "budapest-convention,France,signed,2001,,,extra\n"
    )
    problems = rejected(db, bad.encode())
    assert problems == [
        "chart.csv:2:party: unknown party 'Atlantis' (no close match; add an alias first)",
        "chart.csv:3:action: 'ratifyed' is not one of: " + ", ".join(enum_values("adoptions", "action")),
        "chart.csv:4:date: '23/11/2001' is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "chart.csv:5:date: '2001-02-30' is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)",
        "chart.csv:6:date: '2030-01-01' is in the future (today is 2026-01-01)",
        "chart.csv:7:date: 1999 is before budapest-convention opened (2001-11-23)",
        "chart.csv:8:instrument: unknown instrument 'budapst convention'; did you mean budapest-convention?",
        "chart.csv:9:source: unknown source 'no-such-source' (not in sources)",
        "chart.csv:10:note: text starts with '=' (spreadsheet formula risk): '=HYPERLINK(\"http://x\")'",
        "chart.csv:11:party: text starts with '@' (spreadsheet formula risk): '@SUM(A1)'",
        "chart.csv:12:instrument: required value is missing",
        "chart.csv:14:party: repeats row 13 (budapest-convention, USA, joined, 2010)",
        "chart.csv:15: 7 cells but 6 columns",
    ]


@pytest.mark.parametrize(
    "header, message",
    [
        ("instrument,country,action,date\n", "missing column(s) party; unexpected column(s) country"),
        ("instrument,party,action,date,date\n", "repeated column(s) date"),
        ("inst;party;action\n", "missing column(s) instrument"),
    ],
)
def test_wrong_columns(db, header, message):
    problems = rejected(db, (header + "budapest-convention,FRA,signed,2001\n").encode())
    assert len(problems) == 1 and message in problems[0] and problems[0].startswith("chart.csv:1:")


def test_semicolon_csv_is_read(db):
    p = plan(db, "instrument;party;action;date\nbudapest-convention;FRA;signed;2001-11-23\n")
    assert p.problems == [] and p.counts()["unchanged"] == 1


def test_twenty_megabytes_of_junk_is_refused_unread(db):
    problems = rejected(db, b"\x89junk" * (4 * 2**20))
    assert problems == ["chart.csv: file is 20.0 MiB; the limit is 10 MiB (refused unread)"]


def test_binary_junk_is_refused(db):
    problems = rejected(db, bytes(range(256)) * 100, name="chart.csv")
    assert problems == ["chart.csv: binary data, not a CSV text file (save the sheet as CSV UTF-8 or upload the .xlsx)"]


def test_wrong_encoding_is_reported(db):
    data = (HEADER + "budapest-convention,Côte d'Ivoire,acceded,2024-07-29,,\n").encode("cp1252")
    problems = rejected(db, data)
    assert len(problems) == 1 and "not UTF-8 text" in problems[0] and "save the file as CSV UTF-8" in problems[0]


def test_utf8_bom_is_accepted(db):
    data = ("\ufeff" + HEADER + "budapest-convention,Côte d'Ivoire,acceded,2024-07-29,,\n").encode("utf-8")
    assert plan(db, data).counts()["unchanged"] == 1


def test_damaged_xlsx_is_reported(db):
    problems = rejected(db, b"PK\x03\x04" + b"\0" * 500, name="chart.xlsx")
    assert problems == ["chart.xlsx: not a valid .xlsx file (damaged or not a spreadsheet)"]


def test_xlsx_formula_cells_are_refused(db):
    data = xlsx(
        [
            ["instrument", "party", "action", "date"],
            ["budapest-convention", '=CONCAT("F","RA")', "signed", "2001-11-23"],
        ]
    )
    problems = rejected(db, data, name="chart.xlsx")
    assert problems[0] == 'chart.xlsx:2:B: formula cell \'=CONCAT("F","RA")\' (refused: enter values only)'


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        (HEADER.encode(), "no data rows"),
    ],
)
def test_empty_files(db, data, message):
    problems = rejected(db, data)
    assert len(problems) == 1 and message in problems[0]


def test_read_rows_keeps_line_numbers():
    rows, problems = read_rows((HEADER + "\n" + "a,b,c,,,\n").encode(), "x.csv")
    assert problems == [] and rows[0]["_line"] == 3 and rows[0]["party"] == "b"
