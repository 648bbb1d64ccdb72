"""Search by filters alone: the calls a flag, number, date range, place… picks, without a word.

A journalist often knows the number or the day before any word: the filters
of the search form then list calls, one hit per call (its first segment that
passes every filter, so a flag filter opens the call where the flag was raised),
in call order. The conditions are those of a worded search
(:func:`callsift.store.search.filter_clauses`), so both agree on what a
filter means.
"""

from __future__ import annotations

from callsift.records import SearchFilters, SearchHit
from callsift.store.case import CaseStore
from callsift.store.search import HIT_COLUMNS, filter_clauses

__all__ = ["filtered_calls"]


def filtered_calls(
    store: CaseStore, filters: SearchFilters, limit: int = 20, offset: int = 0
) -> tuple[list[SearchHit], int]:
    """One hit per call that ``filters`` picks, ``limit`` from ``offset``; and how many calls.

    The hit is the call's first segment (by time) that passes every filter.
    """
    clauses, args = filter_clauses(filters)
    where = " AND ".join(clauses) or "1"
    matching = f"""
        SELECT s.id, row_number() OVER (
            PARTITION BY s.call_id ORDER BY s.start, s.channel, s.id) AS n
        FROM segments s JOIN calls c ON c.id = s.call_id WHERE {where}
    """
    rows = store.conn.execute(
        f"""
        WITH firsts AS (SELECT id FROM ({matching}) WHERE n = 1)
        SELECT {HIT_COLUMNS}, 0.0 AS score FROM firsts
        JOIN segments s ON s.id = firsts.id JOIN calls c ON c.id = s.call_id
        ORDER BY s.call_id LIMIT ? OFFSET ?
        """,
        (*args, limit, offset),
    ).fetchall()
    total = store.conn.execute(
        f"SELECT count(DISTINCT s.call_id) FROM segments s JOIN calls c ON c.id = s.call_id"
        f" WHERE {where}",
        args,
    ).fetchone()[0]
    return [SearchHit(**dict(row)) for row in rows], total
