"""Blocs: likely voting blocs, cohesion, between-bloc agreement, swing states, predicted votes with backtest."""

import streamlit as st

from tracker.ui import cache, views
from tracker.ui import components as ui

cat = cache.get_catalogue()
st.title("Blocs and predicted votes")
ui.page_help("blocs")
views.blocs_section(cat)
st.divider()
views.prediction_section(cat)
