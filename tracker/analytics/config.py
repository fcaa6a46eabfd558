"""One analysis configuration: which votes, which window, which bloc method and thresholds.

The app, the CLI and the exports build one ``AnalysisConfig`` and hand it to the analytics, so
the same question gives the same answer everywhere; every output prints ``describe()``.
The defaults were chosen on evidence (``benchmarks/blocs_validation.py``, results in
``benchmarks/RESULTS.md``, section "Blocs and swing states: validation"):

- ``topic="all"``: blocs from every recorded plenary vote. The 12 contested cyber votes of
  2018-2023 alone give blocs that fall apart under resampling (bootstrap ARI about 0.5-0.7);
  blocs from all votes are stable (about 0.9) and explain the cyber votes themselves better
  (share of votes cast with the bloc's majority).
- ``method="hierarchical"`` (average linkage on 1 - kappa), ``n_blocs=None``: the number of
  blocs is the largest of 2..6 whose every bloc is stable under bootstrap resampling of the
  votes (mean Jaccard >= ``STABLE_JACCARD``, Hennig 2007); Louvain cannot resample within the
  1 s budget and agreed less with the sponsor camps.
- ``min_votes=10``: a pair needs 10 co-votes for a kappa (fewer is noise).
- ``min_share=0.3``: a gap is an instrument at least 30% of the bloc adopted, so a bloc's own
  instruments show (Kenya against the AU shows the Malabo Convention: 17 of 55 ratified).
- ``placement=0.7``: a member placed with its bloc in fewer than 70% of resamples is uncertain.
- ``swing_confidence=0.5``: a swing state needs evidence worth at least 0.5 (see
  ``tracker.analytics.blocs.swing_states``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from tracker.catalogue.scope import TOPIC_CHOICES
from tracker.dates import to_date
from tracker.errors import InvalidInput

METHODS = ("hierarchical", "louvain")
BASES = ("votes", "combined", "adoptions")
MAX_BLOCS = 20
STABLE_JACCARD = 0.75  # Hennig (2007): a cluster recovered with mean Jaccard >= 0.75 is stable


class _Unset:
    """Marks a keyword argument that was not given: the configuration's value is used."""

    def __repr__(self) -> str:
        return "<from config>"


UNSET = _Unset()


def share_setting(name: str, value) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a number between 0 and 1, got {value!r}") from None
    if not (math.isfinite(x) and 0 <= x <= 1):
        raise InvalidInput(f"{name} must be between 0 and 1 (a share), got {value!r}")
    return x


@dataclass(frozen=True)
class AnalysisConfig:
    """What an analysis reads and the thresholds it applies (defaults: see the module docstring)."""

    topic: str = "all"  # all | cyber | digital | a resolution topic
    since: str | None = None  # first day counted (YYYY, YYYY-MM or YYYY-MM-DD), None = all
    as_of: str | None = None  # last day counted, None = today
    method: str = "hierarchical"
    n_blocs: int | None = None  # None = the largest stable number (2..6)
    basis: str = "votes"  # what blocs are built from: votes | combined | adoptions
    min_votes: int = 10  # co-votes a pair needs for a kappa
    min_share: float = 0.3  # gaps: share of the bloc that adopted an instrument
    placement: float = 0.7  # a member placed with its bloc in fewer resamples is uncertain
    swing_confidence: float = 0.5  # evidence a swing state needs
    n_boot: int = 30  # bootstrap resamples of the votes
    seed: int = 0

    def __post_init__(self):
        if not isinstance(self.topic, str) or not self.topic.strip():
            raise InvalidInput(f"topic must be a name ({', '.join(TOPIC_CHOICES)} or a resolution topic)")
        for name in ("since", "as_of"):
            value = getattr(self, name)
            if value is not None:
                to_date(value)  # a bad date is a one-line BadDate
                object.__setattr__(self, name, str(value))
        if self.since and self.as_of and to_date(self.since) > to_date(self.as_of, end=True):
            raise InvalidInput(f"the window is empty: since {self.since} is after as_of {self.as_of}")
        if self.method not in METHODS:
            raise InvalidInput(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.basis not in BASES:
            raise InvalidInput(f"unknown basis {self.basis!r}; choose one of {', '.join(BASES)}")
        if self.n_blocs is not None and not (isinstance(self.n_blocs, int) and 2 <= self.n_blocs <= MAX_BLOCS):
            raise InvalidInput(f"the number of blocs must be between 2 and {MAX_BLOCS}, got {self.n_blocs!r}")
        if not isinstance(self.min_votes, int) or self.min_votes < 1:
            raise InvalidInput(f"min_votes must be a whole number >= 1, got {self.min_votes!r}")
        if not isinstance(self.n_boot, int) or not 0 <= self.n_boot <= 1000:
            raise InvalidInput(f"n_boot must be a whole number between 0 and 1000, got {self.n_boot!r}")
        for name in ("min_share", "placement", "swing_confidence"):
            object.__setattr__(self, name, share_setting(name, getattr(self, name)))

    def replace(self, **changes) -> AnalysisConfig:
        """A copy with ``changes`` applied (validated); arguments left UNSET are ignored."""
        given = {k: v for k, v in changes.items() if v is not UNSET}
        unknown = sorted(set(given) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise InvalidInput(f"unknown setting(s) {', '.join(unknown)}")
        return dataclasses.replace(self, **given) if given else self

    def window(self) -> str:
        if self.since and self.as_of:
            return f"{self.since} to {self.as_of}"
        if self.since:
            return f"since {self.since}"
        if self.as_of:
            return f"up to {self.as_of}"
        return "all dates"

    def describe(self) -> str:
        """One line every output prints: what was read and which thresholds applied."""
        votes = "all recorded votes" if self.topic == "all" else f"{self.topic} votes"
        blocs = f"{self.n_blocs}" if self.n_blocs else "auto (largest stable number)"
        return (
            f"{votes}, {self.window()}; blocs: {self.method} on {self.basis} kappa, {blocs}, "
            f"{self.n_boot} resamples (seed {self.seed}); min {self.min_votes} co-votes; "
            f"uncertain placement < {self.placement:.0%}; swing confidence >= {self.swing_confidence:.2f}; "
            f"gaps at >= {self.min_share:.0%} of the bloc"
        )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"description": self.describe()}


DEFAULT = AnalysisConfig()


def resolve(config: AnalysisConfig | None = None, **overrides) -> AnalysisConfig:
    """``config`` (default: ``DEFAULT``) with the keyword arguments a caller gave applied."""
    if config is not None and not isinstance(config, AnalysisConfig):
        raise InvalidInput(f"config must be an AnalysisConfig, got {type(config).__name__}")
    return (config or DEFAULT).replace(**overrides)
