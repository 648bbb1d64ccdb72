"""The case pages: the list of one's cases, the dashboard with live progress, search.

Search hits (and the list of calls, in ``web.browse``) show numbers and
transcript text, so each is logged in the custody log as a view of the calls
it shows (one entry naming them all). Hits come a page at a time, with the
total; a filter alone lists its calls; ``?saved=`` opens a saved search. A
query is bounded (``MAX_QUERY_CHARS``, ``MAX_QUERY_WORDS``): thousands of
prefix terms would hold a worker for half a minute, and no one types them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

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
from callsift.search.watch import open_saved, watched
from callsift.store import CaseStore, case_status
from callsift.store.analysis import entity_counts
from callsift.store.jobs import Job, recent_jobs
from callsift.store.overview import case_counts, flag_topics
from callsift.store.reliability import unreliable_count
from callsift.store.saved import saved_search
from callsift.verify.status import STATUSES
from callsift.web.charts import day_bars
from callsift.web.errors import NotFound
from callsift.web.inputs import MAX_ID, page_links
from callsift.web.render import page
from callsift.web.security import CaseContext, Reading, SignedIn

__all__ = [
    "MAX_OFFSET",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "Filters",
    "log_views",
    "router",
    "run_search",
    "search_params",
]

router = APIRouter()

MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32
DEFAULT_LIMIT = 50
MAX_PAGE = 100_000
MAX_OFFSET = MAX_PAGE * 500
"""How deep a search pages: far past any list a person reads (SQLite steps over skipped rows)."""
_FILTER_CHARS = 200

FAILURES_SHOWN = 20
"""Failures listed on the dashboard; the rest are in the calls list (``state=failed``)."""

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
            "chart": day_bars(counts.per_day),
            "places": entity_counts(store, ("LOC",))[:10],
            "units": entity_counts(store, ("unit",))[:10],
            "numbers": number_summaries(store, limit=10),
            "unreliable": unreliable_count(store),
            "failures_shown": FAILURES_SHOWN,
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


@dataclass(frozen=True)
class ShownHit:
    hit: SearchHit
    text: list[Marked]
    translation: list[Marked]


def run_search(
    ctx: CaseContext, q: str, filters: SearchFilters, limit: int, via: str, offset: int = 0
) -> SearchResult:
    """The search behind both the page and ``GET /api/search``; its hits are logged as views.

    With no words, a filter alone lists the calls it picks (``SearchResult.by_call``).

    Raises:
        SearchError: nothing to search for, or a query beyond the bounds.
    """
    if len(q) > MAX_QUERY_CHARS:
        raise SearchError(
            f"a query has at most {MAX_QUERY_CHARS} characters (this one has {len(q)})"
        )
    words = sum(len(term.words) for term in parse_query(q)) if q.strip() else 0
    if words > MAX_QUERY_WORDS:
        raise SearchError(f"a query has at most {MAX_QUERY_WORDS} words (this one has {words})")
    result = search(ctx.store, q, filters, limit=limit, facets=True, offset=offset)
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
    limit: Annotated[int, Query(ge=1, le=200)] = DEFAULT_LIMIT,
    page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    saved: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The search form and a page of its hits; a query that cannot be run answers 400 with why.

    ``saved`` opens one of the user's saved searches (its new hits marked) and
    counts it seen up to now; a filter alone, without words, lists its calls.
    """
    result, error, shown = None, "", []
    opened, new_since = None, None
    if saved is not None:
        opened = saved_search(ctx.store, ctx.viewer.name, saved)
        if opened is None:
            raise NotFound()
        q, filters, new_since = opened.query, opened.filters, open_saved(ctx.store, opened)
    if q.strip() or filters.narrows():
        try:
            offset = (page_number - 1) * limit
            result = run_search(ctx, q, filters, limit, via="web", offset=offset)
            terms = parse_query(q) if q.strip() else []
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
            "topics": flag_topics(ctx.store),
            "watched": watched(ctx.store, ctx.viewer.name),
            "opened": opened,
            "new_since": new_since,
            "page_number": page_number,
            "limit": limit,
            "paging": _paging(result, q, filters, page_number, limit),
        },
        case=ctx,
        status_code=400 if error else 200,
    )


def search_params(q: str, filters: SearchFilters) -> dict[str, str]:
    """The search page's address parameters for ``q`` and ``filters`` (empty ones left out)."""
    values = {
        "q": q,
        "lang": filters.lang,
        "from": filters.date_from,
        "to": filters.date_to,
        "number": filters.number,
        "flag": filters.flag,
        "entity": filters.entity,
        "unit": filters.unit,
        "status": filters.status,
        "exact": "true" if filters.exact else None,
    }
    return {key: value for key, value in values.items() if value}


def _paging(
    result: SearchResult | None, q: str, filters: SearchFilters, number: int, limit: int
) -> dict[str, str]:
    """The addresses of the previous and next pages of hits (absent at either end)."""
    if result is None:
        return {}
    params: dict[str, str | int] = {**search_params(q, filters)}
    if limit != DEFAULT_LIMIT:
        params["limit"] = limit
    return page_links(params, number, result.offset + len(result.hits) < result.total)
