"""`tracker app`: start the Streamlit app of the installed package."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import app, clean_errors


@app.command("app")
@clean_errors
def serve(
    port: Annotated[int, typer.Option("--port", help="port on 127.0.0.1")] = 8501,
    address: Annotated[str, typer.Option("--address", help="interface to listen on")] = "127.0.0.1",
) -> None:
    """Start the web app (Streamlit) on the bundled catalogue or the database's; Ctrl-C stops it."""
    from streamlit.web import cli as streamlit_cli

    import tracker.ui

    entry = Path(tracker.ui.__file__).resolve().parent / "main.py"
    # the same settings as .streamlit/config.toml, so the app behaves alike from any folder
    sys.argv = [
        "streamlit",
        "run",
        str(entry),
        f"--server.port={port}",
        f"--server.address={address}",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=minimal",
    ]
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    sys.exit(streamlit_cli.main())
