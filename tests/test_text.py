"""Control characters: found in any text, and shown as visible escapes (tracker.text)."""

from __future__ import annotations

import pytest

from tracker.text import control_char_problem, has_control_chars, printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("note\x1b[1A\x1b[2K forged", "note\\x1b[1A\\x1b[2K forged"),
        ("a\nb\rc\td", "a\\x0ab\\x0dc\\x09d"),
        ("\x00\x7f\x85", "\\x00\\x7f\\x85"),
        ("left \u202eright\u2066", "left \\u202eright\\u2066"),
        ("para\u2029graph", "para\\u2029graph"),
    ],
)
def test_control_characters_are_found_and_made_visible(text, shown):
    assert has_control_chars(text)
    assert printable(text) == shown
    assert not has_control_chars(printable(text))


@pytest.mark.parametrize("text", ["", "Côte d'Ivoire", "Türkiye", "São Tomé", "مصر\u200f", "עברית", "x\u200dy", "日本"])
def test_ordinary_text_is_left_alone(text):
    assert not has_control_chars(text)
    assert printable(text) == text
    assert control_char_problem(text) is None


def test_the_problem_names_the_character_and_its_position():
    assert (
        control_char_problem("ab\x1bc\nd")
        == "contains a control character (U+001B ESC) at position 3; not allowed in text"
    )
