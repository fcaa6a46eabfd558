"""Adoption gaps and next adopters on the hand-built catalogue; graceful without adoptions."""

from __future__ import annotations

import pytest
from analytics_fixtures import EAST, WEST, build

from tracker import analytics
from tracker.parties import UnknownParty


@pytest.fixture(scope="module")
def cat():
    return build()


def test_gaps_against_a_group_rank_by_share(cat):
    g = analytics.gaps(cat, "IND", bloc="g7")
    assert g["instrument_id"].tolist() == ["budapest-convention", "dfi", "paris-call"]  # share 1, 1, 1 by id
    assert g.set_index("instrument_id").loc["budapest-convention", "party_status"] == "signed"  # not adopted
    assert (g["bloc_share"] >= 0.5).all()
    assert "sco-agreement" not in set(g["instrument_id"])


def test_gaps_as_of_hides_later_adoptions(cat):
    early = analytics.gaps(cat, "IND", bloc="g7", as_of="2021")
    assert "dfi" not in set(early["instrument_id"])  # nobody had endorsed it yet


def test_gaps_against_a_reference_party_and_default_partners(cat):
    ref = analytics.gaps(cat, "RUS", reference="USA")
    assert set(ref["instrument_id"]) == {"budapest-convention", "paris-call", "dfi"}
    own = analytics.gaps(cat, "IDN")  # closest partners: the east and the other swing states
    assert "closest partners" in own.attrs["bloc"]
    assert own.empty or "sco-agreement" not in set(own["instrument_id"])  # IDN acceded in 2023


def test_gaps_without_adoptions_say_so():
    g = analytics.gaps(build(adoptions=False), "IND", bloc="g7")
    assert g.empty and g.attrs["note"].startswith("no adoption data")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"party": "Narnia", "bloc": "g7"}, UnknownParty, "unknown party"),
        ({"party": "IND", "bloc": "g7", "reference": "USA"}, ValueError, "either bloc= or reference="),
        ({"party": "IND", "bloc": "g9"}, ValueError, "unknown group 'g9'"),
        ({"party": "USA", "reference": "USA"}, ValueError, "compared with itself"),
        ({"party": "IND", "bloc": "g7", "min_share": 1.5}, ValueError, "min_share must be between 0 and 1"),
        ({"party": "IND", "bloc": "g7", "min_share": -0.1}, ValueError, "min_share must be between 0 and 1"),
        ({"party": "IND", "bloc": "g7", "min_share": float("nan")}, ValueError, "min_share must be between 0 and 1"),
        ({"party": "IND", "bloc": "g7", "min_share": "half"}, ValueError, "min_share must be a number"),
    ],
)
def test_gaps_bad_input(cat, kwargs, error, message):
    with pytest.raises(error, match=message) as err:
        analytics.gaps(cat, **kwargs)
    assert "\n" not in str(err.value)


def test_min_share_is_the_control_and_defaults_to_the_configuration():
    from analytics_fixtures import camps

    from tracker.analytics.config import AnalysisConfig

    cat = camps()  # the AU: ZAF, NGA, EGY, KEN, MWI; ZAF and NGA ratified Malabo: 2 of the 4 others
    default = analytics.gaps(cat, "KEN", bloc="AU")
    assert default["instrument_id"].tolist() == ["malabo-convention"] and default.attrs["min_share"] == 0.3
    assert analytics.gaps(cat, "KEN", bloc="au", min_share=0.6).empty
    assert analytics.gaps(cat, "KEN", bloc="au", config=AnalysisConfig(min_share=0.6)).empty
    assert len(analytics.gaps(cat, "KEN", bloc="au", min_share=0)) == 1  # 0: anything one member adopted


def test_next_adopters_prefers_parties_aligned_with_the_adopters(cat):
    nxt = analytics.next_adopters(cat, "dfi", as_of="2022-12-31", n=4)
    assert nxt["party"].tolist()[:2] == ["CAN", "DEU"]  # the west, which had not endorsed it yet
    assert not set(nxt["party"]) & {"USA", "GBR", "FRA"}  # adopters are not candidates
    east = analytics.next_adopters(cat, "sco-agreement", as_of="2022-12-31", n=3)
    assert set(east["party"]) <= {"IND", "IDN", "ZAF"}  # closest to the east's adopters


def test_next_adopters_accepts_aliases_and_reports_missing_evidence(cat):
    assert analytics.next_adopters(cat, "ETS 185", n=2).attrs["instrument"] == "budapest-convention"
    none_yet = analytics.next_adopters(cat, "dfi", as_of="2020")
    assert none_yet.empty and none_yet.attrs["note"].startswith("not enough evidence: 0 adopters")
    with pytest.raises(ValueError, match="unknown instrument 'budapest'; did you mean budapest-convention"):
        analytics.next_adopters(cat, "budapest")


def test_next_adopters_backtest_hides_later_adoptions(cat):
    bt = analytics.backtest_next_adopters(cat, "2022-12-31", k=2)
    row = bt.set_index("instrument_id").loc["dfi"]
    assert row["adopters_at_cutoff"] == 3 and row["new_adopters"] == 2
    assert row["ours"] == 1.0 and row["ours"] >= row["random"]
    sco = bt.set_index("instrument_id").loc["sco-agreement"]
    assert sco["ours"] == 0.5 and sco["popularity"] == 0.0  # IDN had adopted nothing: popularity misses it
    assert set(EAST) | set(WEST)  # (fixture sanity)
    empty = analytics.backtest_next_adopters(build(adoptions=False), "2022")
    assert empty.empty and "no adoption data" in empty.attrs["note"]


def test_next_adopters_backtest_does_not_count_undated_adoptions_as_later_ones(cat):
    """An undated row counts from its source's as-of date (2024 here), not from when the party
    adopted: it must be neither a positive nor a candidate of the backtest."""

    import pandas as pd

    row = {
        "instrument_id": "dfi",
        "party_code": "IND",
        "action": "endorsed",
        "role": "",
        "date": "",
        "source_id": "src",
        "note": "",
    }
    undated = cat.replace(adoptions=pd.concat([cat.adoptions, pd.DataFrame([row])], ignore_index=True))
    bt = analytics.backtest_next_adopters(undated, "2022-12-31", k=2).set_index("instrument_id")
    assert bt.loc["dfi", "new_adopters"] == 2 and bt.loc["dfi", "undated_excluded"] == 1
    dated = cat.adoptions.copy()
    dated.loc[len(dated)] = {**row, "date": "2023-05"}
    counted = analytics.backtest_next_adopters(cat.replace(adoptions=dated), "2022-12-31", k=2)
    assert counted.set_index("instrument_id").loc["dfi", "new_adopters"] == 3
