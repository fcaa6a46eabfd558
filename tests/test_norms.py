"""Norm commitments: the evidence ladder, evidence derived from adoptions and resolutions, and the
rules that keep stored evidence honest (issue 13); commitment levels and undated rows (issue 14)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.fixtures import make_catalogue
from tracker import norms
from tracker.catalogue.status import in_force_for_party

PARTIES = [
    {"code": "AAA", "name": "Aland", "un_member_since": "1945-10-24"},
    {"code": "BBB", "name": "Borduria", "un_member_since": "1955"},
    {"code": "CCC", "name": "Carpania", "un_member_since": "2011-07-14"},  # joined after the 2010 resolution
    {"code": "DDD", "name": "Drusselstein", "un_member": "false", "kind": "territory"},
]
INSTRUMENTS = [
    {
        "id": "treaty-x",
        "kind": "treaty",
        "opened": "2001-01-01",
        "in_force": "2004-07-01",
        "party_in_force_rule": "months:3",
    },
    {"id": "treaty-y", "kind": "treaty", "opened": "2018-01-01"},  # not in force
    {"id": "decl", "kind": "declaration", "pillar": "norms", "opened": "2018-11-12"},
    {"id": "std", "kind": "standard", "pillar": "standards"},
    {"id": "body", "kind": "standards_body", "pillar": "standards"},
    {"id": "report", "kind": "report", "opened": "2009-07-01"},
    {"id": "norm-a", "kind": "norm", "pillar": "norms"},
    {"id": "norm-b", "kind": "norm", "pillar": "norms"},
]
CROSSWALK = [
    {"norm_id": "norm-a", "instrument_id": "treaty-x", "clause": "Art. 1", "confidence": "high"},
    {"norm_id": "norm-a", "instrument_id": "treaty-y", "clause": "Art. 2"},
    {"norm_id": "norm-a", "instrument_id": "decl", "clause": "principle 3"},
    {"norm_id": "norm-a", "instrument_id": "std", "clause": "A.5.3"},
    {"norm_id": "norm-a", "instrument_id": "body", "clause": "scope"},
    {"norm_id": "norm-a", "instrument_id": "report", "clause": "para 13(a)"},
    {"norm_id": "norm-b", "instrument_id": "norm-a", "clause": "norm a", "relationship": "superset-of"},
]
RESOLUTIONS = [
    {"id": "A/RES/65/1", "symbol": "A/RES/65/1", "date": "2010-12-08", "recorded_vote": "false"},
    {"id": "A/RES/73/2", "symbol": "A/RES/73/2", "date": "2018-12-22", "recorded_vote": "true"},
]
LINKS = [
    {"resolution_id": "A/RES/65/1", "instrument_id": "report", "relation": "calls_upon", "source_id": "test"},
    {"resolution_id": "A/RES/73/2", "instrument_id": "report", "relation": "welcomes", "source_id": "test"},
]
VOTES = [
    {"resolution_id": "A/RES/73/2", "party_code": "AAA", "vote": "yes"},
    {"resolution_id": "A/RES/73/2", "party_code": "BBB", "vote": "no"},
    {"resolution_id": "A/RES/73/2", "party_code": "CCC", "vote": "absent"},
]


def catalogue(adoptions=(), evidence=(), sponsors=()):
    return make_catalogue(
        parties=PARTIES,
        instruments=INSTRUMENTS,
        crosswalk=CROSSWALK,
        resolutions=RESOLUTIONS,
        resolution_links=LINKS,
        votes=VOTES,
        adoptions=list(adoptions),
        norm_evidence=list(evidence),
        resolution_sponsors=list(sponsors),
    )


def act(instrument, party, action, when="", **kw):
    return {"instrument_id": instrument, "party_code": party, "action": action, "date": when, **kw}


def rung(cat, party, norm="norm-a", as_of=None):
    lad = norms.ladder(cat, norm=norm, as_of=as_of).set_index("party_code")
    return lad.loc[party].to_dict() if party in lad.index else None


# --------------------------------------------------------------------------- status levels


@pytest.mark.parametrize(
    "consent, rule, expected",
    [
        (date(2003, 5, 1), "months:3", date(2004, 7, 1)),  # before the treaty's own entry into force
        (date(2010, 1, 15), "months:3", date(2010, 5, 1)),  # CoE: first day after three months
        (date(2010, 11, 30), "months:3", date(2011, 3, 1)),
        (date(2010, 1, 15), "days:30", date(2010, 2, 14)),
        (date(2010, 1, 15), "", date(2010, 1, 15)),
    ],
)
def test_entry_into_force_for_a_late_party(consent, rule, expected):
    assert in_force_for_party(consent, date(2004, 7, 1), rule) == expected


def test_levels_do_not_mix_unlike_acts():
    cat = catalogue(
        [
            act("treaty-x", "AAA", "ratified", "2010-01-15"),
            act("treaty-y", "AAA", "ratified", "2019-03-01"),
            act("treaty-y", "BBB", "signed", "2018-05-01"),
            act("treaty-x", "CCC", "signed_definitively", "2012-02-01"),
            act("decl", "AAA", "endorsed"),
            act("std", "BBB", "adopted_national_standard", "2014"),
            act("body", "CCC", "participates", role="participating"),
            act("treaty-x", "BBB", "ratified", "2005"),
            act("treaty-x", "BBB", "denounced", "2020-06-01"),
        ]
    )
    st = cat.status().set_index(["instrument_id", "party_code"])["level"]
    assert st[("treaty-x", "AAA")] == "bound"
    assert st[("treaty-y", "AAA")] == "ratified_not_in_force"  # a ratification of a treaty not in force
    assert st[("treaty-y", "BBB")] == "signed"
    assert st[("treaty-x", "CCC")] == "bound"  # signed without reservation of ratification
    assert st[("decl", "AAA")] == "committed"
    assert st[("std", "BBB")] == "implemented"
    assert st[("body", "CCC")] == "participating"  # a standards-committee seat is not a commitment
    assert st[("treaty-x", "BBB")] == "withdrawn"
    # ratified 2010-01-15: not yet bound on 2010-04-30, bound from 2010-05-01
    on = cat.status("2010-04-30").set_index(["instrument_id", "party_code"])
    assert on.loc[("treaty-x", "AAA"), "level"] == "ratified_not_in_force"
    assert (
        cat.status("2010-05-01").set_index(["instrument_id", "party_code"]).loc[("treaty-x", "AAA"), "level"] == "bound"
    )


def test_validation_refuses_actions_that_do_not_fit_the_instrument(mini_path):
    from tracker.catalogue import validate_package

    with (mini_path / "adoptions.csv").open("a") as f:
        f.write("paris-call,USA,ratified,,2020-01-01,coe-chart-185,\n")
        f.write("two-person-rule,USA,endorsed,,2020-01-01,coe-chart-185,\n")
    problems = [str(p) for p in validate_package(mini_path)]
    assert any(
        p.startswith("adoptions.csv:10:action: 'ratified' does not fit a declaration (paris-call)") for p in problems
    )
    assert any(p.startswith("adoptions.csv:11:action: two-person-rule is a norm concept") for p in problems)


# --------------------------------------------------------------------------- derived evidence


def test_a_treaty_carrying_the_norm_is_binding_only_once_in_force_for_the_party():
    cat = catalogue([act("treaty-x", "AAA", "ratified", "2010-01-15"), act("treaty-y", "BBB", "ratified", "2019")])
    assert rung(cat, "AAA")["level"] == 1 and rung(cat, "AAA")["level_name"] == "binding"
    assert rung(cat, "AAA", as_of="2010-03-01")["level"] == 4  # ratified, not yet in force for it
    assert rung(cat, "BBB")["level"] == 4  # the treaty is not in force at all


def test_implementation_and_commitment_rungs_and_no_evidence_from_a_seat():
    cat = catalogue(
        [
            act("std", "AAA", "adopted_national_standard", "2014"),
            act("decl", "BBB", "endorsed", "2019"),
            act("body", "DDD", "participates", role="participating"),
        ]
    )
    assert rung(cat, "AAA")["level"] == 3 and rung(cat, "BBB")["level"] == 4
    assert rung(cat, "DDD") is None  # no evidence at all: absent, not level 0


def test_consensus_counts_the_un_members_of_the_day_and_votes_qualify_but_do_not_reject():
    cat = catalogue()
    lad = norms.ladder(cat, norm="norm-a").set_index("party_code")
    assert set(lad.index) == {"AAA", "BBB"}  # CCC joined the UN after the 2010 consensus; DDD is no member
    assert (lad["level"] == 5).all()
    assert not lad.loc["BBB", "rejected"] and lad.loc["BBB", "qualified"]  # a "no" on the whole text qualifies
    assert not lad.loc["AAA", "qualified"]
    before = norms.ladder(cat, norm="norm-a", as_of="2010-12-07")
    assert before.empty


def test_sponsoring_a_linked_resolution_is_a_named_commitment():
    cat = catalogue(
        sponsors=[{"resolution_id": "A/RES/73/2", "party_code": "CCC", "role": "sponsor", "source_id": "test"}]
    )
    assert rung(cat, "CCC")["level"] == 4


def test_stored_evidence_and_rejection_are_shown_beside_each_other():
    cat = catalogue(
        evidence=[
            {
                "party_code": "AAA",
                "norm_id": "norm-a",
                "kind": "national_position",
                "level": "2",
                "polarity": "supports",
                "date": "2021-05",
                "document": "National position paper",
                "locator": "p. 4",
                "quote": "We support it.",
                "source_id": "test",
            },
            {
                "party_code": "BBB",
                "norm_id": "norm-a",
                "kind": "dissociation",
                "level": "5",
                "polarity": "rejects",
                "date": "2021-12-06",
                "document": "A/76/PV.50",
                "locator": "p. 12",
                "quote": "We dissociate.",
                "source_id": "test",
            },
        ]
    )
    aaa, bbb = rung(cat, "AAA"), rung(cat, "BBB")
    assert aaa["level"] == 2 and aaa["source_id"] == "test" and aaa["document"] == "National position paper"
    assert bbb["level"] == 5 and bbb["rejected"] and bbb["supported"]  # consensus support, rejection beside it
    assert rung(cat, "AAA", as_of="2021-04-30")["level"] == 5  # the paper came later


def test_a_norm_carried_by_another_norm_inherits_its_evidence():
    cat = catalogue([act("treaty-x", "AAA", "ratified", "2010-01-15")])
    ev = norms.evidence(cat, norm="norm-b", party="AAA")
    assert (ev["level"] == 1).any() and ev["note"].str.contains("through norm-a").all()


def test_evidence_columns_and_derived_flag():
    cat = catalogue(
        [act("decl", "AAA", "endorsed", "2019")],
        evidence=[
            {
                "party_code": "BBB",
                "norm_id": "norm-a",
                "kind": "national_law",
                "level": "3",
                "polarity": "supports",
                "document": "Act 12",
                "source_id": "test",
            }
        ],
    )
    ev = cat.norm_evidence
    assert list(ev.columns) == norms.EVIDENCE_COLUMNS
    assert set(ev.loc[(ev["kind"] == "national_law") & (ev["norm_id"] == "norm-a"), "derived"]) == {False}
    assert ev.loc[ev["kind"] == "consensus", "derived"].all()
    assert ev.loc[(ev["party_code"] == "AAA") & (ev["kind"] == "declaration"), "derived"].all()


def test_unknown_norm_suggests_the_closest():
    with pytest.raises(ValueError, match="unknown norm 'norm-z'.*norm-a"):
        norms.ladder(catalogue(), norm="norm-z")


# --------------------------------------------------------------------------- bad stored evidence


def test_bad_norm_evidence_is_reported_by_file_row_and_column(mini_path):
    from tracker.catalogue import validate_package

    rows = [
        "XYZ,two-person-rule,national_law,3,supports,2020,Act 1,s. 2,quote,coe-chart-185,",  # unknown party
        "FRA,paris-call,national_law,3,supports,2020,Act 1,s. 2,quote,coe-chart-185,",  # not a norm concept
        "FRA,two-person-rule,national_law,2,supports,2020,Act 2,s. 2,quote,coe-chart-185,",  # wrong level
        "FRA,two-person-rule,national_law,3,supports,2020,Act 3,s. 2," + "x" * 301 + ",coe-chart-185,",
        "FRA,two-person-rule,consensus,5,supports,2020,Act 4,s. 2,quote,coe-chart-185,",  # derived kind stored
        "FRA,two-person-rule,national_law,3,supports,2017,Paris Call,p. 1,quote,coe-chart-185,",  # before it existed
        "FRA,two-person-rule,national_law,7,sometimes,2020,Act 5,s. 2,quote,coe-chart-185,",
    ]
    path = mini_path / "norm_evidence.csv"
    path.write_text(path.read_text() + "\n".join(rows) + "\n")
    problems = [str(p) for p in validate_package(mini_path)]
    expected = [
        "norm_evidence.csv:2:party_code: unknown code 'XYZ'",
        "norm_evidence.csv:3:norm_id: 'paris-call' is a declaration, not a norm concept",
        "norm_evidence.csv:4:level: a national_law is level 3, not 2",
        "norm_evidence.csv:5:quote: quote is 301 characters (at most 300)",
        "norm_evidence.csv:6:kind: consensus evidence is derived",
        "norm_evidence.csv:7:date: 2017 is before Paris Call existed (2018-11-12)",
        "norm_evidence.csv:8:polarity: 'sometimes' is not one of",
        "norm_evidence.csv:8:level: a national_law is level 3, not 7",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)


# --------------------------------------------------------------------------- the shipped catalogue


@pytest.mark.data
def test_every_gge_norm_has_evidence_for_every_un_member(bundled):
    members = set(bundled.parties.loc[bundled.parties["un_member"], "code"])
    lad = norms.ladder(bundled)
    for letter in "abcdefghijk":
        have = set(lad.loc[(lad["norm_id"] == f"gge-norm-13{letter}") & lad["supported"], "party_code"])
        assert members <= have, (letter, sorted(members - have)[:5])


@pytest.mark.data
def test_norm_targets_of_issue_13(bundled):
    lad = norms.ladder(bundled)
    sup = lad[lad["supported"]]
    two_person = sup[(sup["norm_id"] == "two-person-rule") & (sup["level"] < 5)]
    assert two_person["party_code"].nunique() >= 40
    due = sup[(sup["norm_id"] == "due-process") & (sup["level"] == 1)]
    assert due["party_code"].nunique() >= 90
    positions = norms.evidence(bundled)
    assert positions.loc[positions["level"] == 2, "party_code"].nunique() >= 30
    stored = bundled.stored_norm_evidence
    assert (stored["source_id"] != "").all() and stored["source_id"].isin(bundled.sources["id"]).all()


@pytest.mark.data
def test_at_most_ten_un_members_without_any_recorded_action(bundled):
    from tracker.quality import un_members_without_action

    assert len(un_members_without_action(bundled)) <= 10
