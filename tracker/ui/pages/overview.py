"""Overview: headline counts of the catalogue."""

import streamlit as st

from tracker.ui.cache import get_catalogue

cat = get_catalogue()
st.title("Cyber Norms Alignment Tracker")
st.caption(f"Catalogue version {cat.version} · sources as of {cat.sources['as_of'].max()}")
cols = st.columns(4)
cols[0].metric("Instruments", len(cat.instruments))
cols[1].metric("Parties", len(cat.parties))
cols[2].metric("Adoption actions", len(cat.adoptions))
cols[3].metric("Recorded UN votes", f"{len(cat.votes):,}")
cyber = cat.resolutions[cat.resolutions["topic"].isin(["cyber_security", "cybercrime"])]
st.subheader("Cyber resolutions in the UN General Assembly")
st.dataframe(cyber[["id", "date", "title", "series", "recorded_vote", "yes", "no", "abstain"]],
             hide_index=True, width="stretch")
