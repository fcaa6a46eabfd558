"""Curation: proposals, the two-person rule, conflicts, crash safety, history, loads, dump."""

from __future__ import annotations

import gzip
import json
import stat
import threading

import pandas as pd
import pytest
from sqlalchemy import select, text, update

from tests.curation_users import ALICE, BOB, CAROL, DAVE, VERA
from tracker import curation, sync
from tracker.catalogue import load_catalogue
from tracker.catalogue.package import catalogue_csv
from tracker.curation import (
    AuthenticationError,
    ConflictError,
    CurationError,
    InvalidProposal,
    PermissionDenied,
    User,
    workflow,
)
from tracker.curation.changes import catalogue_table
from tracker.db import session_scope
from tracker.errors import CatalogueError
from tracker.models import AuditEntry
from tracker.sync import DumpRefused, catalogue_from_database, sync_to_database

FRA_RATIFIED = {
    "instrument_id": "budapest-convention",
    "party_code": "FRA",
    "action": "ratified",
    "role": "",
    "date": "2006-01-10",
}


def change(engine, table, key, new):
    with session_scope(engine) as session:
        return curation.make_change(session, table, key, new)


def live(engine, table, key):
    with session_scope(engine) as session:
        return curation.live_row(session, table, key)


def redate(engine, new_date, author=ALICE):
    return curation.propose(
        author,
        [change(engine, "adoptions", FRA_RATIFIED, {"date": new_date})],
        reason=f"chart says {new_date}",
        source_id="coe-chart-185",
        engine=engine,
    )


def audit_count(engine) -> int:
    return len(curation.history(engine=engine))


# --------------------------------------------------------------------------- identity


def test_password_hash_is_salted_and_verifies():
    a, b = curation.hash_password("correct horse"), curation.hash_password("correct horse")
    assert a != b and a.startswith("scrypt$")
    assert curation.verify_password("correct horse", a)
    assert not curation.verify_password("correct horsf", a)
    assert not curation.verify_password("correct horse", "md5$abc")
    assert not curation.verify_password("correct horse", "garbage")


def test_users_file_round_trip(tmp_path, engine):
    path = tmp_path / "users.toml"
    curation.add_user("alice", "editor", "password-a", path=path)
    curation.add_user("bob", "reviewer", "password-b", path=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "password-a" not in path.read_text()
    assert curation.authenticate("alice", "password-a", path=path) == User("alice", "editor")
    assert curation.authenticate("bob", "password-b", path=path).can_review
    with pytest.raises(AuthenticationError, match="unknown user or wrong password"):
        curation.authenticate("alice", "password-b", path=path)
    with pytest.raises(AuthenticationError, match="unknown user or wrong password"):
        curation.authenticate("mallory", "password-a", path=path)


@pytest.mark.parametrize(
    "name, role, password, message",
    [
        ("Alice!", "editor", "password-a", "bad user name"),
        ("alice", "admin", "password-a", "unknown role"),
        ("alice", "editor", "short", "password too short"),
    ],
)
def test_add_user_refuses_bad_input(tmp_path, name, role, password, message):
    with pytest.raises(CurationError, match=message):
        curation.add_user(name, role, password, path=tmp_path / "u.toml")


def test_existing_user_cannot_be_overwritten_without_replace(tmp_path):
    path = tmp_path / "u.toml"
    curation.add_user("alice", "editor", "password-a", path=path)
    with pytest.raises(CurationError, match="exists already"):
        curation.add_user("alice", "reviewer", "password-x", path=path)
    assert curation.authenticate("alice", "password-a", path=path).role == "editor"


def test_broken_users_file_is_reported(tmp_path):
    path = tmp_path / "u.toml"
    path.write_text('[users.alice]\nrole = "admin"\npassword = "x"\n')
    with pytest.raises(CurationError, match="needs a role"):
        curation.read_users(path)
    path.write_text("not toml = = =")
    with pytest.raises(CurationError, match="not a valid users file"):
        curation.read_users(path)


def test_no_users_file_configured(monkeypatch):
    monkeypatch.delenv("TRACKER_USERS_FILE", raising=False)
    with pytest.raises(CurationError, match="TRACKER_USERS_FILE"):
        curation.authenticate("alice", "x")


def test_no_api_changes_a_role():
    public = [n for n in dir(curation) if not n.startswith("_")]
    assert not [n for n in public if "role" in n.lower() and n not in ("ROLES", "PROPOSE_ROLES", "REVIEW_ROLES")]
    with pytest.raises(CurationError, match="unknown table 'users'"):
        catalogue_table("users")


# --------------------------------------------------------------------------- proposals and review


def test_proposal_changes_nothing_until_a_second_person_approves(db):
    pid = redate(db, "2006-01-11")
    assert live(db, "adoptions", FRA_RATIFIED)["date"] == "2006-01-10"
    proposal = curation.review(BOB, pid, approve=True, reason="checked the chart", engine=db)
    assert (proposal.status, proposal.reviewer) == ("approved", "bob")
    assert live(db, "adoptions", FRA_RATIFIED) is None
    moved = live(db, "adoptions", {**FRA_RATIFIED, "date": "2006-01-11"})
    assert moved["note"] == "entry into force 2006-05-01"
    cat = catalogue_from_database(db)
    assert "2006-01-11" in set(cat.adoptions.query("party_code == 'FRA'")["date"])


def test_self_approval_is_refused_in_code(db):
    pid = redate(db, "2006-01-11", author=BOB)
    with pytest.raises(PermissionDenied, match="own proposal"):
        curation.review(BOB, pid, approve=True, engine=db)
    with pytest.raises(PermissionDenied, match="own proposal"):
        curation.review(BOB, pid, approve=False, reason="never mind", engine=db)
    assert curation.get_proposal(pid, engine=db).status == "pending"
    assert live(db, "adoptions", FRA_RATIFIED) is not None


def test_roles_are_enforced(db):
    with pytest.raises(PermissionDenied, match="may not propose"):
        redate(db, "2006-01-11", author=VERA)
    pid = redate(db, "2006-01-11")
    with pytest.raises(PermissionDenied, match="may not review"):
        curation.review(CAROL, pid, approve=True, engine=db)
    with pytest.raises(PermissionDenied, match="signed-in user"):
        curation.review("bob", pid, approve=True, engine=db)


def test_proposal_needs_reason_and_known_source(db):
    ch = change(db, "adoptions", FRA_RATIFIED, {"date": "2006-01-11"})
    with pytest.raises(CurationError, match="needs a reason"):
        curation.propose(ALICE, [ch], reason="  ", source_id="coe-chart-185", engine=db)
    with pytest.raises(CurationError, match="unknown source 'nowhere'"):
        curation.propose(ALICE, [ch], reason="r", source_id="nowhere", engine=db)
    with pytest.raises(InvalidProposal, match="at least one change"):
        curation.propose(ALICE, [], reason="r", source_id="coe-chart-185", engine=db)


def test_reject_needs_reason_and_changes_nothing(db):
    pid = redate(db, "2006-01-11")
    with pytest.raises(CurationError, match="rejection needs a reason"):
        curation.review(BOB, pid, approve=False, engine=db)
    proposal = curation.review(BOB, pid, approve=False, reason="the chart says 10 January", engine=db)
    assert (proposal.status, proposal.review_reason) == ("rejected", "the chart says 10 January")
    assert live(db, "adoptions", FRA_RATIFIED)["date"] == "2006-01-10"
    with pytest.raises(ConflictError, match="already rejected by bob"):
        curation.review(DAVE, pid, approve=True, engine=db)
    events = curation.history(proposal_id=pid, engine=db)["event"].tolist()
    assert events == ["rejected", "proposed"]


@pytest.mark.parametrize(
    "table, key, new, message",
    [
        ("adoptions", FRA_RATIFIED, {"action": "ratifyed"}, "is not one of"),
        ("adoptions", FRA_RATIFIED, {"date": "2006-13-01"}, "not a valid date"),
        ("adoptions", FRA_RATIFIED, {"date": "1999"}, "before budapest-convention opened"),
        ("adoptions", FRA_RATIFIED, {"note": "=HYPERLINK(1)"}, "formula risk"),
        (
            "adoptions",
            {**FRA_RATIFIED, "party_code": "XXX"},
            {"source_id": "coe-chart-185"},
            "unknown code 'XXX'",
        ),
        ("adoptions", FRA_RATIFIED, {"date": "2001-11-23", "action": "signed"}, "duplicate key"),
        ("votes", {"resolution_id": "A/RES/74/247", "party_code": "FRA"}, {"vote": "yes"}, "recorded tally"),
        ("parties", {"code": "FRA"}, {"code": "FRX"}, "key (code) cannot change"),
        ("parties", {"code": "CIV"}, None, "unknown code 'CIV'"),  # still voted and adopted
        ("instruments", {"id": "budapest-convention"}, {"opened": "2010-01-01"}, "before budapest-convention opened"),
    ],
)
def test_invalid_changes_are_refused_with_every_problem(db, table, key, new, message):
    ch = change(db, table, key, new)
    with pytest.raises(InvalidProposal) as info:
        curation.propose(ALICE, [ch], reason="r", source_id="coe-chart-185", engine=db)
    assert any(message in p for p in info.value.problems), info.value.problems
    assert curation.list_proposals(engine=db).empty


def test_make_change_refuses_nonsense(db):
    with pytest.raises(CurationError, match="no such row"):
        change(db, "adoptions", {**FRA_RATIFIED, "date": "1990"}, None)
    with pytest.raises(CurationError, match="same as the live row"):
        change(db, "adoptions", FRA_RATIFIED, {"date": "2006-01-10"})
    with pytest.raises(CurationError, match="unknown column"):
        change(db, "adoptions", FRA_RATIFIED, {"colour": "red"})
    with pytest.raises(CurationError, match="unknown table"):
        change(db, "users", {"name": "bob"}, {"role": "reviewer"})


def test_every_curated_table_can_change(db):
    changes = [
        change(
            db,
            "sources",
            {"id": "new-src"},
            {"title": "Depositary notice", "publisher": "CoE", "as_of": "2024-10-02", "kind": "depositary"},
        ),
        change(db, "parties", {"code": "RUS"}, {"note": "membership of the CoE ended 2022"}),
        change(db, "instruments", {"id": "paris-call"}, {"as_of": "2024-01-01"}),
        change(db, "groups", {"id": "g7"}, {"note": "presidency rotates"}),
        change(
            db,
            "group_members",
            {"group_id": "g7", "party_code": "CIV", "role": "partner", "joined": "2024"},
            {"source_id": "new-src"},
        ),
        change(
            db,
            "adoptions",
            {**FRA_RATIFIED, "party_code": "RUS", "action": "signed", "date": "2024-01-01"},
            {"source_id": "new-src"},
        ),
    ]
    pid = curation.propose(ALICE, changes, reason="bundle", source_id="new-src", engine=db)
    curation.review(BOB, pid, approve=True, engine=db)
    cat = catalogue_from_database(db)
    assert "new-src" in set(cat.sources["id"])
    assert cat.parties.set_index("code").loc["RUS", "note"] == "membership of the CoE ended 2022"
    assert len(cat.group_members.query("party_code == 'CIV'")) == 1
    assert len(curation.history(proposal_id=pid, engine=db).query("event == 'applied'")) == len(changes)


def test_history_keeps_who_when_what_why_source(db):
    pid = redate(db, "2006-01-11")
    curation.review(BOB, pid, approve=True, engine=db)
    log = curation.history(table="adoptions", key="FRA", engine=db)
    applied = log[log["event"] == "applied"].iloc[0]
    assert (applied["actor"], applied["author"], applied["op"]) == ("bob", "alice", "update")
    assert applied["before"]["date"] == "2006-01-10" and applied["after"]["date"] == "2006-01-11"
    assert (applied["reason"], applied["source_id"]) == ("chart says 2006-01-11", "coe-chart-185")
    proposal = curation.get_proposal(pid, engine=db)
    assert proposal.created_at <= applied["at"] and applied["at"] == proposal.reviewed_at


def test_revert_is_a_new_reviewed_proposal(db):
    pid = redate(db, "2006-01-11")
    curation.review(BOB, pid, approve=True, engine=db)
    rid = curation.propose_revert(CAROL, pid, reason="wrong chart", engine=db)
    assert live(db, "adoptions", FRA_RATIFIED) is None  # not applied yet
    curation.review(DAVE, rid, approve=True, engine=db)
    assert live(db, "adoptions", FRA_RATIFIED)["date"] == "2006-01-10"
    proposal = curation.get_proposal(rid, engine=db)
    assert (proposal.kind, proposal.reverts_id) == ("revert", pid)
    assert len(curation.history(table="adoptions", engine=db)) == 2  # both changes kept
    pending = curation.propose_revert(CAROL, rid, reason="undo the undo", engine=db)
    with pytest.raises(CurationError, match="is pending; only approved proposals"):
        curation.propose_revert(CAROL, pending, reason="x", engine=db)


def test_revert_of_a_row_changed_later_is_refused(db):
    first = redate(db, "2006-01-11")
    curation.review(BOB, first, approve=True, engine=db)
    second = curation.propose(
        CAROL,
        [change(db, "adoptions", {**FRA_RATIFIED, "date": "2006-01-11"}, {"date": "2006-01-12"})],
        reason="again",
        source_id="coe-chart-185",
        engine=db,
    )
    curation.review(BOB, second, approve=True, engine=db)
    with pytest.raises(ConflictError, match="revert the later change first"):
        curation.propose_revert(ALICE, first, reason="undo", engine=db)


# --------------------------------------------------------------------------- crash safety


def test_crash_in_the_middle_of_applying_leaves_the_database_as_before(db, monkeypatch):
    changes = [
        change(db, "adoptions", FRA_RATIFIED, {"date": "2006-01-11"}),
        change(db, "parties", {"code": "FRA"}, {"note": "edited"}),
        change(db, "groups", {"id": "g7"}, {"note": "edited"}),
    ]
    pid = curation.propose(ALICE, changes, reason="three", source_id="coe-chart-185", engine=db)
    before_frames = catalogue_from_database(db).tables()
    before_audit = audit_count(db)
    real = workflow.execute_write  # one set-based write per run of one table and operation
    calls = []

    def crashing(session, write):
        calls.append(write.table)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        real(session, write)

    monkeypatch.setattr(workflow, "execute_write", crashing)
    with pytest.raises(RuntimeError, match="power cut"):
        curation.review(BOB, pid, approve=True, engine=db)
    assert calls == ["adoptions", "parties", "groups"]  # two changes had been written
    after_frames = catalogue_from_database(db).tables()
    for name, frame in before_frames.items():
        pd.testing.assert_frame_equal(frame, after_frames[name])
    assert audit_count(db) == before_audit
    assert curation.get_proposal(pid, engine=db).status == "pending"
    monkeypatch.setattr(workflow, "execute_write", real)
    assert curation.review(BOB, pid, approve=True, engine=db).status == "approved"


# --------------------------------------------------------------------------- conflicts


def test_conflicting_approvals_one_wins(db):
    p1, p2 = redate(db, "2006-01-11"), redate(db, "2006-01-12", author=CAROL)
    curation.review(BOB, p1, approve=True, engine=db)
    with pytest.raises(ConflictError, match="changed since the proposal was made"):
        curation.review(DAVE, p2, approve=True, engine=db)
    assert curation.get_proposal(p2, engine=db).status == "pending"
    assert live(db, "adoptions", {**FRA_RATIFIED, "date": "2006-01-11"}) is not None


def test_conflicting_adds_one_wins(db):
    key = {**FRA_RATIFIED, "party_code": "RUS", "action": "signed", "date": "2001-11-23"}
    p1 = curation.propose(
        ALICE,
        [change(db, "adoptions", key, {"source_id": "coe-chart-185"})],
        reason="a",
        source_id="coe-chart-185",
        engine=db,
    )
    p2 = curation.propose(
        CAROL,
        [change(db, "adoptions", key, {"source_id": "coe-chart-185", "note": "x"})],
        reason="b",
        source_id="coe-chart-185",
        engine=db,
    )
    curation.review(BOB, p1, approve=True, engine=db)
    with pytest.raises(ConflictError, match="exists already"):
        curation.review(DAVE, p2, approve=True, engine=db)


def _race(calls):
    """Run the calls at the same moment in threads; return [(result or exception)]."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.parametrize("rounds", [3])
def test_concurrent_conflicting_approvals(db, rounds):
    date_now = "2006-01-10"
    for r in range(rounds):
        key = {**FRA_RATIFIED, "date": date_now}
        a, b = f"2006-02-{r + 1:02d}", f"2006-03-{r + 1:02d}"
        p1 = curation.propose(
            ALICE,
            [change(db, "adoptions", key, {"date": a})],
            reason="a",
            source_id="coe-chart-185",
            engine=db,
        )
        p2 = curation.propose(
            CAROL,
            [change(db, "adoptions", key, {"date": b})],
            reason="b",
            source_id="coe-chart-185",
            engine=db,
        )
        results = _race(
            [
                lambda p1=p1: curation.review(BOB, p1, approve=True, engine=db),
                lambda p2=p2: curation.review(DAVE, p2, approve=True, engine=db),
            ]
        )
        wins = [x for x in results if not isinstance(x, Exception)]
        losses = [x for x in results if isinstance(x, Exception)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert isinstance(losses[0], ConflictError), repr(losses[0])
        winner = wins[0]
        date_now = a if winner.id == p1 else b
        loser = p2 if winner.id == p1 else p1
        assert curation.get_proposal(loser, engine=db).status == "pending"
        rows = (
            catalogue_from_database(db).adoptions.query("party_code == 'FRA' and action == 'ratified'")["date"].tolist()
        )
        assert rows == [date_now]
        applied = curation.history(proposal_id=winner.id, engine=db)
        assert applied["event"].tolist() == ["applied", "approved", "proposed"]
        assert curation.history(proposal_id=loser, engine=db)["event"].tolist() == ["proposed"]


def test_concurrent_approvals_of_the_same_proposal(db):
    pid = redate(db, "2006-01-11")
    results = _race(
        [
            lambda: curation.review(BOB, pid, approve=True, engine=db),
            lambda: curation.review(DAVE, pid, approve=True, engine=db),
        ]
    )
    losses = [x for x in results if isinstance(x, Exception)]
    assert len(losses) == 1 and isinstance(losses[0], ConflictError), results
    assert "already approved" in str(losses[0])
    assert len(curation.history(proposal_id=pid, engine=db).query("event == 'applied'")) == 1


# --------------------------------------------------------------------------- history is append-only


def test_history_cannot_be_edited_through_the_orm(db):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    with pytest.raises(PermissionDenied, match="append-only"), session_scope(db) as session:
        entry = session.execute(select(AuditEntry)).scalars().first()
        entry.actor = "mallory"
        session.flush()
    with pytest.raises(PermissionDenied, match="append-only"), session_scope(db) as session:
        session.delete(session.execute(select(AuditEntry)).scalars().first())
        session.flush()
    with pytest.raises(PermissionDenied, match="append-only"), session_scope(db) as session:
        session.execute(update(AuditEntry).values(actor="mallory"))
    assert "mallory" not in set(curation.history(engine=db)["actor"])


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"])
def test_history_cannot_be_edited_with_raw_sql(db, statement):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    n = audit_count(db)
    with pytest.raises(Exception, match="append-only"), db.begin() as conn:
        conn.execute(text(statement))
    assert audit_count(db) == n
    assert "mallory" not in set(curation.history(engine=db)["actor"])


# --------------------------------------------------------------------------- catalogue loads


def test_load_would_overwrite_a_curated_edit(db, mini_path):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    sources = mini_path / "sources.csv"  # a new catalogue version that still has the old date
    sources.write_text(sources.read_text() + "extra,Extra source,X,,2024-01-01,,,secondary\n")
    with pytest.raises(CatalogueError) as info:
        sync_to_database(mini_path, engine=db)
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 2, problems  # the edit moved the row: the load would undo both halves
    assert "FRA, ratified, -, 2006-01-10): the load would restore the removed row" in problems[0]
    assert "FRA, ratified, -, 2006-01-11): the load would delete the row" in problems[1]
    assert all("proposal #1, approved by bob" in p for p in problems)
    assert live(db, "adoptions", {**FRA_RATIFIED, "date": "2006-01-11"}) is not None  # nothing changed
    result = sync_to_database(mini_path, engine=db, force=True, user=DAVE)
    assert result.status == "loaded"
    assert live(db, "adoptions", FRA_RATIFIED) is not None  # the forced load won ...
    forced = curation.history(engine=db).iloc[0]  # ... and said so in the history
    assert forced["event"] == "forced_load" and "2006-01-11" in json.dumps(forced["after"])


def test_load_of_a_dump_that_holds_the_edit_is_not_a_conflict(db, tmp_path):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    sync.dump(tmp_path / "out", engine=db)
    assert sync_to_database(tmp_path / "out", engine=db).status == "loaded"
    assert live(db, "adoptions", {**FRA_RATIFIED, "date": "2006-01-11"}) is not None


def test_load_without_curated_edits_has_no_conflicts(db, mini):
    with session_scope(db) as session:
        assert curation.load_conflicts(session, mini) == []


# --------------------------------------------------------------------------- dump


def test_dump_writes_a_valid_canonical_package(db, tmp_path, mini):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    counts = sync.dump(tmp_path / "a", engine=db)
    assert counts["adoptions"] == len(mini.adoptions)
    dumped = load_catalogue(tmp_path / "a")
    assert "2006-01-11" in set(dumped.adoptions["date"])
    raw = (tmp_path / "a" / "adoptions.csv").read_bytes()
    assert b"\r\n" not in raw
    gz = (tmp_path / "a" / "votes.csv.gz").read_bytes()
    assert gz[4:8] == b"\0\0\0\0"  # mtime 0: the same data gives the same bytes
    sync_to_database(tmp_path / "a", engine=db)
    sync.dump(tmp_path / "b", engine=db)
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_dump_refuses_a_foreign_folder(db, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "thesis.docx").write_text("precious")
    with pytest.raises(DumpRefused, match="not empty"):
        sync.dump(tmp_path / "x", engine=db)
    with pytest.raises(DumpRefused, match="is a file"):
        sync.dump(tmp_path / "x" / "thesis.docx", engine=db)


@pytest.mark.slow
def test_bundled_round_trip(tmp_path, monkeypatch, bundled):
    from tracker.db import engine_for, migrate

    url = f"sqlite:///{tmp_path / 'rt.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = engine_for(url)
    try:
        migrate(engine)
        sync_to_database(engine=engine)
        sync.dump(tmp_path / "out", engine=engine)
        again = load_catalogue(tmp_path / "out")
        for name, frame in bundled.tables().items():
            pd.testing.assert_frame_equal(frame, again.tables()[name], check_dtype=True, obj=name)
        for name, frame in bundled.tables().items():
            rel = {"votes": "votes.csv.gz"}.get(name, f"{name}.csv")
            ours = (tmp_path / "out" / rel).read_bytes()
            if rel.endswith(".gz"):
                ours = gzip.decompress(ours)
            assert ours == catalogue_csv(name, frame)
        # tables the curators already keep in canonical order come back byte for byte
        from tracker.settings import BUNDLED_CATALOGUE

        for rel in ("party_aliases.csv", "resolutions.csv"):
            assert (tmp_path / "out" / rel).read_bytes() == (BUNDLED_CATALOGUE / rel).read_bytes(), rel
        assert gzip.decompress((tmp_path / "out" / "votes.csv.gz").read_bytes()) == gzip.decompress(
            (BUNDLED_CATALOGUE / "votes.csv.gz").read_bytes()
        )
    finally:
        engine.dispose()
        engine_for.cache_clear()


# --------------------------------------------------------------------------- models and migrations agree


def test_instances_starting_together_migrate_and_load_once(database_url, mini_path):
    """Two app instances (processes) start at the same moment against one empty database:
    one migrates and loads, the other waits and finds everything done."""
    import os
    import subprocess
    import sys

    from tracker.db import make_engine

    script = "import sys; from tracker.sync import sync_to_database; print(sync_to_database(sys.argv[1]).status)"
    env = {**os.environ, "DATABASE_URL": database_url}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(mini_path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    assert sorted(out.strip() for out, _ in outs) == ["loaded", "unchanged"]
    engine = make_engine(database_url)
    try:
        assert len(catalogue_from_database(engine).adoptions) == 8
    finally:
        engine.dispose()
