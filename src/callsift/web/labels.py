"""Labels that never overlap, for the pictures drawn on the server (graph, map).

A label nobody can read because another lies on top of it says nothing, so
labels are placed greedily, most important first: each tries a few spots
around its mark (right, left, above, below) and takes the first whose box
stays inside the picture and touches no label already placed and no mark.
What does not fit is left out; its mark keeps its full text as a tooltip.

For a zoomable picture the same pass runs again at each zoom ``level`` with
text ``1/level`` as large in picture units: such a label is shown only when
the reader has zoomed in that far, where it reads at the normal size, and
its box was checked against every label shown with it. The width of a text
is estimated on the generous side (``EM`` per character), so a browser's
real glyph box lies inside the box checked here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["EM", "Box", "Label", "PicLabel", "Wanted", "place_labels", "text_box"]

EM = 0.72
"""Width of one character in font sizes, on the generous side: Chromium on Debian
measured phone numbers at 0.705 (digits, and a wide ``+``); Arial's digits are 0.556."""

PAD = 0.1
"""Room kept around a label, so positions rounded for the page (0.01) never touch."""

Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in picture units."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def within(self, other: Box) -> bool:
        return (
            self.x0 >= other.x0 and self.y0 >= other.y0 and self.x1 <= other.x1
            and self.y1 <= other.y1
        )  # fmt: skip


@dataclass(frozen=True)
class Wanted:
    """A label to place: ``text`` beside a mark of radius ``gap`` at ``(x, y)``.

    ``spots`` lists the sides to try in order; ``"on"`` centres the text on the point.
    """

    key: str
    x: float
    y: float
    text: str
    priority: float
    gap: float = 0.0
    spots: tuple[str, ...] = ("right", "left", "above", "below")


@dataclass(frozen=True)
class Label:
    """A placed label: SVG ``<text x y text-anchor font-size>`` and its box."""

    key: str
    x: float
    y: float
    text: str
    anchor: Anchor
    size: float
    level: int
    box: Box

    def drawn(self, css: str, kind: str) -> PicLabel:
        """The label as a template writes it, in the set and of the kind named."""
        x, y, size = round(float(self.x), 2), round(float(self.y), 2), round(self.size, 2)
        return PicLabel(x, y, self.text, self.anchor, size, css, kind)


@dataclass(frozen=True)
class PicLabel:
    """A label as a template writes it; ``css`` names its set (``desk``/``phone``) and level."""

    x: float
    y: float
    text: str
    anchor: str
    size: float
    css: str
    kind: str


def text_box(x: float, y: float, text: str, size: float, anchor: Anchor) -> Box:
    """The box a text drawn at baseline ``(x, y)`` covers, generously."""
    width = EM * size * len(text)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return Box(left, y - 0.95 * size, left + width, y + 0.3 * size)


def _spot(want: Wanted, spot: str, size: float) -> tuple[float, float, Anchor]:
    gap = want.gap + size * 0.25
    if spot == "right":
        return want.x + gap, want.y + size * 0.35, "start"
    if spot == "left":
        return want.x - gap, want.y + size * 0.35, "end"
    if spot == "above":
        return want.x, want.y - gap - size * 0.3, "middle"
    if spot == "below":
        return want.x, want.y + gap + size * 0.95, "middle"
    return want.x, want.y + size * 0.35, "middle"


def place_labels(
    wanted: Sequence[Wanted],
    bounds: Box,
    obstacles: Sequence[Box] = (),
    size: float = 12.0,
    levels: Sequence[int] = (1,),
) -> list[Label]:
    """Place what fits, most important first, at each zoom level in turn.

    Args:
        wanted: the labels wished for.
        bounds: the picture; a label never crosses its edge.
        obstacles: boxes no label may cover (the marks themselves).
        size: font size at level 1, in picture units.
        levels: zoom factors to try, smallest first (``(1,)``: no zoom).

    Returns:
        The labels placed, each at most once; no two boxes overlap.
    """
    placed: list[Label] = []
    done: set[str] = set()
    order = sorted(wanted, key=lambda w: (-w.priority, w.key))
    for level in levels:
        scaled = size / level
        for want in order:
            if want.key in done:
                continue
            for spot in want.spots:
                x, y, anchor = _spot(want, spot, scaled)
                box = text_box(x, y, want.text, scaled, anchor)
                room = Box(box.x0 - PAD, box.y0 - PAD, box.x1 + PAD, box.y1 + PAD)
                if not room.within(bounds):
                    continue
                if any(room.overlaps(other.box) for other in placed):
                    continue
                if any(room.overlaps(mark) for mark in obstacles):
                    continue
                placed.append(Label(want.key, x, y, want.text, anchor, scaled, level, box))
                done.add(want.key)
                break
    return placed
