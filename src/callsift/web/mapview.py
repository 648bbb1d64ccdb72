"""The places spoken of, on an offline basemap of country and region borders.

The borders are Natural Earth's (public domain), cut to the gazetteer's
countries and simplified once by ``scripts/build_basemap.py`` into
``web/data/basemap.json``; this module only reads that file, so the map
needs no tiles and no network. The projection is equirectangular with the
longitudes shrunk by the cosine of the middle latitude, which keeps shapes
and directions right across the few degrees a case spans. Place names and
graticule labels are placed by ``labels.place_labels`` (one set for a
desk's screen, one for a phone's), so none collide and none is cut at an
edge; a place whose name does not fit keeps it as a tooltip and in the table.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from callsift.web.labels import Box, PicLabel, Wanted, place_labels, text_box

__all__ = [
    "BASEMAP",
    "Basemap",
    "MapPicture",
    "MapPoint",
    "Shape",
    "cached_map",
    "load_basemap",
    "map_picture",
]

BASEMAP = Path(__file__).parent / "data" / "basemap.json"
LETTERING = (("desk", 11.0), ("phone", 26.0))
"""Label sets and font sizes in view units: the map is 800 units wide, drawn
at most 900 px on a desk and about 350 px on a phone."""


@dataclass(frozen=True)
class Shape:
    """A country or region: its rings as flat ``(lon, lat, lon, lat, …)`` tuples."""

    name: str
    rings: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class Basemap:
    box: tuple[float, float, float, float]
    countries: tuple[Shape, ...]
    regions: tuple[Shape, ...]
    source: str


@lru_cache(maxsize=1)
def load_basemap(path: Path = BASEMAP) -> Basemap:
    """The borders file, read once per process."""
    data = json.loads(path.read_text(encoding="utf-8"))

    def shapes(rows: list[dict[str, object]]) -> tuple[Shape, ...]:
        return tuple(
            Shape(str(row["name"]), tuple(tuple(ring) for ring in row["rings"]))  # type: ignore[attr-defined]
            for row in rows
        )

    west, south, east, north = data["box"]
    return Basemap(
        (west, south, east, north),
        shapes(data["countries"]),
        shapes(data["regions"]),
        data["source"],
    )


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    r: float
    name: str
    calls: int


@dataclass(frozen=True)
class MapPicture:
    points: list[MapPoint]
    countries: list[str]
    regions: list[str]
    meridians: list[float]
    parallels: list[float]
    labels: list[PicLabel]
    width: float
    height: float


class _Frame:
    """Degrees to view units: the places' extent, widened to the picture's shape."""

    def __init__(self, lats: list[float], lons: list[float], width: float, height: float):
        south, north = min(lats) - 0.8, max(lats) + 0.8
        self.squeeze = math.cos(math.radians((south + north) / 2))
        west = min(lons) - 1.2 / self.squeeze
        east = max(lons) + 1.2 / self.squeeze
        span_x = max((east - west) * self.squeeze, 3.0)
        span_y = max(north - south, 2.0)
        self.scale = min(width / span_x, height / span_y)
        middle_x, middle_y = (west + east) / 2, (south + north) / 2
        self.west = middle_x - width / self.scale / self.squeeze / 2
        self.north = middle_y + height / self.scale / 2
        self.east = self.west + width / self.scale / self.squeeze
        self.south = self.north - height / self.scale

    def x(self, lon: float) -> float:
        return (lon - self.west) * self.squeeze * self.scale

    def y(self, lat: float) -> float:
        return (self.north - lat) * self.scale


def _path(frame: _Frame, shapes: Sequence[Shape]) -> list[str]:
    """SVG path data of the rings that reach into the frame, dropping sub-unit steps."""
    paths = []
    for shape in shapes:
        parts = []
        for ring in shape.rings:
            lons, lats = ring[0::2], ring[1::2]
            if max(lons) < frame.west or min(lons) > frame.east:
                continue
            if max(lats) < frame.south or min(lats) > frame.north:
                continue
            points: list[tuple[float, float]] = []
            for lon, lat in zip(lons, lats, strict=True):
                x, y = round(frame.x(lon), 1), round(frame.y(lat), 1)
                if not points or abs(x - points[-1][0]) + abs(y - points[-1][1]) >= 1.0:
                    points.append((x, y))
            if len(points) >= 3:
                parts.append("M" + " ".join(f"{x},{y}" for x, y in points) + "Z")
        if parts:
            paths.append("".join(parts))
    return paths


def map_picture(
    places: Sequence[tuple[str, float, float, int]], width: float = 800, height: float = 560
) -> MapPicture:
    """Places ``(name, lat, lon, calls)`` over the borders, with a graticule of whole degrees."""
    if not places:
        return MapPicture([], [], [], [], [], [], width, height)
    frame = _Frame([p[1] for p in places], [p[2] for p in places], width, height)
    basemap = load_basemap()
    top = max(p[3] for p in places)
    points = [
        MapPoint(round(frame.x(lon), 1), round(frame.y(lat), 1), 3 + 7 * (n / top) ** 0.5, name, n)
        for name, lat, lon, n in places
    ]
    step = 1 if frame.east - frame.west < 12 else 2
    meridians = list(range(math.ceil(frame.west), math.floor(frame.east) + 1, step))
    parallels = list(range(math.ceil(frame.south), math.floor(frame.north) + 1, step))
    labels = _lettering(frame, points, meridians, parallels, width, height)
    return MapPicture(
        points,
        _path(frame, basemap.countries),
        _path(frame, basemap.regions),
        [round(frame.x(lon), 1) for lon in meridians],
        [round(frame.y(lat), 1) for lat in parallels],
        labels,
        width,
        height,
    )


@lru_cache(maxsize=8)
def cached_map(places: tuple[tuple[str, float, float, int], ...]) -> MapPicture:
    """``map_picture`` of these places, drawn once while they stay the same (a few cases'
    maps are kept): cutting the borders to the frame costs more than reading the places."""
    return map_picture(places)


def _lettering(
    frame: _Frame,
    points: list[MapPoint],
    meridians: list[int],
    parallels: list[int],
    width: float,
    height: float,
) -> list[PicLabel]:
    """Graticule labels along the bottom and left edges (whole boxes inside), then place names."""
    bounds = Box(0, 0, width, height)
    marks = [Box(p.x - p.r, p.y - p.r, p.x + p.r, p.y + p.r) for p in points]
    labels = []
    for name, font in LETTERING:
        grid: list[Box] = []
        edge = [(frame.x(lon), height - font * 0.4, f"{lon}°E", "middle") for lon in meridians]
        edge += [(font * 0.3, frame.y(lat) - font * 0.3, f"{lat}°N", "start") for lat in parallels]
        for x, y, text, anchor in edge:
            box = text_box(x, y, text, font * 0.85, anchor)  # type: ignore[arg-type]
            if box.within(bounds) and not any(box.overlaps(other) for other in grid):
                grid.append(box)
                labels.append(
                    PicLabel(
                        round(x, 2),
                        round(y, 2),
                        text,
                        anchor,
                        font * 0.85,
                        f"grid-label {name}",
                        "grid",
                    )
                )
        wanted = [Wanted(p.name, p.x, p.y, p.name, p.calls, p.r) for p in points]
        for label in place_labels(wanted, bounds, marks + grid, font):
            labels.append(label.drawn(f"lbl {name} lz1", "placename"))
    return labels
