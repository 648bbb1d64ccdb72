"""The list of calls, filtered, sorted and paged in SQL: 100,000 calls read fast.

The filters are those of the calls page's address (``/cases/X/calls?flag=…``),
which the dashboard and other pages link to. Number, dates and verification
status mean what they mean in a search (:func:`callsift.store.search.filter_clauses`).
``sort="certainty"`` is the review queue: analysed calls a reviewer has not
yet settled (verified or rejected, unless a status filter asks for those),
least certain first. Reliability (:mod:`callsift.store.reliability`) is
judged on read; its filter is the same rule as a condition in SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from callsift.records import Call, SearchFilters
from callsift.store.case import CaseStore
from callsift.store.queries import _CALL_COLUMNS, _call
from callsift.store.reliability import Reliability, reliability_clause, reliability_of
from callsift.store.search import filter_clauses
from callsift.store.tags import tags_of

__all__ = ["SORTS", "BrowsedCall", "CallPage", "CallQuery", "browse_calls"]

Sort = Literal["id", "date", "number", "language", "status", "certainty"]
SORTS: tuple[str, ...] = ("id", "date", "number", "language", "status", "certainty")

_STATUS = "coalesce((SELECT v.status FROM verification v WHERE v.call_id = c.id), 'unverified')"
_ORDER = {
    "id": "c.id {dir}",
    # Calls without a date or a number go last, whichever the direction; the date
    # is read through its index (``calls_started_at``, schema 9: the same expression,
    # which a malformed metadata text cannot break).
    "date": "(CASE WHEN json_valid(c.metadata) THEN json_extract(c.metadata, '$.started_at') END)"
    " {dir} NULLS LAST",
    # The caller's number in E.164, however the metadata wrote it.
    "number": "{number} IS NULL, {number} {{dir}}".format(
        number="coalesce((SELECT coalesce(n.e164, n.raw) FROM call_numbers n"
        " WHERE n.call_id = c.id AND n.role = 'caller'), json_extract(c.metadata, '$.caller'))"
    ),
    "language": "(SELECT min(ch.language) FROM channels ch WHERE ch.call_id = c.id) IS NULL,"
    " (SELECT min(ch.language) FROM channels ch WHERE ch.call_id = c.id) {dir}",
    "status": f"{_STATUS} {{dir}}",
    "certainty": "c.certainty {dir}, c.low_words {rev}",
}


@dataclass(frozen=True)
class CallQuery:
    """Which calls, in which order, which page.

    Attributes:
        flag: a watchlist topic raised somewhere in the call.
        status: verification status (``unverified`` includes never reviewed).
        reliability: ``reliable``, ``unreliable``, ``silent``, ``failed`` or ``pending``.
        lang: a language a party's channel was heard in.
        number: the caller's or receiver's number, in any written form, or its digits.
        date_from: first day (``YYYY-MM-DD``) the call started on.
        date_to: last day, inclusive.
        state: processing state: ``done``, ``failed`` or ``pending``.
        tag: a tag the team put on the call.
        sort: one of :data:`SORTS`.
        desc: reverse the order.
        offset: calls to skip.
        limit: calls in the page.
    """

    flag: str | None = None
    status: str | None = None
    reliability: str | None = None
    lang: str | None = None
    number: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    state: str | None = None
    tag: str | None = None
    sort: Sort = "id"
    desc: bool = False
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class BrowsedCall:
    """One row of the list: the call and what the list shows beside it."""

    call: Call
    status: str
    version: int
    certainty: float | None
    words: int | None
    low_words: int | None
    flags: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    reliability: Reliability | None = None
    languages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CallPage:
    """A page of calls and how many calls pass the filters in all."""

    calls: list[BrowsedCall]
    total: int


def _where(query: CallQuery) -> tuple[str, list[Any]]:
    searched = SearchFilters(
        number=query.number,
        date_from=query.date_from,
        date_to=query.date_to,
        status=query.status,
    )
    clauses, args = filter_clauses(searched)  # these read ``c`` alone
    if query.flag:
        clauses.append("EXISTS (SELECT 1 FROM flags f WHERE f.call_id = c.id AND f.topic = ?)")
        args.append(query.flag)
    if query.lang:
        clauses.append(
            "EXISTS (SELECT 1 FROM channels ch WHERE ch.call_id = c.id AND ch.language = ?)"
        )
        args.append(query.lang)
    if query.state:
        clauses.append("c.status = ?")
        args.append(query.state)
    if query.tag:
        clauses.append("EXISTS (SELECT 1 FROM call_tags t WHERE t.call_id = c.id AND t.tag = ?)")
        args.append(query.tag)
    if query.reliability:
        clauses.append(reliability_clause(query.reliability))
    if query.sort == "certainty":
        clauses.append("c.status = 'done' AND c.certainty IS NOT NULL")
        if not query.status:
            clauses.append(f"{_STATUS} NOT IN ('verified', 'rejected')")
    return " AND ".join(clauses) or "1", args


def browse_calls(store: CaseStore, query: CallQuery) -> CallPage:
    """The page of calls ``query`` asks for, each with its status, flags, tags and reliability."""
    where, args = _where(query)
    direction, reverse = ("DESC", "ASC") if query.desc else ("ASC", "DESC")
    order = _ORDER[query.sort].format(dir=direction, rev=reverse)
    columns = ", ".join(f"c.{name.strip()}" for name in _CALL_COLUMNS.split(","))
    # The page's ids first (a narrow sort), then what the list shows for those alone.
    ids = [
        row[0]
        for row in store.conn.execute(
            f"SELECT c.id FROM calls c WHERE {where} ORDER BY {order}, c.id LIMIT ? OFFSET ?",
            (*args, query.limit, query.offset),
        )
    ]
    found = store.conn.execute(
        f"""
        SELECT {columns}, {_STATUS} AS review_status,
               coalesce((SELECT v.version FROM verification v WHERE v.call_id = c.id), 0)
                 AS review_version,
               c.certainty AS sure, c.words AS heard, c.low_words AS unsure
        FROM calls c WHERE c.id IN (SELECT value FROM json_each(?))
        """,
        (json.dumps(ids),),
    ).fetchall()
    by_id = {row["id"]: row for row in found}
    rows = [by_id[i] for i in ids]
    total = store.conn.execute(f"SELECT count(*) FROM calls c WHERE {where}", args).fetchone()[0]
    topics = _per_call(store, "flags", "topic", ids)
    spoken = _per_call(store, "channels", "language", ids)
    tags = tags_of(store, ids)
    judged = reliability_of(store, ids) if ids else {}
    extra = ("review_status", "review_version", "sure", "heard", "unsure")
    calls = []
    for row in rows:
        values = {key: row[key] for key in row.keys() if key not in extra}
        calls.append(
            BrowsedCall(
                call=_call(store.conn, values),  # type: ignore[arg-type]
                status=row["review_status"],
                version=row["review_version"],
                certainty=row["sure"],
                words=row["heard"],
                low_words=row["unsure"],
                flags=topics.get(row["id"], []),
                tags=tags.get(row["id"], []),
                reliability=judged.get(row["id"]),
                languages=spoken.get(row["id"], []),
            )
        )
    return CallPage(calls, total)


def _per_call(
    store: CaseStore, table: str, column: str, call_ids: list[int]
) -> dict[int, list[str]]:
    """The distinct values of ``table.column`` for each of ``call_ids``, sorted."""
    rows = store.conn.execute(
        f"SELECT DISTINCT call_id, {column} AS value FROM {table}"
        f" WHERE call_id IN (SELECT value FROM json_each(?)) AND {column} IS NOT NULL"
        " ORDER BY call_id, value",
        (json.dumps(call_ids),),
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["call_id"], []).append(row["value"])
    return found
