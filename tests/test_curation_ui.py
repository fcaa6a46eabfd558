"""The Curation page (Streamlit AppTest): login, propose, review by a second person, history."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tracker import curation
from tracker.ui.text import plain

PAGE = "../tracker/ui/pages/curation.py"


@pytest.fixture
def app_env(tmp_path, mini_path, monkeypatch):
    import streamlit as st

    from tracker.db import engine_for

    url = f"sqlite:///{tmp_path / 'ui.db'}"
    users = tmp_path / "users.toml"
    curation.add_user("alice", "editor", "alice-password", path=users)
    curation.add_user("bob", "reviewer", "bob-password", path=users)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_CATALOGUE", str(mini_path))
    monkeypatch.setenv("TRACKER_USERS_FILE", str(users))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_data.clear()
    st.cache_resource.clear()
    engine_for(url).dispose()
    engine_for.cache_clear()


def signed_in(name: str, password: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    next(b for b in at.sidebar.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_browsing_needs_no_login(app_env):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("Sign in as an editor" in i.value for i in at.info)
    assert any("No proposals waiting" in i.value for i in at.info)


def test_wrong_password_is_refused(app_env):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.text_input(key="login_name").input("alice")
    at.text_input(key="login_password").input("wrong-password")
    next(b for b in at.sidebar.button if b.label == "Sign in").click()
    at.run()
    assert [e.value for e in at.sidebar.error] == ["unknown user or wrong password"]
    assert "curation_user" not in at.session_state


def test_propose_then_a_second_person_approves(app_env):
    at = signed_in("alice", "alice-password")
    assert any("Signed in as **alice** (editor)" in m.value for m in at.sidebar.markdown)
    at.selectbox(key="p_inst").select("paris-call")
    at.selectbox(key="p_party").select("USA")
    at.run()
    at.selectbox(key="p_action").select("endorsed")
    at.text_input(key="p_date").input("2021-11-10")
    at.selectbox(key="p_source").select("paris-call-data")
    at.text_area(key="p_reason").input("US endorsed at the Paris Peace Forum")
    next(b for b in at.button if b.label == "Submit for review").click()
    at.run()
    assert not at.exception, at.exception
    assert any("Proposal #1 filed" in s.value for s in at.success), [e.value for e in at.error]
    # an editor (here also the author) sees the proposal but cannot approve it
    assert not [b for b in at.button if b.label == "Approve and apply"]

    bob = signed_in("bob", "bob-password")
    next(b for b in bob.button if b.label == "Approve and apply").click()
    bob.run()
    assert not bob.exception, bob.exception
    assert curation.get_proposal(1).status == "approved"
    history = bob.dataframe[-1].value
    assert "applied" in set(history["event"]) and "date: ∅ → 2021-11-10" in " ".join(history["change"])


def test_a_reviewer_cannot_approve_their_own_proposal_in_the_ui(app_env):
    from tracker.db import session_scope

    AppTest.from_file(PAGE, default_timeout=60).run()  # loads the catalogue
    with session_scope() as session:
        change = curation.make_change(session, "groups", {"id": "g7"}, {"note": "edited"})
    curation.propose(curation.User("bob", "reviewer"), [change], reason="note", source_id="unga-test")
    bob = signed_in("bob", "bob-password")
    assert any("cannot review your own" in c.value for c in bob.caption)
    assert not [b for b in bob.button if b.label == "Approve and apply"]


def test_a_link_from_an_instrument_or_country_page_preselects_it(app_env):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["instrument"] = "paris-call"
    at.query_params["party"] = "KOR"
    at.run()
    at.text_input(key="login_name").input("alice")
    at.text_input(key="login_password").input("alice-password")
    next(b for b in at.sidebar.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="p_inst").value == "paris-call"
    assert at.selectbox(key="p_party").value == "KOR"


def test_a_stale_session_is_refused_after_the_reviewer_is_demoted(app_env, tmp_path):
    """The session keeps "bob (reviewer)"; the users file no longer does: the approval is refused."""
    from tracker.db import session_scope

    AppTest.from_file(PAGE, default_timeout=60).run()  # loads the catalogue
    with session_scope() as session:
        change = curation.make_change(session, "groups", {"id": "g7"}, {"note": "edited"})
    pid = curation.propose(curation.User("alice", "editor"), [change], reason="note", source_id="unga-test")
    bob = signed_in("bob", "bob-password")
    curation.add_user("bob", "viewer", "bob-new-password", path=tmp_path / "users.toml", replace=True)
    next(b for b in bob.button if b.label == "Approve and apply").click()
    bob.run()
    assert not bob.exception, bob.exception
    assert [plain(e.value) for e in bob.error] == ["bob (now viewer) may not review proposals; needs role reviewer"]
    assert curation.get_proposal(pid).status == "pending"


def test_the_history_filter_reopens_from_a_link(app_env):
    from tracker.curation import User
    from tracker.db import session_scope
    from tracker.sync import sync_to_database

    sync_to_database()  # the tiny catalogue in the database, as the app's first start does
    key = {"instrument_id": "paris-call", "party_code": "KOR", "action": "endorsed", "role": "", "date": "2019"}
    with session_scope() as session:
        change = curation.make_change(session, "adoptions", key, {"source_id": "paris-call-data", "note": ""})
    pid = curation.propose(User("alice", "editor"), [change], reason="chart", source_id="paris-call-data")
    curation.review(User("bob", "reviewer"), pid, approve=True)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["table"] = "adoptions"
    at.query_params["key"] = "KOR"
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="h_table").value == "adoptions"
    assert at.text_input(key="h_key").value == "KOR"
    history = at.dataframe[-1].value
    assert len(history) and set(history["table"]) == {"adoptions"}
    assert all("KOR" in k for k in history["key"])
