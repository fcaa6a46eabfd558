"""AppTest: every page of the Streamlit app, driven from app.py, asserting content.

The database is loaded once per test session into a temporary SQLite file (the first start
of the app does exactly that); each test clears Streamlit's caches so nothing leaks between
AppTest instances.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tracker.derived import DEFAULT_BLOCS, DEFAULT_RESOLUTION
from tracker.settings import REPO_ROOT
from tracker.ui import backtests
from tracker.ui.text import plain

APP = str(REPO_ROOT / "app.py")
PAGES = "tracker/ui/pages/"
TIMEOUT = 180


def open_page(at: AppTest, page: str, **params) -> AppTest:
    """Open ``page`` from a link with these query parameters (tracker.ui.state.PARAMS)."""
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGES + page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return values[0]


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def infos(at: AppTest) -> str:
    return "\n".join(i.value for i in at.info)


def charts(at: AppTest) -> list[dict]:
    """The Vega-Lite specs drawn on the page (maps and charts), with the named datasets Streamlit
    moved out of the spec (sent as Arrow tables) put back as records."""
    import json

    from streamlit import dataframe_util

    out = []
    for e in at.get("vega_lite_chart"):
        spec = json.loads(e.proto.spec)
        spec.setdefault("datasets", {})
        for ds in e.proto.datasets:
            frame = dataframe_util.convert_arrow_bytes_to_pandas_df(ds.data.data)
            spec["datasets"][ds.name] = frame.astype(object).where(frame.notna(), None).to_dict("records")
        out.append(spec)
    return out


def map_rows(spec: dict) -> list[dict]:
    """Every party row of a map spec (polygons and small-state circles)."""
    return spec["datasets"].get("parties", []) + spec["datasets"].get("small-states", [])


def table_with(at: AppTest, *columns: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert found, f"no table with columns {columns}; tables: {[list(d.value.columns) for d in at.dataframe]}"
    return found[0]


# --------------------------------------------------------------------------- overview


def test_overview_counts_and_map(app, bundled):
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Cyber Norms Alignment Tracker"
    tracked = int(bundled.coverage()["tracked"].sum())
    assert metric(at, "Instruments tracked") == f"{tracked} of {len(bundled.instruments)}"
    status = bundled.status()
    assert metric(at, "Adoptions in force") == f"{int(status['adopted'].sum()):,}"
    budapest = status[(status["instrument_id"] == "budapest-convention") & status["adopted"]]
    assert (
        f"{len(budapest)} of {len(bundled.parties)} parties in the catalogue had adopted Budapest Convention"
        in captions(at)
    )
    assert "European Union** (EUU)" in captions(at)  # the EU has no polygon: named in the side note
    assert at.session_state["overview_instrument"] == "budapest-convention"
    from tracker.catalogue.status import LEVEL_LABELS, LEVELS

    spec = charts(at)[0]
    colour = spec["layer"][1]["encoding"]["color"]
    assert colour["scale"]["domain"] == [LEVEL_LABELS[lv] for lv in LEVELS] + ["no action recorded"]
    assert spec["layer"][1]["encoding"]["opacity"]["scale"]["domain"][1].startswith("date unknown")
    bound = int((budapest["level"] == "bound").sum())
    assert f"{LEVEL_LABELS['bound']} {bound}" in captions(at)


def test_overview_map_draws_undated_rows_apart(app, bundled):
    """The instrument with the most rows without a date: those parties are marked date unknown."""
    status = bundled.status()
    undated = status[~status["date_known"].astype(bool)]
    inst = undated["instrument_id"].value_counts().index[0]
    at = app().run()
    at.selectbox(key="overview_instrument").set_value(inst).run()
    assert not at.exception
    rows = map_rows(charts(at)[0])
    marked = {r["code"] for r in rows if r["Date"].startswith("date unknown")}
    drawn = {r["code"] for r in rows}
    expected = set(undated.loc[undated["instrument_id"] == inst, "party_code"]) & drawn
    assert marked == expected and expected
    assert f"Date unknown (faded): {int((undated['instrument_id'] == inst).sum())} statuses" in captions(at)


def test_overview_date_slider_changes_the_state_of_play(app, bundled):
    from datetime import date

    at = app().run()
    at.slider(key="as_of").set_value(date(2005, 1, 1)).run()
    assert not at.exception
    then = bundled.status(date(2005, 1, 1))
    n = int(then[(then["instrument_id"] == "budapest-convention") & then["adopted"]].shape[0])
    assert (
        f"{n} of {len(bundled.parties)} parties in the catalogue had adopted Budapest Convention on 2005-01-01"
        in captions(at)
    )
    assert metric(at, "Adoptions in force") == f"{int(then['adopted'].sum()):,}"
    assert at.query_params["as_of"] == "2005-01-01"


# --------------------------------------------------------------------------- catalogue


def test_budapest_page_lists_the_parties_cat_status_reports(app, bundled):
    at = open_page(app(), "catalogue.py", item="budapest-convention")
    assert at.header[0].value == "Convention on Cybercrime"
    status = bundled.status()
    budapest = status[status["instrument_id"] == "budapest-convention"]
    assert metric(at, "bound (in force for the party)") == str(int((budapest["level"] == "bound").sum()))
    assert metric(at, "Adopted") == str(int(budapest["adopted"].sum()))
    assert metric(at, "Date unknown") == str(int((~budapest["date_known"].astype(bool)).sum()))
    undated_rows = int(
        ((bundled.adoptions["instrument_id"] == "budapest-convention") & (bundled.adoptions["date"] == "")).sum()
    )
    assert f"{undated_rows} actions without a date, counted apart" in captions(at)
    assert at.query_params["item"] == "budapest-convention"
    crosswalk = [d.value for d in at.dataframe if "relationship" in d.value.columns][0]
    assert set(crosswalk["norm"]) == {"Due process", "Human rights online"}


def test_search_two_person_rule_shows_the_norm_first(app):
    at = open_page(app(), "catalogue.py")
    at.text_input(key="catalogue_q").input("two person rule").run()
    assert not at.exception
    results = at.dataframe[0].value
    assert results.iloc[0]["id"] == "two-person-rule"
    assert results.iloc[0]["kind"] == "norm"
    assert "results for 'two person rule'" in captions(at)


def test_search_with_no_match_explains_itself(app):
    at = open_page(app(), "catalogue.py")
    at.text_input(key="catalogue_q").input("zzqqxx nothing like this").run()
    assert not at.exception
    assert "Nothing matches" in infos(at)


def test_facets_filter_the_table(app, bundled):
    at = open_page(app(), "catalogue.py")
    at.multiselect(key="facet_kind").set_value(["norm"]).run()
    table = at.dataframe[0].value
    assert set(table["kind"]) == {"norm"}
    assert len(table) == int((bundled.instruments["kind"] == "norm").sum())


def test_norm_page_maps_the_ladder_with_a_legend_in_words(app, bundled):
    from tracker import norms

    at = open_page(app(), "catalogue.py", item="two-person-rule")
    assert plain(at.header[0].value) == bundled.instruments.set_index("id").loc["two-person-rule", "name"]
    crosswalk = [d.value for d in at.dataframe if "clause_title" in d.value.columns][0]
    assert "A.5.3" in set(crosswalk["clause"]) and "AC-5" in set(crosswalk["clause"])
    spec = next(c for c in charts(at) if "Strongest evidence" in str(c["layer"][1]["encoding"]["color"]["title"]))
    legend = spec["layer"][1]["encoding"]["color"]["scale"]["domain"]
    assert legend == [
        "1 binding",
        "2 national position",
        "3 implementation",
        "4 named commitment",
        "5 consensus",
        "only qualifying or rejecting evidence",
        "none recorded",
    ]
    assert spec["layer"][1]["encoding"]["opacity"]["title"].startswith("Rejecting evidence")
    lad = norms.ladder(bundled, norm="two-person-rule")
    rows = {r["code"]: r["Commitment"] for r in map_rows(spec)}
    for row in lad.itertuples():
        if row.party_code in rows:
            assert rows[row.party_code] == (f"{row.level} {row.level_name}" if row.supported else legend[5])
    implementation = int((lad["supported"] & (lad["level"] == 3)).sum())
    assert f"3 implementation {implementation}" in captions(at)


def test_norm_page_lists_a_partys_evidence_with_quotes_and_source_links(app, bundled):
    from tracker import norms

    ev = norms.evidence(bundled, norm="gge-norm-13a", party="AUS")
    quoted = ev[ev["quote"] != ""]
    assert len(quoted)  # the Australian fact sheet is quoted in the catalogue
    at = open_page(app(), "catalogue.py", item="gge-norm-13a", party="AUS")
    assert at.selectbox(key="norm_party_gge-norm-13a").value == "AUS"
    table = table_with(at, "quote", "locator", "document", "link")
    assert len(table) == len(ev)
    assert set(quoted["quote"]) <= set(table["quote"])
    assert set(quoted["locator"]) <= set(table["locator"])
    urls = dict(zip(bundled.sources["id"], bundled.sources["url"], strict=True))
    expected = {urls[s] for s in ev["source_id"] if urls.get(s, "").startswith(("http://", "https://"))}
    assert set(table["link"]) - {""} == expected  # links to the catalogue's own source addresses only


def test_unknown_entry_in_the_link_is_explained(app):
    at = open_page(app(), "catalogue.py", item="no-such-thing")
    shown = [plain(w.value) for w in at.warning]  # shown as text: markdown escapes removed
    assert any("item='no-such-thing' was not used: there is no such catalogue entry" in w for w in shown)
    assert "item" not in at.query_params


# --------------------------------------------------------------------------- country profile


def test_country_profile_usa(app, bundled):
    from tracker import analytics

    at = open_page(app(), "country.py", party="USA")
    assert at.title[0].value == "United States"
    votes = bundled.votes.merge(bundled.resolutions[["id", "topic"]], left_on="resolution_id", right_on="id")
    cyber = votes[votes["topic"].isin(["cyber_security", "cybercrime"]) & (votes["party_code"] == "USA")]
    assert metric(at, "Cyber votes recorded") == str(int((cyber["vote"] != "absent").sum()))
    status = bundled.status()
    usa = status[(status["party_code"] == "USA") & status["adopted"]]
    tracked = int(bundled.coverage()["tracked"].sum())
    assert metric(at, "Instruments adopted") == f"{len(usa)} of {tracked}"
    vote_table = [d.value for d in at.dataframe if "series" in d.value.columns][0]
    assert "A/RES/74/247" in set(vote_table["resolution_id"])
    assert vote_table.set_index("resolution_id").loc["A/RES/74/247", "vote"] == "no"
    partners = analytics.partners(bundled, "USA", 10, topic="all")  # the analysis configuration's votes
    closest = [d.value for d in at.dataframe if "shared_instruments" in d.value.columns][0]
    assert closest["name"].tolist() == partners[partners["side"] == "strongest"]["name"].tolist()
    from tracker.analytics.readings import reading

    assert closest["reading"].tolist() == [reading(x) for x in partners[partners["side"] == "strongest"]["score"]]
    from tracker.analytics.config import AnalysisConfig

    assert AnalysisConfig().describe() in captions(at)
    axis = analytics.axis(bundled)
    assert f"Position {axis.loc['USA', 'position']:+.2f}" in "\n".join(m.value for m in at.markdown)
    from tracker.catalogue import scope

    assert metric(at, "Group memberships") == str(len(scope.memberships(bundled, "USA")))  # on today, any role


def test_country_profile_shows_a_norms_by_levels_matrix(app, bundled):
    from tracker import norms

    at = open_page(app(), "country.py", party="JPN")
    matrix = table_with(at, "norm", "1 binding", "5 consensus", "strongest", "rejecting")
    assert len(matrix) == len(norms.norm_ids(bundled))  # one row per norm concept
    ev = norms.evidence(bundled, party="JPN")
    support = ev[ev["polarity"] == "supports"]
    from tracker.catalogue.scope import instrument_labels

    labels = instrument_labels(bundled)
    lad = norms.ladder(bundled, party="JPN").set_index("norm_id")
    for norm in norms.norm_ids(bundled):
        row = matrix[matrix["norm"] == labels[norm]].iloc[0]
        for level, rung in norms.LEVEL_NAMES.items():
            n = int(((support["norm_id"] == norm) & (support["level"] == level)).sum())
            cell = row[f"{level} {rung}"]
            assert (n == 0 and pd.isna(cell)) or cell == n, (norm, level)
        if norm in lad.index and lad.loc[norm, "supported"]:
            assert row["strongest"].startswith(f"{lad.loc[norm, 'level']} {lad.loc[norm, 'level_name']}")
        else:
            assert row["strongest"] in ("none recorded", "qualifying or rejecting evidence only")
    adopted = table_with(at, "instrument", "level", "status", "since")
    assert set(adopted["level"]) <= set(__import__("tracker.catalogue.status", fromlist=["x"]).LEVEL_LABELS.values())


def test_selected_country_survives_a_page_switch_and_is_in_the_url(app):
    at = open_page(app(), "country.py", party="FRA")
    assert at.title[0].value == "France"
    assert at.query_params["party"] == "FRA"
    at.switch_page(PAGES + "gaps.py").run()
    assert at.selectbox(key="gaps_party").value == "FRA"
    assert at.query_params["party"] == "FRA"


def test_selection_is_read_from_the_link(app):
    at = open_page(app(), "compare.py", parties="DEU,bra,XXX")
    assert at.multiselect(key="compare_parties").value == ["DEU", "BRA"]  # unknown code dropped


# --------------------------------------------------------------------------- compare


def test_compare_usa_and_russia(app, bundled):
    at = open_page(app(), "compare.py", parties="USA,RUS")
    text = captions(at)
    votes = bundled.votes.merge(bundled.resolutions[["id", "topic"]], left_on="resolution_id", right_on="id")
    cyber = votes[votes["topic"].isin(["cyber_security", "cybercrime"]) & votes["party_code"].isin(["USA", "RUS"])]
    wide = (
        cyber[cyber["vote"] != "absent"]
        .pivot_table(index="resolution_id", columns="party_code", values="vote", aggfunc="first")
        .dropna()
    )
    split = int((wide["USA"] != wide["RUS"]).sum())
    assert f"{split} of {len(wide)} cyber resolutions where at least two of them cast a vote" in text
    assert split > len(wide) / 2
    from tracker import analytics

    pair = analytics.pair_alignment(bundled, "USA", "RUS", topic="all")  # the configuration's votes
    assert pair.score < 0 and pair.kappa < 0  # a low alignment...
    assert metric(at, "Combined alignment") == f"{pair.score:+.2f}"
    assert metric(at, "Vote agreement (raw)") == f"{pair.agreement:.0%}"
    assert metric(at, "Norm score") == f"{pair.norm_score:+.2f}"
    assert f"Evidence: {pair.co_votes} co-votes" in text  # ...with its evidence count
    from tracker.analytics.readings import legend_text, reading

    assert f"Reading: {reading(pair.score)} ({legend_text()})" in text


def test_compare_shows_the_norm_ladders_side_by_side(app, bundled):
    from tracker import norms

    at = open_page(app(), "compare.py", parties="USA,RUS,BRA")
    table = table_with(at, "norm", "United States (USA)", "Russian Federation (RUS)", "Brazil (BRA)")
    from tracker.catalogue.scope import instrument_labels

    lad = norms.ladder(bundled).set_index(["norm_id", "party_code"])
    labels = instrument_labels(bundled)
    assert len(table) == len(norms.norm_ids(bundled))
    for norm in norms.norm_ids(bundled):
        row = table[table["norm"] == labels[norm]].iloc[0]
        for code, column in (("USA", "United States (USA)"), ("RUS", "Russian Federation (RUS)")):
            if (norm, code) in lad.index and lad.loc[(norm, code), "supported"]:
                assert row[column].startswith(f"{lad.loc[(norm, code), 'level']} ")
            elif (norm, code) not in lad.index:
                assert row[column] == "none recorded"


def test_compare_needs_two_parties(app):
    at = open_page(app(), "compare.py", parties="USA")
    assert "Choose at least two parties" in infos(at)


def test_compare_party_and_group(app, bundled):
    at = open_page(app(), "compare.py", parties="USA")
    at.selectbox(key="compare_group").set_value("eu").run()
    assert not at.exception
    inst = [d.value for d in at.dataframe if "instrument" in d.value.columns][0]
    assert "EU: share adopted" in inst.columns
    assert at.query_params["group"] == "eu"
    assert "Against the group eu (27 current members):" in captions(at)


def test_compare_group_from_the_link(app):
    at = open_page(app(), "compare.py", parties="FRA,DEU", group="nato")
    assert at.selectbox(key="compare_group").value == "nato"


def add_rows(folder: Path, table: str, lines: list[str]) -> None:
    path = folder / f"{table}.csv"
    path.write_text(path.read_text("utf-8").rstrip("\n") + "\n" + "\n".join(lines) + "\n", "utf-8")


def test_compare_shows_the_group_majority_of_the_export_and_a_tie_as_tie(tmp_path, mini_path, monkeypatch):
    """FRA votes no and RUS yes on A/RES/74/247: a group of the two has no majority there."""
    from tracker.db import engine_for

    add_rows(mini_path, "groups", ["duo,Duo,DUO,economic,,unga-test,2024-01-01,"])
    add_rows(mini_path, "group_members", ["duo,FRA,member,2000,,unga-test,", "duo,RUS,member,2000,,unga-test,"])
    url = f"sqlite:///{tmp_path / 'duo.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_CATALOGUE", str(mini_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = open_page(AppTest.from_file(APP, default_timeout=TIMEOUT), "compare.py", parties="USA,CIV")
        at.selectbox(key="compare_group").set_value("duo").run()
        assert not at.exception, [e.value for e in at.exception]
        split = [d.value for d in at.dataframe if "DUO majority" in d.value.columns][0]
        assert split.set_index("resolution_id").at["A/RES/74/247", "DUO majority"] == "tie"
        inst = [d.value for d in at.dataframe if "DUO: share adopted" in d.value.columns][0]
        assert len(inst)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        engine_for(url).dispose()
        engine_for.cache_clear()


# --------------------------------------------------------------------------- gaps, blocs, sources


def test_gaps_usa_against_the_eu(app, bundled):
    from tracker import analytics
    from tracker.analytics.config import AnalysisConfig

    at = open_page(app(), "gaps.py", party="USA")
    assert at.select_slider(key="gaps_min_share").value == AnalysisConfig().min_share
    table = table_with(at, "instrument_id", "bloc_share")
    expected = analytics.gaps(bundled, "USA", bloc="eu")
    assert table["instrument_id"].tolist() == expected["instrument_id"].tolist()
    assert table["bloc_share"].is_monotonic_decreasing
    assert f"{len(expected)} instruments adopted by at least 30% of group eu" in captions(at)
    assert AnalysisConfig().describe() in captions(at)
    next_table = table_with(at, "party", "neighbours")  # the second tab: likely next adopters of Budapest
    expected_next = analytics.next_adopters(bundled, "budapest-convention", n=15)
    assert next_table["party"].tolist() == expected_next["party"].tolist()


def test_gaps_min_share_slider_and_norm_gaps(app, bundled):
    from tracker import analytics
    from tracker.analytics.gaps import norm_gaps

    at = open_page(app(), "gaps.py", party="KEN")
    at.selectbox(key="gaps_group").set_value("au").run()
    assert not at.exception
    table = table_with(at, "instrument_id", "bloc_share")
    assert "malabo-convention" in set(table["instrument_id"])  # Kenya against the AU shows Malabo (issue 15)
    at.select_slider(key="gaps_min_share").set_value(0.9).run()
    strict = analytics.gaps(bundled, "KEN", bloc="au", min_share=0.9)
    shown = [d.value for d in at.dataframe if "instrument_id" in d.value.columns]
    assert (shown[0]["instrument_id"].tolist() if shown else []) == strict["instrument_id"].tolist()
    assert "at least 90%" in captions(at) + infos(at)
    at.select_slider(key="gaps_min_share").set_value(0.3).run()
    at.selectbox(key="gaps_group").set_value("eu").run()
    expected = norm_gaps(bundled, "KEN", bloc="eu", min_share=0.3)
    assert len(expected)  # EU members' joint commitments above consensus that Kenya lacks
    norm_table = table_with(at, "norm_id", "bloc_usual", "party_commitment")
    assert norm_table["norm_id"].tolist() == expected["norm_id"].tolist()


def test_blocs_page_shows_blocs_swing_states_and_backtest(app, bundled):
    from tracker import analytics
    from tracker.analytics.config import AnalysisConfig

    at = open_page(app(), "blocs.py")
    result = analytics.blocs(bundled)  # the page opens on the analysis configuration's blocs
    blocs_table = [d.value for d in at.dataframe if "cohesion" in d.value.columns][0]
    assert blocs_table["label"].tolist() == result.blocs["label"].tolist()
    assert blocs_table["stability"].round(6).tolist() == result.blocs["stability"].round(6).tolist()
    assert blocs_table["uncertain_members"].tolist() == [", ".join(m) or "—" for m in result.blocs["uncertain_members"]]
    assert f"{len(result.assignments)} parties placed in {len(result.blocs)} blocs" in captions(at)
    assert AnalysisConfig().describe() in captions(at)
    spec = next(c for c in charts(at) if c["title"].startswith("Blocs"))
    faded = {r["code"] for r in map_rows(spec) if r["Placement"].startswith("uncertain")}
    drawn = {r["code"] for r in map_rows(spec)}
    assert faded == set(result.assignments.loc[result.assignments["uncertain"], "party"]) & drawn
    swing = [d.value for d in at.dataframe if "reasons" in d.value.columns][0]
    expected = analytics.swing_states(bundled)
    assert swing["party"].tolist() == expected["party"].tolist()
    assert swing["confidence"].tolist() == expected["confidence"].tolist()
    assert swing["reasons"].tolist() == [" · ".join(r) for r in expected["reasons"]]
    events = analytics.bloc_events(bundled, result=result)
    if len(events):
        shown = table_with(at, "from_vote", "to_vote", "moved")
        assert shown[["bloc", "before", "after"]].values.tolist() == events[["bloc", "before", "after"]].values.tolist()
    backtest = [d.value for d in at.dataframe if "log_loss" in d.value.columns][0]
    assert set(backtest["method"]) == {"always-yes", "last-in-series", "knn-15", "ours"}
    shipped = backtests.text("prediction backtest")  # the asset, not benchmarks/RESULTS.md
    assert shipped.startswith("## Vote prediction backtest")
    assert any(m.value == shipped for m in at.markdown)


def test_every_bloc_listed_can_be_exported(app, bundled):
    from tracker import analytics

    at = open_page(app(), "blocs.py")
    result = analytics.blocs(bundled)  # the analysis configuration's blocs, as the page opens
    prepare = sorted(b.key for b in at.button if b.key and b.key.startswith("export_bloc_"))
    assert prepare == sorted(f"export_bloc_{n}_prepare" for n in result.blocs["bloc"])
    last = int(result.blocs["bloc"].iloc[-1])
    at.button(key=f"export_bloc_{last}_prepare").click().run()
    assert not at.exception
    downloads = [d for d in at.get("download_button") if d.proto.id and f"export_bloc_{last}_" in d.proto.id]
    assert [d.proto.label for d in downloads][-1].startswith("Pack")
    label = result.blocs.set_index("bloc").loc[last, "label"]
    assert any(plain(m.value) == f"**Bloc {last} (hierarchical): {label}**" for m in at.markdown)


def test_predicted_votes_use_the_known_votes(app, bundled):
    from tracker import analytics

    at = open_page(app(), "blocs.py")
    at.multiselect(key="known_yes").set_value(["USA"]).run()
    at.multiselect(key="known_no").set_value(["RUS"]).run()
    assert not at.exception
    pred = analytics.predict_votes(bundled, "A/RES/74/247", known={"USA": "yes", "RUS": "no"})
    counts = pred["vote"].value_counts()
    for vote in ("yes", "no", "abstain"):
        assert metric(at, f"Predicted {vote}") == str(int(counts.get(vote, 0)))
    assert f"{len(pred)} parties predicted, 2 known votes given" in captions(at)
    table = [d.value for d in at.dataframe if "p_yes" in d.value.columns][0]
    assert table.set_index("code").loc["USA", "known"] == "yes"
    guessed = pred.drop(index=["USA", "RUS"])
    low = int((guessed[["p_yes", "p_no", "p_abstain"]].max(axis=1) < 0.6).sum())
    assert metric(at, "Low-confidence predictions") == str(low)


def test_predicted_votes_say_when_one_probability_is_a_rule_not_knowledge(app, bundled):
    from tracker import analytics

    at = open_page(app(), "blocs.py")  # no known votes: only the previous vote of the series speaks
    pred = analytics.predict_votes(bundled, "A/RES/74/247")
    same = pred.round(3).groupby(["p_yes", "p_no", "p_abstain"]).size().max()
    assert same > len(pred) // 4  # the situation the issue describes
    text = captions(at)
    assert f"{same} of {len(pred)} parties share the same probability" in text
    assert "not knowledge of each party" in text
    table = table_with(at, "probability", "certainty", "basis")
    assert set(table["certainty"]) <= {"high (p >= 0.8)", "medium (0.6 <= p < 0.8)", "low (p < 0.6): a guess"}
    spec = next(c for c in charts(at) if c["title"].startswith("Predicted votes"))
    assert spec["layer"][1]["encoding"]["opacity"]["title"] == "Confidence of the prediction"


def test_sources_page_shows_the_quality_tables(app, bundled):
    from tracker import norms, quality
    from tracker.catalogue.status import LEVEL_LABELS

    at = open_page(app(), "sources.py")
    missing = quality.un_members_without_action(bundled)
    assert f"{len(missing)} of {int(bundled.parties['un_member'].sum())} UN Member States have no adoption row" in (
        captions(at)
    )
    if missing:
        assert table_with(at, "party", "code")["code"].tolist() == missing
    per = table_with(at, "instrument_id", "undated", "secondary_%")
    expected = quality.instrument_quality(bundled)
    assert per["instrument_id"].tolist() == expected["instrument_id"].tolist()
    assert per[LEVEL_LABELS["bound"]].tolist() == expected["bound"].tolist()
    assert per["undated"].tolist() == expected["undated"].tolist()
    counts = table_with(at, "norm_id", "binding", "consensus", "rejecting")
    pd.testing.assert_frame_equal(counts.reset_index(drop=True), norms.counts(bundled), check_dtype=False)
    untracked = quality.untracked_instruments(bundled)
    assert f"{len(untracked)} catalogued instruments (norm concepts aside) have no adoption row" in captions(at)


def test_sources_page(app, bundled):
    at = open_page(app(), "sources.py")
    assert metric(at, "Sources cited") == str(len(bundled.sources))
    assert re.search(
        rf"{int(bundled.coverage()['tracked'].sum())} of {len(bundled.instruments)} instruments have "
        "adoption data",
        captions(at),
    )
    assert "CC-BY-4.0" in "\n".join(plain(m.value) for m in at.markdown)
    at.text_input(key="sources_filter").input("no source is called this").run()
    assert "No source matches" in infos(at)


def test_overview_alignment_map(app, bundled):
    from tracker import analytics

    at = open_page(app(), "overview.py", party="FRA", mode="alignment")  # a link to the alignment map
    assert not at.exception
    m = analytics.alignment(bundled, basis="votes", topic="all")  # the analysis configuration's votes
    n = int(m.loc["FRA"].drop("FRA").notna().sum())
    assert f"{n} parties with enough evidence" in captions(at)
    from tracker.analytics.readings import legend, legend_text, reading

    spec = charts(at)[0]
    domain = spec["layer"][1]["encoding"]["color"]["scale"]["domain"]
    assert [d.split(" (")[0] for d in domain] == [r for r, _lo, _hi in legend()] + ["not enough evidence"]
    assert legend_text() in captions(at)  # the caption and the legend come from one definition
    assert "blue = aligned" not in captions(at)
    rows = {r["code"]: r["Reading"] for r in map_rows(spec)}
    assert rows["DEU"].startswith(reading(m.loc["FRA", "DEU"]))


def test_historical_alignment_says_how_many_undated_rows_it_used(app, bundled):
    from datetime import date

    from tracker import analytics

    at = open_page(app(), "overview.py", party="FRA", mode="alignment", basis="combined", as_of="2015-06-30")
    assert not at.exception
    settings = analytics.alignment_tables(bundled, as_of=date(2015, 6, 30)).settings
    assert settings["undated_rows"] > 0
    assert f"used {settings['undated_rows']} rows without a known date" in captions(at)
    assert f"{settings['undated_after_as_of']} of them confirmed by their source only after 2015-06-30" in captions(at)


def test_country_brief_export_offers_every_format(app):
    at = open_page(app(), "country.py", party="CIV")
    at.button(key="export_brief_prepare").click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["CSV", "XLSX", "JSON", "MD", "PDF", "Pack: PDF + XLSX + JSON (ZIP)"]
    assert "neutralise" in captions(at)


def test_export_formats_offered_are_the_export_modules():
    from tracker import export
    from tracker.ui import components

    assert components.EXPORT_FORMATS == export.FORMATS


def test_every_page_says_how_it_answers_its_question(app):
    from tracker.ui.help import PAGE_HELP

    pages = ["overview", "catalogue", "country", "compare", "blocs", "gaps", "sources", "curation"]
    assert sorted(PAGE_HELP) == sorted(pages)
    for page in pages:
        at = open_page(app(), f"{page}.py")
        shown = [e for e in at.expander if e.label == "How this page answers its question"]
        assert len(shown) == 1, page
        assert PAGE_HELP[page] in [m.value for m in shown[0].markdown], page


# --------------------------------------------------------------------------- restart cache


def test_a_restart_reads_the_catalogue_copy_and_ignores_a_damaged_one(app, bundled):
    from tracker.ui import cache

    folder = Path(os.environ["XDG_CACHE_HOME"]) / "cyber-norms-tracker"
    at = app().run()
    assert not at.exception
    mine = cache.disk_cache(*cache._state())
    copies = [p for p in folder.glob("catalogue-*.pickle") if f"-{mine.database}-" in p.name]
    assert copies == [mine.path("catalogue")]  # written on the first read from the database
    copies[0].write_bytes(b"not a pickle")  # a damaged copy must not break the next start
    st.cache_resource.clear()
    st.cache_data.clear()
    again = app().run()
    assert not again.exception
    assert metric(again, "Adoptions in force") == f"{int(bundled.status()['adopted'].sum()):,}"
    assert copies[0].read_bytes() != b"not a pickle"  # rewritten from the database


# --------------------------------------------------------------------------- analytics kept on disk

HEAVY = ("alignment_tables", "blocs", "axis", "swing_states", "predict_votes", "run_backtest")


def cached_results(version: str) -> dict:
    from tracker.ui import cache

    return {
        "partners": cache.partners(version, "USA", "cyber"),
        "partners_all": cache.partners(version, "IND", "all"),
        "blocs": cache.blocs(version, *DEFAULT_BLOCS),
        "axis": cache.axis(version),
        "swing": cache.swing_states(version),
        "predict": cache.predict_votes(version, DEFAULT_RESOLUTION, ()),
        "backtest": cache.backtest_one(version, DEFAULT_RESOLUTION),
    }


def assert_same(a, b) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        assert a.attrs == b.attrs
    else:  # BlocResult
        pd.testing.assert_frame_equal(a.assignments, b.assignments)
        pd.testing.assert_frame_equal(a.blocs, b.blocs)
        pd.testing.assert_frame_equal(a.between, b.between)
        assert (a.excluded, a.details) == (b.excluded, b.details)


def test_analytics_from_the_disk_cache_equal_a_direct_computation(app, bundled, monkeypatch):
    from tracker import analytics
    from tracker.ui import cache

    cat = cache.get_catalogue()
    direct = {
        "partners": analytics.partners(bundled, "USA", 10, topic="cyber"),
        "partners_all": analytics.partners(bundled, "IND", 10, topic="all"),
        "blocs": analytics.blocs(bundled),
        "axis": analytics.axis(bundled, topic="cyber"),
        "swing": analytics.swing_states(bundled),
        "predict": analytics.predict_votes(bundled, DEFAULT_RESOLUTION),
        "backtest": analytics.run_backtest(bundled, resolutions=[DEFAULT_RESOLUTION], seeds=range(5)).summary,
    }
    first = cached_results(cat.version)
    # a restart: empty in-memory caches, and the heavy analytics must not run again
    st.cache_data.clear()
    st.cache_resource.clear()
    for name in HEAVY:
        monkeypatch.setattr(analytics, name, lambda *a, _n=name, **k: pytest.fail(f"{_n} recomputed"))
    again = cached_results(cache.get_catalogue().version)
    for key, value in direct.items():
        assert_same(first[key], value)
        assert_same(again[key], value)


def test_a_damaged_analytics_file_is_recomputed(app):
    from tracker.ui import cache

    version = cache.get_catalogue().version
    expected = cache.swing_states(version)
    disk = cache.disk_cache(*cache._state())
    path = disk.path("swing_states")
    assert path.exists()
    path.write_bytes(b"\x80\x05 broken")
    st.cache_data.clear()
    pd.testing.assert_frame_equal(cache.swing_states(version), expected)
    found, value = disk.load("swing_states")  # rewritten
    assert found
    pd.testing.assert_frame_equal(value, expected)


@pytest.fixture
def mini_app(tmp_path, mini_path, monkeypatch):
    from tracker.db import engine_for

    url = f"sqlite:///{tmp_path / 'mini.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_CATALOGUE", str(mini_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_data.clear()
    st.cache_resource.clear()
    engine_for(url).dispose()
    engine_for.cache_clear()


def test_an_approved_edit_gives_a_new_catalogue_and_recomputes_the_analytics(mini_app, monkeypatch, tmp_path):
    from tests.curation_users import ALICE, BOB, install_users
    from tracker import analytics, curation
    from tracker.db import session_scope
    from tracker.sync import catalogue_from_database
    from tracker.ui import cache

    calls = []
    real = analytics.axis
    monkeypatch.setattr(analytics, "axis", lambda cat, **k: calls.append(cat.version) or real(cat, **k))
    before = cache.get_catalogue()
    first = cache.axis(before.version)
    st.cache_data.clear()
    st.cache_resource.clear()
    assert cache.axis(cache.get_catalogue().version).equals(first) and len(calls) == 1  # read back

    key = {
        "instrument_id": "budapest-convention",
        "party_code": "FRA",
        "action": "ratified",
        "role": "",
        "date": "2006-01-10",
    }
    with session_scope() as session:
        edit = curation.make_change(session, "adoptions", key, {"date": "2006-01-11"})
    install_users(tmp_path, monkeypatch)  # every curation write re-reads the acting user's role
    pid = curation.propose(ALICE, [edit], reason="chart", source_id="coe-chart-185")
    curation.review(BOB, pid, approve=True)

    after = cache.get_catalogue()  # no cache clearing: the approval alone must show
    assert after.version != before.version
    assert "2006-01-11" in set(after.adoptions["date"])
    pd.testing.assert_frame_equal(after.adoptions, catalogue_from_database().adoptions)
    cache.axis(after.version)
    assert calls == [before.version, after.version]  # computed again for the new catalogue
    st.cache_data.clear()
    st.cache_resource.clear()
    cache.axis(cache.get_catalogue().version)
    assert len(calls) == 2  # and that result is the one a restart reads back
    disk = cache.disk_cache(*cache._state())
    keys = {p.stem.split("-")[2] for p in disk.folder.glob(f"*-{disk.database}-*.pickle")}
    assert keys == {disk.key}  # the files of the state before the approval are gone


def test_the_first_page_loads_no_chart_library_scipy_or_alembic(app_database, monkeypatch):
    """The overview is what a start serves first: its imports are part of every first page."""
    import subprocess
    import sys

    from tracker.ui import cache

    monkeypatch.setenv("DATABASE_URL", app_database)
    st.cache_resource.clear()
    cache.get_catalogue()  # the catalogue copy on disk, as after any earlier start
    code = (
        "import sys\nfrom streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT}).run()\n"
        "assert not at.exception, at.exception\n"
        "print(sorted(m for m in ('altair', 'scipy', 'networkx', 'alembic', 'sqlmodel', 'tracker.models')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "DATABASE_URL": app_database, "TRACKER_WARM_UP": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=TIMEOUT
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_map_spec_is_plain_json_with_its_data_and_geometry_inline(bundled):
    import json

    from tracker.ui import maps

    topology = maps.load_topology()
    geo = maps.party_geo(bundled.parties, topology, maps.load_small_state_points())
    frame = bundled.parties[["code"]].assign(score=[None if c == "FRA" else 0.25 for c in bundled.parties["code"]])
    spec = maps.world_map(
        frame,
        geo=geo,
        topology=topology,
        names=bundled.party_names(),
        color="score",
        title="t",
        legend_title="kappa",
        quantitative=True,
        scheme="blueorange",
        domain=[-1, 1],
    )
    text = json.dumps(spec, allow_nan=False)  # a missing value is null, never NaN
    assert "url" not in text and text.count("https://") == 1  # only the $schema name: nothing is fetched
    polys, points = spec["datasets"]["parties"], spec["datasets"]["small-states"]
    assert {r["code"] for r in polys} == set(geo.loc[geo["drawn"] == "polygon", "code"])
    assert {r["code"] for r in points} == set(geo.loc[geo["drawn"] == "point", "code"])
    assert next(r for r in polys if r["code"] == "FRA")["score"] is None
    assert next(r for r in polys if r["code"] == "DEU")["name"] == "Germany"  # names filled in from the catalogue
    topo_ids = {g.get("id") for g in spec["datasets"][maps.WORLD_DATASET]["objects"]["countries"]["geometries"]}
    assert {r["geo_id"] for r in polys} <= topo_ids
    assert maps.KOSOVO_GEO_ID in topo_ids and not maps.DROPPED_GEOMETRIES & topo_ids
    lookup = spec["layer"][1]["transform"][0]
    assert lookup["from"]["data"]["name"] == "parties" and lookup["lookup"] == "id"
    assert maps.shapeless(geo) >= {"EUU"}  # the EU has no polygon: listed under the map


def test_the_warm_up_puts_the_opening_analytics_on_disk(mini_app, monkeypatch):
    from tracker.derived import OPENING
    from tracker.ui import cache

    cat = cache.get_catalogue()  # the start that loaded the tiny catalogue prepared its files
    disk = cache.disk_cache(*cache._state())
    for f in disk.folder.glob(f"derived-{disk.database}-*.pickle"):
        f.unlink()  # as after an approved edit: nothing on disk for this state yet
    monkeypatch.setattr(cache.time, "sleep", lambda _s: None)
    cache.warm_up(*cache._state()).join(timeout=120)
    on_disk = {(name, args) for name, args in OPENING if disk.load(name, args)[0]}
    assert ("axis", ("cyber",)) in on_disk and ("alignment_tables", ("all",)) in on_disk
    assert cat.version == cache.get_catalogue().version


# --------------------------------------------------------------------------- house rules of the UI


def test_the_pure_ui_modules_do_not_import_streamlit():
    import subprocess
    import sys

    code = "import sys, tracker.ui.maps, tracker.ui.backtests\nprint('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert out.stdout.strip() == "False"


def ui_imports() -> dict[str, set[str]]:
    """tracker.ui module -> the tracker.ui modules it imports anywhere (inside functions too)."""
    import ast

    root = REPO_ROOT / "tracker" / "ui"
    graph: dict[str, set[str]] = {}
    for path in root.glob("*.py"):
        name = f"tracker.ui.{path.stem}"
        found = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {m for m in found if m.startswith("tracker.ui.") and m != name and m.count(".") == 2}
    return graph


def test_the_ui_modules_have_no_import_cycle():
    graph = ui_imports()
    assert "tracker.ui.components" in graph["tracker.ui.views"]  # the walk sees imports (not vacuous)
    assert not graph["tracker.ui.maps"] and not graph["tracker.ui.backtests"]
    seen: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in seen:
            return
        for dep in sorted(graph.get(module, ())):
            visit(dep, (*path, module))
        seen.add(module)

    for module in graph:
        visit(module, ())


def test_the_backtest_summary_is_shipped_and_matches_the_benchmark_results():
    assert backtests.ASSET.is_relative_to(REPO_ROOT / "tracker" / "ui" / "assets")  # package data
    shipped = backtests.ASSET.read_text("utf-8")
    assert shipped.startswith(f"## {backtests.RESULTS_SECTION}")
    assert backtests.text("next adopters").startswith("### Next adopters")
    results = REPO_ROOT / "benchmarks" / "RESULTS.md"  # the test may read it; the app may not
    assert shipped.strip() == backtests.section(results.read_text("utf-8"), backtests.RESULTS_SECTION), (
        "run benchmarks/backtest.py (it rewrites both) or tracker.ui.backtests.write_asset"
    )


def test_the_app_never_opens_a_file_under_benchmarks(app_database):
    """The pages that show backtest results, run with every file opened recorded (audit hook)."""
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "opened = []\n"
        "def hook(event, args):\n"
        "    if event == 'open' and isinstance(args[0], (str, bytes, os.PathLike)):\n"
        "        opened.append(os.fsdecode(os.fspath(args[0])))\n"
        "sys.addaudithook(hook)\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT}).run()\n"
        "for page in ('blocs.py', 'gaps.py'):\n"
        f"    at.switch_page({PAGES!r} + page).run()\n"
        "    assert not at.exception, at.exception\n"
        f"print([p for p in opened if {str(REPO_ROOT / 'benchmarks')!r} in os.path.abspath(p)])\n"
        "print(any(p.endswith('backtests.md') for p in opened))\n"
    )
    env = {**os.environ, "DATABASE_URL": app_database, "TRACKER_WARM_UP": "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=TIMEOUT
    )
    assert out.returncode == 0, out.stderr[-2000:]
    benchmarks, asset = out.stdout.strip().splitlines()[-2:]
    assert benchmarks == "[]"
    assert asset == "True"  # the hook saw the shipped summary being read


def test_catalogue_text_in_a_caption_is_shown_as_written():
    """Names and quotes inside a caption never become a link, an image or markup."""
    from tracker.ui.text import md, plain
    from tracker.ui.views import safe_link

    hostile = "Evil [click](javascript:alert(1)) ![x](http://tracker.example/x.png) **bold** <b>"
    text = md(hostile)
    for piece in ("](", "![", "**", "<b>"):
        assert piece not in text
    assert plain(text) == hostile  # every character is still there
    assert safe_link("javascript:alert(1)") == "" and safe_link("https://example.org/a") == "https://example.org/a"
