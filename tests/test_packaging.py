"""The wheel ships every package, the bundled catalogue and the reference schema (issue 12).

The wheel itself is installed and used outside the checkout by .ci/wheel-check; these tests
keep its configuration true without building it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent


def config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def test_every_tracker_package_is_listed_for_the_wheel():
    listed = set(config()["packages"])
    found = set(find_packages(where=str(ROOT), include=["tracker", "tracker.*"]))
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert "tracker._catalogue" in listed and config()["package-dir"]["tracker._catalogue"] == "catalogue"


def test_the_reference_schema_is_the_catalogues_descriptor():
    """The code reads every catalogue against tracker/schema/datapackage.json; the bundled
    catalogue's own descriptor must say the same."""
    reference = json.loads((ROOT / "tracker" / "schema" / "datapackage.json").read_text("utf-8"))
    shipped = json.loads((ROOT / "catalogue" / "datapackage.json").read_text("utf-8"))
    assert shipped == reference
    mini = json.loads((ROOT / "tests" / "data" / "mini" / "datapackage.json").read_text("utf-8"))
    assert mini["resources"] == reference["resources"]  # the tiny test catalogue too


def test_pages_assets_and_migrations_ship_as_package_data():
    data = config()["package-data"]
    assert "pages/*.py" in data["tracker.ui"] and "assets/*" in data["tracker.ui"]
    assert "migrations/versions/*.py" in data["tracker"]
    assert "datapackage.json" in data["tracker.schema"]
    assert {"*.csv", "*.csv.gz", "datapackage.json"} <= set(data["tracker._catalogue"])
