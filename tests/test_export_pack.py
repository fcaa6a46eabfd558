"""A complete briefing pack: members by name, secondary sources marked in every format, file names
that say what is inside, the pack (a ZIP of PDF, XLSX and JSON), Markdown that stays text, and PDFs
that print Arabic and Hebrew shaped and in reading order."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import zipfile
from html import escape
from pathlib import Path

import openpyxl
import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader
from typer.testing import CliRunner

from tracker import export as ex
from tracker.catalogue import load_catalogue
from tracker.cli import app
from tracker.export.render import pdf as pdf_writer

GENERATED = "2026-01-15"
EVIL = "http://evil.example"
runner = CliRunner()


def rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        change(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def g7(cat) -> ex.Report:
    return dataclasses.replace(ex.bloc_summary(cat, group_id="g7", as_of="2024-01-01"), generated=GENERATED)


# --------------------------------------------------------------------------- members, file names


def test_bloc_members_are_listed_by_name(bundled):
    report = ex.bloc_summary(bundled, group_id="eu")
    members = report.section("members").table
    names = list(members["party"])
    assert names[0] == "Austria" and names[-1] == "Sweden"
    assert names == sorted(names, key=str.casefold)
    assert list(members["party_code"]) != sorted(members["party_code"])  # not in code order (DEU is Germany)
    assert report.section("members").text.startswith("Austria, Belgium, Bulgaria")


def test_custom_bloc_members_by_name_accents_ignored(mini):
    report = ex.bloc_summary(mini, members=["USA", "PRK", "FRA", "CIV"], name="Friends")
    assert list(report.section("members").table["party"]) == [
        "Côte d'Ivoire",  # among the Cs, not after the Ds
        "Democratic People's Republic of Korea",
        "France",
        "United States",
    ]


def test_file_names_say_what_is_inside(bundled):
    eu = ex.bloc_summary(bundled, group_id="eu")
    assert ex.filename(eu, "pdf") == f"bloc-summary-eu-{eu.as_of}.pdf"
    brief = ex.country_brief(bundled, "India")
    assert ex.filename(brief, "xlsx") == f"country-brief-ind-{brief.as_of}.xlsx"
    custom = ex.bloc_summary(bundled, members=["IND", "IDN", "ZAF"], name="Bloc 3: India, Indonesia, South Africa")
    assert ex.filename(custom, "pdf").startswith("bloc-summary-bloc-3-india-indonesia-south-africa-")
    assert ex.filename(custom, "pack").endswith(f"{custom.as_of}.zip")


# --------------------------------------------------------------------------- secondary sources


@pytest.fixture
def with_secondary(mini_path):
    """The tiny catalogue with its Paris Call source marked secondary."""

    def mark(row):
        if row["id"] == "paris-call-data":
            row["kind"] = "secondary"

    rewrite(mini_path / "sources.csv", mark)
    return load_catalogue(mini_path)


def test_secondary_sources_are_marked_in_every_format(with_secondary):
    report = g7(with_secondary)
    secondary = next(s for s in report.sources if s.id == "paris-call-data")
    official = next(s for s in report.sources if s.id == "unga-test")
    assert secondary.secondary and not official.secondary

    md = ex.to_markdown(report).decode()
    line = next(x for x in md.splitlines() if "paris-call-data" in x)
    assert "(secondary)" in line
    assert "(secondary)" not in next(x for x in md.splitlines() if "unga-test" in x)

    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(ex.to_pdf(report))).pages).split())
    assert f"[{secondary.ref}] Paris Call supporters (secondary)" in text
    assert f"[{official.ref}] UN General Assembly voting record (test excerpt). United Nations" in text

    rows = list(csv.reader(io.StringIO(ex.to_csv(report).decode("utf-8-sig"), newline="")))
    header = [r[:7] for r in rows].index(["ref", "id", "title", "publisher", "url", "as_of", "kind"])
    kinds = {r[1]: r[6] for r in rows[header + 1 :] if r[0]}
    assert kinds["paris-call-data"] == "secondary" and kinds["unga-test"] == "official"

    doc = json.loads(ex.to_json(report))
    assert {s["id"]: s["kind"] for s in doc["sources"]}["paris-call-data"] == "secondary"

    wb = openpyxl.load_workbook(io.BytesIO(ex.to_xlsx(report)))
    sheet = list(wb["Sources"].iter_rows(values_only=True))
    assert sheet[0][6] == "Kind"
    assert {r[1]: r[6] for r in sheet[1:]}["paris-call-data"] == "secondary"


def test_the_bundled_catalogue_marks_its_secondary_sources(bundled):
    report = ex.bloc_summary(bundled, group_id="eu")
    kinds = dict(zip(bundled.sources["id"], bundled.sources["kind"], strict=True))
    assert any(s.secondary for s in report.sources)
    assert all(s.secondary == (kinds[s.id] == "secondary") for s in report.sources)


# --------------------------------------------------------------------------- the pack


def test_a_pack_holds_the_pdf_xlsx_and_json_of_the_same_report(mini):
    report = g7(mini)
    data = ex.render(report, "pack")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names == [ex.filename(report, f) for f in ("pdf", "xlsx", "json")]
        assert zf.read(names[2]) == ex.to_json(report)
        assert zf.read(names[0]).startswith(b"%PDF")
        pdf_text = " ".join(PdfReader(io.BytesIO(zf.read(names[0]))).pages[0].extract_text().split())
        assert report.title in pdf_text
        wb = openpyxl.load_workbook(io.BytesIO(zf.read(names[1])))
        assert wb["About"]["B1"].value == report.title
    assert ex.MEDIA_TYPES["pack"] == "application/zip" and "pack" in ex.BINARY_FORMATS


def test_cli_exports_a_pack(mini_path, tmp_path):
    out = tmp_path / "g7.zip"
    result = runner.invoke(
        app,
        ["export", "bloc", "g7", "--as-of", "2024-01-01", "--format", "pack", "-o", str(out)]
        + ["--catalogue", str(mini_path)],
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        assert sorted(n.rsplit(".", 1)[1] for n in zf.namelist()) == ["json", "pdf", "xlsx"]
        assert all(n.startswith("bloc-summary-g7-2024-01-01.") for n in zf.namelist())


# --------------------------------------------------------------------------- Markdown stays text


HOSTILE = f"![pixel]({EVIL}/pixel.png) <img src='{EVIL}/i.png'> [click]({EVIL}/x) <b>bold</b> *em* `code`"


def test_markdown_export_shows_names_and_catalogue_text_as_text(mini_path):
    def party(row):
        if row["code"] == "FRA":
            row["name"] = f"France {HOSTILE}"

    def instrument(row):
        if row["id"] == "budapest-convention":
            row["short_name"] = f"Budapest {HOSTILE}"

    def source(row):
        if row["id"] == "unga-test":
            row["title"] = f"Votes {HOSTILE}"
            row["url"] = f"https://digitallibrary.un.org/x)![p]({EVIL}/p.png"

    rewrite(mini_path / "parties.csv", party)
    rewrite(mini_path / "instruments.csv", instrument)
    rewrite(mini_path / "sources.csv", source)
    cat = load_catalogue(mini_path)
    for report in (g7(cat), ex.comparison(cat, ["FRA", "USA"], as_of="2025-01-01")):
        md = ex.to_markdown(report).decode()
        html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
        assert (
            "<img" not in html and "<b>" not in html and "<em>em</em>" not in html and "<code>code</code>" not in html
        )
        assert not re.search(r'(href|src)="https?://evil', html), html  # no link or image to the outside host
        assert escape(f"France {HOSTILE}", quote=False) in html  # the name, as typed
        if "unga-test" in md:  # the source's URL is one link, kept whole
            assert 'href="https://digitallibrary.un.org/x%29!%5Bp%5D%28http://evil.example/p.png"' in html


# --------------------------------------------------------------------------- Arabic and Hebrew in PDFs


ARABIC, HEBREW = "مصر العربية", "ישראל שלום"


def rtl_report() -> ex.Report:
    import pandas as pd

    table = pd.DataFrame({"party": [ARABIC, HEBREW, "ببب"], "note": ["a", "b", "c"]})
    return ex.Report(
        kind="test",
        title=f"Names: {ARABIC}",
        subtitle=HEBREW,
        as_of="2024-01-01",
        method="m",
        catalogue_version="v",
        sections=[ex.Section("names", "Names", table)],
        generated=GENERATED,
    )


def _glyphs_for(data: bytes, char: str) -> int:
    """How many distinct glyphs of the embedded font map back to ``char`` (ToUnicode)."""
    reader = PdfReader(io.BytesIO(data))
    count = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            cmap = font.get_object().get("/ToUnicode")
            if cmap is not None:
                count = max(count, cmap.get_object().get_data().decode().count(f"<{ord(char):04X}>"))
    return count


def test_arabic_and_hebrew_print_shaped_and_in_reading_order():
    data = ex.to_pdf(rtl_report())
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert ARABIC in text and HEBREW in text  # laid out right to left: extracted in reading order
    assert _glyphs_for(data, "ب") == 3  # initial, medial and final forms: the letters join
    assert "cannot show Arabic" not in text


def test_without_a_shaping_engine_the_pdf_says_it_cannot_show_them(monkeypatch):
    monkeypatch.setattr(pdf_writer, "shaping_available", lambda: False)
    data = ex.to_pdf(rtl_report())
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "This PDF cannot show Arabic, Hebrew and other right-to-left text correctly" in text
    assert _glyphs_for(data, "ب") == 1  # unshaped: one isolated form


def test_latin_reports_do_not_pay_for_shaping(mini, monkeypatch):
    monkeypatch.setattr(pdf_writer, "shaping_available", lambda: pytest.fail("shaping checked for Latin text"))
    assert ex.to_pdf(g7(mini)).startswith(b"%PDF")
