"""Fuzzy search over instruments, norms, clauses, parties, groups and resolutions.

``SearchIndex(cat)`` is built once from a :class:`~tracker.catalogue.Catalogue`;
``index.search("wassenar")`` returns :class:`Hit` objects, best first.

How a query is scored (each entry keeps its best score):

* every text is normalised once at build time with :func:`prepare` (diacritics dropped via
  :func:`tracker.parties.normalise`, ``+`` spelled out so "108+" is not "108", then
  ``rapidfuzz.utils.default_process``); the query gets the same treatment;
* **exact** match of the whole text (also with spaces removed: "ETS185", "A53") scores 100;
* **prefix** match (the query starts the text, at least 2 characters) scores 90-99, longer
  coverage first;
* **fuzzy** match scores below 90 (``0.89 * fuzz.WRatio``, plus for a one-term query up to
  3 points when the entry's names hold the query word, capped at 89.5), so exact and prefix
  matches always outrank fuzzy ones. Candidates for the fuzzy pass come from a hashed
  character-trigram index (numpy, built and queried vectorised): the 48 texts sharing the
  most trigrams with the query (containment + Dice) are scored with one
  ``process.extract(query, {field: text}, scorer=fuzz.WRatio,
  processor=utils.default_process, score_cutoff=60)``. WRatio over every text would cost
  ~3 microseconds per text (a third of a second at 100,000 entries); the trigram step keeps
  a query in milliseconds. A short text inside a longer query ("CRI" in "cybercrime") must
  match as whole words (``token_set_ratio``), not as a substring. Codes, treaty numbers
  and resolution symbols match exactly or by prefix only (a fuzzy "74/274" is not "74/247");
* **word coverage**, for a query of two or more terms ("council of europe cybercrime
  treaty", "isms standard", "2019 cybercrime resolution"):

  - words become terms through :mod:`tracker.search_terms` (plurals, British/American
    spelling, a small curated vocabulary: treaty = convention = agreement, "artificial
    intelligence" = AI, "united nations" = UN, "information security management system" =
    ISMS, ...), and a group's name is one term with its short name (from the catalogue's
    groups: "Organization of American States" = OAS);
  - an entry covers a term when it holds it in a name, alias or resolution title (weight 1),
    its body (0.7), its parent instrument's name (0.8), a resolution's topic or series (0.8),
    its description (0.3), the words naming its kind (0.9: "treaty", "standard",
    "resolution", "group", ...) or its year (0.8: opened, or adopted);
  - *recall* is the share of the query's terms the entry covers, each term weighted by its
    rarity, ``log(1 + N / entries holding it)``; a term naming a kind weighs at least half
    the rarest term's weight (it says what is wanted), and a word nothing holds counts as
    the rarest (it is missing from every entry); *precision* is the share of the entry's
    best name that the query covers;
  - the coverage score is ``100 * recall * (0.85 + 0.15 * precision)``, offered in the fuzzy
    band (``0.89 *``, capped at 89.5) to entries covering at least half of the query;
  - a fuzzy text match of such a query keeps ``0.3 + 0.7 * recall`` of its score, so a text
    matching half the query (the African Union group for "african union cyber security
    convention") falls behind an entry covering all of it (the Malabo Convention);
  - when the query names kinds of entry ("treaty", "resolution", "group"), an entry holding
    none of those words (neither as its kind nor in its texts) keeps 0.85 of its score.

  Hence an instrument outranks a group when the query names a kind of instrument, while a
  group named alone ("african union") still wins by its exact match. Coverage runs on a
  term -> fields index (numpy), a few vectorised operations per query term; a query word the
  index does not hold is matched to indexed words by typo (``fuzz.ratio`` >= 80 on a trigram
  pre-selection) or as a word being typed (completion);
* **description and title words** are a weak field for one-term queries: a query word found
  in an instrument's description scores at most 50 (a resolution title at most 60), so a
  one-word query never puts a long description above a name, alias or acronym that
  resembles it.

A norm is also named by the title of a crosswalk clause that states it exactly
(``equivalent-to``). Ties go to instruments and norms, then parties, groups, clauses and
resolutions, and to top-level instruments before their protocols. Nothing here assigns a
party from a fuzzy match: search only lists candidates (see :mod:`tracker.parties`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils

from tracker.catalogue import Catalogue
from tracker.errors import InvalidInput
from tracker.parties import PartyResolver, normalise
from tracker.search_terms import PHRASES, Rule, compile_rules, kind_words, meaningful, query_terms, term

KINDS = ("instrument", "norm", "clause", "party", "group", "resolution")
PILLARS = ("values", "standards", "norms")
STANCES = ("open", "sovereign", "neutral")
VALUE_CLUSTERS = ("security", "privacy", "fairness", "accountability")

MAX_QUERY_CHARS = 120  # longer queries are cut (after normalisation): same latency for any input
MAX_QUERY_WORDS = 8  # description/title words, or coverage terms, looked up per query
FUZZY_CUTOFF = 60.0  # WRatio below this is not a match
FUZZY_SCALE = 0.89  # fuzzy scores end below the lowest prefix score (90)
FUZZY_MAX = 89.5
COVER_BONUS = 3.0  # added to a fuzzy score in proportion to the query words found in the entry's names
FUZZY_CANDIDATES = 48  # texts re-scored with WRatio after the trigram pre-selection
PREFIX_SCAN = 256  # prefix matches examined per query
WEAK_DESCRIPTION = 50.0
WEAK_TITLE = 60.0
TOP_LEVEL_BONUS = 0.3  # an instrument without a parent wins a tie against its protocols
KIND_RANK = {"instrument": 0, "norm": 0, "party": 1, "group": 2, "clause": 3, "resolution": 4}
STOPWORDS = frozenset(re.findall(r"\w+", "a an and are as at be by for from in into is it of on or the to with"))

# word coverage (queries of two or more terms; see the module docstring)
# where a word was found: a name (or alias) or a resolution's title count fully; a context field less:
# the body, the parent instrument, a resolution's topic, and (weakest, as the text is long) the description
SOURCE_WEIGHT = {"name": 1.0, "title": 1.0, "body": 0.7, "parent": 0.8, "topic": 0.8, "description": 0.3}
COVER_SOURCES = tuple(SOURCE_WEIGHT)
KIND_BIT, YEAR_BIT = 1 << len(COVER_SOURCES), 1 << (len(COVER_SOURCES) + 1)
KIND_WEIGHT = 0.9  # a word naming the entry's kind ("treaty", "standard", "group") ...
KIND_TERM_SHARE = 0.5  # ... weighs at least this share of the rarest word's weight: it says what is wanted,
OFF_KIND = 0.85  # and an entry of another kind, holding none of the kind words of the query, keeps this share
YEAR_WEIGHT = 0.8  # a year the instrument opened or the resolution was adopted
TERM_FUZZY_CUTOFF = 80.0  # a query word unknown to the index matches indexed words this close (fuzz.ratio)
TERM_CANDIDATES = 16  # indexed words examined per unknown query word (typos and completions each)
PREFIX_QUALITY = 0.85  # an unknown query word completed to an indexed word ("cyb" -> "cybercrime")
FLOOR = 0.3  # a fuzzy text match keeps this share of its score whatever the query words it misses
PRECISION_SHARE = 0.15  # of the coverage score, the share that rewards a name the query covers whole
COVER_CANDIDATES = 64  # entries offered from the coverage pass ...
COVER_MIN_RECALL = 0.5  # ... if they cover at least this (weighted) share of the query's terms


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result. ``matched`` is the text that matched; ``via`` says what it is."""

    id: str
    kind: str
    name: str
    score: float
    matched: str
    via: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "score": self.score,
            "matched": self.matched,
            "via": self.via,
        }


_NON_WORD = re.compile(r"[^\w]+")


def prepare(text: object) -> str:
    """Normalise a query or an indexed text: "Côte d’Ivoire" -> "cote d ivoire", "108+" -> "108 plus".

    :func:`tracker.parties.normalise` (diacritics, case, punctuation, a leading "the"), then
    rapidfuzz's ``utils.default_process``. ASCII text takes a shortcut with the same result.
    """
    s = str(text)
    if "+" in s:
        s = s.replace("+", " plus ")
    if s.isascii():
        s = _NON_WORD.sub(" ", s.lower()).strip()
        s = s[4:] if s.startswith("the ") else s
    else:
        s = normalise(s)
    return " ".join(utils.default_process(s).split())


_SEP = "\x1f"  # joins texts for batch normalisation (a text containing it takes the slow path)
# ASCII bytes: letters lower-cased, digits and "_" kept, the separator kept, everything else a space
_ASCII_TABLE = bytes(
    c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122 or c in (95, 31)) else 32 for c in range(256)
)


def prepare_many(texts: list[str]) -> list[str]:
    """``[prepare(t) for t in texts]``; the ASCII texts are normalised together, as one bytes string."""
    joined = _SEP.join(texts)
    if joined.isascii() and joined.count(_SEP) == len(texts) - 1:
        simple = None  # every text is plain ASCII (the usual case): no per-text check needed
    else:
        simple = [t.isascii() and _SEP not in t for t in texts]
        joined = _SEP.join(t if ok else "" for t, ok in zip(texts, simple, strict=True))
    sep = _SEP.encode()
    big = joined.replace("+", " plus ").encode("ascii").translate(_ASCII_TABLE)
    big = b" ".join(big.split())  # normalise(): one space between words ...
    big = big.replace(b" " + sep, sep).replace(sep + b" ", sep)  # ... stripped
    big = (sep + big).replace(sep + b"the ", sep)[1:]  # ... without a leading "the"
    text = big.decode("ascii")
    keys = text.split(_SEP) if texts else []
    if "_" in text:  # default_process: "_" is not alphanumeric
        keys = [" ".join(k.replace("_", " ").split()) if "_" in k else k for k in keys]
    for i, ok in enumerate(simple or ()):
        if not ok:
            keys[i] = prepare(texts[i])
    return keys


# --------------------------------------------------------------------------- trigram index


GRAM_BITS = 24  # trigrams are hashed into 2**24 buckets (a rare collision only adds a candidate)


def _hash(a: np.ndarray) -> np.ndarray:
    """Hashes of the trigrams of code points ``a`` (0 marks a boundary; grams across it get -1)."""
    a = a.astype(np.uint64)
    code = (a[:-2] << np.uint64(42)) | (a[1:-1] << np.uint64(21)) | a[2:]
    h = ((code * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - GRAM_BITS)).astype(np.int64)
    h[(a[:-2] == 0) | (a[1:-1] == 0) | (a[2:] == 0)] = -1
    return h


def _col(df: pd.DataFrame, name: str) -> list:
    """A column as a plain list (fast for Arrow-backed strings, unlike iterating the Series)."""
    return df[name].to_numpy(dtype=object).tolist()


def _year(day: object) -> int:
    """The year of a catalogue date ("2001-11-23", "2014-06", "1996"); 0 when there is none."""
    text = str(day or "")
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else 0


def _distinct(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash path is pathologically slow on large int64 arrays)."""
    x = np.sort(x)
    return x[np.concatenate([[True], x[1:] != x[:-1]])] if len(x) else x


def _codes(padded: str) -> np.ndarray:
    """Distinct trigram hashes of one padded string."""
    a = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    if len(a) < 3:
        return np.empty(0, dtype=np.int64)
    return _distinct(_hash(a))


class _TrigramIndex:
    """Which indexed texts share character trigrams with the query (vectorised build and lookup)."""

    def __init__(self, keys: list[str]):
        self.n = len(keys)
        if not keys:
            self.grams = np.empty(0, dtype=np.int64)
            self.indptr = np.zeros(1, dtype=np.int64)
            self.fields = np.empty(0, dtype=np.int64)
            self.sizes = np.empty(0, dtype=np.int64)
            return
        big = np.frombuffer(" \x00 ".join(keys).join("  ").encode("utf-32-le"), dtype=np.uint32)
        lengths = np.fromiter((len(k) + 3 for k in keys), dtype=np.int64, count=self.n)
        owner = np.repeat(np.arange(self.n, dtype=np.int64), lengths)[: len(big) - 2]
        codes = _hash(big)
        valid = codes >= 0
        pairs = _distinct(codes[valid] * self.n + owner[valid])  # distinct (gram, text) pairs, sorted
        gram_of, self.fields = np.divmod(pairs, self.n)
        starts = np.flatnonzero(np.concatenate([[True], gram_of[1:] != gram_of[:-1]]))
        self.grams = gram_of[starts]
        self.indptr = np.concatenate([starts, [len(pairs)]])
        self.sizes = np.bincount(self.fields, minlength=self.n)

    def candidates(self, query: str, allowed: np.ndarray | None, limit: int) -> np.ndarray:
        """Indices of up to ``limit`` texts sharing the most trigrams with ``query``."""
        if not self.n:
            return np.empty(0, dtype=np.int64)
        q = _codes(f" {query} ")
        pos = np.searchsorted(self.grams, q)
        inside = pos < len(self.grams)
        pos, q_in = pos[inside], q[inside]
        pos = pos[self.grams[pos] == q_in]
        if not len(pos):
            return np.empty(0, dtype=np.int64)
        hits = np.concatenate([self.fields[self.indptr[g] : self.indptr[g + 1]] for g in pos])
        shared = np.bincount(hits, minlength=self.n).astype(np.float32)
        if allowed is not None:
            shared *= allowed
        nz = np.flatnonzero(shared)
        if not len(nz):
            return nz
        nq = float(len(q))
        s = shared[nz]
        rank = s / nq + 2 * s / (nq + self.sizes[nz])  # containment (partial) + Dice (whole)
        if len(nz) > limit:
            keep = np.argpartition(rank, -limit)[-limit:]
            nz = nz[keep]
        return nz


# --------------------------------------------------------------------------- word coverage


@dataclass(slots=True)
class _Coverage:
    """How well each entry covers a query's terms (dense arrays over entries)."""

    recall: np.ndarray  # weighted share of the query's terms the entry holds, 0..1
    precision: np.ndarray  # share of the entry's best name field that the query covers, 0..1
    best_field: np.ndarray  # that field (coverage field index), -1 if no name field matched
    sources: np.ndarray  # per entry, bits of COVER_SOURCES: where its matched terms are
    off_kind: np.ndarray  # per entry: the query names kinds of entry and this entry holds none of those words


_FIELD_MARK = "|"  # separates fields in one token stream (a prepared text never holds it)


class _CoverageIndex:
    """Which entries hold which terms: in a name, in a context field, in their kind words or their year.

    Fields are prepared texts; each belongs to one entry and has a weight (1 for a name, less
    for context such as a body). Terms come from :mod:`tracker.search_terms`; a field holds
    its words' terms and the concepts of the phrases it contains. Built vectorised (one
    ``split`` and one ``factorize`` over all texts); a query costs a few numpy operations per term.
    """

    def __init__(
        self,
        n: int,
        keys: list[str],
        field_entry: np.ndarray,
        field_source: np.ndarray,
        kind_key: list[str],
        year: list[int],
        rules: tuple[Rule, ...],
    ):
        self.n = n
        self.rules = rules
        self.field_entry = field_entry
        self.field_source = field_source
        self.field_weight = np.array([SOURCE_WEIGHT[COVER_SOURCES[i]] for i in field_source], dtype=np.float32)
        self.field_is_name = field_source <= COVER_SOURCES.index("title")
        self.field_bit = (1 << field_source).astype(np.uint8)
        nf = len(keys)
        # every word of every field, fields separated by a marker word: (term id, field id) per word
        words = f" {_FIELD_MARK} ".join(keys).split() if keys else []
        codes, uniques = pd.factorize(np.array(words, dtype=object)) if words else (np.empty(0, np.int64), [])
        terms_of_unique = [term(u) if u != _FIELD_MARK else _FIELD_MARK for u in uniques]
        t_codes, t_uniques = pd.factorize(np.array(terms_of_unique, dtype=object), use_na_sentinel=True)
        seq = t_codes[codes] if len(codes) else np.empty(0, np.int64)
        vocab = {t: i for i, t in enumerate(t_uniques.tolist())}  # (the marker is never a query term)
        sep = vocab.get(_FIELD_MARK, -2)
        fld = np.cumsum(seq == sep) if len(seq) else seq
        keep = (seq >= 0) & (seq != sep)
        seq, fld = seq[keep].astype(np.int64), fld[keep].astype(np.int64)
        pair_terms, pair_fields = [seq], [fld]
        # phrase rules on the whole token stream at once: a rule's words in a row, inside one field
        for rule_words, concept in rules:
            ids = [vocab.get(w) for w in rule_words]
            k = len(ids)
            if None in ids or len(seq) < k:
                continue
            start = np.flatnonzero(seq[: len(seq) - k + 1] == ids[0])
            for j in range(1, k):
                start = start[(seq[start + j] == ids[j]) & (fld[start + j] == fld[start])]
            if not len(start):
                continue
            c = vocab.setdefault(concept, len(vocab))
            pair_terms.append(np.full(len(start), c, dtype=np.int64))
            pair_fields.append(fld[start])
            drop = np.zeros(len(seq), dtype=bool)
            for j in range(1, k):
                drop[start + j] = True
            seq[start] = c
            seq, fld = seq[~drop], fld[~drop]
        self.vocab = vocab
        terms = list(vocab)
        nt = len(terms)
        meaningful_term = np.fromiter((meaningful(t) for t in terms), dtype=bool, count=nt)
        # a field's size: its distinct terms after the phrase rules (a concept counts once)
        final = _distinct(seq[meaningful_term[seq]] * nf + fld[meaningful_term[seq]]) if len(seq) else seq
        self.size = np.maximum(np.bincount(final % nf, minlength=nf), 1).astype(np.float32) if nf else np.ones(0)
        # postings: the fields holding each term
        t_all, f_all = np.concatenate(pair_terms), np.concatenate(pair_fields)
        ok = meaningful_term[t_all] if nt else np.zeros(0, dtype=bool)
        pairs = _distinct(t_all[ok] * nf + f_all[ok]) if nf else np.empty(0, np.int64)
        p_term, self.p_field = np.divmod(pairs, max(nf, 1))
        self.indptr = np.searchsorted(p_term, np.arange(nt + 1))
        # entries per term (document frequency), kind words and years
        ent_pairs = _distinct(p_term * n + field_entry[self.p_field]) if len(pairs) else pairs
        self.df = np.bincount(ent_pairs // max(n, 1), minlength=nt).astype(np.float64)
        keys_of_kind = sorted(set(kind_key))
        kind_index = {k: i for i, k in enumerate(keys_of_kind)}
        entry_kind = np.array([kind_index[k] for k in kind_key], dtype=np.int64)
        masks = [entry_kind == i for i in range(len(keys_of_kind))]
        self.kind_size = [int(m.sum()) for m in masks]
        self.kind_weight = [(KIND_WEIGHT * m).astype(np.float32) for m in masks]  # KIND_WEIGHT or 0 per entry
        self.kind_bits = [(KIND_BIT * m).astype(np.uint8) for m in masks]
        self.kinds_of_term: dict[str, list[int]] = {}
        for i, kind_of in enumerate(keys_of_kind):
            for t in query_terms(prepare(kind_words(kind_of))):
                self.kinds_of_term.setdefault(t, []).append(i)
        years = np.array(year, dtype=np.int64)
        self.year_entries = {int(y): np.flatnonzero(years == y) for y in np.unique(years[years > 0])}
        # typo-tolerant lookup of unknown words: a trigram index over the alphabetic terms
        self.alpha = sorted(t for t in terms if len(t) >= 4 and t.isalpha())
        self.alpha_grams = _TrigramIndex(self.alpha)

    def _matches(self, t: str) -> list[tuple[int, float]]:
        """The indexed terms a query term stands for, with a quality: itself 1; else typos and completions."""
        tid = self.vocab.get(t)
        if tid is not None:
            return [(tid, 1.0)]
        found: dict[int, float] = {}
        if len(t) >= 4 and t.isalpha():
            cand = self.alpha_grams.candidates(t, None, TERM_CANDIDATES)
            for c in cand.tolist():
                r = fuzz.ratio(t, self.alpha[c], score_cutoff=TERM_FUZZY_CUTOFF)
                if r:
                    found[self.vocab[self.alpha[c]]] = r / 100
        if len(t) >= 3 and t.isalpha():  # the word being typed: a completion
            i = bisect.bisect_left(self.alpha, t)
            for word in self.alpha[i : i + TERM_CANDIDATES]:
                if not word.startswith(t):
                    break
                tid = self.vocab[word]
                found[tid] = max(found.get(tid, 0.0), PREFIX_QUALITY)
        return list(found.items())

    def query_terms(self, prepared: str) -> list[str]:
        """The terms of a prepared query under this index's phrase rules."""
        return query_terms(prepared, self.rules)

    def cover(self, qterms: list[str]) -> _Coverage | None:
        """Coverage of ``qterms`` by every entry; None when no term is known at all."""
        n = self.n
        recall = np.zeros(n, dtype=np.float32)
        total = 0.0
        name_fields = []
        sources = np.zeros(n, dtype=np.uint8)
        kind_named = False
        on_kind = np.zeros(n, dtype=bool)
        for t in qterms:
            matches = self._matches(t)
            kinds = self.kinds_of_term.get(t, [])
            year = int(t) if len(t) == 4 and t.isdigit() and int(t) in self.year_entries else 0
            if not matches and not kinds and not year:
                # a word nothing holds: no entry covers it (weighted as the rarest word)
                total += float(np.log1p(n))
                continue
            df = max(
                [self.df[max(matches, key=lambda m: m[1])[0]] if matches else 0.0]
                + [float(sum(self.kind_size[k] for k in kinds))]
                + [float(len(self.year_entries[year])) if year else 0.0]
            )
            weight = float(np.log1p(n / max(df, 1.0)))
            if kinds:  # "resolution" is common, yet it says what the user wants
                weight = max(weight, KIND_TERM_SHARE * float(np.log1p(n)))
            m = np.zeros(n, dtype=np.float32)
            if matches:
                spans = [self.p_field[self.indptr[tid] : self.indptr[tid + 1]] for tid, _ in matches]
                fields = np.concatenate(spans)
                quality = np.repeat(np.array([q for _, q in matches], dtype=np.float32), [len(x) for x in spans])
                quality *= self.field_weight[fields]
                order = np.argsort(quality, kind="stable")  # the best quality is assigned last
                m[self.field_entry[fields[order]]] = quality[order]
                np.bitwise_or.at(sources, self.field_entry[fields], self.field_bit[fields])
                named = fields[self.field_is_name[fields]]
                if len(named):
                    name_fields.append(_distinct(named))
            for k in kinds:
                np.maximum(m, self.kind_weight[k], out=m)
                sources |= self.kind_bits[k]
            if year:
                idx = self.year_entries[year]
                m[idx] = np.maximum(m[idx], YEAR_WEIGHT)
                sources[idx] |= YEAR_BIT
            recall += weight * m
            total += weight
            if kinds:
                kind_named = True
                on_kind |= m > 0
        if not recall.any():
            return None
        recall /= total
        precision = np.zeros(n, dtype=np.float32)
        best = np.full(n, -1, dtype=np.int64)
        if name_fields:
            fields, counts = np.unique(np.concatenate(name_fields), return_counts=True)
            share = np.minimum(counts / self.size[fields], 1.0).astype(np.float32)
            order = np.argsort(share, kind="stable")
            precision[self.field_entry[fields[order]]] = share[order]
            best[self.field_entry[fields[order]]] = fields[order]
        off_kind = ~on_kind if kind_named else np.zeros(n, dtype=bool)
        return _Coverage(recall, precision, best, sources, off_kind)


# --------------------------------------------------------------------------- the index


def check_options(*, kind: str | Iterable[str] | None = None, limit: int = 10) -> None:
    """Raise ValueError for an unknown kind or a limit that is not a positive integer."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(f"limit must be a positive integer, not {limit!r}")
    if kind is not None:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        bad = [k for k in kinds if k not in KINDS]
        if bad or not kinds:
            raise InvalidInput(
                f"unknown kind {', '.join(map(repr, bad)) or '(none)'}; expected one of: {', '.join(KINDS)}"
            )


class SearchIndex:
    """Build once from a Catalogue; ``search`` is then fast enough to run on every keystroke."""

    def __init__(self, cat: Catalogue):
        self._cat = cat
        self._resolver = PartyResolver(cat)
        self._adopted: dict[str, set[str]] | None = None
        self._attrs: dict[str, dict] | None = None  # instrument id -> filter attributes (on first use)
        # entries
        self.ids: list[str] = []
        self.kinds: list[str] = []
        self.names: list[str] = []
        self._inst_ref: list[str] = []  # the instrument an instrument, norm or clause entry stands for
        self._bonus: list[float] = []
        self._kind_key: list[str] = []  # what names the entry's kind: the instrument kind, else the entry kind
        self._year: list[int] = []  # opening year of an instrument, year of a resolution (0: none)
        self._ctx_chunks: list[tuple[list[int], list[str], str]] = []  # (entries, texts, label)
        # texts, collected raw and normalised in one batch: (entries, texts, via, fuzzy) chunks
        self._chunks: list[tuple[list[int], list[str], list[str], list[bool]]] = []
        self._weak_chunks: list[tuple[list[int], list[str], float]] = []
        self._build()
        self._finish()

    # ---- building

    def _entries(
        self,
        ids: list[str],
        kind: str | list[str],
        names: list[str],
        inst_ref: list[str] | None = None,
        bonus: list[float] | None = None,
        kind_key: list[str] | None = None,
        year: list[int] | None = None,
    ) -> list[int]:
        first = len(self.ids)
        self.ids += ids
        self.kinds += [kind] * len(ids) if isinstance(kind, str) else kind
        self.names += names
        self._inst_ref += inst_ref if inst_ref is not None else [""] * len(ids)
        self._bonus += bonus if bonus is not None else [0.0] * len(ids)
        self._kind_key += kind_key if kind_key is not None else [kind] * len(ids) if isinstance(kind, str) else kind
        self._year += year if year is not None else [0] * len(ids)
        return list(range(first, len(self.ids)))

    def _context(self, entries: list[int], texts: list, label: str) -> None:
        """Texts only the word-coverage pass reads: resolution titles, and context (body, parent, ...)."""
        rows = [(e, t) for e, t in zip(entries, texts, strict=True) if t]
        self._ctx_chunks.append(([e for e, _ in rows], [str(t) for _, t in rows], label))

    def _fields(
        self, entries: list[int], texts: list[str], via: str | list[str], fuzzy: bool | list[bool] = True
    ) -> None:
        n = len(entries)
        self._chunks.append(
            (
                entries,
                texts,
                [via] * n if isinstance(via, str) else via,
                [fuzzy] * n if isinstance(fuzzy, bool) else fuzzy,
            )
        )

    def _build(self) -> None:
        cat = self._cat
        inst = cat.instruments
        iid = _col(inst, "id")
        kinds = ["norm" if k == "norm" else "instrument" for k in _col(inst, "kind")]
        bonus = [0.0 if p else TOP_LEVEL_BONUS for p in _col(inst, "parent_id")]
        names = _col(inst, "name")
        years = [_year(d) for d in _col(inst, "opened")]
        e = self._entries(iid, kinds, names, iid, bonus, kind_key=_col(inst, "kind"), year=years)
        self._fields(e, names, "name")
        self._fields(e, _col(inst, "short_name"), "short name")
        self._fields(e, iid, "id", fuzzy=False)
        described = [(i, d) for i, d in zip(e, _col(inst, "description"), strict=True) if d]
        self._weak_chunks.append(([i for i, _ in described], [d for _, d in described], WEAK_DESCRIPTION))
        entry_of = dict(zip(iid, e, strict=True))
        self._context(e, _col(inst, "body"), "body")
        self._context(e, _col(inst, "description"), "description")
        short = dict(zip(iid, _col(inst, "short_name"), strict=True))
        name_of = dict(zip(iid, names, strict=True))
        parents = [(i, p) for i, p in zip(e, _col(inst, "parent_id"), strict=True) if p in entry_of]
        self._context([i for i, _ in parents], [f"{name_of[p]} {short[p] or ''}" for _, p in parents], "parent")
        al = cat.instrument_aliases
        rows = [
            (entry_of[i], a, k)
            for i, a, k in zip(_col(al, "instrument_id"), _col(al, "alias"), _col(al, "alias_kind"), strict=True)
            if i in entry_of
        ]
        self._fields(
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2].replace("_", " ") for r in rows],
            # a treaty number or symbol matches exactly or by prefix only ("ETS 185" is not "ETS 189")
            [not (r[2] in ("treaty_number", "symbol") and any(ch.isdigit() for ch in r[1])) for r in rows],
        )
        # a norm is also named by the title of a clause that states it exactly ("equivalent-to")
        same = [
            (entry_of[n], t)
            for n, t, r in zip(
                _col(cat.crosswalk, "norm_id"),
                _col(cat.crosswalk, "clause_title"),
                _col(cat.crosswalk, "relationship"),
                strict=True,
            )
            if n in entry_of and t and r == "equivalent-to"
        ]
        self._fields([e for e, _ in same], [t for _, t in same], "clause title")
        # clauses named by the crosswalk: "iso-iec-27001#A.5.3", "ISO/IEC 27001 A.5.3 Segregation of duties"
        cw = cat.crosswalk.drop_duplicates(["instrument_id", "clause"])
        for target, clause, title in zip(
            _col(cw, "instrument_id"), _col(cw, "clause"), _col(cw, "clause_title"), strict=True
        ):
            label = short.get(target, target)
            name = " ".join(x for x in (label, clause, title) if x)
            (c,) = self._entries([f"{target}#{clause}"], "clause", [name], [target])
            self._fields(
                [c, c, c, c],
                [clause, f"{label} {clause}", title, name],
                ["clause id", "clause id", "clause title", "name"],
            )
        p = cat.parties
        codes = _col(p, "code")
        e = self._entries(codes, "party", _col(p, "name"))
        self._fields(e, _col(p, "name"), "name")
        self._fields(e, _col(p, "official_name"), "official name")
        for col in ("code", "iso_alpha2", "iso_numeric"):
            self._fields(e, _col(p, col), "code", fuzzy=False)
        party_entry = dict(zip(codes, e, strict=True))
        pa = cat.party_aliases[cat.party_aliases["code"].isin(party_entry)]
        self._fields([party_entry[c] for c in _col(pa, "code")], _col(pa, "alias"), "alias")
        g = cat.groups
        e = self._entries(_col(g, "id"), "group", _col(g, "name"))
        self._fields(e, _col(g, "name"), "name")
        self._fields(e, _col(g, "short_name"), "short name")
        self._fields(e, _col(g, "id"), "id")
        res = cat.resolutions
        first_resolution = len(self.ids)
        titled: list[tuple[int, str]] = []
        for rid, symbol, title, day in zip(
            _col(res, "id"),
            _col(res, "symbol"),
            _col(res, "title"),
            _col(res, "date"),
            strict=True,
        ):
            symbol = symbol or rid.split(" ")[0]
            (r,) = self._entries(
                [rid], "resolution", [f"{symbol} {title}" if title else f"{symbol} ({day})"], year=[_year(day)]
            )
            tail = symbol.split("/RES/", 1)[1] if "/RES/" in symbol else ""
            variants = [rid, symbol] + ([tail, f"res {tail}", f"resolution {tail}"] if tail else [])
            self._fields([r] * len(variants), variants, "symbol", fuzzy=False)
            if title:
                self._weak_chunks.append(([r], [title], WEAK_TITLE))
                titled.append((r, title))
        self._context([r for r, _ in titled], [t for _, t in titled], "title")  # a resolution's name
        # what a resolution is about and where it was voted: its topic, series and forum
        e = list(range(first_resolution, len(self.ids)))
        about = [
            " ".join(str(x or "").replace("_", " ").replace("-", " ") for x in row)
            for row in zip(_col(res, "topic"), _col(res, "series"), _col(res, "forum"), strict=True)
        ]
        unrecorded = [str(v).lower() == "false" for v in _col(res, "recorded_vote")]
        consensus = ["adopted without a vote consensus" if u else "" for u in unrecorded]
        self._context(e, about, "topic")
        self._context(e, consensus, "topic")

    def _finish(self) -> None:
        self.n = len(self.ids)
        self._bonus_arr = np.array(self._bonus, dtype=np.float32)
        entries, texts, vias, fuzzy = ([*chain.from_iterable(c[j] for c in self._chunks)] for j in range(4))
        del self._chunks
        # normalise in one batch; drop empty texts and repeated (entry, text) pairs
        keys = prepare_many([str(t) for t in texts])
        key_arr = np.array(keys, dtype=object)
        codes = pd.factorize(key_arr)[0].astype(np.int64)
        pair = np.array(entries, dtype=np.int64) * (int(codes.max(initial=0)) + 1) + codes
        order = np.argsort(pair, kind="stable")
        first = order[np.concatenate([[True], pair[order][1:] != pair[order][:-1]])] if len(pair) else order
        keep = np.sort(first[key_arr[first] != ""]).tolist()
        self._f_entry = [entries[i] for i in keep]
        self._f_key = [keys[i] for i in keep]
        self._texts, self._vias, self._keep = texts, vias, keep  # text and via of field f: [keep[f]]
        self._f_fuzzy = [fuzzy[i] for i in keep]
        f_entry = np.array(self._f_entry, dtype=np.int64)
        # exact and prefix lookups: sorted keys (bisect); short keys also without spaces ("ets185")
        by_key = sorted(range(len(self._f_key)), key=self._f_key.__getitem__)
        self._sorted_keys = [self._f_key[i] for i in by_key]
        self._sorted_fields = by_key
        compact = sorted((k.replace(" ", ""), i) for i, k in enumerate(self._f_key) if len(k) <= 16 and " " in k)
        self._compact_keys = [c for c, _ in compact]
        self._compact_fields = [i for _, i in compact]
        # fuzzy candidates: trigram index over the fuzzy-matchable texts
        fz = np.flatnonzero(np.array(self._f_fuzzy, dtype=bool))
        self._fuzzy_fields = fz
        self._fuzzy_entry = f_entry[fz] if len(fz) else np.empty(0, dtype=np.int64)
        self._grams = _TrigramIndex([self._f_key[i] for i in fz])
        # entry -> its fields (for the word-coverage tie-break, computed on demand)
        self._by_entry = np.argsort(f_entry, kind="stable")
        self._entry_start = np.searchsorted(f_entry[self._by_entry], np.arange(self.n + 1))
        self._entry_words: dict[int, frozenset[str]] = {}
        # weak fields: words of descriptions and titles
        words: dict[str, dict[int, float]] = {}
        for chunk_entries, chunk_texts, weight in self._weak_chunks:
            for entry, key in zip(chunk_entries, prepare_many([str(t) for t in chunk_texts]), strict=True):
                for word in set(key.split()):
                    if len(word) >= 3 and word not in STOPWORDS:
                        slot = words.setdefault(word, {})
                        slot[entry] = max(slot.get(entry, 0.0), weight)
        del self._weak_chunks
        self._words = words
        self._build_coverage(f_entry, fz)
        self._word_list = sorted(words)
        self._mask_cache: dict[tuple, np.ndarray | None] = {}

    def _build_coverage(self, f_entry: np.ndarray, fz: np.ndarray) -> None:
        """The word-coverage index: fuzzy-matchable names, resolution titles, context fields."""
        # coverage field i < len(fz) is the name field fz[i]; later ones are the texts in self._cov_extra
        self._cov_names = fz
        keys = [self._f_key[f] for f in fz.tolist()]
        entries = f_entry[fz].tolist() if len(fz) else []
        sources = [0] * len(keys)
        extra: list[str] = []
        for chunk_entries, chunk_texts, label in self._ctx_chunks:
            chunk_keys = prepare_many(chunk_texts)
            kept = [i for i, k in enumerate(chunk_keys) if k]
            entries += [chunk_entries[i] for i in kept]
            extra += [chunk_texts[i] for i in kept]
            keys += [chunk_keys[i] for i in kept]
            sources += [COVER_SOURCES.index(label)] * len(kept)
        del self._ctx_chunks
        self._cov_extra = extra
        g = self._cat.groups  # a group's name and its short name are one term ("council of europe" = "coe")
        pairs = [
            (prepare(phrase), prepare(short))
            for name, short in zip(_col(g, "name"), _col(g, "short_name"), strict=True)
            if short
            for phrase in (name, short)
        ]
        self._cover = _CoverageIndex(
            self.n,
            keys,
            np.array(entries, dtype=np.int64),
            np.array(sources, dtype=np.int64),
            self._kind_key,
            self._year,
            compile_rules([*PHRASES, *pairs]),
        )

    def _coverage_text(self, i: int) -> str:
        """Coverage field ``i`` as written in the catalogue."""
        n_names = len(self._cov_names)
        return self.field_text(int(self._cov_names[i])) if i < n_names else self._cov_extra[i - n_names].strip()

    def field_text(self, f: int) -> str:
        """The indexed text ``f`` as written in the catalogue."""
        return self._texts[self._keep[f]].strip()

    def _words_of(self, entry: int) -> frozenset[str]:
        if entry not in self._entry_words:
            fields = self._by_entry[self._entry_start[entry] : self._entry_start[entry + 1]]
            self._entry_words[entry] = frozenset(w for f in fields for w in self._f_key[f].split()) - STOPWORDS
        return self._entry_words[entry]

    def _filter_attributes(self) -> dict[str, dict]:
        """Instrument id -> pillar, stance, body, value clusters and the instruments it stands for."""
        if self._attrs is None:
            inst, out = self._cat.instruments, {}
            for iid, pillar, stance, body, clusters in zip(
                _col(inst, "id"),
                _col(inst, "pillar"),
                _col(inst, "stance"),
                _col(inst, "body"),
                _col(inst, "value_clusters"),
                strict=True,
            ):
                out[iid] = {
                    "pillar": pillar,
                    "stance": stance,
                    "body": prepare(body),
                    "clusters": frozenset(c for c in clusters.split(";") if c),
                    "instruments": {iid},
                }
            # a norm concept is carried by the instruments its crosswalk rows point at
            cw = self._cat.crosswalk
            for norm, target in zip(_col(cw, "norm_id"), _col(cw, "instrument_id"), strict=True):
                if norm in out:
                    out[norm]["instruments"] = out[norm]["instruments"] | {target}
            self._attrs = out
        return self._attrs

    # ---- filters

    def _adopted_sets(self) -> dict[str, set[str]]:
        if self._adopted is None:
            st = self._cat.status()
            st = st[st["adopted"].astype(bool)] if len(st) else st
            out: dict[str, set[str]] = {}
            for inst, party in zip(st.get("instrument_id", []), st.get("party_code", []), strict=True):
                out.setdefault(party, set()).add(inst)
            self._adopted = out
        return self._adopted

    def _mask(self, kind, pillar, value_cluster, body, stance, adopted_by) -> np.ndarray | None:
        kinds = None if kind is None else (kind,) if isinstance(kind, str) else tuple(kind)
        for value, allowed, label in (
            (pillar, PILLARS, "pillar"),
            (stance, STANCES, "stance"),
            (value_cluster, VALUE_CLUSTERS, "value cluster"),
        ):
            if value is not None and value not in allowed:
                raise InvalidInput(f"unknown {label} {value!r}; expected one of: {', '.join(allowed)}")
        party = self._resolver.require(adopted_by) if adopted_by is not None else None
        body_key = prepare(body) if body is not None else None
        if body is not None and not body_key:
            raise InvalidInput("empty body filter")
        cache_key = (kinds, pillar, value_cluster, body_key, stance, party)
        if cache_key in self._mask_cache:
            return self._mask_cache[cache_key]
        if cache_key == (None,) * 6:
            self._mask_cache[cache_key] = None
            return None
        adopted = self._adopted_sets().get(party, set()) if party else None
        attribute_filter = any(x is not None for x in (pillar, stance, value_cluster, body_key, party))

        attrs = self._filter_attributes()
        no_attrs: dict = {}

        def keep(i: int) -> bool:
            a = attrs.get(self._inst_ref[i], no_attrs)
            if kinds is not None and self.kinds[i] not in kinds:
                return False
            if not attribute_filter:
                return True
            return (
                bool(a)
                and (pillar is None or a["pillar"] == pillar)
                and (stance is None or a["stance"] == stance)
                and (value_cluster is None or value_cluster in a["clusters"])
                and (body_key is None or body_key in a["body"])
                and (adopted is None or bool(a["instruments"] & adopted))
            )

        ok = np.fromiter((keep(i) for i in range(self.n)), dtype=bool, count=self.n)
        self._mask_cache[cache_key] = ok
        return ok

    # ---- searching

    def search(
        self,
        query: str,
        *,
        kind: str | Iterable[str] | None = None,
        limit: int = 10,
        pillar: str | None = None,
        value_cluster: str | None = None,
        body: str | None = None,
        stance: str | None = None,
        adopted_by: str | None = None,
    ) -> list[Hit]:
        """Hits for ``query``, best first (at most ``limit``). Filters narrow to instruments/norms/clauses.

        ``kind`` is one kind or several; ``adopted_by`` is a party code, name or alias (the
        instruments it has adopted, the norms carried by them, and their clauses).
        """
        check_options(kind=kind, limit=limit)
        mask = self._mask(kind, pillar, value_cluster, body, stance, adopted_by)
        if query is None:
            return []
        q = prepare(query)[:MAX_QUERY_CHARS].strip()
        if not q or not self.n:
            return []
        best: dict[int, tuple[float, int | str, str]] = {}  # entry -> (score, field or word, via)

        def offer(entry: int, score: float, what, via: str, bonus: bool = True) -> None:
            if mask is not None and not mask[entry]:
                return
            if bonus:
                score += float(self._bonus_arr[entry])
            if entry not in best or score > best[entry][0]:
                best[entry] = (score, what, via)

        # exact (also ignoring spaces: "ets185", "cets223")
        for keys, fields, key in (
            (self._sorted_keys, self._sorted_fields, q),
            (self._compact_keys, self._compact_fields, q.replace(" ", "")),
        ):
            i = bisect.bisect_left(keys, key)
            while i < len(keys) and keys[i] == key:
                offer(self._f_entry[fields[i]], 100.0, fields[i], "")
                i += 1
        # prefix
        if len(q) >= 2:
            i = bisect.bisect_left(self._sorted_keys, q)
            end = min(i + PREFIX_SCAN, len(self._sorted_keys))
            while i < end and self._sorted_keys[i].startswith(q):
                key = self._sorted_keys[i]
                if len(key) > len(q):
                    offer(
                        self._f_entry[self._sorted_fields[i]],
                        90.0 + 9.0 * len(q) / len(key),
                        self._sorted_fields[i],
                        "",
                    )
                i += 1
        # fuzzy: trigram pre-selection, then WRatio on the candidates; among similar fuzzy scores
        # the entry whose names contain more of the query's words wins
        qwords = {w for w in q.split() if w not in STOPWORDS}
        # a query of several terms is also scored by the share of its terms an entry covers
        qterms = self._cover.query_terms(q)[:MAX_QUERY_WORDS]
        cov = self._cover.cover(qterms) if len(qterms) >= 2 else None
        allowed = mask[self._fuzzy_entry].astype(np.float32) if mask is not None else None
        cand = self._grams.candidates(q, allowed, FUZZY_CANDIDATES)
        if len(cand):
            choices = {int(self._fuzzy_fields[c]): self._f_key[self._fuzzy_fields[c]] for c in cand}
            for _text, score, f in process.extract(
                q,
                choices,
                scorer=fuzz.WRatio,
                processor=utils.default_process,
                score_cutoff=FUZZY_CUTOFF,
                limit=None,
            ):
                key = self._f_key[f]
                if len(key) * 1.5 < len(q):
                    # WRatio's partial match flatters a short text found inside a longer query
                    # ("cri" in "cybercrime"); such a text must match as whole words instead
                    score = min(score, fuzz.token_set_ratio(q, key, processor=None))
                    if score < FUZZY_CUTOFF:
                        continue
                entry = self._f_entry[f]
                if cov is not None:  # a text that matches part of the query is worth part of its score
                    score *= FLOOR + (1 - FLOOR) * float(cov.recall[entry])
                    score *= OFF_KIND if cov.off_kind[entry] else 1.0
                    offer(entry, min(FUZZY_SCALE * score, FUZZY_MAX), f, "")
                    continue
                cover = len(qwords & self._words_of(entry)) / len(qwords) if qwords else 0.0
                offer(entry, min(FUZZY_SCALE * score + COVER_BONUS * cover, FUZZY_MAX), f, "")
        if cov is not None:
            self._coverage_hits(cov, mask, offer)
        # weak: words of descriptions and resolution titles (the coverage pass holds them as context)
        words = [w for w in dict.fromkeys(q.split()) if len(w) >= 3 and w not in STOPWORDS][:MAX_QUERY_WORDS]
        if words and cov is None:
            self._weak_hits(words, offer)
        ranked = sorted(
            best.items(),
            key=lambda kv: (-kv[1][0], KIND_RANK[self.kinds[kv[0]]], len(self.names[kv[0]]), self.ids[kv[0]]),
        )
        out = []
        for entry, (score, what, via) in ranked[:limit]:
            if isinstance(what, int):
                matched, via = self.field_text(what), self._vias[self._keep[what]]
            else:
                matched = what
            out.append(
                Hit(
                    self.ids[entry],
                    self.kinds[entry],
                    self.names[entry],
                    round(min(score, 100.0), 1),
                    matched,
                    via,
                )
            )
        return out

    def _coverage_hits(self, cov: _Coverage, mask: np.ndarray | None, offer) -> None:
        """Offer the entries that cover the query's terms best (score below any prefix match)."""
        score = 100 * cov.recall * ((1 - PRECISION_SHARE) + PRECISION_SHARE * cov.precision)
        score = np.where(cov.off_kind, OFF_KIND * score, score)
        score[cov.recall < COVER_MIN_RECALL] = 0  # an entry must hold at least half of what was asked
        if mask is not None:
            score = np.where(mask, score, 0)
        nz = np.flatnonzero(score)
        if len(nz) > COVER_CANDIDATES:
            nz = nz[np.argpartition(score[nz], -COVER_CANDIDATES)[-COVER_CANDIDATES:]]
        for entry in nz.tolist():
            f = int(cov.best_field[entry])
            matched = self._coverage_text(f) if f >= 0 else self.names[entry]
            offer(entry, min(FUZZY_SCALE * float(score[entry]), FUZZY_MAX), matched, self._coverage_via(cov, entry))

    def _coverage_via(self, cov: _Coverage, entry: int) -> str:
        """Where an entry holds the query's words: "words in name, body, kind"."""
        bits = int(cov.sources[entry])
        return "words in " + ", ".join(s for i, s in enumerate(COVER_SOURCES + ("kind", "year")) if bits >> i & 1)

    def _weak_hits(self, words: list[str], offer) -> None:
        """Each query word found as a word (or the start of one) in a description or title."""
        per_entry: dict[int, list] = {}
        for w in words:
            found: dict[int, tuple[float, str]] = {}
            matches = [(w, 1.0)] if w in self._words else []
            if len(w) >= 4:
                i = bisect.bisect_left(self._word_list, w)
                n = 0
                while i < len(self._word_list) and self._word_list[i].startswith(w) and n < 32:
                    if self._word_list[i] != w:
                        matches.append((self._word_list[i], 0.8))
                    i += 1
                    n += 1
            for word, quality in matches:
                for entry, weight in self._words[word].items():
                    s = weight * quality
                    if s > found.get(entry, (0.0, ""))[0]:
                        found[entry] = (s, word)
            for entry, (s, word) in found.items():
                per_entry.setdefault(entry, []).append((s, word))
        n = len(words)
        for entry, parts in per_entry.items():
            score = sum(s for s, _ in parts) / n
            via = "title word" if self.kinds[entry] == "resolution" else "description word"
            offer(entry, score, " ".join(w for _, w in parts), via, bonus=False)


def search(cat: Catalogue, query: str, **kwargs) -> list[Hit]:
    """One-off search (builds an index; build a SearchIndex once for repeated queries)."""
    return SearchIndex(cat).search(query, **kwargs)


def hits_frame(hits: list[Hit]) -> pd.DataFrame:
    """Hits as a DataFrame (for tables in the CLI and the app)."""
    columns = ["id", "kind", "name", "score", "matched", "via"]
    return pd.DataFrame([h.as_dict() for h in hits], columns=columns)
