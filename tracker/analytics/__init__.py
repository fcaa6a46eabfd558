"""Analytics over a Catalogue: alignment, blocs, swing states, vote prediction, adoption gaps.

Pure pandas / numpy / scipy / networkx: no database, no UI. Every function takes a
``Catalogue`` and returns a DataFrame or a small dataclass. Public API (DESIGN.md section 4)::

    from tracker import analytics
    analytics.alignment(cat, basis="combined", as_of=None)        # party x party DataFrame
    analytics.predict_votes(cat, "A/RES/74/247", known={"USA": "no"}, as_of=None)
"""

from tracker.analytics.alignment import (
    AlignmentTables,
    GroupAlignment,
    PairAlignment,
    alignment,
    alignment_tables,
    group_alignment,
    group_members,
    pair_alignment,
    partners,
)
from tracker.analytics.backtest import CONTESTED, BacktestResult, run_backtest
from tracker.analytics.blocs import BlocResult, axis, blocs
from tracker.analytics.config import AnalysisConfig
from tracker.analytics.gaps import backtest_next_adopters, gaps, next_adopters
from tracker.analytics.predict import UnknownResolution, predict_votes
from tracker.analytics.readings import reading
from tracker.analytics.swing import bloc_events, swing_states
from tracker.analytics.votes import NotEnoughEvidence, vote_matrix

__all__ = [
    "CONTESTED",
    "AlignmentTables",
    "AnalysisConfig",
    "BacktestResult",
    "BlocResult",
    "GroupAlignment",
    "NotEnoughEvidence",
    "PairAlignment",
    "UnknownResolution",
    "alignment",
    "alignment_tables",
    "axis",
    "backtest_next_adopters",
    "bloc_events",
    "blocs",
    "gaps",
    "group_alignment",
    "group_members",
    "next_adopters",
    "pair_alignment",
    "partners",
    "predict_votes",
    "reading",
    "run_backtest",
    "swing_states",
    "vote_matrix",
]
