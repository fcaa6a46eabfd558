"""Review integrity (issue 17): what a reviewer sees is what gets applied, by whom it says.

Control characters refused and escaped; roles re-checked at every write; every load audited
with an authenticated (or plainly unauthenticated) actor; a hash-chained history; the load
conflict check by a server-side sequence, not clocks; proposals that could never be approved
refused up front; country codes only in upper case; a sign-in back-off.
"""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.curation_users import ALICE, BOB, CAROL, DAVE, install_users, password_of, write_users
from tracker import curation
from tracker.cli import app
from tracker.curation import AuthenticationError, CurationError, InvalidProposal, PermissionDenied, audit, workflow
from tracker.curation.importer import ImportRejected, plan_import, propose_import
from tracker.db import session_scope
from tracker.errors import CatalogueError
from tracker.models import Proposal
from tracker.sync import sync_to_database
from tracker.text import has_control_chars, printable

runner = CliRunner()

FRA_RATIFIED = {
    "instrument_id": "budapest-convention",
    "party_code": "FRA",
    "action": "ratified",
    "role": "",
    "date": "2006-01-10",
}
FORGED = "ok\x1b[1A\x1b[2K           date: 2006-01-10 → 2006-01-10 (unchanged)"
HOSTILE = {
    "ESC": "chart\x1b[2Jsays so",
    "LF": "first line\nsecond line",
    "CR": "shown\rhidden",
    "TAB": "a\tb",
    "NUL": "a\x00b",
    "DEL": "a\x7fb",
    "C1 CSI": "a\x9b2Jb",
    "RLO": "abc\u202edcba",
    "LRI": "a\u2066b",
    "LINE SEPARATOR": "a\u2028b",
}


@pytest.fixture
def users(tmp_path, monkeypatch):
    return install_users(tmp_path, monkeypatch)


@pytest.fixture
def db(engine, mini_path, users):
    sync_to_database(mini_path, engine=engine)
    return engine


def change(engine, table, key, new):
    with session_scope(engine) as session:
        return curation.make_change(session, table, key, new)


def live(engine, table, key):
    with session_scope(engine) as session:
        return curation.live_row(session, table, key)


def redate(engine, new_date, author=ALICE, reason=None):
    return curation.propose(
        author,
        [change(engine, "adoptions", FRA_RATIFIED, {"date": new_date})],
        reason=reason or f"chart says {new_date}",
        source_id="coe-chart-185",
        engine=engine,
    )


# =========================================================================== 1. control characters


def test_the_shared_text_helpers():
    for value in HOSTILE.values():
        assert has_control_chars(value)
        assert not has_control_chars(printable(value))
    assert not has_control_chars("Côte d'Ivoire — «Türkiye» ‏عربي")  # letters, dashes, an RLM mark
    assert printable("a\x1b[2Jb\u202ec\n") == "a\\x1b[2Jb\\u202ec\\x0a"


@pytest.mark.parametrize("name", HOSTILE)
def test_control_characters_are_refused_in_a_proposals_reason(db, name):
    with pytest.raises(CurationError, match=r"^reason contains a control character"):
        redate(db, "2006-01-11", reason=HOSTILE[name])
    assert curation.list_proposals(engine=db).empty


@pytest.mark.parametrize("name", HOSTILE)
def test_control_characters_are_refused_in_every_cell_of_a_changed_row(db, name):
    ch = change(db, "adoptions", FRA_RATIFIED, {"note": HOSTILE[name]})
    with pytest.raises(InvalidProposal) as info:
        curation.propose(ALICE, [ch], reason="r", source_id="coe-chart-185", engine=db)
    assert any(p.startswith("change 1: adoptions.note: contains a control character") for p in info.value.problems)
    group = change(db, "groups", {"id": "g7"}, {"name": "Group\x1b[8mof Seven"})
    with pytest.raises(InvalidProposal, match=r"change 1: groups.name: contains a control character \(U\+001B ESC\)"):
        curation.propose(ALICE, [group], reason="r", source_id="coe-chart-185", engine=db)
    assert curation.list_proposals(engine=db).empty


def test_the_forged_review_note_is_refused(db):
    ch = change(db, "adoptions", FRA_RATIFIED, {"date": "2003-01-01", "note": FORGED})
    with pytest.raises(InvalidProposal, match=r"adoptions.note: contains a control character \(U\+001B ESC\)"):
        curation.propose(ALICE, [ch], reason="chart", source_id="coe-chart-185", engine=db)


def test_control_characters_are_refused_in_a_review_reason(db):
    pid = redate(db, "2006-01-11")
    with pytest.raises(CurationError, match=r"^reason contains a control character \(U\+000A LF\)"):
        curation.review(BOB, pid, approve=False, reason="no\nreally", engine=db)
    with pytest.raises(CurationError, match=r"^reason contains a control character"):
        curation.review(BOB, pid, approve=True, reason="fine\x1b[1A", engine=db)
    assert curation.get_proposal(pid, engine=db).status == "pending"


def test_control_characters_are_refused_in_a_revert_reason(db):
    pid = redate(db, "2006-01-11")
    curation.review(BOB, pid, approve=True, engine=db)
    with pytest.raises(CurationError, match=r"^reason contains a control character \(U\+202E RIGHT-TO-LEFT"):
        curation.propose_revert(CAROL, pid, reason="undo\u202e", engine=db)


def test_control_characters_are_refused_in_a_source_id(db):
    ch = change(db, "adoptions", FRA_RATIFIED, {"date": "2006-01-11"})
    with pytest.raises(CurationError, match=r"^source contains a control character \(U\+001B ESC\)"):
        curation.propose(ALICE, [ch], reason="r", source_id="coe-chart-185\x1b[2J", engine=db)


def test_a_live_value_holding_a_control_character_can_be_corrected(db):
    """Data stored before these checks (or loaded past them) is fixed by a proposal; its summary
    shows the old value escaped."""
    with db.begin() as conn:
        conn.execute(
            text("UPDATE adoptions SET note = 'in force\x1b[2J' WHERE party_code = 'FRA' AND action = 'ratified'")
        )
    pid = curation.propose(
        ALICE,
        [change(db, "adoptions", FRA_RATIFIED, {"note": "in force"})],
        reason="clean the note",
        source_id="coe-chart-185",
        engine=db,
    )
    summary = curation.get_proposal(pid, engine=db).summary
    assert "in force\\x1b[2J → in force" in summary and not has_control_chars(summary)
    curation.review(BOB, pid, approve=True, engine=db)
    assert live(db, "adoptions", FRA_RATIFIED)["note"] == "in force"


@pytest.mark.parametrize(
    "row, column",
    [
        ('budapest-convention,France,signed,2001-11-23,,"two\nlines"\n', "note"),
        ("budapest-convention,France,signed,2001-11-23,,esc\x1b[2J\n", "note"),
        ("budapest-convention,Fr\u202eance,signed,2001-11-23,,\n", "party"),
        ("budapest-convention\x9b,France,signed,2001-11-23,,\n", "instrument"),
        ("budapest-convention,France,signed,2001-11-23,coe\tchart,\n", "source"),
    ],
)
def test_import_refuses_control_characters_naming_row_and_column(db, row, column):
    data = ("instrument,party,action,date,source,note\n" + row).encode()
    with pytest.raises(ImportRejected) as info:
        propose_import(ALICE, data, "chart.csv", reason="chart", source_id="coe-chart-185", engine=db)
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 1 and problems[0].startswith(f"chart.csv:2:{column}: contains a control character")
    assert curation.list_proposals(engine=db).empty


def test_import_escapes_a_hostile_header_in_its_message(db):
    data = b"instrument,party\x1b[2J,action\nbudapest-convention,FRA,signed\n"
    problems = [str(p) for p in plan_import(data, "chart.csv", source_id="coe-chart-185", engine=db).problems]
    assert problems and not any(has_control_chars(p) for p in problems), problems
    assert "unexpected column(s) party\\x1b[2j" in problems[0]  # header names are compared casefolded


def _smuggle_proposal(engine, note: str, reason: str) -> int:
    """A proposal holding hostile text, written past the checks (as an older version or a
    direct database write could have left it)."""
    before = {**FRA_RATIFIED, "source_id": "coe-chart-185", "note": "entry into force 2006-05-01"}
    after = {**before, "date": "2003-01-01", "note": note}
    changes = [{"table": "adoptions", "op": "update", "key": FRA_RATIFIED, "before": before, "after": after}]
    with session_scope(engine, write=True) as session:
        proposal = Proposal(
            kind="edit",
            author="alice",
            created_at=audit.now(),
            reason=reason,
            source_id="coe-chart-185",
            changes=json.dumps(changes),
            summary=f"update adoptions: {note}",
            status="pending",
        )
        session.add(proposal)
        session.flush()
        audit.record(session, actor="alice", event="proposed", proposal_id=proposal.id, reason=reason)
        audit.record(
            session,
            actor="bob",
            event="applied",
            proposal_id=proposal.id,
            table_name="adoptions",
            op="update",
            row_key=json.dumps(FRA_RATIFIED),
            before=json.dumps(before),
            after=json.dumps(after),
            reason=reason,
        )
        return proposal.id


def test_review_and_history_print_hostile_text_escaped(db):
    pid = _smuggle_proposal(db, FORGED, "chart\x1b]8;;http://evil\x07")
    for args in (["review", str(pid)], ["review"], ["review", str(pid), "--json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert not has_control_chars(result.stdout.replace("\n", "")), (args, result.stdout)  # only line ends
    shown = runner.invoke(app, ["review", str(pid)]).stdout
    assert "date: 2006-01-10 → 2003-01-01" in shown  # the real change is there to see
    assert "\\x1b[1A\\x1b[2K" in shown  # and the forged line is visibly not a line of the diff
    assert (
        json.loads(runner.invoke(app, ["review", str(pid), "--json"]).stdout)["changes"][0]["after"]["note"] == FORGED
    )
    for args in (["history"], ["history", "--json"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and not has_control_chars(result.stdout.replace("\n", "")), result.stdout
    shown = runner.invoke(app, ["history"]).stdout
    assert "\\x1b]8;;http://evil\\x07" in shown and "note: entry into force 2006-05-01 → ok\\x1b[1A" in shown


# =========================================================================== 2. roles re-checked at every write


def signed_in(name: str) -> curation.User:
    return curation.authenticate(name, password_of(name))


def test_a_demoted_reviewers_session_cannot_approve(db, users):
    pid = redate(db, "2006-01-11")
    session_user = signed_in("bob")
    write_users(users, {"alice": "editor", "bob": "viewer"})
    with pytest.raises(PermissionDenied, match=r"bob \(now viewer\) may not review"):
        curation.review(session_user, pid, approve=True, engine=db)
    assert curation.get_proposal(pid, engine=db).status == "pending"
    assert live(db, "adoptions", FRA_RATIFIED) is not None


def test_a_deleted_users_session_cannot_write(db, users):
    pid = redate(db, "2006-01-11")
    bob, alice = signed_in("bob"), signed_in("alice")
    write_users(users, {"carol": "editor"})
    with pytest.raises(PermissionDenied, match="bob is no longer in the users file"):
        curation.review(bob, pid, approve=True, engine=db)
    with pytest.raises(PermissionDenied, match="alice is no longer in the users file"):
        redate(db, "2006-01-12", author=alice)
    assert curation.get_proposal(pid, engine=db).status == "pending"


def test_a_password_reset_ends_open_sessions(db, users):
    pid = redate(db, "2006-01-11")
    bob = signed_in("bob")
    users.write_text(users.read_text())  # rewriting the same entry keeps the session
    assert curation.review(bob, pid, approve=True, engine=db).status == "approved"
    write_users(users, {"alice": "editor", "bob": "reviewer", "carol": "editor"})  # new salts: a reset
    other = curation.propose(
        CAROL, [change(db, "groups", {"id": "g7"}, {"note": "x"})], reason="r", source_id="coe-chart-185", engine=db
    )
    with pytest.raises(PermissionDenied, match="password of bob was changed since sign-in; sign in again"):
        curation.review(bob, other, approve=True, engine=db)
    assert curation.review(signed_in("bob"), other, approve=True, engine=db).status == "approved"


def test_a_demoted_editor_cannot_propose_or_revert(db, users):
    pid = redate(db, "2006-01-11")
    curation.review(BOB, pid, approve=True, engine=db)
    alice = signed_in("alice")
    write_users(users, {"alice": "viewer", "bob": "reviewer"})
    with pytest.raises(PermissionDenied, match=r"alice \(now viewer\) may not propose"):
        redate(db, "2006-01-12", author=alice)
    with pytest.raises(PermissionDenied, match=r"alice \(now viewer\) may not propose"):
        curation.propose_revert(alice, pid, reason="undo", engine=db)
    assert curation.list_proposals(engine=db)["id"].tolist() == [pid]


def test_a_role_claimed_in_code_is_not_trusted(db):
    pid = redate(db, "2006-01-11")
    with pytest.raises(PermissionDenied, match=r"carol \(now editor\) may not review"):
        curation.review(curation.User("carol", "reviewer"), pid, approve=True, engine=db)
    with pytest.raises(PermissionDenied, match="mallory is no longer in the users file"):
        curation.review(curation.User("mallory", "reviewer"), pid, approve=True, engine=db)


def test_users_file_refuses_names_that_users_add_would_refuse(tmp_path):
    path = write_users(tmp_path / "u.toml", {"alice": "editor"})
    path.write_text(path.read_text() + '\n[users."Bob Smith\\u001b[2J"]\nrole = "reviewer"\npassword = "scrypt$x"\n')
    with pytest.raises(CurationError, match=r"u.toml: bad user name 'Bob Smith\\x1b\[2J'"):
        curation.read_users(path)


# =========================================================================== 3. authenticated, chained audit


def _edit_then_change_catalogue(db, mini_path):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    sources = mini_path / "sources.csv"  # a new catalogue version that still has the old date
    sources.write_text(sources.read_text() + "extra,Extra source,X,,2024-01-01,,,secondary\n")


def test_a_forced_load_needs_an_authenticated_reviewer(db, mini_path):
    _edit_then_change_catalogue(db, mini_path)
    with pytest.raises(PermissionDenied, match="a forced load that overwrites curated edits needs a reviewer"):
        sync_to_database(mini_path, engine=db, force=True)
    with pytest.raises(PermissionDenied, match=r"alice \(editor\) may not overwrite curated edits"):
        sync_to_database(mini_path, engine=db, force=True, user=signed_in("alice"))
    assert live(db, "adoptions", {**FRA_RATIFIED, "date": "2006-01-11"}) is not None  # nothing changed
    sync_to_database(mini_path, engine=db, force=True, user=signed_in("dave"))
    forced = curation.history(engine=db).iloc[0]
    assert (forced["event"], forced["actor"]) == ("forced_load", "dave")


def test_load_force_on_the_command_line_authenticates(db, mini_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CATALOGUE", str(mini_path))
    _edit_then_change_catalogue(db, mini_path)
    monkeypatch.delenv("TRACKER_USER", raising=False)
    result = runner.invoke(app, ["load", "--force"])
    assert result.exit_code == 1 and "who is acting? pass --user NAME or set TRACKER_USER" in result.stderr
    monkeypatch.setenv("TRACKER_USER", "dave")
    monkeypatch.setenv("TRACKER_PASSWORD", "not-daves-password")
    result = runner.invoke(app, ["load", "--force"])
    assert result.exit_code == 1 and result.stderr.strip() == "error: unknown user or wrong password"
    assert live(db, "adoptions", {**FRA_RATIFIED, "date": "2006-01-11"}) is not None
    monkeypatch.setenv("TRACKER_USER", "alice")
    monkeypatch.setenv("TRACKER_PASSWORD", password_of("alice"))
    result = runner.invoke(app, ["load", "--force"])
    assert result.exit_code == 1 and "alice (editor) may not overwrite curated edits" in result.stderr
    monkeypatch.setenv("TRACKER_USER", "dave")
    monkeypatch.setenv("TRACKER_PASSWORD", password_of("dave"))
    result = runner.invoke(app, ["load", "--force"])
    assert result.exit_code == 0, result.output
    forced = curation.history(engine=db).iloc[0]
    assert (forced["event"], forced["actor"]) == ("forced_load", "dave")


def test_a_plain_load_that_changes_rows_is_audited(db, mini_path, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    first = curation.history(engine=db)
    assert first["event"].tolist() == ["loaded"]  # the fixture's first load
    assert sync_to_database(mini_path, engine=db).status == "unchanged"
    assert len(curation.history(engine=db)) == 1  # an unchanged load changes nothing and says nothing
    sources = mini_path / "sources.csv"
    sources.write_text(sources.read_text() + "extra,Extra source,X,,2024-01-01,,,secondary\n")
    sync_to_database(mini_path, engine=db)
    entry = curation.history(engine=db).iloc[0]
    assert (entry["event"], entry["actor"]) == ("loaded", "operator (OS user, not authenticated)")
    assert entry["after"]["rows"]["sources"] == 4 and entry["after"]["content_hash"]
    sources.write_text(sources.read_text() + "extra2,Extra source 2,X,,2024-01-01,,,secondary\n")
    sync_to_database(mini_path, engine=db, user=signed_in("alice"))
    assert curation.history(engine=db).iloc[0]["actor"] == "alice"


def test_history_takes_the_author_from_the_audit_log(db):
    pid = redate(db, "2006-01-11")
    curation.review(BOB, pid, approve=True, engine=db)
    with db.begin() as conn:  # the proposals table is not append-only; the history must not care
        conn.execute(text("UPDATE proposals SET author = 'mallory'"))
    log = curation.history(proposal_id=pid, engine=db)
    assert set(log["author"]) == {"alice"}
    shown = runner.invoke(app, ["history"]).stdout
    assert "(by alice)" in shown and "mallory" not in shown


def test_history_is_a_hash_chain_and_verifies(db):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    report = audit.verify_chain(engine=db)
    assert report.ok and report.entries == 4 and report.broken_at is None  # loaded, proposed, approved, applied
    result = runner.invoke(app, ["history", "--verify"])
    assert result.exit_code == 0 and f"4 entries, chain intact (head {report.head[:16]}" in result.stdout


def _tamper(db, statement: str) -> None:
    """Change the history past the append-only triggers, as someone with the database's
    owner rights could."""
    with db.begin() as conn:
        if db.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
            conn.execute(text(statement))


@pytest.mark.parametrize(
    "statement, broken",
    [
        ("UPDATE audit_log SET actor = 'mallory' WHERE event = 'approved'", 3),
        ("UPDATE audit_log SET after = replace(after, '2006-01-11', '2006-01-12') WHERE event = 'applied'", 4),
        ("DELETE FROM audit_log WHERE event = 'proposed'", 3),
    ],
)
def test_verify_finds_the_first_broken_link(db, statement, broken):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    curation.propose(
        CAROL, [change(db, "groups", {"id": "g7"}, {"note": "x"})], reason="r", source_id="coe-chart-185", engine=db
    )
    _tamper(db, statement)
    report = audit.verify_chain(engine=db)
    assert not report.ok and report.broken_at == broken, report
    result = runner.invoke(app, ["history", "--verify"])
    assert result.exit_code == 1 and f"audit entry #{broken}" in result.stderr, result.output


def test_entries_written_concurrently_keep_one_chain(db):
    import threading

    pids = [redate(db, f"2006-01-{11 + i}", author=ALICE if i % 2 else CAROL) for i in range(4)]
    threads = [
        threading.Thread(target=lambda p=p: _quietly(lambda: curation.review(BOB, p, approve=True, engine=db)))
        for p in pids
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert audit.verify_chain(engine=db).ok


def _quietly(fn):
    with contextlib.suppress(CurationError):  # conflicting approvals: one wins, the others are refused
        fn()


@pytest.mark.parametrize("loaded", ["before the edit", "after the edit"])
def test_the_migration_chains_an_existing_history_and_keeps_it_append_only(database_url, mini_path, users, loaded):
    """A database at revision 0002 with a history (as that version wrote it) is upgraded: the
    entries are chained in id order, the triggers still refuse changes, and the last load's
    place in the sequence is taken from its time stamp (the only record the old version kept)."""
    from alembic import command

    from tracker.db import alembic_config, get_engine

    engine = get_engine()
    command.upgrade(alembic_config(engine), "0002")
    t0 = audit.now() - timedelta(days=1)
    load_at = t0 - timedelta(hours=1) if loaded == "before the edit" else t0 + timedelta(hours=1)
    before = {**FRA_RATIFIED, "source_id": "coe-chart-185", "note": "entry into force 2006-05-01"}
    after = {**before, "date": "2006-01-11"}
    entries = [
        {"event": "proposed", "actor": "alice", "table_name": None, "op": None, "row_key": None, "b": None, "a": None},
        {"event": "approved", "actor": "bob", "table_name": None, "op": None, "row_key": None, "b": None, "a": None},
        {
            "event": "applied",
            "actor": "bob",
            "table_name": "adoptions",
            "op": "update",
            "row_key": json.dumps(FRA_RATIFIED),
            "b": json.dumps(before),
            "a": json.dumps(after),
        },
    ]
    with session_scope(engine, write=True) as session:
        session.execute(
            text(
                "INSERT INTO proposals (id, kind, author, created_at, reason, source_id, changes, summary, status) "
                "VALUES (1, 'edit', 'alice', :at, 'chart', 'coe-chart-185', '[]', 's', 'approved')"
            ),
            {"at": t0},
        )
        for i, e in enumerate(entries):
            session.execute(
                text(
                    "INSERT INTO audit_log (at, actor, event, proposal_id, table_name, op, row_key, before, after, "
                    "reason, source_id) VALUES (:at, :actor, :event, 1, :table_name, :op, :row_key, :b, :a, "
                    "'chart', 'coe-chart-185')"
                ),
                {**e, "at": t0 + timedelta(minutes=i)},
            )
        session.execute(
            text(
                "INSERT INTO catalogue_state (id, content_hash, catalogue_version, loaded_from, loaded_at) "
                "VALUES (1, 'old', 'v', 'catalogue', :at)"
            ),
            {"at": load_at},
        )
    command.upgrade(alembic_config(engine), "head")
    report = audit.verify_chain(engine=engine)
    assert report.ok and report.entries == 3
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory'"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
    with engine.connect() as conn:
        load_audit_id = conn.execute(text("SELECT load_audit_id FROM catalogue_state")).scalar_one()
    assert load_audit_id == (0 if loaded == "before the edit" else 3)
    if loaded == "before the edit":  # the edit came after the last load: loading the old data is a conflict
        with pytest.raises(CatalogueError, match="curated edit of proposal #1, approved by bob"):
            sync_to_database(mini_path, engine=engine)
    else:
        assert sync_to_database(mini_path, engine=engine).status == "loaded"
    command.downgrade(alembic_config(engine), "0002")  # and back: the columns go, the triggers stay
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
    command.upgrade(alembic_config(engine), "head")
    assert audit.verify_chain(engine=engine).ok


# =========================================================================== 4. clock skew


def test_an_edit_approved_on_a_slow_clock_is_still_a_load_conflict(db, mini_path, monkeypatch):
    """The approver's clock is 2 minutes behind the loader's: the edit must still be seen."""
    real_now = audit.now
    sync_to_database(mini_path, engine=db, force=True)  # a fresh load, stamped by the loader's clock
    for module in (audit, workflow):  # every clock the approving process reads
        monkeypatch.setattr(module, "now", lambda: real_now() - timedelta(minutes=2))
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    for module in (audit, workflow):
        monkeypatch.setattr(module, "now", real_now)
    sources = mini_path / "sources.csv"
    sources.write_text(sources.read_text() + "extra,Extra source,X,,2024-01-01,,,secondary\n")
    with pytest.raises(CatalogueError, match="curated edit of proposal #1"):
        sync_to_database(mini_path, engine=db)
    assert live(db, "adoptions", {**FRA_RATIFIED, "date": "2006-01-11"}) is not None


def test_edits_before_the_last_load_are_not_conflicts(db, tmp_path):
    from tracker import sync

    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    sync.dump(tmp_path / "out", engine=db)
    sync_to_database(tmp_path / "out", engine=db)  # the load holds the edit: the catalogue is the record again
    adoptions = tmp_path / "out" / "adoptions.csv"
    adoptions.write_text(adoptions.read_text().replace("2006-01-11", "2006-01-10"))
    assert sync_to_database(tmp_path / "out", engine=db).status == "loaded"
    assert live(db, "adoptions", FRA_RATIFIED) is not None


# =========================================================================== 5. proposals that could never be approved


def test_two_import_rows_for_the_same_live_row_are_refused_naming_both(db):
    data = (
        b"instrument,party,action,date,source,note\n"
        b"paris-call,France,endorsed,2018-11-12,paris-call-data,\n"
        b"budapest-convention,USA,signed,2001-11-23,,\n"
        b"paris-call,FRA,endorsed,2018,paris-call-data,\n"
    )
    with pytest.raises(ImportRejected) as info:
        propose_import(ALICE, data, "chart.csv", reason="chart", source_id="coe-chart-185", engine=db)
    assert [str(p) for p in info.value.problems] == [
        "chart.csv:4:party: rows 2 and 4 both match the live row (paris-call, FRA, endorsed, supporter, undated); "
        "keep one of them"
    ]
    assert curation.list_proposals(engine=db).empty


def test_two_changes_of_the_same_row_are_refused(db):
    a = change(db, "adoptions", FRA_RATIFIED, {"date": "2006-01-11"})
    b = change(db, "adoptions", FRA_RATIFIED, {"note": "again"})
    with pytest.raises(InvalidProposal, match=r"changes 1 and 2 both change adoptions \(budapest-convention, FRA"):
        curation.propose(ALICE, [a, b], reason="r", source_id="coe-chart-185", engine=db)


# =========================================================================== 7. bulk approval is set-based and atomic


def test_a_bulk_approval_is_all_or_nothing(db):
    rows = [
        ("budapest-convention", "RUS", "signed", "2002"),
        ("budapest-convention", "PRK", "signed", "2003"),
        ("paris-call", "USA", "endorsed", "2021-11-10"),
        ("paris-call", "CIV", "endorsed", "2020"),
    ]
    data = "instrument,party,action,date\n" + "".join(",".join(r) + "\n" for r in rows)
    pid, _ = propose_import(ALICE, data.encode(), "chart.csv", reason="chart", source_id="coe-chart-185", engine=db)
    with session_scope(db) as session:
        blocker = curation.adoption_change(
            session, instrument="paris-call", party="CIV", action="endorsed", date="2020", source_id="paris-call-data"
        )
    other = curation.propose(CAROL, [blocker], reason="r", source_id="paris-call-data", engine=db)
    curation.review(BOB, other, approve=True, engine=db)
    before = curation.history(engine=db)
    with pytest.raises(curation.ConflictError, match="paris-call, CIV, endorsed, -, 2020"):
        curation.review(DAVE, pid, approve=True, engine=db)
    assert len(curation.history(engine=db)) == len(before)
    for inst, party, action, when in rows[:3]:
        key = {"instrument_id": inst, "party_code": party, "action": action, "role": "", "date": when}
        assert live(db, "adoptions", key) is None


# =========================================================================== 14. two-letter words are not countries


@pytest.mark.parametrize("word", ["Us", "us", "Fr", "fr", "Ru", "usa", "Fra"])
def test_a_code_not_in_upper_case_is_only_a_suggestion(db, word):
    data = f"instrument,party,action,date\nbudapest-convention,{word},signed,2002\n".encode()
    p = plan_import(data, "chart.csv", source_id="coe-chart-185", engine=db)
    (row,) = p.rows
    assert (row.status, row.party_code) == ("unresolved", None)
    assert row.suggestions and row.suggestions[0].code == {"u": "USA", "f": "FRA", "r": "RUS"}[word[0].lower()]
    with pytest.raises(ImportRejected, match=f"'{word}' is a country code only in upper case"):
        propose_import(ALICE, data, "chart.csv", reason="r", source_id="coe-chart-185", engine=db)


@pytest.mark.parametrize("word, code", [("US", "USA"), ("FR", "FRA"), ("RUS", "RUS"), ("Korea Republic", None)])
def test_upper_case_codes_and_names_still_resolve(db, word, code):
    data = f"instrument,party,action,date\nbudapest-convention,{word},signed,2002\n".encode()
    (row,) = plan_import(data, "chart.csv", source_id="coe-chart-185", engine=db).rows
    assert row.party_code == code


# =========================================================================== smaller: sign-in back-off, --key %


def test_failed_sign_ins_back_off_per_user_name(engine, users, monkeypatch):
    from tracker.curation import signin

    clock = [1_000_000.0]
    monkeypatch.setattr(signin, "_now", lambda _session: clock[0])
    for _ in range(signin.FREE_ATTEMPTS):
        with pytest.raises(AuthenticationError, match="unknown user or wrong password"):
            curation.authenticate("bob", "guess", engine=engine)
    with pytest.raises(AuthenticationError, match=r"too many failed sign-ins for 'bob'; try again in 1 s"):
        curation.authenticate("bob", password_of("bob"), engine=engine)  # even the right password waits
    assert curation.authenticate("alice", password_of("alice"), engine=engine).name == "alice"  # per name
    clock[0] += 1
    with pytest.raises(AuthenticationError, match="unknown user or wrong password"):
        curation.authenticate("bob", "guess", engine=engine)
    with pytest.raises(AuthenticationError, match="try again in 2 s"):
        curation.authenticate("bob", "guess", engine=engine)
    clock[0] += 2
    with pytest.raises(AuthenticationError, match="unknown user or wrong password"):
        curation.authenticate("bob", "guess", engine=engine)
    with pytest.raises(AuthenticationError, match="try again in 4 s"):
        curation.authenticate("bob", password_of("bob"), engine=engine)
    clock[0] += 4
    assert curation.authenticate("bob", password_of("bob"), engine=engine).name == "bob"
    for _ in range(signin.FREE_ATTEMPTS):  # a success starts the count again
        with pytest.raises(AuthenticationError, match="unknown user or wrong password"):
            curation.authenticate("bob", "guess", engine=engine)


def test_the_back_off_is_shared_by_every_process(engine, users, database_url, monkeypatch):
    """Another process (here: a fresh engine on the same database) sees the same failures."""
    from tracker.curation import signin
    from tracker.db import make_engine

    monkeypatch.setattr(signin, "_now", lambda _session: 5_000.0)
    for _ in range(signin.FREE_ATTEMPTS):
        with pytest.raises(AuthenticationError, match="unknown user"):
            curation.authenticate("nobody", "guess", engine=engine)
    other = make_engine(database_url)
    try:
        with pytest.raises(AuthenticationError, match="too many failed sign-ins for 'nobody'"):
            curation.authenticate("nobody", "guess", engine=other)
    finally:
        other.dispose()


@pytest.mark.parametrize("pattern", ["%", "_", "F%A"])
def test_history_key_is_not_a_like_pattern(db, pattern):
    curation.review(BOB, redate(db, "2006-01-11"), approve=True, engine=db)
    assert len(curation.history(key="FRA", engine=db)) == 1
    assert curation.history(key=pattern, engine=db).empty
