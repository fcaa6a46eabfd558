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

# --------------------------------------------------------------------------- party and group pickers


def party_label(cat: Catalogue):
    names = cat.party_names()
    return lambda code: f"{names.get(code, code)} ({code})"


def party_options(cat: Catalogue) -> list[str]:
    """Party codes sorted by name (states first, then the EU and others)."""
    p = cat.parties.sort_values(["name"])
    return p["code"].tolist()


def selected_parties(cat: Catalogue) -> list[str]:
    """The parties selected anywhere in the app (session state, seeded from the address)."""
    return state.selected_parties(set(cat.parties["code"]))


def pick_parties(
    cat: Catalogue, label: str, *, max_selections: int = 4, min_hint: int = 0, default: Sequence[str] = ()
) -> list[str]:
    """A multiselect bound to the shared selection (survives page switches; in the URL)."""
    current = selected_parties(cat) or list(default)
    current = current[:max_selections]
    widget_key = f"_pick_{label}"
    st.session_state[widget_key] = current

    def changed() -> None:
        state.set_selected_parties(st.session_state[widget_key])

    chosen = st.multiselect(
        label,
        party_options(cat),
        key=widget_key,
        format_func=party_label(cat),
        max_selections=max_selections,
        on_change=changed,
        help="The selection is kept when you switch pages and is part of the page "
        "address, so you can share the view as a link.",
    )
    state.sync_url(parties=chosen)
    if len(chosen) < min_hint:
        st.info(f"Choose at least {min_hint} parties.")
    return chosen


def pick_party(cat: Catalogue, label: str = "Country or party", *, default: str = "USA") -> str:
    """A single-party selectbox bound to the first element of the shared selection."""
    current = selected_parties(cat)
    options = party_options(cat)
    first = current[0] if current else default
    widget_key = f"_one_{label}"
    st.session_state[widget_key] = first if first in options else options[0]

    def changed() -> None:
        code = st.session_state[widget_key]
        state.set_selected_parties([code, *[c for c in selected_parties(cat) if c != code]])

    code = st.selectbox(label, options, key=widget_key, format_func=party_label(cat), on_change=changed)
    if not current:
        st.session_state[state.PARTIES_KEY] = [code]
    state.sync_url(parties=selected_parties(cat) or [code])
    return code


def pick_group(cat: Catalogue, label: str, *, key: str, url_key: str, optional: bool = False, **widget) -> str:
    """A group selectbox ("European Union (eu)"), first set from ``?url_key=`` and mirrored there."""
    groups = cat.groups.set_index("id")
    options = ([""] if optional else []) + groups.index.tolist()
    state.seed_widget(key, options, url_key=url_key, default="" if optional else "eu")
    chosen = st.selectbox(
        label,
        options,
        key=key,
        format_func=lambda g: "—" if not g else f"{groups.loc[g, 'name']} ({g})",
        **widget,
    )
    state.sync_url(**{url_key: chosen or None})
    return chosen


def as_of_slider(cat: Catalogue, *, key: str = "as_of", label: str = "State of play on") -> date:
    """A date slider from the first dated adoption to today; in the URL as ?as_of=YYYY-MM-DD."""
    dated = cache.adoptions_dated(cat.version)["first_day"].dropna()
    first = dated.min().date().replace(month=1, day=1) if len(dated) else date(1990, 1, 1)
    today = date.today()
    if key not in st.session_state:
        raw = state.url_value(key)
        try:
            st.session_state[key] = min(max(date.fromisoformat(raw), first), today) if raw else today
        except ValueError:
            st.session_state[key] = today
    chosen = st.slider(
        label,
        min_value=first,
        max_value=today,
        key=key,
        format="YYYY-MM-DD",
        help="Statuses are derived from the dated actions up to this day; a year-only "
        "date counts from the last day of that year.",
    )
    state.sync_url(as_of=None if chosen == today else chosen.isoformat())
    return chosen


# --------------------------------------------------------------------------- the map


def show_map(spec: dict, *, key: str | None = None) -> None:
    st.vega_lite_chart(spec=spec, width="stretch", key=key)


def map_notes(cat: Catalogue, frame: pd.DataFrame, color: str) -> None:
    """The parties with no shape on the map (the EU, former states), with their value."""
    rows = frame[frame["code"].isin(maps.shapeless(cache.party_geo(cat.version)))]
    names = cat.party_names()
    notes = [f"**{names.get(c, c)}** ({c}): {v}" for c, v in zip(rows["code"], rows[color], strict=True)]
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


EXPORT_FORMATS = ("csv", "xlsx", "json", "md", "pdf")  # tracker.export.FORMATS, without importing it (a test checks)
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
            st.markdown(f"**{label}**")
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
                st.info(f"Nothing to export: {exc}")
                return
            cols = st.columns(len(formats))
            for col, fmt in zip(cols, formats, strict=True):
                col.download_button(
                    fmt.upper(),
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
