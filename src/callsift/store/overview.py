"""Counts for the case dashboard: how far the case is, and what it holds.

The dashboard is the first page a team opens every morning, so this is a
handful of aggregate queries over indexed columns, fast at thousands of
calls; lists (failures, top places) come from the functions that already
serve the CLI (``case_status``, ``entity_counts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callsift.store.case import CaseStore

__all__ = ["CaseCounts", "SpokenDate", "case_counts", "spoken_dates"]


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
    conn = store.conn
    day = "substr(json_extract(metadata, '$.started_at'), 1, 10)"
    per_day = conn.execute(
        f"SELECT {day} AS day, count(*) FROM calls WHERE {day} IS NOT NULL"
        " GROUP BY day ORDER BY day"
    ).fetchall()
    return CaseCounts(
        analysed=conn.execute(
            "SELECT count(*) FROM calls WHERE analyzed_with IS NOT NULL"
        ).fetchone()[0],
        checked=conn.execute("SELECT count(DISTINCT call_id) FROM findings").fetchone()[0],
        flags=dict(
            conn.execute(
                "SELECT topic, count(*) FROM flags GROUP BY topic ORDER BY count(*) DESC, topic"
            ).fetchall()
        ),
        verification=dict(
            conn.execute(
                "SELECT coalesce(v.status, 'unverified') AS review, count(*) FROM calls c"
                " LEFT JOIN verification v ON v.call_id = c.id GROUP BY review"
                " ORDER BY count(*) DESC"
            ).fetchall()
        ),
        per_day=[(row[0], row[1]) for row in per_day],
        undated=conn.execute(f"SELECT count(*) FROM calls WHERE {day} IS NULL").fetchone()[0],
    )


@dataclass(frozen=True)
class SpokenDate:
    """A date said in a call (``normal`` is ISO, or ``--MM-DD`` without a year)."""

    call_id: int
    file: str
    started_at: str | None
    normal: str
    text: str
    start: float


def spoken_dates(store: CaseStore) -> list[SpokenDate]:
    rows = store.conn.execute(
        "SELECT m.call_id, c.file, json_extract(c.metadata, '$.started_at') AS started_at,"
        " m.normal, m.text, m.start FROM mentions m JOIN calls c ON c.id = m.call_id"
        " WHERE m.type = 'date' ORDER BY m.call_id, m.start"
    ).fetchall()
    return [SpokenDate(**dict(row)) for row in rows]
