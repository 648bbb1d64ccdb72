"""The JSON API: the same operations as the pages, for scripts and other tools.

Sign in with ``POST /api/login`` (JSON ``{"username", "password"}``), keep the
session cookie, and send the ``csrf_token`` it returns as ``X-CSRF-Token``
with every POST. A call's document is the one ``callsift show --json``
prints; search hits are those of ``callsift search --json``. The case is
the ``case`` query parameter (see ``GET /api/cases``), which a member of a
single case may leave out. The same access rules as the pages apply, and
the same custody: a call's document, the list of calls and search hits are
each logged as a view of the calls they show. The schema is served at
``/openapi.json``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from callsift.analyze.run import AnalyzeOptions, analyze_unless_busy
from callsift.search import SearchError
from callsift.store import case_status, list_calls
from callsift.store.certainty import certainties
from callsift.store.jobs import recent_jobs
from callsift.store.review import add_annotation, correct_segment
from callsift.store.translations import correct_translation
from callsift.verify.status import set_status, verification_list
from callsift.web.calls import existing_call, open_call, vouched_note
from callsift.web.errors import BadRequest
from callsift.web.inputs import MAX_CHANNEL, MAX_ID, MAX_LINKS, MAX_SECONDS, CallId, SegmentId
from callsift.web.pages import MAX_OFFSET, Filters, log_views, run_search
from callsift.web.security import Annotating, Correcting, Reading, SignedIn, Verifying

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])


class AnnotationIn(BaseModel):
    text: str = Field(max_length=10_000)
    channel: int | None = Field(None, ge=0, le=MAX_CHANNEL)
    start: float | None = Field(None, ge=0, le=MAX_SECONDS, allow_inf_nan=False)


class CorrectionIn(BaseModel):
    text: str = Field(max_length=10_000)
    version: int = Field(
        ge=0, le=MAX_ID, description="the segment's version you corrected (1: never corrected)"
    )
    note: str = Field("", max_length=2_000)


class VerificationIn(BaseModel):
    status: str = Field(max_length=100)
    version: int = Field(
        ge=0, le=MAX_ID, description="the record's version you saw (0: never reviewed)"
    )
    note: str = Field("", max_length=10_000)
    links: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field([], max_length=MAX_LINKS)


@router.get("/cases")
def cases(request: Request, who: SignedIn) -> list[dict[str, str]]:
    """The cases you are a member of."""
    return [
        {"name": case.slug, "title": case.title, "uuid": case.uuid}
        for case in request.app.state.cases.values()
        if case.uuid in who.account.cases
    ]


@router.get("/status")
def status(ctx: Reading) -> dict[str, Any]:
    """Counts per stage and failures (as ``callsift status --json``), and recent jobs."""
    return {**asdict(case_status(ctx.store)), "jobs": [asdict(j) for j in recent_jobs(ctx.store)]}


@router.get("/calls")
def calls(ctx: Reading) -> list[dict[str, Any]]:
    """Every call (as ``callsift list --json``) with its verification status."""
    reviews = {record.call_id: record for record in verification_list(ctx.store)}
    sure = certainties(ctx.store)
    found = list_calls(ctx.store)
    log_views(ctx, found, via="api")
    return [
        {
            **asdict(call),
            "verification": reviews[call.id].status,
            "certainty": sure[call.id].summary() if call.id in sure else None,
        }
        for call in found
    ]


@router.get("/calls/{call_id}")
def call(ctx: Reading, call_id: CallId) -> dict[str, Any]:
    """One call's whole document (as ``callsift show --json``); logged as a view."""
    dossier = open_call(ctx, call_id)
    ctx.store.log("view", dossier.call.sha256, call_id=call_id, via="api")
    return dossier.document()


@router.get("/search")
def search(
    ctx: Reading,
    filters: Filters,
    q: str = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """A page of hits best first (as ``callsift search --json``), with total and facets.

    ``total`` counts every hit; ``hits`` holds ``limit`` of them from
    ``offset``. Without ``q``, a filter alone lists the calls it picks (one
    hit per call, ``by_call``). Nothing to search for, or a query of more than
    ``MAX_QUERY_CHARS`` characters or ``MAX_QUERY_WORDS`` words, is refused (400).
    """
    try:
        result = run_search(ctx, q, filters, limit, via="api", offset=offset)
    except SearchError as error:
        raise BadRequest(str(error)) from None
    return asdict(result)


@router.post("/calls/{call_id}/annotations", status_code=201)
def annotate(
    ctx: Annotating, call_id: CallId, body: Annotated[AnnotationIn, Body()]
) -> dict[str, Any]:
    existing_call(ctx, call_id)
    note = add_annotation(ctx.store, call_id, ctx.viewer.name, body.text, body.channel, body.start)
    return asdict(note)


@router.post("/calls/{call_id}/segments/{segment_id}")
def correct(
    request: Request,
    ctx: Correcting,
    call_id: CallId,
    segment_id: SegmentId,
    body: Annotated[CorrectionIn, Body()],
) -> dict[str, Any]:
    """Correct a segment's text; 409 if it changed since ``version``."""
    existing_call(ctx, call_id)
    version = correct_segment(
        ctx.store, call_id, segment_id, body.text, ctx.viewer.name, body.version, body.note
    )
    analyze_unless_busy(ctx.store, AnalyzeOptions(request.app.state.settings.watchlists), call_id)
    return {"call_id": call_id, "segment_id": segment_id, "version": version}


@router.post("/calls/{call_id}/segments/{segment_id}/english")
def correct_english(
    ctx: Correcting,
    call_id: CallId,
    segment_id: SegmentId,
    body: Annotated[CorrectionIn, Body()],
) -> dict[str, Any]:
    """Correct a segment's English; 409 if it changed since ``version``."""
    existing_call(ctx, call_id)
    version = correct_translation(
        ctx.store, call_id, segment_id, body.text, ctx.viewer.name, body.version, body.note
    )
    return {"call_id": call_id, "segment_id": segment_id, "english_version": version}


@router.post("/calls/{call_id}/verification")
def verify(
    request: Request, ctx: Verifying, call_id: CallId, body: Annotated[VerificationIn, Body()]
) -> dict[str, Any]:
    """Set the call's verification status; 409 if it changed since ``version``.

    Whoever corrected the call's transcript may not mark it verified or
    corroborated (400), unless the server allows self-verification.
    """
    existing_call(ctx, call_id)
    note = vouched_note(request, ctx, call_id, body.status, body.note)
    record = set_status(
        ctx.store, call_id, body.status, ctx.viewer.name, note, body.links, body.version
    )
    return asdict(record)
