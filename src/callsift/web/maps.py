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
The timeline reads only what it shows (``store.overview``): the calls per
day, one date said per day for the marks and the places, each placed or
added up in SQL and kept per change of the case (``web.timecache``), and
``SAID_PER_PAGE`` dates said, paged in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from callsift.errors import CallsiftError
from callsift.graph.cache import CaseGraph, graph_for_view, period_graph
from callsift.graph.flows import Flow
from callsift.graph.profiles import number_in_case, number_profile
from callsift.store.overview import SpokenDate, spoken_dates
from callsift.web.charts import PALETTE, day_bars, near_the_calls
from callsift.web.errors import NotFound, NotYet
from callsift.web.formats import written_date
from callsift.web.graphview import GraphPicture, graph_picture
from callsift.web.i18n import current_language
from callsift.web.inputs import day_param, page_links
from callsift.web.mapview import cached_map
from callsift.web.render import page
from callsift.web.security import Reading
from callsift.web.timecache import timeline_figures

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
    case = graph_for_view(ctx.store)
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
            "refreshing": found.refreshing,
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
    case = graph_for_view(ctx.store)
    offset = (page_number - 1) * PROFILE_CALLS
    try:
        found = number_profile(ctx.store, case.graph, n, offset, PROFILE_CALLS)
    except CallsiftError:
        if case.refreshing and number_in_case(ctx.store, n):
            raise NotYet(
                "this number is new since the call graph was last computed; its profile"
                " is ready once the graph being computed now is (about a minute for a"
                " large case): reload then"
            ) from None
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


def _said(spoken: SpokenDate) -> Said:
    """A date said as the page shows it, and how many days it lies from its call's."""
    day = date.fromisoformat(spoken.day) if spoken.day else None
    called = None
    if day is not None and spoken.call_day:
        try:
            called = (day - date.fromisoformat(spoken.call_day)).days
        except ValueError:
            called = None  # the call's own date is not a calendar day
    return Said(
        day,
        not spoken.normal.startswith("--"),
        spoken.normal,
        spoken.call_id,
        spoken.file,
        spoken.text,
        spoken.start,
        called,
    )


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
    return written_date(found, "d MMMM y" if said.year_said else "d MMMM", current_language())


@router.get("/cases/{case}/timeline", response_class=HTMLResponse)
def timeline(request: Request, ctx: Reading, page_number: Page = 1) -> Response:
    """Calls and spoken dates on one axis (each day said marked once; ``SAID_PER_PAGE`` dates
    listed a page at a time), and the map."""
    found = timeline_figures(ctx.store)
    offset = (page_number - 1) * SAID_PER_PAGE
    said = [_said(s) for s in spoken_dates(ctx.store, offset, SAID_PER_PAGE)]
    marks = [_said(s) for s in found.days]  # one red mark a day: thousands would not be read
    near = near_the_calls(found.per_day, [cast(date, s.day) for s in marks])
    dated = [s for s, drawn in zip(marks, near, strict=True) if drawn]
    chart = day_bars(found.per_day, [(cast(date, s.day), str(s.call_id)) for s in dated])
    return page(
        request,
        "timeline.html",
        {
            "chart": chart,
            "per_day": found.per_day,
            "undated": found.undated,
            "said": said,
            "said_total": found.said,
            "first_said": offset + 1,
            "pages": page_links({}, page_number, offset + SAID_PER_PAGE < found.said),
            "dated": dated,
            "far_days": len(marks) - len(dated),
            "spoken_day": spoken_day,
            "map": cached_map(found.places),
            "places": found.places,
        },
        case=ctx,
    )
