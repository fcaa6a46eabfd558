"""Analysis commands: align, blocs, swing, predict, gaps, next-adopters."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tracker.cli import common
from tracker.cli.common import (
    AsOfOpt,
    BasisOpt,
    JsonOpt,
    SinceOpt,
    TopicOpt,
    app,
    clean_errors,
    fail,
    finite,
    fmt,
    print_json,
    print_table,
    records,
)


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

    cat = common.load_cat()
    is_party = PartyResolver(cat).resolve(b) is not None
    if not is_party and ("," in b or b.strip().casefold() in set(cat.groups["id"].str.casefold())):
        res = group_alignment(cat, a, b.split(",") if "," in b else b, as_of=as_of, topic=topic, since=since)
        if json_out:
            print_json(finite(res.to_dict()))
            return
        typer.echo(
            f"{res.party} vs {res.group} ({len(res.members)} members): majority agreement "
            f"{fmt(res.majority_agreement)}, majority kappa {fmt(res.majority_kappa)}, "
            f"mean pairwise kappa {fmt(res.mean_kappa)}; {res.note}"
        )
        return
    res = pair_alignment(cat, a, b, basis=basis, as_of=as_of, topic=topic, since=since)
    if json_out:
        print_json(finite(res.to_dict()))
        return
    typer.echo(f"{res.a} vs {res.b} ({basis}): score {fmt(res.score)}")
    typer.echo(
        f"  votes: agreement {fmt(res.agreement)} (abstention = half), kappa {fmt(res.kappa)}, "
        f"pi {fmt(res.pi)} over {res.co_votes} co-votes"
    )
    typer.echo(
        f"  adoptions: kappa {fmt(res.adoption_kappa)}, portfolio similarity "
        f"{fmt(res.adoption_similarity)}, {res.shared_instruments} shared of {res.instruments_either}"
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

    res = blocs(common.load_cat(), method=method, basis=basis, topic=topic, since=since, as_of=as_of, k=k, seed=seed)
    if json_out:
        print_json(finite(res.to_dict()))
        return
    for r in res.blocs.itertuples():
        typer.echo(f"bloc {r.bloc}: {r.label}, {r.size} members, cohesion {fmt(r.cohesion)}")
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

    cat = common.load_cat()
    with typer.progressbar(length=1, label="Finding swing states", file=sys.stderr) as bar:
        out = swing_states(cat, as_of=as_of).head(limit)
        bar.update(1)
    if json_out:
        print_json(records(out))
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
    out = predict_votes(common.load_cat(), resolution, known=given, as_of=as_of)
    if json_out:
        print_json({"basis": finite(dict(out.attrs)), "predictions": records(out.round(4))})
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
    out = gaps(common.load_cat(), party, bloc=b, reference=reference, as_of=as_of)
    if json_out:
        print_json({"note": out.attrs.get("note"), "bloc": finite(out.attrs.get("bloc")), "gaps": records(out)})
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

    out = next_adopters(common.load_cat(), instrument, as_of=as_of, n=limit)
    if json_out:
        print_json({"note": out.attrs.get("note"), "candidates": records(out)})
        return
    if out.attrs.get("note"):
        typer.echo(out.attrs["note"])
    if len(out):
        print_table(out)
