"""Streamlit entry point of the repository: `streamlit run app.py` (or `tracker app` anywhere).

The app itself lives in the package (tracker/ui/main.py) so an installed wheel can run it too.
"""

from tracker.ui.main import run

run()
