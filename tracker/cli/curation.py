"""Curation commands: propose, review, history, dump, users (the two-person rule).

Everything they print from the data (reasons, notes, names, cells) goes through ``say`` /
``show_table`` / ``show_json``, which escape control characters and bidi overrides: a note can
never move the reviewer's cursor or forge a line of the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import JsonOpt, app, clean_errors, fail
from tracker.text import json_escaped, printable

UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        help="acting user (default: env TRACKER_USER); the password is prompted for or read from TRACKER_PASSWORD",
    ),
]


def say(line: str, *, err: bool = False) -> None:
    """One line of output, with any control character shown escaped."""
    typer.echo(printable(line), err=err)


def show_table(df, *, err: bool = False) -> None:
    cells = df.map(lambda v: printable(v) if isinstance(v, str) else v)
    typer.echo(cells.to_string(index=False) if len(df) else "(no rows)", err=err)


def show_json(data) -> None:
    """JSON with the same values, control characters written as \\u escapes."""
    typer.echo(json_escaped(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


def acting_user(name: str | None):
    """The signed-in user: --user or TRACKER_USER, the password from TRACKER_PASSWORD or a prompt."""
    import os

    from tracker.cli.common import require_users_file
    from tracker.curation import authenticate

    require_users_file()  # explain the setup before asking for a name or a password
    name = name or os.environ.get("TRACKER_USER")
    if not name:
        fail("who is acting? pass --user NAME or set TRACKER_USER")
    password = os.environ.get("TRACKER_PASSWORD")
    if password is None:
        password = typer.prompt(f"password for {name}", hide_input=True, err=True)
    return authenticate(name, password)


def _report_problems(exc) -> None:
    for problem in exc.problems:
        say(str(problem), err=True)
    fail(f"{len(exc.problems)} problem(s); no proposal was created")


def _show_proposal(view) -> None:
    p = view.proposal
    say(f"#{p.id} [{p.status}] {p.kind} by {p.author} at {p.created_at:%Y-%m-%d %H:%M} UTC, source {p.source_id}")
    say(f"  reason: {p.reason}")
    if p.reviewer:
        say(
            f"  {p.status} by {p.reviewer} at {p.reviewed_at:%Y-%m-%d %H:%M} UTC"
            + (f": {p.review_reason}" if p.review_reason else "")
        )
    for change in view.changes:
        say(f"  {change.op:<6} {change.table} ({', '.join(v or '-' for v in change.key.values())})")
        for column, before, after in change.diff():
            say(f"           {column}: {before or '∅'} → {after or '∅'}")


@app.command()
@clean_errors
def propose(
    instrument: Annotated[str | None, typer.Argument(help="instrument id (a single adoption change)")] = None,
    party: Annotated[str | None, typer.Argument(help="party code, name or alias")] = None,
    action: Annotated[str | None, typer.Argument(help="signed, ratified, acceded, joined, endorsed, ...")] = None,
    date: Annotated[str, typer.Option("--date", help="date of the action (YYYY, YYYY-MM or YYYY-MM-DD)")] = "",
    role: Annotated[str, typer.Option("--role", help="role (e.g. supporter) if the instrument has roles")] = "",
    note: Annotated[str | None, typer.Option("--note", help="note for the row")] = None,
    new_date: Annotated[str | None, typer.Option("--new-date", help="correct the date of the existing row")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="remove the existing row (kept in history)")] = False,
    import_file: Annotated[
        Path | None, typer.Option("--import", help="CSV or XLSX of adoption actions (or of norm evidence: --evidence)")
    ] = None,
    evidence: Annotated[
        bool,
        typer.Option(
            "--evidence",
            help="the --import file holds norm evidence (party, norm, kind, polarity, date, document, locator, "
            "quote, source, note)",
        ),
    ] = False,
    confirm: Annotated[
        list[str] | None, typer.Option("--confirm", help="confirm a suggested party: 'NAME=CODE'")
    ] = None,
    revert: Annotated[int | None, typer.Option("--revert", help="propose undoing approved proposal ID")] = None,
    source: Annotated[str | None, typer.Option("--source", help="sources.id backing the change")] = None,
    reason: Annotated[str, typer.Option("--reason", help="why (required)")] = "",
    user: UserOpt = None,
    json_out: JsonOpt = False,
):
    """Propose a change (a single adoption action, a bulk --import, or a --revert); a different
    reviewer must approve it before the live data changes."""
    from tracker import curation

    if evidence and import_file is None:
        fail("--evidence goes with --import FILE")
    modes = sum([instrument is not None, import_file is not None, revert is not None])
    if modes != 1:
        fail("give either INSTRUMENT PARTY ACTION, or --import FILE, or --revert ID")
    acting = acting_user(user)
    if revert is not None:
        pid = curation.propose_revert(acting, revert, reason=reason)
    elif import_file is not None and evidence:
        from tracker.curation.evidence_import import propose_evidence_import
        from tracker.curation.importer import ImportRejected

        try:
            pid, evidence_plan = propose_evidence_import(
                acting, import_file.read_bytes(), import_file.name, reason=reason, source_id=source or ""
            )
        except ImportRejected as exc:
            _report_problems(exc)
        counts = evidence_plan.counts()
        typer.echo(f"import: {counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged")
    elif import_file is not None:
        from tracker.curation.importer import ImportRejected, plan_import, propose_import

        confirmed = {}
        for item in confirm or []:
            name, sep, code = item.rpartition("=")
            if not sep or not name or not code:
                fail(f"--confirm takes NAME=CODE, not {item!r}")
            confirmed[name] = code.strip().upper()
        data = import_file.read_bytes()
        try:
            pid, plan = propose_import(
                acting, data, import_file.name, reason=reason, source_id=source or "", confirmed=confirmed
            )
        except ImportRejected as exc:
            plan = plan_import(data, import_file.name, source_id=source or "", confirmed=confirmed)
            diff = plan.diff_frame()
            if len(diff):
                show_table(diff, err=True)
            _report_problems(exc)
        counts = plan.counts()
        typer.echo(f"import: {counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged")
    else:
        if party is None or action is None:
            fail("a single change needs INSTRUMENT PARTY ACTION")
        assert instrument is not None  # modes == 1 and neither --revert nor --import was given
        from tracker.db import session_scope
        from tracker.parties import PartyResolver
        from tracker.sync import catalogue_from_database

        code = PartyResolver(catalogue_from_database()).require(party)
        with session_scope() as session:
            change = curation.adoption_change(
                session,
                instrument=instrument,
                party=code,
                action=action,
                role=role,
                date=date,
                source_id=source or "",
                note=note,
                new_date=new_date,
                remove=remove,
            )
        pid = curation.propose(
            acting, [change], reason=reason, source_id=source or (change.before or {}).get("source_id", "")
        )
    view = curation.view_proposal(pid)
    if json_out:
        show_json({"id": pid, "status": view.proposal.status, "changes": [c.to_json() for c in view.changes]})
        return
    _show_proposal(view)
    say(f"proposal #{pid} is waiting for review by someone other than {acting.name}")


@app.command()
@clean_errors
def review(
    proposal_id: Annotated[int | None, typer.Argument(help="proposal to review (none: list the pending queue)")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="approve and apply it (all or nothing)")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="reject it (needs --reason)")] = False,
    reason: Annotated[str, typer.Option("--reason", help="why (required to reject)")] = "",
    user: UserOpt = None,
    json_out: JsonOpt = False,
):
    """The review queue; show a proposal's diff; approve or reject it (never your own)."""
    from tracker import curation
    from tracker.db import migrate

    migrate()
    if proposal_id is None:
        queue = curation.list_proposals(status="pending")
        if json_out:
            show_json(queue.to_dict("records"))
        else:
            show_table(queue[["id", "kind", "author", "created_at", "source_id", "changes", "summary"]])
        return
    if approve and reject:
        fail("choose --approve or --reject, not both")
    if not approve and not reject:
        view = curation.view_proposal(proposal_id)
        if json_out:
            show_json(
                {
                    "id": proposal_id,
                    "status": view.proposal.status,
                    "author": view.proposal.author,
                    "reason": view.proposal.reason,
                    "changes": [c.to_json() for c in view.changes],
                }
            )
        else:
            _show_proposal(view)
        return
    acting = acting_user(user)
    try:
        proposal = curation.review(acting, proposal_id, approve=approve, reason=reason)
    except curation.InvalidProposal as exc:
        for problem in exc.problems:
            say(problem, err=True)
        fail(f"proposal #{proposal_id} no longer fits the data ({len(exc.problems)} problem(s)); nothing was applied")
    typer.echo(f"proposal #{proposal_id} {proposal.status} by {acting.name}")


@app.command()
@clean_errors
def history(
    table: Annotated[str | None, typer.Option("--table", help="only this table")] = None,
    key: Annotated[str | None, typer.Option("--key", help="only rows whose key contains this text (e.g. FRA)")] = None,
    proposal: Annotated[int | None, typer.Option("--proposal", help="only this proposal")] = None,
    limit: Annotated[int, typer.Option("--limit", help="newest N entries")] = 50,
    verify: Annotated[
        bool, typer.Option("--verify", help="check the hash chain of the whole history; exit 1 at a broken link")
    ] = False,
    json_out: JsonOpt = False,
):
    """Who changed what, when, why and on which source (with before/after)."""
    from tracker import curation
    from tracker.db import migrate

    migrate()
    if verify:
        report = curation.verify_chain()
        if json_out:
            show_json({"ok": report.ok, "entries": report.entries, "head": report.head, "broken_at": report.broken_at})
        if not report.ok:
            fail(f"audit entry #{report.broken_at} {report.reason}: the history was altered from there on")
        if not json_out:
            say(
                f"ok: {report.entries} entries, chain intact (head {report.head[:16] if report.head else '-'}…; "
                "note it somewhere else to notice later that newer entries were cut off)"
            )
        return
    log = curation.history(table=table, key=key, proposal_id=proposal, limit=limit)
    if json_out:
        show_json(log.to_dict("records"))
        return
    if log.empty:
        typer.echo("(no history)")
    for entry in log.itertuples(index=False):
        head = f"{entry.at:%Y-%m-%d %H:%M} {entry.event:<11} {entry.actor}"
        if entry.proposal_id is not None and entry.proposal_id == entry.proposal_id:
            head += f" proposal #{int(entry.proposal_id)} (by {entry.author})"
        if entry.table:
            head += f" {entry.op} {entry.table} ({entry.key})"
        say(head)
        if entry.reason:
            say(f"    why: {entry.reason}  [source {entry.source_id}]")
        if entry.op == "update":
            for column in entry.after:
                if entry.before.get(column) != entry.after.get(column):
                    was, now = entry.before.get(column) or "∅", entry.after.get(column) or "∅"
                    say(f"    {column}: {was} → {now}")


@app.command()
@clean_errors
def dump(
    path: Annotated[Path | None, typer.Argument(help="folder to write (default: the catalogue folder)")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="write into a non-empty non-catalogue folder")] = False,
):
    """Write the database's approved state back as the catalogue data package (canonical form);
    the result is validated."""
    from tracker.settings import get_settings
    from tracker.sync import dump as dump_package

    target = path or get_settings().catalogue_path
    counts = dump_package(target, overwrite=overwrite)
    typer.echo(f"wrote {target}: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "; it validates")


users_app = typer.Typer(
    help="Manage the users file (TRACKER_USERS_FILE): names, roles, password hashes.", no_args_is_help=True
)
app.add_typer(users_app, name="users")


@users_app.command("add")
@clean_errors
def users_add(
    name: Annotated[str, typer.Argument(help="user name (a-z 0-9 _ . -)")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or reviewer")] = "viewer",
    replace: Annotated[bool, typer.Option("--replace", help="reset an existing user's role and password")] = False,
    users_file: Annotated[Path | None, typer.Option("--file", help="users file (default: TRACKER_USERS_FILE)")] = None,
):
    """Add a user (the password is prompted for, or read from TRACKER_NEW_PASSWORD)."""
    import os

    from tracker.curation import add_user, read_users
    from tracker.settings import get_settings

    if users_file is None and get_settings().users_file is None:
        fail(
            "say where the users file is: --file PATH, or TRACKER_USERS_FILE=PATH for every command "
            "(the file is created with its first user)"
        )
    if name in read_users(users_file) and not replace:  # say so before asking for a password
        fail(f"user {name!r} exists already (use --replace to reset their role and password)")
    password = os.environ.get("TRACKER_NEW_PASSWORD")
    if password is None:
        password = typer.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True, err=True)
    user = add_user(name, role, password, path=users_file, replace=replace)
    typer.echo(f"user {user.name} ({user.role}) written")


@users_app.command("list")
@clean_errors
def users_list(
    users_file: Annotated[Path | None, typer.Option("--file", help="users file (default: TRACKER_USERS_FILE)")] = None,
):
    """Names and roles in the users file."""
    from tracker.curation import read_users

    for name, entry in sorted(read_users(users_file).items()):
        typer.echo(f"{name}\t{entry['role']}")
