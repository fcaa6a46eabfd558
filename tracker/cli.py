"""The `tracker` command line (typer). Command names follow the public API.

Every command exits non-zero with one clear line on bad input (never a traceback) and shows
a progress bar on work that takes more than a second.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from tracker.catalogue import CatalogueError

app = typer.Typer(
    help="Cyber Norms Alignment Tracker: catalogue, search, alignment, blocs, exports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

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
            # KeyError quotes its message; show the message itself
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            fail(str(message) or exc.__class__.__name__)
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
        bool, typer.Option("--force", help="reload even if unchanged; overwrite curated edits (logged)")
    ] = False,
):
    """Load the catalogue into the database in one transaction (unchanged content: no-op).

    After a load, the app's catalogue copy and the analytics its first pages open with are
    prepared in the user cache directory, so the app's next start does not compute them."""
    from tracker.catalogue import sync_to_database

    with typer.progressbar(length=1, label="Loading catalogue", file=sys.stderr) as bar:

        def progress(done, total, label):
            bar.length = total
            bar.label = f"Loading {label}"
            bar.update(done - bar.pos)

        result = sync_to_database(path, force=force, progress=progress)
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

    from tracker.db import get_engine, migrate
    from tracker.models import CATALOGUE_TABLES, CatalogueState
    from tracker.settings import get_settings

    settings = get_settings()
    engine = get_engine()
    migrate(engine)
    data = {
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

TopicOpt = Annotated[str, typer.Option("--topic", help="all | cyber | digital | a topic name")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="first date counted (YYYY[-MM[-DD]])")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="last date counted (YYYY[-MM[-DD]])")]
BasisOpt = Annotated[str, typer.Option("--basis", help="combined | votes | adoptions")]


def _finite(obj):
    """NaN/inf -> None, recursively, so --json output is valid JSON."""
    import math

    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, str):
        try:
            return _finite(obj.item())
        except (ValueError, AttributeError):
            return obj
    return obj


def _records(df) -> list[dict]:
    return _finite(df.reset_index().to_dict("records") if df.index.name else df.to_dict("records"))


def _fmt(x, digits: int = 3) -> str:
    import math

    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


@app.command()
@clean_errors
def align(
    a: Annotated[str, typer.Argument(help="party code, name or alias")],
    b: Annotated[str, typer.Argument(help="party, group id (e.g. eu) or comma-separated parties")],
    basis: BasisOpt = "combined",
    topic: TopicOpt = "all",
    since: SinceOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
):
    """How aligned are A and B (a party, a group, or a list): scores with their evidence."""
    from tracker.analytics import group_alignment, pair_alignment
    from tracker.parties import PartyResolver

    cat = load_cat()
    is_party = PartyResolver(cat).resolve(b) is not None
    if not is_party and ("," in b or b.strip().casefold() in set(cat.groups["id"].str.casefold())):
        res = group_alignment(cat, a, b.split(",") if "," in b else b, as_of=as_of, topic=topic, since=since)
        if json_out:
            print_json(_finite(res.to_dict()))
            return
        typer.echo(
            f"{res.party} vs {res.group} ({len(res.members)} members): majority agreement "
            f"{_fmt(res.majority_agreement)}, majority kappa {_fmt(res.majority_kappa)}, "
            f"mean pairwise kappa {_fmt(res.mean_kappa)}; {res.note}"
        )
        return
    res = pair_alignment(cat, a, b, basis=basis, as_of=as_of, topic=topic, since=since)
    if json_out:
        print_json(_finite(res.to_dict()))
        return
    typer.echo(f"{res.a} vs {res.b} ({basis}): score {_fmt(res.score)}")
    typer.echo(
        f"  votes: agreement {_fmt(res.agreement)} (abstention = half), kappa {_fmt(res.kappa)}, "
        f"pi {_fmt(res.pi)} over {res.co_votes} co-votes"
    )
    typer.echo(
        f"  adoptions: kappa {_fmt(res.adoption_kappa)}, portfolio similarity "
        f"{_fmt(res.adoption_similarity)}, {res.shared_instruments} shared of {res.instruments_either}"
    )
    typer.echo(f"  {res.note}; {res.weights}")
    diff = res.votes[res.votes["agreement"] < 1].head(10)
    if len(diff):
        typer.echo("  latest disagreements:")
        print_table(diff)


@app.command("blocs")
@clean_errors
def blocs_cmd(
    method: Annotated[str, typer.Option("--method", help="hierarchical | louvain")] = "louvain",
    basis: BasisOpt = "votes",
    topic: TopicOpt = "cyber",
    since: SinceOpt = None,
    as_of: AsOfOpt = None,
    k: Annotated[int | None, typer.Option("--k", help="number of blocs")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    json_out: JsonOpt = False,
):
    """Likely voting blocs: members, cohesion, defining votes/instruments, between-bloc matrix."""
    from tracker.analytics import blocs

    res = blocs(load_cat(), method=method, basis=basis, topic=topic, since=since, as_of=as_of, k=k, seed=seed)
    if json_out:
        print_json(_finite(res.to_dict()))
        return
    for r in res.blocs.itertuples():
        typer.echo(f"bloc {r.bloc}: {r.label}, {r.size} members, cohesion {_fmt(r.cohesion)}")
        typer.echo(f"  members: {' '.join(r.members)}")
        if r.defining_votes:
            typer.echo(f"  defining votes: {'; '.join(r.defining_votes)}")
        if r.defining_instruments:
            typer.echo(f"  defining instruments: {'; '.join(r.defining_instruments)}")
    typer.echo("between-bloc mean kappa:")
    typer.echo(res.between.round(3).to_string())
    if res.details.get("unaligned"):
        typer.echo(f"unaligned (no positive agreement with anyone): {' '.join(res.details['unaligned'])}")
    if res.excluded:
        typer.echo(f"not enough evidence: {' '.join(res.excluded)}")


@app.command()
@clean_errors
def swing(as_of: AsOfOpt = None, limit: Annotated[int, typer.Option("--limit")] = 25, json_out: JsonOpt = False):
    """Swing states on cyber votes, each with its reasons."""
    from tracker.analytics import swing_states

    cat = load_cat()
    with typer.progressbar(length=1, label="Finding swing states", file=sys.stderr) as bar:
        out = swing_states(cat, as_of=as_of).head(limit)
        bar.update(1)
    if json_out:
        print_json(_records(out))
        return
    for r in out.itertuples():
        typer.echo(f"{r.party} {r.name} (score {r.score}):")
        for reason in r.reasons:
            typer.echo(f"  - {reason}")
    if out.empty:
        typer.echo(out.attrs.get("note", "(no swing states)"))


@app.command()
@clean_errors
def predict(
    resolution: Annotated[str, typer.Argument(help="resolution id, e.g. A/RES/74/247")],
    known: Annotated[list[str] | None, typer.Option("--known", help="revealed vote, e.g. USA=no")] = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
):
    """Predicted vote of every state on a resolution (probabilities yes/no/abstain)."""
    from tracker.analytics import predict_votes

    given = {}
    for item in known or []:
        if "=" not in item:
            fail(f"--known {item!r}: use PARTY=yes|no|abstain")
        party, vote = item.split("=", 1)
        if party.strip() in given and given[party.strip()] != vote.strip():
            fail(f"--known gives {party.strip()} two different votes")
        given[party.strip()] = vote.strip()
    out = predict_votes(load_cat(), resolution, known=given, as_of=as_of)
    if json_out:
        print_json({"basis": _finite(dict(out.attrs)), "predictions": _records(out.round(4))})
        return
    counts = out["vote"].value_counts().to_dict()
    typer.echo(
        f"{out.attrs['resolution']} as of {out.attrs['as_of']}: predicted "
        f"{counts.get('yes', 0)} yes, {counts.get('no', 0)} no, {counts.get('abstain', 0)} abstain; "
        f"signals {', '.join(out.attrs['signals'])}"
    )
    if out.attrs.get("warning"):
        typer.echo(f"warning: {out.attrs['warning']}")
    print_table(out.round(3), index=True)


@app.command("gaps")
@clean_errors
def gaps_cmd(
    party: Annotated[str, typer.Argument(help="party code, name or alias")],
    bloc: Annotated[str | None, typer.Option("--bloc", help="group id or comma-separated parties")] = None,
    reference: Annotated[str | None, typer.Option("--reference", help="compare with one party")] = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
):
    """Instruments the bloc (default: the party's closest partners) adopted that PARTY has not."""
    from tracker.analytics import gaps

    b = bloc.split(",") if bloc and "," in bloc else bloc
    out = gaps(load_cat(), party, bloc=b, reference=reference, as_of=as_of)
    if json_out:
        print_json({"note": out.attrs.get("note"), "bloc": _finite(out.attrs.get("bloc")), "gaps": _records(out)})
        return
    if out.attrs.get("note"):
        typer.echo(out.attrs["note"])
    if len(out):
        print_table(out)


@app.command("next-adopters")
@clean_errors
def next_adopters_cmd(
    instrument: Annotated[str, typer.Argument(help="instrument id or alias")],
    as_of: AsOfOpt = None,
    limit: Annotated[int, typer.Option("--limit")] = 10,
    json_out: JsonOpt = False,
):
    """Non-adopters most likely to adopt INSTRUMENT next (similarity-weighted neighbours)."""
    from tracker.analytics import next_adopters

    out = next_adopters(load_cat(), instrument, as_of=as_of, n=limit)
    if json_out:
        print_json({"note": out.attrs.get("note"), "candidates": _records(out)})
        return
    if out.attrs.get("note"):
        typer.echo(out.attrs["note"])
    if len(out):
        print_table(out)


# --------------------------------------------------------------------------- exports (issue 7)

export_app = typer.Typer(
    help="Bloc summaries, country briefs, comparisons and raw tables as CSV, XLSX, "
    "JSON, Markdown or PDF (stdout unless -o FILE).",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

_FORMAT_HELP = "csv, xlsx, json, md or pdf (default: from the -o suffix, else csv)"
_CATALOGUE_HELP = "catalogue folder (default: the database if loaded, else the bundled catalogue)"
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help=_FORMAT_HELP)]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="write to this file (else stdout)")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="as-of date YYYY-MM-DD (default: today)")]
CatalogueOpt = Annotated[Path | None, typer.Option("--catalogue", help=_CATALOGUE_HELP)]
GroupArg = Annotated[str | None, typer.Argument(help="group id or name (eu, nato, G77, ...)")]
MemberOpt = Annotated[list[str] | None, typer.Option("--member", "-m", help="custom bloc member (repeat)")]
PartyArg = Annotated[str, typer.Argument(help="party code or name (CIV, Ivory Coast, Türkiye)")]
OnePartyOpt = Annotated[str | None, typer.Option("--party", help="only this party")]


def _export_format(fmt: str | None, output: Path | None) -> str:
    from tracker.export import FORMATS

    aliases = {"markdown": "md", "excel": "xlsx"}
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
        cat = load_cat(catalogue)
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


# --------------------------------------------------------------------------- curation (issue 8)

UserOpt = Annotated[
    str | None,
    typer.Option(
        "--user",
        help="acting user (default: env TRACKER_USER); the password is prompted for or read from TRACKER_PASSWORD",
    ),
]


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
    typer.echo(
        f"#{p.id} [{p.status}] {p.kind} by {p.author} at {p.created_at:%Y-%m-%d %H:%M} UTC, source {p.source_id}"
    )
    typer.echo(f"  reason: {p.reason}")
    if p.reviewer:
        typer.echo(
            f"  {p.status} by {p.reviewer} at {p.reviewed_at:%Y-%m-%d %H:%M} UTC"
            + (f": {p.review_reason}" if p.review_reason else "")
        )
    for change in view.changes:
        typer.echo(f"  {change.op:<6} {change.table} ({', '.join(v or '-' for v in change.key.values())})")
        for column, before, after in change.diff():
            typer.echo(f"           {column}: {before or '∅'} → {after or '∅'}")


@app.command()
@clean_errors
def propose(
    instrument: Annotated[str | None, typer.Argument(help="instrument id (a single adoption change)")] = None,
    party: Annotated[str | None, typer.Argument(help="party code, name or alias")] = None,
    action: Annotated[str | None, typer.Argument(help="signed, ratified, acceded, joined, endorsed, ...")] = None,
    date: Annotated[str, typer.Option("--date", help="date of the action (YYYY, YYYY-MM or YYYY-MM-DD)")] = "",
    role: Annotated[str, typer.Option("--role", help="role (e.g. supporter) if the instrument has roles")] = "",
    note: Annotated[str | None, typer.Option("--note", help="note for the row")] = None,
    new_date: Annotated[str | None, typer.Option("--new-date", help="correct the date of the existing row")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="remove the existing row (kept in history)")] = False,
    import_file: Annotated[Path | None, typer.Option("--import", help="CSV or XLSX of adoption actions")] = None,
    confirm: Annotated[
        list[str] | None, typer.Option("--confirm", help="confirm a suggested party: 'NAME=CODE'")
    ] = None,
    revert: Annotated[int | None, typer.Option("--revert", help="propose undoing approved proposal ID")] = None,
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
            pid, plan = propose_import(
                acting, data, import_file.name, reason=reason, source_id=source or "", confirmed=confirmed
            )
        except ImportRejected as exc:
            plan = plan_import(data, import_file.name, source_id=source or "", confirmed=confirmed)
            diff = plan.diff_frame()
            if len(diff):
                typer.echo(diff.to_string(index=False), err=True)
            _report_problems(exc)
        counts = plan.counts()
        typer.echo(f"import: {counts['added']} added, {counts['changed']} changed, {counts['unchanged']} unchanged")
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
                fail(f"no adoption row ({instrument}, {code}, {action}, {role or '-'}, {date or 'undated'}) to re-date")
            if new is not None and exists and not source:
                new.pop("source_id")
            change = curation.make_change(session, "adoptions", key, new)
        pid = curation.propose(
            acting, [change], reason=reason, source_id=source or (change.before or {}).get("source_id", "")
        )
    view = curation.view_proposal(pid)
    if json_out:
        print_json({"id": pid, "status": view.proposal.status, "changes": [c.to_json() for c in view.changes]})
        return
    _show_proposal(view)
    typer.echo(f"proposal #{pid} is waiting for review by someone other than {acting.name}")


@app.command()
@clean_errors
def review(
    proposal_id: Annotated[int | None, typer.Argument(help="proposal to review (none: list the pending queue)")] = None,
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
            print_json(
                {
                    "id": proposal_id,
                    "status": view.proposal.status,
                    "author": view.proposal.author,
                    "reason": view.proposal.reason,
                    "changes": [c.to_json() for c in view.changes],
                }
            )
        else:
            _show_proposal(view)
        return
    acting = _acting_user(user)
    try:
        proposal = curation.review(acting, proposal_id, approve=approve, reason=reason)
    except curation.InvalidProposal as exc:
        for problem in exc.problems:
            typer.echo(problem, err=True)
        fail(f"proposal #{proposal_id} no longer fits the data ({len(exc.problems)} problem(s)); nothing was applied")
    typer.echo(f"proposal #{proposal_id} {proposal.status} by {acting.name}")


@app.command()
@clean_errors
def history(
    table: Annotated[str | None, typer.Option("--table", help="only this table")] = None,
    key: Annotated[str | None, typer.Option("--key", help="only rows whose key contains this (e.g. FRA)")] = None,
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
    path: Annotated[Path | None, typer.Argument(help="folder to write (default: the catalogue folder)")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="write into a non-empty non-catalogue folder")] = False,
):
    """Write the database's approved state back as the catalogue data package (canonical form);
    the result is validated."""
    from tracker.curation import dump as dump_package
    from tracker.settings import get_settings

    target = path or get_settings().catalogue_path
    counts = dump_package(target, overwrite=overwrite)
    typer.echo(f"wrote {target}: " + ", ".join(f"{n} {k}" for k, n in counts.items()) + "; it validates")


users_app = typer.Typer(
    help="Manage the users file (TRACKER_USERS_FILE): names, roles, password hashes.", no_args_is_help=True
)
app.add_typer(users_app, name="users")


@users_app.command("add")
@clean_errors
def users_add(
    name: Annotated[str, typer.Argument(help="user name (a-z 0-9 _ . -)")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or reviewer")] = "viewer",
    replace: Annotated[bool, typer.Option("--replace", help="reset an existing user's role and password")] = False,
    users_file: Annotated[Path | None, typer.Option("--file", help="users file (default: TRACKER_USERS_FILE)")] = None,
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
    users_file: Annotated[Path | None, typer.Option("--file", help="users file (default: TRACKER_USERS_FILE)")] = None,
):
    """Names and roles in the users file."""
    from tracker.curation import read_users

    for name, entry in sorted(read_users(users_file).items()):
        typer.echo(f"{name}\t{entry['role']}")


if __name__ == "__main__":
    app()
