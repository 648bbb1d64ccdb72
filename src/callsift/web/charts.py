"""Geometry of the pictures the pages draw as SVG: bars, waveform, call graph, map.

Each function turns records into plain shapes with coordinates in a fixed
view box; the templates write them out as SVG elements, escaping every
label like any other text. Drawing on the server keeps the pages free of
chart libraries and lets a page print as it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import networkx as nx

from callsift.audio.playback import Waveform

__all__ = [
    "PALETTE",
    "Bar",
    "Marker",
    "GraphPicture",
    "MapPicture",
    "day_bars",
    "graph_picture",
    "map_picture",
    "waveform_path",
]

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
)  # fmt: skip


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int


@dataclass(frozen=True)
class Marker:
    x: float
    label: str


def day_bars(
    per_day: Sequence[tuple[str, int]],
    marks: Sequence[tuple[date, str]] = (),
    width: float = 800,
    height: float = 140,
) -> tuple[list[Bar], list[Marker]]:
    """One bar per day from the first to the last, and a marker per ``(day, label)``.

    The axis spans the calls and the marks both, so a date spoken in a call
    that lies outside the calls' own days still shows where it falls.
    """
    counts = dict(per_day)
    days_seen = [date.fromisoformat(day) for day in counts] + [day for day, _ in marks]
    if not days_seen:
        return [], []
    first, last = min(days_seen), max(days_seen)
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    top = max(counts.values(), default=1)
    step = width / len(days)
    bars = []
    for i, day in enumerate(days):
        n = counts.get(day.isoformat(), 0)
        h = (height - 30) * n / top
        bars.append(Bar(i * step, height - 15 - h, max(step - 1, 1), h, day.isoformat(), n))
    markers = [Marker(((day - first).days + 0.5) * step, label) for day, label in marks]
    return bars, markers


def waveform_path(waveform: Waveform, width: float = 1000, lane: float = 60) -> list[str]:
    """An SVG path per channel: the (min, max) envelope, each channel in its own lane."""
    paths = []
    for channel, peaks in enumerate(waveform):
        if not peaks:
            paths.append("")
            continue
        middle = lane * channel + lane / 2
        step = width / len(peaks)
        top = " ".join(
            f"{i * step:.1f},{middle - hi * lane / 2:.1f}" for i, (_, hi) in enumerate(peaks)
        )
        bottom = " ".join(
            f"{i * step:.1f},{middle - lo * lane / 2:.1f}"
            for i, (lo, _) in reversed(list(enumerate(peaks)))
        )
        paths.append(f"M{top} L{bottom} Z")
    return paths


@dataclass(frozen=True)
class GraphNode:
    key: str
    x: float
    y: float
    r: float
    colour: str
    label: str
    title: str
    valid: bool


@dataclass(frozen=True)
class GraphEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str


@dataclass(frozen=True)
class GraphPicture:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    size: float


def graph_picture(graph: nx.Graph, size: float = 1000) -> GraphPicture:
    """A seeded spring layout: the same case gives the same picture every time."""
    if graph.number_of_nodes() == 0:
        return GraphPicture([], [], size)
    layout = nx.spring_layout(graph, seed=7, k=1.5 / max(graph.number_of_nodes(), 1) ** 0.5)
    margin = 60
    xs = [p[0] for p in layout.values()]
    ys = [p[1] for p in layout.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0

    def place(key: str) -> tuple[float, float]:
        x, y = layout[key]
        scale = (size - 2 * margin) / span
        return margin + (x - min(xs)) * scale, margin + (y - min(ys)) * scale

    nodes = []
    for key, data in graph.nodes(data=True):
        x, y = place(key)
        community = data["community"]
        nodes.append(
            GraphNode(
                key=key,
                x=x,
                y=y,
                r=6 + 3 * min(data["degree"], 6),
                colour=PALETTE[community % len(PALETTE)],
                label=data["label"],
                title=f"{data['label']} · {data['calls']} calls · community {community}"
                + (f" · {data['country']}" if data["country"] else " · not a valid number"),
                valid=data["valid"],
            )
        )
    edges = []
    for a, b, data in graph.edges(data=True):
        (x1, y1), (x2, y2) = place(a), place(b)
        count = data["calls"]
        edges.append(GraphEdge(x1, y1, x2, y2, 1 + min(count, 6), f"{a} – {b}: {count} calls"))
    return GraphPicture(nodes, edges, size)


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    r: float
    label: str
    title: str


@dataclass(frozen=True)
class MapPicture:
    points: list[MapPoint]
    meridians: list[tuple[float, str]]
    parallels: list[tuple[float, str]]
    width: float
    height: float


def map_picture(
    places: Sequence[tuple[str, float, float, int]], width: float = 800, height: float = 560
) -> MapPicture:
    """Places ``(name, lat, lon, calls)`` on an equirectangular frame with a 1° graticule.

    No tiles and no coastline: the gazetteer's coordinates alone, which is
    what the case knows; distances and directions between places are right.
    """
    if not places:
        return MapPicture([], [], [], width, height)
    lats = [p[1] for p in places]
    lons = [p[2] for p in places]
    south, north = min(lats) - 0.5, max(lats) + 0.5
    west, east = min(lons) - 0.8, max(lons) + 0.8
    scale = min(width / (east - west), height / (north - south))

    def x_of(lon: float) -> float:
        return (lon - west) * scale

    def y_of(lat: float) -> float:
        return (north - lat) * scale

    top = max(p[3] for p in places)
    points = [
        MapPoint(x_of(lon), y_of(lat), 4 + 10 * (n / top) ** 0.5, name, f"{name}: {n} calls")
        for name, lat, lon, n in places
    ]
    meridians = [(x_of(lon), f"{lon}°E") for lon in range(int(west) + 1, int(east) + 1)]
    parallels = [(y_of(lat), f"{lat}°N") for lat in range(int(south) + 1, int(north) + 1)]
    return MapPicture(points, meridians, parallels, (east - west) * scale, (north - south) * scale)
