"""The `tracker` command line (typer). Command names follow the public API.

One module per command group; ``common`` holds the shared options and error handling. Every
command exits non-zero with one clear line on bad input (never a traceback, unless --debug)
and shows a progress bar on work that takes more than a second.
"""

from tracker.cli import analysis, catalogue, curation, export, norms, search, serve  # noqa: F401  (registers commands)
from tracker.cli.common import app


def main() -> None:
    try:
        app(prog_name="tracker")
    except BrokenPipeError:  # the reader went away outside a command (e.g. during --help)
        from tracker.cli.common import SIGPIPE_EXIT, silence_stdout

        silence_stdout()
        raise SystemExit(SIGPIPE_EXIT) from None


__all__ = ["app", "main"]
