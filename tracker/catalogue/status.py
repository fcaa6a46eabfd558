"""Status of each (instrument, party) on a date, derived from the dated actions.

The priority rule (documented in catalogue/README.md §3): actions are ordered by the day they
are surely known by (a partial date counts from its last day) and, on one day, signature <
observer < binding act < exit. The latest action sets the status, except that a withdrawn
ratification leaves a standing signature.

An undated action (the source lists the party without a date) is certainly true by its
source's as-of date and possibly true from the instrument's opening: it counts from the
opening, flagged ``date_known = False``, so history does not lose it.

The ``level`` says how strongly the party is committed, in words that do not mix unlike acts:
bound (a treaty in force for the party), ratified_not_in_force, signed, committed (endorsed,
joined or sponsored a political instrument), implemented (a national adoption of a standard),
participating (a seat in a standards body, observer status), withdrawn.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pandas as pd

from tracker.dates import earliest
from tracker.dates import known_by as day_known_by

ACTION_STATUS = {
    "signed": "signed",
    "observer": "observer",
    "ratified": "party",
    "acceded": "party",
    "approved": "party",
    "accepted": "party",
    "succeeded": "party",
    "signed_definitively": "party",  # signature without reservation of ratification: consent to be bound
    "joined": "member",
    "endorsed": "endorsed",
    "sponsored": "sponsor",
    "participates": "participant",
    "adopted_national_standard": "adopted",
    "withdrew_signature": "withdrawn",
    "withdrew_ratification": "withdrawn",  # becomes "signed" again if a signature stands
    "denounced": "denounced",
    "left": "left",
    "suspended": "suspended",
}
ACTION_RANK = {
    "signed": 0,
    "observer": 1,
    "withdrew_signature": 3,
    "withdrew_ratification": 3,
    "denounced": 3,
    "left": 3,
    "suspended": 3,
}  # every binding or joining action ranks 2
ADOPTED_STATUSES = frozenset({"party", "member", "endorsed", "sponsor", "participant", "adopted"})
EXIT_STATUSES = frozenset({"withdrawn", "denounced", "left", "suspended"})

# How strongly a party is committed; a map legend lists them in this order.
LEVELS = (
    "bound",
    "ratified_not_in_force",
    "implemented",
    "committed",
    "signed",
    "participating",
    "withdrawn",
)
LEVEL_LABELS = {
    "bound": "bound (in force for the party)",
    "ratified_not_in_force": "ratified, not yet in force",
    "implemented": "implemented (national standard)",
    "committed": "politically committed",
    "signed": "signed, not ratified",
    "participating": "participating (seat or observer)",
    "withdrawn": "withdrawn",
}
BINDING_KINDS = frozenset({"treaty", "protocol"})
POLITICAL_KINDS = frozenset({"declaration", "principles", "code_of_practice", "report", "resolution"})
MEMBERSHIP_KINDS = frozenset({"coalition", "arrangement", "export_control_regime", "regime"})
# Which actions fit which kind of instrument (a standard is never "ratified"; a norm concept
# has no adoptions at all: a party's link to it is evidence, see tracker.norms).
ALLOWED_ACTIONS = {
    **dict.fromkeys(
        BINDING_KINDS,
        frozenset(
            {
                "signed",
                "signed_definitively",
                "ratified",
                "acceded",
                "approved",
                "accepted",
                "succeeded",
                "withdrew_signature",
                "withdrew_ratification",
                "denounced",
                "left",
            }
        ),
    ),
    **dict.fromkeys(POLITICAL_KINDS, frozenset({"endorsed", "signed", "sponsored", "withdrew_signature", "left"})),
    **dict.fromkeys(
        MEMBERSHIP_KINDS, frozenset({"joined", "participates", "observer", "endorsed", "signed", "left", "suspended"})
    ),
    "standard": frozenset({"adopted_national_standard"}),
    "standards_body": frozenset({"participates", "observer", "left", "suspended"}),
    "norm": frozenset(),
}
STATUS_COLUMNS = [
    "instrument_id",
    "party_code",
    "status",
    "level",
    "role",
    "since",
    "date_known",
    "earliest",
    "known_by",
    "in_force_from",
    "adopted",
    "source_id",
    "detail",
]


def in_force_for_party(consent: date, treaty_in_force: date, rule: str) -> date:
    """The day a treaty binds a party that consented on ``consent``.

    Before the treaty's own entry into force: that day. Later: by the treaty's rule for late
    parties (``months:N``: the first day of the month after N months from the deposit, as in
    Council of Europe treaties; ``days:N``: the Nth day after the deposit; empty: the deposit day).
    """
    if consent <= treaty_in_force:
        return treaty_in_force
    kind, _, n = rule.partition(":")
    if kind == "months":
        month = consent.month + int(n)
        year, month = consent.year + (month - 1) // 12, (month - 1) % 12 + 1
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last + timedelta(days=1)
    if kind == "days":
        return consent + timedelta(days=int(n))
    return consent


def _level(status: str, kind: str, bound: bool) -> str:
    if status in EXIT_STATUSES:
        return "withdrawn"
    if status == "party":
        if kind in BINDING_KINDS:
            return "bound" if bound else "ratified_not_in_force"
        return "committed"
    if status == "signed":
        return "signed" if kind in BINDING_KINDS else "committed"
    if status == "adopted":
        return "implemented"
    if status == "observer" or (status == "participant" and kind == "standards_body"):
        return "participating"
    return "committed"  # member, endorsed, sponsor, participant of a coalition or regime


def derive_status(
    adoptions: pd.DataFrame, sources: pd.DataFrame, instruments: pd.DataFrame, as_of: date | None
) -> pd.DataFrame:
    """One row per (instrument_id, party_code) with an action possible by ``as_of`` (None: all)."""
    ad = adoptions
    if ad.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    source_as_of = dict(zip(sources["id"], sources["as_of"], strict=True))
    inst = instruments.set_index("id")
    opened = inst["opened"].map(earliest).to_dict()
    kinds = inst["kind"].to_dict()
    ends = {d: day_known_by(d) for d in ad["date"].unique() if d}  # validated: never None
    dated = ad["date"] != ""
    known_by = [
        ends[d] if d else date.fromisoformat(source_as_of[s]) for d, s in zip(ad["date"], ad["source_id"], strict=True)
    ]
    # an undated act is possibly true from the instrument's opening (or always, if unknown): it
    # appears from then on, but is ordered by the day it is known by (after the dated acts)
    effective = [
        k if has_date else (opened.get(i) or date.min)
        for k, has_date, i in zip(known_by, dated, ad["instrument_id"], strict=True)
    ]
    work = ad.assign(
        effective=effective,
        known_by=known_by,
        date_known=dated,
        rank=ad["action"].map(ACTION_RANK).fillna(2).astype(int),
    )
    if as_of is not None:
        work = work[work["effective"] <= as_of]
    if work.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    work = work.sort_values(["instrument_id", "party_code", "known_by", "rank"], kind="stable")
    last = work.groupby(["instrument_id", "party_code"], sort=False).tail(1).set_index(["instrument_id", "party_code"])
    status = last["action"].map(ACTION_STATUS)
    detail = pd.Series("", index=last.index)
    withdrawn = last.index[last["action"] == "withdrew_ratification"]
    if len(withdrawn):
        signed = work[work["action"] == "signed"].set_index(["instrument_id", "party_code"]).index
        unsigned = work[work["action"] == "withdrew_signature"].set_index(["instrument_id", "party_code"]).index
        for idx in withdrawn:
            detail[idx] = f"ratification withdrawn {last.loc[idx, 'date']}".strip()
            if idx in signed and idx not in unsigned:
                status[idx] = "signed"

    treaty_in_force = inst["in_force"].map(earliest).to_dict()
    rules = inst["party_in_force_rule"].to_dict() if "party_in_force_rule" in inst else {}
    day = as_of or date.today()
    in_force_from: list[date | None] = []
    levels: list[str] = []
    for (instrument, _party), st, row in zip(last.index, status, last.itertuples(), strict=True):
        start = None
        kind = kinds.get(instrument, "")
        if st == "party" and kind in BINDING_KINDS and treaty_in_force.get(instrument):
            consent = row.known_by if row.date_known else treaty_in_force[instrument]
            start = in_force_for_party(consent, treaty_in_force[instrument], rules.get(instrument, "") or "")
        in_force_from.append(start)
        levels.append(_level(st, kind, start is not None and start <= day))
    out = pd.DataFrame(
        {
            "status": status,
            "level": levels,
            "role": last["role"],
            "since": last["date"],
            "date_known": last["date_known"].astype(bool),
            "earliest": [e if e != date.min else None for e in last["effective"]],  # dated: reset below
            "known_by": last["known_by"],
            "in_force_from": in_force_from,
            "adopted": status.isin(ADOPTED_STATUSES),
            "source_id": last["source_id"],
            "detail": detail,
        }
    ).reset_index()
    # a dated act's earliest day is the start of its period; an undated one's, the opening (or None)
    out.loc[out["date_known"], "earliest"] = [earliest(s) for s in out.loc[out["date_known"], "since"]]
    return out[STATUS_COLUMNS].sort_values(["instrument_id", "party_code"]).reset_index(drop=True)
