"""Control characters: found in any text, and shown as visible escapes (tracker.text)."""

from __future__ import annotations

import pytest

from tracker.text import first_control_char, has_control_chars, printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("note\x1b[1A\x1b[2K forged", "note\\x1b[1A\\x1b[2K forged"),
        ("a\nb\rc", "a\\nb\\rc"),
        ("\x00\x7f\x85", "\\x00\\x7f\\x85"),
        ("left \u202eright\u2066", "left \\u202eright\\u2066"),
        ("para\u2029graph", "para\\u2029graph"),
    ],
)
def test_control_characters_are_found_and_made_visible(text, shown):
    assert has_control_chars(text)
    assert printable(text) == shown
    assert not has_control_chars(printable(text))


@pytest.mark.parametrize(
    "text", ["", "Côte d'Ivoire", "Türkiye", "São Tomé", "tab\tinside", "مصر\u200f", "עברית", "x\u200dy", "日本"]
)
def test_ordinary_text_is_left_alone(text):
    assert not has_control_chars(text)
    assert printable(text) == text
    assert first_control_char(text) is None


def test_first_control_char_names_position_and_escape():
    assert first_control_char("ab\x1bc\nd") == (2, "\\x1b")
