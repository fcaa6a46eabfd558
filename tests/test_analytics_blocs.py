"""Blocs, the open-vs-sovereign axis and swing states on the hand-built catalogue."""

from __future__ import annotations

import numpy as np
import pytest
from analytics_fixtures import EAST, SWING, WEST, build

from tracker import analytics


@pytest.fixture(scope="module")
def cat():
    return build()


@pytest.mark.parametrize("method", ["hierarchical", "louvain"])
def test_blocs_recover_the_camps(cat, method):
    res = analytics.blocs(cat, method=method, topic="all")
    by_party = dict(zip(res.assignments["party"], res.assignments["bloc"], strict=True))
    assert len({by_party[p] for p in WEST}) == 1
    assert len({by_party[p] for p in EAST}) == 1
    assert by_party["USA"] != by_party["RUS"]
    west, east = by_party["USA"], by_party["RUS"]
    assert res.between.loc[west, west] > res.between.loc[west, east]
    assert "SSD" in res.excluded  # no votes: listed apart, not forced into a bloc
    row = res.blocs.set_index("bloc").loc[west]
    assert row["cohesion"] > 0.5 and "United States" in row["label"]


def test_louvain_reports_its_resolution_sweep(cat):
    res = analytics.blocs(cat, method="louvain", topic="all", seed=3)
    assert [r["resolution"] for r in res.details["sweep"]] == [0.5, 0.75, 1.0, 1.25, 1.5, 2.0]
    assert res.details["resolution"] in {r["resolution"] for r in res.details["sweep"]}


def test_blocs_name_their_defining_instruments_when_adoptions_exist(cat):
    res = analytics.blocs(cat, method="hierarchical", basis="combined", topic="all")
    west = res.assignments.set_index("party").loc["USA", "bloc"]
    defining = res.blocs.set_index("bloc").loc[west, "defining_instruments"]
    assert any(d.startswith("budapest-convention") for d in defining)
    bare = analytics.blocs(build(adoptions=False), method="hierarchical", topic="all")
    assert all(d == [] for d in bare.blocs["defining_instruments"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "kmeans"}, "unknown method"),
        ({"basis": "vibes"}, "unknown basis"),
        ({"k": 1}, "the number of blocs must be between 2 and 20"),
        ({"n_boot": -1}, "n_boot must be"),
        ({"as_of": "1990"}, "not enough evidence for blocs: 0 parties"),
    ],
)
def test_blocs_bad_input(cat, kwargs, message):
    with pytest.raises(ValueError, match=message):
        analytics.blocs(cat, **kwargs)


def test_axis_is_anchored_open_positive_with_uncertainty(cat):
    ax = analytics.axis(cat, n_boot=50)
    assert ax.loc["USA", "position"] > 0 > ax.loc["RUS", "position"]
    assert ax.loc["USA", "position"] > ax.loc["IND", "position"] > ax.loc["RUS", "position"]
    assert np.isfinite(ax.loc["IND", "se"]) and ax.loc["IND", "low"] <= ax.loc["IND", "high"]
    assert np.isnan(ax.loc["SSD", "position"]) and ax.loc["SSD", "n_votes"] == 0
    assert ax.attrs["anchor"].startswith("adopters of open-stance")
    assert analytics.axis(build(adoptions=False), n_boot=10).attrs["anchor"] == "USA positive / RUS negative"


def test_axis_without_data_says_so(cat):
    ax = analytics.axis(cat, as_of="1990")
    assert ax["position"].isna().all() and ax["anchor"].iloc[0].startswith("not enough evidence: 0")


def test_swing_states_in_a_bloc_that_votes_otherwise(cat):
    # IND, IDN and ZAF sit with the east on general texts but vote yes on both rival drafts
    sw = analytics.swing_states(cat).set_index("party")
    for p in SWING:
        assert any(r.startswith("yes on both rival drafts") for r in sw.loc[p, "reasons"])
        assert any(r.startswith("split from its bloc toward another on 4") for r in sw.loc[p, "reasons"])
    assert not set(sw.index) & set(WEST + EAST)  # consistent voters; the west's 2019 abstention is a bloc event


def test_swing_states_before_any_cyber_vote(cat):
    sw = analytics.swing_states(cat, as_of="2015")
    assert sw.empty and "0 contested cyber votes" in sw.attrs["note"]


def test_swing_states_without_enough_voters_for_blocs_say_so(cat):
    sw = analytics.swing_states(cat, as_of="2018-12-31", config=analytics.AnalysisConfig(min_votes=40))
    assert sw.empty and sw.attrs["note"].startswith("not enough evidence for blocs: 0 parties")
