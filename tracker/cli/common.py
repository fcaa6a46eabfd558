"""What every command shares: the root app, options, one-line errors, output helpers.

Errors: a ``TrackerError`` (bad input or data) is one line on stderr and exit 1; a catalogue's
problems are listed one per line. Anything else is a bug: it is logged with its traceback and
reported as such (``--debug`` or ``TRACKER_DEBUG=1`` shows the traceback on stderr).
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import math
import os
import re
import shlex
import shutil
import sys
import textwrap
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
    rich_markup_mode=None,  # plain help: flags shown as flags (not `--json <bool>`), errors as plain lines
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


def positive(value: int, option: str) -> int:
    """A count option (``--limit``) must be at least 1: ``--limit -1`` would quietly drop a row."""
    if value < 1:
        fail(f"{option} must be a positive whole number, not {value}")
    return value


def require_users_file() -> None:
    """Curation needs a users file: say how to set one up before asking anyone for a password."""
    from tracker.settings import get_settings

    users = get_settings().users_file
    if users is None:
        fail(
            "curation needs a users file and none is configured: set TRACKER_USERS_FILE=/path/to/users.toml, "
            "then add people with `tracker users add NAME --role editor|reviewer`"
        )
    if not users.exists():
        fail(
            f"the users file {users} (TRACKER_USERS_FILE) does not exist yet: "
            "add people with `tracker users add NAME --role editor|reviewer`"
        )


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr, exit ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


# Where to look up the valid names, for an "unknown X" that does not list or suggest them itself.
_LOOK_UP = ("party", "instrument", "norm", "resolution", "group")
_LISTS_CHOICES = ("did you mean", "choose one of", "expected one of", "known ", "groups:", "norms:")


def pointing_to_choices(message: str) -> str:
    """``message``, and where an "unknown X" neither lists nor suggests the valid choices, how to
    find them."""
    m = re.match(r"unknown (\w+) '([^']*)'", message)
    if m is None or m.group(1) not in _LOOK_UP or any(hint in message[m.end() :] for hint in _LISTS_CHOICES):
        return message
    return f"{message}; to find the {m.group(1)} you mean: tracker search {shlex.quote(m.group(2))} --kind {m.group(1)}"


SIGPIPE_EXIT = 141  # what a shell reports for a command stopped by SIGPIPE


def silence_stdout() -> None:
    """The reader of standard output went away (``tracker review 7 | head``): send whatever is
    still buffered nowhere, so the interpreter's last flush cannot fail with "Broken pipe"."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def clean_errors(func: F) -> F:
    """User errors as one line and a non-zero exit; bugs logged with their traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except BrokenPipeError:
            silence_stdout()
            raise typer.Exit(SIGPIPE_EXIT) from None
        except typer.Abort:  # a prompt met the end of its input
            fail("no answer (standard input is closed); give the value in the environment or as an option")
        except CatalogueError as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            fail(f"{len(exc.problems)} problem(s) in the catalogue; nothing was changed")
        except TrackerError as exc:
            fail(pointing_to_choices(str(exc) or exc.__class__.__name__))
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


def terminal_width() -> int | None:
    """How wide to wrap output: ``COLUMNS`` when set, else the terminal's width; None (do not
    wrap) when writing to a file or a pipe, so scripts and ``grep`` get whole lines."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def say(text: str) -> None:
    """A line of prose, wrapped to the terminal (continuation lines indented under the text)."""
    width = terminal_width()
    if width is None or len(text) <= width:
        typer.echo(text)
        return
    hang = len(text) - len(text.lstrip(" ")) + 2  # under the text after an indent or a "- " bullet
    typer.echo(
        textwrap.fill(
            text,
            width=width,
            initial_indent="",
            subsequent_indent=" " * min(hang, width // 3),
            break_on_hyphens=False,
            break_long_words=True,
        )
    )


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return "" if value is None else str(value)


def print_table(df, *, index: bool = False) -> None:
    """A table; on a terminal (or with ``COLUMNS`` set) long cells wrap so every line fits."""
    if not len(df):
        typer.echo("(no rows)")
        return
    width = terminal_width()
    if width is None:
        typer.echo(df.to_string(index=index))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tracker.text import printable

    frame = df.reset_index() if index else df
    cells = [[printable(_cell(v)) for v in row] for row in frame.itertuples(index=False)]
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="", padding=(0, 1))
    widths = [max([len(str(c)), *(len(row[k]) for row in cells)]) for k, c in enumerate(frame.columns)]
    short = [w <= 16 for w in widths]  # codes, ids, numbers: kept whole if the long columns keep some room
    room = width - sum(w + 1 for w, s in zip(widths, short, strict=True) if s) - 16 * (len(widths) - sum(short))
    for k, column in enumerate(frame.columns):
        numeric = frame[column].dtype.kind in "biuf"
        keep = short[k] and room >= 0
        table.add_column(str(column), justify="right" if numeric else "left", no_wrap=keep, overflow="fold")
    for row in cells:
        table.add_row(*(Text(v) for v in row))  # Text: no markup is read from the data
    console = Console(width=width, color_system=None, highlight=False, emoji=False, record=True, file=io.StringIO())
    console.print(table)
    typer.echo("\n".join(line.rstrip() for line in console.export_text().splitlines()))


def load_cat(path: Path | None = None):
    """The catalogue for analysis commands: the database's if one is loaded, else the folder.

    The database's comes through the copy the app keeps in the user cache directory
    (``tracker.derived``, keyed by what was loaded and the approved edits since), so a warm
    command reads it back in a fraction of a second instead of re-reading 300,000 votes; the
    first command after a load or an approved edit reads the database and writes the copy."""
    from tracker.catalogue import load_catalogue

    if path is not None:
        return load_catalogue(path)
    from tracker.derived import DiskCache, served_catalogue, served_state
    from tracker.settings import get_settings

    url = get_settings().database_url
    state = served_state(url)  # None: no database, or nothing loaded into it yet
    if state is None:
        log.info("no catalogue in the database; reading the folder")
        return load_catalogue()
    disk = DiskCache.for_state(url, state.content_hash, state.loaded_at, state.edits)
    cat = served_catalogue(disk, state.edits)
    _SERVED[id(cat)] = (cat, disk)
    return cat


_SERVED: dict[int, tuple[Any, Any]] = {}  # id(catalogue) -> (catalogue, its DiskCache), this process


def prepared(cat, name: str, args: tuple):
    """The analytics result ``name(*args)`` with the default settings, as the app keeps it
    (``tracker.derived.compute``): for the database's catalogue read from its store (computed
    and kept there the first time), so a warm ``tracker swing`` answers at once."""
    from tracker.derived import compute

    served = _SERVED.get(id(cat))
    if served is None or served[0] is not cat:
        return compute(cat, name, args)
    return served[1].get(name, args, lambda: compute(cat, name, args))


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
