"""Counts for the case dashboard: how far the case is, and what it holds.

The dashboard is the first page a team opens every morning, so this is a
handful of aggregate queries over indexed columns, fast at thousands of
calls; lists (failures, top places) come from the functions that already
serve the CLI (``case_status``, ``entity_counts``). The timeline reads what
it shows the same way: calls per day, the dates spoken a page at a time and
one per day for its marks, each placed on a day in SQL, so a view of a
case of 100,000 calls costs milliseconds, not a pass over every date said.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callsift.store.case import CaseStore

__all__ = [
    "CaseCounts",
    "SpokenDate",
    "calls_per_day",
    "case_counts",
    "flag_counts",
    "flag_topics",
    "mapped_places",
    "spoken_date_count",
    "spoken_dates",
    "spoken_days",
    "timeline_generation",
]


@dataclass(frozen=True)
class CaseCounts:
    """Attributes:
    analysed: calls whose text went through the language layer.
    checked: calls with at least one finding of the consistency checks or voices.
    flags: watchlist hits per topic.
    verification: calls per review status (never reviewed counts as unverified).
    per_day: calls per day of ``started_at``, oldest first (undated left out).
    undated: calls whose metadata has no readable ``started_at``.
    """

    analysed: int
    checked: int
    flags: dict[str, int] = field(default_factory=dict)
    verification: dict[str, int] = field(default_factory=dict)
    per_day: list[tuple[str, int]] = field(default_factory=list)
    undated: int = 0


def case_counts(store: CaseStore) -> CaseCounts:
    """The dashboard's figures: each an aggregate over an index (``calls.started_day``…)."""
    conn = store.conn
    per_day, undated = calls_per_day(store)
    calls = undated + sum(n for _, n in per_day)
    reviewed = dict(
        conn.execute(
            "SELECT status, count(*) FROM verification WHERE status != 'unverified' GROUP BY status"
        ).fetchall()
    )
    verification = {"unverified": calls - sum(reviewed.values()), **reviewed}
    return CaseCounts(
        analysed=calls
        - conn.execute("SELECT count(*) FROM calls WHERE analyzed_with IS NULL").fetchone()[0],
        checked=conn.execute("SELECT count(DISTINCT call_id) FROM findings").fetchone()[0],
        flags=flag_counts(store),
        verification=dict(
            sorted(
                ((status, n) for status, n in verification.items() if n),
                key=lambda item: -item[1],
            )
        ),
        per_day=per_day,
        undated=undated,
    )


def calls_per_day(store: CaseStore) -> tuple[list[tuple[str, int]], int]:
    """Calls per day of ``started_at``, oldest first, and the calls without a readable one.

    One pass over the index ``calls_started_day``: what the timeline and the
    dashboard draw, without the rest of the dashboard's figures.
    """
    conn = store.conn
    per_day = [
        (row[0], row[1])
        for row in conn.execute(
            "SELECT started_day, count(*) FROM calls WHERE started_day IS NOT NULL"
            " GROUP BY started_day ORDER BY started_day"
        )
    ]
    calls = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
    return per_day, calls - sum(n for _, n in per_day)


def flag_topics(store: CaseStore) -> list[str]:
    """The topics raised anywhere in the case, sorted: what a flag filter offers.

    One index seek per topic (a skip scan), not a pass over every flag.
    """
    rows = store.conn.execute(
        "WITH RECURSIVE t(topic) AS (SELECT min(topic) FROM flags UNION ALL"
        " SELECT (SELECT min(topic) FROM flags WHERE topic > t.topic) FROM t"
        " WHERE t.topic IS NOT NULL) SELECT topic FROM t WHERE topic IS NOT NULL"
    )
    return [row[0] for row in rows]


def flag_counts(store: CaseStore) -> dict[str, int]:
    """Watchlist hits per topic, most first (the topics a filter offers)."""
    return dict(
        store.conn.execute(
            "SELECT topic, count(*) FROM flags GROUP BY topic ORDER BY count(*) DESC, topic"
        ).fetchall()
    )


@dataclass(frozen=True)
class SpokenDate:
    """A date said in a call, and the day it falls on.

    Attributes:
        normal: ISO (``2022-03-20``), or ``--03-20`` when no year was said.
        call_day: the call's own day (``calls.started_day``), ``None`` when it has none.
        day: the ISO day it is placed on: ``normal``, or a yearless one in its call's
            year; ``None`` when it cannot be placed (no year known, or not a calendar
            day, such as 29 February of a common year).
    """

    call_id: int
    file: str
    call_day: str | None
    normal: str
    text: str
    start: float
    day: str | None


_PLACED = """
WITH said AS (
  SELECT m.id, m.call_id, m.start, CASE WHEN substr(m.normal, 1, 2) = '--'
    THEN (SELECT substr(c.started_day, 1, 4) FROM calls c WHERE c.id = m.call_id)
      || substr(m.normal, 2)
    ELSE m.normal END AS text
  FROM mentions m WHERE m.type = 'date'),
placed AS (
  SELECT id, call_id, start,
    CASE WHEN date(text, '+0 days') = text AND text >= '0001' THEN text END AS day
  FROM said)
"""
"""Each date said with the day it is placed on. ``date(x, '+0 days') = x`` holds for
a real calendar day only, as ``date.fromisoformat`` reads it (the modifier makes
SQLite carry 29 February of a common year into March; ``date(x)`` alone keeps it);
the call's day is read for the yearless ones alone."""
_DETAILS = (
    "SELECT p.call_id, c.file, c.started_day AS call_day, m.normal, m.text, p.start, p.day"
    " FROM p JOIN mentions m ON m.id = p.id JOIN calls c ON c.id = p.call_id"
    " ORDER BY p.day IS NULL, p.day, p.call_id, p.start, p.id"
)
_IN_ORDER = "ORDER BY day IS NULL, day, call_id, start, id"


def spoken_date_count(store: CaseStore) -> int:
    """How many dates are said in the case's calls."""
    return int(
        store.conn.execute("SELECT count(*) FROM mentions WHERE type = 'date'").fetchone()[0]
    )


def spoken_dates(store: CaseStore, offset: int = 0, limit: int = -1) -> list[SpokenDate]:
    """Dates said, ordered by the day they fall on, then call and time in it (those that
    cannot be placed last); ``limit`` of them from ``offset`` (``-1``: all)."""
    rows = store.conn.execute(
        f"{_PLACED}, p AS (SELECT id, call_id, start, day FROM placed {_IN_ORDER}"
        f" LIMIT ? OFFSET ?) {_DETAILS}",
        (limit, offset),
    )
    return [SpokenDate(**dict(row)) for row in rows]


def spoken_days(store: CaseStore) -> list[SpokenDate]:
    """The first date said (by call, then time in it) for each day any date falls on,
    oldest day first: one mark a day on the timeline."""
    rows = store.conn.execute(
        f"{_PLACED}, p AS (SELECT id, call_id, start, day FROM (SELECT *, row_number()"
        " OVER (PARTITION BY day ORDER BY call_id, start, id) AS nth FROM placed"
        f" WHERE day IS NOT NULL) WHERE nth = 1) {_DETAILS}"
    )
    return [SpokenDate(**dict(row)) for row in rows]


def mapped_places(store: CaseStore) -> list[tuple[str, float, float, int]]:
    """``(English name, lat, lon, calls)`` of every place spoken of that the gazetteer
    placed, most calls first (a tie in the order of ``entity_counts``).

    Two spellings of one place (Киев, Київ) are one point: their calls are
    added (a call that says both counts twice, which is rare and errs high).
    One pass over the index ``mentions_type_normal_call``.
    """
    rows = store.conn.execute(
        "WITH spots AS (SELECT normal, count(DISTINCT call_id) AS calls, max(attrs) AS attrs,"
        "  row_number() OVER (ORDER BY count(DISTINCT call_id) DESC, count(*) DESC, normal)"
        "  AS rank FROM mentions WHERE type = 'LOC' GROUP BY normal),"
        " known AS (SELECT coalesce(nullif(json_extract(attrs, '$.english'), ''), normal) AS name,"
        "  CAST(json_extract(attrs, '$.lat') AS REAL) AS lat,"
        "  CAST(json_extract(attrs, '$.lon') AS REAL) AS lon, calls, rank"
        "  FROM spots WHERE json_valid(attrs) AND json_extract(attrs, '$.lat') IS NOT NULL"
        "  AND json_extract(attrs, '$.lon') IS NOT NULL)"
        " SELECT name, lat, lon, sum(calls) FROM known GROUP BY name, lat, lon"
        " ORDER BY sum(calls) DESC, min(rank)"
    )
    return [(str(name), lat, lon, int(calls)) for name, lat, lon, calls in rows]


def timeline_generation(store: CaseStore) -> int:
    """Raised by every change of a date or place said and of a call (schema 10's
    triggers): what the timeline's figures are read again after."""
    return int(store.conn.execute("SELECT generation FROM timeline_state").fetchone()[0])
