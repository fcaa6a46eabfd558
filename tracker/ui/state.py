"""What the user chose on each page, kept in the session and in the page address, so every view can
be shared or bookmarked as a link and reopens exactly (``/compare?parties=USA,RUS&group=eu``).

Each control of a page is bound to one query parameter; :data:`PARAMS` lists them all. The rules:

- **A link wins once.** An address value that this control has not seen before (a link just
  opened, a "propose a change" link, back and forward) sets the control. A value that is not
  valid there is named in a warning, shown as plain text, and the control keeps its value.
- **Otherwise the choice is kept**, across reruns and page switches, in a slot named after the
  parameter. Controls on different pages that use the same parameter share it, and only those:
  ``party`` is the country that Country profile, Gaps and the Overview's alignment map are about,
  while Compare keeps its own ``parties``. A cleared list stays cleared (``?parties=``): the
  default is only for a control that was never set.
- **The address follows the controls.** After a control is drawn its value is written back; at the
  end of a page run the parameters of this module that the page did not draw are removed, so
  the address holds exactly what the page shows.

Streamlit's own ``bind="query-params"`` is not used: it writes the displayed label instead of the
id ("United States (USA)" for USA), cannot share a choice between pages and does not resolve
``?bloc=AU`` or ``?party=India``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from tracker.ui.text import md

PARAMS = {
    "party": "the country a page is about (Country profile, Gaps, Overview alignment map, Curation, norm "
    "evidence): "
    "a code, name or alias",
    "parties": "Compare: two to four parties, e.g. USA,RUS (empty when cleared)",
    "group": "Compare: a group to add (id, acronym or name: eu, AU, nato)",
    "bloc": "Gaps: the group to compare the party against",
    "against": "Gaps: group or party",
    "ref": "Gaps: the reference party",
    "min_share": "Gaps: the share of the bloc that must have adopted an instrument (0.05 to 1)",
    "tab": "Country profile, Gaps: the open tab",
    "mode": "Overview: adoption or alignment",
    "instrument": "Overview, Gaps (next adopters), Curation: an instrument id",
    "basis": "Overview alignment map, Blocs: votes, combined or adoptions",
    "topic": "Country profile, Compare, Blocs, Overview alignment map: cyber or all votes",
    "as_of": "Overview and an instrument's page: the day of the state of play (absent: today)",
    "window": "Overview: months of recent changes",
    "q": "Catalogue: the search text",
    "pillar": "Catalogue facet",
    "kind": "Catalogue facet",
    "cluster": "Catalogue facet (value cluster)",
    "body": "Catalogue facet",
    "stance": "Catalogue facet",
    "item": "Catalogue: the open entry (an instrument or norm id)",
    "method": "Blocs: hierarchical or louvain",
    "resolution": "Blocs: the resolution whose votes are predicted",
    "yes": "Blocs: votes known to be yes (party codes)",
    "no": "Blocs: votes known to be no",
    "abstain": "Blocs: votes known to be abstentions",
    "filter": "Sources: the filter text",
    "table": "Curation history: the table",
    "key": "Curation history: key contains",
}

_SEEN = "_link_seen"  # control key -> the address text it last read or wrote
_SLOTS = "_link_slots"  # parameter -> the value chosen (shared by the controls of one parameter)
_BOUND = "_link_bound"  # parameters bound during this page run


class BadLinkValue(ValueError):
    """An address value a control cannot show (the message says why, for the user)."""


def _session() -> Any:
    return st.session_state


def _raw(param: str, sep: str | None) -> str | None:
    """The address value as one text (repeated parameters joined by a newline); None when absent."""
    if param not in st.query_params:
        return None
    values = st.query_params.get_all(param)
    return "\n".join(values) if sep is None else sep.join(values)


def split(raw: str, sep: str | None) -> list[str]:
    """A list parameter's items: ``USA,RUS`` (sep ",") or repeated parameters (sep None)."""
    parts = raw.split("\n") if sep is None else raw.replace("\n", sep).split(sep)
    return [p.strip() for p in parts if p.strip()]


def restore(
    key: str,
    param: str,
    *,
    decode: Callable[[str], Any],
    encode: Callable[[Any], str | None],
    default: Any,
    sep: str | None = ",",
) -> Any:
    """The value control ``key`` shows on this run (see the module rules).

    ``decode`` turns address text into a value or raises :class:`BadLinkValue`; ``encode`` turns a
    value into address text (None: leave the parameter out, e.g. today's date).
    """
    assert param in PARAMS, f"add {param!r} to tracker.ui.state.PARAMS"
    ss = _session()
    seen = ss.setdefault(_SEEN, {})
    slots = ss.setdefault(_SLOTS, {})
    raw = _raw(param, sep)
    if raw is not None and raw != seen.get(key):
        seen[key] = raw
        ours = param in slots and raw == encode(slots[param])  # our own choice, carried from another page
        try:
            value = decode(raw)
        except BadLinkValue as exc:
            if not ours:
                show_link_problem(param, raw, str(exc))
        else:
            for items, why in _take_partial_problems():
                if not ours:
                    show_link_problem(param, items, why)
            return value
    if param in slots:
        text = encode(slots[param])
        if text is None:
            return default
        try:
            return decode(text)  # still valid on this page
        except BadLinkValue:
            pass
        finally:
            _take_partial_problems()
    return default


_PARTIAL = "_link_partial"  # problems with some items of a list value, reported by list_decoder


def _take_partial_problems() -> list[tuple[str, str]]:
    return _session().pop(_PARTIAL, [])


def remember(param: str, value: Any) -> None:
    """Keep a chosen value for every control of ``param`` (widget callbacks and page code)."""
    _session().setdefault(_SLOTS, {})[param] = value


def remembered(param: str, default: Any = None) -> Any:
    return _session().setdefault(_SLOTS, {}).get(param, default)


def keep(key: str, param: str, value: Any, *, encode: Callable[[Any], str | None], sep: str | None = ",") -> None:
    """Remember the value a control shows and write it to the address."""
    ss = _session()
    remember(param, value)
    ss.setdefault(_BOUND, set()).add(param)
    text = encode(value)
    seen = ss.setdefault(_SEEN, {})
    if text is None:
        seen[key] = None
        if param in st.query_params:
            del st.query_params[param]
        return
    if _raw(param, sep) != text:
        st.query_params[param] = text.split("\n") if sep is None and "\n" in text else text
    seen[key] = text


def begin_run() -> None:
    """Called by tracker.ui.main before a page runs: nothing is bound yet."""
    _session()[_BOUND] = set()


def end_run() -> None:
    """Called by tracker.ui.main after a page ran (even when it stopped early): the parameters of
    this module that the page did not bind are removed from the address."""
    bound = _session().get(_BOUND, set())
    for param in [p for p in st.query_params if p in PARAMS and p not in bound]:
        del st.query_params[param]


def show_link_problem(param: str, raw: str, why: str) -> None:
    st.warning(md(f"The link's {param}={raw!r} was not used: {why}"))


# --------------------------------------------------------------------------- decoders and encoders


def choice_decoder(options: Sequence[Any], resolve: Callable[[str], Any] | None = None, what: str = "value"):
    """A decoder for one of ``options`` (ids), or what ``resolve`` makes of the text."""
    allowed = {str(o): o for o in options}

    def decode(raw: str) -> Any:
        text = raw.strip()
        if text in allowed:
            return allowed[text]
        found = resolve(text) if resolve else None
        if found is not None and str(found) in allowed:
            return allowed[str(found)]
        raise BadLinkValue(f"not a known {what} here")

    return decode


def list_decoder(
    options: Sequence[Any],
    resolve: Callable[[str], Any] | None = None,
    what: str = "value",
    *,
    sep: str | None = ",",
    limit: int | None = None,
):
    """A decoder for a list of ``options``: unknown items are named in a warning and left out."""
    one = choice_decoder(options, resolve, what)

    def decode(raw: str) -> list[Any]:
        out: list[Any] = []
        bad: list[str] = []
        for item in split(raw, sep):
            try:
                value = one(item)
            except BadLinkValue:
                bad.append(item)
                continue
            if value not in out:
                out.append(value)
        if bad:
            _session().setdefault(_PARTIAL, []).append((", ".join(bad), f"not a known {what}"))
        return out[:limit] if limit else out

    return decode


def list_encoder(sep: str | None = ","):
    return lambda values: ("\n" if sep is None else sep).join(map(str, values))
