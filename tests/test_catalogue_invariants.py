"""Invariants of the shipped catalogue, pinned so a later edit cannot silently break them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.data  # sourced facts of the shipped catalogue


def test_every_un_member_state_and_the_observers_are_present(bundled):
    p = bundled.parties
    members = p[p["un_member"]]
    assert len(members) == 193
    assert set(members["un_regional_group"]) == {"African", "Asia-Pacific", "Eastern European", "GRULAC", "WEOG"}
    assert set(p.loc[p["kind"] == "observer_state", "code"]) == {"VAT", "PSE"}
    assert {"EUU", "TWN", "XKX"} <= set(p["code"])


@pytest.mark.parametrize(
    "resolution, yes, no, abstain",
    [
        ("A/RES/74/247", 79, 60, 33),
        ("A/RES/73/27", 119, 46, 14),
        ("A/RES/73/266", 138, 12, 16),
        ("A/RES/75/240", 92, 50, 21),
        ("A/RES/77/37", 156, 7, 14),
        ("A/RES/78/16", 161, 9, 11),
    ],
)
def test_cyber_vote_tallies(bundled, resolution, yes, no, abstain):
    counts = bundled.votes[bundled.votes["resolution_id"] == resolution]["vote"].value_counts()
    assert (counts.get("yes"), counts.get("no"), counts.get("abstain")) == (yes, no, abstain)
    row = bundled.resolutions.set_index("id").loc[resolution]
    assert (row["yes"], row["no"], row["abstain"]) == (yes, no, abstain)


def test_rival_drafts_india_indonesia_south_africa_voted_yes_on_both(bundled):
    v = bundled.votes.set_index(["resolution_id", "party_code"])["vote"]
    for party in ("IND", "IDN", "ZAF"):
        assert v[("A/RES/74/28", party)] == "yes" and v[("A/RES/74/29", party)] == "yes"


def test_required_instruments_exist(bundled):
    required = {
        "budapest-convention",
        "budapest-protocol-1",
        "budapest-protocol-2",
        "un-cybercrime-convention",
        "malabo-convention",
        "convention-108",
        "convention-108-plus",
        "dfi",
        "paris-call",
        "freedom-online-coalition",
        "counter-ransomware-initiative",
        "pall-mall-code-of-practice",
        "christchurch-call",
        "wassenaar-arrangement",
        "ccra",
        "coe-ai-convention",
        "oecd-ai-principles",
        "global-cbpr-forum",
        "arab-cybercrime-convention",
        "sco-information-security-agreement",
        "iso-iec-27001",
        "iso-iec-jtc1-sc27",
        "two-person-rule",
        "due-process",
        "human-rights-online",
    }
    required |= {f"gge-norm-13{c}" for c in "abcdefghijk"}
    assert required <= set(bundled.instruments["id"])
    assert len(bundled.instruments) >= 40
    assert set(bundled.instruments["pillar"]) == {"values", "standards", "norms"}


def test_every_adoption_membership_and_vote_cites_a_source_with_an_as_of_date(bundled):
    known = set(bundled.sources["id"])
    for table in ("adoptions", "group_members", "votes", "instruments", "parties", "crosswalk"):
        frame = getattr(bundled, table)
        assert frame["source_id"].isin(known).all(), table
    assert (bundled.sources["as_of"] != "").all()


def test_paris_call_has_81_states_and_the_eu(bundled):
    st = bundled.status()
    supporters = st[(st["instrument_id"] == "paris-call") & st["adopted"]]["party_code"]
    assert len(supporters) == 82 and "EUU" in set(supporters)


def test_wassenaar_has_42_participating_states(bundled):
    st = bundled.status()
    assert (st[st["instrument_id"] == "wassenaar-arrangement"]["status"] == "participant").sum() == 42


def test_required_groups_exist(bundled):
    assert {
        "eu",
        "nato",
        "au",
        "asean",
        "sco",
        "brics",
        "g7",
        "g20",
        "oecd",
        "five-eyes",
        "gcc",
        "oas",
        "cis",
        "coe",
        "commonwealth",
        "arab-league",
        "nam",
        "g77",
        "quad",
    } <= set(bundled.groups["id"])
    eu = bundled.group_members[(bundled.group_members["group_id"] == "eu") & (bundled.group_members["left"] == "")]
    assert len(eu) == 27


@pytest.mark.parametrize(
    "instrument, status, count",
    [
        ("budapest-convention", "party", 81),  # 76 on the CoE count of 9 Oct 2024 + RWA, VUT, STP, NZL, ECU
        ("budapest-protocol-1", "party", 36),
        ("convention-108", "party", 55),  # the 55 of the Dutch explanatory memorandum of October 2023
        ("freedom-online-coalition", "left", 1),  # the United States, withdrawal letter of 2026-02-10
    ],
)
def test_sourced_party_counts(bundled, instrument, status, count):
    st = bundled.status()
    assert (st[st["instrument_id"] == instrument]["status"] == status).sum() == count


@pytest.mark.parametrize("group, count", [("nam", 121), ("g77", 135), ("nato", 32), ("coe", 46)])
def test_sourced_group_sizes(bundled, group, count):
    gm = bundled.group_members
    current = gm[(gm["group_id"] == group) & (gm["left"] == "") & gm["role"].isin(["member", "founding_member"])]
    assert current["party_code"].nunique() == count
