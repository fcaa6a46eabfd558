"""Shared fixtures: the tiny test catalogue, the bundled catalogue, and databases.

Database tests run on SQLite and, marked `postgres`, on the real PostgreSQL server
(TRACKER_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres): each
test gets a throwaway database that is dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from tracker.catalogue import load_catalogue
from tracker.settings import BUNDLED_CATALOGUE

MINI = Path(__file__).parent / "data" / "mini"
POSTGRES_ADMIN_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory):
    """The app keeps a copy of the catalogue in the user cache directory, signed with a key in the
    user data directory; tests use their own."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))
    # no test may touch the user's own database: a throwaway default (database tests set their own)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('default-db') / 'tracker.db'}"
    # no background warm-up thread racing the cache clears between AppTests (browser tests keep it)
    os.environ["TRACKER_WARM_UP"] = "0"


@pytest.fixture(scope="session")
def bundled():
    """The shipped catalogue, validated (read once per test session)."""
    return load_catalogue(BUNDLED_CATALOGUE)


@pytest.fixture
def mini_path(tmp_path) -> Path:
    """A writable copy of the tiny, valid test catalogue."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def mini(mini_path):
    return load_catalogue(mini_path)


def _postgres_database():
    import psycopg

    name = f"tracker_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    url = f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)

    def drop():
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path, monkeypatch) -> str:
    """A fresh, empty database URL (SQLite file or throwaway PostgreSQL database), set as DATABASE_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
        drop = None
    else:
        url, drop = _postgres_database()
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    from tracker.db import engine_for

    engine_for(url).dispose()
    engine_for.cache_clear()
    if drop:
        drop()


@pytest.fixture
def engine(database_url):
    from tracker.db import get_engine, migrate

    eng = get_engine()
    migrate(eng)
    return eng


@pytest.fixture
def users(tmp_path, monkeypatch):
    """The test users file (tests/curation_users.py), set as TRACKER_USERS_FILE."""
    from tests.curation_users import install_users

    return install_users(tmp_path, monkeypatch)


@pytest.fixture
def db(engine, mini_path, users):
    """A database holding the tiny catalogue, with the test users installed (every curation write
    re-reads the acting user's role from the users file)."""
    from tracker.sync import sync_to_database

    sync_to_database(mini_path, engine=engine)
    return engine


# --------------------------------------------------------------------------- the app (AppTest)

APP = str(Path(__file__).resolve().parent.parent / "app.py")
APP_TIMEOUT = 180


@pytest.fixture(scope="session")
def app_database(tmp_path_factory):
    """A SQLite file with the bundled catalogue loaded (once per session)."""
    from tracker.db import engine_for
    from tracker.sync import sync_to_database

    url = f"sqlite:///{tmp_path_factory.mktemp('app') / 'tracker.db'}"
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    sync_to_database()
    yield url
    engine_for(url).dispose()
    if old is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = old


@pytest.fixture
def app(app_database, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", app_database)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield lambda: AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    st.cache_data.clear()
    st.cache_resource.clear()
