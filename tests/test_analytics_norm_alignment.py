"""Norm commitments as the third alignment signal, and the commitment levels of adoption
portfolios (issues 13 and 14): weights, evidence rules, the combined score, undated rows."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from analytics_fixtures import EAST, SWING, WEST, build

from tests.fixtures import make_catalogue
from tracker import analytics
from tracker.analytics.alignment import (
    COMBINED_WEIGHTS,
    NORM_VALUES,
    NORM_WEIGHT,
    STATUS_WEIGHT,
    adoption_levels,
    norm_levels,
    norm_scores,
    undated_rows,
)
from tracker.catalogue.status import LEVELS

NORMS = [f"norm-{i}" for i in range(1, 6)]
POSITIONED = ["USA", "GBR", "FRA"]


def evidence(party: str, norm: str, kind: str, level: int, when: str = "2020-05-01", polarity="supports") -> dict:
    return {
        "party_code": party,
        "norm_id": norm,
        "kind": kind,
        "level": str(level),
        "polarity": polarity,
        "date": when,
        "document": f"{kind} of {party}",
        "locator": "para 1",
        "quote": "",
        "source_id": "src",
        "note": "",
    }


def with_norms(cat, rows: list[dict]):
    """The analytics fixture plus five norm concepts and stored evidence rows."""
    norms = pd.DataFrame([{**cat.instruments.iloc[0].to_dict(), "id": n, "name": n, "short_name": n} for n in NORMS])
    norms["kind"] = "norm"
    frame = pd.DataFrame(rows, columns=cat.stored_norm_evidence.columns).astype(str)
    return cat.replace(instruments=pd.concat([cat.instruments, norms], ignore_index=True), norm_evidence=frame)


@pytest.fixture(scope="module")
def normed():
    """USA, GBR, FRA: national positions on norms 1-4; east: a joint statement on norms 3-5;
    everyone (DEU, CAN and the swing states included) joined the consensus on norms 1-4."""
    rows = []
    for p in WEST + EAST + SWING:
        rows += [evidence(p, n, "consensus", 5, "2015-12-23") for n in NORMS[:4]]
    for p in POSITIONED:
        rows += [evidence(p, n, "national_position", 2) for n in NORMS[:4]]
    for p in EAST:
        rows += [evidence(p, n, "joint_statement", 4) for n in NORMS[2:]]
    return with_norms(build(), rows)


def test_norm_levels_are_the_strongest_supporting_rung(normed):
    idx, values = norm_levels(normed, parties=["USA", "RUS", "IND", "SSD"])
    got = pd.DataFrame(values[idx], index=NORMS, columns=["USA", "RUS", "IND", "SSD"])
    assert got["USA"].tolist() == [NORM_WEIGHT[2]] * 4 + [0.0]  # position beats consensus
    assert got["RUS"].tolist() == [NORM_WEIGHT[5]] * 2 + [NORM_WEIGHT[4]] * 3
    assert got["IND"].tolist() == [NORM_WEIGHT[5]] * 4 + [0.0]
    assert got["SSD"].tolist() == [0.0] * 5  # no evidence: none recorded
    assert list(values) == list(NORM_VALUES) and sorted(NORM_WEIGHT.values()) == sorted(set(NORM_VALUES) - {0.0})


def test_norm_score_separates_the_camps_and_leaves_the_usual_portfolios_out(normed):
    t = analytics.alignment_tables(normed)
    assert t.settings["norm_data"]
    assert t.norm_score.loc["USA", "GBR"] == pytest.approx(1.0)  # the same commitments above the usual
    assert t.norm_score.loc["RUS", "CHN"] == pytest.approx(1.0)
    assert t.norm_score.loc["USA", "RUS"] < 0  # above the usual where the other is below
    # the swing states (and DEU, CAN) hold only the consensus most parties hold: nothing tells them apart
    assert t.norms_either.loc["IND", "IDN"] < 3 and np.isnan(t.norm_score.loc["IND", "IDN"])
    assert np.isnan(t.norm_score.loc["DEU", "CAN"]) and np.isfinite(t.norm_score.loc["DEU", "USA"])
    assert np.isnan(t.norm_score.loc["SSD"].drop("SSD")).all()  # no evidence at all
    pair = analytics.pair_alignment(normed, "IND", "IDN", basis="norms")
    assert pair.score is None and "norms not used" in pair.note and not pair.enough_evidence
    assert np.allclose(t.norm_score.fillna(9), t.norm_score.T.fillna(9))


def test_norm_scores_match_a_brute_force_cosine_of_deviations():
    rng = np.random.default_rng(3)
    idx = rng.integers(0, len(NORM_VALUES), size=(9, 7)).astype(np.int8)
    values = np.array(NORM_VALUES)
    ref = np.array([True] * 6 + [False])
    score, overlap, either = norm_scores(idx, values, ref, min_norms=1)
    v = values[idx]
    mean = v[:, ref].mean(axis=1)
    for i, j in itertools.combinations(range(7), 2):
        a, b = v[:, i] - mean, v[:, j] - mean
        assert score[i, j] == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
        assert overlap[i, j] == pytest.approx(np.minimum(v[:, i], v[:, j]).sum() / np.maximum(v[:, i], v[:, j]).sum())
        usual = [np.bincount(row[ref], minlength=len(values)).argmax() for row in idx]
        assert either[i, j] == sum((idx[k, i] != usual[k]) or (idx[k, j] != usual[k]) for k in range(9))


def test_combined_weighs_votes_adoptions_and_norms_as_stated(normed):
    t = analytics.alignment_tables(normed)
    w = COMBINED_WEIGHTS
    assert sum(w.values()) == pytest.approx(1.0)
    vk, ak, ns = (t.kappa.loc["USA", "GBR"], t.adoption_kappa.loc["USA", "GBR"], t.norm_score.loc["USA", "GBR"])
    assert all(np.isfinite([vk, ak, ns]))
    assert t.combined.loc["USA", "GBR"] == pytest.approx(w["votes"] * vk + w["adoptions"] * ak + w["norms"] * ns)
    # a pair without a norm signal is carried by the other two, re-weighted
    vk, ak = t.kappa.loc["USA", "IND"], t.adoption_kappa.loc["USA", "IND"]
    if np.isnan(t.norm_score.loc["USA", "IND"]):
        expected = (w["votes"] * vk + w["adoptions"] * ak) / (w["votes"] + w["adoptions"])
        assert t.combined.loc["USA", "IND"] == pytest.approx(expected)
    norms_only = analytics.alignment(normed, basis="norms")
    pd.testing.assert_frame_equal(norms_only, t.norm_score, check_names=False)
    assert "0.2 x norm score" in analytics.alignment(normed).attrs["weights"]


def test_norm_evidence_dated_after_as_of_is_not_used(normed):
    before = analytics.alignment_tables(normed, as_of="2016-01-01")  # consensus only: no position yet
    assert np.isnan(before.norm_score.loc["USA", "GBR"])
    assert np.isfinite(analytics.alignment_tables(normed, as_of="2021-01-01").norm_score.loc["USA", "GBR"])


def test_without_norm_evidence_combined_is_votes_and_adoptions():
    cat = build()
    t = analytics.alignment_tables(cat)
    assert norm_levels(cat) is None and not t.settings["norm_data"]
    assert analytics.alignment(cat, basis="norms").isna().all().all()
    assert analytics.pair_alignment(cat, "USA", "GBR", basis="norms").note.endswith("no norm evidence")


# --------------------------------------------------------------------------- commitment levels (issue 14)

PARTIES = [{"code": c, "name": c} for c in ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG")]
INSTRUMENTS = [
    {"id": "in-force", "kind": "treaty", "opened": "2001-01-01", "in_force": "2004-07-01"},
    {"id": "not-yet", "kind": "treaty", "opened": "2018-01-01"},
    {"id": "decl", "kind": "declaration", "opened": "2018-11-12"},
    {"id": "std", "kind": "standard"},
    {"id": "body", "kind": "standards_body"},
]


def act(instrument, party, action, when="2010-01-01", source="test"):
    return {"instrument_id": instrument, "party_code": party, "action": action, "date": when, "source_id": source}


def levels_catalogue():
    return make_catalogue(
        parties=PARTIES,
        instruments=INSTRUMENTS,
        sources=[{"id": "test"}, {"id": "late", "as_of": "2024-06-01"}],
        adoptions=[
            act("in-force", "AAA", "ratified"),
            act("not-yet", "BBB", "ratified", "2019"),
            act("std", "CCC", "adopted_national_standard", "2015"),
            act("decl", "DDD", "endorsed", "2019"),
            act("in-force", "EEE", "signed"),
            act("body", "FFF", "participates", "2012"),
            act("in-force", "GGG", "ratified", "2005"),
            act("in-force", "GGG", "denounced", "2011"),
            act("decl", "AAA", "endorsed", "", source="late"),  # undated: known by 2024-06-01
        ],
    )


def test_every_commitment_level_has_its_documented_weight():
    cat = levels_catalogue()
    st = cat.status()
    assert set(st["level"]) == set(LEVELS)  # the fixture covers every level
    assert set(STATUS_WEIGHT) == set(LEVELS)
    parties = sorted(cat.parties["code"])
    idx, values = adoption_levels(cat, parties=parties)
    tracked = sorted(set(cat.adoptions["instrument_id"]))
    for row in st.itertuples():
        assert values[idx[tracked.index(row.instrument_id), parties.index(row.party_code)]] == STATUS_WEIGHT[row.level]
    assert STATUS_WEIGHT["bound"] > STATUS_WEIGHT["ratified_not_in_force"] > STATUS_WEIGHT["signed"] > 0
    assert STATUS_WEIGHT["participating"] == STATUS_WEIGHT["withdrawn"] == 0  # a seat is no commitment


def test_a_standards_body_seat_alone_is_no_portfolio():
    cat = levels_catalogue()
    parties = sorted(cat.parties["code"])
    t = analytics.alignment_tables(cat, min_instruments=1)
    assert int(t.instruments_either.loc["FFF", "AAA"]) == int(t.instruments_either.loc["GGG", "AAA"])
    assert np.isnan(t.adoption_kappa.loc["FFF"].drop("FFF")).all()  # its only row weighs nothing
    pair = analytics.pair_alignment(cat, "FFF", "CCC", basis="adoptions")
    assert pair.instruments.set_index("instrument_id").loc["body", "level_a"] == "participating"
    assert not pair.instruments["shared"].any()
    assert "FFF" in parties


def test_undated_rows_are_counted_and_those_confirmed_later_are_flagged():
    cat = levels_catalogue()
    now = undated_rows(cat)
    assert now == {"undated_rows": 1, "undated_after_as_of": 0}
    then = undated_rows(cat, "2020-01-01")  # the undated endorsement counts from the opening (2018-11-12)...
    assert then == {"undated_rows": 1, "undated_after_as_of": 1}  # ...but its source confirms it only in 2024
    assert undated_rows(cat, "2018-01-01")["undated_rows"] == 0  # before the declaration opened
    t = analytics.alignment_tables(cat, as_of="2020-01-01")
    assert (t.settings["undated_rows"], t.settings["undated_after_as_of"]) == (1, 1)


# --------------------------------------------------------------------------- norm gaps: the third signal of gaps


def test_norm_gaps_list_the_commitments_the_bloc_holds_above_consensus(normed):
    from tracker.analytics.gaps import norm_gaps

    gaps = norm_gaps(normed, "IND", bloc=POSITIONED)  # IND joined only the consensus
    assert gaps["norm_id"].tolist() == NORMS[:4] and (gaps["bloc_share"] == 1.0).all()
    assert set(gaps["party_commitment"]) == {"5 consensus"} and set(gaps["bloc_usual"]) == {"2 national position"}
    assert norm_gaps(normed, "USA", bloc=["GBR", "FRA"]).empty  # it holds them all above consensus
    east = norm_gaps(normed, "IND", bloc=EAST)
    assert east["norm_id"].tolist() == NORMS[2:] and set(east["bloc_usual"]) == {"4 named commitment"}
    assert east.loc[east["norm_id"] == "norm-5", "party_commitment"].item() == "none recorded"
    mixed = ["USA", "DEU", "CAN", "IDN"]  # one in four committed above consensus
    assert norm_gaps(normed, "IND", bloc=mixed, min_share=0.3).empty
    assert len(norm_gaps(normed, "IND", bloc=mixed, min_share=0.25)) == 4
    assert norm_gaps(normed, "IND", reference="USA")["norm_id"].tolist() == NORMS[:4]
    with pytest.raises(ValueError, match="min_share must be between 0 and 1"):
        norm_gaps(normed, "IND", bloc=EAST, min_share=2)
    with pytest.raises(ValueError, match="either bloc= or reference="):
        norm_gaps(normed, "IND", bloc=EAST, reference="USA")


def test_norm_gaps_without_norm_evidence_say_so():
    from tracker.analytics.gaps import norm_gaps

    out = norm_gaps(build(), "IND", bloc=WEST)
    assert out.empty and "no norm evidence" in out.attrs["note"]
