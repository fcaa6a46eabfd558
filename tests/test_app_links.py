"""Links that reopen a view (AppTest): every page opened from an address with parameters shows
them in every control; choices survive page switches where a user expects it and only there;
a cleared default stays cleared; a bad value in a link is named, as text, and not used."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app import PAGES
from tracker.ui.text import plain


def open_link(make, page: str, **params) -> AppTest:
    """Open ``page`` as a browser opens a link: the page itself, with these query parameters."""
    at = make()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGES + page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def value(at: AppTest, key: str):
    return at.session_state[key]


def warnings(at: AppTest) -> list[str]:
    return [plain(w.value) for w in at.warning]  # shown as text: markdown escapes removed


# --------------------------------------------------------------------------- every page from a link


def test_overview_from_a_link_alignment_mode(app):
    at = open_link(
        app, "overview.py", mode="alignment", party="India", basis="combined", as_of="2015-06-30", window="24"
    )
    assert value(at, "overview_mode") == "alignment"
    assert value(at, "overview_party") == "IND"  # a name in the link resolves to the code
    assert value(at, "overview_basis") == "combined"
    assert value(at, "as_of") == date(2015, 6, 30)
    assert value(at, "overview_window") == 24
    assert at.query_params["party"] == "IND" and at.query_params["as_of"] == "2015-06-30"
    assert "instrument" not in at.query_params  # not shown in this mode: not in the address


def test_overview_from_a_link_adoption_mode(app, bundled):
    tracked = bundled.coverage()
    wanted = tracked[tracked["tracked"]].sort_values("parties").index[0]  # not the default instrument
    at = open_link(app, "overview.py", mode="adoption", instrument=wanted, as_of="2012-01-01", party="FRA")
    assert value(at, "overview_mode") == "adoption"
    assert value(at, "overview_instrument") == wanted
    assert value(at, "as_of") == date(2012, 1, 1)
    assert "party" not in at.query_params  # the alignment picker is not drawn in adoption mode


def test_catalogue_from_a_link(app, bundled):
    inst = bundled.instruments
    bodies = sorted(b for b in inst["body"].unique() if "," in b)[:2]
    at = open_link(
        app,
        "catalogue.py",
        q="budapest",
        pillar="values,norms",
        kind="treaty",
        cluster="privacy",
        body=bodies,  # repeated parameters: body names hold commas
        stance="open",
        item="budapest-convention",
        as_of="2010-01-01",
    )
    assert value(at, "catalogue_q") == "budapest"
    assert value(at, "facet_pillar") == ["values", "norms"]
    assert value(at, "facet_kind") == ["treaty"]
    assert value(at, "facet_cluster") == ["privacy"]
    assert value(at, "facet_body") == bodies
    assert value(at, "facet_stance") == ["open"]
    assert at.header[0].value == "Convention on Cybercrime"  # the open entry
    assert value(at, "asof_budapest-convention") == date(2010, 1, 1)
    assert at.query_params["body"] == bodies


def test_country_profile_from_a_link(app):
    at = open_link(app, "country.py", party="fra", topic="all", tab="votes")
    assert at.title[0].value == "France"
    assert value(at, "country_party") == "FRA"
    assert value(at, "country_topic") == "all"
    assert value(at, "country_tab") == "UN cyber votes"
    assert at.query_params["party"] == "FRA" and at.query_params["tab"] == "votes"


def test_compare_from_a_link(app):
    at = open_link(app, "compare.py", parties="DEU,bra,XXX", group="NATO", topic="all")
    assert value(at, "compare_parties") == ["DEU", "BRA"]
    assert value(at, "compare_group") == "nato"  # the acronym resolves to the group
    assert value(at, "compare_topic") == "all"
    assert any("parties='XXX' was not used" in w for w in warnings(at))
    assert at.query_params["parties"] == "DEU,BRA"


def test_blocs_from_a_link(app, bundled):
    from tracker.catalogue import scope

    older = scope.resolutions_in_scope(bundled, date.today(), newest_first=True)["id"].iloc[3]
    at = open_link(
        app,
        "blocs.py",
        method="louvain",
        basis="combined",
        topic="all",
        resolution=older,
        yes="USA,GBR",
        no="RUS",
        abstain="IND",
    )
    assert value(at, "blocs_method") == "louvain"
    assert value(at, "blocs_basis") == "combined"
    assert value(at, "blocs_topic") == "all"
    assert value(at, "predict_resolution") == older
    assert value(at, "known_yes") == ["USA", "GBR"]
    assert value(at, "known_no") == ["RUS"]
    assert value(at, "known_abstain") == ["IND"]


def test_gaps_from_a_link_against_a_group(app):
    at = open_link(app, "gaps.py", party="IND", against="group", bloc="AU", tab="next", instrument="paris-call")
    assert value(at, "gaps_party") == "IND"
    assert value(at, "gaps_against") == "group"
    assert value(at, "gaps_group") == "au"  # ?bloc=au reopens as the African Union, not the EU
    assert value(at, "gaps_tab") == "Likely next adopters of an instrument"
    assert value(at, "gaps_instrument") == "paris-call"


def test_gaps_from_a_link_against_a_party(app):
    at = open_link(app, "gaps.py", party="KEN", against="party", ref="Brazil")
    assert value(at, "gaps_against") == "party"
    assert value(at, "gaps_ref_party") == "BRA"
    assert "bloc" not in at.query_params


def test_sources_from_a_link(app):
    at = open_link(app, "sources.py", filter="council of europe")
    assert value(at, "sources_filter") == "council of europe"


# --------------------------------------------------------------------------- what survives, and where


def test_cleared_default_parties_stay_cleared(app):
    at = open_link(app, "compare.py")
    assert value(at, "compare_parties") == ["USA", "RUS"]  # the default, for a fresh view
    at.multiselect(key="compare_parties").set_value([]).run()
    assert value(at, "compare_parties") == []
    assert at.query_params["parties"] == ""  # the link says "none", not "the default"
    at.switch_page(PAGES + "country.py").run()
    at.switch_page(PAGES + "compare.py").run()
    assert value(at, "compare_parties") == []
    again = open_link(app, "compare.py", parties="")
    assert value(again, "compare_parties") == []


def test_country_profile_does_not_empty_compare(app):
    at = open_link(app, "compare.py", parties="USA,CHN,IND")
    at.switch_page(PAGES + "country.py").run()
    at.selectbox(key="country_party").set_value("BRA").run()
    at.switch_page(PAGES + "compare.py").run()
    assert value(at, "compare_parties") == ["USA", "CHN", "IND"]
    assert at.query_params["parties"] == "USA,CHN,IND"
    assert "party" not in at.query_params  # Compare does not show the Country profile's party


def test_the_country_is_shared_by_the_pages_about_one_country(app):
    at = open_link(app, "country.py", party="KEN")
    at.switch_page(PAGES + "gaps.py").run()
    assert value(at, "gaps_party") == "KEN"
    at.selectbox(key="gaps_party").set_value("GHA").run()
    at.switch_page(PAGES + "country.py").run()
    assert at.title[0].value == "Ghana"
    assert at.query_params["party"] == "GHA"


def test_a_page_keeps_its_own_choices_across_a_visit_elsewhere(app):
    at = open_link(app, "gaps.py", bloc="asean")
    at.switch_page(PAGES + "compare.py").run()
    assert value(at, "compare_group") == ""  # the Gaps group is not Compare's group
    at.switch_page(PAGES + "gaps.py").run()
    assert value(at, "gaps_group") == "asean"
    assert at.query_params["bloc"] == "asean"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"party": "Atlantis"}, "party='Atlantis'"),
        ({"as_of": "yesterday"}, "as_of='yesterday'"),
        ({"mode": "satellite"}, "mode='satellite'"),
    ],
)
def test_a_bad_link_value_is_named_and_the_page_still_works(app, params, named):
    at = open_link(app, "overview.py", **{"mode": "alignment", **params})
    assert any(named in w for w in warnings(at)), warnings(at)
    assert at.title[0].value == "Cyber Norms Alignment Tracker"
