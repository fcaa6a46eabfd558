"""Text that is safe to show: control characters found, and made visible before printing.

A terminal obeys control characters: an escape sequence moves the cursor and rewrites what was
shown, a carriage return or newline starts a line over, and bidirectional overrides reorder what a
reader sees. A reviewer could then read a diff that is not the one they approve. So free text
(catalogue cells, proposals, imports) may not carry them, and whatever is printed goes through
``printable`` first.

A tab is tolerated inside text: it only moves the cursor forward and cannot rewrite anything
(a cell *starting* with a tab is refused elsewhere, as a spreadsheet-formula risk).
"""

from __future__ import annotations

import re

# C0 controls but tab, DEL, C1 controls; line and paragraph separators; the bidirectional
# embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI). The plain direction
# marks (LRM, RLM, ALM) stay allowed: Arabic and Hebrew text uses them and they reorder nothing else.
CONTROL_PATTERN = "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_CONTROL = re.compile(CONTROL_PATTERN)


def has_control_chars(s: str) -> bool:
    """Whether ``s`` holds a character that could change what a terminal or a reader shows."""
    return _CONTROL.search(s) is not None


def first_control_char(s: str) -> tuple[int, str] | None:
    """(0-based position, escaped form) of the first control character in ``s``, or None."""
    m = _CONTROL.search(s)
    return (m.start(), _escape(m)) if m else None


def _escape(m: re.Match) -> str:
    ch = m.group()
    return {"\n": "\\n", "\r": "\\r"}.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def printable(s: str) -> str:
    """``s`` with every control character written as a visible escape (``\\x1b``, ``\\n``,
    ``\\u202e``), so printing it shows exactly what it holds."""
    return _CONTROL.sub(_escape, s)
