"""Text from users and from the data, shown through Streamlit's markdown as plain text.

Streamlit renders titles, captions, alerts, expander and widget labels as markdown, and markdown
can make the browser fetch a URL (an image, ``![x](http://…)``) or draw a link. Catalogue names,
descriptions and notes, proposal reasons and summaries, link values and error messages that quote
them go through :func:`md` before they are shown, so the app never requests anything from outside.
Links come only from the catalogue's own ``url`` columns, checked by :func:`web_url` and drawn as
links (never as images). Pure: no streamlit import.
"""

from __future__ import annotations

import re
from typing import Any

# Every ASCII punctuation character that markdown, GitHub-flavoured markdown or Streamlit's own
# directives (":material/icon:", ":red[text]", "$math$") give a meaning; CommonMark shows a
# backslash-escaped punctuation character literally.
_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:")


# Streamlit also turns bare URLs, e-mail addresses and ":material/icon:" or ":emoji:" directives
# in the *rendered* text into links and icons, after escapes are resolved: an invisible word
# joiner after ":" and "@" and inside "www." breaks those patterns without changing what is read.
_JOINER = "\u2060"


def md(value: Any) -> str:
    """``value`` as markdown that shows exactly its text: no image, link, HTML, emphasis, heading,
    list, table, maths or icon; line breaks become spaces."""
    text = "" if value is None else str(value)
    text = " ".join(text.splitlines()).replace(_JOINER, "")
    text = re.sub("(?i)www[.]", lambda m: m.group(0)[:3] + _JOINER + ".", text)
    out = []
    for ch in text:
        out.append("\\" + ch if ch in _SPECIAL else ch)
        if ch in ":@":
            out.append(_JOINER)
    return "".join(out)


def plain(markdown: str) -> str:
    """The text :func:`md` made safe, back as typed (for tests and for comparing)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(_JOINER, "")


def web_url(value: Any) -> str | None:
    """A catalogue URL that may be drawn as a link: http(s) with a host and no space; else None."""
    text = str(value or "").strip()
    if not text.lower().startswith(("http://", "https://")) or any(ch.isspace() for ch in text):
        return None
    host = text.split("://", 1)[1].split("/", 1)[0]
    return text if host and not host.startswith(("@", ":")) else None
