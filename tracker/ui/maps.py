"""The offline world map as a plain Vega-Lite spec, and the geometry behind it. Pure: no Streamlit.

Geometry is Natural Earth 110m (npm world-atlas 2.0.2, ISC licence, in ``assets/``), embedded
inline in every spec, so nothing is fetched. Parties too small for a 110m polygon are drawn as
circles (points from the package's 50m file, ``assets/small-states.json``); Kosovo is matched
to its own feature, which has no ISO numeric id; the EU and former states have no shape.

The spec is written as a dict: building it through Altair cost ~0.3 s per map (schema
validation) plus ~0.3 s to import Altair on the first page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

ASSETS = Path(__file__).parent / "assets"
KOSOVO_GEO_ID = "XKX"  # the 110m geometry has an unnamed-id feature called "Kosovo"; we give it this id
DROPPED_GEOMETRIES = {"010"}  # Antarctica: no party, only takes space
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"  # what Altair 6 writes
WORLD_DATASET = "natural-earth-110m"
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
NOT_IN_CATALOGUE = "#F4F4F4"


def load_topology() -> dict:
    """Natural Earth 110m countries with Kosovo given an id and Antarctica dropped."""
    topo = json.loads((ASSETS / "countries-110m.json").read_text("utf-8"))
    kept = []
    for g in topo["objects"]["countries"]["geometries"]:
        if g.get("id") in DROPPED_GEOMETRIES:
            continue
        if not g.get("id") and g.get("properties", {}).get("name") == "Kosovo":
            g = {**g, "id": KOSOVO_GEO_ID}
        kept.append(g)
    topo["objects"] = {"countries": {**topo["objects"]["countries"], "geometries": kept}}
    return topo


def load_small_state_points() -> dict[str, tuple[float, float]]:
    """iso_numeric -> (lon, lat) for parties too small for a 110m polygon (from the 50m file)."""
    raw = json.loads((ASSETS / "small-states.json").read_text("utf-8"))
    return {k: (v[0], v[1]) for k, v in raw.items()}


def party_geo(parties: pd.DataFrame, topology: dict, points: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """One row per party: code, name, geo_id (topology id), how it is drawn (polygon/point/none), lon, lat."""
    topo_ids = {g.get("id") for g in topology["objects"]["countries"]["geometries"]}
    p = parties[["code", "name", "kind", "iso_numeric", "un_member"]].copy()
    p["geo_id"] = p["iso_numeric"].where(p["code"] != "XKX", KOSOVO_GEO_ID)
    p["drawn"] = "none"
    p.loc[p["geo_id"].isin(topo_ids), "drawn"] = "polygon"
    is_point = (p["drawn"] == "none") & p["geo_id"].isin(points.keys())
    p.loc[is_point, "drawn"] = "point"
    p["lon"] = p["geo_id"].map(lambda g: points.get(g, (None, None))[0])
    p["lat"] = p["geo_id"].map(lambda g: points.get(g, (None, None))[1])
    return p.reset_index(drop=True)


def records(frame: pd.DataFrame) -> list[dict]:
    """A frame as JSON-ready rows (missing values become null), for inline chart data."""
    return json.loads(frame.to_json(orient="records", date_format="iso", double_precision=15))


def world_map(
    frame: pd.DataFrame,
    *,
    geo: pd.DataFrame,
    topology: dict,
    names: Mapping[str, str],
    color: str,
    title: str,
    legend_title: str,
    domain: list | None = None,
    range_: list | None = None,
    scheme: str | None = None,
    quantitative: bool = False,
    tooltip: Sequence[str] = (),
    height: int = 420,
    point_parties: bool = True,
    fade: str | None = None,
    fade_domain: Sequence[str] = (),
    fade_title: str = "",
) -> dict:
    """An offline choropleth: ``frame`` has one row per party code (column ``code``) and ``color``.

    ``geo`` is :func:`party_geo`, ``topology`` :func:`load_topology`, ``names`` party code -> name
    (used when ``frame`` has no ``name`` column). ``fade``: a column whose second value in
    ``fade_domain`` draws the party faded, with its own legend titled ``fade_title`` (what is
    uncertain: a date unknown, a low-confidence prediction).
    """
    data = frame.merge(geo[["code", "geo_id", "drawn", "lon", "lat"]], on="code", how="inner")
    if "name" not in data:
        data["name"] = data["code"].map(names)
    extra = [fade] if fade else []
    fields = ["name", color, *[t for t in [*tooltip, *extra] if t not in ("name", color)]]
    data = data[["code", "geo_id", "drawn", "lon", "lat", *[f for f in fields if f != "code"]]].copy()
    world = {"name": WORLD_DATASET, "format": {"type": "topojson", "feature": "countries"}}
    kind = "quantitative" if quantitative else "nominal"
    if quantitative:
        scale = {"scheme": scheme or "viridis", **({"domain": list(domain)} if domain else {})}
        legend = {"orient": "bottom", "titleLimit": 400}
    else:
        if not domain:
            scale = {"range": list(range_ or OKABE_ITO)}
        elif range_ is None:
            raise TypeError("world_map: a nominal domain needs range_ (one colour per value)")
        else:
            scale = {"domain": list(domain), "range": list(range_)}
        legend = {"columns": 3, "labelLimit": 260, "orient": "bottom", "titleLimit": 400}
    enc = {"field": color, "legend": legend, "scale": scale, "title": legend_title, "type": kind}
    tips = [
        {"field": "name", "title": "Party", "type": "nominal"},
        {"field": color, "format": ".2f" if quantitative else "", "title": legend_title, "type": kind},
    ]
    tips += [{"field": t, "type": "nominal"} for t in [*tooltip, *extra] if t not in ("name", color)]
    faded = {}
    if fade:
        faded = {
            "opacity": {
                "field": fade,
                "legend": {"orient": "top", "direction": "horizontal", "labelLimit": 260, "titleLimit": 400},
                "scale": {"domain": list(fade_domain), "range": [1.0, 0.35][: len(fade_domain)]},
                "title": fade_title or fade,
                "type": "nominal",
            }
        }
    polys = data[data["drawn"] == "polygon"].drop(columns=["lon", "lat", "drawn"])
    layers = [
        {
            "data": world,
            "mark": {"type": "geoshape", "fill": NOT_IN_CATALOGUE, "stroke": "#BBBBBB", "strokeWidth": 0.4},
        },
        {
            "data": world,
            "mark": {"type": "geoshape", "stroke": "#FFFFFF", "strokeWidth": 0.4},
            "encoding": {"color": enc, "tooltip": tips, **faded},
            "transform": [
                {
                    "lookup": "id",
                    "from": {
                        "data": {"name": "parties"},
                        "key": "geo_id",
                        "fields": [c for c in polys.columns if c != "geo_id"],
                    },
                },
                {"filter": "isValid(datum.code)"},
            ],
        },
    ]
    datasets = {"parties": records(polys), WORLD_DATASET: topology}  # inline: nothing is fetched
    pts = data[data["drawn"] == "point"]
    if point_parties and len(pts):
        datasets["small-states"] = records(pts.drop(columns=["drawn", "geo_id"]))
        layers.append(
            {
                "data": {"name": "small-states"},
                "mark": {"type": "circle", "opacity": 1, "size": 28, "stroke": "#333333", "strokeWidth": 0.5},
                "encoding": {
                    "color": enc,
                    **faded,
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "tooltip": tips,
                },
            }
        )
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "config": {"view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None}},
        "layer": layers,
        "height": height,
        "projection": {"type": "equalEarth"},
        "title": title,
        "width": "container",
        "datasets": datasets,
    }


def shapeless(geo: pd.DataFrame) -> set[str]:
    """Codes of the parties with no shape on the map (the EU, former states)."""
    return set(geo.loc[geo["drawn"] == "none", "code"])
