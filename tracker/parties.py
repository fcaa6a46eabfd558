"""Party identity: exact code or alias lookup assigns; fuzzy matching only suggests.

Bare fuzzy matching is dangerous for country names ("Ivory Coast" scores closest to
Croatia, pycountry maps "Republic of Korea" to the DPRK), so nothing here ever assigns a
party from a fuzzy match: ``resolve`` returns a code only for an exact (normalised) code,
name, official name or curated alias; ``suggest`` offers candidates for a person to confirm.

Suggestions rank the closest name first. A typed country name is compared as a whole
(the mean of Jaro-Winkler, which rewards a right beginning, and rapidfuzz's Indel ratio,
which penalises a different length: "Kenia" is Kenya before Armenia, "Columbia" is
Colombia) or by its words (in any order: "Korea Republic"; or all of them inside a longer
name: "Bosnia"). WRatio is not used: it scores a short label found inside the query as a
near match ("US" inside "Austira").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from tracker.catalogue import Catalogue
from tracker.errors import TrackerError

SUGGEST_CUTOFF = 60.0  # a label less close than this (0-100) is not worth suggesting
SUGGEST_CACHE = 4096  # suggestions kept per resolver (an import file repeats its unknown names)


class UnknownParty(TrackerError, ValueError):
    """A name or code that is not a known party; the message carries suggestions."""


def normalise(text: str) -> str:
    """Casefold, drop diacritics and punctuation, collapse spaces: "Côte d’Ivoire" -> "cote d ivoire"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[^\w]+", " ", plain.casefold()).strip()
    return re.sub(r"^the ", "", plain)


@dataclass(frozen=True)
class PartyMatch:
    code: str
    name: str
    score: float
    matched: str


class PartyResolver:
    def __init__(self, cat: Catalogue):
        p = cat.parties
        self.names = dict(zip(p["code"], p["name"], strict=True))
        exact: dict[str, str] = {}
        labels: dict[str, tuple[str, str]] = {}  # normalised label -> (code, label as written)
        for code, name, official, alpha2 in zip(p["code"], p["name"], p["official_name"], p["iso_alpha2"], strict=True):
            for label in (name, official):
                if label:
                    exact.setdefault(normalise(label), code)
                    labels.setdefault(normalise(label), (code, label))
            exact[code.casefold()] = code
            if alpha2:
                exact.setdefault(alpha2.casefold(), code)
        for alias, code in zip(cat.party_aliases["alias"], cat.party_aliases["code"], strict=True):
            exact.setdefault(normalise(alias), code)
            labels.setdefault(normalise(alias), (code, alias))
        self._exact = exact
        self._labels = labels
        self._keys = list(labels)
        self._codes = [labels[k][0] for k in self._keys]
        self._suggested: dict[tuple[str, int, float], list[PartyMatch]] = {}

    def resolve(self, text: str) -> str | None:
        """The party code for an exact code, name, official name or alias; None otherwise."""
        if text is None:
            return None
        return self._exact.get(normalise(text)) or self._exact.get(str(text).strip().casefold())

    def closeness(self, text: str) -> np.ndarray:
        """How close each label (``self._keys``) is to a typed name, 0-100 (see the module docstring)."""
        query = [normalise(text or "")]

        def score(scorer) -> np.ndarray:
            return process.cdist(query, self._keys, scorer=scorer, dtype=np.float32)[0]

        whole = (100 * score(JaroWinkler.normalized_similarity) + score(fuzz.ratio)) / 2
        words = np.maximum(score(fuzz.token_sort_ratio), 0.9 * score(fuzz.token_set_ratio))
        return np.maximum(whole, words)

    def suggest(self, text: str, limit: int = 3, score_cutoff: float = SUGGEST_CUTOFF) -> list[PartyMatch]:
        """Fuzzy candidates, closest first, for a person to confirm (never applied automatically)."""
        query = normalise(text or "")
        if not query or not self._keys:
            return []
        key = (query, limit, score_cutoff)
        if key not in self._suggested:
            if len(self._suggested) >= SUGGEST_CACHE:
                self._suggested.clear()
            scores = self.closeness(query)
            order = sorted(
                (i for i in np.flatnonzero(scores >= score_cutoff).tolist()),
                key=lambda i: (-scores[i], self.names.get(self._codes[i], ""), self._keys[i]),
            )
            seen, out = set(), []
            for i in order:
                code, label = self._labels[self._keys[i]]
                if code not in seen:
                    seen.add(code)
                    out.append(PartyMatch(code, self.names.get(code, code), round(float(scores[i]), 1), label))
                if len(out) == limit:
                    break
            self._suggested[key] = out
        return list(self._suggested[key])

    def require(self, text: str) -> str:
        """Resolve or raise UnknownParty naming the closest candidates (up to 3)."""
        code = self.resolve(text)
        if code:
            return code
        hints = self.suggest(text)
        hint = f"; did you mean {', '.join(f'{m.name} ({m.code})' for m in hints)}?" if hints else ""
        raise UnknownParty(f"unknown party {text!r}{hint}")
