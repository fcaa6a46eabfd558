"""What every command shares: the root app, options, one-line errors, output helpers.

Errors: a ``TrackerError`` (bad input or data) is one line on stderr and exit 1; a catalogue's
problems are listed one per line. Anything else is a bug: it is logged with its traceback and
reported as such (``--debug`` or ``TRACKER_DEBUG=1`` shows the traceback on stderr).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from tracker.errors import CatalogueError, TrackerError

log = logging.getLogger("tracker.cli")
F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    help="Cyber Norms Alignment Tracker: catalogue, search, alignment, blocs, exports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

PathArg = Annotated[Path | None, typer.Argument(help="catalogue folder (default: the bundled catalogue)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="as-of date YYYY[-MM[-DD]] (default: today)")]
TopicOpt = Annotated[str, typer.Option("--topic", help="all | cyber | digital | a topic name")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="first date counted (YYYY[-MM[-DD]])")]
BasisOpt = Annotated[str, typer.Option("--basis", help="combined | votes | adoptions")]


def debugging() -> bool:
    return os.environ.get("TRACKER_DEBUG", "") not in ("", "0")


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="log details and show tracebacks of internal errors")] = False,
) -> None:
    """Cyber Norms Alignment Tracker: catalogue, search, alignment, blocs, exports."""
    if debug:
        os.environ["TRACKER_DEBUG"] = "1"
    logging.basicConfig(
        level=logging.DEBUG if debugging() else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr, exit ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def clean_errors(func: F) -> F:
    """User errors as one line and a non-zero exit; bugs logged with their traceback."""

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
        except TrackerError as exc:
            fail(str(exc) or exc.__class__.__name__)
        except OSError as exc:  # a file or a database that cannot be reached: the user's environment
            log.debug("environment error", exc_info=True)
            fail(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
        except Exception as exc:
            from tracker.db import unreachable

            if unreachable(exc):
                log.debug("database unavailable", exc_info=True)
                fail(f"the database cannot be reached: {str(exc).splitlines()[0] if str(exc) else exc!r}")
            log.error("internal error in %s", func.__name__, exc_info=debugging())
            if debugging():
                raise
            first = str(exc).splitlines()[0] if str(exc) else ""
            fail(
                f"internal error (a bug, please report it): {exc.__class__.__name__}: {first} "
                "(run with --debug for the traceback)",
                code=2,
            )

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_table(df, *, index: bool = False) -> None:
    typer.echo(df.to_string(index=index) if len(df) else "(no rows)")


def load_cat(path: Path | None = None):
    """The catalogue for analysis commands: the database's if one is loaded, else the folder.

    The database's comes through the copy the app keeps in the user cache directory
    (``tracker.derived``, keyed by what was loaded and the approved edits since), so a warm
    command reads it back in a fraction of a second instead of re-reading 300,000 votes; the
    first command after a load or an approved edit reads the database and writes the copy."""
    from tracker.catalogue import load_catalogue

    if path is not None:
        return load_catalogue(path)
    from tracker.db import loaded_state
    from tracker.derived import DiskCache, served_catalogue
    from tracker.settings import get_settings

    state = loaded_state()  # None: no database, or nothing loaded into it yet
    if state is None:
        log.info("no catalogue in the database; reading the folder")
        return load_catalogue()
    disk = DiskCache.for_state(get_settings().database_url, state.content_hash, state.loaded_at, state.edits)
    return served_catalogue(disk, state.edits)


def finite(obj: Any) -> Any:
    """NaN/inf -> None, recursively, so --json output is valid JSON."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [finite(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        try:
            return finite(obj.item())
        except (ValueError, AttributeError):
            return obj
    return obj


def records(df) -> list[dict]:
    return finite(df.reset_index().to_dict("records") if df.index.name else df.to_dict("records"))


def fmt(x: Any, digits: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def progress_bar(label: str, length: int = 1):
    """A progress bar on stderr (stdout stays clean for --json and exports)."""
    return typer.progressbar(length=length, label=label, file=sys.stderr)
