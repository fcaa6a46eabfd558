"""One-off curation script: turn the UNGA reference extract into catalogue tables.

Run by a curator from a checkout that has the reference folder beside it:
    python catalogue/build/import_unga.py ../shared/data/unga catalogue/
It writes resolutions.csv, votes.csv.gz and the UNGA rows of sources.csv. The tracker
never runs this (it reads only catalogue/); it is kept so the provenance of every vote is
reproducible. Cyber resolutions come from cyber_votes.csv (checked against the official
tallies); all other recorded plenary votes since 2010 from all_votes_2010plus.
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
from pathlib import Path

import pandas as pd

READ_ON = "2026-11-27"
UN_TERMS = "UN terms of use: acknowledge the United Nations as the source"

# Resolutions that continue one another, by title (DESIGN.md: OEWG texts vs GGE/PoA texts).
SERIES = [
    (r"^Developments in the field of information and telecommunications", "oewg"),
    (r"^Advancing responsible State behaviour in cyberspace", "gge-poa"),
    (r"^Programme of action to advance responsible State behaviour", "gge-poa"),
    (r"^Countering the use of information and communications technologies for criminal", "cybercrime"),
    (r"^Artificial intelligence in the military domain", "ai-military"),
]

# Adopted without a vote (no per-country data): from the extract's README, DGACM
# adoption_type "Without a vote", with the dates it gives.
WITHOUT_VOTE = [
    (
        "A/RES/75/282",
        "2021-05-26",
        "Countering the use of information and communications technologies for criminal purposes (modalities of the Ad Hoc Committee)",
        "cybercrime",
        "cybercrime",
        None,
        "unga-dgacm-75",
    ),
    (
        "A/RES/76/19",
        "2021-12-06",
        "Developments in the field of information and telecommunications in the context of international security, and advancing responsible State behaviour in the use of information and communications technologies",
        "cyber_security",
        "",
        None,
        "unga-dgacm-76",
    ),
    (
        "A/RES/79/237",
        "2024-12-24",
        "Developments in the field of information and telecommunications in the context of international security (OEWG 2021-2025)",
        "cyber_security",
        "oewg",
        None,
        "unga-dgacm-79",
    ),
    (
        "A/RES/79/243",
        "2024-12-24",
        "United Nations Convention against Cybercrime",
        "cybercrime",
        "cybercrime",
        "un-cybercrime-convention",
        "unga-dgacm-79",
    ),
    (
        "A/RES/80/16",
        "2025-12-01",
        "Developments in the field of information and telecommunications in the context of international security (OEWG 2021-2025 follow-up)",
        "cyber_security",
        "oewg",
        None,
        "unga-dgacm-80",
    ),
]


def series_of(title: str) -> str:
    for pattern, name in SERIES:
        if re.match(pattern, title or ""):
            return name
    return ""


def source_row(sid: str, title: str, url: str, as_of: str, note: str = "") -> dict:
    return {
        "id": sid,
        "title": title,
        "publisher": "United Nations" if "voeten" not in sid else "Harvard Dataverse (Erik Voeten)",
        "url": url,
        "as_of": as_of,
        "licence": "CC0" if "voeten" in sid else UN_TERMS,
        "note": note,
    }


def source_id_for(primary: str) -> tuple[str, dict]:
    m = re.search(r"digitallibrary\.un\.org/record/(\d+)", primary)
    if m:
        sid = f"unga-undl-{m.group(1)}"
        return sid, source_row(
            sid,
            f"UN Digital Library voting record {m.group(1)}",
            f"https://digitallibrary.un.org/record/{m.group(1)}",
            "2022-01-31",
            "read from a January-2022 scrape of the UN Digital Library records",
        )
    m = re.search(r"data_extract/(\d+)\.json", primary)
    session = m.group(1)
    return f"unga-dgacm-{session.lower()}", dgacm_source(session)


def dgacm_source(session: str) -> dict:
    sid = f"unga-dgacm-{session.lower()}"
    return source_row(
        sid,
        f"UN DGACM machine-readable General Assembly resolutions, session {session}",
        f"https://github.com/UNxml/GAresolutions/blob/42a69b67/data_extract/{session}.json",
        "2026-07-10",
        "unofficial copies prepared by DGACM from the official files; snapshot 42a69b67",
    )


def tally(r) -> list[str]:
    """The source's stated yes/no/abstain, falling back to the per-country count where a figure is blank."""
    stated = (r.stated_yes, r.stated_no, r.stated_abstain)
    return [x.replace(".0", "") if x else c for x, c in zip(stated, (r.yes, r.no, r.abstain), strict=True)]


def discrepancy(r) -> str:
    """Voeten's stated totals sometimes differ from its per-country coding (e.g. Zimbabwe coded
    absent in the 71st session); keep both and say so rather than patch either."""
    stated, counted = tally(r), [r.yes, r.no, r.abstain]
    if stated == counted:
        return ""
    return (
        f"known discrepancy: stated tally {'-'.join(stated)}, per-country votes count {'-'.join(counted)} "
        "(source coding kept as is; see the Voeten caveat in catalogue/README.md)"
    )


def main(src: Path, out: Path) -> None:
    cyber = pd.read_csv(src / "cyber_resolutions.csv", dtype=str, keep_default_na=False)
    cyber_votes = pd.read_csv(src / "cyber_votes.csv", dtype=str, keep_default_na=False)
    rollcalls = pd.read_csv(src / "all_votes_2010plus_rollcalls.csv", dtype=str, keep_default_na=False)
    allvotes = pd.read_csv(src / "all_votes_2010plus.csv.gz", dtype=str, keep_default_na=False)

    sources: dict[str, dict] = {}
    voeten = source_row(
        "unga-voeten-2024",
        "Erik Voeten, United Nations General Assembly Voting Data (release to 2024-06-04)",
        "https://dataverse.harvard.edu/dataset.xhtml?persistentId=hdl:1902.1/12379",
        "2024-06-04",
        "hdl:1902.1/12379; ISO3 columns as cleaned by github:Pigeon-Effect/Mapping-UNGA-Voting-Alliances (704abe1)",
    )
    sources[voeten["id"]] = voeten

    resolutions, votes = [], []
    for r in cyber.itertuples():
        sid, srow = source_id_for(r.primary_source)
        sources[sid] = srow
        resolutions.append(
            {
                "id": r.resolution,
                "symbol": r.resolution,
                "date": r.date,
                "title": r.title,
                "forum": "UNGA",
                "committee": r.committee,
                "topic": r.category,
                "series": series_of(r.title),
                "recorded_vote": "true",
                "vote_kind": "whole",
                "yes": r.official_yes,
                "no": r.official_no,
                "abstain": r.official_abstain,
                "tally_source": r.official_tally_source,
                "source_id": sid,
                "note": f"cross-checks: {r.cross_checks}" if r.cross_checks else "",
            }
        )
    cyber_source = {r.resolution: source_id_for(r.primary_source)[0] for r in cyber.itertuples()}
    for v in cyber_votes.itertuples():
        votes.append((v.resolution, v.iso3, v.vote, cyber_source[v.resolution]))

    cyber_ids = set(cyber.resolution)
    rollcalls = rollcalls[~rollcalls.resolution.isin(cyber_ids)].copy()
    dup = rollcalls.resolution.duplicated(keep=False) | (rollcalls.resolution == "")
    rollcalls["rid"] = rollcalls.resolution
    rollcalls.loc[dup, "rid"] = (
        rollcalls.resolution + " rc" + rollcalls.rcid.str.replace(".0", "", regex=False)
    ).str.strip()
    key_to_rid = {}
    for r in rollcalls.itertuples():
        if r.source == "voeten":
            sid, key = "unga-voeten-2024", ("voeten", r.rcid.replace(".0", ""))
        else:
            session = r.resolution.split("/")[2]
            sid, key = f"unga-dgacm-{session.lower()}", ("unxml", r.resolution)
            sources.setdefault(sid, dgacm_source(session))
        key_to_rid[key] = (r.rid, sid)
        kind = "amendment" if r.amend in ("1", "1.0") else "paragraph" if r.para in ("1", "1.0") else "whole"
        yes, no, abstain = tally(r)
        resolutions.append(
            {
                "id": r.rid,
                "symbol": r.resolution,
                "date": r.date,
                "title": r.title,
                "forum": "UNGA",
                "committee": "",
                "topic": "general",
                "series": "",
                "recorded_vote": "true",
                "vote_kind": kind,
                "yes": yes,
                "no": no,
                "abstain": abstain,
                "tally_source": "stated totals of the source record"
                if r.stated_yes
                else "counted from the per-country votes",
                "source_id": sid,
                "note": discrepancy(r),
            }
        )
    for v in allvotes.itertuples():
        key = ("voeten", v.rcid.replace(".0", "")) if v.source == "voeten" else ("unxml", v.resolution)
        if v.resolution in cyber_ids:
            continue
        rid, sid = key_to_rid[key]
        votes.append((rid, v.iso3, v.vote, sid))

    for rid, date, title, topic, series, _instrument, sid in WITHOUT_VOTE:
        session = rid.split("/")[2]
        sources.setdefault(sid, dgacm_source(session))
        resolutions.append(
            {
                "id": rid,
                "symbol": rid,
                "date": date,
                "title": title,
                "forum": "UNGA",
                "committee": "",
                "topic": topic,
                "series": series,
                "recorded_vote": "false",
                "vote_kind": "",
                "yes": "",
                "no": "",
                "abstain": "",
                "tally_source": "",
                # the instrument a resolution adopts goes to resolution_links.csv (round 10)
                "source_id": sid,
                "note": "adopted without a vote",
            }
        )

    res = pd.DataFrame(resolutions).sort_values(["date", "id"])
    res.to_csv(out / "resolutions.csv", index=False, lineterminator="\n")
    vdf = pd.DataFrame(votes, columns=["resolution_id", "party_code", "vote", "source_id"])
    vdf = vdf.sort_values(["resolution_id", "party_code"])
    with gzip.GzipFile(out / "votes.csv.gz", "wb", mtime=0) as gz:
        gz.write(vdf.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    with (out / "build" / "unga_sources.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(voeten), lineterminator="\n")
        w.writeheader()
        w.writerows(sorted(sources.values(), key=lambda s: s["id"]))
    print(f"{len(res)} resolutions, {len(vdf)} votes, {len(sources)} sources")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
