"""The catalogue: read and validate a data package, hold it as DataFrames, derive status.

- ``package``: read a folder safely (paths, sizes, UTF-8 CSV), content hash;
- ``rules``: every check, reported as file:row:column problems;
- ``model``: ``Catalogue`` (frames + thread-safe memo), ``load_catalogue``, ``validate_package``;
- ``status``: the status of each (instrument, party) on a date;
- ``scope``: group membership on a date, cyber topics, bloc majority, labels.
"""

from tracker.catalogue.model import Catalogue, load_catalogue, validate_package
from tracker.catalogue.package import content_hash, read_package
from tracker.catalogue.status import ADOPTED_STATUSES, STATUS_COLUMNS
from tracker.errors import CatalogueError, Problem

__all__ = [
    "ADOPTED_STATUSES",
    "STATUS_COLUMNS",
    "Catalogue",
    "CatalogueError",
    "Problem",
    "content_hash",
    "load_catalogue",
    "read_package",
    "validate_package",
]
