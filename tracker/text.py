"""Free text that is safe to store and to print: no control characters, no bidi overrides.

A note or a reason that holds ESC, CR/LF or a right-to-left override can move a terminal's
cursor or reorder what a reviewer sees, and so forge a diff. Such text is refused where it is
entered (``has_control_chars``) and escaped wherever it is printed (``printable``).
"""

from __future__ import annotations

import re

# C0 (incl. TAB, CR, LF, ESC), DEL, C1 (incl. CSI U+009B), the Unicode line and paragraph
# separators, and the bidi embeddings, overrides and isolates (the "Trojan Source" set).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CONTROL_PATTERN = _CONTROL.pattern  # the same set, for vectorised checks (pandas ``str.contains``)

_NAMES = {
    "\t": "TAB",
    "\n": "LF",
    "\r": "CR",
    "\x1b": "ESC",
    "\x7f": "DEL",
    "\x9b": "CSI",
    "\u2028": "LINE SEPARATOR",
    "\u2029": "PARAGRAPH SEPARATOR",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}


def has_control_chars(text: str | None) -> bool:
    """Whether ``text`` holds a control character or a bidi override (refused in free text)."""
    if not text:
        return False
    return _CONTROL.search(text) is not None


def control_char_problem(text: str | None) -> str | None:
    """A one-line description of the first control character in ``text`` (None if there is none),
    e.g. "contains a control character (U+001B ESC) at position 5"."""
    found = _CONTROL.search(text or "")
    if found is None:
        return None
    ch = found.group()
    name = _NAMES.get(ch, "control")
    return f"contains a control character (U+{ord(ch):04X} {name}) at position {found.start() + 1}; not allowed in text"


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text) -> str:
    """``text`` with every control character and bidi override shown as an escape (``\\x1b``,
    ``\\u202e``), so printing it can never move the cursor or reorder a line."""
    return _CONTROL.sub(_escape, "" if text is None else str(text))


def json_escaped(json_text: str) -> str:
    """A document from ``json.dumps`` with the control characters and bidi overrides it left raw
    (DEL, C1, separators, overrides: it escapes only C0 itself) written as ``\\uXXXX``: the same
    values, and safe on a terminal. Line breaks of an indented document are kept."""
    return _CONTROL.sub(lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}", json_text)
