"""Loading into the database: one transaction, idempotent, same frames back; SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp

import pandas as pd
import pandas.testing as pdt
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlmodel import SQLModel

from tracker.catalogue import load_catalogue
from tracker.db import get_engine, make_engine, migrate
from tracker.errors import CatalogueError
from tracker.models import CATALOGUE_TABLES, CatalogueState
from tracker.settings import normalise_database_url
from tracker.sync import catalogue_from_database, sync_to_database


def snapshot(engine) -> dict[str, int | str]:
    with engine.connect() as conn:
        counts = {
            n: conn.execute(select(func.count()).select_from(m)).scalar_one() for n, m in CATALOGUE_TABLES.items()
        }
        state = conn.execute(select(CatalogueState.content_hash)).scalar()
    return {**counts, "hash": state}


def test_migrations_reach_head_and_match_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == []
        assert set(inspect(conn).get_table_names()) >= set(CATALOGUE_TABLES) | {"alembic_version"}


def test_load_then_read_back_gives_the_same_frames(engine, mini_path):
    result = sync_to_database(mini_path, engine=engine)
    assert result.status == "loaded" and result.counts["adoptions"] == 8
    from_db = catalogue_from_database(engine)
    from_folder = load_catalogue(mini_path)
    for name, frame in from_folder.tables().items():
        pdt.assert_frame_equal(from_db.tables()[name], frame, obj=name)
    pdt.assert_frame_equal(from_db.status(), from_folder.status())


def test_loading_the_same_catalogue_twice_changes_nothing(engine, mini_path):
    sync_to_database(mini_path, engine=engine)
    before = snapshot(engine)
    again = sync_to_database(mini_path, engine=engine)
    assert again.status == "unchanged" and again.counts == {}
    assert snapshot(engine) == before


def test_a_broken_catalogue_leaves_the_database_exactly_as_it_was(engine, mini_path):
    sync_to_database(mini_path, engine=engine)
    before = snapshot(engine)
    adoptions = mini_path / "adoptions.csv"
    adoptions.write_text(adoptions.read_text().replace("FRA,signed", "XYZ,signed"))
    with pytest.raises(CatalogueError, match="unknown code 'XYZ'"):
        sync_to_database(mini_path, engine=engine)
    assert snapshot(engine) == before


def test_a_crash_in_the_middle_of_a_load_rolls_everything_back(engine, mini_path, monkeypatch):
    sync_to_database(mini_path, engine=engine)
    before = snapshot(engine)
    (mini_path / "adoptions.csv").write_text((mini_path / "adoptions.csv").read_text().replace(",again", ""))
    with (mini_path / "adoptions.csv").open("a") as f:
        f.write("paris-call,USA,endorsed,supporter,,paris-call-data,\n")

    calls = {"n": 0}
    import tracker.sync as sync_module

    real = sync_module._records

    def failing(df):
        calls["n"] += 1
        if "resolution_id" in df.columns and "vote" in df.columns:
            raise RuntimeError("disk unplugged")
        return real(df)

    monkeypatch.setattr(sync_module, "_records", failing)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        sync_to_database(mini_path, engine=engine)
    assert calls["n"] > 5  # several tables had been written before the crash
    assert snapshot(engine) == before


def _load_in_process(url: str, path: str, queue) -> None:
    import os

    os.environ["DATABASE_URL"] = url
    try:
        queue.put(sync_to_database(path).status)
    except Exception as exc:  # report, don't hang the parent
        queue.put(f"error: {exc}")


def test_two_processes_loading_at_once_do_not_corrupt_anything(database_url, mini_path):
    migrate(get_engine())
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_load_in_process, args=(database_url, str(mini_path), queue)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    results = sorted(queue.get(timeout=5) for _ in procs)
    assert results in (["loaded", "unchanged"], ["loaded", "loaded"])
    snap = snapshot(get_engine())
    assert snap["adoptions"] == 8 and snap["votes"] == 6 and snap["hash"]


def test_sqlite_connections_have_foreign_keys_and_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_the_database_refuses_rows_that_break_foreign_keys(engine, mini_path):
    sync_to_database(mini_path, engine=engine)
    with engine.connect() as conn, pytest.raises(Exception, match="(?i)foreign key"):
        conn.execute(
            text(
                "INSERT INTO adoptions (instrument_id, party_code, action, source_id) "
                "VALUES ('paris-call', 'XYZ', 'endorsed', 'paris-call-data')"
            )
        )
        conn.commit()


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_are_normalised(given, expected):
    assert normalise_database_url(given) == expected


@pytest.mark.slow
def test_the_bundled_catalogue_loads_and_reads_back(engine, bundled):
    result = sync_to_database(engine=engine)
    assert result.status == "loaded"
    assert result.counts["votes"] == len(bundled.votes)
    back = catalogue_from_database(engine)
    pdt.assert_frame_equal(back.votes, bundled.votes)
    pdt.assert_frame_equal(back.status(), bundled.status())
    assert back.votes.merge(back.resolutions, left_on="resolution_id", right_on="id").pipe(
        lambda v: v[v.resolution_id == "A/RES/74/247"].vote.value_counts().to_dict()
    ) == {"yes": 79, "no": 60, "abstain": 33, "absent": 21}
    assert isinstance(back.parties, pd.DataFrame)


# --------------------------------------------------------------------------- the cheap start path


def test_the_head_revision_read_from_the_files_is_alembics():
    from alembic.script import ScriptDirectory

    from tracker.db import alembic_config, head_revisions

    script = ScriptDirectory.from_config(alembic_config(None))
    assert head_revisions() == frozenset(script.get_heads())


def test_a_current_database_is_not_migrated_again(engine, monkeypatch):
    import alembic.command

    from tracker.db import at_head

    assert at_head(engine)
    monkeypatch.setattr(alembic.command, "upgrade", lambda *a, **k: pytest.fail("alembic ran on a current database"))
    migrate(engine)


def test_an_older_or_empty_database_is_migrated(database_url):
    from alembic import command

    from tracker.db import alembic_config, at_head

    engine = get_engine()
    assert not at_head(engine)  # no alembic_version table yet
    command.upgrade(alembic_config(engine), "0001")
    assert not at_head(engine)
    migrate(engine)
    assert at_head(engine)
    with engine.connect() as conn:
        assert "audit_log" in inspect(conn).get_table_names()


def test_loaded_state_names_the_load_and_the_newest_change(engine, mini_path):
    from tracker.db import data_version, loaded_state

    assert loaded_state(engine) is None
    first = sync_to_database(mini_path, engine=engine)
    state = loaded_state(engine)
    assert (state.content_hash, state.edits) == (first.content_hash, 0)
    assert state.catalogue_version == catalogue_from_database(engine).version
    sync_to_database(mini_path, engine=engine, force=True)  # the same content, loaded again
    again = loaded_state(engine)
    assert again.content_hash == state.content_hash and again.loaded_at != state.loaded_at
    assert data_version(engine) == again.edits
