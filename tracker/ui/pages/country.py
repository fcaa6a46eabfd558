"""Country profile: adoptions, groups, UN cyber votes (from the country brief, as exported), partners,
bloc and open-vs-sovereign position."""

import streamlit as st

from tracker.ui import cache, views
from tracker.ui import components as ui
from tracker.ui.text import md

cat = cache.get_catalogue()
code = ui.pick_party(cat, key="country_party")
party = cat.parties.set_index("code").loc[code]
st.title(md(party["name"]))
facts = [f"code {code}", party["kind"].replace("_", " ")]
if party["un_member"]:
    facts.append(f"UN member since {party['un_member_since'] or '?'}")
else:
    facts.append("not a UN member")
if party["un_regional_group"]:
    facts.append(f"UN regional group: {party['un_regional_group']}")
st.caption(md(" · ".join(facts) + (f" · {party['note']}" if party["note"] else "")))
ui.page_help("country")
ui.propose_change_link(party=code)

bloc = "eu" if "eu" in set(cat.groups["id"]) else None  # the brief's gaps and bloc majority: against the EU
brief = views.report("brief", party=code, bloc=bloc)
if brief is not None:
    views.country_profile(cat, code, brief)
    ui.export_spot(
        f"Export a country brief for {party['name']} (gaps against the EU)",
        key="export_brief",
        kind="brief",
        party=code,
        bloc=bloc,
    )
