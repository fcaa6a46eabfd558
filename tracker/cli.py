"""The `tracker` command line (typer). Command names follow the public API.

Every command exits non-zero with one clear line on bad input (never a traceback) and shows
a progress bar on work that takes more than a second.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.catalogue import CatalogueError

app = typer.Typer(help="Cyber Norms Alignment Tracker: catalogue, search, alignment, blocs, exports.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)

PathArg = Annotated[Path | None, typer.Argument(help="catalogue folder (default: the bundled catalogue)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def clean_errors(func):
    """Turn expected errors into one line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except CatalogueError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            fail(f"{len(exc.problems)} problem(s) in the catalogue; nothing was changed")
        except (ValueError, KeyError, LookupError, OSError) as exc:
            fail(str(exc).strip("'\"") or exc.__class__.__name__)
        except Exception as exc:  # a database that cannot be reached, etc.: still one line
            fail(f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    return wrapper


def print_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_table(df, *, index: bool = False) -> None:
    typer.echo(df.to_string(index=index) if len(df) else "(no rows)")


def load_cat(path: Path | None = None):
    """The catalogue for analysis commands: the database if loaded, else the folder."""
    from tracker.catalogue import catalogue_from_database, load_catalogue

    if path is not None:
        return load_catalogue(path)
    try:
        return catalogue_from_database()
    except Exception:
        return load_catalogue()


# --------------------------------------------------------------------------- catalogue (issue 2, 3)

@app.command()
@clean_errors
def validate(path: PathArg = None,
             report: Annotated[bool, typer.Option("--report", help="print the data quality report")] = False):
    """Check every rule of the catalogue at once and list all problems (file:row:column: message)."""
    from tracker.catalogue import validate_package
    from tracker.settings import get_settings

    folder = path or get_settings().catalogue_path
    problems = validate_package(folder)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        fail(f"{len(problems)} problem(s) in {folder}")
    if report:
        from tracker.quality import quality_report

        typer.echo(quality_report(folder))
    typer.echo(f"ok: {folder} is valid")


@app.command()
@clean_errors
def load(path: PathArg = None,
         force: Annotated[bool, typer.Option("--force", help="reload even if unchanged; overwrite curated edits (logged)")] = False):
    """Load the catalogue into the database in one transaction (unchanged content: no-op)."""
    from tracker.catalogue import sync_to_database

    with typer.progressbar(length=1, label="Loading catalogue", file=sys.stderr) as bar:
        def progress(done, total, label):
            bar.length = total
            bar.label = f"Loading {label}"
            bar.update(done - bar.pos)

        result = sync_to_database(path, force=force, progress=progress)
    if result.status == "unchanged":
        typer.echo(f"unchanged: the database already holds catalogue {result.content_hash[:12]} ({result.seconds:.2f} s)")
    else:
        rows = ", ".join(f"{n} {k}" for k, n in result.counts.items())
        typer.echo(f"loaded catalogue {result.content_hash[:12]} in {result.seconds:.1f} s: {rows}")


@app.command()
@clean_errors
def info(json_out: JsonOpt = False):
    """Counts, as-of dates and where the database is."""
    from sqlalchemy import func, select

    from tracker.db import get_engine, migrate
    from tracker.models import CATALOGUE_TABLES, CatalogueState
    from tracker.settings import get_settings

    settings = get_settings()
    engine = get_engine()
    migrate(engine)
    data = {"database": engine.url.render_as_string(hide_password=True),
            "catalogue_folder": str(settings.catalogue_path)}
    with engine.connect() as conn:
        state = conn.execute(select(CatalogueState)).first()
        data["loaded"] = bool(state)
        if state:
            data.update(catalogue_version=state.catalogue_version, loaded_at=str(state.loaded_at),
                        loaded_from=state.loaded_from)
        data["counts"] = {name: conn.execute(select(func.count()).select_from(model)).scalar_one()
                          for name, model in CATALOGUE_TABLES.items()}
        if state:
            data["newest_source_as_of"] = conn.execute(select(func.max(CATALOGUE_TABLES["sources"].as_of))).scalar()
    if json_out:
        print_json(data)
        return
    for key, value in data.items():
        if key == "counts":
            for name, n in value.items():
                typer.echo(f"  {name:<20} {n:>8}")
        else:
            typer.echo(f"{key}: {value}")
    if not data["loaded"]:
        typer.echo("no catalogue loaded yet: run `tracker load`")


# --------------------------------------------------------------------------- search (issue 4)


# --------------------------------------------------------------------------- analytics (issue 5)


# --------------------------------------------------------------------------- exports (issue 7)


# --------------------------------------------------------------------------- curation (issue 8)

UserOpt = Annotated[str | None, typer.Option("--user", help="acting user (default: env TRACKER_USER); "
                                             "the password is prompted for or read from TRACKER_PASSWORD")]


def _acting_user(name: str | None):
    import os

    from tracker.curation import authenticate

    name = name or os.environ.get("TRACKER_USER")
    if not name:
        fail("who is acting? pass --user NAME or set TRACKER_USER")
    password = os.environ.get("TRACKER_PASSWORD")
    if password is None:
        password = typer.prompt(f"password for {name}", hide_input=True, err=True)
    return authenticate(name, password)


def _report_problems(exc) -> None:
    for problem in exc.problems:
        typer.echo(str(problem), err=True)
    fail(f"{len(exc.problems)} problem(s); no proposal was created")


def _show_proposal(view) -> None:
    p = view.proposal
    typer.echo(f"#{p.id} [{p.status}] {p.kind} by {p.author} at {p.created_at:%Y-%m-%d %H:%M} UTC, "
               f"source {p.source_id}")
    typer.echo(f"  reason: {p.reason}")
    if p.reviewer:
        typer.echo(f"  {p.status} by {p.reviewer} at {p.reviewed_at:%Y-%m-%d %H:%M} UTC"
                   + (f": {p.review_reason}" if p.review_reason else ""))
    for change in view.changes:
        typer.echo(f"  {change.op:<6} {change.table} ({', '.join(v or '-' for v in change.key.values())})")
        for column, before, after in change.diff():
            typer.echo(f"           {column}: {before or '∅'} → {after or '∅'}")


@app.command()
@clean_errors
def propose(
    instrument: Annotated[str | None, typer.Argument(help="instrument id (a single adoption change)")] = None,
    party: Annotated[str | None, typer.Argument(help="party code, name or alias")] = None,
    action: Annotated[str | None,
        typer.Argument(help="signed, ratified, acceded, joined, endorsed, ...")] = None,
    date: Annotated[str,
        typer.Option("--date", help="date of the action (YYYY, YYYY-MM or YYYY-MM-DD)")] = "",
    role: Annotated[str,
        typer.Option("--role", help="role (e.g. supporter) if the instrument has roles")] = "",
    note: Annotated[str | None, typer.Option("--note", help="note for the row")] = None,
    new_date: Annotated[str | None,
        typer.Option("--new-date", help="correct the date of the existing row")] = None,
    remove: Annotated[bool,
        typer.Option("--remove", help="remove the existing row (kept in history)")] = False,
    import_file: Annotated[Path | None,
        typer.Option("--import", help="CSV or XLSX of adoption actions")] = None,
    confirm: Annotated[list[str] | None,
        typer.Option("--confirm", help="confirm a suggested party: 'NAME=CODE'")] = None,
    revert: Annotated[int | None,
        typer.Option("--revert", help="propose undoing approved proposal ID")] = None,
    source: Annotated[str | None, typer.Option("--source", help="sources.id backing the change")] = None,
    reason: Annotated[str, typer.Option("--reason", help="why (required)")] = "",
    user: UserOpt = None,
    json_out: JsonOpt = False,
):
    """Propose a change (a single adoption action, a bulk --import, or a --revert); a different
    reviewer must approve it before the live data changes."""
    from tracker import curation

    modes = sum([instrument is not None, import_file is not None, revert is not None])
    if modes != 1:
        fail("give either INSTRUMENT PARTY ACTION, or --import FILE, or --revert ID")
    acting = _acting_user(user)
    if revert is not None:
        pid = curation.propose_revert(acting, revert, reason=reason)
    elif import_file is not None:
        from tracker.importer import ImportRejected, plan_import, propose_import

        confirmed = {}
        for item in confirm or []:
            name, sep, code = item.rpartition("=")
            if not sep or not name or not code:
                fail(f"--confirm takes NAME=CODE, not {item!r}")
            confirmed[name] = code.strip().upper()
        data = import_file.read_bytes()
        try:
            pid, plan = propose_import(acting, data, import_file.name, reason=reason, source_id=source or "",
                                       confirmed=confirmed)
        except ImportRejected as exc:
            plan = plan_import(data, import_file.name, source_id=source or "", confirmed=confirmed)
            diff = plan.diff_frame()
            if len(diff):
                typer.echo(diff.to_string(index=False), err=True)
            _report_problems(exc)
        counts = plan.counts()
        typer.echo(f"import: {counts['added']} added, {counts['changed']} changed, "
                   f"{counts['unchanged']} unchanged")
    else:
        if party is None or action is None:
            fail("a single change needs INSTRUMENT PARTY ACTION")
        from tracker.catalogue import catalogue_from_database
        from tracker.db import session_scope
        from tracker.parties import PartyResolver

        code = PartyResolver(catalogue_from_database()).require(party)
        key = {"instrument_id": instrument, "party_code": code, "action": action, "role": role, "date": date}
        if remove:
            new = None
        else:
            new = {"source_id": source or ""}
            if note is not None:
                new["note"] = note
            if new_date is not None:
                new["date"] = new_date
        with session_scope() as session:
            exists = curation.live_row(session, "adoptions", key) is not None
            if new_date is not None and not exists:
                fail(f"no adoption row ({instrument}, {code}, {action}, {role or '-'}, "
                     f"{date or 'undated'}) to re-date")
            if new is not None and exists and not source:
                new.pop("source_id")
            change = curation.make_change(session, "adoptions", key, new)
        pid = curation.propose(acting, [change], reason=reason,
                               source_id=source or (change.before or {}).get("source_id", ""))
    view = curation.view_proposal(pid)
    if json_out:
        print_json({"id": pid, "status": view.proposal.status,
                    "changes": [c.to_json() for c in view.changes]})
        return
    _show_proposal(view)
    typer.echo(f"proposal #{pid} is waiting for review by someone other than {acting.name}")


@app.command()
@clean_errors
def review(
    proposal_id: Annotated[int | None,
        typer.Argument(help="proposal to review (none: list the pending queue)")] = None,
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
            print_json(queue.to_dict("records"))
        else:
            print_table(queue[["id", "kind", "author", "created_at", "source_id", "changes", "summary"]])
        return
    if approve and reject:
        fail("choose --approve or --reject, not both")
    if not approve and not reject:
        view = curation.view_proposal(proposal_id)
        if json_out:
            print_json({"id": proposal_id, "status": view.proposal.status, "author": view.proposal.author,
                        "reason": view.proposal.reason, "changes": [c.to_json() for c in view.changes]})
        else:
            _show_proposal(view)
        return
    acting = _acting_user(user)
    try:
        proposal = curation.review(acting, proposal_id, approve=approve, reason=reason)
    except curation.InvalidProposal as exc:
        for problem in exc.problems:
            typer.echo(problem, err=True)
        fail(f"proposal #{proposal_id} no longer fits the data ({len(exc.problems)} problem(s)); "
             "nothing was applied")
    typer.echo(f"proposal #{proposal_id} {proposal.status} by {acting.name}")


@app.command()
@clean_errors
def history(
    table: Annotated[str | None, typer.Option("--table", help="only this table")] = None,
    key: Annotated[str | None,
        typer.Option("--key", help="only rows whose key contains this (e.g. FRA)")] = None,
    proposal: Annotated[int | None, typer.Option("--proposal", help="only this proposal")] = None,
    limit: Annotated[int, typer.Option("--limit", help="newest N entries")] = 50,
    json_out: JsonOpt = False,
):
    """Who changed what, when, why and on which source (with before/after)."""
    from tracker import curation
    from tracker.db import migrate

    migrate()
    log = curation.history(table=table, key=key, proposal_id=proposal, limit=limit)
    if json_out:
        print_json(log.to_dict("records"))
        return
    if log.empty:
        typer.echo("(no history)")
    for entry in log.itertuples(index=False):
        head = f"{entry.at:%Y-%m-%d %H:%M} {entry.event:<11} {entry.actor}"
        if entry.proposal_id is not None and entry.proposal_id == entry.proposal_id:
            head += f" proposal #{int(entry.proposal_id)} (by {entry.author})"
        if entry.table:
            head += f" {entry.op} {entry.table} ({entry.key})"
        typer.echo(head)
        if entry.reason:
            typer.echo(f"    why: {entry.reason}  [source {entry.source_id}]")
        if entry.op == "update":
            for column in entry.after:
                if entry.before.get(column) != entry.after.get(column):
                    was, now = entry.before.get(column) or "∅", entry.after.get(column) or "∅"
                    typer.echo(f"    {column}: {was} → {now}")


@app.command()
@clean_errors
def dump(
    path: Annotated[Path | None,
        typer.Argument(help="folder to write (default: the catalogue folder)")] = None,
    overwrite: Annotated[bool,
        typer.Option("--overwrite", help="write into a non-empty non-catalogue folder")] = False,
):
    """Write the database's approved state back as the catalogue data package (canonical form);
    the result is validated."""
    from tracker.curation import dump as dump_package
    from tracker.settings import get_settings

    target = path or get_settings().catalogue_path
    counts = dump_package(target, overwrite=overwrite)
    typer.echo(f"wrote {target}: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "; it validates")


users_app = typer.Typer(help="Manage the users file (TRACKER_USERS_FILE): names, roles, password hashes.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
@clean_errors
def users_add(
    name: Annotated[str, typer.Argument(help="user name (a-z 0-9 _ . -)")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or reviewer")] = "viewer",
    replace: Annotated[bool,
        typer.Option("--replace", help="reset an existing user's role and password")] = False,
    users_file: Annotated[Path | None,
        typer.Option("--file", help="users file (default: TRACKER_USERS_FILE)")] = None,
):
    """Add a user (the password is prompted for, or read from TRACKER_NEW_PASSWORD)."""
    import os

    from tracker.curation import add_user, read_users

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
    users_file: Annotated[Path | None,
        typer.Option("--file", help="users file (default: TRACKER_USERS_FILE)")] = None,
):
    """Names and roles in the users file."""
    from tracker.curation import read_users

    for name, entry in sorted(read_users(users_file).items()):
        typer.echo(f"{name}\t{entry['role']}")



if __name__ == "__main__":
    app()
