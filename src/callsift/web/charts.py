"""Geometry of the charts the pages draw as SVG: bars of calls over time, waveform.

Each function turns records into plain shapes with coordinates in a fixed
view box; the templates write them out as SVG elements, escaping every
label like any other text. Drawing on the server keeps the pages free of
chart libraries and lets a page print as it is shown. The call graph and
the map have their own modules (``graphview``, ``mapview``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from callsift.audio.playback import Waveform

__all__ = [
    "PALETTE",
    "Bar",
    "BarChart",
    "Marker",
    "Tick",
    "day_bars",
    "near_the_calls",
    "waveform_path",
]

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
)  # fmt: skip

MAX_DAY_BARS = 31
"""Beyond this many days the bars count calls per week (Monday to Sunday): a
month of one-call days is a row of equal bars that says nothing."""
MARK_REACH_DAYS = (31, 366)
"""How far from the calls' days a date said is still drawn: the calls' own span,
but at least a month and at most a year. "9 мая 1945 года" said in a 2022 call
once stretched the axis over 77 years (4,000 weekly bars, every call in one)."""
LEFT, TOP, BOTTOM = 44.0, 28.0, 28.0
"""Room for the count axis on the left, a count above the tallest bar, dates below."""


@dataclass(frozen=True)
class Bar:
    """Calls from ``start`` to ``end`` (ISO days, both included); height is to scale."""

    x: float
    y: float
    width: float
    height: float
    start: str
    end: str
    count: int


@dataclass(frozen=True)
class Marker:
    x: float
    label: str


@dataclass(frozen=True)
class Tick:
    """A line across the chart at ``count`` calls."""

    y: float
    count: int


@dataclass(frozen=True)
class BarChart:
    """Bars to scale against a count axis; ``unit`` is ``day`` or ``week``."""

    bars: list[Bar]
    markers: list[Marker]
    ticks: list[Tick]
    unit: str
    first: str
    last: str
    width: float
    height: float
    left: float
    base: float


def _ticks(top: int) -> list[int]:
    """0, the top and a round step or two between, never a fraction of a call."""
    if top <= 1:
        return [0, 1]
    step = max(1, round(top / 2))
    return sorted({0, top, *range(step, top, step)})


def near_the_calls(per_day: Sequence[tuple[str, int]], days: Sequence[date]) -> list[bool]:
    """For each day said, whether the chart draws it (see ``MARK_REACH_DAYS``).

    Without a dated call, the days said are measured from their own middle one.
    A date left out is still listed with the others under the chart.
    """
    anchors = sorted(date.fromisoformat(day) for day, _ in per_day) or sorted(days)
    if not anchors:
        return []
    if per_day:
        first, last = anchors[0], anchors[-1]
    else:
        first = last = anchors[len(anchors) // 2]
    low, high = MARK_REACH_DAYS
    reach = timedelta(min(max((last - first).days, low), high))
    return [first - reach <= day <= last + reach for day in days]


def day_bars(
    per_day: Sequence[tuple[str, int]],
    marks: Sequence[tuple[date, str]] = (),
    width: float = 800,
    height: float = 160,
) -> BarChart | None:
    """Calls per day (per week over ``MAX_DAY_BARS`` days), and a marker per ``(day, label)``.

    The axis spans the calls and the marks both, so a date spoken in a call
    that lies outside the calls' own days still shows where it falls (give
    only the marks ``near_the_calls`` keeps). Each
    bar's height is its count over the largest count; ``None`` when nothing
    is dated.
    """
    counts = Counter({date.fromisoformat(day): n for day, n in per_day})
    days_seen = list(counts) + [day for day, _ in marks]
    if not days_seen:
        return None
    first, last = min(days_seen), max(days_seen)
    weekly = (last - first).days + 1 > MAX_DAY_BARS
    if weekly:
        first -= timedelta(first.weekday())
        last += timedelta(6 - last.weekday())
    size = 7 if weekly else 1
    buckets: Counter[date] = Counter()
    for day, n in counts.items():
        buckets[first + timedelta(((day - first).days // size) * size)] += n
    span = (last - first).days + 1
    per_day_x = (width - LEFT) / span
    base = height - BOTTOM
    top = max(buckets.values(), default=1) or 1
    bars = []
    for k in range(0, span, size):
        start = first + timedelta(k)
        n = buckets.get(start, 0)
        h = (base - TOP) * n / top
        bars.append(
            Bar(
                round(LEFT + k * per_day_x, 2),
                round(base - h, 2),
                round(max(size * per_day_x - 1, 1), 2),
                round(h, 2),
                start.isoformat(),
                (start + timedelta(size - 1)).isoformat(),
                n,
            )
        )
    markers = [
        Marker(round(LEFT + ((day - first).days + 0.5) * per_day_x, 2), label)
        for day, label in marks
    ]
    ticks = [Tick(round(base - (base - TOP) * c / top, 2), c) for c in _ticks(top)]
    return BarChart(
        bars,
        markers,
        ticks,
        "week" if weekly else "day",
        first.isoformat(),
        last.isoformat(),
        width,
        height,
        LEFT,
        base,
    )


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
