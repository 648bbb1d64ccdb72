"""Search through the derived index (``store.search_index``): hits, counts, facets.

The words are a tantivy query built by ``callsift.search``; the filters are
added here. Filters on the segment (language, flag, segments after an id) and
on its call (day, numbers, what it mentions) are fields of each indexed
segment; the verification status, which changes apart from the words, is
the set of calls SQL finds. Hits are read from SQLite by id. The approximate
pass's candidates, costly to choose, are kept until the index's next commit.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, cast

import tantivy

from callsift.graph.numbers import normalize_number
from callsift.records import SearchFilters, SearchHit
from callsift.store.case import CaseStore
from callsift.store.search import HIT_COLUMNS, entity_spellings, number_calls
from callsift.store.search_index import SearchIndex, trigrams
from callsift.store.sounds import SOUND_KEY_VERSION

__all__ = [
    "forget_candidates",
    "index_facets",
    "index_hits",
    "index_sound_candidates",
    "index_usable",
    "segment_hits",
]

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


_KEPT = 256
"""Candidate lists kept (``_candidate_ids``): a few hundred queries, 200 ids each."""
_KEPT_IDS: OrderedDict[tuple[str, str, bytes, int], tuple[bytes, list[int]]] = OrderedDict()
_KEPT_LOCK = threading.Lock()


def _commit_point(folder: Path) -> bytes | None:
    """Which commit the index folder holds now: ``meta.json``, which each commit replaces whole.

    Its text names the commit's segments and opstamp, which grows with every
    commit; a file's times or inode could repeat within one clock tick.
    """
    try:
        return (folder / "meta.json").read_bytes()
    except OSError:
        return None


_WINDOW = 64
"""The first window of ids a dense choice of candidates is looked for in: 1/64 of them."""


def _first_ids(
    store: CaseStore, index: SearchIndex, query: tantivy.Query, limit: int, window: bool
) -> list[int]:
    """The first ``limit`` segment ids ``query`` matches, in order.

    tantivy walks every match to find them. With ``window``, the first
    ids are searched alone first: a range on ``id`` ends the walk at its end
    (scanning the id column costs ~1.4 ms at 1M segments, so it pays only
    where the matches are many). Filled, those are the first ``limit`` of
    all, since every match under the window's end is in it; else the whole
    query is searched after all.
    """
    searcher, queries = index.searcher(), [query]
    if window:
        low, high = store.conn.execute(  # each alone: SQLite reads one end of the table
            "SELECT (SELECT min(id) FROM segments), (SELECT max(id) FROM segments)"
        ).fetchone()
        if low is not None:
            end = low + (high - low) // _WINDOW
            first = tantivy.Query.range_query(index.schema, "id", _U64, None, end)
            both = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, first)]
            )
            queries.insert(0, both)
    for each in queries:
        found = searcher.search(
            each, limit=limit, count=False, order_by_field="id", order=tantivy.Order.Asc
        )
        if len(found.hits) == limit or each is query:
            break
    return cast(list[int], searcher.fast_field_values("id", [a for _, a in found.hits]))


def _candidate_ids(
    store: CaseStore, index: SearchIndex, query: tantivy.Query, limit: int, window: bool
) -> list[int]:
    """The first ``limit`` segment ids ``query`` matches, kept until the index changes.

    Choosing them costs a walk over every match (tantivy has no collector
    here that stops after the first ``limit`` by id), and the same choice
    comes again: the next page, the page marking the hits, a repeated query.
    Kept by the query as tantivy spells it (a digest: filters resolved from
    SQL can list many calls) and by the commit the ids were read from: the
    reader is reloaded between two looks at ``meta.json``, and ids are kept
    only when both agree, so they are never filed under a later commit than theirs.
    """
    folder = store.derived / "search"
    spelled = hashlib.blake2b(repr(query).encode(), digest_size=16).digest()
    key = (str(folder), index.token, spelled, limit)
    before = _commit_point(folder)
    with _KEPT_LOCK:
        kept = _KEPT_IDS.get(key)
        if kept is not None and before is not None and kept[0] == before:
            _KEPT_IDS.move_to_end(key)
            return kept[1]
    try:
        index.index.reload()
    except ValueError:  # the folder was swapped for a rebuilt one: answer, keep nothing
        before = None
    ids = _first_ids(store, index, query, limit, window)
    if before is not None and _commit_point(folder) == before:
        with _KEPT_LOCK:
            _KEPT_IDS[key] = (before, ids)
            _KEPT_IDS.move_to_end(key)
            while len(_KEPT_IDS) > _KEPT:
                _KEPT_IDS.popitem(last=False)
    return ids


def forget_candidates() -> None:
    """Drop every kept choice of candidates (a benchmark timing a query's first run)."""
    with _KEPT_LOCK:
        _KEPT_IDS.clear()


def _candidate_query(
    store: CaseStore,
    index: SearchIndex,
    sounds: tantivy.Query,
    words: tantivy.Query,
    filters: SearchFilters,
) -> tuple[tantivy.Query, bool]:
    """``sounds`` and not ``words``, with the filters, and whether to try the first ids alone.

    The same segments, whatever the nesting; the nesting decides what
    tantivy walks. It cannot size a range (days, ids) or a phrase (a
    number's digits), so with one of those the exact words are
    taken out of what the filters pass, which the sound pieces then meet: a
    date range or a number's calls is walked once, and not each sound match
    the exact query would take out anyway (5 ms down to 2.4 at 1M segments,
    ``убитых`` + flag + month + digits). Else the words are taken out of the
    sound pieces first, as filters on a term (a flag) size well, and the
    candidates are looked for among the first ids first (``_first_ids``): a
    day or a number leaves them too few for that to pay.
    """
    occur = tantivy.Occur
    if not (filters.date_from or filters.date_to or filters.number) and (
        filters.since_segment is None
    ):
        query = tantivy.Query.boolean_query([(occur.Must, sounds), (occur.MustNot, words)])
        return _filtered(store, index, query, filters), True
    passed = [(occur.Must, q) for q in _filters(store, index, filters)]
    rest = tantivy.Query.boolean_query([*passed, (occur.MustNot, words)])
    return tantivy.Query.boolean_query([(occur.Must, sounds), (occur.Must, rest)]), False


def index_sound_candidates(
    store: CaseStore,
    index: SearchIndex,
    sounds: tantivy.Query,
    words: tantivy.Query,
    filters: SearchFilters,
    limit: int,
    version: str,
) -> list[tuple[int, str, str, str | None]]:
    """Segments whose key holds a piece (``sounds``) that ``words`` does not find, by id.

    As ``store.sounds.sound_candidates`` on FTS5, at most ``limit``, the first
    by segment id, passing the filters, for the caller to verify: only their
    id, text, language and stored sound key, read from SQLite each time
    (``segment_hits`` reads the few that pass whole). The key is that of the
    text beside it, read in the same statement, or None: a text that changed
    loses its key until it is keyed again, and keys made by another key
    function than ``version`` are not given.
    """
    query, window = _candidate_query(store, index, sounds, words, filters)
    ids = _candidate_ids(store, index, query, limit, window)
    rows = store.conn.execute(
        "SELECT s.id, s.text, s.language, (SELECT k.sounds FROM segment_sounds k"
        "  WHERE k.segment_id = s.id AND (SELECT value FROM case_info WHERE key = ?) = ?)"
        " FROM segments s WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY s.id",
        (SOUND_KEY_VERSION, version, json.dumps(ids)),
    )
    # What the index stores is the key, then its consonants (``search.sounds.index_text``).
    return [(row[0], row[1], row[2], row[3] and row[3].partition(" ")[0]) for row in rows]


def segment_hits(store: CaseStore, ids: list[int]) -> list[SearchHit]:
    """The segments ``ids`` as hits (no score yet), by id."""
    rows = store.conn.execute(
        f"SELECT {HIT_COLUMNS}, 0.0 AS score FROM segments s JOIN calls c ON c.id = s.call_id"
        " WHERE s.id IN (SELECT value FROM json_each(?)) ORDER BY s.id",
        (json.dumps(ids),),
    )
    return [SearchHit(**dict(row)) for row in rows]
