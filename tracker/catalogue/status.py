"""Status of each (instrument, party) on a date, derived from the dated actions.

The priority rule (documented in catalogue/README.md §3): actions are ordered by the day they
are surely known by (a partial date counts from its last day; an undated action from its
source's as-of date) and, on one day, signature < observer < binding act < exit. The latest
action sets the status, except that a withdrawn ratification leaves a standing signature.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from tracker.dates import date_bounds

ACTION_STATUS = {
    "signed": "signed",
    "observer": "observer",
    "ratified": "party",
    "acceded": "party",
    "approved": "party",
    "accepted": "party",
    "succeeded": "party",
    "joined": "member",
    "endorsed": "endorsed",
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
}  # every binding action ranks 2
ADOPTED_STATUSES = frozenset({"party", "member", "endorsed", "participant", "adopted"})
STATUS_COLUMNS = ["instrument_id", "party_code", "status", "role", "since", "adopted", "source_id", "detail"]


def derive_status(adoptions: pd.DataFrame, sources: pd.DataFrame, as_of: date | None) -> pd.DataFrame:
    """One row per (instrument_id, party_code) with an action known by ``as_of`` (None: all)."""
    ad = adoptions
    if ad.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    source_as_of = dict(zip(sources["id"], sources["as_of"], strict=True))
    ends = {d: date_bounds(d)[1] for d in ad["date"].unique() if d}
    eff = [
        ends[d] if d else date.fromisoformat(source_as_of[s]) for d, s in zip(ad["date"], ad["source_id"], strict=True)
    ]
    work = ad.assign(effective=eff, rank=ad["action"].map(ACTION_RANK).fillna(2).astype(int))
    if as_of is not None:
        work = work[work["effective"] <= as_of]
    work = work.sort_values(["instrument_id", "party_code", "effective", "rank"], kind="stable")
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
    out = pd.DataFrame(
        {
            "status": status,
            "role": last["role"],
            "since": last["date"],
            "adopted": status.isin(ADOPTED_STATUSES),
            "source_id": last["source_id"],
            "detail": detail,
        }
    ).reset_index()
    return out[STATUS_COLUMNS].sort_values(["instrument_id", "party_code"]).reset_index(drop=True)
