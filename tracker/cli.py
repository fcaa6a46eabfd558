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
         force: Annotated[bool, typer.Option(
             "--force", help="reload even if unchanged; overwrite curated edits (logged)")] = False):
    """Load the catalogue into the database in one transaction (unchanged content: no-op)."""
    from tracker.catalogue import sync_to_database

    with typer.progressbar(length=1, label="Loading catalogue", file=sys.stderr) as bar:
        def progress(done, total, label):
            bar.length = total
            bar.label = f"Loading {label}"
            bar.update(done - bar.pos)

        result = sync_to_database(path, force=force, progress=progress)
    if result.status == "unchanged":
        typer.echo(f"unchanged: the database already holds catalogue {result.content_hash[:12]} "
                   f"({result.seconds:.2f} s)")
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

@app.command("search")
@clean_errors
def search_cmd(query: Annotated[str, typer.Argument(help="what you remember: a name, acronym, treaty number, "
                                                         "clause id, country or resolution symbol")],
               kind: Annotated[str | None, typer.Option(
                   "--kind", help="instrument, norm, clause, party, group or resolution")] = None,
               limit: Annotated[int, typer.Option("--limit", help="at most this many hits")] = 10,
               json_out: JsonOpt = False):
    """Find a standard, norm, clause, country, group or resolution from a half-remembered name."""
    from tracker.search import SearchIndex, check_options, hits_frame

    check_options(kind=kind, limit=limit)  # bad options fail before the catalogue is loaded
    with typer.progressbar(length=2, label="Loading catalogue", file=sys.stderr) as bar:
        cat = load_cat()
        bar.label = "Building search index"
        bar.update(1)
        index = SearchIndex(cat)
        bar.update(1)
    hits = index.search(query, kind=kind, limit=limit)
    if json_out:
        print_json([{k: v for k, v in h.as_dict().items() if k != "via"} for h in hits])
    else:
        print_table(hits_frame(hits))


# --------------------------------------------------------------------------- analytics (issue 5)


# --------------------------------------------------------------------------- exports (issue 7)


# --------------------------------------------------------------------------- curation (issue 8)


if __name__ == "__main__":
    app()
