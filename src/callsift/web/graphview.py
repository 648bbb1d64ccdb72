"""The call graph as a picture: numbers, who called whom with arrows and counts, labels.

Drawn on the server as plain shapes in a square view box (see ``charts``).
Each direction of a pair is its own arrow, caller to receiver, offset to
one side when both rang each other, with its number of calls beside it.
Labels go through ``labels.place_labels``: counts, then names by how
central the number is; what does not fit at the normal size waits for the
reader to zoom (levels 2 and 4) or stays a tooltip. Counts go first: they
are short, and an arrow without its count says less than a number without
its name, which its tooltip and the table give. Two sets are placed, one
sized for a desk's screen and one for a phone's, and the stylesheet shows
the set that reads at the size the picture is drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import networkx as nx

from callsift.web.charts import PALETTE
from callsift.web.labels import Box, PicLabel, Wanted, place_labels

__all__ = ["LETTERING", "GraphArrow", "GraphNode", "GraphPicture", "graph_picture"]

LETTERING = (("desk", 10.0), ("phone", 21.0))
"""Label sets and their font sizes in view units: 10 reads as ~12 px on a desk's
screen (the graph ~750 px tall for 640 units), 21 as ~12 px on a 390 px phone."""
LEVELS = (1, 2, 4)
OFFSET = 4.0
"""How far the two arrows of a pair that rang both ways sit apart from the centre line."""


@dataclass(frozen=True)
class GraphNode:
    key: str
    x: float
    y: float
    r: float
    colour: str
    label: str
    calls: int
    community: int
    country: str | None
    valid: bool


@dataclass(frozen=True)
class GraphArrow:
    """One direction of a pair: ``caller`` rang ``receiver`` ``calls`` times (their labels)."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    caller: str
    receiver: str
    calls: int


@dataclass(frozen=True)
class GraphPicture:
    nodes: list[GraphNode]
    arrows: list[GraphArrow]
    labels: list[PicLabel]
    size: float


def graph_picture(graph: nx.Graph, size: float = 640) -> GraphPicture:
    """A seeded spring layout: the same case gives the same picture every time."""
    if graph.number_of_nodes() == 0:
        return GraphPicture([], [], [], size)
    # k: the pairs' ideal distance; 3/√n leaves an arrow long enough for its count.
    layout = nx.spring_layout(graph, seed=7, k=3.0 / max(graph.number_of_nodes(), 1) ** 0.5)
    margin = 40
    xs = [p[0] for p in layout.values()]
    ys = [p[1] for p in layout.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = (size - 2 * margin) / span
    where = {
        key: (float(margin + (x - min(xs)) * scale), float(margin + (y - min(ys)) * scale))
        for key, (x, y) in layout.items()
    }
    nodes = []
    for key, data in graph.nodes(data=True):
        x, y = where[key]
        nodes.append(
            GraphNode(
                key=key,
                x=round(x, 1),
                y=round(y, 1),
                r=4 + 2 * min(data["degree"], 6),
                colour=PALETTE[data["community"] % len(PALETTE)],
                label=data["label"],
                calls=data["calls"],
                community=data["community"],
                country=data["country"],
                valid=data["valid"],
            )
        )
    radius = {n.key: n.r for n in nodes}
    names = {n.key: n.label for n in nodes}
    arrows, counts = [], []
    for a, b, data in graph.edges(data=True):
        if a == b:
            continue  # a number calling itself: in the table, not drawable as an arrow
        both = data["calls_a_to_b"] and data["calls_b_to_a"]
        for source, target, n in ((a, b, data["calls_a_to_b"]), (b, a, data["calls_b_to_a"])):
            if n:
                arrow, spot = _arrow(where[source], where[target], radius, source, target, n, both)
                arrows.append(replace(arrow, caller=names[source], receiver=names[target]))
                counts.append(
                    Wanted(f"edge:{source}>{target}", *spot, str(n), 10_000 + n, spots=("on",))
                )
    wanted = [
        Wanted(
            f"node:{n.key}",
            n.x,
            n.y,
            n.label,
            1000 + n.calls + 1000 * graph.nodes[n.key]["betweenness"],
            n.r,
        )
        for n in nodes
    ]
    return GraphPicture(nodes, arrows, _lettering(wanted + counts, nodes, size), size)


def _arrow(
    start: tuple[float, float],
    end: tuple[float, float],
    radius: dict[str, float],
    source: str,
    target: str,
    n: int,
    both: bool,
) -> tuple[GraphArrow, tuple[float, float]]:
    """The arrow from circle edge to circle edge, and where its count is written."""
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    nx_, ny_ = -uy, ux
    off = OFFSET if both else 0.0
    sx, sy = x1 + ux * radius[source] + nx_ * off, y1 + uy * radius[source] + ny_ * off
    ex, ey = x2 - ux * (radius[target] + 1) + nx_ * off, y2 - uy * (radius[target] + 1) + ny_ * off
    side = off + 7 if both else 0.0
    spot = ((sx + ex) / 2 + nx_ * side, (sy + ey) / 2 + ny_ * side)
    width = 1 + min(n, 6) * 0.5
    arrow = GraphArrow(
        round(sx, 1), round(sy, 1), round(ex, 1), round(ey, 1), width, source, target, n
    )
    return arrow, spot


def _lettering(wanted: list[Wanted], nodes: list[GraphNode], size: float) -> list[PicLabel]:
    marks = [Box(n.x - n.r, n.y - n.r, n.x + n.r, n.y + n.r) for n in nodes]
    bounds = Box(0, 0, size, size)
    labels = []
    for name, font in LETTERING:
        for label in place_labels(wanted, bounds, marks, font, LEVELS):
            kind = "count" if label.key.startswith("edge:") else "name"
            labels.append(label.drawn(f"lbl {name} lz{label.level}", kind))
    return labels
