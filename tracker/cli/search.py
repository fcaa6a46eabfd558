"""`tracker search`: find a standard, norm, clause, country, group or resolution."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tracker.cli import common
from tracker.cli.common import JsonOpt, app, clean_errors, print_json, print_table


@app.command("search")
@clean_errors
def search_cmd(
    query: Annotated[
        str,
        typer.Argument(
            help="what you remember: a name, acronym, treaty number, clause id, country or resolution symbol"
        ),
    ],
    kind: Annotated[
        str | None, typer.Option("--kind", help="instrument, norm, clause, party, group or resolution")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many hits")] = 10,
    json_out: JsonOpt = False,
):
    """Find a standard, norm, clause, country, group or resolution from a half-remembered name."""
    from tracker.search import SearchIndex, check_options, hits_frame

    check_options(kind=kind, limit=limit)  # bad options fail before the catalogue is loaded
    with typer.progressbar(length=2, label="Loading catalogue", file=sys.stderr) as bar:
        cat = common.load_cat()
        bar.label = "Building search index"
        bar.update(1)
        index = SearchIndex(cat)
        bar.update(1)
    hits = index.search(query, kind=kind, limit=limit)
    if json_out:
        print_json([{k: v for k, v in h.as_dict().items() if k != "via"} for h in hits])
    else:
        print_table(hits_frame(hits))
