"""Search through the derived index (``store.search_index``): hits, counts, facets.

The words are a tantivy query built by ``callsift.search``; the filters are
added here. Filters on the segment (language, flag, segments after an id) and
on its call (day, numbers, what it mentions) are fields of each indexed
segment; the verification status, which changes apart from the words, is
the set of calls SQL finds. Hits are read from SQLite by id.
"""

from __future__ import annotations

import json
import re
from typing import Any

import tantivy

from callsift.graph.numbers import normalize_number
from callsift.records import SearchFilters, SearchHit
from callsift.store.case import CaseStore
from callsift.store.search import HIT_COLUMNS, entity_spellings, number_calls
from callsift.store.search_index import SearchIndex, trigrams

__all__ = ["index_facets", "index_hits", "index_sound_candidates", "index_usable"]

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})$")
_U64 = tantivy.FieldType.Unsigned


def _number(store: CaseStore, index: SearchIndex, number: str) -> tantivy.Query:
    """Calls whose caller or receiver is ``number`` (E.164) or holds its digits.

    Three digits or more are looked up among the trigrams of each call's
    numbers, as ``number_calls`` does in SQL; fewer, which trigrams cannot
    hold, become the set of calls SQL finds.
    """
    schema = index.schema
    digits = "".join(ch for ch in number if ch.isdigit())
    grams = trigrams(digits)
    if not grams:
        sql, args = number_calls(number)
        calls = sorted({row[0] for row in store.conn.execute(sql, args)})
        return tantivy.Query.term_set_query(schema, "call", calls)
    held = (
        tantivy.Query.term_query(schema, "digits", grams[0])
        if len(grams) == 1
        else tantivy.Query.phrase_query(schema, "digits", [*grams])
    )
    e164 = normalize_number(number).e164
    if e164 is None:
        return held
    exact = tantivy.Query.term_query(schema, "numbers", e164)
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, held), (tantivy.Occur.Should, exact)]
    )


def _any_of(schema: tantivy.Schema, field: str, values: list[str]) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field, v)) for v in values]
    )


def _filters(store: CaseStore, index: SearchIndex, filters: SearchFilters) -> list[tantivy.Query]:
    schema = index.schema
    found: list[tantivy.Query] = []
    if filters.lang in ("ru", "uk"):
        found.append(tantivy.Query.term_query(schema, "lang", filters.lang))
    if filters.flag:
        found.append(tantivy.Query.term_query(schema, "flags", filters.flag))
    if filters.date_from or filters.date_to:
        low, high = (_day(filters.date_from), _day(filters.date_to))
        found.append(tantivy.Query.range_query(schema, "day", _U64, low, high))
    if filters.since_segment is not None:
        found.append(tantivy.Query.range_query(schema, "id", _U64, filters.since_segment + 1, None))
    if filters.number:
        found.append(_number(store, index, filters.number))
    if filters.entity:
        found.append(_any_of(schema, "entities", entity_spellings(filters.entity)))
    if filters.unit:
        found.append(_any_of(schema, "units", [filters.unit]))
    if filters.status:
        rows = store.conn.execute(
            "SELECT call_id FROM verification WHERE status != 'unverified'"
            if filters.status == "unverified"
            else "SELECT call_id FROM verification WHERE status = ?",
            () if filters.status == "unverified" else (filters.status,),
        )
        calls = sorted(row[0] for row in rows)
        chosen = tantivy.Query.term_set_query(schema, "call", calls)
        if filters.status == "unverified":
            chosen = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, chosen)]
            )
        found.append(chosen)
    return found


def _day(text: str | None) -> int | None:
    """``2022-03-10`` as 20220310; a day that is not one was refused before (``index_usable``)."""
    day = _DAY.match(text or "")
    return int("".join(day.groups())) if day else None


def index_usable(filters: SearchFilters) -> bool:
    """Whether the index answers these filters as SQL would (days written as ``YYYY-MM-DD``)."""
    return all(_DAY.match(day) for day in (filters.date_from, filters.date_to) if day)


def _filtered(
    store: CaseStore, index: SearchIndex, words: tantivy.Query, filters: SearchFilters
) -> tantivy.Query:
    conditions = _filters(store, index, filters)
    if not conditions:
        return words
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, words)]
        + [(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)) for q in conditions]
    )


def index_hits(
    store: CaseStore,
    index: SearchIndex,
    words: tantivy.Query,
    filters: SearchFilters,
    limit: int,
    offset: int,
) -> tuple[list[SearchHit], int]:
    """Best hits (BM25, best first) from ``offset`` and how many match, as ``search_segments``.

    Scores are negated BM25, lower is better, as FTS5's ``bm25()`` reads.
    """
    searcher = index.searcher()
    found = searcher.search(
        _filtered(store, index, words, filters), limit=max(limit, 1), offset=offset
    )
    hits = found.hits[:limit]
    ids = searcher.fast_field_values("id", [address for _, address in hits])
    scores = {segment: -score for (score, _), segment in zip(hits, ids, strict=True)}
    rows = store.conn.execute(
        f"SELECT {HIT_COLUMNS}, 0.0 AS score FROM segments s JOIN calls c ON c.id = s.call_id"
        " WHERE s.id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),),
    ).fetchall()
    # In the index's order (ties by its own document order), so that pages agree.
    found_rows = {row["segment_id"]: row for row in rows}
    result = [
        SearchHit(**{**dict(found_rows[segment]), "score": scores[segment]})
        for segment in ids
        if segment in found_rows
    ]
    return result, int(found.count)  # type: ignore[attr-defined]


_FACETS = {"language": "lang", "flag": "flags", "unit": "units", "place": "places"}


def index_facets(
    store: CaseStore, index: SearchIndex, words: tantivy.Query, filters: SearchFilters, top: int
) -> dict[str, dict[str, int]]:
    """Matching segments per language, flag, unit and place mentioned, as ``search_facets``."""
    aggregations: dict[str, Any] = {
        name: {"terms": {"field": field, "size": top}} for name, field in _FACETS.items()
    }
    result = index.searcher().aggregate(_filtered(store, index, words, filters), aggregations)
    facets = {}
    for name in _FACETS:
        buckets = sorted(result[name]["buckets"], key=lambda b: (-b["doc_count"], b["key"]))
        facets[name] = {b["key"]: int(b["doc_count"]) for b in buckets[:top]}
    return facets


def index_sound_candidates(
    store: CaseStore,
    index: SearchIndex,
    sounds: tantivy.Query,
    words: tantivy.Query,
    filters: SearchFilters,
    limit: int,
) -> list[SearchHit]:
    """Segments whose key holds a piece (``sounds``) that ``words`` does not find, by id.

    As ``store.sounds.sound_candidates`` on FTS5, at most ``limit``, the first
    by segment id, passing the filters, for the caller to verify.
    """
    query = tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, sounds), (tantivy.Occur.MustNot, words)]
    )
    searcher = index.searcher()
    found = searcher.search(
        _filtered(store, index, query, filters),
        limit=limit,
        count=False,
        order_by_field="id",
        order=tantivy.Order.Asc,
    )
    ids = searcher.fast_field_values("id", [address for _, address in found.hits])
    rows = store.conn.execute(
        f"SELECT {HIT_COLUMNS}, 0.0 AS score FROM segments s JOIN calls c ON c.id = s.call_id"
        " WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY s.id",
        (json.dumps(ids),),
    )
    return [SearchHit(**dict(row)) for row in rows]
