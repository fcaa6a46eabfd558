"""`tracker export ...`: briefs, summaries and raw tables as CSV, XLSX, JSON, Markdown or PDF."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli import common
from tracker.cli.common import AsOfOpt, app, clean_errors, fail

export_app = typer.Typer(
    help="Bloc summaries, country briefs, comparisons and raw tables as CSV, XLSX, "
    "JSON, Markdown, PDF or a briefing pack (a ZIP of PDF, XLSX and JSON; stdout unless -o FILE).",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

_FORMAT_HELP = (
    "csv, xlsx, json, md, pdf or pack (a ZIP of the PDF, XLSX and JSON; default: from the -o suffix, else csv)"
)
_CATALOGUE_HELP = "catalogue folder (default: the database if loaded, else the bundled catalogue)"
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help=_FORMAT_HELP)]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write to this file (else stdout)")]
CatalogueOpt = Annotated[Path | None, typer.Option("--catalogue", help=_CATALOGUE_HELP)]
GroupArg = Annotated[str | None, typer.Argument(help="group id or name (eu, nato, G77, ...)")]
MemberOpt = Annotated[list[str] | None, typer.Option("--member", "-m", help="custom bloc member (repeat)")]
PartyArg = Annotated[str, typer.Argument(help="party code or name (CIV, Ivory Coast, Türkiye)")]
OnePartyOpt = Annotated[str | None, typer.Option("--party", help="only this party")]


def _export_format(fmt: str | None, output: Path | None) -> str:
    from tracker.export import FORMATS

    aliases = {"markdown": "md", "excel": "xlsx", "zip": "pack"}
    suffix = output.suffix.lower().lstrip(".") if output else ""
    suffix = aliases.get(suffix, suffix)
    chosen = (fmt or "").lower().lstrip(".") or (suffix if suffix in FORMATS else "csv")
    chosen = aliases.get(chosen, chosen)
    if chosen not in FORMATS:
        fail(f"unknown format {fmt!r} (choose one of {', '.join(FORMATS)})")
    if fmt and suffix in FORMATS and suffix != chosen:
        fail(f"--format {chosen} does not match the file name {output.name!r}")
    return chosen


def _run_export(build, fmt: str | None, output: Path | None, catalogue: Path | None, what: str) -> None:
    """Load, build, render and write, with a progress bar on stderr; nothing is written on error."""
    import os
    import tempfile

    from tracker.export import BINARY_FORMATS, render

    fmt = _export_format(fmt, output)
    if output is None and fmt in BINARY_FORMATS and sys.stdout.isatty():
        fail(f"{fmt} is a binary format: give -o FILE or redirect standard output")
    with typer.progressbar(length=3, label=f"Exporting {what} as {fmt}", file=sys.stderr) as bar:
        cat = common.load_cat(catalogue)
        bar.update(1)
        report = build(cat)
        bar.update(1)
        data = render(report, fmt)
        bar.update(1)
    if output is None:
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(data.decode("utf-8"))
        else:
            stream.write(data)
        sys.stdout.flush()
        return
    target = output.expanduser()
    if target.is_dir():
        fail(f"{target} is a folder; give a file name")
    fd, tmp = tempfile.mkstemp(prefix=".export-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    typer.echo(f"wrote {target} ({len(data):,} bytes, {fmt})", err=True)


@export_app.command("bloc")
@clean_errors
def export_bloc(
    group: GroupArg = None,
    member: MemberOpt = None,
    name: Annotated[str | None, typer.Option("--name", help="title for a custom bloc")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    catalogue: CatalogueOpt = None,
):
    """Bloc summary: members, adoption rates, voting record, gaps, sources."""
    from tracker.export import bloc_summary

    if group is None and not member:
        fail("name a group (e.g. eu) or give the members with --member")
    if group is not None and member:
        fail("give either a group or --member, not both")

    def build(cat):
        return bloc_summary(cat, group_id=group, members=member or None, as_of=as_of, name=name)

    _run_export(build, fmt, output, catalogue, "bloc summary")


@export_app.command("brief")
@clean_errors
def export_brief(
    party: PartyArg,
    bloc: Annotated[str | None, typer.Option("--bloc", help="group for the gaps")] = None,
    resolution: Annotated[
        str | None, typer.Option("--resolution", help="resolution to predict the party's vote on")
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    catalogue: CatalogueOpt = None,
):
    """Country brief: adoptions, memberships, voting record, gaps against a bloc, sources."""
    from tracker.export import country_brief

    _run_export(
        lambda cat: country_brief(cat, party, bloc=bloc, resolution=resolution, as_of=as_of),
        fmt,
        output,
        catalogue,
        "country brief",
    )


@export_app.command("compare")
@clean_errors
def export_compare(
    parties: Annotated[list[str], typer.Argument(help="two to four party codes or names")],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    catalogue: CatalogueOpt = None,
):
    """Two to four parties side by side."""
    from tracker.export import comparison

    _run_export(lambda cat: comparison(cat, parties, as_of=as_of), fmt, output, catalogue, "comparison")


@export_app.command("adoptions")
@clean_errors
def export_adoptions(
    instrument: Annotated[str | None, typer.Option("--instrument", help="one instrument")] = None,
    party: OnePartyOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    catalogue: CatalogueOpt = None,
):
    """Raw table: every adoption status as of a date."""
    from tracker.export import adoptions_table

    _run_export(
        lambda cat: adoptions_table(cat, as_of, instrument=instrument, party=party), fmt, output, catalogue, "adoptions"
    )


@export_app.command("alignment")
@clean_errors
def export_alignment(
    basis: Annotated[str, typer.Option("--basis", help="votes, adoptions or combined")] = "combined",
    party: Annotated[list[str] | None, typer.Option("--party", help="restrict to these parties (repeat)")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    catalogue: CatalogueOpt = None,
):
    """Raw table: alignment score for every pair of parties."""
    from tracker.export import alignment_table

    _run_export(
        lambda cat: alignment_table(cat, as_of, basis=basis, parties=party or None), fmt, output, catalogue, "alignment"
    )


@export_app.command("votes")
@clean_errors
def export_votes(
    all_topics: Annotated[
        bool, typer.Option("--all-topics", help="every recorded vote, not only cyber resolutions")
    ] = False,
    party: OnePartyOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    catalogue: CatalogueOpt = None,
):
    """Raw table: recorded UNGA votes on cyber resolutions (or all topics)."""
    from tracker.export import votes_table

    _run_export(
        lambda cat: votes_table(cat, as_of, all_topics=all_topics, party=party), fmt, output, catalogue, "votes"
    )
