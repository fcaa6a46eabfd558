"""Swing states and bloc events on the contested cyber votes.

A party is a swing state when its *own* position is between camps. The evidence, each piece
with a strength in 0..1 (the contested cyber votes of the window are those whose majority
choice had less than 95% of the votes cast):

- **uncertain placement**: the blocs' resamples put it with its own bloc in fewer than
  ``placement`` of them; strength 1 - co-assignment;
- **splits toward another bloc**: on a contested cyber vote it left its bloc's majority for
  (or halfway towards, e.g. abstaining between yes and no) another bloc's majority; with
  ``m`` such votes (a half move counts half) the strength is m / (m + 2): 1 vote 0.33, 2 votes
  0.5, 4 votes 0.67. A vote no other bloc cast (Russia's no on the PoA inside a bloc voting
  yes, the United States' no while the Western bloc abstained) moves towards no one: it is a
  firmer position, not a swing;
- **backs rival drafts**: yes on both rival texts of a session (the OEWG and the GGE/PoA
  texts) while its bloc's majority was not yes on both (0.5 a session), or sponsoring both
  (0.7 a session; only when a ``sponsors`` table is given, the catalogue has none yet);
- **pulled by both camps**: the camps are the parties that sponsored only one side's drafts
  (the catalogue's ``resolution_sponsors``: the US-led GGE/PoA texts vs the Russian-led
  OEWG and cybercrime texts). A party's pull towards a camp mixes how often it voted with that
  camp's majority on the contested votes where the camps differed and, for the open camp, the
  open-stance instruments it adopted (half the open camp's median portfolio counts as a full
  pull; sovereign-stance instruments add to the other pull). Its balance is the weaker of the
  two pulls; strength = (balance - 0.2) / 0.3, capped to 0..1, so a balance of 0.35 alone is a
  swing state. Most of the Assembly votes yes on everything and adopts little: its balance
  is low, and so is a camp member's;
- **between camps on the axis**: its open-vs-sovereign position (``axis`` on the cyber votes)
  lies between its bloc's and another bloc's, with its 90% interval reaching into that
  bloc's middle half; strength 0.25: supporting evidence, never enough alone.

The confidence is 1 - prod(1 - strength) and a swing state needs ``swing_confidence``.

**Bloc events**: when most of a bloc's members who voted both times change their vote between
two consecutive votes of a series in the same way (the Western states going from no to
abstain on the OEWG text in 2019), that is one event of the bloc, reported by
``bloc_events``; it is not a swing of each member (splits are measured against the bloc's
majority on each vote, which moved with it).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from tracker.analytics.blocs import (
    CLASS_NAMES,
    RIVAL_SERIES,
    SERIES_TEXT,
    BlocResult,
    axis,
    blocs,
    contested_rows,
)
from tracker.analytics.config import UNSET, AnalysisConfig, resolve
from tracker.analytics.votes import vote_data
from tracker.catalogue import Catalogue
from tracker.catalogue.scope import TIE, bloc_majority
from tracker.errors import InvalidInput

log = logging.getLogger(__name__)

AXIS_STRENGTH = 0.25
BALANCE_FLOOR, BALANCE_SPAN = 0.2, 0.3  # pulled by both camps: strength (balance - floor) / span
RIVAL_YES_STRENGTH = 0.5
RIVAL_SPONSOR_STRENGTH = 0.7
SPLIT_PRIOR = 2.0  # m / (m + SPLIT_PRIOR)
EVENT_SHARE = 0.5  # a bloc event: at least half of the members voting both times made the same change
COLUMNS = [
    "party",
    "name",
    "bloc",
    "confidence",
    "score",
    "reasons",
    "placement",
    "splits",
    "rival_sessions",
    "between",
]
EVENT_COLUMNS = ["bloc", "bloc_label", "series", "before", "after", "from_vote", "to_vote", "moved", "voting"]


def _session(res_id: str) -> str:
    parts = str(res_id).split("/")
    return parts[2] if len(parts) > 3 else ""


def _majorities(data, rows: np.ndarray, cols: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Bloc -> its majority class on each row (-1: nobody voted or a tie)."""
    out = {}
    code = {c: i for i, c in enumerate(CLASS_NAMES)}
    for b in sorted(set(labels.tolist())):
        votes = data.classes[np.ix_(rows, cols[labels == b])]
        maj = np.full(len(rows), -1, dtype=np.int8)
        for i, v in enumerate(votes):
            counts = np.bincount(v[v >= 0], minlength=3)
            choice, _cohesion = bloc_majority(dict(zip(CLASS_NAMES, counts.tolist(), strict=True)))
            if choice and choice != TIE:
                maj[i] = code[choice]
        out[b] = maj
    return out


def bloc_events(
    cat: Catalogue, *, config: AnalysisConfig | None = None, result: BlocResult | None = None, as_of=UNSET
) -> pd.DataFrame:
    """Bloc-wide changes of vote between consecutive contested cyber votes of a series."""
    cfg = resolve(config, as_of=as_of)
    res = result or blocs(cat, config=cfg)
    data = vote_data(cat)
    rows = contested_rows(data, since=cfg.since, as_of=cfg.as_of)
    return _events(data, rows, res)


def _events(data, rows: np.ndarray, res: BlocResult) -> pd.DataFrame:
    cols = np.array([data.col_of[p] for p in res.assignments["party"]])
    labels = res.assignments["bloc"].to_numpy()
    maj = _majorities(data, rows, cols, labels)
    series = data.resolutions["series"].to_numpy()[rows]
    ids = data.resolutions["id"].to_numpy()[rows]
    names = res.blocs.set_index("bloc")["label"].to_dict()
    out = []
    for s in SERIES_TEXT:
        pos = np.flatnonzero(series == s)
        for a, b in zip(pos, pos[1:], strict=False):
            for bloc, m in maj.items():
                if m[a] < 0 or m[b] < 0 or m[a] == m[b]:
                    continue
                v = data.classes[np.ix_(rows[[a, b]], cols[labels == bloc])]
                both = (v[0] >= 0) & (v[1] >= 0)
                moved = both & (v[0] == m[a]) & (v[1] == m[b])
                if both.sum() and moved.sum() / both.sum() >= EVENT_SHARE:
                    out.append(
                        {
                            "bloc": int(bloc),
                            "bloc_label": names.get(bloc, ""),
                            "series": s,
                            "before": ids[a],
                            "after": ids[b],
                            "from_vote": CLASS_NAMES[m[a]],
                            "to_vote": CLASS_NAMES[m[b]],
                            "moved": int(moved.sum()),
                            "voting": int(both.sum()),
                        }
                    )
    return pd.DataFrame(out, columns=EVENT_COLUMNS)


def swing_states(
    cat: Catalogue,
    *,
    as_of=UNSET,
    min_reasons: int = 1,
    predict: bool | None = None,
    config: AnalysisConfig | None = None,
    sponsors: pd.DataFrame | None = None,
    result: BlocResult | None = None,
) -> pd.DataFrame:
    """Swing states with their reasons and confidence, strongest first (see the module docstring).

    ``config`` (default ``AnalysisConfig()``) sets the window, the blocs and the thresholds;
    ``result``: the blocs of that configuration if already at hand; ``sponsors``: optional
    (resolution_id, party_code) rows of draft sponsors. ``attrs`` carry the configuration, the
    bloc events and the number of contested votes. ``predict`` is accepted for compatibility:
    an uncertain predicted vote is no longer a reason (it flagged most of the Assembly).
    """
    if predict is not None:
        warnings.warn(
            "swing_states(predict=...) has no effect: predicted votes are no longer a swing reason",
            DeprecationWarning,
            stacklevel=2,
        )
    if not isinstance(min_reasons, int) or min_reasons < 1:
        raise InvalidInput(f"min_reasons must be a whole number >= 1, got {min_reasons!r}")
    cfg = resolve(config, as_of=as_of)
    data = vote_data(cat)
    rows = contested_rows(data, since=cfg.since, as_of=cfg.as_of)
    empty = pd.DataFrame(columns=COLUMNS)
    empty.attrs.update(config=cfg.describe(), contested_votes=int(len(rows)), bloc_events=[])
    if not len(rows):
        empty.attrs["note"] = f"not enough evidence: 0 contested cyber votes in the window ({cfg.window()})"
        return empty
    if result is None:
        try:
            result = blocs(cat, config=cfg)
        except InvalidInput as err:  # too few parties with enough co-votes: no camps to be between
            empty.attrs["note"] = str(err)
            return empty
    res = result
    assign = res.assignments.reset_index(drop=True)
    parties = assign["party"].tolist()
    cols = np.array([data.col_of[p] for p in parties])
    labels = assign["bloc"].to_numpy()
    maj = _majorities(data, rows, cols, labels)
    ids = data.resolutions["id"].to_numpy()[rows]
    series = data.resolutions["series"].to_numpy()[rows]
    evidence: dict[str, list[tuple[float, str]]] = {p: [] for p in parties}
    extra = {p: {"splits": 0.0, "rival_sessions": 0, "between": False} for p in parties}

    # uncertain placement
    for p, b, place, unsure in assign[["party", "bloc", "placement", "uncertain"]].itertuples(index=False):
        if unsure and np.isfinite(place):
            evidence[p].append((1 - place, f"uncertain bloc: placed with bloc {b} in {place:.0%} of resamples"))

    # splits toward another bloc
    votes = data.classes[np.ix_(rows, cols)]
    for j, p in enumerate(parties):
        own = maj[labels[j]]
        moves = []
        for i in range(len(rows)):
            v = votes[i, j]
            if v < 0 or own[i] < 0 or v == own[i]:
                continue
            best, to = 0.0, None
            for other, theirs in maj.items():
                if other == labels[j] or theirs[i] < 0 or theirs[i] == own[i]:
                    continue
                toward = (v - own[i]) / (theirs[i] - own[i])
                if toward > best:
                    best, to = min(float(toward), 1.0), other
            if best > 0 and to is not None:  # a positive best always comes with its bloc
                moves.append(
                    (
                        best,
                        f"{CLASS_NAMES[v]} on {ids[i]} (bloc {labels[j]} {CLASS_NAMES[own[i]]}, "
                        f"bloc {to} {CLASS_NAMES[maj[to][i]]})",
                    )
                )
        m = sum(x for x, _ in moves)
        if m > 0:
            extra[p]["splits"] = m
            evidence[p].append(
                (
                    m / (m + SPLIT_PRIOR),
                    f"split from its bloc toward another on {m:g} contested cyber vote(s): "
                    + "; ".join(t for _, t in moves),
                )
            )

    # rival drafts: yes on both while the bloc was not; sponsoring both
    sessions = np.array([_session(i) for i in ids])
    for s in sorted(set(sessions.tolist())):
        a = np.flatnonzero((sessions == s) & (series == RIVAL_SERIES[0]))
        b = np.flatnonzero((sessions == s) & (series == RIVAL_SERIES[1]))
        for ia in a:
            for ib in b:
                for j, p in enumerate(parties):
                    own = maj[labels[j]]
                    if votes[ia, j] == 2 and votes[ib, j] == 2 and not (own[ia] == 2 and own[ib] == 2):
                        extra[p]["rival_sessions"] += 1
                        evidence[p].append(
                            (
                                RIVAL_YES_STRENGTH,
                                f"yes on both rival drafts {ids[ia]} + {ids[ib]} while bloc {labels[j]} voted "
                                f"{CLASS_NAMES[own[ia]] if own[ia] >= 0 else 'tied'} / "
                                f"{CLASS_NAMES[own[ib]] if own[ib] >= 0 else 'tied'}",
                            )
                        )
    sponsor_rows = sponsors if sponsors is not None else cat.resolution_sponsors
    if len(sponsor_rows):
        for p, text, n in _double_sponsors(cat, sponsor_rows, cfg, set(parties)):
            extra[p]["rival_sessions"] += n
            evidence[p].append((1 - (1 - RIVAL_SPONSOR_STRENGTH) ** n, text))

    # pulled by both camps (votes and adoption portfolios)
    pulls = camp_pulls(cat, cfg, sponsors if sponsors is not None else cat.resolution_sponsors)
    for p, (balance, text) in pulls.items():
        if p in evidence:
            strength = min(max((balance - BALANCE_FLOOR) / BALANCE_SPAN, 0.0), 1.0)
            if strength > 0:
                evidence[p].append((strength, text))

    # between camps on the open-vs-sovereign axis
    for p, text in _between_on_axis(cat, cfg, assign).items():
        extra[p]["between"] = True
        evidence[p].append((AXIS_STRENGTH, text))

    records = []
    for j, p in enumerate(parties):
        ev = evidence[p]
        if len(ev) < min_reasons or not ev:
            continue
        conf = 1 - float(np.prod([1 - s for s, _ in ev]))
        if conf < cfg.swing_confidence:
            continue
        records.append(
            {
                "party": p,
                "name": cat.party_name(p),
                "bloc": int(labels[j]),
                "confidence": round(conf, 3),
                "score": round(conf, 3),
                "reasons": [t for _, t in sorted(ev, key=lambda e: -e[0])],
                "placement": float(assign.loc[j, "placement"]),
                "splits": extra[p]["splits"],
                "rival_sessions": extra[p]["rival_sessions"],
                "between": extra[p]["between"],
            }
        )
    members = set(cat.parties.loc[cat.parties["un_member"], "code"]) or set(cat.parties["code"])
    out = pd.DataFrame([r for r in records if r["party"] in members], columns=COLUMNS)
    out = out.sort_values(["confidence", "party"], ascending=[False, True]).reset_index(drop=True)
    events = _events(data, rows, res)
    out.attrs.update(
        config=cfg.describe(),
        contested_votes=int(len(rows)),
        parties=len(parties),
        bloc_events=events.to_dict("records"),
    )
    return out


def _double_sponsors(cat, sponsors: pd.DataFrame, cfg: AnalysisConfig, parties: set[str]):
    need = {"resolution_id", "party_code"}
    if not need <= set(sponsors.columns):
        raise InvalidInput(f"sponsors needs the columns {', '.join(sorted(need))}")
    res = cat.resolutions.set_index("id")
    data = vote_data(cat)
    window = set(data.resolutions["id"].to_numpy()[contested_rows(data, since=cfg.since, as_of=cfg.as_of)])
    sp = sponsors[sponsors["resolution_id"].isin(window)]
    series = sp["resolution_id"].map(res["series"])
    session = sp["resolution_id"].map(_session)
    by: dict[tuple[str, str], dict[str, list[str]]] = {}
    for p, s, ser, rid in zip(sp["party_code"], session, series, sp["resolution_id"], strict=True):
        if ser in RIVAL_SERIES:
            by.setdefault((p, s), {}).setdefault(ser, []).append(rid)
    found: dict[str, list[str]] = {}
    for (p, _session_id), d in by.items():
        if len(d) == 2 and p in parties:
            found.setdefault(p, []).append(" + ".join(sorted(d[RIVAL_SERIES[0]] + d[RIVAL_SERIES[1]])))
    for p, pairs in sorted(found.items()):
        yield p, f"sponsored both rival drafts ({len(pairs)} session(s)): {'; '.join(pairs)}", len(pairs)


def _between_on_axis(cat, cfg: AnalysisConfig, assign: pd.DataFrame) -> dict[str, str]:
    ax = axis(cat, topic="cyber", since=cfg.since, as_of=cfg.as_of, n_boot=max(cfg.n_boot, 50), seed=cfg.seed)
    if ax["position"].isna().all():
        return {}
    pos = assign.join(ax[["position", "low", "high"]], on="party")
    iqr = {}
    for b, g in pos.groupby("bloc"):
        x = g["position"].dropna()
        if len(x) >= 3:
            iqr[b] = (float(x.quantile(0.25)), float(x.median()), float(x.quantile(0.75)))
    out = {}
    for p, b, x, lo, hi in pos[["party", "bloc", "position", "low", "high"]].itertuples(index=False):
        if not np.isfinite(x) or b not in iqr:
            continue
        o1, own, o3 = iqr[b]
        for other, (q1, med, q3) in iqr.items():
            apart = q1 > o3 or q3 < o1  # the two blocs' middle halves are told apart on the axis
            between = min(own, med) < x < max(own, med)
            # its interval reaches into both blocs' middle halves: it cannot be told from either
            if other != b and apart and between and lo <= max(o3, q3) and hi >= min(o1, q1):
                reach_own = lo <= o3 and hi >= o1
                reach_other = lo <= q3 and hi >= q1
                if reach_own and reach_other:
                    out[p] = (
                        f"between blocs {b} and {other} on the open-vs-sovereign axis: {x:+.2f} "
                        f"(90% {lo:+.2f} to {hi:+.2f}); middle halves {o1:+.2f} to {o3:+.2f} and {q1:+.2f} to {q3:+.2f}"
                    )
                    break
    return out


def camps(cat: Catalogue, sponsors: pd.DataFrame) -> dict[str, set[str]]:
    """The two camps: parties that sponsored only the GGE/PoA drafts ("open") or only the
    Russian-led OEWG and cybercrime drafts ("sovereign")."""
    if sponsors.empty:
        return {"open": set(), "sovereign": set()}
    series = sponsors["resolution_id"].map(cat.resolutions.set_index("id")["series"])
    side = series.map({"gge-poa": "open", "oewg": "sovereign", "cybercrime": "sovereign"})
    sides = side.groupby(sponsors["party_code"]).agg(lambda x: set(x.dropna()))
    return {c: {p for p, s in sides.items() if s == {c}} for c in ("open", "sovereign")}


def camp_pulls(cat: Catalogue, cfg: AnalysisConfig, sponsors: pd.DataFrame) -> dict[str, tuple[float, str]]:
    """Party -> (balance of its pulls towards the two camps, the reason in words)."""
    groups = camps(cat, sponsors)
    if not groups["open"] or not groups["sovereign"]:
        return {}
    data = vote_data(cat)
    rows = contested_rows(data, since=cfg.since, as_of=cfg.as_of)
    if not len(rows):
        return {}
    classes = data.classes[rows]
    camp_vote = {}
    for c, members in groups.items():
        cols = [data.col_of[p] for p in members if p in data.col_of]
        votes = classes[:, cols]
        camp_vote[c] = np.array([np.bincount(v[v >= 0], minlength=3).argmax() if (v >= 0).any() else -1 for v in votes])
    differ = (camp_vote["open"] != camp_vote["sovereign"]) & (camp_vote["open"] >= 0) & (camp_vote["sovereign"] >= 0)
    if not differ.any():
        return {}
    status = cat.status(cfg.as_of)
    status = status[status["adopted"]]
    stance = status["instrument_id"].map(cat.instruments.set_index("id")["stance"])
    open_count = status[stance.eq("open").to_numpy()].groupby("party_code").size()
    sov_count = status[stance.eq("sovereign").to_numpy()].groupby("party_code").size()
    camp_median = float(open_count.reindex(sorted(groups["open"])).fillna(0).median())
    full = max(camp_median / 2, 1.0)  # half the open camp's usual portfolio counts as a full pull
    out = {}
    for p, j in data.col_of.items():
        v = classes[differ, j]
        cast = v >= 0
        if cast.sum() < 3:
            continue
        with_open = float(np.mean(v[cast] == camp_vote["open"][differ][cast]))
        with_sov = float(np.mean(v[cast] == camp_vote["sovereign"][differ][cast]))
        n_open, n_sov = int(open_count.get(p, 0)), int(sov_count.get(p, 0))
        pull_open = 0.5 * with_open + 0.5 * min(n_open / full, 1.0)
        pull_sov = min(with_sov + 0.25 * n_sov, 1.0)
        balance = min(pull_open, pull_sov)
        out[p] = (
            balance,
            f"pulled by both camps (balance {balance:.2f}): voted with the sponsors of the GGE/PoA texts on "
            f"{with_open:.0%} and with the sponsors of the OEWG/cybercrime texts on {with_sov:.0%} of "
            f"{int(cast.sum())} contested votes where they differed; adopted {n_open} open-stance and "
            f"{n_sov} sovereign-stance instruments",
        )
    return out
