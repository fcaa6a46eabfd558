"""Alignment: agreement / kappa / pi, evidence counts, filters, groups, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from analytics_fixtures import EAST, SWING, WEST, build

from tracker import analytics
from tracker.analytics.agreement import pair_stats
from tracker.parties import UnknownParty


@pytest.fixture(scope="module")
def cat():
    return build()


def brute_force(a: np.ndarray, b: np.ndarray, values):
    """Independent per-pair implementation of raw agreement, Cohen's kappa and Scott's pi."""
    both = (a >= 0) & (b >= 0)
    va, vb = np.asarray(values)[a[both]], np.asarray(values)[b[both]]
    d_obs = np.mean(np.abs(va - vb))
    d_cohen = np.mean(np.abs(va[:, None] - vb[None, :]))
    pooled = np.concatenate([va, vb])
    d_scott = np.mean(np.abs(pooled[:, None] - pooled[None, :]))
    return both.sum(), 1 - d_obs, 1 - d_obs / d_cohen, 1 - d_obs / d_scott


def test_pair_stats_matches_a_brute_force_implementation():
    rng = np.random.default_rng(7)
    classes = rng.integers(-1, 3, size=(60, 6)).astype(np.int8)
    st = pair_stats(classes, (0.0, 0.5, 1.0))
    for i, j in itertools.combinations(range(6), 2):
        n, agree, kappa, pi = brute_force(classes[:, i], classes[:, j], (0.0, 0.5, 1.0))
        assert st.n[i, j] == n
        assert st.agreement[i, j] == pytest.approx(agree)
        assert st.kappa[i, j] == pytest.approx(kappa)
        assert st.pi[i, j] == pytest.approx(pi)


def test_abstention_counts_half_and_constant_voters_have_no_kappa():
    classes = np.array([[2, 1, 2], [2, 1, 2], [2, 1, 2]], dtype=np.int8)  # yes vs abstain, always
    st = pair_stats(classes, (0.0, 0.5, 1.0))
    assert st.agreement[0, 1] == pytest.approx(0.5)
    assert st.agreement[0, 2] == pytest.approx(1.0)
    assert np.isnan(st.kappa[0, 2])  # identical but no variation: undefined, not 1 and not 0


def test_alignment_separates_the_camps_and_is_symmetric(cat):
    a = analytics.alignment(cat, basis="votes")
    assert a.shape[0] == a.shape[1] and set(WEST + EAST) <= set(a.index)
    assert np.allclose(a.fillna(9), a.T.fillna(9))
    assert a.loc["USA", "GBR"] > a.loc["USA", "IND"] > a.loc["USA", "RUS"]
    assert a.loc["RUS", "CHN"] > 0.5 > a.loc["RUS", "USA"]


def test_party_without_votes_is_nan_with_zero_evidence(cat):
    t = analytics.alignment_tables(cat)
    assert t.co_votes.loc["SSD"].drop("SSD").max() == 0
    assert t.kappa.loc["SSD"].isna().all()
    assert t.combined.loc["SSD"].drop("SSD").isna().all()  # it adopted nothing either
    pair = analytics.pair_alignment(cat, "SSD", "USA")
    assert not pair.enough_evidence and pair.score is None
    assert "not enough evidence" in pair.note and "0 co-votes" in pair.note
    p = analytics.partners(cat, "SSD")
    assert p.empty and "not enough evidence" in p.attrs["note"]


def test_as_of_before_any_data_means_no_evidence(cat):
    t = analytics.alignment_tables(cat, as_of="1990")
    assert int(t.co_votes.to_numpy().max()) == 0
    assert t.combined.isna().all().all()
    assert "0 co-votes" in analytics.pair_alignment(cat, "USA", "GBR", as_of="1990").note


def test_topic_and_window_filters_change_the_evidence(cat):
    everything = analytics.alignment_tables(cat).co_votes.loc["USA", "RUS"]
    cyber = analytics.alignment_tables(cat, topic="cyber").co_votes.loc["USA", "RUS"]
    recent = analytics.alignment_tables(cat, since="2019").co_votes.loc["USA", "RUS"]
    n_cyber = cat.resolutions["topic"].eq("cyber_security").sum()
    assert cyber == n_cyber and everything == len(cat.resolutions)
    assert recent == (cat.resolutions["date"] >= "2019").sum()


def test_combined_is_the_stated_weighted_mean(cat):
    t = analytics.alignment_tables(cat)
    vk, ak = t.kappa.loc["USA", "IND"], t.adoption_kappa.loc["USA", "IND"]
    assert np.isfinite(vk) and np.isfinite(ak)
    assert not t.settings["norm_data"] and np.isnan(t.norm_score.loc["USA", "IND"])  # no norm evidence here
    assert t.combined.loc["USA", "IND"] == pytest.approx((0.5 * vk + 0.3 * ak) / 0.8)  # re-weighted without norms
    text = "0.5 x vote kappa + 0.3 x adoption kappa + 0.2 x norm score"
    assert text in analytics.alignment(cat).attrs["weights"]


def test_adoption_basis_degrades_gracefully_without_adoptions():
    bare = build(adoptions=False)
    votes_only = analytics.alignment(bare, basis="votes")
    combined = analytics.alignment(bare, basis="combined")
    assert np.allclose(votes_only.fillna(9), combined.fillna(9))
    assert analytics.alignment(bare, basis="adoptions").isna().all().all()
    assert analytics.pair_alignment(bare, "USA", "GBR", basis="adoptions").note.endswith("no adoption data")


def test_pair_alignment_shows_its_evidence(cat):
    pair = analytics.pair_alignment(cat, "usa", "Russia", topic="cyber")
    assert pair.a == "USA" and pair.b == "RUS" and pair.co_votes == len(pair.votes) == 8
    assert set(pair.votes["vote_a"]) <= {"yes", "no", "abstain"}
    assert pair.instruments.empty or not pair.instruments["shared"].any()
    same = analytics.pair_alignment(cat, "USA", "GBR").to_dict()
    assert set(same["shared"]) == {"budapest-convention", "paris-call", "dfi"}


def test_partners_strongest_and_weakest(cat):
    p = analytics.partners(cat, "RUS", n=3, basis="votes")
    strongest = p[p["side"] == "strongest"]["partner"].tolist()
    weakest = p[p["side"] == "weakest"]["partner"].tolist()
    assert set(strongest) <= set(EAST + SWING) and set(weakest) <= set(WEST)


def test_partners_from_precomputed_tables_equal_partners_computed_afresh(cat):
    import pandas as pd

    tables = analytics.alignment_tables(cat, topic="cyber")
    for code in ("RUS", "USA", "IND"):
        pd.testing.assert_frame_equal(
            analytics.partners(cat, code, 5, topic="cyber", tables=tables),
            analytics.partners(cat, code, 5, topic="cyber"),
        )
    with pytest.raises(ValueError, match="another window"):
        analytics.partners(cat, "RUS", 5, topic="all", tables=tables)
    with pytest.raises(ValueError, match="another window"):
        analytics.partners(cat, "RUS", 5, topic="cyber", as_of="2020-01-01", tables=tables)


def test_the_vote_matrix_matches_the_vote_rows(cat):
    from tracker.analytics.votes import VOTE_CLASS, vote_data

    data = vote_data(cat)
    known = cat.votes[cat.votes["resolution_id"].isin(data.row_of)]
    got = [
        data.classes[data.row_of[r], data.col_of[p]]
        for r, p in zip(known["resolution_id"], known["party_code"], strict=True)
    ]
    assert got == [VOTE_CLASS.get(v, -1) for v in known["vote"]]
    filled = (data.classes >= 0).sum()
    assert filled == sum(v in VOTE_CLASS for v in known["vote"])  # nothing else is set
    assert data.parties == sorted(set(cat.parties["code"]) | set(cat.votes["party_code"]))


def test_group_alignment_uses_membership_on_each_vote_date(cat):
    g = analytics.group_alignment(cat, "CAN", "g7")
    assert "RUS" not in g.members and g.majority_agreement == pytest.approx(1.0)
    custom = analytics.group_alignment(cat, "IND", ["RUS", "CHN"])
    assert custom.members == ["CHN", "RUS"] and custom.majority_kappa > 0.5
    assert analytics.group_members(cat, "g7", on=__import__("datetime").date(2000, 1, 1)).count("RUS") == 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda c: analytics.pair_alignment(c, "USA", "Narnia"), "unknown party 'Narnia'"),
        (lambda c: analytics.pair_alignment(c, "USA", "United States"), "compared with itself"),
        (lambda c: analytics.alignment(c, basis="vibes"), "unknown basis"),
        (lambda c: analytics.alignment(c, score="tau"), "unknown score"),
        (lambda c: analytics.alignment(c, topic="gardening"), "unknown topic"),
        (lambda c: analytics.alignment(c, since="2019-13"), "not a date"),
        (lambda c: analytics.group_alignment(c, "USA", "g8"), "unknown group 'g8'; did you mean g7"),
        (lambda c: analytics.partners(c, "USA", n=0), "n must be at least 1"),
    ],
)
def test_bad_input_is_a_clear_error(cat, call, message):
    with pytest.raises((ValueError, UnknownParty), match=message.replace("(", r"\(")):
        call(cat)


def test_unknown_party_suggests_candidates(cat):
    with pytest.raises(UnknownParty, match=r"did you mean .*\(IND\)"):
        analytics.partners(cat, "Indai")


def test_pair_stats_weights_count_items_repeatedly_and_the_symmetric_shortcut_agrees():
    import numpy as np

    from tracker.analytics.agreement import pair_stats

    rng = np.random.default_rng(1)
    classes = rng.integers(-1, 3, (200, 12)).astype(np.int8)
    times = rng.integers(1, 4, 200)
    weighted = pair_stats(classes, (0, 0.5, 1), weights=times)
    repeated = pair_stats(np.repeat(classes, times, axis=0), (0, 0.5, 1), cols=np.arange(12))  # no shortcut
    for name in ("n", "agreement", "kappa", "pi"):
        np.testing.assert_allclose(getattr(weighted, name), getattr(repeated, name))
