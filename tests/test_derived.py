"""The on-disk store of derived results (tracker.derived): computed once per catalogue state, read
back by later processes, never served for another state, and robust to damaged files."""

from __future__ import annotations

import pickle
import time

import pandas as pd
import pytest

from tracker.derived import FORMAT, DiskCache, code_fingerprint


class Counter:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def store(folder, url="sqlite:///a.db", content="hash-1", loaded_at="2026-01-01 10:00:00", edits=0):
    return DiskCache.for_state(url, content, loaded_at, edits, folder=folder)


def test_a_result_is_computed_once_and_read_back_by_a_new_process(tmp_path):
    frame = pd.DataFrame({"party": ["USA", "FRA"], "score": [0.5, float("nan")]})
    compute = Counter(frame)
    assert store(tmp_path).get("partners", ("USA", "cyber"), compute).equals(frame)
    again = store(tmp_path).get("partners", ("USA", "cyber"), compute)  # a restart: a new store object
    assert compute.calls == 1
    pd.testing.assert_frame_equal(again, frame)
    other_args = store(tmp_path).get("partners", ("FRA", "cyber"), compute)
    assert compute.calls == 2 and other_args.equals(frame)


@pytest.mark.parametrize(
    "change",
    [
        {"content": "hash-2"},  # a new catalogue was loaded
        {"loaded_at": "2026-01-02 09:00:00"},  # the same content loaded again (e.g. --force)
        {"edits": 7},  # a curated edit was approved
        {"url": "sqlite:///b.db"},  # another database
    ],
)
def test_any_change_of_the_catalogue_state_recomputes(tmp_path, change):
    compute = Counter(1)
    store(tmp_path).get("swing_states", (), compute)
    assert store(tmp_path, **change).get("swing_states", (), Counter(2)) == 2
    assert store(tmp_path).get("swing_states", (), compute) == 1 and compute.calls == 1


def test_the_key_covers_the_code_and_library_versions(tmp_path, monkeypatch):
    before = store(tmp_path).key
    monkeypatch.setattr("tracker.derived.code_fingerprint", lambda: "other code")
    assert store(tmp_path).key != before
    assert len(code_fingerprint()) == 64


@pytest.mark.parametrize(
    "damage",
    [
        b"",  # empty (a crash before the first byte)
        b"not a pickle at all",  # garbage
        pickle.dumps((FORMAT, ("k",), 1))[:-3],  # truncated
        pickle.dumps({"something": "else"}),  # a valid pickle of the wrong shape
        pickle.dumps(("tracker-derived-0", None, 1)),  # an older format
    ],
)
def test_a_damaged_file_is_ignored_and_rewritten(tmp_path, damage):
    s = store(tmp_path)
    s.get("axis", ("cyber",), Counter(41))
    path = s.path("axis", ("cyber",))
    path.write_bytes(damage)
    compute = Counter(42)
    assert store(tmp_path).get("axis", ("cyber",), compute) == 42 and compute.calls == 1
    assert store(tmp_path).get("axis", ("cyber",), Counter(43)) == 42  # rewritten


def test_a_file_written_for_another_state_is_never_served(tmp_path):
    old, new = store(tmp_path), store(tmp_path, edits=3)
    old.get("blocs", ("hierarchical",), Counter("stale"))
    new.path("blocs", ("hierarchical",)).write_bytes(old.path("blocs", ("hierarchical",)).read_bytes())
    assert new.get("blocs", ("hierarchical",), Counter("fresh")) == "fresh"


def test_an_unwritable_cache_directory_only_costs_the_speed_up(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    s = DiskCache.for_state("sqlite:///a.db", "h", "t", 0, folder=blocker / "cache")
    compute = Counter("value")
    assert s.get("axis", (), compute) == "value"
    assert s.get("axis", (), compute) == "value" and compute.calls == 2


def test_prune_removes_older_states_and_all_but_the_two_newest_other_databases(tmp_path):
    import os

    old, new = store(tmp_path), store(tmp_path, content="hash-2")
    others = [store(tmp_path, url=f"sqlite:///{n}.db") for n in ("b", "c", "d")]
    for age, s in enumerate([old, new, *others]):
        for name in ("catalogue", "axis"):
            s.save(name, (), f"{name} of {s.key}")
            stamp = time.time() - 3600 * age  # d.db was written longest ago
            os.utime(s.path(name), (stamp, stamp))
    (tmp_path / "catalogue-0123456789abcdef0123.pickle").write_bytes(b"an older version's copy")
    (tmp_path / "unrelated.txt").write_text("kept")
    new.prune()
    kept = {new, others[0], others[1]}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [s.path(name).name for s in kept for name in ("catalogue", "axis")] + ["unrelated.txt"]
    )
    assert new.load("catalogue") == (True, f"catalogue of {new.key}")
    assert old.load("axis") == (False, None) and others[2].load("catalogue") == (False, None)


def test_prepare_after_a_load_writes_what_the_app_opens_with(engine, mini_path, monkeypatch):
    from tracker import analytics
    from tracker.derived import OPENING, compute, prepare, served_catalogue, store_for
    from tracker.sync import catalogue_from_database, sync_to_database

    assert store_for(engine=engine) is None and prepare(engine=engine) == 0  # nothing loaded yet
    sync_to_database(mini_path, engine=engine)
    calls = []
    prepare(engine=engine, progress=lambda done, total, label: calls.append((done, total)))
    assert calls[0] == (0, len(OPENING) + 1) and calls[-1] == (len(OPENING) + 1, len(OPENING) + 1)
    disk = store_for(engine=engine)
    cat = served_catalogue(disk, 0, engine)
    pd.testing.assert_frame_equal(cat.votes, catalogue_from_database(engine).votes)
    expected = {}
    for name, args in OPENING:
        try:
            expected[(name, args)] = compute(cat, name, args)
        except ValueError:  # the tiny catalogue has too few votes for some: skipped, not written
            assert disk.load(name, args) == (False, None)
    assert ("axis", ("cyber",)) in expected
    for attr in ("alignment_tables", "axis", "swing_states", "run_backtest", "predict_votes", "blocs"):
        monkeypatch.setattr(analytics, attr, lambda *a, **k: pytest.fail("recomputed instead of read back"))
    for (name, args), value in expected.items():
        found, stored = disk.load(name, args)
        assert found
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(stored, value)


def test_tracker_load_prepares_the_app_and_an_unchanged_load_does_nothing(database_url, mini_path):
    from typer.testing import CliRunner

    from tracker.cli import app
    from tracker.derived import store_for

    runner = CliRunner()
    first = runner.invoke(app, ["load", str(mini_path)])
    assert first.exit_code == 0, first.output
    assert "prepared the app's catalogue copy" in first.stdout
    assert store_for().load("catalogue")[0]
    second = runner.invoke(app, ["load", str(mini_path)])
    assert second.exit_code == 0 and "prepared" not in second.stdout


# --------------------------------------------------------------------------- untrusted cache files


class _Planted:
    """Unpickling this runs code (writes a marker file): what a crafted cache file could do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_crafted_pickle_in_the_cache_directory_never_runs(tmp_path):
    marker = tmp_path / "ran"
    s = store(tmp_path / "cache")
    s.get("axis", ("cyber",), Counter("computed"))
    path = s.path("axis", ("cyber",))
    payloads = [
        pickle.dumps(_Planted(marker)),  # a bare pickle
        pickle.dumps((FORMAT, s._meta("axis", ("cyber",)), _Planted(marker))),  # in the old file layout
        path.read_bytes()[: -len(pickle.dumps(1))] + pickle.dumps(_Planted(marker)),  # a valid header, forged body
    ]
    for payload in payloads:
        path.write_bytes(payload)
        compute = Counter("recomputed")
        assert store(tmp_path / "cache").get("axis", ("cyber",), compute) == "recomputed"
        assert compute.calls == 1
        assert not marker.exists()


def test_a_file_signed_with_another_key_is_not_trusted(tmp_path, monkeypatch):
    s = store(tmp_path / "cache")
    s.get("axis", (), Counter("mine"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "other-home"))  # another key
    import tracker.derived as derived

    derived.signing_key.cache_clear()
    try:
        assert store(tmp_path / "cache").get("axis", (), Counter("theirs")) == "theirs"
    finally:
        derived.signing_key.cache_clear()


@pytest.mark.parametrize("special", ["fifo", "symlink", "folder"])
def test_only_regular_files_are_opened_and_nothing_hangs(tmp_path, special):
    import os
    import threading

    s = store(tmp_path / "cache")
    s.get("axis", (), Counter("first"))
    path = s.path("axis", ())
    elsewhere = tmp_path / "elsewhere.pickle"
    elsewhere.write_bytes(path.read_bytes())  # a valid file, reached through a link
    path.unlink()
    if special == "fifo":
        os.mkfifo(path)  # reading it would wait for a writer forever
    elif special == "symlink":
        path.symlink_to(elsewhere)
    else:
        path.mkdir()
    result = {}
    worker = threading.Thread(
        target=lambda: result.update(found=store(tmp_path / "cache").load("axis", ())), daemon=True
    )
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), f"reading a {special} hung"
    assert result["found"] == (False, None)
    if special != "folder":
        assert store(tmp_path / "cache").get("axis", (), Counter("again")) == "again"
        assert path.is_file() and not path.is_symlink()  # replaced by a regular file
        assert elsewhere.read_bytes() != b""  # the link's target was not written through


def test_the_key_lives_outside_the_cache_directory_and_only_its_owner_reads_it(tmp_path):
    import stat

    from tracker.derived import key_path

    s = store(tmp_path / "cache")
    s.get("axis", (), Counter(1))
    key = key_path()
    assert key.is_file() and not key.resolve().is_relative_to((tmp_path / "cache").resolve())
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_key_others_could_read_or_one_inside_the_cache_is_not_used(tmp_path, monkeypatch):
    import tracker.derived as derived

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    derived.signing_key.cache_clear()
    try:
        store(tmp_path / "cache").get("axis", (), Counter(1))
        derived.key_path().chmod(0o644)
        derived.signing_key.cache_clear()
        compute = Counter(2)
        assert store(tmp_path / "cache").get("axis", (), compute) == 2
        assert store(tmp_path / "cache").get("axis", (), compute) == 2 and compute.calls == 2  # nothing cached
        derived.signing_key.cache_clear()
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "cache"))  # the key would sit in the cache folder
        inside = DiskCache.for_state("sqlite:///a.db", "h", "t", 0, folder=tmp_path / "cache" / "cyber-norms-tracker")
        compute = Counter(3)
        inside.get("axis", (), compute)
        inside.get("axis", (), compute)
        assert compute.calls == 2
    finally:
        derived.signing_key.cache_clear()


def test_the_opening_blocs_are_those_of_the_analysis_configuration():
    """The app opens on the blocs the CLI and the exports compute by default (issue 15)."""
    from tracker.analytics.config import AnalysisConfig
    from tracker.derived import DEFAULT_BLOCS, OPENING

    cfg = AnalysisConfig()
    assert (cfg.method, cfg.basis, cfg.topic) == DEFAULT_BLOCS
    assert ("blocs", DEFAULT_BLOCS) in OPENING
    assert ("alignment_tables", (cfg.topic,)) in OPENING  # partners on the configuration's votes
