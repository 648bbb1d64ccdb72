"""The case pages: the list of one's cases, the dashboard with live progress, calls, search.

The list of calls and search hits show numbers and transcript text, so
each is logged in the custody log as a view of the calls it shows (one
entry naming them all). A query is bounded (``MAX_QUERY_CHARS``,
``MAX_QUERY_WORDS``): thousands of prefix terms would hold a worker for
half a minute, and no one types them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from callsift.graph.phones import number_summaries
from callsift.records import Call, SearchFilters, SearchHit, SearchResult
from callsift.search import (
    Marked,
    SearchError,
    highlight_spans,
    hit_spans,
    marked,
    parse_query,
    search,
)
from callsift.store import CaseStore, case_status, list_calls
from callsift.store.analysis import entity_counts
from callsift.store.certainty import certainties, review_queue
from callsift.store.jobs import Job, recent_jobs
from callsift.store.overview import case_counts
from callsift.verify.status import STATUSES, verification_list
from callsift.web.charts import day_bars
from callsift.web.render import page
from callsift.web.security import CaseContext, Reading, SignedIn

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "Filters",
    "log_views",
    "router",
    "run_search",
]

router = APIRouter()

MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32
_FILTER_CHARS = 200

# A job that has not reported for this long is shown as no longer running.
STALE_S = 300.0


def _live(job: Job) -> bool:
    if job.state != "running":
        return False
    age = datetime.now(UTC) - datetime.fromisoformat(job.updated_at)
    return age.total_seconds() < STALE_S


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: SignedIn) -> Response:
    mine = [c for c in request.app.state.cases.values() if c.uuid in who.account.cases]
    return page(request, "cases.html", {"cases": mine}, viewer=who)


@router.get("/cases/{case}/", response_class=HTMLResponse)
def dashboard(request: Request, ctx: Reading) -> Response:
    store = ctx.store
    counts = case_counts(store)
    return page(
        request,
        "dashboard.html",
        {
            "status": case_status(store),
            "counts": counts,
            "bars": day_bars(counts.per_day)[0],
            "places": entity_counts(store, ("LOC",))[:10],
            "units": entity_counts(store, ("unit",))[:10],
            "numbers": number_summaries(store)[:10],
            **_progress(store),
        },
        case=ctx,
    )


def _progress(store: CaseStore) -> dict[str, object]:
    jobs = recent_jobs(store)
    return {"jobs": jobs, "live": [job for job in jobs if _live(job)]}


@router.get("/cases/{case}/progress", response_class=HTMLResponse)
def progress(request: Request, ctx: Reading) -> Response:
    """The live status fragment the dashboard polls while a job runs."""
    return page(request, "_progress.html", _progress(ctx.store), case=ctx)


def log_views(ctx: CaseContext, shown: Iterable[Call | SearchHit], via: str, **detail: str) -> None:
    """One custody entry: the user saw these calls' numbers or words (``via`` where)."""
    ids = sorted({item.id if isinstance(item, Call) else item.call_id for item in shown})
    if ids:
        ctx.store.log("view", None, call_ids=ids, via=via, **detail)


@router.get("/cases/{case}/calls", response_class=HTMLResponse)
def calls(
    request: Request, ctx: Reading, sort: Annotated[Literal["id", "certainty"], Query()] = "id"
) -> Response:
    """Every call; ``sort=certainty`` is the review queue: least certain first, unreviewed only."""
    reviews = {record.call_id: record for record in verification_list(ctx.store)}
    found = list_calls(ctx.store)
    if sort == "certainty":
        by_id = {call.id: call for call in found}
        found = [by_id[row.call_id] for row in review_queue(ctx.store) if row.call_id in by_id]
    log_views(ctx, found, via="web")
    context = {"calls": found, "reviews": reviews, "sure": certainties(ctx.store), "sort": sort}
    return page(request, "calls.html", context, case=ctx)


@dataclass(frozen=True)
class ShownHit:
    hit: SearchHit
    text: list[Marked]
    translation: list[Marked]


def run_search(
    ctx: CaseContext, q: str, filters: SearchFilters, limit: int, via: str
) -> SearchResult:
    """The search behind both the page and ``GET /api/search``; its hits are logged as views.

    Raises:
        SearchError: nothing to search for, or a query beyond the bounds.
    """
    if len(q) > MAX_QUERY_CHARS:
        raise SearchError(
            f"a query has at most {MAX_QUERY_CHARS} characters (this one has {len(q)})"
        )
    words = sum(len(term.words) for term in parse_query(q))
    if words > MAX_QUERY_WORDS:
        raise SearchError(f"a query has at most {MAX_QUERY_WORDS} words (this one has {words})")
    result = search(ctx.store, q, filters, limit=limit, facets=True)
    log_views(ctx, result.hits, via=via, query=q)
    return result


def search_filters(
    lang: Annotated[str | None, Query(pattern="^(ru|uk|en)?$")] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=_FILTER_CHARS)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=_FILTER_CHARS)] = None,
    number: Annotated[str | None, Query(max_length=_FILTER_CHARS)] = None,
    flag: Annotated[str | None, Query(max_length=_FILTER_CHARS)] = None,
    entity: Annotated[str | None, Query(max_length=_FILTER_CHARS)] = None,
    unit: Annotated[str | None, Query(max_length=_FILTER_CHARS)] = None,
    status: Annotated[str | None, Query(max_length=_FILTER_CHARS)] = None,
    exact: bool = False,
) -> SearchFilters:
    """The filters of the search page's form and of ``GET /api/search``; empty means none.

    ``exact`` leaves out approximate hits (words that only sound like the query).
    """
    return SearchFilters(
        lang or None,
        date_from or None,
        date_to or None,
        number or None,
        flag or None,
        entity or None,
        unit or None,
        status or None,
        exact=exact,
    )


Filters = Annotated[SearchFilters, Depends(search_filters)]


@router.get("/cases/{case}/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    ctx: Reading,
    filters: Filters,
    q: str = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """The search form and its hits; a query that cannot be run answers 400 with why."""
    result, error, shown = None, "", []
    if q.strip():
        try:
            result = run_search(ctx, q, filters, limit, via="web")
            terms = parse_query(q)
        except SearchError as problem:
            error = str(problem)
        else:
            shown = [
                ShownHit(
                    hit,
                    marked(hit.text, hit_spans(hit, terms)),
                    marked(
                        hit.translation or "",
                        highlight_spans(hit.translation or "", "en", terms, english=True),
                    ),
                )
                for hit in result.hits
            ]
    return page(
        request,
        "search.html",
        {
            "q": q,
            "filters": filters,
            "result": result,
            "hits": shown,
            "error": error,
            "statuses": STATUSES,
            "topics": sorted(case_counts(ctx.store).flags),
        },
        case=ctx,
        status_code=400 if error else 200,
    )
