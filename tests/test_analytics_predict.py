"""Vote prediction: output contract, known votes, leakage, bad input; the backtest engine."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from analytics_fixtures import EAST, SWING, WEST, build

from tracker import analytics
from tracker.analytics import backtest
from tracker.analytics.votes import NotEnoughEvidence
from tracker.catalogue import Catalogue
from tracker.parties import UnknownParty

TARGET = "A/RES/77/27"  # oewg, 2022-12-05; previous in series: A/RES/75/27 (west no)


@pytest.fixture(scope="module")
def cat():
    return build()


def test_output_contract(cat):
    p = analytics.predict_votes(cat, TARGET, known={"USA": "no"})
    assert list(p.columns) == ["vote", "p_yes", "p_no", "p_abstain"]
    assert p.index.name == "party_code" and set(WEST + EAST + SWING) <= set(p.index)
    assert np.allclose(p[["p_yes", "p_no", "p_abstain"]].sum(axis=1), 1.0)
    assert set(p["vote"]) <= {"yes", "no", "abstain"}
    assert p.attrs["as_of"] == "2022-12-04" and p.attrs["previous_in_series"] == "A/RES/75/27"


def test_known_empty_follows_the_series(cat):
    p = analytics.predict_votes(cat, TARGET, known={})
    assert (p.loc[WEST, "vote"] == "no").all() and (p.loc[EAST + SWING, "vote"] == "yes").all()
    assert p.attrs["signals"] == ["series"]
    assert p.attrs["no_history"] == ["SSD"]  # predicted, but flagged: no votes to go on


def test_known_votes_are_kept_and_move_their_neighbours(cat):
    known = {
        "USA": "abstain",
        "GBR": "abstain",
        "FRA": "abstain",
        "RUS": "yes",
        "CHN": "yes",
        "IRN": "yes",
        "IND": "yes",
        "IDN": "yes",
        "ZAF": "yes",
    }
    p = analytics.predict_votes(cat, TARGET, known=known)
    assert p.loc["USA", "vote"] == "abstain" and p.loc["USA", "p_abstain"] == 1.0
    assert p.loc["DEU", "vote"] == "abstain" and p.loc["CAN", "vote"] == "abstain"  # the west shifted together


def test_first_of_its_series_without_known_votes_is_flagged_weak():
    cat = build()
    res = cat.resolutions.copy()
    res.loc[res["id"] == "A/RES/73/27", "series"] = "brand-new"
    new = cat.replace(resolutions=res)
    p = analytics.predict_votes(new, "A/RES/73/27")
    assert "weak" in p.attrs["warning"] and p.attrs["signals"] == ["fallback"]


def _altered(cat: Catalogue, on_or_after: str, also: str | None = None) -> Catalogue:
    """Flip yes<->no on every vote dated on or after the date (and on resolution ``also``)."""
    dates = dict(zip(cat.resolutions["id"], cat.resolutions["date"], strict=True))
    v = cat.votes.copy()
    hit = v["resolution_id"].map(dates).ge(on_or_after) | v["resolution_id"].eq(also)
    v.loc[hit, "vote"] = v.loc[hit, "vote"].map({"yes": "no", "no": "yes", "abstain": "yes", "absent": "yes"})
    return cat.replace(votes=v)


def test_no_leakage_from_votes_on_or_after_as_of(cat):
    known = {
        "USA": "no",
        "RUS": "yes",
        "IND": "yes",
        "GBR": "no",
        "CHN": "yes",
        "IRN": "yes",
        "IDN": "yes",
        "ZAF": "yes",
        "FRA": "no",
    }
    before = analytics.predict_votes(cat, TARGET, known=known)
    after = analytics.predict_votes(_altered(cat, "2022-12-04", also=TARGET), TARGET, known=known)
    pd.testing.assert_frame_equal(before, after)
    # ...while a change before as_of does move the prediction (so the check can fail)
    moved = analytics.predict_votes(_altered(cat, "2020-01-01"), TARGET, known={})
    assert not moved.equals(analytics.predict_votes(cat, TARGET, known={}))


def test_learned_expert_joins_with_enough_known_votes_and_ignores_later_votes(cat):
    known = {
        "USA": "no",
        "RUS": "yes",
        "IND": "yes",
        "GBR": "no",
        "CHN": "yes",
        "IRN": "yes",
        "IDN": "yes",
        "ZAF": "yes",
        "FRA": "no",
    }
    p = analytics.predict_votes(cat, TARGET, known=known)
    assert "learned" in p.attrs["signals"] and p.attrs["weights"]["learned"] > 0
    few = analytics.predict_votes(cat, TARGET, known=dict(list(known.items())[:5]))
    assert "learned" not in few.attrs["signals"]  # < 8 known votes: not enough to apply it
    later = _altered(cat, "2022-12-04")  # its training votes are all dated before as_of
    assert analytics.predict_votes(later, TARGET, known=known).attrs["weights"] == p.attrs["weights"]


def test_title_key_matches_the_votes_of_a_recurring_resolution():
    from tracker.analytics.predict import title_key

    assert title_key("Nuclear disarmament : resolution / adopted by the General Assembly") == "nuclear disarmament"
    assert title_key("Nuclear  disarmament") == "nuclear disarmament"
    assert title_key("UNRWA--ACTIVITIES") == "unrwa activities"
    assert title_key(None) == "" and title_key("") == "" and title_key(float("nan")) == "" and title_key(pd.NA) == ""


def _retitled(cat: Catalogue, titles: dict[str, str]) -> Catalogue:
    res = cat.resolutions.copy()
    res["title"] = [titles.get(r, t) for r, t in zip(res["id"], res["title"], strict=True)]
    return cat.replace(resolutions=res)


def test_learned_training_pairs_come_from_series_and_repeated_titles_before_as_of(cat):
    from tracker.analytics import predict as P

    ctx = P.context(cat, "oewg", date(2022, 12, 4), exclude_id=TARGET)
    ids = ctx.data.resolutions["id"].tolist()
    pairs = {ids[b]: ids[a] for b, a in P._series_pairs(ctx).items()}
    assert pairs["A/RES/75/27"] == "A/RES/74/27" and TARGET not in pairs  # the target itself is never used
    general = [r for r in ids if ctx.data.resolutions.set_index("id").loc[r, "topic"] == "general"][:3]
    again = _retitled(
        cat, {general[0]: "Same text : resolution / adopted by the General Assembly", general[2]: "SAME TEXT"}
    )
    ctx2 = P.context(again, "oewg", date(2022, 12, 4), exclude_id=TARGET)
    pairs2 = {ids[b]: ids[a] for b, a in P._series_pairs(ctx2).items()}
    assert pairs2[general[2]] == general[0] and general[1] not in pairs2


def test_titles_of_later_votes_do_not_leak(cat):
    """A later vote repeating an earlier title (and its votes altered) leaves the prediction unchanged."""
    known = {
        "USA": "no",
        "RUS": "yes",
        "IND": "yes",
        "GBR": "no",
        "CHN": "yes",
        "IRN": "yes",
        "IDN": "yes",
        "ZAF": "yes",
        "FRA": "no",
    }
    before = analytics.predict_votes(cat, TARGET, known=known)
    res = cat.resolutions
    early = res.loc[res["date"] < "2015-01-01", "id"].iloc[0]
    late = res.loc[res["date"] >= "2022-12-04", "id"].tolist()
    retitled = _retitled(_altered(cat, "2022-12-04", also=TARGET), {r: f"Resolution {early}" for r in late})
    pd.testing.assert_frame_equal(before, analytics.predict_votes(retitled, TARGET, known=known))
    # ...while repeated titles before as_of do feed the learned expert (so the check can fail)
    earlier = res.loc[(res["topic"] == "general") & (res["date"] >= "2016-01-01"), "id"]
    moved = analytics.predict_votes(_retitled(cat, dict.fromkeys(earlier, "Same text")), TARGET, known=known)
    assert moved.attrs["weights"] != before.attrs["weights"]


def test_as_of_can_be_moved_earlier(cat):
    p = analytics.predict_votes(cat, TARGET, as_of="2020-06-01")
    assert p.attrs["previous_in_series"] == "A/RES/74/27"  # 75/27 is not yet known then
    assert (p.loc[WEST, "vote"] == "abstain").all()


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"resolution": "A/RES/77/72"}, analytics.UnknownResolution, r"did you mean A/RES/77/27"),
        ({"known": {"Narnia": "yes"}}, UnknownParty, "unknown party 'Narnia'"),
        ({"known": {"USA": "maybe"}}, ValueError, "use yes, no or abstain"),
        ({"known": {"USA": "no", "United States": "yes"}}, ValueError, "contradictory known votes for USA"),
        ({"as_of": "1990"}, NotEnoughEvidence, "not enough evidence: 0 recorded votes"),
        ({"as_of": "2022-02-30"}, ValueError, "not a date"),
    ],
)
def test_bad_input(cat, kwargs, error, message):
    args = {"resolution": TARGET, **kwargs}
    with pytest.raises(error, match=message):
        analytics.predict_votes(cat, args.pop("resolution"), **args)


def test_metrics():
    y = np.array([0, 1, 2, 2])
    assert backtest.macro_f1(y, y) == 1.0
    assert backtest.macro_f1(y, np.array([2, 2, 2, 2])) == pytest.approx((0 + 0 + 2 * 2 / (2 * 2 + 2)) / 3)
    assert backtest.log_loss(y, np.full((4, 3), 1 / 3)) == pytest.approx(np.log(3))


def test_backtest_on_the_fixture_runs_every_method(cat):
    res = backtest.run_backtest(cat, resolutions=["A/RES/75/27", "A/RES/77/28"], seeds=[0], frac=0.3)
    assert set(res.summary.index) == set(backtest.METHODS)
    assert res.per_resolution["n_scored"].gt(0).all()
    zero = backtest.run_backtest(cat, resolutions=["A/RES/73/27", "A/RES/74/27"], frac=0.0)
    assert zero.per_resolution["resolution"].unique().tolist() == ["A/RES/74/27"]  # 73/27 has no predecessor


@pytest.mark.slow
def test_reduced_backtest_on_real_votes_does_not_leak(bundled):
    """Two contested votes, one seed: predictions unchanged when later votes are altered."""
    chosen = ["A/RES/74/29", "A/RES/77/36"]
    base = backtest.run_backtest(bundled, resolutions=chosen, seeds=[0], keep_predictions=True, methods=("ours",))
    for rid in chosen:
        day_before = str(
            (pd.Timestamp(bundled.resolutions.set_index("id").loc[rid, "date"]) - pd.Timedelta(days=1)).date()
        )
        dates = dict(zip(bundled.resolutions["id"], bundled.resolutions["date"], strict=True))
        v = bundled.votes.copy()
        hit = v["resolution_id"].map(dates).ge(day_before) & v["resolution_id"].ne(rid)
        v.loc[hit, "vote"] = v.loc[hit, "vote"].map({"yes": "no", "no": "yes", "abstain": "no", "absent": "yes"})
        altered = bundled.replace(votes=v)
        again = backtest.run_backtest(altered, resolutions=[rid], seeds=[0], keep_predictions=True, methods=("ours",))
        pd.testing.assert_frame_equal(base.predictions[(rid, 0)], again.predictions[(rid, 0)])
    assert base.summary.loc["ours", "accuracy"] > 0.8


def test_bundled_votes_fact(bundled):
    m = analytics.vote_matrix(bundled, topic="cyber")
    row = m.loc["A/RES/74/247"]
    assert ((row == 1).sum(), (row == 0).sum(), (row == 0.5).sum()) == (79, 60, 33)
