"""Streamlit-only code: caches, components and thin pages. Nothing outside tracker/ui imports this."""
