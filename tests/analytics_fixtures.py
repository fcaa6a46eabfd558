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


# --------------------------------------------------------------------------- camps (swing states)

CAMP_WEST = ["USA", "GBR", "FRA", "DEU", "CAN", "AUS", "JPN", "NLD", "TUR", "CHE"]
CAMP_EAST = ["RUS", "CHN", "IRN", "BLR", "CUB", "SYR"]
CAMP_MIDDLE = ["IND", "IDN", "ZAF", "BRA", "MEX", "NGA", "EGY", "KEN", "MWI", "ARG"]
SPLITTER = "TUR"  # votes with the West on everything but the OEWG texts, where it votes yes
DOUBLE = "CHE"  # a Western state voting yes on both rival texts in 2019 and 2020
LEANER = "BRA"  # a middle state voting no on the OEWG texts with the West in 2020-2023
SPONSOR = "MWI"  # votes like the middle; sponsors both rival texts in CAMP_SPONSORS
CAMP_SESSIONS = {73: 2018, 74: 2019, 75: 2020, 77: 2022, 78: 2023}
CAMP_SPONSORS = pd.DataFrame(
    [{"resolution_id": f"A/RES/{s}/27", "party_code": p} for s in (74, 75) for p in ["RUS", "CHN", SPONSOR]]
    + [{"resolution_id": f"A/RES/{s}/28", "party_code": p} for s in (74, 75) for p in ["USA", "GBR", SPONSOR]]
)
CAMP_NAMES = {
    "AUS": "Australia",
    "JPN": "Japan",
    "NLD": "Netherlands",
    "TUR": "Türkiye",
    "CHE": "Switzerland",
    "CUB": "Cuba",
    "SYR": "Syria",
    "BRA": "Brazil",
    "MEX": "Mexico",
    "NGA": "Nigeria",
    "EGY": "Egypt",
    "KEN": "Kenya",
    "MWI": "Malawi",
    "ARG": "Argentina",
    "EUU": "European Union",
}


def _camp_general(i: int) -> dict[str, str]:
    """West against the rest on most texts; a few consensus texts; some middle abstentions."""
    if i % 6 == 5:
        return {p: "yes" for p in CAMP_WEST + CAMP_EAST + CAMP_MIDDLE}
    west, rest = ("yes", "no") if i % 2 else ("no", "yes")
    out = {p: west for p in CAMP_WEST} | {p: rest for p in CAMP_EAST + CAMP_MIDDLE}
    for k, p in enumerate(CAMP_MIDDLE):
        if (i * 7 + k * 3) % 11 == 0:
            out[p] = "abstain"
    return out


def _camp_cyber(series: str, session: int) -> dict[str, str]:
    if series == "oewg":
        west = "abstain" if session == 74 else "no"  # the bloc-wide shift of 2019, and back
        out = {p: west for p in CAMP_WEST} | {p: "yes" for p in CAMP_EAST + CAMP_MIDDLE}
        out[SPLITTER] = "yes"
        if session in (74, 75):
            out[DOUBLE] = "yes"
        if session >= 75:
            out[LEANER] = "no"
        return out
    return {p: "yes" for p in CAMP_WEST + CAMP_MIDDLE} | {p: "no" for p in CAMP_EAST}


def camps() -> Catalogue:
    """West, middle and a hard core voting no on the GGE/PoA texts (see the constants above).

    On general texts the hard core votes with the middle, so with the blocs it shares, its no
    on the PoA texts is a firmer position, not a move toward another bloc. Also has the EU as a
    party (EUU, alias "EU") beside the EU group ("eu"), and the groups G7 and AU.
    """
    names = NAMES | CAMP_NAMES
    codes = CAMP_WEST + CAMP_EAST + CAMP_MIDDLE + ["EUU"]
    parties = [
        {
            "code": c,
            "name": names[c],
            "official_name": "",
            "kind": "organization" if c == "EUU" else "state",
            "iso_alpha2": "",
            "iso_numeric": "",
            "un_member": "false" if c == "EUU" else "true",
            "un_member_since": "",
            "un_regional_group": "",
            "source_id": "src",
            "note": "",
        }
        for c in codes
    ]
    resolutions, votes = [], []

    def add(rid, day, topic, series, result):
        resolutions.append(
            {
                "id": rid,
                "symbol": rid,
                "date": day,
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
        votes.extend({"resolution_id": rid, "party_code": p, "vote": v, "source_id": "src"} for p, v in result.items())

    for i in range(60):
        add(f"A/RES/{66 + i // 10}/{200 + i}", f"{2011 + i // 10}-{1 + i % 10:02d}-10", "general", "", _camp_general(i))
    for session, year in CAMP_SESSIONS.items():
        add(f"A/RES/{session}/27", f"{year}-12-05", "cyber_security", "oewg", _camp_cyber("oewg", session))
        add(f"A/RES/{session}/28", f"{year}-12-05", "cyber_security", "gge-poa", _camp_cyber("gge-poa", session))
    groups = [
        {"id": "g7", "name": "Group of Seven", "short_name": "G7", "kind": "economic", "source_id": "src"},
        {"id": "eu", "name": "European Union", "short_name": "EU", "kind": "political", "source_id": "src"},
        {"id": "au", "name": "African Union", "short_name": "AU", "kind": "political", "source_id": "src"},
    ]
    members = [("g7", p) for p in ["USA", "GBR", "FRA", "DEU", "CAN", "JPN"]]
    members += [("eu", p) for p in ["FRA", "DEU", "NLD"]]
    members += [("au", p) for p in ["ZAF", "NGA", "EGY", "KEN", "MWI"]]
    frames = {
        "sources": _frame(
            "sources",
            [{"id": "src", "title": "test", "publisher": "test", "url": "https://x.test", "as_of": "2024-01-01"}],
        ),
        "parties": _frame("parties", parties),
        "party_aliases": _frame("party_aliases", [{"alias": "EU", "code": "EUU", "note": ""}]),
        "instruments": _frame(
            "instruments",
            [
                {
                    "id": "malabo-convention",
                    "name": "African Union Convention on Cyber Security",
                    "short_name": "Malabo Convention",
                    "kind": "treaty",
                    "pillar": "norms",
                    "stance": "neutral",
                    "source_id": "src",
                    "as_of": "2024-01-01",
                }
            ],
        ),
        "instrument_aliases": _frame("instrument_aliases", []),
        "adoptions": _frame(
            "adoptions",
            [
                {
                    "instrument_id": "malabo-convention",
                    "party_code": p,
                    "action": "ratified",
                    "date": "2020",
                    "role": "",
                    "source_id": "src",
                    "note": "",
                }
                for p in ["ZAF", "NGA"]
            ],
        ),
        "groups": _frame("groups", [g | {"as_of": "2024-01-01"} for g in groups]),
        "group_members": _frame(
            "group_members",
            [
                {"group_id": g, "party_code": p, "role": "member", "joined": "2000", "left": "", "source_id": "src"}
                for g, p in members
            ],
        ),
        "resolutions": _frame("resolutions", resolutions),
        "votes": _frame("votes", votes),
        "crosswalk": _frame("crosswalk", []),
    }
    return Catalogue.from_frames(frames, version="camps", origin="tests/analytics_fixtures.py")
