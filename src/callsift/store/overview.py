"""Counts for the case dashboard: how far the case is, and what it holds.

The dashboard is the first page a team opens every morning, so this is a
handful of aggregate queries over indexed columns, fast at thousands of
calls; lists (failures, top places) come from the functions that already
serve the CLI (``case_status``, ``entity_counts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callsift.store.case import CaseStore

__all__ = ["CaseCounts", "SpokenDate", "case_counts", "flag_counts", "flag_topics", "spoken_dates"]


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
    per_day = conn.execute(
        "SELECT started_day, count(*) FROM calls WHERE started_day IS NOT NULL"
        " GROUP BY started_day ORDER BY started_day"
    ).fetchall()
    calls = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
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
        per_day=[(row[0], row[1]) for row in per_day],
        undated=calls - sum(row[1] for row in per_day),
    )


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
