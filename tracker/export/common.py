"""What every export builder shares: the as-of date, party and group lookup, source numbering,
and the method texts a report states."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from tracker.catalogue import scope
from tracker.dates import BadDate, as_of_date
from tracker.export.report import ExportError, Section, Source, join_ids
from tracker.parties import PartyResolver

if TYPE_CHECKING:
    from tracker.catalogue import Catalogue

STATUS_METHOD = (
    "Adoption status is derived from each party's dated actions up to the as-of date: the latest "
    "action sets the status (on one date: signature < observer < binding act < exit; a partial "
    "date such as 2022 counts from its last day). Adopted means party, member, endorser, "
    "participant or national adoption; a signature alone is not adoption. The level says how strongly: "
    "bound (a treaty in force for the party), ratified but not yet in force, implemented (national "
    "standard), politically committed, signed, participating (a standards body's seat or observer: not a "
    "political commitment), withdrawn. An action the source lists without a date counts from the "
    "instrument's opening and is marked date unknown. No recorded action is "
    "not the same as rejection, and instruments without any tracked adoption are left out."
)
VOTE_METHOD = (
    "Votes are the UN General Assembly recorded votes on cyber-security and cybercrime resolutions "
    "dated on or before the as-of date; absent means the party did not vote, no data means there "
    "is no vote row for it (e.g. not a UN member then)."
)
BLOC_METHOD = (
    "Adoption rate = members that adopted / members. Gaps: instruments adopted by at least the "
    "configured share of the members (min_share) but not by all. Per vote, the bloc majority is the "
    "most common of yes/no/abstain among members that voted, and cohesion is the share of them voting with it."
)
GROUP_METHOD = (
    "A bloc's members are the group's members and founding members on the as-of date: surely "
    "joined by then (a partial join date counts from its last day) and not possibly left (a "
    "partial exit date counts from its first day); a membership without a join date counts as "
    "standing. Observers, partners and suspended members are listed in a country's memberships "
    "but are not bloc members."
)


def as_of_day(value: Any) -> date:
    """The report's as-of date: empty means today, a partial date its last day."""
    try:
        return as_of_date(value)
    except BadDate as exc:
        raise ExportError(f"as-of date {str(value).strip()!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)") from exc


def catalogue_version(cat: Catalogue) -> str:
    return cat.version or "unversioned"


def resolve_party(cat: Catalogue, text: str, resolver: PartyResolver | None = None) -> str:
    return (resolver or PartyResolver(cat)).require(str(text))


def resolve_parties(cat: Catalogue, texts: Iterable[str]) -> list[str]:
    """Party codes in the order given, each once; blank entries are skipped."""
    resolver = PartyResolver(cat)
    codes: list[str] = []
    for text in texts:
        if str(text).strip():
            code = resolve_party(cat, text, resolver)
            if code not in codes:
                codes.append(code)
    return codes


def resolve_group(cat: Catalogue, text: str) -> str:
    """A group id from its id, acronym or name (tracker.catalogue.scope), as an export error."""
    try:
        return scope.resolve_group(cat, text)
    except scope.UnknownGroup as exc:
        raise ExportError(str(exc)) from exc


def has_any_data(cat: Catalogue, code: str) -> bool:
    return bool(
        (cat.adoptions["party_code"] == code).any()
        or (cat.votes["party_code"] == code).any()
        or (cat.group_members["party_code"] == code).any()
    )


def tally(row) -> str:
    """A resolution's recorded tally, e.g. "169 yes, 5 no, 8 abstain"."""
    parts = [f"{row[c]} {c}" for c in scope.VOTE_CHOICES if not pd.isna(row[c])]
    return ", ".join(parts)


def collect_sources(cat: Catalogue, sections: Sequence[Section], extra: Iterable[str] = ()) -> list[Source]:
    """Number the sources cited in the sections' ``source_id`` columns, in order of first citation."""
    order: list[str] = []
    for section in sections:
        if section.table is not None and "source_id" in section.table.columns:
            for cell in section.table["source_id"]:
                for sid in join_ids([cell]).split(";"):
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
            kind = str(r["kind"]) if "kind" in meta.columns and isinstance(r["kind"], str) else ""
            out.append(Source(i, sid, r["title"], r["publisher"], r["url"], r["as_of"], kind))
        else:
            out.append(Source(i, sid))
    return out


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def method_text(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def weights_text() -> str:
    """How combined alignment weighs votes and adoptions (from tracker.analytics, imported when
    needed: it loads scipy and networkx)."""
    from tracker.analytics.alignment import weights_text as text

    return text()
