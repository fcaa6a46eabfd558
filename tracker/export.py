"""Exports for a briefing pack: bloc summaries, country briefs, comparisons and raw tables -> bytes.

Two layers, so the CLI and the app's download buttons share one code path:

1. **Builders** turn a :class:`~tracker.catalogue.Catalogue` into a neutral :class:`Report`
   (title, subtitle, as-of date, method, catalogue version, sections of text and/or a table,
   an optional bar chart, numbered sources): :func:`bloc_summary`, :func:`country_brief`,
   :func:`comparison`, and the raw tables :func:`adoptions_table`, :func:`alignment_table`,
   :func:`votes_table`. A bloc with no members, a party with no data or a filter that
   matches nothing raises :class:`NoDataError` (a ``ValueError``) with a one-line reason:
   no format ever gets an empty file.
2. **Writers** turn a Report into bytes, one function per format: :func:`to_csv`,
   :func:`to_xlsx`, :func:`to_json`, :func:`to_markdown`, :func:`to_pdf`; :func:`render`
   dispatches on a format name and :data:`MEDIA_TYPES` gives MIME types for downloads.

Every export carries the as-of date, the method and the catalogue version (``cat.version``),
plus the date it was generated. Text is UTF-8 everywhere (CSV with a byte-order mark so that
spreadsheet programs read "Côte d'Ivoire" correctly); the PDF embeds DejaVu Sans
(``tracker/assets/fonts``, licence beside it) so non-ASCII names print on any machine.

Spreadsheet safety
------------------
CSV and XLSX are opened in spreadsheet programs, which execute cells that look like formulas
(OWASP "CSV injection"). Both writers neutralise every *text* cell that begins with ``=``,
``+``, ``-``, ``@``, tab, CR or LF by prefixing a single quote (``'=1+2``); numbers and
booleans stay typed values (``-0.25`` is written as a number, not neutralised). JSON and
Markdown are for machines and readers respectively and carry the text unmodified, as does
the raw data package (``catalogue/``).

CSV layout (RFC 4180)
---------------------
One CSV holds one rectangular table, and a report has several, so a report's CSV is a
sequence of blocks, every record padded to the same number of fields (RFC 4180 section 2.4),
CRLF line ends, fields quoted only when needed, UTF-8 with BOM::

    report,<kind>                      metadata block: one key,value record each for
    title,<title>                      report, title, subtitle, generated, as_of,
    ...                                catalogue_version, method, then param.<name>
    <empty record>
    <section title>                    per section: its title alone in the first field,
    <text paragraph>                   each paragraph of its text, the header record and the
    <header>                           rows of its table (machine column names), its notes,
    <rows...>                          and an empty record
    <empty record>
    Chart: <title> / label,value       the chart's data, when the report has a chart
    Sources / ref,id,title,...         the numbered sources, always last

A single-table raw export (``adoptions``, ``votes``, ``alignment``) has the same layout;
use JSON (or the XLSX sheet) to load one table without the framing.

JSON shape (stable keys, in this order)
---------------------------------------
::

    {
      "schema": "cyber-norms-tracker/export@1",
      "kind": "bloc_summary" | "country_brief" | "comparison" | "adoptions" | "votes" | "alignment",
      "title": str, "subtitle": str,
      "generated": "YYYY-MM-DD", "as_of": "YYYY-MM-DD",
      "method": str, "catalogue_version": str,
      "parameters": {str: str | [str] | null},            # what the report was built from
      "sections": [
        {"key": str, "title": str, "text": str, "notes": str,
         "columns": [str] | null,                         # null for a text-only section
         "rows": [{column: str | int | float | bool | null}] | null}
      ],
      "chart": {"title": str, "labels": [str], "values": [number], "highlight": [bool],
                "value_format": "percent" | "count" | "decimal", "max_value": number | null,
                "note": str} | null,
      "sources": [{"ref": int, "id": str, "title": str, "publisher": str, "url": str,
                   "as_of": str}]
    }

Values are the raw data (no spreadsheet neutralisation), missing values are ``null``,
rates are fractions between 0 and 1, and ``source_id`` cells hold catalogue source ids
(several separated by ``;``) that appear in ``sources``.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracker.catalogue import Catalogue
from tracker.catalogue.rules import FORMULA_START
from tracker.dates import date_bounds
from tracker.errors import TrackerError
from tracker.parties import PartyResolver

SCHEMA = "cyber-norms-tracker/export@1"
FORMATS = ("csv", "xlsx", "json", "md", "pdf")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}
BINARY_FORMATS = frozenset({"xlsx", "pdf"})
# One line per format for download buttons and --help: which exports are safe for spreadsheets and
# which carry the raw values for machines.
FORMAT_NOTES = {
    "csv": "CSV (RFC 4180, UTF-8): spreadsheet-safe, formula-like text is prefixed with '",
    "xlsx": "Excel workbook: one sheet per section plus About and Sources; spreadsheet-safe",
    "json": "JSON: raw values for machines (not neutralised for spreadsheets)",
    "md": "Markdown: the brief as text, tables and numbered sources",
    "pdf": "PDF: a printable one- or two-page A4 brief",
}
CYBER_TOPICS = ("cyber_security", "cybercrime")
FONT_DIR = Path(__file__).parent / "assets" / "fonts"
VOTE_CHOICES = ("yes", "no", "abstain")
MEMBER_ROLES = ("member", "founding_member")
PARTNERS_N = 5  # strongest and weakest partners in a country brief
SWING_ROWS = 15
ALIGNMENT_BASES = ("combined", "votes", "adoptions")
GAP_THRESHOLD = 0.5  # an instrument "defines" a bloc when at least half its members adopted it

STATUS_METHOD = (
    "Adoption status is derived from each party's dated actions up to the as-of date: the latest "
    "action sets the status (on one date: signature < observer < binding act < exit; a partial "
    "date such as 2022 counts from its last day). Adopted means party, member, endorser, "
    "participant or national adoption; a signature alone is not adoption. No recorded action is "
    "not the same as rejection, and instruments without any tracked adoption are left out."
)
VOTE_METHOD = (
    "Votes are the UN General Assembly recorded votes on cyber-security and cybercrime resolutions "
    "dated on or before the as-of date; absent means the party did not vote, no data means there "
    "is no vote row for it (e.g. not a UN member then)."
)
BLOC_METHOD = (
    "Adoption rate = members that adopted / members. Gaps: instruments adopted by at least half of "
    "the members but not by all. Per vote, the bloc majority is the most common of yes/no/abstain "
    "among members that voted, and cohesion is the share of them voting with it."
)
GROUP_METHOD = (
    "A bloc's members are the group's members and founding members on the as-of date: surely "
    "joined by then (a partial join date counts from its last day) and not possibly left (a "
    "partial exit date counts from its first day); a membership without a join date counts as "
    "standing. Observers, partners and suspended members are listed in a country's memberships "
    "but are not bloc members."
)


class ExportError(TrackerError, ValueError):
    """An export cannot be built from these inputs (one-line reason)."""


class NoDataError(ExportError):
    """The selection is empty: there is nothing to export (never an empty file)."""


# --------------------------------------------------------------------------- document model


@dataclass(frozen=True)
class Source:
    ref: int
    id: str
    title: str = ""
    publisher: str = ""
    url: str = ""
    as_of: str = ""


@dataclass
class Section:
    """A titled part of a report: text paragraphs and/or a table, with notes under it.

    ``key`` is the stable machine name (JSON key, sheet name); ``formats`` maps columns to
    "percent" or "decimal" for display (CSV and JSON keep raw values); ``labels`` overrides
    the display header of a column; ``compact`` lists the columns the PDF shows (all if empty).
    """

    key: str
    title: str
    table: pd.DataFrame | None = None
    text: str = ""
    notes: str = ""
    formats: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    compact: tuple[str, ...] = ()

    def label(self, column: str) -> str:
        return self.labels.get(column) or _default_label(column)


@dataclass
class Chart:
    """A horizontal bar chart: one bar per label (highlighted bars drawn in a second colour)."""

    title: str
    labels: list[str]
    values: list[float]
    value_format: str = "percent"  # percent (0..1), count, decimal
    max_value: float | None = None
    highlight: list[bool] = field(default_factory=list)
    note: str = ""


@dataclass
class Report:
    kind: str
    title: str
    subtitle: str
    as_of: str
    method: str
    catalogue_version: str
    sections: list[Section]
    sources: list[Source] = field(default_factory=list)
    chart: Chart | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    generated: str = field(default_factory=lambda: date.today().isoformat())

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"no section {key!r} in this report (have: {', '.join(s.key for s in self.sections)})")

    def source_refs(self) -> dict[str, int]:
        return {s.id: s.ref for s in self.sources}


_LABELS = {
    "party_code": "Code",
    "source_id": "Source",
    "instrument_id": "Instrument id",
    "resolution_id": "Resolution",
    "un_regional_group": "UN regional group",
    "group_id": "Group id",
    "co_votes": "Co-votes",
    "median_co_votes": "Median co-votes",
}


def _default_label(column: str) -> str:
    if column in _LABELS:
        return _LABELS[column]
    text = column.replace("_", " ")
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- catalogue helpers


def _as_of(value: Any) -> date:
    if value is None or value == "":
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    bounds = date_bounds(text)
    if bounds is None:
        raise ExportError(f"as-of date {text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return bounds[1]


def _known_by(value: str) -> date | None:
    """Last day a partial date can mean (the day it is known by); None when empty or malformed."""
    bounds = date_bounds(value) if value else None
    return bounds[1] if bounds else None


def _cat_version(cat: Catalogue) -> str:
    return cat.version or "unversioned"


def _party_name(cat: Catalogue, code: str) -> str:
    return cat.party_name(code)


def _instrument_names(cat: Catalogue) -> dict[str, str]:
    inst = cat.instruments
    short = inst["short_name"].where(inst["short_name"] != "", inst["name"])
    return dict(zip(inst["id"], short, strict=True))


def _resolve_party(cat: Catalogue, text: str, resolver: PartyResolver | None = None) -> str:
    return (resolver or PartyResolver(cat)).require(str(text))


def _resolve_group(cat: Catalogue, text: str) -> str:
    groups = cat.groups
    wanted = str(text).strip().casefold()
    for col in ("id", "short_name", "name"):
        hit = groups.loc[groups[col].str.casefold() == wanted, "id"]
        if len(hit):
            return str(hit.iloc[0])
    choices = list(groups["id"]) + list(groups["short_name"])
    close = difflib.get_close_matches(str(text), choices, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else f" (known groups: {', '.join(groups['id'])})"
    raise ExportError(f"unknown group {text!r}{hint}")


def members_on(cat: Catalogue, group_id: str, as_of: date, *, roles=MEMBER_ROLES) -> pd.DataFrame:
    """Members of a group on ``as_of``: party_code, role, joined, source_id (one row per party).

    Joined on or before ``as_of`` (a partial date from its last day: surely joined), not left by
    then (a partial date from its first day: possibly left). An undated membership stands on
    every date (the join date is unknown, not absent). ``roles=None`` keeps every role
    (observers, partners, suspended members).
    """
    gm = cat.group_members[cat.group_members["group_id"] == group_id]
    if roles is not None:
        gm = gm[gm["role"].isin(roles)]
    joined = gm["joined"].map(_known_by)
    left = gm["left"].map(lambda v: (date_bounds(v) or (None,))[0] if v else None)
    on = joined.map(lambda d: d is None or d <= as_of) & left.map(lambda d: d is None or d > as_of)
    out = gm[on.to_numpy()].drop_duplicates("party_code", keep="last")
    return out[["party_code", "role", "joined", "source_id"]].sort_values("party_code").reset_index(drop=True)


def _memberships(cat: Catalogue, code: str, as_of: date) -> pd.DataFrame:
    rows = []
    for gid in sorted(set(cat.group_members.loc[cat.group_members["party_code"] == code, "group_id"])):
        m = members_on(cat, gid, as_of, roles=None)
        m = m[m["party_code"] == code]
        if len(m):
            rows.append(
                {
                    "group_id": gid,
                    "role": m["role"].iloc[0],
                    "joined": m["joined"].iloc[0],
                    "source_id": m["source_id"].iloc[0],
                }
            )
    df = pd.DataFrame(rows, columns=["group_id", "role", "joined", "source_id"])
    names = dict(zip(cat.groups["id"], cat.groups["name"], strict=True))
    df.insert(1, "group", df["group_id"].map(names).fillna(""))
    return df


def _cyber_resolutions(
    cat: Catalogue,
    as_of: date,
    *,
    recorded_only: bool = True,
    all_topics: bool = False,
    newest_first: bool = False,
) -> pd.DataFrame:
    res = cat.resolutions
    mask = res["date"].map(lambda d: bool(d) and date.fromisoformat(d) <= as_of)
    if not all_topics:
        mask &= res["topic"].isin(CYBER_TOPICS)
    if recorded_only:
        mask &= res["recorded_vote"]
    return res[mask.to_numpy()].sort_values(["date", "id"], ascending=not newest_first).reset_index(drop=True)


def _tally(row) -> str:
    parts = [f"{row[c]} {c}" for c in VOTE_CHOICES if not pd.isna(row[c])]
    return ", ".join(parts)


def _join_ids(values: Iterable[str]) -> str:
    seen: list[str] = []
    for v in values:
        for part in str(v).split(";"):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return ";".join(seen)


def _collect_sources(cat: Catalogue, sections: Sequence[Section], extra: Iterable[str] = ()) -> list[Source]:
    """Number the sources cited in the sections' ``source_id`` columns, in order of first citation."""
    order: list[str] = []
    for section in sections:
        if section.table is not None and "source_id" in section.table.columns:
            for cell in section.table["source_id"]:
                for sid in _join_ids([cell]).split(";"):
                    if sid and sid not in order:
                        order.append(sid)
    for sid in extra:
        if sid and sid not in order:
            order.append(sid)
    meta = cat.sources.set_index("id")
    out = []
    for i, sid in enumerate(order, start=1):
        if sid in meta.index:
            r = meta.loc[sid]
            out.append(Source(i, sid, r["title"], r["publisher"], r["url"], r["as_of"]))
        else:
            out.append(Source(i, sid))
    return out


def _adopted_status(cat: Catalogue, as_of: date) -> pd.DataFrame:
    return cat.status(as_of)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _method(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _analytics():
    """The analytics package when present (built in parallel); None otherwise."""
    try:
        from tracker import analytics
    except ImportError:
        return None
    needed = (
        "alignment",
        "alignment_tables",
        "partners",
        "group_alignment",
        "pair_alignment",
        "gaps",
        "swing_states",
        "predict_votes",
    )
    return analytics if all(hasattr(analytics, name) for name in needed) else None


# --------------------------------------------------------------------------- builders: raw tables


def adoptions_table(
    cat: Catalogue, as_of: Any = None, *, instrument: str | None = None, party: str | None = None
) -> Report:
    """Every (instrument, party) status as of a date, optionally for one instrument or party."""
    day = _as_of(as_of)
    st = cat.status(day)
    params: dict[str, Any] = {"as_of": day.isoformat()}
    if instrument is not None:
        known = set(cat.instruments["id"])
        if instrument not in known:
            close = difflib.get_close_matches(instrument, sorted(known), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ExportError(f"unknown instrument {instrument!r}{hint}")
        st = st[st["instrument_id"] == instrument]
        params["instrument"] = instrument
    if party is not None:
        code = _resolve_party(cat, party)
        st = st[st["party_code"] == code]
        params["party"] = code
    if st.empty:
        raise NoDataError(f"no adoption recorded as of {day} for this selection")
    names = _instrument_names(cat)
    table = pd.DataFrame(
        {
            "instrument_id": st["instrument_id"],
            "instrument": st["instrument_id"].map(names),
            "party_code": st["party_code"],
            "party": st["party_code"].map(cat.party_name),
            "status": st["status"],
            "role": st["role"],
            "since": st["since"],
            "adopted": st["adopted"],
            "detail": st["detail"],
            "source_id": st["source_id"],
        }
    ).reset_index(drop=True)
    section = Section(
        "adoptions",
        "Adoption status",
        table,
        notes=f"{len(table)} statuses, {table['party_code'].nunique()} parties, "
        f"{table['instrument_id'].nunique()} instruments.",
        compact=("instrument", "party", "status", "since", "source_id"),
    )
    return Report(
        kind="adoptions",
        title="Adoptions of cyber values, standards and norms",
        subtitle=f"Status of every party with a recorded action, as of {day}",
        as_of=day.isoformat(),
        method=STATUS_METHOD,
        catalogue_version=_cat_version(cat),
        sections=[section],
        sources=_collect_sources(cat, [section]),
        parameters=params,
    )


def votes_table(cat: Catalogue, as_of: Any = None, *, all_topics: bool = False, party: str | None = None) -> Report:
    """Recorded UNGA votes (long format) on cyber resolutions, or on every topic."""
    day = _as_of(as_of)
    res = _cyber_resolutions(cat, day, all_topics=all_topics)
    votes = cat.votes[cat.votes["resolution_id"].isin(res["id"])]
    params: dict[str, Any] = {"as_of": day.isoformat(), "topics": "all" if all_topics else list(CYBER_TOPICS)}
    if party is not None:
        code = _resolve_party(cat, party)
        votes = votes[votes["party_code"] == code]
        params["party"] = code
    if votes.empty:
        raise NoDataError(f"no recorded votes as of {day} for this selection")
    meta = res.set_index("id")
    table = (
        pd.DataFrame(
            {
                "resolution_id": votes["resolution_id"],
                "date": votes["resolution_id"].map(meta["date"]),
                "title": votes["resolution_id"].map(meta["title"]),
                "topic": votes["resolution_id"].map(meta["topic"]),
                "series": votes["resolution_id"].map(meta["series"]),
                "party_code": votes["party_code"],
                "party": votes["party_code"].map(cat.party_name),
                "vote": votes["vote"],
                "source_id": votes["source_id"],
            }
        )
        .sort_values(["date", "resolution_id", "party_code"])
        .reset_index(drop=True)
    )
    section = Section(
        "votes",
        "Recorded votes",
        table,
        notes=f"{len(table)} votes on {table['resolution_id'].nunique()} resolutions.",
        compact=("resolution_id", "date", "party", "vote", "source_id"),
    )
    scope = "all topics" if all_topics else "cyber-security and cybercrime resolutions"
    return Report(
        kind="votes",
        title="UN General Assembly recorded votes",
        subtitle=f"{scope}, up to {day}",
        as_of=day.isoformat(),
        method=VOTE_METHOD,
        catalogue_version=_cat_version(cat),
        sections=[section],
        sources=_collect_sources(cat, [section]),
        parameters=params,
    )


def alignment_table(
    cat: Catalogue, as_of: Any = None, *, basis: str = "combined", parties: Sequence[str] | None = None
) -> Report:
    """Alignment for every pair of parties (long format: one row per pair) with its evidence:
    the score on ``basis`` (combined, votes or adoptions), raw vote agreement, vote kappa, co-votes,
    adoption kappa and shared instruments. Pairs without enough evidence have an empty score."""
    an = _analytics()
    if an is None:
        raise ExportError("the alignment export needs tracker.analytics, which is not in this build")
    if basis not in ALIGNMENT_BASES:
        raise ExportError(f"unknown basis {basis!r} (choose one of {', '.join(ALIGNMENT_BASES)})")
    day = _as_of(as_of)
    t = an.alignment_tables(cat, as_of=day)
    index = list(t.kappa.index)
    codes = index
    if parties:
        resolver = PartyResolver(cat)
        wanted = list(dict.fromkeys(_resolve_party(cat, p, resolver) for p in parties))
        missing = [c for c in wanted if c not in index]
        if missing:
            raise NoDataError(f"no votes or adoptions to align for {', '.join(missing)} as of {day}")
        codes = wanted
    pos = [index.index(c) for c in codes]
    ia, ib = np.triu_indices(len(codes), k=1)
    a_idx, b_idx = np.array(pos)[ia], np.array(pos)[ib]

    def pick(frame: pd.DataFrame) -> np.ndarray:
        return np.round(frame.to_numpy(dtype=float)[a_idx, b_idx], 4) + 0.0  # + 0.0: no negative zero

    table = pd.DataFrame(
        {
            "party_a": [codes[i] for i in ia],
            "party_a_name": [cat.party_name(codes[i]) for i in ia],
            "party_b": [codes[i] for i in ib],
            "party_b_name": [cat.party_name(codes[i]) for i in ib],
            "score": pick(t.score(basis)),
            "vote_agreement": pick(t.agreement),
            "vote_kappa": pick(t.kappa),
            "co_votes": pick(t.co_votes).astype(int),
            "adoption_kappa": pick(t.adoption_kappa),
            "shared_instruments": pick(t.shared_instruments).astype(int),
        }
    )
    table = table[(table["co_votes"] > 0) | (table["shared_instruments"] > 0) | table["score"].notna()]
    if table.empty:
        raise NoDataError(f"no alignment evidence as of {day} for this selection")
    table = table.reset_index(drop=True)
    section = Section(
        "alignment",
        f"Alignment ({basis})",
        table,
        formats={
            "score": "decimal",
            "vote_agreement": "percent",
            "vote_kappa": "decimal",
            "adoption_kappa": "decimal",
        },
        notes=(
            f"{len(table)} pairs of {len(codes)} parties; an empty score means not enough evidence "
            "(see co-votes and shared instruments). Every vote and adoption behind these scores cites its "
            "source in the votes and adoptions exports."
        ),
        compact=("party_a_name", "party_b_name", "score", "vote_agreement", "co_votes", "shared_instruments"),
    )
    return Report(
        kind="alignment",
        title="Alignment between parties",
        subtitle=f"basis: {basis}, as of {day}",
        as_of=day.isoformat(),
        method=_method(_alignment_method(basis, an), VOTE_METHOD),
        catalogue_version=_cat_version(cat),
        sections=[section],
        sources=[],
        parameters={"as_of": day.isoformat(), "basis": basis, "parties": codes if parties else None},
    )


def _alignment_method(basis: str, an) -> str:
    return (
        f"Alignment ({basis}) from tracker.analytics: votes coded yes=1, abstain=0.5, no=0 with absent as "
        "missing; raw agreement counts an abstention against yes or no as half; kappa is Cohen's "
        "chance-corrected agreement on all recorded UNGA votes up to the as-of date; adoption kappa compares "
        f"graded adoption portfolios; {_weights_text(an)}."
    )


# --------------------------------------------------------------------------- builders: blocs


@dataclass
class _Bloc:
    label: str
    members: pd.DataFrame  # party_code, role, joined, source_id
    group_id: str | None
    extra_sources: list[str]


def _bloc(
    cat: Catalogue, day: date, *, group_id: str | None, members: Sequence[str] | None, name: str | None = None
) -> _Bloc:
    if (group_id is None) == (members is None):
        raise ExportError("name a bloc either by group (group_id) or by a list of members, not both")
    if group_id is not None:
        gid = _resolve_group(cat, group_id)
        g = cat.groups.set_index("id").loc[gid]
        m = members_on(cat, gid, day)
        label = name or (f"{g['name']} ({g['short_name']})" if g["short_name"] else g["name"])
        if m.empty:
            raise NoDataError(f"the bloc {label} has no members on {day}")
        return _Bloc(label, m, gid, [g["source_id"]])
    resolver = PartyResolver(cat)
    codes: list[str] = []
    for text in members or []:
        if str(text).strip():
            code = _resolve_party(cat, text, resolver)
            if code not in codes:
                codes.append(code)
    if not codes:
        raise NoDataError("the bloc is empty: give at least one member")
    m = pd.DataFrame({"party_code": sorted(codes), "role": "", "joined": "", "source_id": ""})
    return _Bloc(name or "Custom bloc", m, None, [])


def _rates(status: pd.DataFrame, codes: Sequence[str], names: dict[str, str]) -> pd.DataFrame:
    """Per instrument with any action by these parties: adopters, signed-only, adoption rate."""
    st = status[status["party_code"].isin(codes)]
    n = len(codes)
    cols = [
        "instrument_id",
        "instrument",
        "adopted",
        "signed_only",
        "members",
        "adoption_rate",
        "not_adopted_by",
        "source_id",
    ]
    if st.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for inst, grp in st.groupby("instrument_id", sort=True):
        adopters = set(grp.loc[grp["adopted"], "party_code"])
        rows.append(
            {
                "instrument_id": inst,
                "instrument": names.get(inst, inst),
                "adopted": len(adopters),
                "signed_only": int((grp["status"] == "signed").sum()),
                "members": n,
                "adoption_rate": round(len(adopters) / n, 4),
                "not_adopted_by": [c for c in codes if c not in adopters],
                "source_id": _join_ids(grp["source_id"]),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(
        ["adoption_rate", "adopted", "instrument"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def _bloc_votes(cat: Catalogue, res: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    votes = cat.votes[cat.votes["resolution_id"].isin(res["id"]) & cat.votes["party_code"].isin(codes)]
    by_res = {rid: grp for rid, grp in votes.groupby("resolution_id")}
    rows = []
    for r in res.to_dict("records"):
        grp = by_res.get(r["id"], votes.iloc[0:0])
        counts = grp["vote"].value_counts()
        cast = {c: int(counts.get(c, 0)) for c in VOTE_CHOICES}
        voted = sum(cast.values())
        majority = max(VOTE_CHOICES, key=lambda c: (cast[c], -VOTE_CHOICES.index(c))) if voted else ""
        tie = voted and sum(1 for c in VOTE_CHOICES if cast[c] == cast[majority]) > 1
        rows.append(
            {
                "resolution_id": r["id"],
                "date": r["date"],
                "series": r["series"],
                "title": r["title"],
                **cast,
                "absent": int(counts.get("absent", 0)),
                "no_data": len(codes) - len(grp),
                "majority": ("tie" if tie else majority),
                "cohesion": round(cast[majority] / voted, 4) if voted else None,
                "result": _tally(r),
                "source_id": _join_ids([r["source_id"], *grp["source_id"]]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "resolution_id",
            "date",
            "series",
            "title",
            "yes",
            "no",
            "abstain",
            "absent",
            "no_data",
            "majority",
            "cohesion",
            "result",
            "source_id",
        ],
    )


def _format_codes(cat: Catalogue, codes: Sequence[str], limit: int = 12) -> str:
    names = [f"{cat.party_name(c)}" for c in codes[:limit]]
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return "; ".join(names) + more


def bloc_summary(
    cat: Catalogue,
    *,
    group_id: str | None = None,
    members: Sequence[str] | None = None,
    as_of: Any = None,
    name: str | None = None,
) -> Report:
    """Summary of a bloc (a named group, or a custom list of parties) for a briefing pack.

    Sections: overview, members, instruments with adoption rates, voting record on the cyber
    resolutions, gaps (instruments most members adopted that others have not), and, when the
    analytics are available, cohesion and swing states at the bloc's edge.
    """
    day = _as_of(as_of)
    bloc = _bloc(cat, day, group_id=group_id, members=members, name=name)
    codes = list(bloc.members["party_code"])
    status = cat.status(day)
    names = _instrument_names(cat)
    res = _cyber_resolutions(cat, day, newest_first=True)
    mine = status[status["party_code"].isin(codes)]

    adopted_n = mine[mine["adopted"]].groupby("party_code").size()
    cast = (
        cat.votes[
            cat.votes["resolution_id"].isin(res["id"])
            & cat.votes["party_code"].isin(codes)
            & cat.votes["vote"].isin(VOTE_CHOICES)
        ]
        .groupby("party_code")
        .size()
    )
    regional = dict(zip(cat.parties["code"], cat.parties["un_regional_group"], strict=True))
    member_table = pd.DataFrame(
        {
            "party_code": codes,
            "party": [cat.party_name(c) for c in codes],
            "un_regional_group": [regional.get(c, "") for c in codes],
            "role": bloc.members["role"].to_numpy(),
            "joined": bloc.members["joined"].to_numpy(),
            "instruments_adopted": [int(adopted_n.get(c, 0)) for c in codes],
            "cyber_votes_cast": [int(cast.get(c, 0)) for c in codes],
            "source_id": bloc.members["source_id"].to_numpy(),
        }
    )
    if bloc.group_id is None:
        member_table = member_table.drop(columns=["role", "joined", "source_id"])

    rates = _rates(status, codes, names)
    instruments = rates.drop(columns=["not_adopted_by"])
    gaps = rates[(rates["adoption_rate"] >= GAP_THRESHOLD) & (rates["adoption_rate"] < 1)]
    gap_table = pd.DataFrame(
        {
            "instrument_id": gaps["instrument_id"],
            "instrument": gaps["instrument"],
            "adoption_rate": gaps["adoption_rate"],
            "not_adopted_by": [_format_codes(cat, c) for c in gaps["not_adopted_by"]],
        }
    ).reset_index(drop=True)
    vote_table = _bloc_votes(cat, res, codes)

    sections: list[Section] = []
    full = int((rates["adoption_rate"] == 1).sum())
    lead = (
        f"{bloc.label}: {_n(len(codes), 'member')} on {day}. Of {_n(len(rates), 'tracked instrument')} "
        f"with a recorded action by a member, {full} {'is' if full == 1 else 'are'} adopted by every member "
        f"and {len(gap_table)} by at least half but not all (gaps). "
        f"{_n(len(vote_table), 'recorded cyber vote')}."
    )
    if len(vote_table) and vote_table["cohesion"].notna().any():
        lead += f" Mean vote cohesion {vote_table['cohesion'].mean():.0%}."
    sections.append(Section("overview", "Overview", text=lead))
    sections.append(
        Section(
            "members",
            "Members",
            member_table,
            text=f"{', '.join(member_table['party'])}.",
            compact=("party", "un_regional_group", "instruments_adopted", "cyber_votes_cast", "source_id"),
        )
    )
    sections.append(
        Section(
            "instruments",
            "Instruments and adoption rates",
            instruments,
            formats={"adoption_rate": "percent"},
            notes="Instruments with no recorded action by any member are not listed (no data is not rejection).",
            compact=("instrument", "adopted", "signed_only", "adoption_rate", "source_id"),
        )
    )
    sections.append(
        Section(
            "votes",
            "Voting record on cyber resolutions",
            vote_table,
            formats={"cohesion": "percent"},
            notes=(
                "Counts of members voting yes/no/abstain, absent, and with no vote row; result is the "
                "whole Assembly's recorded tally."
            ),
            compact=("resolution_id", "date", "series", "yes", "no", "abstain", "majority", "cohesion"),
        )
    )
    sections.append(
        Section(
            "gaps",
            "Gaps: instruments most members adopted that others have not",
            gap_table,
            formats={"adoption_rate": "percent"},
            notes=f"Instruments adopted by at least {GAP_THRESHOLD:.0%} of the members but not by all.",
            compact=("instrument", "adoption_rate", "not_adopted_by"),
        )
    )
    extra, analytics_method = _bloc_analytics(cat, codes, day, bloc.label)
    sections.extend(extra)

    chart = None
    top = rates.head(10)
    if len(top):
        chart = Chart(
            f"Adoption rate in the bloc (top {len(top)} instruments)",
            list(top["instrument"]),
            [float(v) for v in top["adoption_rate"]],
            "percent",
            1.0,
            [False] * len(top),
        )
    method = _method(GROUP_METHOD if bloc.group_id else "", STATUS_METHOD, VOTE_METHOD, BLOC_METHOD, analytics_method)
    return Report(
        kind="bloc_summary",
        title=f"Bloc summary: {bloc.label}",
        subtitle=f"{len(codes)} members; adoptions, voting record and gaps as of {day}",
        as_of=day.isoformat(),
        method=method,
        catalogue_version=_cat_version(cat),
        sections=sections,
        sources=_collect_sources(cat, sections, bloc.extra_sources),
        chart=chart,
        parameters={
            "group_id": bloc.group_id,
            "members": codes if bloc.group_id is None else None,
            "as_of": day.isoformat(),
        },
    )


def _bloc_analytics(cat: Catalogue, codes: Sequence[str], day: date, label: str) -> tuple[list[Section], str]:
    """Cohesion and swing states at the bloc's edge, from tracker.analytics; ([], "") without it."""
    an = _analytics()
    if an is None:
        return [], ""
    sections: list[Section] = []
    t = an.alignment_tables(cat, as_of=day)
    present = [c for c in codes if c in t.kappa.index]
    mean_combined: dict[str, float] = {}
    if len(present) >= 2:
        kappa = t.kappa.loc[present, present].to_numpy(dtype=float)
        comb = t.combined.loc[present, present].to_numpy(dtype=float)
        co = t.co_votes.loc[present, present].to_numpy(dtype=float)
        off = ~np.eye(len(present), dtype=bool)
        rows = []
        for i, c in enumerate(present):
            k, m, n = kappa[i][off[i]], comb[i][off[i]], co[i][off[i]]
            mean_combined[c] = float(np.nanmean(m)) if np.isfinite(m).any() else float("nan")
            rows.append(
                {
                    "party_code": c,
                    "party": cat.party_name(c),
                    "mean_vote_kappa": round(float(np.nanmean(k)), 4) if np.isfinite(k).any() else None,
                    "mean_combined": round(mean_combined[c], 4) if np.isfinite(mean_combined[c]) else None,
                    "median_co_votes": int(np.median(n)) if len(n) else 0,
                }
            )
        table = (
            pd.DataFrame(rows)
            .sort_values(["mean_combined", "party_code"], na_position="first", kind="stable")
            .reset_index(drop=True)
        )
        upper = np.triu(off)
        pairs = int(np.isfinite(kappa[upper]).sum())
        mk = np.nanmean(kappa[upper]) if pairs else float("nan")
        mc = np.nanmean(comb[upper]) if np.isfinite(comb[upper]).any() else float("nan")
        text = (
            (
                f"Cohesion of {label}: mean pairwise vote kappa {mk:.2f} over {pairs} of {int(upper.sum())} "
                f"member pairs with enough co-votes; mean combined alignment {mc:.2f}. The least aligned "
                "members come first: they sit at the bloc's edge."
            )
            if pairs
            else (f"Cohesion of {label}: not enough evidence (no member pair has enough co-votes).")
        )
        sections.append(
            Section(
                "cohesion",
                "Cohesion",
                table,
                text=text,
                formats={"mean_vote_kappa": "decimal", "mean_combined": "decimal"},
                compact=("party", "mean_vote_kappa", "mean_combined", "median_co_votes"),
            )
        )
    else:
        sections.append(
            Section(
                "cohesion",
                "Cohesion",
                text=f"Cohesion of {label}: not enough evidence ({len(present)} member(s) with votes).",
            )
        )
    swing = an.swing_states(cat, as_of=day)
    finite = [v for v in mean_combined.values() if np.isfinite(v)]
    edge = min(finite) if finite else float("inf")
    rows = []
    for r in swing.itertuples(index=False):
        inside = r.party in codes
        if r.party in t.combined.index and present:
            vals = t.combined.loc[r.party, [c for c in present if c != r.party]].to_numpy(dtype=float)
            closeness = float(np.nanmean(vals)) if np.isfinite(vals).any() else float("nan")
        else:
            closeness = float("nan")
        if inside or (np.isfinite(closeness) and closeness >= edge):
            reasons = r.reasons if isinstance(r.reasons, str) else "; ".join(map(str, r.reasons))
            rows.append(
                {
                    "party_code": r.party,
                    "party": r.name,
                    "in_bloc": inside,
                    "mean_alignment_with_bloc": round(closeness, 4) if np.isfinite(closeness) else None,
                    "swing_score": float(r.score),
                    "reasons": reasons,
                }
            )
    swing_table = pd.DataFrame(
        rows, columns=["party_code", "party", "in_bloc", "mean_alignment_with_bloc", "swing_score", "reasons"]
    ).head(SWING_ROWS)
    sections.append(
        Section(
            "swing",
            "Swing states at the bloc's edge",
            swing_table,
            formats={"mean_alignment_with_bloc": "decimal"},
            notes=(
                "Swing states (tracker.analytics: yes on rival drafts, changed votes, between blocs, "
                "uncertain "
                "predicted votes) that are members, or non-members at least as aligned with the bloc as its "
                f"least aligned member; at most {SWING_ROWS}, highest swing score first."
            ),
            compact=("party", "in_bloc", "mean_alignment_with_bloc", "swing_score", "reasons"),
        )
    )
    method = (
        "Cohesion: mean pairwise chance-corrected vote agreement (Cohen's kappa, all recorded UNGA votes, "
        "absent as missing) and combined alignment (" + _weights_text(an) + ")."
    )
    return sections, method


# --------------------------------------------------------------------------- builders: country brief


def _has_any_data(cat: Catalogue, code: str) -> bool:
    return bool(
        (cat.adoptions["party_code"] == code).any()
        or (cat.votes["party_code"] == code).any()
        or (cat.group_members["party_code"] == code).any()
    )


def country_brief(
    cat: Catalogue,
    party: str,
    *,
    bloc: str | Sequence[str] | None = None,
    resolution: str | None = None,
    as_of: Any = None,
) -> Report:
    """One party's brief: adoptions, memberships, voting record, gaps against a bloc (a group id or
    name, or a list of parties) and, with the analytics, closest partners and a predicted vote."""
    day = _as_of(as_of)
    resolver = PartyResolver(cat)
    code = _resolve_party(cat, party, resolver)
    pname = cat.party_name(code)
    if not _has_any_data(cat, code):
        raise NoDataError(f"no data for {pname} ({code}): no adoptions, votes or group memberships are recorded")
    names = _instrument_names(cat)
    status = cat.status(day)
    mine = status[status["party_code"] == code]
    memberships = _memberships(cat, code, day)
    res = _cyber_resolutions(cat, day)
    votes = cat.votes[(cat.votes["party_code"] == code) & cat.votes["resolution_id"].isin(res["id"])]
    if mine.empty and memberships.empty and votes.empty:
        raise NoDataError(f"no data for {pname} ({code}) as of {day}: nothing is recorded on or before that date")

    bloc_info = None
    if bloc is not None:
        if isinstance(bloc, str):
            bloc_info = _bloc(cat, day, group_id=bloc, members=None)
        else:
            bloc_info = _bloc(cat, day, group_id=None, members=list(bloc))
    inst = cat.instruments.set_index("id")
    adoption_table = (
        pd.DataFrame(
            {
                "instrument_id": mine["instrument_id"],
                "instrument": mine["instrument_id"].map(names),
                "kind": mine["instrument_id"].map(inst["kind"]),
                "pillar": mine["instrument_id"].map(inst["pillar"]),
                "status": mine["status"],
                "since": mine["since"],
                "adopted": mine["adopted"],
                "source_id": mine["source_id"],
            }
        )
        .sort_values(["adopted", "instrument"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )

    meta = res.set_index("id")
    vote_table = (
        pd.DataFrame(
            {
                "resolution_id": votes["resolution_id"],
                "date": votes["resolution_id"].map(meta["date"]),
                "series": votes["resolution_id"].map(meta["series"]),
                "title": votes["resolution_id"].map(meta["title"]),
                "vote": votes["vote"],
                "result": [_tally(meta.loc[r]) for r in votes["resolution_id"]],
                "source_id": votes["source_id"],
            }
        )
        .sort_values(["date", "resolution_id"], ascending=False)
        .reset_index(drop=True)
    )

    sections: list[Section] = []
    adopted = int(mine["adopted"].sum())
    signed = int((mine["status"] == "signed").sum())
    counts = vote_table["vote"].value_counts()
    lead = (
        f"{pname} ({code}) on {day}: adopted {_n(adopted, 'tracked instrument')} and signed {signed} "
        f"more; member of {_n(len(memberships), 'tracked group')}; "
        f"{_n(len(vote_table), 'recorded cyber vote')} ("
        + ", ".join(f"{int(counts.get(c, 0))} {c}" for c in (*VOTE_CHOICES, "absent"))
        + ")."
    )

    gap_table = None
    chart = None
    if bloc_info is not None:
        others = [c for c in bloc_info.members["party_code"] if c != code]
        if not others:
            raise NoDataError(f"the bloc {bloc_info.label} has no members other than {pname} on {day}")
        rates = _rates(status, others, names)
        party_status = dict(zip(mine["instrument_id"], mine["status"], strict=True))
        party_adopted = set(mine.loc[mine["adopted"], "instrument_id"])
        g = rates[(rates["adoption_rate"] >= GAP_THRESHOLD) & ~rates["instrument_id"].isin(party_adopted)]
        gap_table = pd.DataFrame(
            {
                "instrument_id": g["instrument_id"],
                "instrument": g["instrument"],
                "bloc_adoption_rate": g["adoption_rate"],
                "bloc_adopters": g["adopted"],
                "party_status": [party_status.get(i, "no action recorded") for i in g["instrument_id"]],
            }
        ).reset_index(drop=True)
        lead += (
            f" Against {bloc_info.label} ({_n(len(others), 'other member')}): "
            f"{_n(len(gap_table), 'instrument')} adopted by at least half of them that {pname} has not."
        )
        bloc_majority = _bloc_votes(cat, res, others).set_index("resolution_id")["majority"]
        vote_table.insert(5, "bloc_majority", vote_table["resolution_id"].map(bloc_majority).fillna(""))
        top = rates.head(10)
        if len(top):
            chart = Chart(
                f"Adoption in {bloc_info.label} (bars) and by {pname} (highlighted)",
                list(top["instrument"]),
                [float(v) for v in top["adoption_rate"]],
                "percent",
                1.0,
                [i in party_adopted for i in top["instrument_id"]],
                note=f"Highlighted: adopted by {pname}.",
            )

    sections.append(Section("overview", "Overview", text=lead))
    sections.append(
        Section(
            "adoptions",
            "Adoptions",
            adoption_table,
            notes="Instruments with no recorded action by this party are not listed.",
            compact=("instrument", "pillar", "status", "since", "source_id"),
        )
    )
    sections.append(
        Section("memberships", "Group memberships", memberships, compact=("group", "role", "joined", "source_id"))
    )
    vote_compact = ("resolution_id", "date", "series", "vote", "bloc_majority", "result", "source_id")
    sections.append(
        Section(
            "votes",
            "Voting record on cyber resolutions",
            vote_table,
            compact=tuple(c for c in vote_compact if c in vote_table.columns),
        )
    )
    if gap_table is not None:
        sections.append(
            Section(
                "gaps",
                f"Gaps against {bloc_info.label}",
                gap_table,
                formats={"bloc_adoption_rate": "percent"},
                notes=(
                    f"Instruments adopted by at least {GAP_THRESHOLD:.0%} of the other "
                    f"members that {pname} has not adopted."
                ),
            )
        )
    extra, partner_chart, analytics_method = _brief_analytics(
        cat, code, day, resolution, bloc_info, with_gaps=gap_table is None
    )
    sections.extend(extra)
    chart = chart or partner_chart
    if chart is None and len(vote_table):
        chart = Chart(
            f"Votes of {pname} on cyber resolutions",
            [*VOTE_CHOICES, "absent"],
            [float(counts.get(c, 0)) for c in (*VOTE_CHOICES, "absent")],
            "count",
            None,
            [False] * 4,
        )
    method = _method(STATUS_METHOD, VOTE_METHOD, GROUP_METHOD, BLOC_METHOD if bloc_info else "", analytics_method)
    subtitle = f"Adoptions, memberships and voting record as of {day}"
    if bloc_info is not None:
        subtitle += f"; gaps against {bloc_info.label}"
    return Report(
        kind="country_brief",
        title=f"Country brief: {pname}",
        subtitle=subtitle,
        as_of=day.isoformat(),
        method=method,
        catalogue_version=_cat_version(cat),
        sections=sections,
        sources=_collect_sources(cat, sections, bloc_info.extra_sources if bloc_info else ()),
        chart=chart,
        parameters={
            "party": code,
            "bloc": (bloc_info.group_id or list(bloc_info.members["party_code"])) if bloc_info else None,
            "resolution": resolution,
            "as_of": day.isoformat(),
        },
    )


def _brief_analytics(
    cat: Catalogue, code: str, day: date, resolution: str | None, bloc: _Bloc | None, *, with_gaps: bool
) -> tuple[list[Section], Chart | None, str]:
    """Closest partners, alignment with the bloc, gaps against the closest partners (when no bloc
    is given) and a predicted vote, from tracker.analytics; ([], None, "") without it."""
    an = _analytics()
    if an is None:
        if resolution is not None:
            raise ExportError("a predicted vote needs tracker.analytics, which is not in this build")
        return [], None, ""
    pname = cat.party_name(code)
    sections: list[Section] = []
    chart = None
    partners = an.partners(cat, code, n=PARTNERS_N, as_of=day)
    if partners.empty:
        sections.append(
            Section(
                "partners",
                "Closest and most distant partners",
                text=partners.attrs.get("note", f"not enough evidence for {code}"),
            )
        )
    else:
        table = pd.DataFrame(
            {
                "side": partners["side"],
                "rank": partners["rank"],
                "party_code": partners["partner"],
                "party": partners["name"],
                "score": partners["score"].round(4),
                "co_votes": partners["co_votes"],
                "shared_instruments": partners["shared_instruments"],
            }
        )
        sections.append(
            Section(
                "partners",
                "Closest and most distant partners",
                table,
                formats={"score": "decimal"},
                notes=(
                    "Combined alignment on all recorded UNGA votes and adoption portfolios up to the as-of "
                    "date; 1 = always together, 0 = no better than chance, below 0 = opposed."
                ),
                compact=("side", "rank", "party", "score", "co_votes", "shared_instruments"),
            )
        )
        strongest = table[table["side"] == "strongest"].head(8)
        chart = Chart(
            f"Closest partners of {pname} (combined alignment)",
            list(strongest["party"]),
            [max(0.0, float(v)) for v in strongest["score"]],
            "decimal",
            1.0,
            [False] * len(strongest),
        )
    if bloc is not None:
        # the members on the as-of date, as a list: the group's majority on each vote is taken among
        # them (a group id would recompute the membership on every vote date, which is slow)
        ga = an.group_alignment(cat, code, list(bloc.members["party_code"]), as_of=day)
        parts = [f"Alignment of {pname} with {bloc.label}: {ga.note}."]
        if ga.mean_kappa is not None:
            parts.append(f"Mean vote kappa with the members: {ga.mean_kappa:.2f}.")
        if ga.majority_agreement is not None:
            parts.append(
                f"Agreement with the bloc's majority vote: {ga.majority_agreement:.0%}"
                + (f" (kappa {ga.majority_kappa:.2f})." if ga.majority_kappa is not None else ".")
            )
        sections.append(Section("bloc_alignment", f"Alignment with {bloc.label}", text=" ".join(parts)))
    if with_gaps:
        g = an.gaps(cat, code, as_of=day)
        label = g.attrs.get("bloc", "its closest partners")
        if g.empty:
            sections.append(Section("gaps", "Gaps against its closest partners", text=g.attrs.get("note", "no gaps")))
        else:
            table = pd.DataFrame(
                {
                    "instrument_id": g["instrument_id"],
                    "instrument": g["instrument_id"].map(_instrument_names(cat)),
                    "partner_adoption_rate": g["bloc_share"].astype(float).round(4),
                    "partner_adopters": g["bloc_adopters"],
                    "partners": g["bloc_size"],
                    "party_status": g["party_status"].replace({"no action": "no action recorded"}),
                }
            )
            sections.append(
                Section(
                    "gaps",
                    "Gaps against its closest partners",
                    table,
                    formats={"partner_adoption_rate": "percent"},
                    notes=f"Instruments adopted by at least half of {label} that {pname} has not adopted.",
                )
            )
    if resolution is not None:
        sections.append(_prediction_section(cat, an, code, resolution, day))
    method = (
        "Partners and alignment: chance-corrected agreement (Cohen's kappa) on all recorded UNGA "
        "votes with absent as missing, and adoption-portfolio kappa; " + _weights_text(an) + "."
    )
    if resolution is not None:
        method += (
            " Predicted vote: tracker.analytics.predict_votes with no revealed votes, using only data "
            "dated before the resolution (or before the as-of date, if earlier)."
        )
    return sections, chart, method


def _weights_text(an) -> str:
    try:
        from tracker.analytics.alignment import weights_text
    except ImportError:
        return "combined = votes and adoptions weighted as documented in tracker.analytics"
    return weights_text()


def _prediction_section(cat: Catalogue, an, code: str, resolution: str, day: date) -> Section:
    meta = cat.resolutions
    hit = meta[(meta["id"] == resolution) | (meta["symbol"] == resolution)]
    res_day = date.fromisoformat(hit["date"].iloc[0]) if len(hit) and hit["date"].iloc[0] else None
    before = day if res_day is None or day < res_day else None  # None: the day before the vote
    pred = an.predict_votes(cat, resolution, known={}, as_of=before)
    rid = pred.attrs.get("resolution", resolution)
    pname = cat.party_name(code)
    if code not in pred.index:
        return Section(
            "prediction",
            f"Predicted vote on {rid}",
            text=f"No prediction for {pname}: it is not among the voting members on this resolution.",
        )
    row = pred.loc[code]
    actual = cat.votes[(cat.votes["resolution_id"] == rid) & (cat.votes["party_code"] == code)]
    shown_actual = "" if actual.empty or (res_day is not None and res_day > day) else actual["vote"].iloc[0]
    tally = pred["vote"].value_counts()
    table = pd.DataFrame(
        [
            {
                "resolution_id": rid,
                "party_code": code,
                "party": pname,
                "predicted_vote": row["vote"],
                "p_yes": round(float(row["p_yes"]), 4),
                "p_no": round(float(row["p_no"]), 4),
                "p_abstain": round(float(row["p_abstain"]), 4),
                "actual_vote": shown_actual,
            }
        ]
    )
    text = (
        f"Predicted vote of {pname} on {rid}: {row['vote']} "
        f"(p = {max(row['p_yes'], row['p_no'], row['p_abstain']):.2f})."
        f" Predicted overall: " + ", ".join(f"{int(tally.get(c, 0))} {c}" for c in VOTE_CHOICES) + "."
    )
    return Section(
        "prediction",
        f"Predicted vote on {rid}",
        table,
        text=text,
        formats={"p_yes": "percent", "p_no": "percent", "p_abstain": "percent"},
        notes="Actual vote shown only when it was cast on or before the as-of date.",
    )


# --------------------------------------------------------------------------- builders: comparison


def comparison(cat: Catalogue, parties: Sequence[str], *, as_of: Any = None) -> Report:
    """Two to four parties side by side: adoptions, memberships and cyber votes."""
    day = _as_of(as_of)
    resolver = PartyResolver(cat)
    codes: list[str] = []
    for p in parties:
        c = _resolve_party(cat, p, resolver)
        if c not in codes:
            codes.append(c)
    if not 2 <= len(codes) <= 4:
        raise ExportError(f"compare two to four different parties (got {len(codes)})")
    for c in codes:
        if not _has_any_data(cat, c):
            raise NoDataError(
                f"no data for {cat.party_name(c)} ({c}): no adoptions, votes or group memberships are recorded"
            )
    names = _instrument_names(cat)
    status = cat.status(day)
    st = status[status["party_code"].isin(codes)]
    res = _cyber_resolutions(cat, day)
    votes = cat.votes[cat.votes["resolution_id"].isin(res["id"]) & cat.votes["party_code"].isin(codes)]
    short = dict(
        zip(
            cat.groups["id"],
            cat.groups["short_name"].where(cat.groups["short_name"] != "", cat.groups["id"]),
            strict=True,
        )
    )
    overview_rows = []
    for c in codes:
        mine = st[st["party_code"] == c]
        v = votes.loc[votes["party_code"] == c, "vote"].value_counts()
        groups = _memberships(cat, c, day)
        overview_rows.append(
            {
                "party_code": c,
                "party": cat.party_name(c),
                "instruments_adopted": int(mine["adopted"].sum()),
                "signed_only": int((mine["status"] == "signed").sum()),
                "groups": ", ".join(short.get(g, g) for g in groups["group_id"]),
                **{f"votes_{k}": int(v.get(k, 0)) for k in (*VOTE_CHOICES, "absent")},
            }
        )
    overview = pd.DataFrame(overview_rows)

    wide = st.pivot(index="instrument_id", columns="party_code", values="status") if len(st) else pd.DataFrame()
    adopted = st.pivot(index="instrument_id", columns="party_code", values="adopted") if len(st) else pd.DataFrame()
    inst_rows = []
    for inst in sorted(wide.index, key=lambda i: names.get(i, i).casefold()):
        row = {"instrument_id": inst, "instrument": names.get(inst, inst)}
        for c in codes:
            val = wide.at[inst, c] if c in wide.columns else None
            row[c] = val if isinstance(val, str) else ""
        row["adopted_by_all"] = bool(all(c in adopted.columns and adopted.at[inst, c] is True for c in codes))
        row["source_id"] = _join_ids(st.loc[st["instrument_id"] == inst, "source_id"])
        inst_rows.append(row)
    instruments = pd.DataFrame(
        inst_rows, columns=["instrument_id", "instrument", *codes, "adopted_by_all", "source_id"]
    )
    vote_rows = []
    meta = res.set_index("id")
    for rid, grp in votes.groupby("resolution_id", sort=False):
        by = dict(zip(grp["party_code"], grp["vote"], strict=True))
        row = {"resolution_id": rid, "date": meta.at[rid, "date"], "series": meta.at[rid, "series"]}
        row.update({c: by.get(c, "") for c in codes})
        cast = [by.get(c) for c in codes]
        row["same_vote"] = bool(all(x in VOTE_CHOICES for x in cast) and len(set(cast)) == 1)
        row["source_id"] = _join_ids([meta.at[rid, "source_id"], *grp["source_id"]])
        vote_rows.append(row)
    vote_table = pd.DataFrame(vote_rows, columns=["resolution_id", "date", "series", *codes, "same_vote", "source_id"])
    if len(vote_table):
        vote_table = vote_table.sort_values(["date", "resolution_id"], ascending=False).reset_index(drop=True)
    plist = ", ".join(f"{cat.party_name(c)} ({c})" for c in codes)
    shared = int(instruments["adopted_by_all"].sum()) if len(instruments) else 0
    agree = int(vote_table["same_vote"].sum()) if len(vote_table) else 0
    lead = (
        f"{plist} on {day}: {_n(shared, 'instrument')} adopted by all of them; "
        f"the same vote on {agree} of {len(vote_table)} recorded cyber resolutions."
    )
    sections = [
        Section("overview", "Overview", text=lead),
        Section("parties", "Parties at a glance", overview),
        Section(
            "instruments",
            "Instruments side by side",
            instruments,
            notes="Status per party; empty = no recorded action.",
            compact=("instrument", *codes, "source_id"),
        ),
        Section(
            "votes",
            "Cyber votes side by side",
            vote_table,
            notes="Empty = no vote row (e.g. not a member then).",
            compact=("resolution_id", "date", *codes, "same_vote"),
        ),
    ]
    extra, analytics_method = _comparison_analytics(cat, codes, day)
    sections.extend(extra)
    chart = Chart(
        "Instruments adopted",
        [cat.party_name(c) for c in codes],
        [float(r["instruments_adopted"]) for r in overview_rows],
        "count",
        None,
        [False] * len(codes),
    )
    return Report(
        kind="comparison",
        title="Comparison: " + " / ".join(cat.party_name(c) for c in codes),
        subtitle=f"Adoptions, memberships and cyber votes as of {day}",
        as_of=day.isoformat(),
        method=_method(STATUS_METHOD, VOTE_METHOD, GROUP_METHOD, analytics_method),
        catalogue_version=_cat_version(cat),
        sections=sections,
        sources=_collect_sources(cat, sections),
        chart=chart,
        parameters={"parties": codes, "as_of": day.isoformat()},
    )


def _comparison_analytics(cat: Catalogue, codes: Sequence[str], day: date) -> tuple[list[Section], str]:
    """Pairwise alignment with its evidence, from tracker.analytics; ([], "") without it."""
    an = _analytics()
    if an is None:
        return [], ""
    rows = []
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            pa = an.pair_alignment(cat, a, b, as_of=day)
            rows.append(
                {
                    "party_a": a,
                    "party_b": b,
                    "combined": _round(pa.score),
                    "vote_agreement": _round(pa.agreement),
                    "vote_kappa": _round(pa.kappa),
                    "co_votes": pa.co_votes,
                    "adoption_kappa": _round(pa.adoption_kappa),
                    "shared_instruments": pa.shared_instruments,
                    "note": pa.note,
                }
            )
    table = pd.DataFrame(rows)
    section = Section(
        "alignment",
        "Pairwise alignment",
        table,
        formats={
            "combined": "decimal",
            "vote_agreement": "percent",
            "vote_kappa": "decimal",
            "adoption_kappa": "decimal",
        },
        notes=(
            "Vote agreement counts an abstention against yes or no as half; kappa corrects for chance "
            "(1 = always together, 0 = chance, below 0 = opposed); empty = not enough evidence."
        ),
        compact=(
            "party_a",
            "party_b",
            "combined",
            "vote_agreement",
            "vote_kappa",
            "co_votes",
            "shared_instruments",
        ),
    )
    method = (
        "Alignment: tracker.analytics pair alignment on all recorded UNGA votes (absent as missing) and "
        "adoption portfolios; " + _weights_text(an) + "."
    )
    return [section], method


def _round(x: Any, digits: int = 4) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits)


# --------------------------------------------------------------------------- cell values


def _value(v: Any) -> Any:
    """A cell as a plain Python value: None, bool, int, float or str."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v)
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def neutralise(value: Any) -> Any:
    """Spreadsheet-safe cell: text starting with = + - @ tab CR LF gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _rows(table: pd.DataFrame) -> list[list[Any]]:
    return [[_value(v) for v in row] for row in table.itertuples(index=False, name=None)]


def _text(v: Any) -> str:
    """A value as text for CSV/Markdown/PDF (booleans as true/false, floats without noise)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v)) if abs(v) < 1e15 else repr(v)
    return str(v)


def _display(v: Any, fmt: str | None) -> str:
    if v is None:
        return ""
    if fmt == "percent" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.0%}"
    if fmt == "decimal" and isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:.2f}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return _text(v)


def _chart_value(v: float, fmt: str) -> str:
    if fmt == "percent":
        return f"{v:.0%}"
    if fmt == "count":
        return f"{v:g}"
    return f"{v:.2f}"


# --------------------------------------------------------------------------- writers


def to_csv(report: Report, *, bom: bool = True) -> bytes:
    """RFC 4180 CSV (layout in the module docstring), text cells neutralised, UTF-8 with BOM."""
    records: list[list[Any]] = [
        ["report", report.kind],
        ["title", report.title],
        ["subtitle", report.subtitle],
        ["generated", report.generated],
        ["as_of", report.as_of],
        ["catalogue_version", report.catalogue_version],
        ["method", report.method],
    ]
    for key, value in report.parameters.items():
        records.append([f"param.{key}", _param_text(value)])
    records.append([])
    for s in report.sections:
        records.append([s.title])
        for para in _paragraphs(s.text):
            records.append([para])
        if s.table is not None:
            records.append(list(map(str, s.table.columns)))
            records.extend([[_text(v) if isinstance(v, bool) else v for v in row] for row in _rows(s.table)])
        if s.notes:
            records.append([s.notes])
        records.append([])
    if report.chart is not None:
        c = report.chart
        records.append([f"Chart: {c.title}"])
        records.append(["label", "value", "highlight"])
        hl = c.highlight or [False] * len(c.labels)
        records.extend([[lab, float(v), _text(bool(h))] for lab, v, h in zip(c.labels, c.values, hl, strict=True)])
        if c.note:
            records.append([c.note])
        records.append([])
    records.append(["Sources"])
    records.append(["ref", "id", "title", "publisher", "url", "as_of"])
    records.extend([[s.ref, s.id, s.title, s.publisher, s.url, s.as_of] for s in report.sources])
    width = max(len(r) for r in records)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for r in records:
        cells = [_csv_cell(v) for v in r]
        writer.writerow(cells + [""] * (width - len(cells)))
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def _csv_cell(v: Any) -> Any:
    """CSV cell: text neutralised; numbers written as numbers (a negative number stays -0.25)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return neutralise(v)
    if isinstance(v, bool):
        return _text(v)
    if isinstance(v, float):
        return _text(v)
    return v


def _param_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(map(str, value))
    return str(value)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def to_json(report: Report) -> bytes:
    """JSON in the documented shape (module docstring); raw values, no neutralisation."""
    doc = {
        "schema": SCHEMA,
        "kind": report.kind,
        "title": report.title,
        "subtitle": report.subtitle,
        "generated": report.generated,
        "as_of": report.as_of,
        "method": report.method,
        "catalogue_version": report.catalogue_version,
        "parameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in report.parameters.items()},
        "sections": [],
        "chart": None,
        "sources": [
            {
                "ref": s.ref,
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "as_of": s.as_of,
            }
            for s in report.sources
        ],
    }
    for s in report.sections:
        entry: dict[str, Any] = {
            "key": s.key,
            "title": s.title,
            "text": s.text,
            "notes": s.notes,
            "columns": None,
            "rows": None,
        }
        if s.table is not None:
            cols = list(map(str, s.table.columns))
            entry["columns"] = cols
            entry["rows"] = [dict(zip(cols, row, strict=True)) for row in _rows(s.table)]
        doc["sections"].append(entry)
    if report.chart is not None:
        c = report.chart
        doc["chart"] = {
            "title": c.title,
            "labels": list(c.labels),
            "values": [float(v) for v in c.values],
            "highlight": [bool(h) for h in (c.highlight or [False] * len(c.labels))],
            "value_format": c.value_format,
            "max_value": c.max_value,
            "note": c.note,
        }
    return (json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")


def _md_cell(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("\r\n", " ")
        .replace("\n", " ")
        .replace("\r", " ")
        .replace("\t", " ")
    )


def _refs(value: Any, refs: dict[str, int]) -> str:
    ids = _join_ids([value]).split(";") if value else []
    nums = [str(refs[i]) for i in ids if i in refs]
    return f"[{', '.join(nums)}]" if nums else ""


def _display_rows(section: Section, table: pd.DataFrame, refs: dict[str, int]) -> list[list[str]]:
    out = []
    cols = list(table.columns)
    for row in _rows(table):
        cells = []
        for col, v in zip(cols, row, strict=True):
            cells.append(_refs(v, refs) if col == "source_id" else _display(v, section.formats.get(col)))
        out.append(cells)
    return out


def to_markdown(report: Report) -> bytes:
    """Markdown: title, provenance list, sections with pipe tables, numbered sources."""
    refs = report.source_refs()
    lines = [f"# {report.title}", ""]
    if report.subtitle:
        lines += [f"_{report.subtitle}_", ""]
    lines += [
        f"- **As of:** {report.as_of}",
        f"- **Generated:** {report.generated}",
        f"- **Catalogue version:** {report.catalogue_version}",
        f"- **Method:** {report.method}",
        "",
    ]
    lead = 0
    while lead < len(report.sections) and report.sections[lead].table is None:
        lead += 1
    for i, s in enumerate(report.sections):
        if i == lead:
            lines += _md_chart(report.chart)
        lines += [f"## {s.title}", ""]
        for para in _paragraphs(s.text):
            lines += [para, ""]
        if s.table is not None:
            if len(s.table) == 0:
                lines += ["_None._", ""]
            else:
                cols = list(s.table.columns)
                lines.append("| " + " | ".join(_md_cell(s.label(c)) for c in cols) + " |")
                lines.append("|" + "|".join("---" for _ in cols) + "|")
                for cells in _display_rows(s, s.table, refs):
                    lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
                lines.append("")
        if s.notes:
            lines += [f"_{s.notes}_", ""]
    if lead >= len(report.sections):
        lines += _md_chart(report.chart)
    lines += ["## Sources", ""]
    if not report.sources:
        lines += ["_No catalogue sources are cited by this export._", ""]
    for src in report.sources:
        title = _md_cell(src.title or src.id)
        link = (
            f"[{title}]({src.url.replace(' ', '%20').replace(')', '%29')})"
            if src.url.startswith(("http://", "https://"))
            else title
        )
        extra = ", ".join(x for x in (src.publisher, f"as of {src.as_of}" if src.as_of else "") if x)
        lines.append(f"{src.ref}. {link}{', ' + _md_cell(extra) if extra else ''} (`{src.id}`)")
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _md_chart(c: Chart | None) -> list[str]:
    if c is None:
        return []
    lines = [f"**{_md_cell(c.title)}**", "", "| | | |", "|---|---|---|"]
    top = c.max_value or max([*c.values, 0]) or 1
    hl = c.highlight or [False] * len(c.labels)
    for lab, v, h in zip(c.labels, c.values, hl, strict=True):
        bar = "█" * round(20 * max(0.0, min(v / top, 1.0)))
        lines.append(f"| {_md_cell(lab)}{' ★' if h else ''} | `{bar:<20}` | {_chart_value(v, c.value_format)} |")
    if c.note:
        lines += ["", f"_{c.note}_"]
    return [*lines, ""]


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip().strip("'")[:31] or "Sheet"
    name, i = base, 2
    while name.casefold() in used:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.casefold())
    return name


def _xlsx_value(v: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    v = _value(v)
    if isinstance(v, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", v))
    return v


def _xlsx_set(ws, row: int, col: int, value: Any):
    cell = ws.cell(row=row, column=col)
    value = _xlsx_value(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text
    return cell


def to_xlsx(report: Report) -> bytes:
    """XLSX: an About sheet (title, as-of, method, catalogue version, parameters, contents), one sheet
    per section (bold frozen header, filter, column widths), a Chart sheet, and a Sources sheet."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE5F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    about = wb.active
    about.title = "About"
    used = {"about", "sources", "chart"}
    meta = [
        ("Title", report.title),
        ("Subtitle", report.subtitle),
        ("Report", report.kind),
        ("Generated", report.generated),
        ("As of", report.as_of),
        ("Catalogue version", report.catalogue_version),
        ("Method", report.method),
    ]
    meta += [(f"Parameter: {k}", _param_text(v)) for k, v in report.parameters.items()]
    meta += [
        (
            "Spreadsheet safety",
            "Text cells that begin with = + - @ or a tab/CR/LF are prefixed with ' "
            "(the JSON export holds the unmodified values).",
        )
    ]
    for i, (k, v) in enumerate(meta, start=1):
        _xlsx_set(about, i, 1, k).font = bold
        _xlsx_set(about, i, 2, v).alignment = wrap
    about.cell(row=1, column=2).font = Font(bold=True, size=14)
    r = len(meta) + 2
    _xlsx_set(about, r, 1, "Contents").font = bold
    sheet_names = []
    for s in report.sections:
        sheet_names.append(_sheet_name(s.key.replace("_", " ").capitalize(), used))
    for s, name in zip(report.sections, sheet_names, strict=True):
        r += 1
        _xlsx_set(about, r, 1, name)
        _xlsx_set(about, r, 2, _paragraphs(s.text)[0] if s.text and s.table is None else s.title).alignment = wrap
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    about.freeze_panes = "A2"

    for s, name in zip(report.sections, sheet_names, strict=True):
        ws = wb.create_sheet(name)
        row = 1
        if s.table is not None:
            cols = list(s.table.columns)
            for j, c in enumerate(cols, start=1):
                cell = _xlsx_set(ws, 1, j, s.label(c))
                cell.font, cell.fill = bold, head_fill
            data = _rows(s.table)
            for i, values in enumerate(data, start=2):
                for j, (c, v) in enumerate(zip(cols, values, strict=True), start=1):
                    cell = _xlsx_set(ws, i, j, v)
                    if s.formats.get(c) == "percent" and isinstance(cell.value, (int, float)):
                        cell.number_format = "0%"
                    elif s.formats.get(c) == "decimal" and isinstance(cell.value, (int, float)):
                        cell.number_format = "0.00"
            ws.freeze_panes = "A2"
            if data:
                ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(data) + 1}"
            for j, c in enumerate(cols, start=1):
                longest = max([len(s.label(c))] + [len(_text(v[j - 1])) for v in data[:500]])
                ws.column_dimensions[get_column_letter(j)].width = min(max(8, longest + 2), 60)
            row = len(data) + 3
        else:
            ws.column_dimensions["A"].width = 110
        for para in [*_paragraphs(s.text), *([s.notes] if s.notes else [])]:
            _xlsx_set(ws, row, 1, para).alignment = Alignment(wrap_text=s.table is None, vertical="top")
            row += 1

    if report.chart is not None:
        c = report.chart
        ws = wb.create_sheet("Chart")
        for j, h in enumerate(("Label", "Value", "Highlight"), start=1):
            cell = _xlsx_set(ws, 1, j, h)
            cell.font, cell.fill = bold, head_fill
        hl = c.highlight or [False] * len(c.labels)
        for i, (lab, v, h) in enumerate(zip(c.labels, c.values, hl, strict=True), start=2):
            _xlsx_set(ws, i, 1, lab)
            cell = _xlsx_set(ws, i, 2, float(v))
            if c.value_format == "percent":
                cell.number_format = "0%"
            _xlsx_set(ws, i, 3, bool(h))
        ws.freeze_panes = "A2"
        ws.column_dimensions["A"].width = min(60, max([10, *[len(x) + 2 for x in c.labels]]))
        if c.labels:
            bar = BarChart()
            bar.type = "bar"
            bar.title = c.title[:80]
            bar.legend = None
            bar.add_data(Reference(ws, min_col=2, min_row=1, max_row=len(c.labels) + 1), titles_from_data=True)
            bar.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(c.labels) + 1))
            bar.height, bar.width = 7 + 0.4 * len(c.labels), 16
            ws.add_chart(bar, "E2")

    ws = wb.create_sheet("Sources")
    for j, h in enumerate(("Ref", "Id", "Title", "Publisher", "URL", "As of"), start=1):
        cell = _xlsx_set(ws, 1, j, h)
        cell.font, cell.fill = bold, head_fill
    for i, src in enumerate(report.sources, start=2):
        for j, v in enumerate((src.ref, src.id, src.title, src.publisher, src.url, src.as_of), start=1):
            cell = _xlsx_set(ws, i, j, v)
            if j == 5 and isinstance(v, str) and v.startswith(("http://", "https://")):
                cell.hyperlink = v
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (6, 30, 60, 30, 50, 12), strict=True):
        ws.column_dimensions[letter].width = width

    wb.properties.title = report.title
    wb.properties.creator = "Cyber Norms Alignment Tracker"
    stamp = datetime.fromisoformat(report.generated).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- PDF


@cache
def _font_cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(FONT_DIR / "DejaVuSans.ttf"), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _pdf_text(text: Any) -> str:
    """Text the embedded font can print: tabs/newlines become spaces, unknown glyphs '?'."""
    cmap = _font_cmap()
    s = re.sub(r"[\t\r\n]+", " ", _text(text) if not isinstance(text, str) else text)
    return "".join(ch if ord(ch) in cmap or ch == " " else "?" for ch in s)


PDF_ROW_LIMITS = (14, 10, 7, 5, 3)
PDF_MAX_COLUMNS = 8
PDF_CELL_CHARS = 120  # longer cells are cut in the PDF (the other formats keep the full text)
PDF_ROW_BUDGET = 60  # first guess: table rows the two pages hold, shared between the tables


def to_pdf(report: Report) -> bytes:
    """A print-ready A4 brief of one or two pages: title, dates, chart, tables (long ones cut, with a
    pointer to the full export), method, numbered sources. Tables shrink until it fits two pages."""
    tables = sum(1 for s in report.sections if s.table is not None and len(s.table))
    start = next((i for i, n in enumerate(PDF_ROW_LIMITS) if n * tables <= PDF_ROW_BUDGET), len(PDF_ROW_LIMITS) - 1)
    for i, limit in enumerate(PDF_ROW_LIMITS[start:], start=start):
        pdf = _layout_pdf(report, limit)  # layout is cheaper than embedding the font (output)
        if pdf.pages_count <= 2 or i == len(PDF_ROW_LIMITS) - 1:
            break
        _close_fonts(pdf)
    try:
        return bytes(pdf.output())
    finally:
        _close_fonts(pdf)


def _close_fonts(pdf) -> None:
    """fpdf2 keeps each TrueType file open (fontTools, lazy); close them deterministically."""
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def _layout_pdf(report: Report, row_limit: int):
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    version = report.catalogue_version

    class _PDF(FPDF):
        def footer(self):
            self.set_y(-11)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(110)
            self.cell(
                0,
                5,
                _pdf_text(
                    f"Cyber Norms Alignment Tracker · catalogue {version} · generated "
                    f"{report.generated} · page {self.page_no()}/{{nb}}"
                ),
                align="C",
            )
            self.set_text_color(0)

    pdf = _PDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_pdf_text(report.title))
    pdf.set_creator("Cyber Norms Alignment Tracker")
    pdf.set_creation_date(datetime.fromisoformat(report.generated).replace(tzinfo=UTC))
    pdf.add_page()
    epw = pdf.epw
    refs = report.source_refs()
    cited: list[int] = []

    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(epw, 7, _pdf_text(report.title), new_x="LMARGIN", new_y="NEXT", align="L")
    if report.subtitle:
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(epw, 5, _pdf_text(report.subtitle), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 8)
    pdf.set_text_color(70)
    pdf.multi_cell(
        epw,
        4.5,
        _pdf_text(f"Date: {report.generated}   ·   Data as of: {report.as_of}   ·   Catalogue version: {version}"),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.set_text_color(0)
    pdf.set_draw_color(40, 90, 160)
    pdf.set_line_width(0.4)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + epw, pdf.get_y() + 1)
    pdf.ln(3)

    body = list(report.sections)
    # an overview text comes first, then the chart, then the rest
    while body and body[0].table is None and body[0].text:
        _pdf_section_text(pdf, body.pop(0), epw)
    if report.chart is not None and report.chart.labels:
        _pdf_chart(pdf, report.chart, epw)
    for s in body:
        if pdf.will_page_break(18):
            pdf.add_page()
        pdf.set_font("DejaVu", "B", 10.5)
        pdf.set_text_color(40, 90, 160)
        pdf.multi_cell(epw, 5.5, _pdf_text(s.title), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(0)
        for para in _paragraphs(s.text):
            pdf.set_font("DejaVu", "", 8.5)
            pdf.multi_cell(epw, 4.2, _pdf_text(para), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(1)
        if s.table is not None:
            _pdf_table(pdf, s, row_limit, refs, cited, epw, FontFace)
        if s.notes:
            pdf.set_font("DejaVu", "", 7)
            pdf.set_text_color(90)
            pdf.multi_cell(epw, 3.6, _pdf_text(s.notes), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.set_text_color(0)
        pdf.ln(2)

    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(epw, 5, "Method", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 7)
    pdf.multi_cell(epw, 3.5, _pdf_text(report.method), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1.5)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(epw, 5, "Sources", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 6.8)
    in_tables = {
        sid
        for s in report.sections
        if s.table is not None and "source_id" in s.table.columns
        for sid in _join_ids(s.table["source_id"]).split(";")
    }
    shown = [s for s in report.sources if s.ref in set(cited) or s.id not in in_tables]
    shown = shown[: max(row_limit * 2, 6)]
    for src in shown:
        parts = [src.title or src.id, src.publisher, src.url]
        when = f" (as of {src.as_of})" if src.as_of else ""
        pdf.multi_cell(
            epw,
            3.3,
            _pdf_text(f"[{src.ref}] " + ". ".join(p for p in parts if p) + when),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    if len(shown) < len(report.sources):
        pdf.set_text_color(90)
        pdf.multi_cell(
            epw,
            3.3,
            _pdf_text(
                f"{len(report.sources)} sources in all; the complete numbered list is "
                "in the XLSX, JSON, CSV and Markdown exports."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
        pdf.set_text_color(0)
    if not report.sources:
        pdf.multi_cell(
            epw,
            3.3,
            "No catalogue sources are cited by this export.",
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
    return pdf


def _pdf_section_text(pdf, s: Section, epw: float) -> None:
    pdf.set_font("DejaVu", "", 9)
    for para in _paragraphs(s.text):
        pdf.multi_cell(epw, 4.5, _pdf_text(para), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    pdf.ln(1)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(pdf, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _pdf_chart(pdf, chart: Chart, epw: float) -> None:
    bars = list(zip(chart.labels, chart.values, chart.highlight or [False] * len(chart.labels), strict=True))[:10]
    h = 4.4
    if pdf.will_page_break(8 + h * len(bars)):
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(epw, 5, _pdf_text(chart.title), new_x="LMARGIN", new_y="NEXT", align="L")
    label_w, val_w = 62, 16
    bar_w = epw - label_w - val_w - 4
    top = chart.max_value or max([v for _, v, _ in bars] + [0]) or 1
    pdf.set_font("DejaVu", "", 7.5)
    for label, value, hl in bars:
        y, x = pdf.get_y(), pdf.l_margin
        pdf.set_xy(x, y)
        pdf.cell(label_w, h, _fit(pdf, _pdf_text(label), label_w - 1), align="R")
        pdf.set_draw_color(200)
        pdf.set_line_width(0.2)
        pdf.rect(x + label_w + 1, y + 0.7, bar_w, h - 1.4, style="D")
        width = bar_w * max(0.0, min(float(value) / top, 1.0))
        if width > 0:
            pdf.set_fill_color(*((200, 90, 50) if hl else (40, 90, 160)))
            pdf.rect(x + label_w + 1, y + 0.7, width, h - 1.4, style="F")
        pdf.set_fill_color(255)
        pdf.set_xy(x + label_w + bar_w + 3, y)
        pdf.cell(val_w, h, _chart_value(float(value), chart.value_format))
        pdf.set_y(y + h)
    if chart.note:
        pdf.set_font("DejaVu", "", 7)
        pdf.set_text_color(90)
        pdf.multi_cell(epw, 3.6, _pdf_text(chart.note), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_text_color(0)
    pdf.ln(2)


def _pdf_table(pdf, s: Section, row_limit: int, refs: dict[str, int], cited: list[int], epw: float, FontFace) -> None:
    table = s.table
    if len(table) == 0:
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(epw, 4.5, "None.", new_x="LMARGIN", new_y="NEXT", align="L")
        return
    cols = [c for c in (s.compact or tuple(table.columns)) if c in table.columns][:PDF_MAX_COLUMNS]
    hidden_cols = len(table.columns) - len(cols)
    shown = table[cols].head(row_limit)
    for v in shown.get("source_id", []):
        for sid in _join_ids([v]).split(";"):
            if sid in refs and refs[sid] not in cited:
                cited.append(refs[sid])
    head = [_pdf_text(s.label(c)) for c in cols]
    body = [[_pdf_text(_cut(x, PDF_CELL_CHARS)) for x in row] for row in _display_rows(s, shown, refs)]
    pdf.set_font("DejaVu", "", 7)
    lengths = [
        min(max([pdf.get_string_width(head[j]) + 2] + [pdf.get_string_width(r[j]) + 2 for r in body]), 70)
        for j in range(len(cols))
    ]
    total = sum(lengths) or 1
    widths = [max(w / total, 0.05) for w in lengths]
    with pdf.table(
        col_widths=tuple(widths),
        width=epw,
        text_align="LEFT",
        line_height=3.4,
        headings_style=FontFace(emphasis="BOLD", fill_color=(221, 229, 240)),
        borders_layout="HORIZONTAL_LINES",
        padding=0.6,
        cell_fill_mode="ROWS",
        cell_fill_color=(245, 247, 250),
    ) as t:
        r = t.row()
        for h in head:
            r.cell(h)
        for cells in body:
            r = t.row()
            for c in cells:
                r.cell(c)
    if len(table) > len(shown) or hidden_cols:
        more = []
        if len(table) > len(shown):
            more.append(f"first {len(shown)} of {len(table)} rows")
        if hidden_cols:
            more.append(f"{len(cols)} of {len(table.columns)} columns")
        pdf.set_font("DejaVu", "", 7)
        pdf.set_text_color(90)
        pdf.multi_cell(
            epw,
            3.6,
            _pdf_text(f"Showing {' and '.join(more)}; the full table is in the XLSX/CSV/JSON export."),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
        )
        pdf.set_text_color(0)


# --------------------------------------------------------------------------- dispatch

WRITERS: dict[str, Callable[[Report], bytes]] = {
    "csv": to_csv,
    "xlsx": to_xlsx,
    "json": to_json,
    "md": to_markdown,
    "pdf": to_pdf,
}


def render(report: Report, fmt: str) -> bytes:
    """Report -> bytes in one of FORMATS."""
    key = (fmt or "").lower().lstrip(".")
    key = {"markdown": "md", "excel": "xlsx"}.get(key, key)
    if key not in WRITERS:
        raise ExportError(f"unknown format {fmt!r} (choose one of {', '.join(FORMATS)})")
    return WRITERS[key](report)


def filename(report: Report, fmt: str) -> str:
    """A safe default file name, e.g. ``country-brief-CIV-2024-01-01.pdf``."""
    bits = [report.kind.replace("_", "-")]
    p = report.parameters
    for key in ("party", "group_id", "instrument"):
        if isinstance(p.get(key), str):
            bits.append(p[key])
    if isinstance(p.get("parties"), list):
        bits.append("-".join(p["parties"]))
    bits.append(report.as_of)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(bits)).strip("-")
    return f"{stem}.{fmt}"
