"""Who and what a question is about: one home for each rule the app, the CLI, the exports and
the analytics share, so they give the same answer.

- membership of a group on a date;
- a group named by id, acronym or name (and a custom list of parties);
- the cyber topics and the resolutions in scope;
- the bloc majority on a vote (a tie is a tie, never silently broken);
- display labels of instruments and groups.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from tracker.dates import earliest, known_by
from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.catalogue.model import Catalogue

CYBER_TOPICS = ("cyber_security", "cybercrime")
DIGITAL_TOPICS = CYBER_TOPICS + (
    "related_digital_rights",
    "related_digital_tech",
    "related_ict4d",
    "related_ai_military",
)
TOPIC_CHOICES: dict[str, tuple[str, ...] | None] = {"all": None, "cyber": CYBER_TOPICS, "digital": DIGITAL_TOPICS}
MEMBER_ROLES = ("member", "founding_member")
VOTE_CHOICES = ("yes", "no", "abstain")
TIE = "tie"


class UnknownGroup(TrackerError, ValueError):
    """A group name that matches no group."""


# --------------------------------------------------------------------------- groups


def resolve_group(cat: Catalogue, text: str) -> str:
    """A group id from its id, short name (acronym) or name, case-insensitive ("eu" is the EU)."""
    groups = cat.groups
    wanted = str(text).strip().casefold()
    for col in ("id", "short_name", "name"):
        hit = groups.loc[groups[col].str.casefold() == wanted, "id"]
        if len(hit):
            return str(hit.iloc[0])
    if groups.empty:
        raise UnknownGroup(f"unknown group {text!r}; no groups in the catalogue yet")
    choices = {
        c.casefold(): gid
        for gid, short in zip(groups["id"], groups["short_name"], strict=True)
        for c in (gid, short)
        if c
    }
    close = list(dict.fromkeys(choices[c] for c in difflib.get_close_matches(wanted, list(choices), n=3, cutoff=0.5)))
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownGroup(f"unknown group {text!r}{hint} (groups: {', '.join(groups['id'])})")


def members_on(
    cat: Catalogue, group_id: str, on: date | None = None, *, roles: Sequence[str] | None = MEMBER_ROLES
) -> pd.DataFrame:
    """Members of a group on a date (default today): party_code, role, joined, source_id.

    Joined on or before ``on`` (a partial date from its last day: surely joined) and not left by
    then (a partial date from its first day: possibly left). An undated membership stands on
    every date (the join date is unknown, not absent). ``roles=None`` keeps every role
    (observers, partners, suspended members). One row per party, sorted by code.
    """
    day = on or date.today()
    gm = cat.group_members[cat.group_members["group_id"] == group_id]
    if roles is not None:
        gm = gm[gm["role"].isin(roles)]
    joined = gm["joined"].map(known_by)
    left = gm["left"].map(earliest)
    on_day = joined.map(lambda d: d is None or d <= day) & left.map(lambda d: d is None or d > day)
    out = gm[on_day.to_numpy()].drop_duplicates("party_code", keep="last")
    return out[["party_code", "role", "joined", "source_id"]].sort_values("party_code").reset_index(drop=True)


def member_codes(cat: Catalogue, group_id: str, on: date | None = None) -> list[str]:
    """Codes of the full members (member or founding member) of a group on a date."""
    return members_on(cat, group_id, on)["party_code"].tolist()


def memberships(cat: Catalogue, code: str, on: date | None = None) -> pd.DataFrame:
    """The groups a party belongs to on a date, any role: group_id, group, role, joined, source_id."""
    rows = []
    for gid in sorted(set(cat.group_members.loc[cat.group_members["party_code"] == code, "group_id"])):
        m = members_on(cat, gid, on, roles=None)
        m = m[m["party_code"] == code]
        if len(m):
            first = m.iloc[0]
            rows.append(
                {"group_id": gid, "role": first["role"], "joined": first["joined"], "source_id": first["source_id"]}
            )
    df = pd.DataFrame(rows, columns=["group_id", "role", "joined", "source_id"])
    df.insert(1, "group", df["group_id"].map(group_names(cat)).fillna(""))
    return df


def group_names(cat: Catalogue) -> dict[str, str]:
    return dict(zip(cat.groups["id"], cat.groups["name"], strict=True))


def group_label(cat: Catalogue, group_id: str) -> str:
    """ "European Union (EU)" — the name, with the acronym where there is one."""
    g = cat.groups.set_index("id").loc[group_id]
    return f"{g['name']} ({g['short_name']})" if g["short_name"] and g["short_name"] != g["name"] else g["name"]


# --------------------------------------------------------------------------- instruments


def instrument_labels(cat: Catalogue) -> dict[str, str]:
    """Instrument id -> the name people use (the short name, else the full name)."""
    inst = cat.instruments
    short = inst["short_name"].where(inst["short_name"] != "", inst["name"])
    return dict(zip(inst["id"], short, strict=True))


# --------------------------------------------------------------------------- votes


def topic_filter(topic: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Topic choice ("all", "cyber", "digital", a topic, or a list) -> topics, None = all."""
    if topic is None:
        return None
    if isinstance(topic, str):
        if topic in TOPIC_CHOICES:
            return TOPIC_CHOICES[topic]
        return (topic,)
    return tuple(topic)


def resolutions_in_scope(
    cat: Catalogue,
    as_of: date,
    *,
    recorded_only: bool = True,
    all_topics: bool = False,
    newest_first: bool = False,
) -> pd.DataFrame:
    """The cyber resolutions (or all, with ``all_topics``) dated on or before ``as_of``."""
    res = cat.resolutions
    mask = res["date"].map(lambda d: bool(d) and date.fromisoformat(d) <= as_of)
    if not all_topics:
        mask &= res["topic"].isin(CYBER_TOPICS)
    if recorded_only:
        mask &= res["recorded_vote"]
    return res[mask.to_numpy()].sort_values(["date", "id"], ascending=not newest_first).reset_index(drop=True)


def bloc_majority(cast: Mapping[str, int]) -> tuple[str, float | None]:
    """The majority of a bloc's cast votes (yes/no/abstain counts) and its cohesion.

    Cohesion is the majority's share of the votes cast. A tie between the most common choices
    is reported as "tie" (cohesion still the top share); no votes cast gives ("", None).
    """
    counts = {c: int(cast.get(c, 0)) for c in VOTE_CHOICES}
    voted = sum(counts.values())
    if not voted:
        return "", None
    top = max(counts.values())
    leaders = [c for c in VOTE_CHOICES if counts[c] == top]
    return (leaders[0] if len(leaders) == 1 else TIE), round(top / voted, 4)
