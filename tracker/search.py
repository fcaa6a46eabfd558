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
* **fuzzy** match scores below 90 (``0.89 * fuzz.WRatio``, plus up to 3 points for the
  share of query words found in the entry's names, capped at 89.5), so exact and prefix
  matches always outrank fuzzy ones. Candidates for the fuzzy pass come from a hashed
  character-trigram index (numpy, built and queried vectorised): the 48 texts sharing the
  most trigrams with the query (containment + Dice) are scored with one
  ``process.extract(query, {field: text}, scorer=fuzz.WRatio,
  processor=utils.default_process, score_cutoff=60)``. WRatio over every text would cost
  ~3 microseconds per text (a third of a second at 100,000 entries); the trigram step keeps
  a query in milliseconds. A short text inside a longer query ("CRI" in "cybercrime") must
  match as whole words (``token_set_ratio``), not as a substring. Codes, treaty numbers
  and resolution symbols match exactly or by prefix only (a fuzzy "74/274" is not "74/247");
* **description and title words** are a weak field: a query word found in an instrument's
  description scores at most 50 (a resolution title at most 60), so a one-word query never
  puts a long description above a name, alias or acronym that resembles it.

Ties go to instruments and norms, then parties, groups, clauses and resolutions, and to
top-level instruments before their protocols. Nothing here assigns a party from a fuzzy match:
search only lists candidates (see :mod:`tracker.parties`).
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
FUZZY_CANDIDATES = 48  # texts re-scored with WRatio after the trigram pre-selection
PREFIX_SCAN = 256  # prefix matches examined per query
WEAK_DESCRIPTION = 50.0
WEAK_TITLE = 60.0
TOP_LEVEL_BONUS = 0.3  # an instrument without a parent wins a tie against its protocols
KIND_RANK = {"instrument": 0, "norm": 0, "party": 1, "group": 2, "clause": 3, "resolution": 4}
STOPWORDS = frozenset(re.findall(r"\w+", "a an and are as at be by for from in into is it of on or the to with"))


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
    ) -> list[int]:
        first = len(self.ids)
        self.ids += ids
        self.kinds += [kind] * len(ids) if isinstance(kind, str) else kind
        self.names += names
        self._inst_ref += inst_ref if inst_ref is not None else [""] * len(ids)
        self._bonus += bonus if bonus is not None else [0.0] * len(ids)
        return list(range(first, len(self.ids)))

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
        e = self._entries(iid, kinds, names, iid, bonus)
        self._fields(e, names, "name")
        self._fields(e, _col(inst, "short_name"), "short name")
        self._fields(e, iid, "id", fuzzy=False)
        described = [(i, d) for i, d in zip(e, _col(inst, "description"), strict=True) if d]
        self._weak_chunks.append(([i for i, _ in described], [d for _, d in described], WEAK_DESCRIPTION))
        entry_of = dict(zip(iid, e, strict=True))
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
        # clauses named by the crosswalk: "iso-iec-27001#A.5.3", "ISO/IEC 27001 A.5.3 Segregation of duties"
        short = dict(zip(iid, _col(inst, "short_name"), strict=True))
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
        for rid, symbol, title, day in zip(
            _col(res, "id"),
            _col(res, "symbol"),
            _col(res, "title"),
            _col(res, "date"),
            strict=True,
        ):
            symbol = symbol or rid.split(" ")[0]
            (r,) = self._entries([rid], "resolution", [f"{symbol} {title}" if title else f"{symbol} ({day})"])
            tail = symbol.split("/RES/", 1)[1] if "/RES/" in symbol else ""
            variants = [rid, symbol] + ([tail, f"res {tail}", f"resolution {tail}"] if tail else [])
            self._fields([r] * len(variants), variants, "symbol", fuzzy=False)
            if title:
                self._weak_chunks.append(([r], [title], WEAK_TITLE))

    def _finish(self) -> None:
        self.n = len(self.ids)
        self._bonus_arr = np.array(self._bonus, dtype=np.float32)
        entries, texts, vias, fuzzy = ([*chain.from_iterable(c[j] for c in self._chunks)] for j in range(4))
        del self._chunks
        # normalise in one batch; drop empty texts and repeated (entry, text) pairs
        keys = prepare_many(texts)
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
        order = sorted(range(len(self._f_key)), key=self._f_key.__getitem__)
        self._sorted_keys = [self._f_key[i] for i in order]
        self._sorted_fields = order
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
        self._word_list = sorted(words)
        self._mask_cache: dict[tuple, np.ndarray | None] = {}

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
                cover = len(qwords & self._words_of(entry)) / len(qwords) if qwords else 0.0
                offer(entry, min(FUZZY_SCALE * score + COVER_BONUS * cover, FUZZY_MAX), f, "")
        # weak: words of descriptions and resolution titles
        words = [w for w in dict.fromkeys(q.split()) if len(w) >= 3 and w not in STOPWORDS][:MAX_QUERY_WORDS]
        if words:
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
