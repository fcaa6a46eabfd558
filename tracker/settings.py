"""One settings object, read from the environment (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parent


def _bundled_catalogue() -> Path:
    """The catalogue shipped with the code: inside an installed wheel (tracker/_catalogue), or
    the repository's top-level catalogue/ in a source checkout (including `pip install -e`)."""
    shipped = PACKAGE_ROOT / "_catalogue"
    return shipped if (shipped / "datapackage.json").is_file() else REPO_ROOT / "catalogue"


BUNDLED_CATALOGUE = _bundled_catalogue()


def normalise_database_url(url: str) -> str:
    """Accept Heroku-style postgres:// URLs and route PostgreSQL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir("cyber-norms-tracker", appauthor=False))
    return f"sqlite:///{data_dir / 'tracker.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    catalogue_path: Path
    users_file: Path | None
    warm_up: bool = True

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def get_settings() -> Settings:
    """Read the environment each time, so tests and the CLI can switch databases."""
    users = os.environ.get("TRACKER_USERS_FILE")
    return Settings(
        database_url=normalise_database_url(os.environ.get("DATABASE_URL") or default_database_url()),
        catalogue_path=Path(os.environ.get("TRACKER_CATALOGUE") or BUNDLED_CATALOGUE),
        users_file=Path(users) if users else None,
        warm_up=os.environ.get("TRACKER_WARM_UP", "1") != "0",
    )
