"""What the user chose, kept in the session across page switches and mirrored in the page address
so a view can be shared as a link (``?parties=USA,RUS``, ``?item=…``, ``?group=eu``, ``?as_of=…``).

``init`` seeds the session from the address once per session; ``tracker.ui.main`` calls it before
every page (the getters call it too, so a page run on its own behaves the same).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import streamlit as st

PARTIES_KEY = "parties"  # the shared party selection: session_state[PARTIES_KEY] and ?parties=A,B
INSTRUMENT_KEY = "item"  # the open catalogue entry: ?item=<instrument id>


def init() -> None:
    """Seed the shared selection and the open catalogue entry from the address (once per session)."""
    if PARTIES_KEY not in st.session_state:
        st.session_state[PARTIES_KEY] = [x.upper() for x in url_list(PARTIES_KEY)]
    if INSTRUMENT_KEY not in st.session_state:
        st.session_state[INSTRUMENT_KEY] = url_value(INSTRUMENT_KEY)


def url_value(key: str, default: str = "") -> str:
    return st.query_params.get(key, default)


def url_list(key: str) -> list[str]:
    """A comma-separated address value as a list (``?parties=USA,RUS``)."""
    return [x.strip() for x in url_value(key).split(",") if x.strip()]


def sync_url(**values: Any) -> None:
    """Mirror shareable state into the address (a list becomes A,B; None or empty removes the key)."""
    for key, value in values.items():
        text = ",".join(value) if isinstance(value, list | tuple) else (str(value) if value else "")
        if text:
            if st.query_params.get(key) != text:
                st.query_params[key] = text
        elif key in st.query_params:
            del st.query_params[key]


def selected_parties(known: Collection[str]) -> list[str]:
    """The parties selected anywhere in the app that are in ``known`` (codes), in selection order."""
    init()
    return [c for c in st.session_state[PARTIES_KEY] if c in known]


def set_selected_parties(codes: Sequence[str]) -> None:
    codes = list(dict.fromkeys(codes))
    st.session_state[PARTIES_KEY] = codes
    sync_url(parties=codes)


def open_item() -> str:
    """The catalogue entry open on the Catalogue page ('' for none)."""
    init()
    return st.session_state[INSTRUMENT_KEY]


def set_open_item(item: str) -> None:
    st.session_state[INSTRUMENT_KEY] = item


def seed_widget(widget_key: str, options: Sequence[Any], *, url_key: str | None = None, default: Any = None) -> None:
    """Give a selection widget its first value (once per session): the address value when it is
    one of ``options``, else ``default`` when it is, else the first option. The widget is then
    created with ``key=widget_key`` and no ``index``."""
    if widget_key in st.session_state or not options:
        return
    wanted = url_value(url_key) if url_key else ""
    for candidate in ([wanted] if wanted else []) + [default]:
        if candidate in options:
            st.session_state[widget_key] = candidate
            return
    st.session_state[widget_key] = options[0]
