"""Pages that show the case as a whole: the call graph, a number's profile, time and place.

The graph is the one ``callsift graph`` exports (numbers as nodes, Louvain
communities, betweenness), drawn with a seeded layout and arrows from caller
to receiver; a period (``from``/``to``) draws it for the calls of those days
only, with the case's communities. Graph, analytics and picture are computed
once per change of the call graph (``graph.cache``), not per view. The
picture draws the ``MAX_DRAWN`` numbers with the most calls (thousands of
circles are unreadable); the "who called whom, when" table beside it lists
every direction, ``FLOWS_PER_PAGE`` at a time. A click on a number opens its
profile, whose calls come a page at a time. The
timeline puts the calls per day (or week) and the dates spoken in them on
one axis; the map places every place spoken of at its gazetteer
coordinates, over Natural Earth's borders, sized by the calls that name it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, cast

from babel.dates import format_date
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from callsift.errors import CallsiftError
from callsift.graph.cache import CaseGraph, case_graph_cached, period_graph
from callsift.graph.flows import Flow
from callsift.graph.profiles import number_profile
from callsift.store.analysis import entity_counts
from callsift.store.overview import case_counts, spoken_dates
from callsift.web.charts import PALETTE, day_bars
from callsift.web.errors import NotFound
from callsift.web.graphview import GraphPicture, graph_picture
from callsift.web.i18n import current_language
from callsift.web.inputs import day_param, page_links
from callsift.web.mapview import map_picture
from callsift.web.render import page
from callsift.web.security import Reading

__all__ = ["router"]

router = APIRouter()

MAX_DRAWN = 120
"""Numbers drawn in the graph's picture: those with the most calls."""
FLOWS_PER_PAGE = 50
PROFILE_CALLS = 100
SAID_PER_PAGE = 100
MAX_PAGE = 100_000
Page = Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)]


@dataclass(frozen=True)
class FlowRow:
    """A row of "who called whom, when", with the labels and numbers to show and link."""

    flow: Flow
    caller_label: str
    receiver_label: str
    caller_number: str
    receiver_number: str


def _number(key: str) -> str:
    """What the calls list is filtered by: E.164, or the number as written."""
    return key.removeprefix("raw:")


def _picture(found: CaseGraph) -> GraphPicture:
    graph = found.graph
    if len(graph) > MAX_DRAWN:
        busiest = sorted(graph, key=lambda key: (-graph.nodes[key]["calls"], key))[:MAX_DRAWN]
        graph = graph.subgraph(busiest)
    return graph_picture(graph)


@router.get("/cases/{case}/graph", response_class=HTMLResponse)
def graph_page(
    request: Request,
    ctx: Reading,
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    page_number: Page = 1,
) -> Response:
    """The graph of the calls in a period (every call without one) and who called whom."""
    start, end = day_param(date_from, "from"), day_param(date_to, "to")
    case = case_graph_cached(ctx.store)
    found = period_graph(ctx.store, start, end)
    label = {key: data["label"] for key, data in found.graph.nodes(data=True)}
    offset = (page_number - 1) * FLOWS_PER_PAGE
    rows = [
        FlowRow(f, label[f.caller], label[f.receiver], _number(f.caller), _number(f.receiver))
        for f in found.flows[offset : offset + FLOWS_PER_PAGE]
    ]
    shown = sorted({i for f in rows for i in f.flow.call_ids})
    if shown:
        ctx.store.log("view", None, call_ids=shown, via="graph")
    return page(
        request,
        "graph.html",
        {
            "picture": found.derived("picture", _picture),
            "drawn": min(MAX_DRAWN, len(found.graph)),
            "summary": found.summary,
            "palette": PALETTE,
            "flows": rows,
            "flows_total": len(found.flows),
            "first_row": offset + 1,
            "pages": page_links(
                {"from": date_from, "to": date_to},
                page_number,
                offset + FLOWS_PER_PAGE < len(found.flows),
            ),
            "start": start.isoformat() if start else "",
            "end": end.isoformat() if end else "",
            "earliest": case.first_day or "",
            "latest": case.last_day or "",
        },
        case=ctx,
    )


@router.get("/cases/{case}/number", response_class=HTMLResponse)
def profile(request: Request, ctx: Reading, n: str, page_number: Page = 1) -> Response:
    """A number's profile: the page, or the side panel of the graph (htmx)."""
    graph = case_graph_cached(ctx.store).graph
    offset = (page_number - 1) * PROFILE_CALLS
    try:
        found = number_profile(ctx.store, graph, n, offset, PROFILE_CALLS)
    except CallsiftError:
        raise NotFound("no call in this case involves this number") from None
    name = "_profile.html" if "hx-request" in request.headers else "profile.html"
    more = offset + PROFILE_CALLS < found.total_calls
    return page(
        request, name, {"p": found, "pages": page_links({"n": n}, page_number, more)}, case=ctx
    )


@dataclass(frozen=True)
class Said:
    """A date spoken in a call; ``day`` places it on the timeline (``None``: nowhere to put it).

    A date said without a year (``--03-20``) is placed in the call's own year
    and says so (``year_said`` false); without a dated call it is only listed.
    """

    day: date | None
    year_said: bool
    normal: str
    call_id: int
    file: str
    text: str
    start: float
    off_by_days: int | None


def _said(ctx: Reading) -> list[Said]:
    found = []
    for spoken in spoken_dates(ctx.store):
        call_day = (spoken.started_at or "")[:10]
        year_said = not spoken.normal.startswith("--")
        text = spoken.normal if year_said else f"{call_day[:4]}{spoken.normal[1:]}"
        try:
            day: date | None = date.fromisoformat(text)
        except ValueError:
            day = None  # no year known (undated call) or not a calendar day
        called = None
        if day is not None and call_day:
            called = (day - date.fromisoformat(call_day)).days
        found.append(
            Said(
                day,
                year_said,
                spoken.normal,
                spoken.call_id,
                spoken.file,
                spoken.text,
                spoken.start,
                called,
            )
        )
    return sorted(found, key=lambda s: (s.day or date.max, s.call_id))


def spoken_day(said: Said) -> str:
    """The date as people say it: "20 March 2022", or "20 March" when the year was not said."""
    found = said.day
    if found is None and not said.year_said:
        try:
            found = date(2000, int(said.normal[2:4]), int(said.normal[5:7]))
        except ValueError:
            return said.normal
    if found is None:
        return said.normal
    pattern = "d MMMM y" if said.year_said else "d MMMM"
    return format_date(found, pattern, locale=current_language())


def _mapped_places(ctx: Reading) -> list[tuple[str, float, float, int]]:
    """``(English name, lat, lon, calls)`` of every place spoken of that the gazetteer knows.

    Two spellings of one place (Киев, Київ) are one point: their calls are
    added (a call that says both counts twice, which is rare and errs high).
    """
    merged: dict[tuple[str, float, float], int] = {}
    for row in entity_counts(ctx.store, ("LOC",)):
        attrs = cast(dict[str, Any], row["attrs"])
        if "lat" in attrs and "lon" in attrs:
            name = str(attrs.get("english") or row["normal"])
            key = (name, float(attrs["lat"]), float(attrs["lon"]))
            merged[key] = merged.get(key, 0) + cast(int, row["calls"])
    return [(name, lat, lon, n) for (name, lat, lon), n in merged.items()]


@router.get("/cases/{case}/timeline", response_class=HTMLResponse)
def timeline(request: Request, ctx: Reading, page_number: Page = 1) -> Response:
    """Calls and spoken dates on one axis (each day said marked once; ``SAID_PER_PAGE`` dates
    listed a page at a time), and the map."""
    counts = case_counts(ctx.store)
    places = _mapped_places(ctx)
    said = _said(ctx)
    first_said: dict[date, Said] = {}  # one red mark a day: thousands would not be read
    for s in said:
        if s.day is not None:
            first_said.setdefault(s.day, s)
    dated = list(first_said.values())  # ``said`` is in day order
    offset = (page_number - 1) * SAID_PER_PAGE
    chart = day_bars(counts.per_day, [(cast(date, s.day), str(s.call_id)) for s in dated])
    return page(
        request,
        "timeline.html",
        {
            "chart": chart,
            "per_day": counts.per_day,
            "undated": counts.undated,
            "said": said[offset : offset + SAID_PER_PAGE],
            "said_total": len(said),
            "first_said": offset + 1,
            "pages": page_links({}, page_number, offset + SAID_PER_PAGE < len(said)),
            "dated": dated,
            "spoken_day": spoken_day,
            "map": map_picture(places),
            "places": sorted(places, key=lambda p: -p[3]),
        },
        case=ctx,
    )
