"""Page sections shared by several pages (an instrument's page, a norm's page, search results)."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from tracker.catalogue import Catalogue
from tracker.ui import cache
from tracker.ui import components as ui

CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}


# --------------------------------------------------------------------------- search results

def search_table(cat: Catalogue, query: str, allowed: set[str]) -> pd.DataFrame:
    """The results table: every allowed entry when the query is empty, else the search hits."""
    inst = cat.instruments
    coverage = cat.coverage()
    cols = ["id", "kind", "name", "pillar", "stance", "parties"]
    if not query.strip():
        out = inst[inst["id"].isin(allowed)].assign(parties=lambda d: d["id"].map(coverage["parties"]))
        return out[cols].reset_index(drop=True)
    if cache.search_available():
        hits = cache.search_index(cat.version).search(query, limit=30)
        rows = []
        meta = inst.set_index("id")
        for h in hits:
            target = h.id.split("#", 1)[0] if h.kind == "clause" else h.id
            if h.kind in ("instrument", "norm", "clause") and target not in allowed:
                continue
            if h.kind in ("group", "resolution"):
                continue  # groups and resolutions have their own pages (compare, blocs)
            row = {"id": target, "kind": h.kind, "name": h.name, "score": round(h.score, 1),
                   "matched": f"{h.via}: {h.matched}" if h.via else h.matched}
            if target in meta.index:
                row.update(pillar=meta.loc[target, "pillar"], stance=meta.loc[target, "stance"],
                           parties=int(coverage.loc[target, "parties"]))
            rows.append(row)
        frame = pd.DataFrame(rows, columns=["id", "kind", "name", "score", "matched", "pillar", "stance",
                                            "parties"])
        return frame.astype({"parties": "Int64"})
    # Without the search module (issue 4 not merged): a plain case-insensitive substring filter.
    q = query.strip().casefold()
    aliases = cat.instrument_aliases.groupby("instrument_id")["alias"].agg(" ".join)
    text = (inst["name"] + " " + inst["short_name"] + " " + inst["id"] + " "
            + inst["id"].map(aliases).fillna("")).str.casefold()
    out = inst[text.str.contains(q, regex=False) & inst["id"].isin(allowed)]
    return out.assign(parties=lambda d: d["id"].map(coverage["parties"]))[cols].reset_index(drop=True)


# --------------------------------------------------------------------------- instrument page

def _sources_table(cat: Catalogue, ids) -> pd.DataFrame:
    src = cat.sources[cat.sources["id"].isin(set(ids))]
    return src[["id", "title", "publisher", "url", "as_of"]]


def instrument_page(cat: Catalogue, inst_id: str) -> None:
    inst = cat.instruments.set_index("id")
    row = inst.loc[inst_id]
    label = ui.instrument_label(cat)
    st.header(row["name"])
    facts = [f"**Kind** {row['kind'].replace('_', ' ')}", f"**Pillar** {row['pillar']}",
             f"**Stance** {row['stance']}", f"**Body** {row['body'] or '—'}"]
    if row["opened"]:
        facts.append(f"**Opened** {row['opened']}")
    if row["in_force"]:
        facts.append(f"**In force** {row['in_force']}")
    facts.append(f"**As of** {row['as_of']}")
    st.markdown(" · ".join(facts))
    if row["value_clusters"]:
        st.caption("Value clusters: " + ", ".join(row["value_clusters"].split(";"))
                   + (f" · stance reason: {row['stance_reason']}" if row["stance_reason"] else ""))
    if row["description"]:
        st.write(row["description"])
    if row["url"]:
        st.markdown(f"Official text or page: [{row['url']}]({row['url']}) (opens outside the app)")
    if row["parent_id"]:
        st.caption(f"Part of: {label(row['parent_id'])} ({row['parent_id']})")
    children = inst.index[inst["parent_id"] == inst_id].tolist()
    if children:
        st.caption("Protocols and parts: " + ", ".join(f"{label(c)} ({c})" for c in children))

    if row["kind"] == "norm":
        norm_section(cat, inst_id)
    else:
        adopters_section(cat, inst_id)
        carried = cat.crosswalk[cat.crosswalk["instrument_id"] == inst_id]
        st.subheader("Norms it carries")
        if carried.empty:
            ui.empty_state("The crosswalk links no norm concept to this instrument yet.")
        else:
            st.caption(f"{len(carried)} crosswalk rows (norm concept → clause of this instrument).")
            st.dataframe(carried.assign(norm=carried["norm_id"].map(label))[
                ["norm", "clause", "clause_title", "relationship", "confidence", "rationale", "source_id"]],
                hide_index=True, width="stretch")

    st.subheader("Sources")
    ids = {row["source_id"], *cat.adoptions.loc[cat.adoptions["instrument_id"] == inst_id, "source_id"]}
    ids |= set(cat.crosswalk.loc[(cat.crosswalk["instrument_id"] == inst_id)
                                 | (cat.crosswalk["norm_id"] == inst_id), "source_id"])
    ids.discard("")
    src = _sources_table(cat, ids)
    st.caption(f"{len(src)} sources cited for this entry, its adoptions and crosswalk rows.")
    st.dataframe(src, hide_index=True, width="stretch",
                 column_config={"url": st.column_config.LinkColumn("url")})
    if row["kind"] != "norm" and cat.coverage().loc[inst_id, "tracked"]:
        ui.export_spot(f"Export the adopters of {label(inst_id)}", key=f"export_{inst_id}", kind="adoptions",
                       instrument=inst_id)


def adopters_section(cat: Catalogue, inst_id: str) -> None:
    st.subheader("Adopters")
    coverage = cat.coverage()
    if not coverage.loc[inst_id, "tracked"]:
        ui.empty_state("No adoption actions are recorded for this instrument yet: that means *no data*, "
                       "not that nobody adopted it. Curators can propose rows with sources.")
        return
    as_of = st.date_input("As of", value=date.today(), key=f"asof_{inst_id}",
                          min_value=date(1950, 1, 1), max_value=date.today())
    s = cache.status_as_of(cat.version, as_of)
    s = s[s["instrument_id"] == inst_id]
    counts = s["status"].value_counts()
    cols = st.columns(max(len(counts), 1) + 1)
    cols[0].metric("Adopted", int(s["adopted"].sum()),
                   help=f"Parties bound, members, endorsers or participants on {as_of} (a signature alone "
                        f"is not adoption), out of {len(cat.parties)} parties in the catalogue.")
    for col, (status, n) in zip(cols[1:], counts.items(), strict=False):
        col.metric(f"Status: {status}", int(n), help=f"Parties whose latest action by {as_of} gives '{status}'.")
    st.caption(f"{len(s)} parties with any recorded action on {as_of}, from "
               f"{int(coverage.loc[inst_id, 'rows'])} dated or undated source rows; sources as of "
               f"{coverage.loc[inst_id, 'sources_as_of']}.")
    frame = cat.parties[["code", "name"]].merge(s[["party_code", "status", "since"]], left_on="code",
                                                right_on="party_code", how="left")
    frame["Status"] = ui.status_group(frame["status"])
    frame["since"] = frame["since"].fillna("")
    ui.show_map(ui.world_map(frame, color="Status", title=f"Status on {as_of}", legend_title="Status",
                             domain=ui.STATUS_DOMAIN, range_=ui.STATUS_RANGE, tooltip=["since"], height=360),
                key=f"map_{inst_id}")
    ui.map_notes(cat, frame, "Status")
    timeline(cat, inst_id)
    with st.expander(f"All {len(s)} parties with a recorded status"):
        st.dataframe(s[["party", "party_code", "status", "since", "detail", "source_id"]]
                     .sort_values(["status", "party"]), hide_index=True, width="stretch")


def timeline(cat: Catalogue, inst_id: str) -> None:
    ad = cache.adoptions_dated(cat.version)
    ad = ad[ad["instrument_id"] == inst_id]
    dated = ad.dropna(subset=["last_day"])
    if dated.empty:
        st.caption(f"No dated actions to draw a timeline ({len(ad)} undated rows).")
        return
    per = dated.assign(year=dated["last_day"].dt.year).groupby(["year", "action"]).size().rename("actions")
    chart = (alt.Chart(per.reset_index()).mark_bar()
             .encode(x=alt.X("year:O", title="Year"), y=alt.Y("actions:Q", title="Actions"),
                     color=alt.Color("action:N", scale=alt.Scale(range=ui.OKABE_ITO), title="Action"),
                     tooltip=["year", "action", "actions"])
             .properties(title="Timeline of recorded actions", height=220))
    st.altair_chart(chart, width="stretch")
    st.caption(f"{len(dated)} dated actions by year ({len(ad) - len(dated)} undated rows not drawn).")


# --------------------------------------------------------------------------- norm page

def norm_carriers(cat: Catalogue, norm_id: str, as_of: date | None) -> pd.DataFrame:
    """Parties carrying a norm: one row per (party, instrument, clause) with relationship and confidence."""
    cw = cat.crosswalk[cat.crosswalk["norm_id"] == norm_id]
    s = cache.status_as_of(cat.version, as_of)
    s = s[s["adopted"] & s["instrument_id"].isin(cw["instrument_id"])]
    out = s.merge(cw[["instrument_id", "clause", "relationship", "confidence"]], on="instrument_id")
    return out[["party_code", "party", "instrument", "instrument_id", "clause", "relationship", "confidence",
                "status", "since", "source_id"]]


def norm_section(cat: Catalogue, norm_id: str) -> None:
    label = ui.instrument_label(cat)
    cw = cat.crosswalk[cat.crosswalk["norm_id"] == norm_id]
    st.subheader("Where the norm is written down")
    if cw.empty:
        ui.empty_state("No crosswalk row links this norm concept to an instrument clause yet.")
        return
    st.caption(f"{len(cw)} crosswalk rows link this norm to clauses of {cw['instrument_id'].nunique()} "
               "instruments (OSCAL relationships: equivalent-to, subset-of, superset-of, intersects-with).")
    st.dataframe(cw.assign(instrument=cw["instrument_id"].map(label))[
        ["instrument", "clause", "clause_title", "relationship", "confidence", "rationale", "source_id"]],
        hide_index=True, width="stretch")
    st.subheader("Parties that carry it (derived)")
    carriers = norm_carriers(cat, norm_id, None)
    if carriers.empty:
        ui.empty_state("None of the instruments carrying this norm has recorded adopters yet, so no party can "
                       "be shown as carrying it. That is missing data, not evidence of non-adoption.")
        return
    best = (carriers.assign(rank=carriers["confidence"].map(CONFIDENCE_ORDER).fillna(3))
            .sort_values("rank").groupby("party_code").agg(
                party=("party", "first"), confidence=("confidence", "first"),
                via=("instrument", lambda v: ", ".join(sorted(set(v)))), instruments=("instrument_id", "nunique"))
            .reset_index())
    st.caption(f"{len(best)} parties carry this norm through an instrument they adopted; this is derived "
               "evidence (\"via ISO/IEC 27001 national adoption, confidence medium\"), never asserted directly.")
    frame = best.rename(columns={"party_code": "code"})
    frame["Carried via"] = "confidence " + frame["confidence"]
    ui.show_map(ui.world_map(frame[["code", "Carried via", "via"]], color="Carried via",
                             title="Parties carrying the norm (best crosswalk confidence)",
                             legend_title="Carried via", domain=["confidence high", "confidence medium",
                                                                  "confidence low"],
                             range_=["#0072B2", "#56B4E9", "#E69F00"], tooltip=["via"], height=340),
                key=f"normmap_{norm_id}")
    st.dataframe(carriers.rename(columns={"party_code": "code"}), hide_index=True, width="stretch")


# --------------------------------------------------------------------------- alignment map (analytics)

def alignment_map(cat: Catalogue, focus: str, as_of: date) -> None:
    """Placeholder until the analytics module is merged (overview offers the mode only then)."""
    ui.empty_state("The alignment map needs the analytics module.")


def partners_section(cat: Catalogue, code: str) -> None:
    """Closest and most distant partners, bloc and open-vs-sovereign position (analytics)."""
    an = cache.analytics_module()
    if an is None:
        ui.empty_state("Partners, blocs and the open-vs-sovereign position come from the analytics module, "
                       "which is not part of this build yet.")
        return


def alignment_section(cat: Catalogue, codes: list[str], group: str, members: list[str]) -> None:
    """Pairwise alignment scores with evidence counts (analytics)."""
    st.subheader("Alignment")
    an = cache.analytics_module()
    if an is None:
        ui.empty_state("Alignment scores come from the analytics module, which is not part of this build yet; "
                       "the tables below compare instruments and votes directly.")
        return


def party_gaps(cat: Catalogue, code: str, ref: str, *, is_group: bool) -> None:
    """Instruments the bloc (or reference party) adopted that the party has not, ranked."""
    names = cat._party_names()
    status = cache.status_as_of(cat.version, None)
    adopted = status[status["adopted"]]
    mine = set(adopted.loc[adopted["party_code"] == code, "instrument_id"])
    label = ui.instrument_label(cat)
    if is_group:
        all_members = cache.group_members(cat.version, ref)
        members = [m for m in all_members if m != code]
        if not members:
            ui.empty_state(f"No current members are recorded for {ref}, so there is nothing to compare against.")
            return
        share = (adopted[adopted["party_code"].isin(members)].groupby("instrument_id")["party_code"].nunique()
                 / len(members))
        gaps = share[~share.index.isin(mine)].sort_values(ascending=False)
        gaps = gaps[gaps > 0]
        what = f"{len(members)} current members of {ref}" + (f" (excluding {names.get(code, code)})"
                                                            if code in all_members else "")
        if gaps.empty:
            ui.empty_state(f"{names.get(code, code)} has adopted every instrument that any of the {what} adopted "
                           "(as recorded).")
            return
        frame = gaps.rename("share of members adopted").reset_index()
        frame["members adopted"] = (frame["share of members adopted"] * len(members)).round().astype(int)
        frame.insert(0, "instrument", frame["instrument_id"].map(label))
        st.caption(f"{len(frame)} instruments adopted by at least one of the {what} but not by "
                   f"{names.get(code, code)}, ranked by the share of members that adopted them.")
        st.dataframe(frame, hide_index=True, width="stretch", column_config={
            "share of members adopted": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    else:
        theirs = set(adopted.loc[adopted["party_code"] == ref, "instrument_id"])
        gaps = sorted(theirs - mine, key=label)
        if not gaps:
            ui.empty_state(f"{names.get(code, code)} has adopted everything {names.get(ref, ref)} adopted "
                           f"({len(theirs)} instruments, as recorded).")
            return
        st.caption(f"{len(gaps)} of the {len(theirs)} instruments {names.get(ref, ref)} adopted are not adopted by "
                   f"{names.get(code, code)}.")
        st.dataframe({"instrument": [label(i) for i in gaps], "instrument_id": gaps}, hide_index=True,
                     width="stretch")


def next_adopters(cat: Catalogue, inst_id: str) -> None:
    """The non-adopters most likely to adopt next (analytics)."""
    an = cache.analytics_module()
    if an is None or not hasattr(an, "next_adopters"):
        ui.empty_state("The ranking of likely next adopters comes from the analytics module (similarity-weighted "
                       "neighbour adoption, validated on history), which is not part of this build yet.")
        return


def blocs_section(cat: Catalogue) -> None:
    st.subheader("Likely voting blocs")
    an = cache.analytics_module()
    if an is None or not hasattr(an, "blocs"):
        ui.empty_state("Blocs, cohesion, the between-bloc matrix and swing states come from the analytics module, "
                       "which is not part of this build yet.")
        return


def prediction_section(cat: Catalogue) -> None:
    st.subheader("Predicted votes")
    an = cache.analytics_module()
    if an is None or not hasattr(an, "predict_votes"):
        ui.empty_state("Vote predictions come from the analytics module, which is not part of this build yet.")
        return
