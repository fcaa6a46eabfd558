"""A small hand-built catalogue for analytics tests (Catalogue.from_frames, no files).

Three camps with a recognisable voting structure, plus adoptions and a group:

- west  USA GBR FRA DEU CAN: vote together, adopt the open instruments;
- east  RUS CHN IRN BLR: vote together, adopt the sovereign instrument;
- swing IND IDN ZAF: vote with the east on general texts but yes on both rival cyber drafts;
- SSD: a member with no votes at all (the "not enough evidence" case).

General resolutions 2012-2017 split west vs east; the cyber series "oewg" (east-sponsored)
and "gge-poa" (west-sponsored) run 2018-2022 with the usual pattern.
"""

from __future__ import annotations

import pandas as pd

from tracker.catalogue import Catalogue
from tracker.schema import reference_descriptor

WEST = ["USA", "GBR", "FRA", "DEU", "CAN"]
EAST = ["RUS", "CHN", "IRN", "BLR"]
SWING = ["IND", "IDN", "ZAF"]
SILENT = ["SSD"]
NAMES = {
    "USA": "United States",
    "GBR": "United Kingdom",
    "FRA": "France",
    "DEU": "Germany",
    "CAN": "Canada",
    "RUS": "Russian Federation",
    "CHN": "China",
    "IRN": "Iran",
    "BLR": "Belarus",
    "IND": "India",
    "IDN": "Indonesia",
    "ZAF": "South Africa",
    "SSD": "South Sudan",
}
ALIASES = {"Russia": "RUS", "UK": "GBR", "Iran (Islamic Republic of)": "IRN"}


def _columns(name: str) -> list[str]:
    schema = {r["name"]: r["schema"] for r in reference_descriptor()["resources"]}[name]
    return [f["name"] for f in schema["fields"]]


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = _columns(name)
    df = pd.DataFrame(rows, columns=cols)
    if not len(df):
        return pd.DataFrame({c: pd.Series(dtype=str) for c in cols})
    return df.astype(object).where(df.notna(), "").astype(str)


def general_votes(i: int) -> dict[str, str]:
    """West vs east split; swing with the east; a few consensus texts."""
    if i % 5 == 4:  # consensus
        return {p: "yes" for p in WEST + EAST + SWING}
    west = "no" if i % 2 else "yes"
    east = "yes" if i % 2 else "no"
    out = {p: west for p in WEST} | {p: east for p in EAST} | {p: east for p in SWING}
    if i % 3 == 0:
        out["ZAF"] = "abstain"
    return out


def cyber_votes(series: str, year: int) -> dict[str, str]:
    if series == "oewg":
        west = "abstain" if year == 2019 else "no"
        return {p: west for p in WEST} | {p: "yes" for p in EAST + SWING}
    return {p: "yes" for p in WEST + SWING} | {p: "no" for p in EAST}


def build(*, adoptions: bool = True, vote_overrides: dict | None = None) -> Catalogue:
    """The fixture catalogue; ``vote_overrides`` {(resolution_id, party): vote} edits votes."""
    parties = [
        {
            "code": c,
            "name": n,
            "official_name": "",
            "kind": "state",
            "iso_alpha2": "",
            "iso_numeric": "",
            "un_member": "true",
            "un_member_since": "",
            "un_regional_group": "",
            "source_id": "src",
            "note": "",
        }
        for c, n in NAMES.items()
    ]
    aliases = [{"alias": a, "code": c, "note": ""} for a, c in ALIASES.items()]
    resolutions, votes = [], []

    def add_resolution(rid, date, topic, series, result):
        resolutions.append(
            {
                "id": rid,
                "symbol": rid,
                "date": date,
                "title": f"Resolution {rid}",
                "forum": "UNGA",
                "committee": "",
                "topic": topic,
                "series": series,
                "recorded_vote": "true",
                "vote_kind": "whole",
                "yes": "",
                "no": "",
                "abstain": "",
                "tally_source": "",
                "instrument_id": "",
                "source_id": "src",
                "note": "",
            }
        )
        for party, vote in result.items():
            vote = (vote_overrides or {}).get((rid, party), vote)
            votes.append({"resolution_id": rid, "party_code": party, "vote": vote, "source_id": "src"})

    for i in range(30):
        year = 2012 + i // 5
        add_resolution(
            f"A/RES/{67 + i // 5}/{100 + i}", f"{year}-{1 + (i % 5) * 2:02d}-15", "general", "", general_votes(i)
        )
    for year in (2018, 2019, 2020, 2022):
        session = year - 1945
        add_resolution(f"A/RES/{session}/27", f"{year}-12-05", "cyber_security", "oewg", cyber_votes("oewg", year))
        add_resolution(
            f"A/RES/{session}/28", f"{year}-12-05", "cyber_security", "gge-poa", cyber_votes("gge-poa", year)
        )
    instruments = [
        {
            "id": "budapest-convention",
            "name": "Convention on Cybercrime",
            "short_name": "Budapest Convention",
            "kind": "treaty",
            "pillar": "norms",
            "stance": "open",
            "source_id": "src",
            "as_of": "2024-01-01",
        },
        {
            "id": "paris-call",
            "name": "Paris Call",
            "short_name": "Paris Call",
            "kind": "declaration",
            "pillar": "values",
            "stance": "open",
            "source_id": "src",
            "as_of": "2024-01-01",
        },
        {
            "id": "dfi",
            "name": "Declaration for the Future of the Internet",
            "short_name": "DFI",
            "kind": "declaration",
            "pillar": "values",
            "stance": "open",
            "source_id": "src",
            "as_of": "2024-01-01",
        },
        {
            "id": "sco-agreement",
            "name": "SCO information security agreement",
            "short_name": "SCO agreement",
            "kind": "treaty",
            "pillar": "norms",
            "stance": "sovereign",
            "source_id": "src",
            "as_of": "2024-01-01",
        },
    ]
    inst_aliases = [{"instrument_id": "budapest-convention", "alias": "ETS 185", "alias_kind": "treaty_number"}]
    ad = []
    if adoptions:

        def act(inst, party, action, date):
            ad.append(
                {
                    "instrument_id": inst,
                    "party_code": party,
                    "action": action,
                    "role": "",
                    "date": date,
                    "source_id": "src",
                    "note": "",
                }
            )

        for p in WEST:
            act("budapest-convention", p, "ratified", "2006")
            act("paris-call", p, "endorsed", "2018-11-12")
        for p in ["USA", "GBR", "FRA"]:
            act("dfi", p, "endorsed", "2022-04-28")
        act("dfi", "DEU", "endorsed", "2023-06")  # after the 2022-12-31 cut-off used in tests
        act("dfi", "CAN", "endorsed", "2023-07")
        act("budapest-convention", "IND", "signed", "2019")
        for p in EAST:
            act("sco-agreement", p, "ratified", "2010")
        act("sco-agreement", "IDN", "acceded", "2023-03")  # a swing state joining the east later
    groups = [
        {
            "id": "g7",
            "name": "Group of Seven",
            "short_name": "G7",
            "kind": "economic",
            "source_id": "src",
            "as_of": "2024-01-01",
        }
    ]
    members = [
        {"group_id": "g7", "party_code": p, "role": "member", "joined": "1975", "left": "", "source_id": "src"}
        for p in ["USA", "GBR", "FRA", "DEU", "CAN"]
    ]
    members.append(
        {"group_id": "g7", "party_code": "RUS", "role": "member", "joined": "1997", "left": "2014", "source_id": "src"}
    )
    frames = {
        "sources": _frame(
            "sources",
            [{"id": "src", "title": "test", "publisher": "test", "url": "https://x.test", "as_of": "2024-01-01"}],
        ),
        "parties": _frame("parties", parties),
        "party_aliases": _frame("party_aliases", aliases),
        "instruments": _frame("instruments", instruments),
        "instrument_aliases": _frame("instrument_aliases", inst_aliases),
        "adoptions": _frame("adoptions", ad),
        "groups": _frame("groups", groups),
        "group_members": _frame("group_members", members),
        "resolutions": _frame("resolutions", resolutions),
        "votes": _frame("votes", votes),
        "crosswalk": _frame("crosswalk", []),
    }
    return Catalogue.from_frames(frames, version="fixture", origin="tests/analytics_fixtures.py")
