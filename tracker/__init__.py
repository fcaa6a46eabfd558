"""Cyber Norms Alignment Tracker: who adopted which cyber values, standards and norms, and who votes with whom."""

from tracker.catalogue import Catalogue, load_catalogue
from tracker.errors import CatalogueError

__version__ = "0.1.0"
__all__ = ["Catalogue", "CatalogueError", "load_catalogue", "__version__"]
