"""Swing states, bloc events and bloc stability on the camps catalogue (tests/analytics_fixtures.py).

West (with a 2019 bloc-wide move from no to abstain on the OEWG text), a middle that votes yes
on both rival texts, and a hard core voting no on the GGE/PoA texts that votes with the middle
on general texts. TUR, CHE and BRA each leave their bloc in their own way; MWI sponsors both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analytics_fixtures import (
    CAMP_EAST,
    CAMP_MIDDLE,
    CAMP_SPONSORS,
    CAMP_WEST,
    DOUBLE,
    LEANER,
    SPLITTER,
    SPONSOR,
    camps,
)

from tracker import analytics
from tracker.analytics.config import AnalysisConfig

CONSISTENT = ["USA", "GBR", "FRA", "RUS", "CHN"]  # the five permanent members vote with their camp


@pytest.fixture(scope="module")
def cat():
    return camps()


@pytest.fixture(scope="module")
def result(cat):
    return analytics.blocs(cat)


@pytest.fixture(scope="module")
def swing(cat, result):
    return analytics.swing_states(cat, result=result).set_index("party")


def test_blocs_are_the_west_and_the_rest_with_their_stability(result):
    by = dict(zip(result.assignments["party"], result.assignments["bloc"], strict=True))
    assert len({by[p] for p in CAMP_WEST}) == 1 and len({by[p] for p in CAMP_EAST + CAMP_MIDDLE}) == 1
    assert by["USA"] != by["RUS"]
    assert result.details["k"] == 2 and "stability >= 0.75" in result.details["k_rule"]
    assert result.blocs["stability"].between(0.75, 1).all()
    assert result.assignments["placement"].between(0, 1).all()
    assert result.members() == {int(r.bloc): r.members for r in result.blocs.itertuples()}
    assert sorted(sum(result.members().values(), [])) == sorted(CAMP_WEST + CAMP_EAST + CAMP_MIDDLE)


def test_bloc_labels_say_what_defines_them(result):
    labels = result.blocs.set_index("bloc")["label"]
    west = labels[result.bloc_of("USA")]
    assert west.startswith("mostly no on the OEWG texts, yes on the GGE/PoA texts; around United States")
    assert "Group of Seven (G7): 6 of 6" in west
    assert labels[result.bloc_of("RUS")].startswith("yes on the OEWG texts, mostly yes on the GGE/PoA texts")


def test_a_bloc_wide_shift_is_a_bloc_event_not_swing_states(cat, result, swing):
    events = pd.DataFrame(swing.attrs["bloc_events"])
    west = result.bloc_of("USA")
    moves = events[events["bloc"] == west][["before", "after", "from_vote", "to_vote"]].to_numpy().tolist()
    assert moves == [
        ["A/RES/73/27", "A/RES/74/27", "no", "abstain"],
        ["A/RES/74/27", "A/RES/75/27", "abstain", "no"],
    ]
    assert events.loc[events["bloc"] == west, "moved"].tolist() == [8, 8]
    followers = set(CAMP_WEST) - {SPLITTER, DOUBLE}
    assert not followers & set(swing.index)
    assert analytics.bloc_events(cat, result=result).equals(events)


def test_a_party_backing_both_rival_drafts_is_a_swing_state(swing):
    reasons = swing.loc[DOUBLE, "reasons"]
    assert sum(r.startswith("yes on both rival drafts") for r in reasons) == 2
    assert swing.loc[DOUBLE, "rival_sessions"] == 2


def test_yes_on_both_is_no_swing_where_the_whole_bloc_does_it(swing):
    assert not {"IND", "IDN", "ZAF", "MEX"} & set(swing.index)


def test_a_party_splitting_from_its_bloc_is_a_swing_state(swing):
    assert swing.loc[LEANER, "splits"] == 3
    assert swing.loc[LEANER, "reasons"][0].startswith("split from its bloc toward another on 3 contested cyber vote")
    assert swing.loc[SPLITTER, "confidence"] > swing.loc[LEANER, "confidence"] >= 0.5


def test_consistent_voters_are_not_swing_states(swing):
    # RUS and CHN vote no on the PoA texts inside a bloc voting yes: a firmer position, no move
    assert not set(CONSISTENT) & set(swing.index)


def test_sponsoring_both_rival_drafts_counts_only_with_a_sponsor_table(cat, result, swing):
    assert SPONSOR not in swing.index
    with_sponsors = analytics.swing_states(cat, result=result, sponsors=CAMP_SPONSORS).set_index("party")
    assert with_sponsors.loc[SPONSOR, "reasons"][0].startswith("sponsored both rival drafts (2 session(s))")
    assert with_sponsors.loc[SPONSOR, "confidence"] >= 1 - 0.3**2  # other evidence can only add to it
    assert not set(CONSISTENT) & set(with_sponsors.index)  # USA, GBR, RUS, CHN sponsored one side only
    with pytest.raises(ValueError, match="sponsors needs the columns party_code, resolution_id"):
        analytics.swing_states(cat, result=result, sponsors=pd.DataFrame({"party": ["USA"]}))


def test_confidence_is_a_threshold_and_states_the_configuration(cat, result, swing):
    assert swing["confidence"].is_monotonic_decreasing and swing["confidence"].between(0.5, 1).all()
    strict = analytics.swing_states(cat, result=result, config=AnalysisConfig(swing_confidence=0.95))
    assert strict["party"].tolist() == [SPLITTER]
    assert swing.attrs["config"] == AnalysisConfig().describe() and swing.attrs["contested_votes"] == 10


def test_uncertain_placement_is_reported_and_is_a_reason(cat):
    # a party voting half the time with each camp on general texts: its bloc changes between resamples
    votes = cat.votes.copy()
    swap = votes["party_code"] == "MEX"
    general = votes["resolution_id"].str.extract(r"/(\d+)$")[0].astype(int)
    flip = swap & (general % 4 < 2) & ~votes["resolution_id"].str.endswith(("/27", "/28"))
    west_vote = votes[votes["party_code"] == "USA"].set_index("resolution_id")["vote"]
    votes.loc[flip, "vote"] = votes.loc[flip, "resolution_id"].map(west_vote).to_numpy()
    cfg = AnalysisConfig(n_blocs=2, placement=0.8)
    res = analytics.blocs(cat.replace(votes=votes), config=cfg)
    row = res.assignments.set_index("party").loc["MEX"]
    assert row["uncertain"] and row["placement"] < 0.8
    others = res.assignments[res.assignments["party"] != "MEX"]
    assert not others["uncertain"].any() and others["placement"].min() > row["placement"]
    assert "MEX" in res.blocs.set_index("bloc").loc[row["bloc"], "uncertain_members"]
    sw = analytics.swing_states(cat.replace(votes=votes), config=cfg, result=res).set_index("party")
    assert any(r.startswith("uncertain bloc: placed with bloc") for r in sw.loc["MEX", "reasons"])


def test_blocs_take_one_configuration_and_keywords_override_it(cat, result):
    cfg = AnalysisConfig(n_blocs=3, n_boot=5)
    a = analytics.blocs(cat, config=cfg)
    b = analytics.blocs(cat, k=3, n_boot=5)
    assert len(a.blocs) == 3 and a.assignments.equals(b.assignments)
    assert analytics.blocs(cat, config=cfg, k=2).details["k"] == 2
    assert a.details["config"] == cfg.describe() and a.to_dict()["config"] == cfg.describe()
    assert analytics.blocs(cat).assignments.equals(result.assignments)  # seeded: the same answer twice


def test_without_resamples_the_number_of_blocs_comes_from_the_silhouette(cat):
    res = analytics.blocs(cat, n_boot=0)
    assert res.details["k_rule"].startswith("best mean silhouette")
    assert np.isnan(res.blocs["stability"]).all() and not res.assignments["uncertain"].any()


def test_louvain_reports_stability_too(cat):
    res = analytics.blocs(cat, method="louvain", n_boot=5)
    assert res.details["resamples"] == 5 and res.blocs["stability"].between(0, 1).all()


def test_predict_is_accepted_but_deprecated(cat, result):
    with pytest.warns(DeprecationWarning, match="no longer a swing reason"):
        analytics.swing_states(cat, result=result, predict=False)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"swing_confidence": 1.5}, "swing_confidence must be between 0 and 1"),
        ({"placement": -0.1}, "placement must be between 0 and 1"),
        ({"min_share": "lots"}, "min_share must be a number between 0 and 1"),
        ({"method": "kmeans"}, "unknown method 'kmeans'"),
        ({"basis": "vibes"}, "unknown basis 'vibes'"),
        ({"n_blocs": 1}, "the number of blocs must be between 2 and 20"),
        ({"min_votes": 0}, "min_votes must be"),
        ({"since": "2020", "as_of": "2019"}, "the window is empty: since 2020 is after as_of 2019"),
        ({"since": "yesterday"}, "not a date: 'yesterday'"),
    ],
)
def test_bad_configuration_is_one_line(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        AnalysisConfig(**kwargs)
    assert "\n" not in str(err.value)


def test_configuration_describes_itself_in_one_line():
    text = AnalysisConfig(topic="cyber", since="2018", swing_confidence=0.6).describe()
    assert "\n" not in text
    assert text.startswith("cyber votes, since 2018; blocs: hierarchical") and "swing confidence >= 0.60" in text
    assert AnalysisConfig().replace(topic="cyber") == AnalysisConfig(topic="cyber")
    with pytest.raises(ValueError, match="unknown setting"):
        AnalysisConfig().replace(colour="red")


def test_pulled_by_both_camps_needs_ties_to_each_camp(cat, result):
    """The camps are the one-sided sponsors; a party voting with the sponsors' camp on one side and
    the other's on some texts, with open-stance adoptions, is pulled by both; a party that votes
    with one camp every time (the permanent members) is not."""
    from tracker.analytics.swing import camp_pulls, camps

    groups = camps(cat, CAMP_SPONSORS)
    assert {"USA", "GBR"} <= groups["open"] and {"RUS", "CHN"} <= groups["sovereign"]
    assert SPONSOR not in groups["open"] | groups["sovereign"]  # sponsored both sides
    pulls = camp_pulls(cat, AnalysisConfig(), CAMP_SPONSORS)
    for p in CONSISTENT:
        assert pulls[p][0] < 0.2, (p, pulls[p])
    assert pulls[SPLITTER][0] > pulls["USA"][0]  # TUR votes with the sovereign camp on the OEWG texts
    assert "voted with the sponsors of the GGE/PoA texts" in pulls[SPLITTER][1]
    assert camp_pulls(cat, AnalysisConfig(), CAMP_SPONSORS.iloc[0:0]) == {}  # no sponsors: no camps
