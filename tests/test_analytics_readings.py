"""Plain-language readings of scores: one definition of the bands."""

from __future__ import annotations

import math

import pytest

from tracker.analytics.readings import BANDS, legend, legend_text, reading


@pytest.mark.parametrize(
    "score, scale, expected",
    [
        (0.75, "kappa", "strongly aligned"),
        (0.6, "kappa", "strongly aligned"),
        (0.42, "kappa", "aligned"),
        (0.0, "kappa", "mixed"),
        (-0.2, "kappa", "mixed"),
        (-0.21, "kappa", "opposed"),
        (0.42, "combined", "aligned"),
        (0.95, "agreement", "strongly aligned"),
        (0.8, "agreement", "aligned"),
        (0.6, "agreement", "mixed"),
        (0.3, "agreement", "opposed"),
        (None, "kappa", "not enough evidence"),
        (math.nan, "agreement", "not enough evidence"),
    ],
)
def test_reading(score, scale, expected):
    assert reading(score, scale) == expected


def test_legend_comes_from_the_same_bands():
    rows = legend("kappa")
    assert [r[0] for r in rows] == ["strongly aligned", "aligned", "mixed", "opposed"]
    assert [r[1] for r in rows[:-1]] == list(BANDS["kappa"])
    for label, low, high in rows:
        assert reading((low + high) / 2) == label
    assert legend_text() == "strongly aligned >= 0.6; aligned 0.2 to 0.6; mixed -0.2 to 0.2; opposed < -0.2"


def test_unknown_scale_is_an_error():
    with pytest.raises(ValueError, match="unknown score 'vibes'"):
        reading(0.5, "vibes")
