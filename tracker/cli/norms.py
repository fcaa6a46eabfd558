"""`tracker norms`: who has committed to a norm, and how strongly (the evidence ladder)."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli import common
from tracker.cli.common import AsOfOpt, JsonOpt, app, clean_errors, fail, print_json, print_table, records, say


@app.command("norms")
@clean_errors
def norms_cmd(
    norm: Annotated[
        str | None, typer.Argument(help="a norm: id, name or alias (e.g. 'two-person rule', 13(c))")
    ] = None,
    party: Annotated[str | None, typer.Option("--party", help="one party: every norm it has evidence for")] = None,
    level_at_least: Annotated[
        int | None,
        typer.Option("--level-at-least", help="only rungs this strong or stronger (1 binding ... 5 consensus)"),
    ] = None,
    evidence: Annotated[
        bool, typer.Option("--evidence", help="list every piece of evidence, not only the ladder")
    ] = False,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
):
    """The evidence ladder: per party and norm, the strongest evidence (1 binding, 2 national position,
    3 implementation, 4 named commitment, 5 consensus), with rejecting evidence beside it."""
    from tracker import norms

    if norm is None and party is None:
        fail("name a norm (e.g. tracker norms two-person-rule) or give --party")
    if level_at_least is not None and not 1 <= level_at_least <= 5:
        fail(f"--level-at-least must be 1 to 5 (1 binding ... 5 consensus), not {level_at_least}")
    cat = common.load_cat()
    if evidence:
        table = norms.evidence(cat, norm=norm, party=party, as_of=as_of)
        if level_at_least is not None:
            table = table[table["level"] <= level_at_least]
        columns = ["party_code", "norm_id", "level", "kind", "polarity", "date", "document", "locator", "source_id"]
    else:
        table = norms.ladder(cat, norm=norm, party=party, as_of=as_of)
        if level_at_least is not None:
            table = table[table["supported"] & (table["level"] <= level_at_least)]
        columns = ["party_code", "norm_id", "level", "level_name", "n_evidence", "newest", "rejected", "source_id"]
    if json_out:
        print_json(records(table.reset_index(drop=True)))
        return
    if table.empty:
        typer.echo("no evidence recorded (that is not evidence of rejection)")
        return
    if not evidence:
        names = norms.LEVEL_NAMES
        summary = table[table["supported"]].groupby("level").size()
        say("; ".join(f"{names[lv]} {n}" for lv, n in summary.items()) + f"; {len(table)} in all")
    print_table(table[columns])
