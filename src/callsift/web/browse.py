"""The calls list: filter, sort and page through the calls, and act on several at once.

The list's address is a contract other pages link to (the dashboard's flag
counts, a number's page…)::

    /cases/X/calls?flag=&status=&reliability=&lang=&number=&from=&to=&state=&tag=
                  &sort=date|number|language|status|certainty|id&desc=1&page=N

Pages hold ``PAGE_SIZE`` calls, cut in SQL (``store.browse``), so a case of
100,000 calls never renders at once. Bulk actions take the ticked calls and
report per call what happened: a call refused (a status changed by someone
else since the list was loaded, a note missing, the separation of duties)
does not stop the others. An export is the exception: one package of every
ticked call, or none with the reason, since a package that silently left a
call out would mislead whoever receives it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from callsift.errors import ConflictError, ReviewError
from callsift.store import get_call
from callsift.store.browse import CallQuery, browse_calls
from callsift.store.overview import flag_topics
from callsift.store.tags import add_tag, case_tags, check_tag, remove_tag
from callsift.verify.status import STATUSES, set_status
from callsift.web.calls import vouched_note
from callsift.web.errors import BadRequest
from callsift.web.exports import package_download
from callsift.web.inputs import MAX_ID, day_param
from callsift.web.pages import log_views
from callsift.web.render import page
from callsift.web.security import Annotating, CaseContext, Exporting, Reading, Verifying

__all__ = ["MAX_BULK", "PAGE_SIZE", "Outcome", "router"]

router = APIRouter()

PAGE_SIZE = 100
MAX_PAGE = 1_000_000
MAX_BULK = 1_000
"""Calls one bulk action takes (ten pages); more is a job for the CLI."""

_TEXT = 200
_KEYS = ("flag", "status", "reliability", "lang", "number", "from", "to", "state", "tag")
_DAY = r"^(\d{4}-\d{2}-\d{2})?$"
Text = Annotated[str, Query(max_length=_TEXT)]


@dataclass(frozen=True)
class Outcome:
    """What a bulk action did to one call (``done`` False: refused, and why)."""

    call_id: int
    file: str
    done: bool
    message: str


@router.get("/cases/{case}/calls", response_class=HTMLResponse)
def calls(
    request: Request,
    ctx: Reading,
    flag: Text = "",
    status: Annotated[str, Query(pattern=f"^({'|'.join(STATUSES)})?$")] = "",
    reliability: Annotated[
        str, Query(pattern="^(reliable|unreliable|silent|failed|pending)?$")
    ] = "",
    lang: Annotated[str, Query(pattern="^([a-z]{2,3})?$")] = "",
    number: Text = "",
    date_from: Annotated[str, Query(alias="from", pattern=_DAY)] = "",
    date_to: Annotated[str, Query(alias="to", pattern=_DAY)] = "",
    state: Annotated[str, Query(pattern="^(done|failed|pending)?$")] = "",
    tag: Text = "",
    sort: Literal["id", "date", "number", "language", "status", "certainty"] = "id",
    desc: bool = False,
    page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """The calls that pass the filters, a page at a time; ``sort=certainty`` is the review queue."""
    day_param(date_from, "from"), day_param(date_to, "to")  # a real date, or a 400 with why
    query = CallQuery(
        flag=flag or None,
        status=status or None,
        reliability=reliability or None,
        lang=lang or None,
        number=number.strip() or None,
        date_from=date_from or None,
        date_to=date_to or None,
        state=state or None,
        tag=tag.strip() or None,
        sort=sort,
        desc=desc,
        offset=(page_number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    found = browse_calls(ctx.store, query)
    log_views(ctx, [row.call for row in found.calls], via="web")
    chosen = {key: value for key, value in request.query_params.items() if key in _KEYS and value}
    pages = max(1, math.ceil(found.total / PAGE_SIZE))
    return page(
        request,
        "calls.html",
        {
            "rows": found.calls,
            "total": found.total,
            "first": query.offset + 1,
            "last": query.offset + len(found.calls),
            "page_number": page_number,
            "pages": pages,
            "sort": sort,
            "desc": desc,
            "chosen": chosen,
            "link": _linker(chosen, sort, desc),
            "back": urlencode({**chosen, "sort": sort, **({"desc": "1"} if desc else {})}),
            "statuses": STATUSES,
            "topics": flag_topics(ctx.store),
            "call_languages": ("ru", "uk", "en"),
            "tags": case_tags(ctx.store),
        },
        case=ctx,
    )


def _linker(chosen: dict[str, str], sort: str, desc: bool) -> Callable[..., str]:
    """``link(page=2)`` or ``link(sort="date")``: the list's address with one thing changed."""

    def link(**changes: object) -> str:
        values: dict[str, object] = {**chosen, "sort": sort, "desc": desc, "page": 1, **changes}
        if values["sort"] == "id":
            del values["sort"]
        if not values["desc"]:
            del values["desc"]
        else:
            values["desc"] = "1"
        if values["page"] == 1:
            del values["page"]
        return "?" + urlencode(values) if values else "?"

    return link


def _ids(values: list[str]) -> list[int]:
    """The ticked calls' ids, in order, once each; 400 for anything else."""
    if not values:
        raise BadRequest("tick at least one call first")
    if len(values) > MAX_BULK:
        raise BadRequest(f"a bulk action takes at most {MAX_BULK} calls (you ticked {len(values)})")
    if not all(v.isascii() and v.isdigit() and 1 <= int(v) <= MAX_ID for v in values):
        raise BadRequest("the ticked calls must be call numbers")
    return list(dict.fromkeys(int(v) for v in values))


def _seen(values: list[str]) -> dict[int, int]:
    """``"22:3"`` pairs: the verification version the list showed for each call."""
    versions = {}
    for value in values[: MAX_BULK * 10]:
        call, _, version = value.partition(":")
        if call.isascii() and call.isdigit() and version.isascii() and version.isdigit():
            if int(call) <= MAX_ID and int(version) <= MAX_ID:
                versions[int(call)] = int(version)
    return versions


def _back(query: str) -> str:
    """The list's own filters to return to, rebuilt from known keys only."""
    keys = (*_KEYS, "sort", "desc", "page")
    kept = [(k, v[:_TEXT]) for k, v in parse_qsl(query[:4_000]) if k in keys]
    return urlencode(kept)


def _each(ctx: CaseContext, ids: list[int], act: Callable[[int], str]) -> list[Outcome]:
    """Run ``act`` on each call in turn; one refused does not stop the others."""
    outcomes = []
    for call_id in ids:
        call = get_call(ctx.store, call_id)
        if call is None:
            outcomes.append(Outcome(call_id, "", False, "no such call in this case"))
            continue
        try:
            outcomes.append(Outcome(call_id, call.file, True, act(call_id)))
        except ConflictError:
            message = "someone changed it since you loaded the list; reload and try again"
            outcomes.append(Outcome(call_id, call.file, False, message))
        except ReviewError as refused:
            outcomes.append(Outcome(call_id, call.file, False, str(refused)))
    return outcomes


def _report(
    request: Request, ctx: CaseContext, action: str, outcomes: list[Outcome], back: str
) -> Response:
    return page(
        request,
        "bulk.html",
        {"action": action, "outcomes": outcomes, "back": _back(back)},
        case=ctx,
    )


Ticked = Annotated[list[str], Form()]


@router.post("/cases/{case}/calls/bulk/status", response_class=HTMLResponse)
def bulk_status(
    request: Request,
    ctx: Verifying,
    call: Ticked,
    status: Annotated[str, Form(max_length=100)],
    note: Annotated[str, Form(max_length=10_000)] = "",
    seen: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    back: Annotated[str, Form(max_length=4_000)] = "",
) -> Response:
    """Set the ticked calls' verification status, each against the version the list showed."""
    ids, versions = _ids(call), _seen(seen)
    if status not in STATUSES:
        raise BadRequest(f"choose a status: {', '.join(STATUSES)}")

    def act(call_id: int) -> str:
        said = vouched_note(request, ctx, call_id, status, note)
        record = set_status(
            ctx.store, call_id, status, ctx.viewer.name, said, (), versions.get(call_id)
        )
        return f"now {record.status}"

    return _report(request, ctx, "status", _each(ctx, ids, act), back)


@router.post("/cases/{case}/calls/bulk/tags", response_class=HTMLResponse)
def bulk_tags(
    request: Request,
    ctx: Annotating,
    call: Ticked,
    tag: Annotated[str, Form(max_length=1_000)],
    change: Annotated[Literal["add", "remove"], Form()] = "add",
    back: Annotated[str, Form(max_length=4_000)] = "",
) -> Response:
    """Add a tag to the ticked calls, or take it off them."""
    ids = _ids(call)
    try:
        tag = check_tag(tag)
    except ReviewError as wrong:
        raise BadRequest(str(wrong)) from None

    def act(call_id: int) -> str:
        who = ctx.viewer.name
        if change == "add":
            return "tagged" if add_tag(ctx.store, call_id, tag, who) else "had the tag already"
        return "untagged" if remove_tag(ctx.store, call_id, tag, who) else "did not have the tag"

    return _report(request, ctx, f"tag-{change}", _each(ctx, ids, act), back)


@router.post("/cases/{case}/calls/bulk/export")
def bulk_export(ctx: Exporting, call: Ticked) -> Response:
    """One evidence package of every ticked call, as a download; or 400 with why not."""
    ids = _ids(call)
    missing = [i for i in ids if get_call(ctx.store, i) is None]
    if missing:
        raise BadRequest(f"no call {', '.join(map(str, missing))} in this case")
    return package_download(ctx, ids, f"calls-{len(ids)}.zip")
