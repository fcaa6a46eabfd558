"""The status rule: derived from dated actions, as of any date, with an explicit priority."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tracker.catalogue import Catalogue
from tracker.catalogue.status import ADOPTED_STATUSES, STATUS_COLUMNS
from tracker.dates import date_bounds


def with_actions(mini, rows: list[tuple]) -> Catalogue:
    """The tiny catalogue with its Budapest adoptions replaced by ``rows`` (party, action, date)."""
    ad = pd.DataFrame(
        [
            {
                "instrument_id": "budapest-convention",
                "party_code": p,
                "action": a,
                "role": "",
                "date": d,
                "source_id": "coe-chart-185",
                "note": "",
            }
            for p, a, d in rows
        ]
    )
    return Catalogue.from_frames({**mini.tables(), "adoptions": ad})


def one(cat: Catalogue, party: str, as_of=None) -> dict:
    st = cat.status(as_of)
    rows = st[(st.instrument_id == "budapest-convention") & (st.party_code == party)]
    return rows.iloc[0].to_dict() if len(rows) else {}


def test_columns_match_the_public_api(mini):
    assert list(mini.status().columns) == STATUS_COLUMNS


def test_signature_alone_is_not_adoption(mini):
    kor = one(mini, "KOR")
    assert kor["status"] == "signed" and not kor["adopted"]


def test_ratification_makes_a_party_from_its_date(mini):
    assert one(mini, "FRA", "2006-01-09")["status"] == "signed"
    fra = one(mini, "FRA", "2006-01-10")
    assert fra["status"] == "party" and fra["adopted"] and fra["since"] == "2006-01-10"
    assert one(mini, "FRA", "2001-11-22") == {}  # nothing yet: absent, not "no"


def test_withdrawn_ratification_leaves_a_signatory_not_a_denunciation(mini):
    cat = with_actions(
        mini,
        [
            ("USA", "signed", "2001-11-23"),
            ("USA", "ratified", "2006-09-29"),
            ("USA", "withdrew_ratification", "2020-01-15"),
        ],
    )
    usa = one(cat, "USA")
    assert usa["status"] == "signed" and not usa["adopted"]
    assert usa["detail"] == "ratification withdrawn 2020-01-15"


def test_withdrawn_ratification_without_signature_is_withdrawn(mini):
    cat = with_actions(mini, [("USA", "acceded", "2006-09-29"), ("USA", "withdrew_ratification", "2020-01-15")])
    assert one(cat, "USA")["status"] == "withdrawn"


def test_denunciation_ends_adoption(mini):
    cat = with_actions(mini, [("USA", "ratified", "2006-09-29"), ("USA", "denounced", "2021")])
    assert one(cat, "USA", "2021-06-30")["status"] == "party"  # "2021" is known only by its end
    assert one(cat, "USA", "2021-12-31")["status"] == "denounced"


def test_same_day_signature_and_ratification_is_a_party(mini):
    cat = with_actions(mini, [("USA", "ratified", "2010-05-05"), ("USA", "signed", "2010-05-05")])
    assert one(cat, "USA")["status"] == "party"


def test_undated_action_appears_from_the_opening_flagged_date_unknown(mini):
    """Paris Call opened 2018-11-12; its supporters are listed without dates by a source of
    2022-02-07. They may have joined any day in between: they appear from the opening, flagged."""
    assert mini.status("2018-11-11").query("instrument_id == 'paris-call'").empty
    early = mini.status("2018-11-12").query("instrument_id == 'paris-call'")
    assert len(early) == 2 and not early["date_known"].any()
    assert set(early["earliest"]) == {date(2018, 11, 12)} and set(early["known_by"]) == {date(2022, 2, 7)}
    dated = mini.status().query("instrument_id == 'budapest-convention'")
    assert dated["date_known"].all()


def test_undated_ratification_is_ordered_after_a_dated_signature(mini):
    """Undated acts are ordered by the day they are known by, so an undated ratification still
    follows the dated signature (Slovenia's ETS 185 rows)."""
    cat = with_actions(mini, [("USA", "signed", "2002-07-24"), ("USA", "ratified", "")])
    assert one(cat, "USA", "2003-01-01")["status"] == "party"
    assert not one(cat, "USA", "2003-01-01")["date_known"]


def test_adopted_flag_follows_the_status(bundled):
    st = bundled.status()
    assert (st["adopted"] == st["status"].isin(ADOPTED_STATUSES)).all()
    assert not st.duplicated(["instrument_id", "party_code"]).any()


@pytest.mark.parametrize(
    "value, first, last",
    [
        ("2001", "2001-01-01", "2001-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2001-11-23", "2001-11-23", "2001-11-23"),
    ],
)
def test_partial_dates(value, first, last):
    assert tuple(str(d) for d in date_bounds(value)) == (first, last)


@pytest.mark.parametrize("value", ["2001-02-30", "2001-13", "01-02-2001", "", "2001-1-1"])
def test_impossible_dates(value):
    assert date_bounds(value) is None


def test_coverage_distinguishes_no_data_from_no_action(mini):
    cov = mini.coverage()
    assert cov.loc["budapest-convention", "tracked"] and cov.loc["budapest-convention", "parties"] == 4
    assert not cov.loc["two-person-rule", "tracked"]
