"""The bounds of every number a route takes, checked before anything is stored or looked up.

A number out of SQLite's range (an id of ``2**70``) makes the driver raise,
and a stored ``inf`` or ``nan`` breaks every later page that formats it;
both are refused at the door instead, with 422 and the field named. Times
are seconds into a call: finite, never negative, under a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Path

from callsift.web.errors import BadRequest, NotFound

__all__ = [
    "day_param",
    "MAX_CHANNEL",
    "MAX_ID",
    "MAX_LINKS",
    "MAX_SECONDS",
    "CallId",
    "SegmentId",
    "check_id",
    "page_links",
]

MAX_ID = 2**63 - 1  # SQLite's largest integer
MAX_CHANNEL = 255
MAX_SECONDS = 86_400.0
MAX_LINKS = 100

CallId = Annotated[int, Path(ge=1, le=MAX_ID)]
SegmentId = Annotated[int, Path(ge=1, le=MAX_ID)]


def check_id(number: int) -> int:
    """``number`` if it can be a row id; else the thing it names does not exist (404)."""
    if not 1 <= number <= MAX_ID:
        raise NotFound()
    return number


def day_param(text: str, name: str) -> date | None:
    """A ``YYYY-MM-DD`` query value (empty: no bound); a date that is no date is a 400."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name}: a date is written YYYY-MM-DD") from None


def page_links(params: Mapping[str, str | int], number: int, more: bool) -> dict[str, str]:
    """The addresses of the previous and next pages, keeping the page's other parameters.

    Absent at either end; empty parameters are left out of the addresses.
    """
    kept = {key: value for key, value in params.items() if value}
    links = {"previous": "?" + urlencode({**kept, "page": number - 1})} if number > 1 else {}
    return {**links, "next": "?" + urlencode({**kept, "page": number + 1})} if more else links
