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
    rich_markup_mode=None,
)
app.add_typer(export_app, name="export")

_FORMAT_HELP = (
    "csv, xlsx, json, md, pdf or pack (a ZIP of the PDF, XLSX and JSON; default: from the -o file's extension; "
    "csv on standard output)"
)
_CATALOGUE_HELP = "catalogue folder (default: the database if loaded, else the bundled catalogue)"
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help=_FORMAT_HELP)]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write to this file (else stdout)")]
CatalogueOpt = Annotated[Path | None, typer.Option("--catalogue", help=_CATALOGUE_HELP)]
GroupArg = Annotated[str | None, typer.Argument(help="group id or name (eu, nato, G77, ...)")]
MemberOpt = Annotated[list[str] | None, typer.Option("--member", "-m", help="custom bloc member (repeat)")]
PartyArg = Annotated[str, typer.Argument(help="party code or name (CIV, Ivory Coast, Türkiye)")]
OnePartyOpt = Annotated[str | None, typer.Option("--party", help="only this party")]


EXTENSIONS = {
    "csv": "csv",
    "xlsx": "xlsx",
    "json": "json",
    "md": "md",
    "markdown": "md",
    "pdf": "pdf",
    "pack": "pack",
    "zip": "pack",
}


def _export_format(fmt: str | None, output: Path | None) -> str:
    """The format: --format, else the -o file's extension, else csv for standard output. A file
    name must say the same as --format (``-o eu.docx`` never quietly holds CSV)."""
    from tracker.export import FORMATS

    chosen = None
    if fmt is not None:
        chosen = EXTENSIONS.get(fmt.lower().lstrip("."))
        if chosen is None or chosen not in FORMATS:
            fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if output is None:
        return chosen or "csv"
    suffix = output.suffix.lower().lstrip(".")
    named = EXTENSIONS.get(suffix)
    if chosen is None and named is None:
        why = f".{suffix} is not one of: {', '.join(FORMATS)}" if suffix else "it has no extension"
        fail(
            f"the file name {output.name!r} does not say which format ({why}): "
            f"give --format {'|'.join(FORMATS)} and a matching name"
        )
    if chosen is None:
        assert named is not None  # refused above
        return named
    if suffix and named != chosen:
        ext = "zip" if chosen == "pack" else chosen
        fail(f"--format {chosen} does not match the file name {output.name!r} (name it .{ext})")
    return chosen


def _check_target(output: Path) -> Path:
    """Refuse an -o that cannot or must not be replaced by a regular file, before any work: a
    missing folder, a folder, a symbolic link (never followed: it could point anywhere), a
    device, FIFO or socket (``-o /dev/null`` would otherwise become a file)."""
    import os
    import stat

    target = output.expanduser()
    parent = target.parent
    if not parent.exists():
        fail(f"{parent} does not exist (for -o {output})")
    if not parent.is_dir():
        fail(f"{parent} is not a folder (for -o {output})")
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return target
    if stat.S_ISLNK(info.st_mode):
        fail(f"{output} is a symbolic link (to {os.readlink(target)}); give the file itself or a new name")
    if stat.S_ISDIR(info.st_mode):
        fail(f"{output} is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        fail(f"{output} is not a regular file (a device, FIFO or socket); refusing to replace it")
    return target


def _write(data: bytes, output: Path) -> None:
    """Replace ``target`` atomically: a new file gets the mode the umask gives, an existing one
    keeps its mode (and owner, where allowed). Errors name the user's path, never the temporary one."""
    import contextlib
    import os
    import stat
    import tempfile

    target = _check_target(output)  # again: it may have changed while the report was built
    try:
        existing = os.lstat(target)
    except FileNotFoundError:
        existing = None
    umask = os.umask(0)
    os.umask(umask)
    mode = stat.S_IMODE(existing.st_mode) if existing else 0o666 & ~umask
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            if existing is not None and (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(PermissionError):
                    os.fchown(fh.fileno(), existing.st_uid, existing.st_gid)
            fh.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        fail(f"cannot write {output}: {exc.strerror or exc}")


def _run_export(build, fmt: str | None, output: Path | None, catalogue: Path | None, what: str) -> None:
    """Load, build, render and write, with a progress bar on stderr; nothing is written on error."""
    from tracker.export import BINARY_FORMATS, render

    fmt = _export_format(fmt, output)
    if output is None and fmt in BINARY_FORMATS and sys.stdout.isatty():
        fail(f"{fmt} is a binary format: give -o FILE or redirect standard output")
    if output is not None:
        _check_target(output)  # before any work; checked again when writing
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
    _write(data, output)
    typer.echo(f"wrote {output} ({len(data):,} bytes, {fmt})", err=True)


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
