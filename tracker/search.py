"""Fuzzy search over instruments, norms, clauses, parties, groups and resolutions.

``SearchIndex(cat)`` is built once from a :class:`~tracker.catalogue.Catalogue`;
``index.search("wassenar")`` returns :class:`Hit` objects, best first.

How a query is scored (each entry keeps its best-scoring text):

* every text is normalised once at build time with :func:`prepare` (diacritics dropped via
  :func:`tracker.parties.normalise`, ``+`` spelled out so "108+" is not "108", then
  ``rapidfuzz.utils.default_process``); the query gets the same treatment;
* **exact** match of the whole text (also with spaces removed: "ETS185", "A53") scores 100;
* **prefix** match (the query starts the text, at least 2 characters) scores 90-99, longer
  coverage first;
* **fuzzy** match scores at most 89 (``0.89 * fuzz.WRatio``), so exact and prefix matches
  always outrank fuzzy ones. Candidates for the fuzzy pass come from a character-trigram
  index (numpy, vectorised); the best candidates are then scored with
  ``process.extract(query, {field: text}, scorer=fuzz.WRatio,
  processor=utils.default_process, score_cutoff=...)``. Codes and resolution symbols are
  matched exactly or by prefix only (a fuzzy "74/274" is not "74/247");
* **description and title words** are a weak field: a query word found in an instrument's
  description scores at most 50 (a resolution title at most 60), so a one-word query never
  puts a long description above a name, alias or acronym that resembles it.

Ties go to instruments and norms, then parties, groups, clauses and resolutions, and to
top-level instruments before their protocols. Nothing here assigns a party from a fuzzy match:
search only lists candidates (see :mod:`tracker.parties`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process, utils

from tracker.catalogue import Catalogue
from tracker.parties import PartyResolver, normalise

KINDS = ("instrument", "norm", "clause", "party", "group", "resolution")
PILLARS = ("values", "standards", "norms")
STANCES = ("open", "sovereign", "neutral")
VALUE_CLUSTERS = ("security", "privacy", "fairness", "accountability")

MAX_QUERY_CHARS = 120  # longer queries are cut (after normalisation): same latency for any input
MAX_QUERY_WORDS = 8  # description/title words looked up per query
FUZZY_CUTOFF = 60.0  # WRatio below this is not a match
FUZZY_SCALE = 0.89  # fuzzy scores end below the lowest prefix score (90)
FUZZY_MAX = 89.5
COVER_BONUS = 3.0  # added to a fuzzy score in proportion to the query words found in the entry's names
FUZZY_CANDIDATES = 96  # texts re-scored with WRatio after the trigram pre-selection
PREFIX_SCAN = 256  # prefix matches examined per query
WEAK_DESCRIPTION = 50.0
WEAK_TITLE = 60.0
TOP_LEVEL_BONUS = 0.3  # an instrument without a parent wins a tie against its protocols
KIND_RANK = {"instrument": 0, "norm": 0, "party": 1, "group": 2, "clause": 3, "resolution": 4}
STOPWORDS = frozenset("a an and are as at be by for from in into is it of on or the to with".split())


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
        return {"id": self.id, "kind": self.kind, "name": self.name, "score": self.score,
                "matched": self.matched, "via": self.via}


def prepare(text: object) -> str:
    """Normalise a query or an indexed text: "Côte d’Ivoire" -> "cote d ivoire", "108+" -> "108 plus"."""
    s = str(text)
    if "+" in s:
        s = s.replace("+", " plus ")
    s = utils.default_process(normalise(s))
    return " ".join(s.split())


# --------------------------------------------------------------------------- trigram index

def _codes(padded: str) -> np.ndarray:
    """Trigram codes of one padded string (21 bits per code point)."""
    a = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(a) < 3:
        return np.empty(0, dtype=np.int64)
    return np.unique((a[:-2] << 42) | (a[1:-1] << 21) | a[2:])


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
        padded = [f" {k} " for k in keys]
        big = np.frombuffer("\x00".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        owner = np.repeat(np.arange(self.n, dtype=np.int64), [len(p) + 1 for p in padded])[: len(big)]
        codes = (big[:-2] << 42) | (big[1:-1] << 21) | big[2:]
        valid = (big[:-2] != 0) & (big[1:-1] != 0) & (big[2:] != 0)
        codes, owner = codes[valid], owner[:-2][valid]
        self.grams, gram_id = np.unique(codes, return_inverse=True)
        pairs = np.unique(gram_id.astype(np.int64) * self.n + owner)
        gram_of, self.fields = np.divmod(pairs, self.n)
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(gram_of, minlength=len(self.grams)))])
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
        hits = np.concatenate([self.fields[self.indptr[g]:self.indptr[g + 1]] for g in pos])
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


# --------------------------------------------------------------------------- the index

class SearchIndex:
    """Build once from a Catalogue; ``search`` is then fast enough to run on every keystroke."""

    def __init__(self, cat: Catalogue):
        self._cat = cat
        self._resolver = PartyResolver(cat)
        self._adopted: dict[str, set[str]] | None = None
        # entries
        self.ids: list[str] = []
        self.kinds: list[str] = []
        self.names: list[str] = []
        self._attrs: list[dict] = []  # pillar, stance, body, clusters, instruments (for adopted_by)
        self._bonus: list[float] = []
        # name fields (exact / prefix / fuzzy)
        self._f_entry: list[int] = []
        self._f_key: list[str] = []
        self._f_text: list[str] = []
        self._f_via: list[str] = []
        self._f_fuzzy: list[bool] = []
        self._seen: set[tuple[int, str]] = set()
        # weak word fields: word -> {entry: (weight, word as written)}
        self._words: dict[str, dict[int, float]] = {}
        self._build()
        self._finish()

    # ---- building

    def _entry(self, id_: str, kind: str, name: str, attrs: dict | None = None, bonus: float = 0.0) -> int:
        self.ids.append(id_)
        self.kinds.append(kind)
        self.names.append(name)
        self._attrs.append(attrs or {})
        self._bonus.append(bonus)
        return len(self.ids) - 1

    def _field(self, entry: int, text: str, via: str, *, fuzzy: bool = True) -> None:
        text = str(text or "").strip()
        if not text:
            return
        key = prepare(text)
        if not key or (entry, key) in self._seen:
            return
        self._seen.add((entry, key))
        self._f_entry.append(entry)
        self._f_key.append(key)
        self._f_text.append(text)
        self._f_via.append(via)
        self._f_fuzzy.append(fuzzy)

    def _weak(self, entry: int, text: str, weight: float) -> None:
        for word in set(prepare(text).split()):
            if len(word) >= 3 and word not in STOPWORDS:
                slot = self._words.setdefault(word, {})
                slot[entry] = max(slot.get(entry, 0.0), weight)

    def _build(self) -> None:
        cat = self._cat
        inst = cat.instruments
        attrs_by_id: dict[str, dict] = {}
        for r in inst.itertuples(index=False):
            kind = "norm" if r.kind == "norm" else "instrument"
            attrs = {"pillar": r.pillar, "stance": r.stance, "body": prepare(r.body),
                     "clusters": frozenset(c for c in r.value_clusters.split(";") if c), "instruments": {r.id}}
            attrs_by_id[r.id] = attrs
            e = self._entry(r.id, kind, r.name, attrs, 0.0 if r.parent_id else TOP_LEVEL_BONUS)
            self._field(e, r.name, "name")
            self._field(e, r.short_name, "short name")
            self._field(e, r.id, "id")
            self._weak(e, r.description, WEAK_DESCRIPTION)
        entry_of = {id_: i for i, id_ in enumerate(self.ids)}
        for r in cat.instrument_aliases.itertuples(index=False):
            if r.instrument_id in entry_of:
                numeric = r.alias_kind in ("treaty_number", "symbol")
                self._field(entry_of[r.instrument_id], r.alias, r.alias_kind.replace("_", " "),
                            fuzzy=not numeric or not any(ch.isdigit() for ch in r.alias))
        short = dict(zip(inst["id"], inst["short_name"], strict=True))
        # a norm concept is carried by the instruments its crosswalk rows point at
        for norm, target in zip(cat.crosswalk["norm_id"], cat.crosswalk["instrument_id"], strict=True):
            if norm in attrs_by_id:
                attrs_by_id[norm]["instruments"] = attrs_by_id[norm]["instruments"] | {target}
        for r in cat.crosswalk.drop_duplicates(["instrument_id", "clause"]).itertuples(index=False):
            label = short.get(r.instrument_id, r.instrument_id)
            name = " ".join(x for x in (label, r.clause, r.clause_title) if x)
            e = self._entry(f"{r.instrument_id}#{r.clause}", "clause", name, attrs_by_id.get(r.instrument_id))
            self._field(e, r.clause, "clause id")
            self._field(e, f"{label} {r.clause}", "clause id")
            self._field(e, r.clause_title, "clause title")
            self._field(e, name, "name")
        p = cat.parties
        for r in p.itertuples(index=False):
            e = self._entry(r.code, "party", r.name)
            self._field(e, r.name, "name")
            self._field(e, r.official_name, "official name")
            self._field(e, r.code, "code", fuzzy=False)
            self._field(e, r.iso_alpha2, "code", fuzzy=False)
            self._field(e, r.iso_numeric, "code", fuzzy=False)
        party_entry = {code: i for i, code in enumerate(self.ids) if self.kinds[i] == "party"}
        for alias, code in zip(cat.party_aliases["alias"], cat.party_aliases["code"], strict=True):
            if code in party_entry:
                self._field(party_entry[code], alias, "alias")
        for r in cat.groups.itertuples(index=False):
            e = self._entry(r.id, "group", r.name)
            self._field(e, r.name, "name")
            self._field(e, r.short_name, "short name")
            self._field(e, r.id, "id")
        for r in cat.resolutions.itertuples(index=False):
            symbol = r.symbol or r.id.split(" ")[0]
            name = f"{symbol} {r.title}".strip() if r.title else f"{symbol} ({r.date})"
            e = self._entry(r.id, "resolution", name)
            self._field(e, r.id, "symbol", fuzzy=False)
            self._field(e, symbol, "symbol", fuzzy=False)
            tail = symbol.split("/RES/", 1)[1] if "/RES/" in symbol else ""
            if tail:
                for variant in (tail, f"res {tail}", f"resolution {tail}"):
                    self._field(e, variant, "symbol", fuzzy=False)
            if r.title:
                self._weak(e, r.title, WEAK_TITLE)

    def _finish(self) -> None:
        self._seen.clear()
        self.n = len(self.ids)
        self._kind_arr = np.array(self.kinds, dtype=object)
        self._bonus_arr = np.array(self._bonus, dtype=np.float32)
        f_entry = np.array(self._f_entry, dtype=np.int64)
        self._f_entry_arr = f_entry
        exact: dict[str, list[int]] = {}
        for i, key in enumerate(self._f_key):
            exact.setdefault(key, []).append(i)
            compact = key.replace(" ", "")
            if compact != key:
                exact.setdefault(compact, []).append(i)
        self._exact = exact
        order = sorted(range(len(self._f_key)), key=self._f_key.__getitem__)
        self._sorted_keys = [self._f_key[i] for i in order]
        self._sorted_fields = order
        fuzzy = np.flatnonzero(np.array(self._f_fuzzy, dtype=bool))
        self._fuzzy_fields = fuzzy
        self._fuzzy_entry = f_entry[fuzzy] if len(fuzzy) else np.empty(0, dtype=np.int64)
        self._grams = _TrigramIndex([self._f_key[i] for i in fuzzy])
        self._word_list = sorted(self._words)
        self._entry_words: list[frozenset[str]] = [frozenset()] * self.n
        words: dict[int, set[str]] = {}
        for entry, key in zip(self._f_entry, self._f_key, strict=True):
            words.setdefault(entry, set()).update(key.split())
        for entry, ws in words.items():
            self._entry_words[entry] = frozenset(ws - STOPWORDS)
        self._mask_cache: dict[tuple, np.ndarray | None] = {}

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
        kinds = None
        if kind is not None:
            kinds = (kind,) if isinstance(kind, str) else tuple(kind)
            bad = [k for k in kinds if k not in KINDS]
            if bad or not kinds:
                raise ValueError(f"unknown kind {', '.join(map(repr, bad)) or '(none)'}; "
                                 f"expected one of: {', '.join(KINDS)}")
        for value, allowed, label in ((pillar, PILLARS, "pillar"), (stance, STANCES, "stance"),
                                      (value_cluster, VALUE_CLUSTERS, "value cluster")):
            if value is not None and value not in allowed:
                raise ValueError(f"unknown {label} {value!r}; expected one of: {', '.join(allowed)}")
        party = self._resolver.require(adopted_by) if adopted_by is not None else None
        body_key = prepare(body) if body is not None else None
        if body is not None and not body_key:
            raise ValueError("empty body filter")
        cache_key = (kinds, pillar, value_cluster, body_key, stance, party)
        if cache_key in self._mask_cache:
            return self._mask_cache[cache_key]
        if cache_key == (None,) * 6:
            self._mask_cache[cache_key] = None
            return None
        adopted = self._adopted_sets().get(party, set()) if party else None
        ok = np.ones(self.n, dtype=bool)
        for i in range(self.n):
            a = self._attrs[i]
            if kinds is not None and self.kinds[i] not in kinds:
                ok[i] = False
            elif (pillar or stance or value_cluster or body_key or party) and not a:
                ok[i] = False
            elif (pillar and a["pillar"] != pillar) or (stance and a["stance"] != stance) \
                    or (value_cluster and value_cluster not in a["clusters"]) \
                    or (body_key and body_key not in a["body"]) \
                    or (adopted is not None and not (a["instruments"] & adopted)):
                ok[i] = False
        self._mask_cache[cache_key] = ok
        return ok

    # ---- searching

    def search(self, query: str, *, kind: str | Iterable[str] | None = None, limit: int = 10,
               pillar: str | None = None, value_cluster: str | None = None, body: str | None = None,
               stance: str | None = None, adopted_by: str | None = None) -> list[Hit]:
        """Hits for ``query``, best first (at most ``limit``). Filters narrow to instruments/norms/clauses.

        ``kind`` is one kind or several; ``adopted_by`` is a party code, name or alias (the
        instruments it has adopted, the norms carried by them, and their clauses).
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, not {limit!r}")
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

        # exact
        for key in {q, q.replace(" ", "")}:
            for f in self._exact.get(key, ()):
                offer(self._f_entry[f], 100.0, f, "")
        # prefix
        if len(q) >= 2:
            i = bisect.bisect_left(self._sorted_keys, q)
            end = min(i + PREFIX_SCAN, len(self._sorted_keys))
            while i < end and self._sorted_keys[i].startswith(q):
                key = self._sorted_keys[i]
                if len(key) > len(q):
                    offer(self._f_entry[self._sorted_fields[i]], 90.0 + 9.0 * len(q) / len(key),
                          self._sorted_fields[i], "")
                i += 1
        # fuzzy: trigram pre-selection, then WRatio on the candidates; among similar fuzzy scores
        # the entry whose names contain more of the query's words wins
        qwords = {w for w in q.split() if w not in STOPWORDS}
        allowed = mask[self._fuzzy_entry].astype(np.float32) if mask is not None else None
        cand = self._grams.candidates(q, allowed, FUZZY_CANDIDATES)
        if len(cand):
            choices = {int(self._fuzzy_fields[c]): self._f_key[self._fuzzy_fields[c]] for c in cand}
            for _text, score, f in process.extract(q, choices, scorer=fuzz.WRatio,
                                                   processor=utils.default_process,
                                                   score_cutoff=FUZZY_CUTOFF, limit=None):
                key = self._f_key[f]
                if len(key) * 1.5 < len(q):
                    # WRatio's partial match flatters a short text found inside a longer query
                    # ("cri" in "cybercrime"); such a text must match as whole words instead
                    score = min(score, fuzz.token_set_ratio(q, key, processor=None))
                    if score < FUZZY_CUTOFF:
                        continue
                entry = self._f_entry[f]
                cover = len(qwords & self._entry_words[entry]) / len(qwords) if qwords else 0.0
                offer(entry, min(FUZZY_SCALE * score + COVER_BONUS * cover, FUZZY_MAX), f, "")
        # weak: words of descriptions and resolution titles
        words = [w for w in dict.fromkeys(q.split()) if len(w) >= 3 and w not in STOPWORDS][:MAX_QUERY_WORDS]
        if words:
            self._weak_hits(words, offer)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], KIND_RANK[self.kinds[kv[0]]],
                                                       len(self.names[kv[0]]), self.ids[kv[0]]))
        out = []
        for entry, (score, what, via) in ranked[:limit]:
            if isinstance(what, int):
                matched, via = self._f_text[what], self._f_via[what]
            else:
                matched = what
            out.append(Hit(self.ids[entry], self.kinds[entry], self.names[entry],
                           round(min(score, 100.0), 1), matched, via))
        return out

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
    return pd.DataFrame([h.as_dict() for h in hits], columns=["id", "kind", "name", "score", "matched", "via"])
