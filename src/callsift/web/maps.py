"""Pages that show the case as a whole: the call graph, a number's profile, time and place.

The graph is the one ``callsift graph`` exports (numbers as nodes, Louvain
communities, betweenness), drawn with a seeded layout; a click on a number
opens its profile beside the graph. The timeline puts the calls per day and
the dates spoken in them on one axis; the map places every place spoken of
at its gazetteer coordinates, sized by the calls that name it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from callsift.errors import CallsiftError
from callsift.graph.callgraph import case_graph, graph_summary
from callsift.graph.profiles import number_profile
from callsift.store.analysis import entity_counts
from callsift.store.overview import case_counts, spoken_dates
from callsift.web.charts import PALETTE, day_bars, graph_picture, map_picture
from callsift.web.errors import NotFound
from callsift.web.render import page
from callsift.web.security import Reading

__all__ = ["router"]

router = APIRouter()


@router.get("/cases/{case}/graph", response_class=HTMLResponse)
def graph_page(request: Request, ctx: Reading) -> Response:
    graph = case_graph(ctx.store, refresh_numbers=False)
    return page(
        request,
        "graph.html",
        {
            "picture": graph_picture(graph),
            "summary": graph_summary(graph),
            "palette": PALETTE,
        },
        case=ctx,
    )


@router.get("/cases/{case}/number", response_class=HTMLResponse)
def profile(request: Request, ctx: Reading, n: str) -> Response:
    """A number's profile: the page, or the side panel of the graph (htmx)."""
    graph = case_graph(ctx.store, refresh_numbers=False)
    try:
        found = number_profile(ctx.store, graph, n)
    except CallsiftError:
        raise NotFound("no call in this case involves this number") from None
    name = "_profile.html" if "hx-request" in request.headers else "profile.html"
    return page(request, name, {"p": found}, case=ctx)


@dataclass(frozen=True)
class Said:
    """A date spoken in a call, placed on the timeline."""

    day: date
    call_id: int
    file: str
    text: str
    start: float
    off_by_days: int | None


def _said(ctx: Reading) -> list[Said]:
    found = []
    for spoken in spoken_dates(ctx.store):
        year = (spoken.started_at or "")[:4]
        text = spoken.normal if not spoken.normal.startswith("--") else f"{year}{spoken.normal[1:]}"
        try:
            day = date.fromisoformat(text)
        except ValueError:
            continue  # no year known (undated call) or not a calendar day
        called = None
        if spoken.started_at:
            called = (day - date.fromisoformat(spoken.started_at[:10])).days
        found.append(Said(day, spoken.call_id, spoken.file, spoken.text, spoken.start, called))
    return sorted(found, key=lambda s: (s.day, s.call_id))


def _mapped_places(ctx: Reading) -> list[tuple[str, float, float, int]]:
    """``(English name, lat, lon, calls)`` of every place spoken of that the gazetteer knows."""
    places = []
    for row in entity_counts(ctx.store, ("LOC",)):
        attrs = cast(dict[str, Any], row["attrs"])
        if "lat" in attrs and "lon" in attrs:
            name = str(attrs.get("english") or row["normal"])
            places.append((name, float(attrs["lat"]), float(attrs["lon"]), cast(int, row["calls"])))
    return places


@router.get("/cases/{case}/timeline", response_class=HTMLResponse)
def timeline(request: Request, ctx: Reading) -> Response:
    counts = case_counts(ctx.store)
    places = _mapped_places(ctx)
    said = _said(ctx)
    bars, markers = day_bars(
        counts.per_day, [(s.day, f"“{s.text}” in call {s.call_id} ({s.day})") for s in said]
    )
    return page(
        request,
        "timeline.html",
        {
            "bars": bars,
            "markers": markers,
            "per_day": counts.per_day,
            "undated": counts.undated,
            "said": said,
            "map": map_picture(places),
            "places": sorted(places, key=lambda p: -p[3]),
        },
        case=ctx,
    )
