"""Curation: propose changes, import a chart, review (two-person rule), history with diffs.

Browsing the queue and the history needs no login; proposing needs the editor role and
reviewing the reviewer role (someone other than the author). The checks live in
tracker.curation, not here: this page only collects input and shows results.
"""

import pandas as pd
import streamlit as st

from tracker import curation
from tracker.schema import enum_values
from tracker.ui import components as ui
from tracker.ui.cache import get_catalogue
from tracker.ui.text import md

ACTIONS = enum_values("adoptions", "action")

cat = get_catalogue()
st.title("Curation")
ui.page_help("curation")
st.caption(
    "Every change is a proposal with a reason and a source; a second person approves it before "
    "the data changes. Nothing is deleted: the history keeps every earlier state."
)

# --------------------------------------------------------------------------- login
user = st.session_state.get("curation_user")
with st.sidebar:
    if user is None:
        with st.form("login"):
            st.markdown("**Sign in to propose or review**")
            name = st.text_input("User name", key="login_name")
            password = st.text_input("Password", type="password", key="login_password")
            if st.form_submit_button("Sign in"):
                try:
                    st.session_state["curation_user"] = curation.authenticate(name.strip(), password)
                    st.rerun()
                except curation.CurationError as exc:
                    st.error(md(exc))
    else:
        st.markdown(f"Signed in as **{md(user.name)}** ({md(user.role)})")
        if st.button("Sign out"):
            del st.session_state["curation_user"]
            st.rerun()


def label(df: pd.DataFrame, key: str, name: str) -> dict[str, str]:
    return {k: f"{n} ({k})" for k, n in zip(df[key], df[name], strict=True)}


instruments = label(cat.instruments, "id", "short_name")
parties = label(cat.parties, "code", "name")
sources = label(cat.sources, "id", "title")


def show_change(change: curation.Change) -> None:
    key = ", ".join(v or "–" for v in change.key.values())
    st.markdown(f"**{md(change.op)}** {md(change.table)} ({md(key)})")
    rows = [{"column": c, "before": b, "after": a} for c, b, a in change.diff()]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


tab_propose, tab_import, tab_review, tab_history = st.tabs(
    ["Propose a change", "Import a chart", "Review queue", "History"]
)

# --------------------------------------------------------------------------- propose
with tab_propose:
    if user is None or not user.can_propose:
        st.info("Sign in as an editor or reviewer to propose a change.")
    else:
        mode = st.radio("Change", ["Add an action", "Correct or remove a recorded action"], horizontal=True)
        # an instrument or country page links here with ?instrument=… or ?party=… preselected
        inst = ui.select("Instrument", list(instruments), format_func=instruments.get, key="p_inst", param="instrument")
        party = ui.pick_party(cat, "Party", key="p_party")
        existing = cat.adoptions[(cat.adoptions["instrument_id"] == inst) & (cat.adoptions["party_code"] == party)]
        with st.form("propose"):
            if mode == "Add an action":
                action = st.selectbox("Action", ACTIONS, key="p_action")
                when = st.text_input("Date (YYYY, YYYY-MM or YYYY-MM-DD)", key="p_date")
                role = st.text_input("Role (optional, e.g. supporter)")
                note = st.text_input("Note (optional)", key="p_note")
                remove = False
                target = None
            else:
                if existing.empty:
                    st.warning("No recorded action for this instrument and party.")
                rows = existing.to_dict("records")
                pick = st.selectbox(
                    "Recorded action",
                    range(len(rows)),
                    format_func=lambda i: (
                        f"{rows[i]['action']} {rows[i]['date'] or '(undated)'} [{rows[i]['source_id']}]"
                    ),
                )
                target = rows[pick] if rows else None
                action = target["action"] if target else ""
                when = st.text_input("New date", value=target["date"] if target else "")
                role = target["role"] if target else ""
                note = st.text_input("Note", value=target["note"] if target else "")
                remove = st.checkbox("Remove this action (it stays in the history)")
            source = st.selectbox("Source", list(sources), format_func=lambda k: sources[k], key="p_source")
            reason = st.text_area("Reason (required)", key="p_reason")
            submitted = st.form_submit_button("Submit for review")
        if submitted:
            try:
                from tracker.db import session_scope

                with session_scope() as session:
                    if target is None:
                        key = {
                            "instrument_id": inst,
                            "party_code": party,
                            "action": action,
                            "role": role.strip(),
                            "date": when.strip(),
                        }
                        change = curation.make_change(
                            session, "adoptions", key, {"source_id": source, "note": note.strip()}
                        )
                    else:
                        key = {k: target[k] for k in ("instrument_id", "party_code", "action", "role", "date")}
                        new = None if remove else {"date": when.strip(), "note": note.strip(), "source_id": source}
                        change = curation.make_change(session, "adoptions", key, new)
                pid = curation.propose(user, [change], reason=reason, source_id=source)
                st.success(f"Proposal #{pid} filed; it waits for a reviewer other than you.")
                show_change(change)
            except curation.InvalidProposal as exc:
                for problem in exc.problems:
                    st.error(md(problem))
            except curation.CurationError as exc:
                st.error(md(exc))

# --------------------------------------------------------------------------- import
with tab_import:
    if user is None or not user.can_propose:
        st.info("Sign in as an editor or reviewer to import a chart.")
    else:
        from tracker.curation.importer import IMPORT_COLUMNS, ImportRejected, plan_import, propose_import

        st.markdown(
            f"CSV (UTF-8) or XLSX with the columns `{', '.join(IMPORT_COLUMNS)}`. Country names "
            "resolve exactly (code, name or alias); close matches are only suggestions for you to confirm."
        )
        upload = st.file_uploader("Chart", type=["csv", "xlsx"])
        source = st.selectbox(
            "Source for rows without one", list(sources), format_func=lambda k: sources[k], key="i_src"
        )
        if upload is not None:
            data = upload.getvalue()
            confirmed = st.session_state.setdefault("import_confirmed", {})
            plan = plan_import(data, upload.name, source_id=source, confirmed=confirmed)
            for issue in plan.problems:
                st.error(md(issue))
            counts = plan.counts()
            cols = st.columns(4)
            for col, (name, n) in zip(cols, counts.items(), strict=True):
                col.metric(name, n)
            st.dataframe(plan.diff_frame(), hide_index=True, width="stretch")
            for row in plan.by_status("unresolved"):
                options = ["(not confirmed)"] + [m.code for m in row.suggestions]
                choice = st.selectbox(
                    f"Row {row.line}: {md(repr(row.party))} is",
                    options,
                    key=f"confirm_{row.line}",
                    format_func=lambda c: parties.get(c, c),
                )
                if choice != "(not confirmed)" and confirmed.get(row.party) != choice:
                    confirmed[row.party] = choice
                    st.rerun()
            reason = st.text_area("Reason (required)", key="i_reason")
            if st.button("File the import as one proposal", disabled=bool(plan.problems)):
                try:
                    pid, _ = propose_import(
                        user, data, upload.name, reason=reason, source_id=source, confirmed=confirmed
                    )
                    st.success(f"Proposal #{pid} filed ({counts['added']} added, {counts['changed']} changed).")
                    st.session_state.pop("import_confirmed", None)
                except ImportRejected as exc:
                    for issue in exc.problems:
                        st.error(md(issue))
                except curation.CurationError as exc:
                    st.error(md(exc))

# --------------------------------------------------------------------------- review
with tab_review:
    queue = curation.list_proposals(status="pending")
    if queue.empty:
        st.info("No proposals waiting for review.")
    for row in queue.itertuples(index=False):
        # the summary and reason are user text: shown as text, never as markdown (tracker.ui.text)
        with st.expander(f"#{row.id} · {md(row.kind)} by {md(row.author)} · {md(row.summary)}"):
            st.markdown(
                f"**Reason:** {md(row.reason)}  \n**Source:** {md(sources.get(row.source_id, row.source_id))}  \n"
                f"**Filed:** {row.created_at:%Y-%m-%d %H:%M} UTC"
            )
            for change in curation.view_proposal(int(row.id)).changes:
                show_change(change)
            if user is None or not user.can_review:
                st.caption("Reviewers sign in to approve or reject.")
            elif user.name == row.author:
                st.caption("You cannot review your own proposal (two-person rule).")
            else:
                why = st.text_input("Review note (required to reject)", key=f"why_{row.id}")
                approve, reject = st.columns(2)
                try:
                    if approve.button("Approve and apply", key=f"approve_{row.id}", type="primary"):
                        curation.review(user, int(row.id), approve=True, reason=why)
                        st.success(f"#{row.id} approved and applied.")
                        st.rerun()
                    if reject.button("Reject", key=f"reject_{row.id}"):
                        curation.review(user, int(row.id), approve=False, reason=why)
                        st.rerun()
                except curation.InvalidProposal as exc:
                    for problem in exc.problems:
                        st.error(md(problem))
                except curation.CurationError as exc:
                    st.error(md(exc))

# --------------------------------------------------------------------------- history
with tab_history:
    log = curation.history(limit=500)
    if log.empty:
        st.info("No history yet.")
    else:
        c1, c2 = st.columns(2)
        with c1:
            table = ui.select(
                "Table", ["(all)"] + sorted(t for t in log["table"].unique() if t), key="h_table", param="table"
            )
        with c2:
            needle = ui.text_input("Key contains (e.g. FRA, budapest)", key="h_key", param="key")
        if table != "(all)":
            log = log[log["table"] == table]
        if needle:
            log = log[log["key"].str.contains(needle, case=False, regex=False)]

        def diff_text(entry) -> str:
            before, after = entry["before"] or {}, entry["after"] or {}
            cols = [c for c in {**before, **after} if before.get(c, "") != after.get(c, "")]
            return "; ".join(f"{c}: {before.get(c) or '∅'} → {after.get(c) or '∅'}" for c in cols)

        view = log.assign(change=[diff_text(e) for e in log.to_dict("records")])
        view["when"] = view["at"].map(lambda t: f"{t:%Y-%m-%d %H:%M}")
        st.dataframe(
            view[
                [
                    "when",
                    "event",
                    "actor",
                    "author",
                    "proposal_id",
                    "table",
                    "op",
                    "key",
                    "change",
                    "reason",
                    "source_id",
                ]
            ],
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "The history is append-only; to undo an approved change, propose a revert (`tracker propose --revert ID`)."
        )
        if user is not None and user.can_propose:
            approved = curation.list_proposals(status="approved")
            if not approved.empty:
                with st.form("revert"):
                    pid = st.selectbox(
                        "Revert approved proposal",
                        approved["id"].tolist()[::-1],
                        format_func=lambda i: f"#{i}: {approved.set_index('id').loc[i, 'summary']}",
                    )
                    reason = st.text_input("Reason for the revert")
                    if st.form_submit_button("Propose the revert"):
                        try:
                            rid = curation.propose_revert(user, int(pid), reason=reason)
                            st.success(f"Revert proposal #{rid} filed; it needs a review.")
                        except curation.CurationError as exc:
                            st.error(md(exc))
