"""Adoption gaps and likely next adopters.

- ``gaps(cat, party, bloc=...)``: instruments most of a bloc (a group id, a list of parties,
  or by default the party's closest partners) has adopted that the party has not, ranked by
  the share of the bloc that adopted them; ``reference=`` compares with one party instead.
- ``next_adopters(cat, instrument)``: non-adopters ranked by similarity-weighted neighbour
  adoption: the share of each party's most aligned parties (combined alignment, which
  includes votes) that adopted the instrument, weighted by alignment.
- ``backtest_next_adopters``: hide adoptions after a cut-off, rank, and measure precision@k
  against who actually adopted later, beside a random and a popularity baseline.
- ``norm_gaps(cat, party, bloc=...)``: the third signal (issue 13): norms at least ``min_share``
  of the bloc committed to above consensus (a named commitment or stronger on the evidence
  ladder) for which the party has no such evidence, ranked by that share.

Adoption means bound, member, endorser, participant or national standard on that date (a
signature alone is not adoption). While the catalogue has no adoptions these functions
return empty frames with a note saying so.
"""

from __future__ import annotations

from datetime import date
from typing import cast

import numpy as np
import pandas as pd

from tracker.analytics.alignment import alignment_tables, group_members
from tracker.analytics.config import AnalysisConfig, resolve, share_setting
from tracker.analytics.votes import vote_data
from tracker.catalogue import Catalogue
from tracker.dates import date_bounds, to_date
from tracker.errors import InvalidInput
from tracker.parties import PartyResolver

GAP_COLUMNS = ["instrument_id", "name", "kind", "stance", "bloc_share", "bloc_adopters", "bloc_size", "party_status"]
NORM_GAP_COLUMNS = ["norm_id", "name", "bloc_share", "bloc_committed", "bloc_size", "bloc_usual", "party_commitment"]
NORM_GAP_RUNG = 4  # a commitment counts when it is a named commitment (rung 4) or stronger: above consensus
ACTIVITY_WEIGHT = 0.5  # share of the score from how many other (same-stance) instruments the party adopted
NEXT_COLUMNS = ["party", "name", "score", "neighbours_adopted", "neighbours", "status"]


def _adopted_sets(cat: Catalogue, as_of) -> tuple[dict[str, set[str]], pd.DataFrame]:
    st = cat.status(as_of)
    if st.empty:
        return {}, st
    adopted = st[st["adopted"]].groupby("instrument_id")["party_code"].apply(set).to_dict()
    return adopted, st


def _instrument(cat: Catalogue, instrument: str) -> str:
    ids = set(cat.instruments["id"])
    key = str(instrument).strip()
    if key in ids:
        return key
    aliases = cat.instrument_aliases
    hit = aliases[aliases["alias"].str.casefold() == key.casefold()]
    if len(hit):
        return hit["instrument_id"].iloc[0]
    names = cat.instruments[
        (cat.instruments["name"].str.casefold() == key.casefold())
        | (cat.instruments["short_name"].str.casefold() == key.casefold())
    ]
    if len(names):
        return names["id"].iloc[0]
    from rapidfuzz import fuzz, process, utils

    labels = {i: i for i in ids}
    labels.update({a: i for a, i in zip(aliases["alias"], aliases["instrument_id"], strict=True)})
    labels.update({n: i for n, i in zip(cat.instruments["name"], cat.instruments["id"], strict=True)})
    hits = process.extract(
        key,
        {lab: lab for lab in labels},
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=10,
        score_cutoff=70,
    )
    hint = list(dict.fromkeys(labels[h[2]] for h in hits))[:3]
    msg = (
        f"; did you mean {', '.join(hint)}?"
        if hint
        else ("; the catalogue has no instruments yet" if not ids else "; no close match")
    )
    raise InvalidInput(f"unknown instrument {instrument!r}{msg}")


def _empty(columns, note: str) -> pd.DataFrame:
    out = pd.DataFrame(columns=columns)
    out.attrs["note"] = note
    return out


def gaps(
    cat: Catalogue,
    party: str,
    bloc: str | list[str] | None = None,
    reference: str | None = None,
    *,
    as_of=None,
    min_share: float | None = None,
    partners_n: int = 15,
    config: AnalysisConfig | None = None,
) -> pd.DataFrame:
    """Instruments the bloc (or the reference party) adopted that ``party`` has not, ranked.

    ``min_share``: the share of the bloc (0..1) that must have adopted an instrument; default
    the configuration's (0.3: Kenya against the AU shows the Malabo Convention, ratified by
    17 of 55 members). ``as_of`` defaults to the configuration's."""
    cfg = resolve(config)
    min_share = cfg.min_share if min_share is None else share_setting("min_share", min_share)
    as_of = cfg.as_of if as_of is None else as_of
    code, members, label, when = _bloc(cat, party, bloc, reference, as_of, partners_n)
    if not members:
        return _empty(GAP_COLUMNS, f"not enough evidence: the bloc {label!r} has 0 members besides {code}")
    adopted, st = _adopted_sets(cat, when)
    if not adopted:
        return _empty(GAP_COLUMNS, "no adoption data in the catalogue yet (0 adoptions)")
    mine = st[st["party_code"] == code].set_index("instrument_id")["status"].to_dict()
    info = cat.instruments.set_index("id")
    rows = []
    for inst, who in adopted.items():
        if code in who:
            continue
        n = len(who & set(members))
        share = n / len(members)
        if n and share >= min_share:
            rows.append(
                {
                    "instrument_id": inst,
                    "name": info["name"].get(inst, inst),
                    "kind": info["kind"].get(inst, ""),
                    "stance": info["stance"].get(inst, ""),
                    "bloc_share": share,
                    "bloc_adopters": n,
                    "bloc_size": len(members),
                    "party_status": mine.get(inst, "no action"),
                }
            )
    out = (
        pd.DataFrame(rows, columns=GAP_COLUMNS)
        .sort_values(["bloc_share", "instrument_id"], ascending=[False, True])
        .reset_index(drop=True)
    )
    out.attrs.update(party=code, bloc=label, members=members, min_share=min_share, config=cfg.describe())
    if out.empty:
        out.attrs["note"] = f"no gaps: {code} has adopted everything >= {min_share:.0%} of {label} adopted"
    return out


def _bloc(cat: Catalogue, party: str, bloc, reference, as_of, partners_n: int):
    """(party code, the bloc's members without it, the bloc's label, the as-of day)."""
    resolver = PartyResolver(cat)
    code = resolver.require(party)
    if bloc is not None and reference is not None:
        raise InvalidInput("give either bloc= or reference=, not both")
    when = to_date(as_of, end=True) if as_of else None
    if reference is not None:
        ref = resolver.require(reference)
        if ref == code:
            raise InvalidInput(f"{code} compared with itself; give a different reference party")
        return code, [ref], ref, when
    if bloc is not None:
        members = [m for m in group_members(cat, bloc, when) if m != code]
        return code, members, bloc if isinstance(bloc, str) else ",".join(members), when
    t = alignment_tables(cat, as_of=as_of)
    s = t.combined.loc[code].drop(code).dropna().sort_values(ascending=False)
    members = s.head(partners_n).index.tolist()
    return code, members, f"{code}'s {len(members)} closest partners", when


def norm_gaps(
    cat: Catalogue,
    party: str,
    bloc: str | list[str] | None = None,
    reference: str | None = None,
    *,
    as_of=None,
    min_share: float | None = None,
    partners_n: int = 15,
    config: AnalysisConfig | None = None,
) -> pd.DataFrame:
    """Norms at least ``min_share`` of the bloc committed to above consensus (a named commitment
    or stronger) for which ``party`` has no such evidence, ranked by that share; the bloc is
    chosen as in :func:`gaps`. ``bloc_usual``: the bloc's most common strongest rung among those
    committed; ``party_commitment``: the party's strongest supporting rung, or none recorded."""
    from tracker import norms  # the evidence ladder is built when a norm gap is asked for

    cfg = resolve(config)
    min_share = cfg.min_share if min_share is None else share_setting("min_share", min_share)
    as_of = cfg.as_of if as_of is None else as_of
    code, members, label, when = _bloc(cat, party, bloc, reference, as_of, partners_n)
    if not members:
        return _empty(NORM_GAP_COLUMNS, f"not enough evidence: the bloc {label!r} has 0 members besides {code}")
    # the strongest supporting rung of each party on each norm (the ladder's level), for these parties only;
    # today is everything recorded (no evidence is dated in the future): the catalogue's memo of it
    ev = norms.evidence(cat, as_of=None if when is None or when >= date.today() else when)
    if ev.empty:
        return _empty(NORM_GAP_COLUMNS, "no norm evidence in the catalogue yet (0 pieces)")
    ev = ev[ev["party_code"].isin([*members, code]) & ev["polarity"].eq("supports")]
    sup = ev.groupby(["party_code", "norm_id"], as_index=False)["level"].min()
    committed = sup[sup["level"] <= NORM_GAP_RUNG]
    mine = sup[sup["party_code"] == code].set_index("norm_id")["level"].to_dict()
    names = cat.instruments.set_index("id")["name"]
    rows = []
    for norm in norms.norm_ids(cat):
        if mine.get(norm, 99) <= NORM_GAP_RUNG:
            continue
        held = committed[(committed["norm_id"] == norm) & committed["party_code"].isin(members)]
        share = len(held) / len(members)
        if len(held) and share >= min_share:
            usual = int(held["level"].mode().min())
            own = mine.get(norm)
            rows.append(
                {
                    "norm_id": norm,
                    "name": names.get(norm, norm),
                    "bloc_share": share,
                    "bloc_committed": len(held),
                    "bloc_size": len(members),
                    "bloc_usual": f"{usual} {norms.LEVEL_NAMES[usual]}",
                    "party_commitment": f"{own} {norms.LEVEL_NAMES[own]}" if own else "none recorded",
                }
            )
    out = (
        pd.DataFrame(rows, columns=NORM_GAP_COLUMNS)
        .sort_values(["bloc_share", "norm_id"], ascending=[False, True])
        .reset_index(drop=True)
    )
    out.attrs.update(party=code, bloc=label, members=members, min_share=min_share, config=cfg.describe())
    if out.empty:
        out.attrs["note"] = (
            f"no norm gaps: {code} has evidence above consensus for every norm >= {min_share:.0%} of {label} "
            "committed to above consensus"
        )
    return out


def _similarity(
    cat: Catalogue, as_of, exclude_instrument: str | None = None, weights: dict | None = None
) -> pd.DataFrame:
    """Combined alignment (votes, adoptions, norms) as of a date, without the instrument itself (its
    adoptions and the norm evidence derived from them)."""
    if exclude_instrument is not None and not cat.adoptions.empty:
        cat = _without_instrument(cat, exclude_instrument)
    t = alignment_tables(cat, as_of=as_of, weights=weights)
    return t.combined


def _without_instrument(cat: Catalogue, instrument: str) -> Catalogue:
    """The catalogue without one instrument's adoptions (the vote matrix memo is kept)."""
    return cat.replace(adoptions=cat.adoptions[cat.adoptions["instrument_id"] != instrument].reset_index(drop=True))


def next_adopters(
    cat: Catalogue, instrument: str, as_of=None, n: int = 10, k: int = 15, activity_weight: float | None = None
) -> pd.DataFrame:
    """Non-adopters of ``instrument`` most likely to adopt next (similarity-weighted neighbours).

    score = (1 - a) x neighbour share + a x activity, where the neighbour share is the
    alignment-weighted share of the party's ``k`` most aligned parties (combined alignment
    without this instrument, weights max(alignment, 0)) that adopted it, and activity is the
    number of other instruments of the same stance (any, for neutral ones) the party adopted,
    relative to the most active party; a = ACTIVITY_WEIGHT (0.5) unless ``activity_weight``.
    """
    inst = _instrument(cat, instrument)
    if n < 1 or k < 1:
        raise InvalidInput("n and k must be at least 1")
    when = to_date(as_of, end=True) if as_of else None
    adopted, st = _adopted_sets(cat, when)
    who = adopted.get(inst, set())
    if not who:
        return _empty(
            NEXT_COLUMNS,
            f"not enough evidence: 0 adopters of {inst} {'as of ' + str(when) if when else 'in the catalogue'}",
        )
    sim = _similarity(cat, when, exclude_instrument=inst)
    return _rank(cat, sim, who, st, inst, n, k, activity_weight)


def _rank(
    cat,
    sim: pd.DataFrame,
    who: set[str],
    st: pd.DataFrame,
    inst: str,
    n: int,
    k: int,
    activity_weight: float | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    a = ACTIVITY_WEIGHT if activity_weight is None else activity_weight
    members = set(cat.parties.loc[cat.parties["un_member"], "code"]) or set(cat.parties["code"])
    others = None
    if len(st):
        stance = dict(zip(cat.instruments["id"], cat.instruments["stance"], strict=True))
        pool = st[st["adopted"] & (st["instrument_id"] != inst)]
        if stance.get(inst) in ("open", "sovereign"):  # activity on the same side only
            pool = pool[pool["instrument_id"].map(stance) == stance[inst]]
        others = pool.groupby("party_code").size()
    top_activity = float(others.max()) if others is not None and len(others) else 0.0
    candidates = [p for p in sim.index if p not in who and p not in skip and p in members]
    status = st[st["instrument_id"] == inst].set_index("party_code")["status"].to_dict() if len(st) else {}
    arr = sim.to_numpy(dtype=np.float64)
    pos = {p: i for i, p in enumerate(sim.index)}
    adopters = np.array([p in who for p in sim.index])
    rows = []
    for p in candidates:
        s = np.nan_to_num(arr[pos[p]], nan=-np.inf).copy()
        s[pos[p]] = -np.inf
        top = np.argsort(-s, kind="stable")[:k]
        top = top[np.isfinite(s[top])]
        w = np.clip(s[top], 0, None)
        share = float((w * adopters[top]).sum() / w.sum()) if w.sum() > 0 else 0.0
        activity = float(others.get(p, 0)) / top_activity if top_activity and others is not None else 0.0
        rows.append(
            {
                "party": p,
                "name": cat.party_name(p),
                "score": (1 - a) * share + a * activity,
                "neighbours_adopted": int(adopters[top].sum()),
                "neighbours": len(top),
                "status": status.get(p, "no action"),
            }
        )
    out = pd.DataFrame(rows, columns=NEXT_COLUMNS)
    out = out.sort_values(["score", "neighbours_adopted", "party"], ascending=[False, False, True])
    out = out.head(n).reset_index(drop=True)
    out.attrs.update(instrument=inst, adopters=len(who), method=f"similarity-weighted share of {k} neighbours")
    return out


def backtest_next_adopters(
    cat: Catalogue,
    cutoff,
    *,
    k: int = 10,
    neighbours: int = 15,
    seed: int = 0,
    min_new: int = 1,
    activity_weight: float | None = None,
    weights: dict | None = None,
) -> pd.DataFrame:
    """precision@k of next_adopters with adoptions hidden after ``cutoff``, and two baselines.

    For each instrument with >= 1 adopter by the cut-off and >= ``min_new`` parties adopting
    after it: ours (ranking from data on or before the cut-off), ``popularity`` (non-adopters
    ranked by how many other instruments they had adopted) and ``random`` (a seeded shuffle).

    Positives are only adoptions with an explicit date after the cut-off. An undated adoption
    row counts from its source's as-of date (often the day the page was read), so it says
    nothing about *when* the party adopted: such (instrument, party) pairs are neither
    positives nor candidates (they are dropped from every ranking before precision@k).
    ``weights``: the combined alignment's weights (default ``COMBINED_WEIGHTS``), so a benchmark
    can measure what each signal adds.
    """
    cut = to_date(cutoff, end=True)
    cols = ["instrument_id", "adopters_at_cutoff", "new_adopters", "undated_excluded", "ours", "popularity", "random"]
    if cat.adoptions.empty:
        return _empty(cols, "no adoption data in the catalogue yet (0 adoptions)")
    hidden = _hide_after(cat, cut)
    before, st_before = _adopted_sets(hidden, cut)  # only what was known, with a date, by the cut-off
    after, st_now = _adopted_sets(cat, None)
    undated_now = st_now[st_now["adopted"] & (st_now["since"].fillna("") == "")]
    undated = undated_now.groupby("instrument_id")["party_code"].apply(set).to_dict()
    members = set(cat.parties.loc[cat.parties["un_member"], "code"]) or set(cat.parties["code"])
    vote_data(hidden)  # build the vote matrix once; the per-instrument copies share it
    counts = st_before[st_before["adopted"]].groupby("party_code").size()
    rng = np.random.default_rng(seed)
    rows = []
    for inst in sorted(before):
        had = before[inst]
        unknown = undated.get(inst, set()) - had  # adopted, but when is unknown
        new = (after.get(inst, set()) - had - unknown) & members
        if len(new) < min_new:
            continue
        sim = _similarity(hidden, cut, exclude_instrument=inst, weights=weights)
        ours = _rank(hidden, sim, had, st_before, inst, k, neighbours, activity_weight, skip=unknown)["party"].tolist()
        pool = sorted(p for p in members if p not in had and p not in unknown)
        pop = sorted(pool, key=lambda p: (-counts.get(p, 0), p))[:k]
        rnd = list(rng.permutation(pool)[:k])
        rows.append(
            {
                "instrument_id": inst,
                "adopters_at_cutoff": len(had),
                "new_adopters": len(new),
                "undated_excluded": len(unknown & members),
                "ours": len(set(ours) & new) / k,
                "popularity": len(set(pop) & new) / k,
                "random": len(set(rnd) & new) / k,
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    out.attrs.update(cutoff=str(cut), k=k)
    if out.empty:
        out.attrs["note"] = f"not enough evidence: no instrument gained adopters after {cut}"
    return out


def _hide_after(cat: Catalogue, cut) -> Catalogue:
    """The catalogue without adoptions after ``cut`` (or of unknown date) and without votes after it."""
    ad = cat.adoptions
    # a stored adoption date is a valid partial date (catalogue validation), so it has bounds
    keep = [bool(d) and cast(tuple[date, date], date_bounds(d))[1] <= cut for d in ad["date"]]
    res = cat.resolutions
    late = set(res.loc[pd.to_datetime(res["date"]).dt.date > cut, "id"])
    votes = cat.votes[~cat.votes["resolution_id"].isin(late)].reset_index(drop=True)
    return cat.replace(adoptions=ad[keep].reset_index(drop=True), votes=votes)
