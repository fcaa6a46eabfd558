"""Reusable widgets: the shared party selection, the date slider, the map's frame, labels, exports.

The map spec itself is built by tracker.ui.maps (pure) through cache.map_spec; the session and
address state by tracker.ui.state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import streamlit as st

from tracker.catalogue import Catalogue, scope
from tracker.errors import TrackerError
from tracker.ui import cache, maps, state
from tracker.ui.text import md


def page_help(page: str) -> None:
    """The page's help (tracker.ui.help): the question it answers and how, and that links keep it."""
    from tracker.ui.help import LINKS, PAGE_HELP

    with st.expander("How this page answers its question"):
        st.markdown(PAGE_HELP[page])
        st.caption(LINKS)


# --------------------------------------------------------------------------- controls kept in the address
# Each takes the widget's label and keyword arguments plus ``key`` (the widget) and ``param`` (the
# query parameter, tracker.ui.state.PARAMS); the value comes from a link, the user's last choice or
# ``default`` (tracker.ui.state has the rules) and is written back to the address.


def stop() -> None:
    """st.stop() for a page that has drawn its controls: the address keeps only what it shows."""
    state.end_run()
    st.stop()


def _bound(widget, label, *, key, param, decode, encode, default, sep=",", on_change=None, **kwargs):
    value = state.restore(key, param, decode=decode, encode=encode, default=default, sep=sep)
    st.session_state[key] = value

    def changed() -> None:
        state.remember(param, st.session_state[key])
        if on_change is not None:
            on_change()

    chosen = widget(label, key=key, on_change=changed, **kwargs)
    state.keep(key, param, chosen, encode=encode, sep=sep)
    return chosen


def _text(value) -> str:
    return "" if value is None else str(value)


def select(
    label: str,
    options: Sequence,
    *,
    key: str,
    param: str,
    default=None,
    resolve=None,
    what: str = "value",
    radio: bool = False,
    **widget,
):
    """A selectbox (or ``radio=True``: radio buttons) over ids; ``resolve`` maps other link text
    (a name, an acronym) to an id."""
    options = list(options)
    fallback = default if default in options else (options[0] if options else None)
    return _bound(
        st.radio if radio else st.selectbox,
        label,
        key=key,
        param=param,
        decode=state.choice_decoder(options, resolve, what),
        encode=_text,
        default=fallback,
        options=options,
        **widget,
    )


def multiselect(
    label: str,
    options: Sequence,
    *,
    key: str,
    param: str,
    default: Sequence = (),
    resolve=None,
    what: str = "value",
    sep: str | None = ",",
    **widget,
) -> list:
    """A multiselect whose Enter adds the one best match (no "Select N matches" row, which made
    "India" + Enter add Indonesia and Saint Kitts and Nevis too); ``sep=None`` keeps the items as
    repeated parameters (for values with commas)."""
    options = list(options)
    limit = widget.get("max_selections")
    return _bound(
        st.multiselect,
        label,
        key=key,
        param=param,
        decode=state.list_decoder(options, resolve, what, sep=sep, limit=limit),
        encode=state.list_encoder(sep),
        default=[x for x in default if x in options][:limit] if limit else [x for x in default if x in options],
        sep=sep,
        options=options,
        select_all=False,
        **widget,
    )


def text_input(label: str, *, key: str, param: str, **widget) -> str:
    return _bound(st.text_input, label, key=key, param=param, decode=str, encode=str, default="", **widget)


def select_slider(label: str, options: Sequence, *, key: str, param: str, default, **widget):
    options = list(options)
    return _bound(
        st.select_slider,
        label,
        key=key,
        param=param,
        decode=state.choice_decoder(options),
        encode=str,
        default=default,
        options=options,
        **widget,
    )


def date_control(label: str, *, key: str, param: str, first: date, slider: bool = True, **widget) -> date:
    """A date from ``first`` to today (a slider, or a date input); in the address unless it is today."""
    today = date.today()

    def decode(raw: str) -> date:
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError as exc:
            raise state.BadLinkValue("not a date (YYYY-MM-DD)") from exc
        return min(max(day, first), today)

    def encode(day: date) -> str | None:
        return None if day == today else day.isoformat()

    if slider:
        widget.setdefault("format", "YYYY-MM-DD")
        return _bound(
            st.slider,
            label,
            key=key,
            param=param,
            decode=decode,
            encode=encode,
            default=today,
            min_value=first,
            max_value=today,
            **widget,
        )
    return _bound(
        st.date_input,
        label,
        key=key,
        param=param,
        decode=decode,
        encode=encode,
        default=today,
        min_value=first,
        max_value=today,
        **widget,
    )


def tabs(labels: dict[str, str], *, key: str, param: str = "tab"):
    """Tabs whose open tab is in the address (``?tab=<id>``); returns the tab containers in order."""
    by_label = {v: k for k, v in labels.items()}
    value = state.restore(
        key,
        param,
        decode=lambda raw: labels[state.choice_decoder(list(labels), what="tab")(raw)],
        encode=lambda label: by_label.get(label),
        default=next(iter(labels.values())),
    )
    st.session_state[key] = value
    containers = st.tabs(
        list(labels.values()),
        key=key,
        on_change=lambda: state.remember(param, st.session_state[key]),
    )
    state.keep(key, param, st.session_state.get(key, value), encode=lambda label: by_label.get(label))
    return containers


def open_entry(ids: set[str]) -> str:
    """The catalogue entry open on the Catalogue page (``?item=``, '' for none); set by a table row."""

    def decode(raw: str) -> str:
        if raw.strip() and raw.strip() not in ids:
            raise state.BadLinkValue("there is no such catalogue entry; pick one from the table")
        return raw.strip()

    item = state.restore("catalogue_item", "item", decode=decode, encode=str, default="")
    state.keep("catalogue_item", "item", item, encode=lambda x: x or None)
    return item


# --------------------------------------------------------------------------- party and group pickers


def party_label(cat: Catalogue):
    names = cat.party_names()
    return lambda code: f"{names.get(code, code)} ({code})"


def party_options(cat: Catalogue) -> list[str]:
    """Party codes sorted by name (states first, then the EU and others)."""
    p = cat.parties.sort_values(["name"])
    return p["code"].tolist()


def party_resolver(cat: Catalogue):
    from tracker.parties import PartyResolver

    return lambda text: PartyResolver(cat).resolve(text)  # built only for a link that is not a code


def pick_party(cat: Catalogue, label: str = "Country or party", *, key: str, default: str = "USA") -> str:
    """The country a page is about (``?party=``), shared by the pages that show one country; before
    one is chosen, the first party compared on Compare."""
    compared = state.remembered("parties") or []
    default = compared[0] if compared else default
    return select(
        label,
        party_options(cat),
        key=key,
        param="party",
        default=default,
        resolve=party_resolver(cat),
        what="party",
        format_func=party_label(cat),
    )


def pick_parties(
    cat: Catalogue,
    label: str,
    *,
    key: str,
    param: str = "parties",
    max_selections: int = 4,
    min_hint: int = 0,
    default: Sequence[str] = (),
) -> list[str]:
    """Several parties (``?parties=USA,RUS``); clearing them leaves them cleared."""
    chosen = multiselect(
        label,
        party_options(cat),
        key=key,
        param=param,
        default=default,
        resolve=party_resolver(cat),
        what="party",
        format_func=party_label(cat),
        max_selections=max_selections,
        help="Type a name and press Enter to add the best match. The selection is part of the page "
        "address, so you can share the view as a link.",
    )
    if len(chosen) < min_hint:
        st.info(f"Choose at least {min_hint} parties.")
    return chosen


def pick_group(cat: Catalogue, label: str, *, key: str, param: str, optional: bool = False, **widget) -> str:
    """A group selectbox ("European Union (eu)"); a link may name it by id, acronym or name."""
    groups = cat.groups.set_index("id")
    options = ([""] if optional else []) + groups.index.tolist()

    def resolve(text: str) -> str | None:
        try:
            return scope.resolve_group(cat, text)
        except scope.UnknownGroup:
            return None

    return select(
        label,
        options,
        key=key,
        param=param,
        default="" if optional else "eu",
        resolve=resolve,
        what="group",
        format_func=lambda g: "—" if not g else f"{groups.loc[g, 'name']} ({g})",
        **widget,
    )


def as_of_slider(cat: Catalogue, *, key: str = "as_of", label: str = "State of play on") -> date:
    """A date slider from the first dated adoption to today; in the URL as ?as_of=YYYY-MM-DD."""
    dated = cache.adoptions_dated(cat.version)["first_day"].dropna()
    first = dated.min().date().replace(month=1, day=1) if len(dated) else date(1990, 1, 1)
    return date_control(
        label,
        key=key,
        param="as_of",
        first=first,
        help="Statuses are derived from the dated actions up to this day; a year-only "
        "date counts from the last day of that year.",
    )


# --------------------------------------------------------------------------- the map


def show_map(spec: dict, *, key: str | None = None) -> None:
    st.vega_lite_chart(spec=spec, width="stretch", key=key)


def map_notes(cat: Catalogue, frame: pd.DataFrame, color: str) -> None:
    """The parties with no shape on the map (the EU, former states), with their value."""
    rows = frame[frame["code"].isin(maps.shapeless(cache.party_geo(cat.version)))]
    names = cat.party_names()
    notes = [f"**{md(names.get(c, c))}** ({md(c)}): {md(v)}" for c, v in zip(rows["code"], rows[color], strict=True)]
    text = ("Not drawn on the map (no polygon): " + "; ".join(notes) + ". ") if notes else ""
    st.caption(
        text + "Small states without a 110m polygon (e.g. Singapore, Malta, the Holy See) are circles; "
        "Kosovo (XKX) is matched to its own Natural Earth feature. Light grey outlines are "
        "territories that are not parties in the catalogue. Map: Natural Earth 110m via world-atlas "
        "(ISC licence), shipped with the app."
    )


# --------------------------------------------------------------------------- labels, empty states, exports


def evidence(n: int, what: str) -> str:
    return f"{n:,} {what}"


def empty_state(message: str) -> None:
    st.info(message, icon="ℹ️")


EXPORT_FORMATS = ("csv", "xlsx", "json", "md", "pdf", "pack")  # tracker.export.FORMATS, not imported (a test checks)
EXPORT_LABELS = {"pack": "Pack: PDF + XLSX + JSON (ZIP)"}
EXPORT_NOTE = (
    "CSV and XLSX neutralise text cells that start with = + - @, tab, CR or LF (safe to open in a "
    "spreadsheet); JSON and Markdown carry the text unmodified for machines and readers."
)


def export_spot(label: str, *, key: str, kind: str, formats: Sequence[str] | None = None, **params) -> None:
    """Download buttons for one export (tracker.export): prepared on request, rendered on click.

    ``kind`` is one of tracker.export.BUILDERS (brief, bloc, compare, adoptions, votes); ``params``
    are the builder's keyword arguments. Preparing runs in a fragment, so the page does not
    rerun and a page switch never waits for an export.
    """
    formats = list(formats or EXPORT_FORMATS)

    @st.fragment
    def spot() -> None:
        with st.container(border=True):
            st.markdown(f"**{md(label)}**")
            ready = st.session_state.get(f"{key}_ready") == params
            if not ready:
                if st.button("Prepare the download", key=f"{key}_prepare"):
                    st.session_state[f"{key}_ready"] = params
                    ready = True
                else:
                    st.caption("Formats: " + ", ".join(f.upper() for f in formats) + ". " + EXPORT_NOTE)
                    return
            from tracker import export  # imported on request: fpdf2 and openpyxl take a while to load

            try:
                report = cache.export_report(cache.get_catalogue().version, kind, cache.freeze(params))
            except TrackerError as exc:  # NoDataError / ExportError: one-line reason, never an empty file
                st.info(f"Nothing to export: {md(exc)}")
                return
            cols = st.columns([2 if f == "pack" else 1 for f in formats])
            for col, fmt in zip(cols, formats, strict=True):
                col.download_button(
                    EXPORT_LABELS.get(fmt, fmt.upper()),
                    data=_renderer(report, fmt),
                    file_name=export.filename(report, fmt),
                    mime=export.MEDIA_TYPES.get(fmt),
                    key=f"{key}_{fmt}",
                    on_click="ignore",
                )
            st.caption(f"As of {report.as_of} · catalogue {report.catalogue_version} · {EXPORT_NOTE}")

    spot()


def _renderer(report, fmt: str):
    from tracker import export

    return lambda: export.render(report, fmt)


def text_or(values: pd.Series, default: str = "") -> pd.Series:
    """Text values with missing ones replaced (safe whatever dtype a merge left behind)."""
    return pd.Series([x if isinstance(x, str) else default for x in values], index=values.index, dtype=object)


def instrument_label(cat: Catalogue):
    names = scope.instrument_labels(cat)
    return lambda i: names.get(i, i)


def propose_change_link(**prefill: str) -> None:
    """A link to the Curation page with this instrument or party already chosen."""
    st.page_link(
        "tracker/ui/pages/curation.py",
        label="Propose a change to this data (needs a sign-in; a second person reviews it)",
        query_params=prefill,
    )
