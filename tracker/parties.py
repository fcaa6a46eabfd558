"""Party identity: exact code or alias lookup assigns; fuzzy matching only suggests.

Bare fuzzy matching is dangerous for country names ("Ivory Coast" scores closest to
Croatia, pycountry maps "Republic of Korea" to the DPRK), so nothing here ever assigns a
party from a fuzzy match: ``resolve`` returns a code only for an exact (normalised) code,
name, official name or curated alias; ``suggest`` offers candidates for a person to confirm.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from tracker.catalogue import Catalogue
from tracker.errors import TrackerError


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
        self._choices = {key: key for key in labels}

    def resolve(self, text: str) -> str | None:
        """The party code for an exact code, name, official name or alias; None otherwise."""
        if text is None:
            return None
        return self._exact.get(normalise(text)) or self._exact.get(str(text).strip().casefold())

    def suggest(self, text: str, limit: int = 3, score_cutoff: float = 70) -> list[PartyMatch]:
        """Fuzzy candidates, best first, for a person to confirm (never applied automatically)."""
        query = normalise(text or "")
        if not query:
            return []
        hits = process.extract(
            query,
            self._choices,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit * 4,
            score_cutoff=score_cutoff,
        )
        seen, out = set(), []
        for _choice, score, key in hits:
            code, label = self._labels[key]
            if code not in seen:
                seen.add(code)
                out.append(PartyMatch(code, self.names.get(code, code), round(score, 1), label))
            if len(out) == limit:
                break
        return out

    def require(self, text: str) -> str:
        """Resolve or raise UnknownParty naming the closest candidates."""
        code = self.resolve(text)
        if code:
            return code
        hints = self.suggest(text)
        hint = f"; did you mean {', '.join(f'{m.name} ({m.code})' for m in hints)}?" if hints else ""
        raise UnknownParty(f"unknown party {text!r}{hint}")
