"""tracker.ui.text: data and user text reach Streamlit's markdown as text, never as markup."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tracker.ui.text import md, plain, web_url

HOSTILE = [
    "![x](http://evil.example/x.png)",
    "<img src='http://evil.example/i.png'>",
    "[click](http://evil.example/)",
    "<http://evil.example/auto>",
    "see www.evil.example or mail a@evil.example",
    ":material/home: :smile: :red[alarm] $x^2$",
    "# heading\n- list\n| a | b |",
]


def test_hostile_markdown_keeps_no_syntax():
    for text in HOSTILE:
        safe = md(text)
        assert "\n" not in safe
        assert not re.search(r"(?<!\\)[!\[\]()<>#|$`*_]", safe), safe  # every markup character escaped
        assert "http://" not in safe and "www." not in safe.lower()  # bare-URL autolinks broken
        assert ":material/" not in safe and "@e" not in safe


@given(st.text())
def test_the_text_reads_as_it_was_typed(text):
    assert plain(md(text)) == " ".join(text.replace("\u2060", "").splitlines())


def test_only_web_urls_become_links():
    assert web_url("https://www.coe.int/en/web/conventions") == "https://www.coe.int/en/web/conventions"
    for bad in ("javascript:alert(1)", "data:image/png;base64,xx", "http:// spaced", "ftp://x", "https://", ""):
        assert web_url(bad) is None, bad
