"""Words as search terms: light stemming, spelling variants and a small curated vocabulary.

:mod:`tracker.search` scores a multi-word query by how many of its words an entry covers
("council of europe cybercrime treaty" is covered by the Budapest Convention's name, body
and kind). For that, a word of a query and a word of an indexed text must meet as the
same *term*:

* a plural and its singular are one term ("controls" = "control", "duties" = "duty"), and
  so are British and American spellings ("authorisation" = "authorization", "behaviour" =
  "behavior", "programme" = "program");
* :data:`SYNONYMS` groups words a diplomat uses for one another: the kinds of binding
  instrument (treaty = convention = agreement), crime = offence, CERT = CSIRT, ...;
* :data:`PHRASES` turns a multi-word name of one concept into one term ("artificial
  intelligence" -> ``ai``, "united nations" -> ``un``, "information security management
  system" -> ``isms``, "cyber security" -> ``cybersecurity``). In a query the phrase's
  words are replaced by the concept, so the concept counts once; an indexed text keeps its
  words and gains the concept, so "information security management" still finds ISO/IEC 27001.
  Rules apply in order, longer phrases first, and a rule may use the result of an earlier
  one ("information technology offences" -> "ict offence" -> ``cybercrime``);
* :data:`KIND_WORDS` are the words that name an entry's kind ("standard", "resolution",
  "group"), so "isms standard" can be covered by an ISO standard and not by a coalition.
  "state" and "organization" are not among them: they are part of too many names ("League
  of Arab States", "Member States", "North Atlantic Treaty Organization").

:mod:`tracker.search` adds one more kind of phrase from the catalogue itself: a group's name
and its short name are one term ("Organization of American States" = "OAS"), so an
instrument named with the acronym is found by the name, and the other way round.

The vocabulary is deliberately small and domain-general (kinds, bodies' common
abbreviations, subjects of cyber diplomacy); it names no catalogue entry. "norm" is not a
synonym of "standard" here: in this catalogue a norm is its own kind (the GGE norms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

# words that carry no meaning in a name (the search's STOPWORDS plus a few more prepositions)
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by for from in into is it of on or the to with against among amongst between "
        "concerning regarding its their this that these those via within",
    )
)

# each group: words that mean the same in a search; the first is the term they all become
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("treaty", "convention", "agreement", "pact", "covenant"),
    ("declaration", "statement", "communique"),
    ("coalition", "initiative", "partnership"),
    ("arrangement", "regime"),
    ("principle", "guideline"),
    ("standard", "specification"),
    ("crime", "offence", "offense"),
    ("cert", "csirt"),
    ("resolution", "res"),
    ("us", "usa"),
    ("uk", "britain"),
    ("europe", "european"),
    ("africa", "african"),
    ("america", "american"),
    ("asia", "asian"),
    ("program", "programme"),
    ("defense", "defence"),
    ("center", "centre"),
    ("catalog", "catalogue"),
    ("damage", "attack", "harm"),
)

# multi-word names of one concept -> that concept (a term); written in plain words, they go
# through the same word normalisation as the texts
PHRASES: tuple[tuple[str, str], ...] = (
    ("artificial intelligence", "ai"),
    ("united nations", "un"),
    ("general assembly", "unga"),
    ("european union", "eu"),
    ("african union", "au"),
    ("council of europe", "coe"),
    ("united kingdom", "uk"),
    ("great britain", "uk"),
    ("united states", "us"),
    ("u s", "us"),
    ("u k", "uk"),
    ("information and communication technology", "ict"),
    ("information and telecommunication", "ict"),
    ("information technology", "ict"),
    ("ict crime", "cybercrime"),
    ("computer crime", "cybercrime"),
    ("computer related crime", "cybercrime"),
    ("cyber crime", "cybercrime"),
    ("cyber security", "cybersecurity"),
    ("cyber space", "cyberspace"),
    ("internet of things", "iot"),
    ("information security management system", "isms"),
    ("group of governmental experts", "gge"),
    ("open ended working group", "oewg"),
    ("program of action", "poa"),
    ("confidence building measure", "cbm"),
    ("computer emergency response team", "cert"),
    ("computer security incident response team", "cert"),
    ("emergency response team", "cert"),
    ("incident response team", "cert"),
    ("electronic evidence", "eevidence"),
    ("e evidence", "eevidence"),
    ("dual use", "dualuse"),
)

# words naming a kind of entry (instrument kinds from the catalogue schema, then the other
# entry kinds); a kind not listed is named by its own words ("code_of_practice" -> "code of practice")
KIND_WORDS: dict[str, str] = {
    "protocol": "protocol treaty",
    "standards_body": "standards body committee",
    "export_control_regime": "export control regime dual use",
    "principles": "principles guidelines recommendation",
    "norm": "norm principle rule",
    "report": "report",
    "party": "country government",
    "group": "group bloc alliance member countries",
    "clause": "clause article provision control paragraph section",
    "resolution": "resolution",
}


def _spelling(word: str) -> str:
    """One spelling for British/American variants and plurals ("authorisations" -> "authorization")."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if "isation" in word:
        word = word.replace("isation", "ization")
    elif len(word) > 5 and word.endswith(("ised", "ise")):
        word = word[: word.rindex("is")] + "iz" + word[word.rindex("is") + 2 :]
    if len(word) > 5 and word.endswith(("iour", "vour", "bour", "lour")):
        word = word[:-2] + "r"
    return word


@cache
def _synonym_of() -> dict[str, str]:
    out = {}
    for group in SYNONYMS:
        for w in group:
            out[_spelling(w)] = _spelling(group[0])
    return out


def term(word: str) -> str | None:
    """The term a normalised word stands for; None for a stopword.

    A lone letter stays a term until the phrase rules have run ("u s" -> ``us``), then
    :func:`meaningful` drops it.
    """
    if word in STOPWORDS:
        return None
    w = _spelling(word) if word.isalpha() else word  # codes and numbers stay as written
    return _synonym_of().get(w, w)


def meaningful(t: str) -> bool:
    """False for a lone letter left over after the phrase rules ("people s")."""
    return len(t) > 1 or t.isdigit()


def terms_of_words(words: list[str]) -> list[str]:
    """The terms of normalised words, in order, stopwords dropped (no phrase rules)."""
    return [t for t in map(term, words) if t is not None]


Rule = tuple[tuple[str, ...], str]  # (the terms of a phrase, the concept term it stands for)


def compile_rules(phrases: Iterable[tuple[str, str]]) -> tuple[Rule, ...]:
    """Phrases (words, concept words) as rules on terms, longest first (stable among equals).

    A concept of several words becomes one term ("Arab League" -> ``arableague``).
    """
    rules = []
    for phrase, concept in phrases:
        seq = tuple(terms_of_words(phrase.split()))
        if len(seq) >= 2:
            rules.append((seq, "".join(terms_of_words(concept.split())) or concept))
    return tuple(sorted(dict.fromkeys(rules), key=lambda r: -len(r[0])))


@cache
def phrase_rules() -> tuple[Rule, ...]:
    """:data:`PHRASES` as rules."""
    return compile_rules(PHRASES)


def apply_phrases(seq: list[str], rules: tuple[Rule, ...] | None = None) -> tuple[list[str], list[str]]:
    """(``seq`` with each phrase replaced by its concept, the concepts found); ``rules`` default to PHRASES."""
    found: list[str] = []
    for words, concept in phrase_rules() if rules is None else rules:
        k = len(words)
        if len(seq) < k or words[0] not in seq:
            continue
        out, i = [], 0
        while i < len(seq):
            if tuple(seq[i : i + k]) == words:
                out.append(concept)
                found.append(concept)
                i += k
            else:
                out.append(seq[i])
                i += 1
        seq = out
    return seq, found


def query_terms(prepared: str, rules: tuple[Rule, ...] | None = None) -> list[str]:
    """The distinct terms of a prepared query, phrases replaced by their concepts, in order."""
    seq, _ = apply_phrases(terms_of_words(prepared.split()), rules)
    return list(dict.fromkeys(t for t in seq if meaningful(t)))


def kind_words(kind: str) -> str:
    """The words naming an entry kind (see :data:`KIND_WORDS`)."""
    return KIND_WORDS.get(kind, kind.replace("_", " "))
