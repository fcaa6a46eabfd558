"""Search: quality on the query sets, ranking rules, word coverage, filters, bad input, CLI."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.fixtures import make_catalogue
from tests.search_fixture import search_catalogue
from tracker import cli
from tracker.cli import common as cli_common
from tracker.parties import UnknownParty
from tracker.search import KINDS, Hit, SearchIndex, prepare, prepare_many
from tracker.search_terms import kind_words, query_terms

QUERIES = Path(__file__).with_name("search_queries.csv")
PHRASES = Path(__file__).with_name("search_phrases.csv")


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(search_catalogue())


def query_set(path: Path = QUERIES) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bundled_index(bundled) -> SearchIndex:
    return SearchIndex(bundled)


def top1_and_mrr(index: SearchIndex, rows: list[dict]) -> tuple[float, float, list]:
    """Top-1 accuracy and MRR@10 of ``rows`` (query, expected_id, expected_kind), with the misses."""
    top1, reciprocal, misses = 0, 0.0, []
    for r in rows:
        found = [(h.id, h.kind) for h in index.search(r["query"], limit=10)]
        want = (r["expected_id"], r["expected_kind"])
        if want in found:
            rank = found.index(want) + 1
            reciprocal += 1 / rank
            top1 += rank == 1
        if not found or found[0] != want:
            misses.append((r["query"], r["expected_id"], found[:3]))
    return top1 / len(rows), reciprocal / len(rows), misses


def top(index, query, **kw) -> Hit:
    hits = index.search(query, **kw)
    assert hits, f"no hit for {query!r}"
    return hits[0]


# --------------------------------------------------------------------------- the query set


def test_query_set_is_large_varied_and_points_at_real_entries(index):
    rows = query_set()
    assert len(rows) >= 150
    assert len({r["query"] for r in rows}) == len(rows), "a query is listed twice"
    assert {r["expected_kind"] for r in rows} == set(KINDS)
    known = dict(zip(index.ids, index.kinds, strict=True))
    for r in rows:
        assert known.get(r["expected_id"]) == r["expected_kind"], r


def test_query_set_top1_and_mrr(index):
    top1, mrr, misses = top1_and_mrr(index, query_set())
    assert top1 >= 0.95, misses
    assert mrr >= 0.97, misses


def test_query_set_on_the_bundled_catalogue(bundled_index):
    """The same queries against the real catalogue, for every expected entry it holds."""
    known = dict(zip(bundled_index.ids, bundled_index.kinds, strict=True))
    rows = [r for r in query_set() if known.get(r["expected_id"]) == r["expected_kind"]]
    assert len(rows) >= 200
    top1, mrr, misses = top1_and_mrr(bundled_index, rows)
    assert top1 >= 0.95, misses
    assert mrr >= 0.97, misses


# --------------------------------------------------------------------------- the phrase set


def test_phrase_set_is_large_varied_and_points_at_real_entries(bundled_index):
    rows = query_set(PHRASES)
    assert len(rows) >= 150
    assert len({prepare(r["query"]) for r in rows}) == len(rows), "a query is listed twice"
    assert all(len(r["query"].split()) >= 2 for r in rows), "a phrase has at least two words"
    kinds = [r["expected_kind"] for r in rows]
    assert set(kinds) == set(KINDS)
    assert all(kinds.count(k) >= 5 for k in KINDS), "every kind of entry is asked for"
    known = dict(zip(bundled_index.ids, bundled_index.kinds, strict=True))
    assert [r for r in rows if known.get(r["expected_id"]) != r["expected_kind"]] == []


def test_phrase_set_is_not_the_catalogues_own_names(bundled_index):
    """Phrases are written as people type them: hardly ever a name or alias of the entry as it stands."""
    idx = bundled_index
    texts: dict[str, set[str]] = {}
    for entry, key in zip(idx._f_entry, idx._f_key, strict=True):
        texts.setdefault(idx.ids[entry], set()).add(key)
    rows = query_set(PHRASES)
    verbatim = [r["query"] for r in rows if prepare(r["query"]) in texts[r["expected_id"]]]
    assert len(verbatim) <= 0.05 * len(rows), verbatim


def test_phrase_set_top1_on_the_bundled_catalogue(bundled_index):
    """Multi-word queries a diplomat types (place, body, subject, kind) find the right entry first."""
    top1, mrr, misses = top1_and_mrr(bundled_index, query_set(PHRASES))
    assert top1 >= 0.95, misses
    assert mrr >= 0.97, misses


# --------------------------------------------------------------------------- known traps


@pytest.mark.parametrize(
    ("query", "expected", "never"),
    [
        ("Ivory Coast", "CIV", "HRV"),
        ("ivory cost", "CIV", "HRV"),
        ("Republic of Korea", "KOR", "PRK"),
        ("republic of koera", "KOR", "PRK"),
        ("Kosovo", "XKX", "SRB"),
        ("Kosvo", "XKX", "SRB"),
        ("Czech Republic", "CZE", "SVK"),
        ("Turkey", "TUR", "TKM"),
        ("DPRK", "PRK", "KOR"),
    ],
)
def test_country_traps(index, query, expected, never):
    hits = index.search(query, kind="party")
    assert hits[0].id == expected
    assert never not in [h.id for h in hits[:1]]


def test_fuzzy_search_never_changes_party_resolution(index):
    # search only suggests; the identity code still refuses to assign fuzzy names
    from tracker.parties import PartyResolver

    resolver = PartyResolver(search_catalogue())
    assert resolver.resolve("Ivory Coast") == "CIV"
    assert resolver.resolve("ivory cost") is None
    assert index.search("ivory cost")[0].id == "CIV"


# --------------------------------------------------------------------------- ranking rules


def test_exact_then_prefix_then_fuzzy(index):
    hits = index.search("convention 108", limit=10)
    assert [h.id for h in hits[:2]] == ["convention-108", "convention-108-plus"]
    assert hits[0].score == 100.0
    assert 90 <= hits[1].score < 100
    assert all(h.score < 90 for h in hits[2:])
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_plus_sign_is_not_dropped(index):
    assert top(index, "108+").id == "convention-108-plus"
    assert top(index, "108").id != "convention-108-plus"


def test_short_text_inside_a_long_query_is_not_flattered(index):
    # "CRI" is a substring of "cybercrime"; it must not score like a match
    hits = {h.id: h for h in index.search("cybercrime convention", limit=20)}
    assert "counter-ransomware-initiative" not in hits or hits["counter-ransomware-initiative"].score < 70


def test_one_word_query_does_not_put_a_description_first():
    cat = make_catalogue(
        instruments=[
            {
                "id": "aaa",
                "name": "Long Named Agreement",
                "short_name": "LNA",
                "description": "A very long description that mentions Budapest, cybercrime, ransomware, "
                "evidence, "
                "privacy, security and many other words a diplomat might type " * 3,
            },
            {
                "id": "budapest-convention",
                "name": "Convention on Cybercrime",
                "short_name": "Budapest Convention",
            },
        ]
    )
    idx = SearchIndex(cat)
    for query in ("budapest", "cybercrime"):
        hits = idx.search(query)
        assert hits[0].id == "budapest-convention", query
        weak = [h for h in hits if h.id == "aaa"]
        assert weak and weak[0].via == "description word" and weak[0].score <= 50
    # a word found only in a description is still found, weakly
    hit = top(idx, "ransomware")
    assert (hit.id, hit.via, hit.matched) == ("aaa", "description word", "ransomware")


def test_hit_is_small_and_frozen(index):
    hit = top(index, "wassenar")
    assert (hit.id, hit.kind, hit.matched) == ("wassenaar-arrangement", "instrument", "Wassenaar")
    assert hit.name.startswith("Wassenaar Arrangement")
    assert 0 < hit.score < 90
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.score = 1  # type: ignore[misc]
    assert set(hit.as_dict()) == {"id", "kind", "name", "score", "matched", "via"}


def test_matched_says_what_matched(index):
    assert (top(index, "ETS 185").matched, top(index, "ETS 185").via) == ("ETS 185", "treaty number")
    assert top(index, "ccra").via == "short name"
    assert top(index, "dual control").via == "synonym"
    clause = top(index, "A.5.3")
    assert (clause.id, clause.kind, clause.via) == ("iso-iec-27001#A.5.3", "clause", "clause id")
    assert clause.name == "ISO/IEC 27001 A.5.3 Segregation of duties"
    assert top(index, "res 74/247").via == "symbol"


def test_norm_outranks_a_clause_with_the_same_words(index):
    hits = index.search("separation of duties")
    assert hits[0].id == "two-person-rule" and hits[0].kind == "norm"
    assert "nist-sp-800-53#AC-5" in [h.id for h in hits]


def test_diacritics_and_case_fold_the_same(index):
    assert prepare("Côte d’Ivoire") == prepare("cote d'ivoire") == "cote d ivoire"
    assert top(index, "TÜRKIYE").id == top(index, "turkiye").id == "TUR"


# --------------------------------------------------------------------------- phrases (word coverage)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the examples of issue 16, each of which ranked the wrong entry first
        ("budapest cybercrime", "budapest-convention"),
        ("council of europe cybercrime treaty", "budapest-convention"),
        ("un cybercrime treaty", "un-cybercrime-convention"),
        ("african union cyber security convention", "malabo-convention"),
        ("council of europe ai treaty", "coe-ai-convention"),
        ("isms standard", "iso-iec-27001"),
        ("four eyes principle", "two-person-rule"),
        ("export controls dual use", "wassenaar-arrangement"),
        ("do not attack critical infrastructure", "gge-norm-13f"),
        ("responsible vulnerability disclosure", "gge-norm-13j"),
        ("2019 cybercrime resolution", "A/RES/74/247"),
        ("2018 cybercrime resolution", "A/RES/73/187"),
    ],
)
def test_issue_phrases_find_the_right_entry_first(bundled_index, query, expected):
    assert top(bundled_index, query).id == expected


def test_a_protocol_ranks_below_its_convention_for_the_conventions_words(bundled_index):
    ranked = [h.id for h in bundled_index.search("budapest cybercrime")]
    assert ranked[0] == "budapest-convention"
    assert ranked.index("budapest-protocol-2") > 0 and ranked.index("budapest-protocol-1") > 0


def body_groups(cat) -> list[tuple[str, str, str]]:
    """(group name, kind word, instrument id) for each top-level instrument whose body names a group."""
    out = []
    inst = cat.instruments
    for g_name in cat.groups["name"]:
        for iid, kind, body, parent in zip(inst["id"], inst["kind"], inst["body"], inst["parent_id"], strict=True):
            if kind != "norm" and not parent and f" {prepare(g_name)} " in f" {prepare(body)} ":
                out.append((g_name, kind_words(kind).split()[0], iid))
    return out


def test_an_instrument_outranks_a_group_when_the_query_names_a_kind(bundled, bundled_index):
    """ "<group> <kind of instrument>" finds an instrument of that body; the group's name alone finds the group."""
    cases = body_groups(bundled)
    assert {g for g, _, _ in cases} >= {"African Union", "Council of Europe", "Shanghai Cooperation Organisation"}
    bodies = dict(zip(bundled.instruments["id"], bundled.instruments["body"], strict=True))
    for group, word, _ in cases:
        hit = top(bundled_index, f"{group} {word}")
        assert hit.kind == "instrument", (group, word, hit)
        assert prepare(group) in prepare(bodies[hit.id]), (group, word, hit)
        alone = bundled_index.search(group)
        rank = next(i for i, h in enumerate(alone) if (h.kind, h.name) == ("group", group))
        assert rank == 0 or {h.kind for h in alone[:rank]} == {"party"}, alone  # "European Union" is both


def test_a_group_named_with_members_is_the_group(bundled_index):
    for query, expected in [("african union member states", "au"), ("council of europe member states", "coe")]:
        hit = top(bundled_index, query)
        assert (hit.id, hit.kind) == (expected, "group"), query


def test_a_resolution_is_found_by_year_and_topic(bundled, bundled_index):
    """ "<year> cybercrime resolution" is that year's resolution on the topic, for every such year."""
    res = bundled.resolutions[bundled.resolutions["topic"] == "cybercrime"]
    years = pd.to_datetime(res["date"]).dt.year
    for year, rid in zip(years, res["id"], strict=True):
        if (years == year).sum() == 1:
            assert top(bundled_index, f"{year} cybercrime resolution").id == rid, year


def test_coverage_hits_say_where_the_words_are(bundled_index):
    hit = top(bundled_index, "council of europe cybercrime treaty")
    assert hit.via.startswith("words in ")
    assert {"name", "body", "kind"} <= set(hit.via.removeprefix("words in ").split(", "))
    assert hit.matched in ("Cybercrime Convention", "Convention on Cybercrime")
    year = top(bundled_index, "2019 cybercrime resolution")
    assert {"topic", "kind", "year"} <= set(year.via.removeprefix("words in ").split(", "))


def test_a_norm_ranks_before_the_clause_that_states_it(bundled_index):
    hits = bundled_index.search("do not damage critical infrastructure")
    assert [h.id for h in hits[:2]] == ["gge-norm-13f", "un-gge-2015-report#para 13(f)"]
    assert hits[0].score == hits[1].score  # the same words; the norm wins the tie


def coverage_catalogue():
    return make_catalogue(
        instruments=[
            {"id": "alpha", "name": "Alpha Agreement on Widgets", "kind": "treaty", "body": "Widget Council"},
            {"id": "beta", "name": "Beta Convention on Gadgets", "kind": "treaty", "body": "Gadget Union"},
            {"id": "gamma", "name": "Gamma Standard for Gadgets", "kind": "standard", "body": "Gadget Union"},
            {"id": "delta", "name": "Artificial Intelligence Code", "kind": "code_of_practice", "body": "AI Forum"},
            {"id": "epsilon", "name": "GU Declaration on Sprockets", "kind": "declaration", "body": "Sprocket Board"},
        ],
        groups=[{"id": "gu", "name": "Gadget Union", "short_name": "GU"}],
    )


def test_word_coverage_rules_on_a_small_catalogue():
    idx = SearchIndex(coverage_catalogue())
    # a synonym of the kind (treaty = convention), the body and a plural
    assert top(idx, "gadget union treaties").id == "beta"
    # the kind word decides between two instruments of one body ...
    assert top(idx, "gadget union standard").id == "gamma"
    # ... and the group alone is the group
    assert top(idx, "gadget union").id == "gu"
    # a phrase and its abbreviation are one term; a kind not in the vocabulary is named by its own words
    assert top(idx, "ai code of practice").id == "delta"
    assert top(idx, "artificial intelligence code").id == "delta"
    # a typo in one word of several
    assert top(idx, "widget councel agreement").id == "alpha"
    # a group's name and its short name are one term (from the catalogue's groups)
    assert top(idx, "gadget union declaration").id == "epsilon"
    assert top(idx, "gu standard").id == "gamma"


def test_a_word_nothing_holds_counts_against_every_entry():
    """ "Omega Agreement" names no entry: the kind word alone must not make every treaty a near match."""
    idx = SearchIndex(coverage_catalogue())
    hits = idx.search("omega agreement")
    assert hits and all(h.score < 60 for h in hits)
    assert top(idx, "alpha agreement").id == "alpha"


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("council of europe cybercrime treaty", ["coe", "cybercrime", "treaty"]),
        ("Convention against Cyber Crime", ["treaty", "cybercrime"]),
        ("isms standards", ["ism", "standard"]),
        ("information security management systems", ["ism"]),
        ("dual authorisation", ["dual", "authorization"]),
        ("responsible state behaviour", ["responsible", "state", "behavior"]),
        ("information technology offences", ["cybercrime"]),
        ("U.S. declaration", ["us", "declaration"]),
        ("the people's republic", ["people", "republic"]),
        ("ETS 185", ["ets", "185"]),
    ],
)
def test_query_terms(text, terms):
    assert query_terms(prepare(text)) == terms


# --------------------------------------------------------------------------- filters


def test_kind_filter(index):
    norms = index.search("security", kind="norm", limit=20)
    assert norms and {h.kind for h in norms} == {"norm"}
    both = index.search("27001", kind=["clause", "instrument"], limit=20)
    assert {h.kind for h in both} == {"clause", "instrument"}
    # the only good match is a party, so nothing of another kind is made up
    assert all(h.score < 90 for h in index.search("Ivory Coast", kind="instrument"))
    assert index.search("Ivory Coast", kind="party")[0].id == "CIV"


def test_attribute_filters(index):
    cat = search_catalogue()
    attrs = cat.instruments.set_index("id")

    def instrument(hit):
        return attrs.loc[hit.id.split("#")[0]]

    values = index.search("convention", pillar="values", limit=50)
    assert values and all(h.kind in ("instrument", "norm", "clause") for h in values)
    assert all(instrument(h)["pillar"] == "values" for h in values)
    sovereign = index.search("convention", stance="sovereign", limit=50)
    assert {"un-cybercrime-convention", "arab-cybercrime-convention"} <= {h.id for h in sovereign}
    assert all(instrument(h)["stance"] == "sovereign" for h in sovereign)
    privacy = {h.id for h in index.search("convention", value_cluster="privacy", limit=50)}
    assert "convention-108" in privacy and "budapest-convention" not in privacy
    coe = {h.id for h in index.search("convention", body="council of europe", limit=50)}
    assert "budapest-convention" in coe and "un-cybercrime-convention" not in coe


def test_adopted_by_filter(index):
    hits = {h.id for h in index.search("convention", adopted_by="France", limit=50)}
    assert {"budapest-convention", "convention-108"} <= hits
    assert "un-cybercrime-convention" not in hits
    # a norm carried by an adopted standard, and that standard's clause
    derived = {h.id for h in index.search("segregation of duties", adopted_by="FRA", limit=50)}
    assert {"two-person-rule", "iso-iec-27001#A.5.3"} <= derived
    assert "nist-sp-800-53#AC-5" not in derived
    # a signature alone is not adoption
    assert index.search("UN Cybercrime Convention", adopted_by="Russia") == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "treaty"}, "unknown kind"),
        ({"kind": []}, "unknown kind"),
        ({"pillar": "money"}, "unknown pillar"),
        ({"stance": "closed"}, "unknown stance"),
        ({"value_cluster": "speed"}, "unknown value cluster"),
        ({"body": "  "}, "empty body"),
        ({"limit": 0}, "limit must be a positive integer"),
        ({"limit": -3}, "limit must be a positive integer"),
        ({"limit": "5"}, "limit must be a positive integer"),
        ({"limit": True}, "limit must be a positive integer"),
    ],
)
def test_bad_arguments_raise_one_clear_error(index, kwargs, message):
    with pytest.raises(ValueError, match=message):
        index.search("budapest", **kwargs)


def test_unknown_adopting_party_names_candidates(index):
    with pytest.raises(UnknownParty, match="did you mean.*CIV"):
        index.search("budapest", adopted_by="Ivory Cost")


# --------------------------------------------------------------------------- bad input

BAD_QUERIES = [
    "",
    "   ",
    "\t\n",
    "x" * 10_000,
    "budapest " * 2_000,
    "\x00\x01\x1b[31m\x7f",
    "😀🔥🇫🇷",
    "مرحبا بالعالم",
    "שלום עולם",
    "\u202ebudapest\u202c",
    "'; DROP TABLE parties; --",
    ".*+?[](){}|^$\\",
    "%_%",
    "A/RES/",
    "/",
    "+",
    "#",
    "ﬁ",
    "\ud7ff",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_queries_return_a_list(index, query):
    hits = index.search(query, limit=5)
    assert isinstance(hits, list) and len(hits) <= 5
    assert all(isinstance(h, Hit) for h in hits)


def test_empty_and_symbol_only_queries_return_nothing(index):
    for query in ("", "   ", "😀🔥", "\x00\x01", ".*?", None):
        assert index.search(query) == []


def test_long_query_is_cut_not_slow(index):
    assert top(index, "wassenaar " + "x" * 10_000).id == "wassenaar-arrangement"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=300), limit=st.integers(1, 30))
def test_any_text_gives_sorted_hits(index, query, limit):
    hits = index.search(query, limit=limit)
    assert isinstance(hits, list) and len(hits) <= limit
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len({h.id for h in hits}) == len(hits)
    assert all(0 < h.score <= 100 and h.kind in KINDS for h in hits)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    noise=st.text(
        alphabet=st.one_of(st.characters(categories=["Cc", "Cf", "Zs", "P"]), st.sampled_from("😀🔥✅⚠️🇫🇷")),
        max_size=20,
    )
)
def test_noise_around_an_acronym_does_not_break_it(index, noise):
    assert top(index, f"{noise}CCRA{noise}").id == "ccra"


# --------------------------------------------------------------------------- catalogues


def test_empty_catalogue():
    idx = SearchIndex(make_catalogue())
    assert idx.search("budapest") == []


def test_bundled_catalogue_resolutions_and_parties():
    from tracker.catalogue import load_catalogue

    idx = SearchIndex(load_catalogue())
    for query in ("A/RES/74/247", "74/247", "res 74/247", "a/res/74/247"):
        hit = top(idx, query)
        assert (hit.id, hit.kind) == ("A/RES/74/247", "resolution")
    assert top(idx, "Côte d'Ivoire", kind="party").id == "CIV"
    assert top(idx, "CIV").id == "CIV"


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def runner(monkeypatch):
    monkeypatch.setattr(cli_common, "load_cat", lambda path=None: search_catalogue())
    return CliRunner()


def test_cli_json(runner):
    result = runner.invoke(cli.app, ["search", "wassenar", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data[0]["id"] == "wassenaar-arrangement"
    assert set(data[0]) == {"id", "kind", "name", "score", "matched"}
    assert len(data) <= 3


def test_cli_kind_and_table(runner):
    result = runner.invoke(cli.app, ["search", "Ivory Coast", "--kind", "party"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split()[0] == "CIV"
    empty = runner.invoke(cli.app, ["search", "😀"])
    assert empty.exit_code == 0 and "(no rows)" in empty.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "x", "--kind", "treaty"], "unknown kind"),
        (["search", "x", "--limit", "0"], "limit must be a positive integer"),
    ],
)
def test_cli_bad_input_is_one_line(runner, args, message):
    result = runner.invoke(cli.app, args)
    assert result.exit_code != 0
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(st.text(max_size=40), st.text(alphabet=" _+-.the", max_size=12)), max_size=12))
def test_batch_normalisation_equals_one_by_one(texts):
    assert prepare_many(texts) == [prepare(t) for t in texts]
