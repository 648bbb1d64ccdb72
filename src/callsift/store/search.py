"""Full-text search with filters and facets, on SQLite FTS5.

One FTS5 table indexes each segment's original words, their lemmas and the
English translation (``porter unicode61 remove_diacritics 2``: English is
stemmed, ``ё``/``е`` and ``й``/``и`` fold). ``callsift.search`` turns the user's
words into a MATCH expression over those columns; filters become joins on
calls, flags and mentions; ranking is FTS5's BM25.
"""

from __future__ import annotations

from typing import Any

from callsift.graph.numbers import normalize_number
from callsift.records import SearchFilters, SearchHit
from callsift.store.case import CaseStore

__all__ = [
    "HIT_COLUMNS",
    "entity_spellings",
    "filter_clauses",
    "number_calls",
    "search_facets",
    "search_segments",
]


def number_calls(number: str) -> tuple[str, list[Any]]:
    """SQL for the calls whose caller or receiver is ``number`` or contains its digits, and args.

    Both ways are index lookups (schema 9): the digits as written under a
    trigram index (a LIKE scan when fewer than three, which trigrams cannot
    hold), the E.164 form in ``call_numbers``.
    """
    digits = "".join(ch for ch in number if ch.isdigit())
    e164 = normalize_number(number).e164
    if len(digits) >= 3:
        found = "SELECT rowid FROM call_digits_fts WHERE call_digits_fts MATCH ?"
        pattern = f'"{digits}"'
    else:
        found, pattern = "SELECT call_id FROM call_digits WHERE digits LIKE ?", f"%{digits}%"
    return f"{found} UNION SELECT call_id FROM call_numbers WHERE e164 = ?", [pattern, e164]


def entity_spellings(entity: str) -> list[str]:
    """The spellings of an entity's normal form people type (SQLite's lower() knows only ASCII)."""
    entity = entity.strip()
    return [entity, entity.lower(), " ".join(w.capitalize() for w in entity.split())]


_MATCH_ONLY = "segments_fts MATCH ?"
HIT_COLUMNS = (
    's.call_id, c.file, s.channel, s.start, s."end", s.language, s.text, s.translation,'
    " s.id AS segment_id, s.speaker, json_extract(c.metadata, '$.started_at') AS started_at"
)
"""What a ``SearchHit`` is read from (``segments s`` joined to ``calls c``)."""


def _where(match: str, filters: SearchFilters) -> tuple[str, list[Any]]:
    clauses, args = filter_clauses(filters)
    return " AND ".join([_MATCH_ONLY, *clauses]), [match, *args]


def filter_clauses(filters: SearchFilters) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``segments s`` and ``calls c`` for ``filters``, and their arguments."""
    clauses: list[str] = []
    args: list[Any] = []
    if filters.lang in ("ru", "uk"):
        clauses.append("s.language = ?")
        args.append(filters.lang)
    if filters.date_from:
        clauses.append("c.started_day >= ?")
        args.append(filters.date_from)
    if filters.date_to:
        clauses.append("c.started_day <= ?")
        args.append(filters.date_to)
    if filters.number:
        calls, found = number_calls(filters.number)
        clauses.append(f"c.id IN ({calls})")
        args += found
    if filters.flag:
        clauses.append("EXISTS (SELECT 1 FROM flags f WHERE f.segment_id = s.id AND f.topic = ?)")
        args.append(filters.flag)
    if filters.entity:
        clauses.append(
            "EXISTS (SELECT 1 FROM mentions m WHERE m.call_id = s.call_id"
            " AND m.type IN ('PER', 'LOC', 'ORG') AND m.normal IN (?, ?, ?))"
        )
        args += entity_spellings(filters.entity)
    if filters.unit:
        clauses.append(
            "EXISTS (SELECT 1 FROM mentions m WHERE m.call_id = s.call_id"
            " AND m.type = 'unit' AND m.normal = ?)"
        )
        args.append(filters.unit)
    if filters.status:
        clauses.append(
            "coalesce((SELECT v.status FROM verification v WHERE v.call_id = c.id),"
            " 'unverified') = ?"
        )
        args.append(filters.status)
    if filters.since_segment is not None:
        clauses.append("s.id > ?")
        args.append(filters.since_segment)
    return clauses, args


_FROM = """
    FROM segments_fts
    JOIN segments s ON s.id = segments_fts.rowid
    JOIN calls c ON c.id = s.call_id
"""


def search_segments(
    store: CaseStore, match: str, filters: SearchFilters, limit: int = 20, offset: int = 0
) -> tuple[list[SearchHit], int]:
    """Best hits (BM25) for an FTS5 MATCH expression from ``offset``, and how many match in all."""
    where, args = _where(match, filters)
    columns = HIT_COLUMNS
    if where == _MATCH_ONLY:
        # No filter: let FTS5 rank and cut to the top hits before any join
        # (``ORDER BY rank LIMIT``), and count matches on the index alone.
        rows = store.conn.execute(
            f"""
            WITH top AS (
                SELECT rowid AS id, rank AS score FROM segments_fts
                WHERE segments_fts MATCH ? ORDER BY rank LIMIT ? OFFSET ?
            )
            SELECT {columns}, top.score AS score FROM top
            JOIN segments s ON s.id = top.id JOIN calls c ON c.id = s.call_id
            ORDER BY score, s.call_id, s.start
            """,
            (match, limit, offset),
        ).fetchall()
        total = store.conn.execute(
            "SELECT count(*) FROM segments_fts WHERE segments_fts MATCH ?", (match,)
        ).fetchone()[0]
    else:
        rows = store.conn.execute(
            f"""
            SELECT {columns}, bm25(segments_fts) AS score
            {_FROM} WHERE {where}
            ORDER BY score, s.call_id, s.start
            LIMIT ? OFFSET ?
            """,
            (*args, limit, offset),
        ).fetchall()
        total = store.conn.execute(f"SELECT count(*) {_FROM} WHERE {where}", args).fetchone()[0]
    return [SearchHit(**dict(row)) for row in rows], total


_FACETS = {
    "language": "SELECT s.language AS value, count(*) AS n {from_} WHERE {where} GROUP BY 1",
    "flag": "SELECT f.topic AS value, count(DISTINCT s.id) AS n {from_}"
    " JOIN flags f ON f.segment_id = s.id WHERE {where} GROUP BY 1",
    "unit": "SELECT m.normal AS value, count(DISTINCT s.id) AS n {from_}"
    " JOIN mentions m ON m.call_id = s.call_id AND m.type = 'unit' WHERE {where} GROUP BY 1",
    "place": "SELECT m.normal AS value, count(DISTINCT s.id) AS n {from_}"
    " JOIN mentions m ON m.call_id = s.call_id AND m.type = 'LOC' WHERE {where} GROUP BY 1",
}


def search_facets(
    store: CaseStore, match: str, filters: SearchFilters, top: int = 10
) -> dict[str, dict[str, int]]:
    """Counts of matching segments per language, flag, unit and place mentioned."""
    where, args = _where(match, filters)
    facets = {}
    for name, sql in _FACETS.items():
        rows = store.conn.execute(
            sql.format(from_=_FROM, where=where) + " ORDER BY n DESC, value LIMIT ?",
            (*args, top),
        ).fetchall()
        facets[name] = {row["value"]: row["n"] for row in rows}
    return facets
