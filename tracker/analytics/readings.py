"""Plain-language readings of alignment scores: the one definition legends, captions, the CLI and
the exports use.

Chance-corrected scores (Cohen's kappa, Scott's pi, the combined score; -1..1, 0 = what chance
alone would give) read, following the usual bands for kappa (Landis and Koch 1977: above 0.6
substantial, 0.2-0.4 fair, below 0 less than chance):

    >= 0.6  strongly aligned     0.2 .. 0.6  aligned     -0.2 .. 0.2  mixed     < -0.2  opposed

Raw agreement (0..1, an abstention against a yes or no counts half) is inflated by the many
texts nearly everyone supports, so its bands sit higher:

    >= 0.9  strongly aligned     0.75 .. 0.9  aligned     0.5 .. 0.75  mixed     < 0.5  opposed

A missing score (too few co-votes or shared instruments) reads "not enough evidence".

A predicted vote reads by the probability of its most likely vote (``vote_certainty``):

    p >= 0.8  high     0.6 <= p < 0.8  medium     p < 0.6  low: a guess
"""

from __future__ import annotations

import math

from tracker.errors import InvalidInput

READINGS = ("strongly aligned", "aligned", "mixed", "opposed")
NO_EVIDENCE = "not enough evidence"
# lower bound of each reading but the last, per scale
BANDS: dict[str, tuple[float, float, float]] = {
    "kappa": (0.6, 0.2, -0.2),
    "agreement": (0.9, 0.75, 0.5),
}
SCALES = {
    "kappa": "kappa",
    "pi": "kappa",
    "combined": "kappa",
    "adoption_kappa": "kappa",
    "norm_score": "kappa",  # the norm score (tracker.analytics.alignment) reads on the same -1..1 bands
    "agreement": "agreement",
}


def _bands(scale: str) -> tuple[float, float, float]:
    if scale not in SCALES:
        raise InvalidInput(f"unknown score {scale!r}; choose one of {', '.join(SCALES)}")
    return BANDS[SCALES[scale]]


def reading(score: float | None, scale: str = "kappa") -> str:
    """ "strongly aligned", "aligned", "mixed", "opposed" or "not enough evidence"."""
    bands = _bands(scale)
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return NO_EVIDENCE
    for label, low in zip(READINGS, bands, strict=False):
        if score >= low:
            return label
    return READINGS[-1]


def legend(scale: str = "kappa") -> list[tuple[str, float | None, float | None]]:
    """(reading, low, high) per band, strongest first: for map legends and captions."""
    bands = _bands(scale)
    top = 1.0
    out: list[tuple[str, float | None, float | None]] = []
    for label, low in zip(READINGS, bands, strict=False):
        out.append((label, low, top))
        top = low
    out.append((READINGS[-1], -1.0 if SCALES[scale] == "kappa" else 0.0, top))
    return out


def legend_text(scale: str = "kappa") -> str:
    """One line: "strongly aligned >= 0.6; aligned 0.2 to 0.6; mixed -0.2 to 0.2; opposed < -0.2"."""
    parts = []
    rows = legend(scale)
    for i, (label, low, high) in enumerate(rows):
        if i == 0:
            parts.append(f"{label} >= {low:g}")
        elif i == len(rows) - 1:
            parts.append(f"{label} < {high:g}")
        else:
            parts.append(f"{label} {low:g} to {high:g}")
    return "; ".join(parts)


CERTAIN = 0.8  # a predicted vote whose most likely choice has at least this probability reads "high"
UNSURE = 0.6  # below this, "low: a guess"
CERTAINTY = ("high (p >= 0.8)", "medium (0.6 <= p < 0.8)", "low (p < 0.6): a guess")


def vote_certainty(p: float) -> str:
    """How sure a predicted vote is, from the probability of its most likely choice."""
    if p >= CERTAIN:
        return CERTAINTY[0]
    return CERTAINTY[1] if p >= UNSURE else CERTAINTY[2]


SIGNALS = {  # tracker.analytics.predict's signals, in words
    "series": "each party's previous vote in the series",
    "neighbours": "the known votes of its most similar parties",
    "latent": "its position fitted on the known votes",
    "learned": "weights learned on earlier contested votes",
}


def signals_text(signals) -> str:
    """What a prediction's probabilities rest on, in words ("no signal" when none)."""
    return "; ".join(SIGNALS.get(s, s) for s in signals) or "no signal"
