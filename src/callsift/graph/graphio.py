"""The call graph on paper and for other tools: GraphML, GEXF, CSV, PNG and SVG.

GraphML and GEXF open in Gephi, yEd and networkx; both accept only plain
values, so lists (the ways a number was written, the call ids) are joined
with ``;`` and an unknown value is left out rather than written as a fake
empty one. The CSV holds one row per pair of numbers, for a spreadsheet.

The picture is drawn with matplotlib's object API on the Agg canvas (never
pyplot, so no window system is touched and nothing global changes), with a
seeded layout and a fixed SVG hash salt and no timestamps: the same case
gives the same picture, byte for byte, which matters for a file that may be
filed as evidence.
"""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import Any

import matplotlib
import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from callsift.csvsafe import csv_writer
from callsift.errors import CallsiftError

__all__ = ["EDGE_COLUMNS", "GraphFormat", "draw_graph", "graph_format", "write_graph"]

LAYOUT_SEED = 4
"""Seed of the spring layout, so the picture is the same every time."""

MAX_LABELS = 80
"""Above this many numbers, only the most central ones are labelled."""

EDGE_COLUMNS = (
    "source",
    "target",
    "calls",
    "total_duration_s",
    "first",
    "last",
    "call_ids",
    "calls_source_to_target",
    "calls_target_to_source",
)


class GraphFormat(StrEnum):
    """A format the graph can be written in."""

    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"
    png = "png"
    svg = "svg"


def graph_format(path: Path, fmt: GraphFormat | str | None = None) -> GraphFormat:
    """``fmt`` if given, else the format the file name's suffix names."""
    name = str(fmt) if fmt is not None else path.suffix.removeprefix(".").lower()
    try:
        return GraphFormat(name.lower())
    except ValueError:
        known = ", ".join(f.value for f in GraphFormat)
        raise CallsiftError(
            f"{path}: cannot tell the format from {name!r}; use one of {known} (--format)"
        ) from None


def write_graph(graph: nx.Graph, path: Path, fmt: GraphFormat) -> None:
    """Write ``graph`` (as ``case_graph`` returns it) to ``path`` in ``fmt``."""
    if fmt is GraphFormat.graphml:
        nx.write_graphml(_plain(graph), path)
    elif fmt is GraphFormat.gexf:
        nx.write_gexf(_plain(graph), path)
    elif fmt is GraphFormat.csv:
        _write_csv(graph, path)
    else:
        draw_graph(graph, path, fmt.value)


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    return value


def _plain(graph: nx.Graph) -> nx.Graph:
    """A copy holding only str/int/float/bool values; ``weight`` = calls for Gephi."""
    plain = nx.Graph()
    for key, data in graph.nodes(data=True):
        plain.add_node(key, **{k: _flat(v) for k, v in data.items() if v is not None})
    for a, b, data in graph.edges(data=True):
        attrs = {k: _flat(v) for k, v in data.items() if v is not None}
        plain.add_edge(a, b, weight=float(data["calls"]), **attrs)
    return plain


def _write_csv(graph: nx.Graph, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv_writer(handle)
        writer.writerow(EDGE_COLUMNS)
        for _, _, data in graph.edges(data=True):
            writer.writerow(
                (
                    data["party_a"],
                    data["party_b"],
                    data["calls"],
                    data["total_duration_s"],
                    data["first"] or "",
                    data["last"] or "",
                    _flat(data["call_ids"]),
                    data["calls_a_to_b"],
                    data["calls_b_to_a"],
                )
            )


def draw_graph(graph: nx.Graph, out_path: Path, fmt: str) -> None:
    """Draw the graph to ``out_path`` as ``png`` or ``svg``.

    Numbers are coloured by community, sized by their calls and labelled with
    the known name or the E.164 form; a number that is not valid as written
    gets a red ring. Lines are thicker where two numbers called more often.
    """
    fmt = fmt.lower()
    if fmt not in ("png", "svg"):
        raise ValueError(f"draw_graph writes png or svg, not {fmt!r}")
    side = min(24.0, max(8.0, 4.0 + math.sqrt(len(graph)) * 1.5))
    figure = Figure(figsize=(side, side * 0.75), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_axis_off()
    if len(graph) == 0:
        axes.text(0.5, 0.5, "No calls with phone numbers in this case", ha="center")
    else:
        _draw(graph, axes)
    communities = len({data.get("community", -1) for _, data in graph.nodes(data=True)})
    axes.set_title(
        f"Call graph: {len(graph)} numbers, {graph.number_of_edges()} links,"
        f" {communities} communities (colours); red ring = number not valid as written"
    )
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": "callsift", "svg.fonttype": "none"}):
        figure.savefig(out_path, format=fmt, metadata=metadata, bbox_inches="tight")


def _layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Each connected group laid out on its own (seeded spring), then packed in rows.

    One spring layout of the whole case scatters dozens of unconnected pairs
    on top of each other; packing keeps every group apart and readable.
    """
    groups = sorted(
        (sorted(group) for group in nx.connected_components(graph)), key=lambda g: (-len(g), g[0])
    )
    placed: list[tuple[dict[str, tuple[float, float]], float]] = []
    for group in groups:
        radius = 0.6 * math.sqrt(len(group)) if len(group) > 1 else 0.0
        sub = graph.subgraph(group)
        local = nx.spring_layout(sub, seed=LAYOUT_SEED, weight="calls", scale=radius or 1.0)
        placed.append(({k: (float(x), float(y)) for k, (x, y) in local.items()}, radius))
    width = max(
        max(2 * r + 1.0 for _, r in placed),
        1.3 * math.sqrt(sum((2 * r + 1.0) ** 2 for _, r in placed)),
    )
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for local, radius in placed:
        size = 2 * radius + 1.0
        if x + size > width:
            x, y, row_height = 0.0, y - row_height, 0.0
        for key, (px, py) in local.items():
            pos[key] = (x + size / 2 + px, y - size / 2 + py)
        x += size
        row_height = max(row_height, size)
    return pos


def _draw(graph: nx.Graph, axes: Any) -> None:
    pos = _layout(graph)
    palette = matplotlib.colormaps["tab20"]
    segments, widths = [], []
    for a, b, data in graph.edges(data=True):
        if a != b:
            segments.append((pos[a], pos[b]))
            widths.append(0.8 + 0.6 * min(data.get("calls", 1), 10))
    axes.add_collection(LineCollection(segments, linewidths=widths, colors="#9a9a9a", zorder=1))
    nodes = list(graph.nodes(data=True))
    shrink = min(1.0, math.sqrt(80 / len(nodes)))  # a crowded picture gets smaller dots
    axes.scatter(
        [pos[key][0] for key, _ in nodes],
        [pos[key][1] for key, _ in nodes],
        s=[(120 + 60 * min(data.get("calls", 1), 20)) * shrink for _, data in nodes],
        c=[
            palette(data["community"] % 20) if data.get("community", -1) >= 0 else "#bbbbbb"
            for _, data in nodes
        ],
        edgecolors=["#d62728" if not data.get("valid", True) else "#333333" for _, data in nodes],
        linewidths=[2.5 if not data.get("valid", True) else 0.6 for _, data in nodes],
        zorder=2,
    )
    ranked = sorted(
        nodes, key=lambda item: (-item[1].get("betweenness", 0.0), -item[1].get("calls", 0))
    )
    for key, data in ranked[:MAX_LABELS]:
        x, y = pos[key]
        axes.annotate(
            str(data.get("label", key)),
            (x, y),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            zorder=3,
        )
    axes.set_aspect("equal")
    axes.autoscale_view()
    axes.margins(0.08)
