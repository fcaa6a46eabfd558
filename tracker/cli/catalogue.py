"""Catalogue commands: validate, load, info."""

from __future__ import annotations

import sys
import time
from typing import Annotated, Any

import typer

from tracker.cli.common import JsonOpt, PathArg, app, clean_errors, fail, print_json


@app.command()
@clean_errors
def validate(
    path: PathArg = None,
    report: Annotated[bool, typer.Option("--report", help="print the data quality report")] = False,
):
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
def load(
    path: PathArg = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="reload even if unchanged; overwrite curated edits (signed-in reviewer; logged)"),
    ] = False,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="record the load as this user (needed with --force; default: env TRACKER_USER with --force); "
            "password prompted for or read from TRACKER_PASSWORD",
        ),
    ] = None,
):
    """Load the catalogue into the database in one transaction (unchanged content: no-op).

    A load that changes the data is recorded in the history: as the signed-in user (--user;
    always with --force, which needs the reviewer role to overwrite curated edits), otherwise
    as the operating-system account, marked as not authenticated.
    After a load, the app's catalogue copy and the analytics its first pages open with are
    prepared in the user cache directory, so the app's next start does not compute them."""
    from tracker.cli.curation import acting_user
    from tracker.sync import sync_to_database

    signed_in = acting_user(user) if force or user else None

    with typer.progressbar(length=1, label="Loading catalogue", file=sys.stderr) as bar:

        def progress(done, total, label):
            bar.length = total
            bar.label = f"Loading {label}"
            bar.update(done - bar.pos)

        result = sync_to_database(path, force=force, user=signed_in, progress=progress)
    if result.status == "unchanged":
        typer.echo(
            f"unchanged: the database already holds catalogue {result.content_hash[:12]} ({result.seconds:.2f} s)"
        )
        return
    rows = ", ".join(f"{n} {k}" for k, n in result.counts.items())
    typer.echo(f"loaded catalogue {result.content_hash[:12]} in {result.seconds:.1f} s: {rows}")
    from tracker.derived import prepare

    started = time.perf_counter()
    with typer.progressbar(length=1, label="Preparing the app's analytics", file=sys.stderr) as bar:

        def preparing(done, total, label):
            bar.length = total
            bar.label = f"Preparing {label}"
            bar.update(done - bar.pos)

        ready = prepare(progress=preparing)
    typer.echo(
        f"prepared the app's catalogue copy and {ready} analytics results in {time.perf_counter() - started:.1f} s"
    )


@app.command()
@clean_errors
def info(json_out: JsonOpt = False):
    """Counts, as-of dates and where the database is."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from tracker.db import get_engine, migrate
    from tracker.models import CATALOGUE_TABLES, CatalogueState, Source
    from tracker.settings import get_settings

    settings = get_settings()
    engine = get_engine()
    migrate(engine)
    data: dict[str, Any] = {
        "database": engine.url.render_as_string(hide_password=True),
        "catalogue_folder": str(settings.catalogue_path),
    }
    with engine.connect() as conn:
        state = conn.execute(select(CatalogueState)).first()
        data["loaded"] = bool(state)
        if state:
            data.update(
                catalogue_version=state.catalogue_version, loaded_at=str(state.loaded_at), loaded_from=state.loaded_from
            )
        data["counts"] = {
            name: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in CATALOGUE_TABLES.items()
        }
        if state:
            data["newest_source_as_of"] = conn.execute(select(func.max(col(Source.as_of)))).scalar()
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
