"""Saving and deleting a user's saved searches (watch terms); the search page lists them.

Any member who can read the case may keep saved searches: they are the
user's own (``store.saved``), never shown to anyone else, and hold no call
content. A search is run once before it is saved, so one that cannot be run
is refused with why (400) instead of being kept.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRouter

from callsift.errors import ReviewError
from callsift.records import SearchFilters
from callsift.search import SearchError
from callsift.store.saved import delete_saved, save_search
from callsift.verify.status import STATUSES
from callsift.web.errors import BadRequest
from callsift.web.inputs import MAX_ID
from callsift.web.pages import MAX_QUERY_CHARS, run_search
from callsift.web.security import Reading

__all__ = ["router"]

router = APIRouter()

_FILTER = Annotated[str, Form(max_length=200)]


@router.post("/cases/{case}/saved")
def save(
    ctx: Reading,
    name: Annotated[str, Form(max_length=1_000)],
    q: Annotated[str, Form(max_length=MAX_QUERY_CHARS * 4)] = "",
    lang: Annotated[str, Form(pattern="^(ru|uk|en)?$")] = "",
    date_from: Annotated[str, Form(alias="from", max_length=200)] = "",
    date_to: Annotated[str, Form(alias="to", max_length=200)] = "",
    number: _FILTER = "",
    flag: _FILTER = "",
    entity: _FILTER = "",
    unit: _FILTER = "",
    status: _FILTER = "",
    exact: Annotated[bool, Form()] = False,
) -> Response:
    """Save the search under ``name`` (replacing the user's search of that name), then open it."""
    if status and status not in STATUSES:
        raise BadRequest(f"choose a status: {', '.join(STATUSES)}")
    filters = SearchFilters(
        lang or None,
        date_from or None,
        date_to or None,
        number.strip() or None,
        flag or None,
        entity.strip() or None,
        unit.strip() or None,
        status or None,
        exact=exact,
    )
    try:
        run_search(ctx, q, filters, 1, via="web")
        kept = save_search(ctx.store, ctx.viewer.name, name, q, filters)
    except (SearchError, ReviewError) as refused:
        raise BadRequest(f"not saved: {refused}") from None
    return RedirectResponse(f"/cases/{ctx.case.slug}/search?saved={kept.id}", status_code=303)


@router.post("/cases/{case}/saved/delete")
def delete(ctx: Reading, saved: Annotated[int, Form(ge=1, le=MAX_ID)]) -> Response:
    """Delete one of the user's saved searches (none of theirs: nothing to do); back to search."""
    delete_saved(ctx.store, ctx.viewer.name, saved)
    return RedirectResponse(f"/cases/{ctx.case.slug}/search", status_code=303)
