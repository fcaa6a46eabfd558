"""Country profile: adoptions, gaps, groups, UN cyber votes, partners, bloc and open-vs-sovereign position."""

import streamlit as st

from tracker.ui import cache, views
from tracker.ui import components as ui

cat = cache.get_catalogue()
code = ui.pick_party(cat)
party = cat.parties.set_index("code").loc[code]
st.title(party["name"])
facts = [f"code {code}", party["kind"].replace("_", " ")]
if party["un_member"]:
    facts.append(f"UN member since {party['un_member_since'] or '?'}")
else:
    facts.append("not a UN member")
if party["un_regional_group"]:
    facts.append(f"UN regional group: {party['un_regional_group']}")
st.caption(" · ".join(facts) + (f" · {party['note']}" if party["note"] else ""))
ui.propose_change_link(party=code)

status = cache.status_as_of(cat.version, None)
mine = status[status["party_code"] == code]
coverage = cat.coverage()
tracked = coverage.index[coverage["tracked"]]
adopted = mine[mine["adopted"]]
others = mine[~mine["adopted"]]
cyber = cache.cyber_votes(cat.version)
my_votes = cyber[cyber["party_code"] == code].sort_values("date")

c = st.columns(4)
c[0].metric(
    "Instruments adopted",
    f"{len(adopted)} of {len(tracked)}",
    help="Out of the instruments whose adoptions the catalogue tracks (bound, member, endorser, "
    "participant or national standard; a signature alone is not adoption).",
)
c[1].metric("Other recorded statuses", len(others), help="Signed only, observer, withdrew, left, ...")
c[2].metric(
    "Group memberships",
    int((cat.group_members["party_code"] == code).sum()),
    help=f"Rows in the {len(cat.groups)} political groupings tracked (including past memberships).",
)
c[3].metric(
    "Cyber votes recorded",
    int((my_votes["vote"] != "absent").sum()),
    help=f"Yes/no/abstain votes on the {cyber['resolution_id'].nunique()} UN cyber resolutions with a "
    "recorded vote (absences not counted).",
)

tab_adopt, tab_groups, tab_votes, tab_partners = st.tabs(
    ["Adoptions and gaps", "Groups", "UN cyber votes", "Partners, bloc, position"]
)
with tab_adopt:
    st.subheader("What it adopted, and when")
    if adopted.empty:
        ui.empty_state(
            f"No adoption of a tracked instrument is recorded for {party['name']}. The catalogue "
            f"tracks adoptions for {len(tracked)} instruments; missing rows can mean missing data."
        )
    else:
        st.dataframe(
            adopted[["instrument", "status", "role", "since", "source_id"]].sort_values("since"),
            hide_index=True,
            width="stretch",
        )
    if len(others):
        st.caption("Other recorded statuses (not adoption):")
        st.dataframe(others[["instrument", "status", "since", "detail", "source_id"]], hide_index=True, width="stretch")
    st.subheader("What it has not adopted")
    label = ui.instrument_label(cat)
    missing = [i for i in tracked if i not in set(mine["instrument_id"])]
    st.caption(
        f"{len(missing)} tracked instruments with no recorded action by {party['name']} "
        '("no action recorded"; the Gaps page ranks them against a bloc).'
    )
    st.write(", ".join(label(i) for i in missing) or "—")
    untracked = coverage.index[~coverage["tracked"]]
    st.caption(f"{len(untracked)} catalogued instruments have no adoption data at all (no data, not non-adoption).")
    norms = cat.instruments.loc[cat.instruments["kind"] == "norm", "id"]
    carried = [(n, views.norm_carriers(cat, n, None)) for n in norms]
    carried = [(n, df[df["party_code"] == code]) for n, df in carried]
    carried = [(n, df) for n, df in carried if len(df)]
    st.subheader("Norms it carries (derived)")
    if not carried:
        ui.empty_state("No norm concept is carried through an instrument this party adopted (as recorded).")
    else:
        for n, df in carried:
            via = "; ".join(
                f"{r.instrument} {r.clause} ({r.relationship}, confidence {r.confidence})" for r in df.itertuples()
            )
            st.markdown(f"- **{label(n)}** via {via}")

with tab_groups:
    st.subheader("Political groupings")
    gm = cat.group_members[cat.group_members["party_code"] == code]
    if gm.empty:
        ui.empty_state(
            f"{party['name']} is not recorded in any of the {len(cat.groups)} groupings tracked "
            "(EU, NATO, G77, AU, ASEAN, SCO, BRICS, ...)."
        )
    else:
        gnames = dict(zip(cat.groups["id"], cat.groups["name"], strict=True))
        st.caption(f"{len(gm)} membership rows ({int((gm['left'] == '').sum())} current), each with a source.")
        st.dataframe(
            gm.assign(group=gm["group_id"].map(gnames))[["group", "role", "joined", "left", "source_id"]],
            hide_index=True,
            width="stretch",
        )

with tab_votes:
    st.subheader("UN General Assembly votes on cyber resolutions")
    if my_votes.empty:
        ui.empty_state(
            f"No recorded votes for {party['name']} on the cyber resolutions "
            "(not a UN member, or not yet a member at the time)."
        )
    else:
        counts = my_votes["vote"].value_counts()
        st.caption(
            " · ".join(f"{v}: {int(counts.get(v, 0))}" for v in ("yes", "no", "abstain", "absent"))
            + f" on {len(my_votes)} recorded votes."
        )
        st.dataframe(
            my_votes[["resolution_id", "date", "series", "vote", "title"]].sort_values("date", ascending=False),
            hide_index=True,
            width="stretch",
        )

with tab_partners:
    views.partners_section(cat, code)

ui.export_spot(
    f"Export a country brief for {party['name']} (gaps against the EU)",
    key="export_brief",
    kind="brief",
    party=code,
    bloc="eu" if "eu" in set(cat.groups["id"]) else None,
)
