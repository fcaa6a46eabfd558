"""One-off generator (not imported by the app): points for parties too small for the 110m map.

Natural Earth 110m has no polygon for ~30 small states (Singapore, Malta, the small island
states...). This reads world-atlas's countries-50m.json (same npm package, ISC licence),
takes the vertex mean of each such country's largest ring and writes small-states.json
(iso_numeric -> [lon, lat, name]). Usage:
    cd /tmp && npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python tracker/ui/assets/build_small_states.py /tmp/package/countries-50m.json
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
EXTRA = {"798": [179.2, -8.52, "Tuvalu"]}  # not in the 50m file either (Funafuti)


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_points(ring, arcs):
    pts = []
    for i in ring:
        pts.extend(arcs[i] if i >= 0 else arcs[~i][::-1])
    return pts


def main(path: str) -> None:
    small_ids = set(json.loads(sys.argv[2])) if len(sys.argv) > 2 else None
    topo110 = json.loads((HERE / "countries-110m.json").read_text())
    have = {g.get("id") for g in topo110["objects"]["countries"]["geometries"]}
    topo = json.loads(Path(path).read_text())
    arcs = decode_arcs(topo)
    out = {}
    for g in topo["objects"]["countries"]["geometries"]:
        gid = g.get("id")
        if not gid or gid in have or (small_ids and gid not in small_ids):
            continue
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        rings = [ring_points(p[0], arcs) for p in polys]
        ring = max(rings, key=len)
        lon = sum(p[0] for p in ring) / len(ring)
        lat = sum(p[1] for p in ring) / len(ring)
        out[gid] = [round(lon, 2), round(lat, 2), g["properties"]["name"]]
    out.update(EXTRA)
    (HERE / "small-states.json").write_text(json.dumps(dict(sorted(out.items())), ensure_ascii=False, indent=0) + "\n")
    print(f"{len(out)} points written")


if __name__ == "__main__":
    main(sys.argv[1])
