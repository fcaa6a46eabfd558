"""Map legends in words, with their colours: commitment levels, the norm evidence ladder, alignment
readings and predicted votes. Pure (no Streamlit), so every map, legend and caption draws on one
definition and a test can read it.

Colours are Okabe-Ito (colour-blind safe); light grey is "none recorded" / "no action", and a
faded shape marks what is uncertain (a row without a known date, a low-confidence prediction,
a norm with rejecting evidence beside its support).
"""

from __future__ import annotations

import math

from tracker.catalogue.evidence import LEVEL_NAMES
from tracker.catalogue.status import LEVEL_LABELS, LEVELS

NO_ACTION = "no action recorded"
NONE_RECORDED = "none recorded"
GREY = "#DDDDDD"

# --------------------------------------------------------------------------- commitment levels (issue 14)

LEVEL_COLOURS = {
    "bound": "#0072B2",
    "ratified_not_in_force": "#56B4E9",
    "implemented": "#009E73",
    "committed": "#E69F00",
    "signed": "#F0E442",
    "participating": "#CC79A7",
    "withdrawn": "#D55E00",
}
DATE_KNOWN = "date known"
DATE_UNKNOWN = "date unknown (listed without a date)"


def level_label(level) -> str:
    """The legend entry of a status level ("bound (in force for the party)"), or no action recorded."""
    return LEVEL_LABELS.get(level, NO_ACTION) if isinstance(level, str) else NO_ACTION


def level_legend() -> tuple[list[str], list[str]]:
    """(domain, colours) of the commitment-level map, strongest first, then no action recorded."""
    return [LEVEL_LABELS[lv] for lv in LEVELS] + [NO_ACTION], [LEVEL_COLOURS[lv] for lv in LEVELS] + [GREY]


def date_label(date_known) -> str:
    return DATE_UNKNOWN if date_known is False else DATE_KNOWN


# --------------------------------------------------------------------------- norm evidence ladder (issue 13)

RUNG_COLOURS = {1: "#0072B2", 2: "#009E73", 3: "#56B4E9", 4: "#E69F00", 5: "#F0E442"}
ONLY_AGAINST = "only qualifying or rejecting evidence"
ONLY_AGAINST_COLOUR = "#D55E00"
REJECTING = "rejecting evidence recorded"
NO_REJECTING = "no rejecting evidence"


def rung_label(level, supported: bool = True) -> str:
    """ "1 binding" ... "5 consensus", or the entry for parties without supporting evidence."""
    if level is None or (isinstance(level, float) and math.isnan(level)):
        return NONE_RECORDED
    if not supported:
        return ONLY_AGAINST
    return f"{int(level)} {LEVEL_NAMES[int(level)]}"


def rung_legend() -> tuple[list[str], list[str]]:
    """(domain, colours) of the norm map: the five rungs in words, then the parties without support."""
    domain = [rung_label(k) for k in LEVEL_NAMES] + [ONLY_AGAINST, NONE_RECORDED]
    return domain, [RUNG_COLOURS[k] for k in LEVEL_NAMES] + [ONLY_AGAINST_COLOUR, GREY]


# --------------------------------------------------------------------------- alignment readings (issue 15)

READING_COLOURS = {
    "strongly aligned": "#0072B2",
    "aligned": "#56B4E9",
    "mixed": "#F0E442",
    "opposed": "#D55E00",
}


def reading_legend(scale: str = "kappa") -> tuple[list[str], list[str]]:
    """(domain, colours) of an alignment map, from tracker.analytics.readings.legend: one entry per
    reading with its band ("aligned (0.2 to 0.6)"), then not enough evidence."""
    from tracker.analytics.readings import NO_EVIDENCE

    entries = _reading_entries(scale)
    return [e for _r, e in entries] + [NO_EVIDENCE], [READING_COLOURS[r] for r, _e in entries] + [GREY]


def reading_entry(score, scale: str = "kappa") -> str:
    """The legend entry of a score: its reading with the band, or not enough evidence."""
    from tracker.analytics.readings import reading

    word = reading(None if score is None or (isinstance(score, float) and math.isnan(score)) else score, scale)
    return dict(_reading_entries(scale)).get(word, word)


def _reading_entries(scale: str) -> list[tuple[str, str]]:
    from tracker.analytics.readings import legend

    rows = legend(scale)
    out = []
    for i, (word, low, high) in enumerate(rows):
        if i == 0:
            band = f">= {low:g}"
        elif i == len(rows) - 1:
            band = f"< {high:g}"
        else:
            band = f"{low:g} to {high:g}"
        out.append((word, f"{word} ({band})"))
    return out


# --------------------------------------------------------------------------- predicted votes (issue 15)

VOTE_COLOURS = {"yes": "#0072B2", "no": "#D55E00", "abstain": "#E69F00"}


def certainty(p: float) -> str:
    """How sure a predicted vote is (tracker.analytics.readings.vote_certainty: one definition)."""
    from tracker.analytics.readings import vote_certainty

    return vote_certainty(p)


def unsure() -> float:
    """Below this probability a predicted vote is a low-confidence guess (drawn faded)."""
    from tracker.analytics.readings import UNSURE

    return UNSURE
