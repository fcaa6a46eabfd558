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
    say,
)


@app.command()
@clean_errors
def align(
    a: Annotated[str, typer.Argument(help="party code, name or alias")],
    b: Annotated[
        str,
        typer.Argument(help="party, group (id, acronym or name: 'eu' is the EU group) or comma-separated parties"),
    ],
    basis: BasisOpt = "combined",
    topic: TopicOpt = "all",
    since: SinceOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
):
    """How aligned are A and B (a party, a group, or a list): scores with their evidence."""
    from tracker.analytics import group_alignment, pair_alignment
    from tracker.analytics.alignment import counterpart
    from tracker.analytics.config import AnalysisConfig
    from tracker.analytics.readings import legend_text, reading

    cat = common.load_cat()
    cfg = AnalysisConfig(topic=topic, since=since, as_of=as_of)
    kind, other = counterpart(cat, b)
    if kind != "party":
        grp = group_alignment(cat, a, other, as_of=as_of, topic=topic, since=since, min_votes=cfg.min_votes)
        if json_out:
            print_json(finite(grp.to_dict() | {"reading": reading(grp.majority_kappa), "config": cfg.describe()}))
            return
        say(
            f"{grp.party} vs {grp.group} ({len(grp.members)} members): {reading(grp.majority_kappa)}; majority "
            f"agreement {fmt(grp.majority_agreement)}, majority kappa {fmt(grp.majority_kappa)}, "
            f"mean pairwise kappa {fmt(grp.mean_kappa)}; {grp.note}"
        )
        say(f"  readings of kappa: {legend_text()}")
        say(f"  configuration: {cfg.describe()}")
        return
    assert isinstance(other, str)  # counterpart gives a party code when kind == "party"
    res = pair_alignment(cat, a, other, basis=basis, as_of=as_of, topic=topic, since=since, min_votes=cfg.min_votes)
    if json_out:
        print_json(finite(res.to_dict() | {"reading": reading(res.score), "config": cfg.describe()}))
        return
    say(f"{res.a} vs {res.b} ({basis}): score {fmt(res.score)}, {reading(res.score)}")
    say(
        f"  votes: agreement {fmt(res.agreement)} (abstention = half; {reading(res.agreement, 'agreement')}), "
        f"kappa {fmt(res.kappa)}, pi {fmt(res.pi)} over {res.co_votes} co-votes"
    )
    say(
        f"  adoptions: kappa {fmt(res.adoption_kappa)}, portfolio similarity "
        f"{fmt(res.adoption_similarity)}, {res.shared_instruments} shared of {res.instruments_either}"
    )
    say(f"  {res.note}; {res.weights}")
    say(f"  readings of kappa: {legend_text()}")
    say(f"  configuration: {cfg.describe()}")
    diff = res.votes[res.votes["agreement"] < 1].head(10)
    if len(diff):
        say("  latest disagreements:")
        print_table(diff)


def _config(**given):
    """The analysis configuration with the options a user gave (None = the default)."""
    from tracker.analytics.config import AnalysisConfig

    return AnalysisConfig().replace(**{k: v for k, v in given.items() if v is not None})


@app.command("blocs")
@clean_errors
def blocs_cmd(
    method: Annotated[str | None, typer.Option("--method", help="hierarchical (default) | louvain")] = None,
    basis: Annotated[str | None, typer.Option("--basis", help="votes (default) | combined | adoptions")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="all (default) | cyber | digital | a topic")] = None,
    since: SinceOpt = None,
    as_of: AsOfOpt = None,
    k: Annotated[int | None, typer.Option("--k", help="number of blocs (default: the largest stable)")] = None,
    n_boot: Annotated[int | None, typer.Option("--n-boot", help="bootstrap resamples (default 30)")] = None,
    seed: Annotated[int | None, typer.Option("--seed")] = None,
    json_out: JsonOpt = False,
):
    """Likely voting blocs: what defines each, members, stability, uncertain members, between-bloc matrix."""
    from tracker.analytics import blocs

    cfg = _config(
        method=method, basis=basis, topic=topic, since=since, as_of=as_of, n_blocs=k, n_boot=n_boot, seed=seed
    )
    cat = common.load_cat()
    if cfg == _config(method=cfg.method, basis=cfg.basis, topic=cfg.topic):  # nothing else changed
        res = common.prepared(cat, "blocs", (cfg.method, cfg.basis, cfg.topic))
    else:
        res = blocs(cat, config=cfg)
    if json_out:
        print_json(finite(res.to_dict()))
        return
    say(f"configuration: {cfg.describe()}")
    rule = res.details.get("k_rule") or f"louvain, resolution {res.details.get('resolution')}"
    say(f"{len(res.blocs)} blocs ({rule})")
    for r in res.blocs.itertuples():
        say(f"bloc {r.bloc}: {r.label}; {r.size} members, cohesion {fmt(r.cohesion)}, stability {fmt(r.stability)}")
        say(f"  members: {' '.join(r.members)}")
        if r.uncertain_members:
            say(f"  uncertain placement: {' '.join(r.uncertain_members)}")
        if r.defining_votes:
            say(f"  defining votes: {'; '.join(r.defining_votes)}")
        if r.defining_instruments:
            say(f"  defining instruments: {'; '.join(r.defining_instruments)}")
    say("between-bloc mean kappa:")
    print_table(res.between.round(3), index=True)
    if res.details.get("unaligned"):
        say(f"unaligned (no positive agreement with anyone): {' '.join(res.details['unaligned'])}")
    if res.excluded:
        say(f"not enough evidence: {' '.join(res.excluded)}")


@app.command()
@clean_errors
def swing(
    as_of: AsOfOpt = None,
    since: SinceOpt = None,
    confidence: Annotated[
        float | None, typer.Option("--confidence", help="evidence a swing state needs, 0-1 (default 0.5)")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many swing states")] = 25,
    json_out: JsonOpt = False,
):
    """Swing states on cyber votes, each with its reasons and confidence; bloc-wide shifts apart."""
    from tracker.analytics import swing_states

    common.positive(limit, "--limit")

    cfg = _config(as_of=as_of, since=since, swing_confidence=confidence)
    cat = common.load_cat()
    with typer.progressbar(length=1, label="Finding swing states", file=sys.stderr) as bar:
        found = common.prepared(cat, "swing_states", ()) if cfg == _config() else swing_states(cat, config=cfg)
        bar.update(1)
    out = found.head(limit)
    if json_out:
        print_json(
            {
                "config": cfg.describe(),
                "count": len(found),
                "contested_votes": found.attrs.get("contested_votes"),
                "note": found.attrs.get("note"),
                "swing_states": records(out),
                "bloc_events": finite(found.attrs.get("bloc_events", [])),
            }
        )
        return
    say(f"configuration: {cfg.describe()}")
    say(f"{len(found)} swing states on {found.attrs.get('contested_votes', 0)} contested cyber votes")
    for r in out.itertuples():
        say(f"{r.party} {r.name} (bloc {r.bloc}, confidence {r.confidence:.2f}):")
        for reason in r.reasons:
            say(f"  - {reason}")
    if found.empty:
        say(found.attrs.get("note", "(no swing states)"))
    for e in found.attrs.get("bloc_events", []):
        say(
            f"bloc event: bloc {e['bloc']} went from {e['from_vote']} to {e['to_vote']} on the {e['series']} texts "
            f"({e['before']} -> {e['after']}): {e['moved']} of {e['voting']} members"
        )


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

    given: dict[str, str] = {}
    for item in known or []:
        if "=" not in item:
            fail(f"--known {item!r}: use PARTY=yes|no|abstain")
        party, vote = item.split("=", 1)
        if party.strip() in given and given[party.strip()] != vote.strip():
            fail(f"--known gives {party.strip()} two different votes")
        given[party.strip()] = vote.strip()
    cat = common.load_cat()
    if given or as_of is not None:
        out = predict_votes(cat, resolution, known=given, as_of=as_of)
    else:  # the opening view, as the app keeps it
        out = common.prepared(cat, "predict_votes", (resolution,))
    if json_out:
        print_json({"basis": finite(dict(out.attrs)), "predictions": records(out.round(4))})
        return
    counts = out["vote"].value_counts().to_dict()
    say(
        f"{out.attrs['resolution']} as of {out.attrs['as_of']}: predicted "
        f"{counts.get('yes', 0)} yes, {counts.get('no', 0)} no, {counts.get('abstain', 0)} abstain; "
        f"signals {', '.join(out.attrs['signals'])}"
    )
    if out.attrs.get("warning"):
        say(f"warning: {out.attrs['warning']}")
    print_table(out.round(3), index=True)


@app.command("gaps")
@clean_errors
def gaps_cmd(
    party: Annotated[str, typer.Argument(help="party code, name or alias")],
    bloc: Annotated[str | None, typer.Option("--bloc", help="group id or comma-separated parties")] = None,
    reference: Annotated[str | None, typer.Option("--reference", help="compare with one party")] = None,
    min_share: Annotated[
        float | None,
        typer.Option("--min-share", help="share of the bloc that adopted an instrument, 0-1 (default 0.3)"),
    ] = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
):
    """Instruments the bloc (default: the party's closest partners) adopted that PARTY has not."""
    from tracker.analytics import gaps

    cfg = _config(min_share=min_share, as_of=as_of)
    b = bloc.split(",") if bloc and "," in bloc else bloc
    out = gaps(common.load_cat(), party, bloc=b, reference=reference, config=cfg)
    if json_out:
        print_json(
            {
                "config": cfg.describe(),
                "min_share": cfg.min_share,
                "note": out.attrs.get("note"),
                "bloc": finite(out.attrs.get("bloc")),
                "gaps": records(out),
            }
        )
        return
    say(f"instruments adopted by >= {cfg.min_share:.0%} of the bloc; configuration: {cfg.describe()}")
    if out.attrs.get("note"):
        say(out.attrs["note"])
    if len(out):
        print_table(out)


@app.command("next-adopters")
@clean_errors
def next_adopters_cmd(
    instrument: Annotated[str, typer.Argument(help="instrument id or alias")],
    as_of: AsOfOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many candidates")] = 10,
    json_out: JsonOpt = False,
):
    """Non-adopters most likely to adopt INSTRUMENT next (similarity-weighted neighbours)."""
    from tracker.analytics import next_adopters

    common.positive(limit, "--limit")

    out = next_adopters(common.load_cat(), instrument, as_of=as_of, n=limit)
    if json_out:
        print_json({"note": out.attrs.get("note"), "candidates": records(out)})
        return
    if out.attrs.get("note"):
        say(out.attrs["note"])
    if len(out):
        print_table(out)
