"""Read-only queries behind the case exports (report, FtM, Datasette, CSV).

Every export reads a case or a selection of its calls; the selection travels
as one JSON parameter (``call_id IN (SELECT value FROM json_each(?))``) so a
selection of any size needs no string-built SQL and no variable limit. Row
iterators stream from a cursor: a case of 100,000 segments is never held in
memory at once. Nothing here writes to the case.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from callsift.errors import InputError
from callsift.records import Call, Word
from callsift.store.case import CaseStore
from callsift.store.queries import get_call, list_calls
from callsift.store.translations import engine_name

__all__ = [
    "Excerpt",
    "TableRows",
    "calls_for_export",
    "call_languages",
    "finding_counts",
    "flag_counts",
    "flagged_excerpts",
    "mention_names",
    "table_names",
    "table_rows",
    "transcript_lines",
]


@dataclass(frozen=True)
class Excerpt:
    """A flagged stretch of speech: the watchlist hit, its segment and the English."""

    call_id: int
    file: str
    channel: int
    start: float
    end: float
    topic: str
    term: str
    match: str
    start_char: int
    end_char: int
    language: str
    text: str
    translation: str | None
    confidence: float | None = None
    """The lowest word probability under the match (see ``FlagHit``)."""
    translation_engine: str | None = None
    """What wrote the English, as a reader knows it ("Whisper base, translate task")."""
    translation_version: int = 1
    """Above 1 when a reviewer corrected the English."""
    translation_notes: tuple[dict[str, Any], ...] = ()
    """What the translation checks found in the English (``callsift.translate.checks``)."""
    words: tuple[Word, ...] = ()
    """The recogniser's words of the segment, for marking the uncertain ones."""
    speaker: int | None = None
    """1 or 2 on a mono channel split into two voices (see ``callsift.parties``)."""


@dataclass(frozen=True)
class TableRows:
    """One readable table: its column names and its rows, streamed."""

    name: str
    columns: tuple[str, ...]
    rows: Iterator[tuple[Any, ...]]


def _selection(column: str, call_ids: Sequence[int] | None) -> tuple[str, tuple[Any, ...]]:
    if call_ids is None:
        return "1", ()
    return f"{column} IN (SELECT value FROM json_each(?))", (json.dumps(list(call_ids)),)


def calls_for_export(store: CaseStore, call_ids: Sequence[int] | None) -> list[Call]:
    """The calls to export, by id; ``None`` is the whole case. Unknown ids are an error."""
    if call_ids is None:
        return list_calls(store)
    calls = {call_id: get_call(store, call_id) for call_id in sorted(set(call_ids))}
    missing = [str(call_id) for call_id, call in calls.items() if call is None]
    if missing:
        raise InputError(f"call {', '.join(missing)}", "not in this case (see callsift list)")
    return [call for call in calls.values() if call is not None]


def call_languages(store: CaseStore, call_ids: Sequence[int] | None) -> dict[int, list[str]]:
    """Each call's decided languages, one per language, in channel order."""
    where, args = _selection("call_id", call_ids)
    languages: dict[int, list[str]] = {}
    rows = store.conn.execute(
        f"SELECT call_id, language FROM channels WHERE language IS NOT NULL AND {where}"
        " ORDER BY call_id, channel",
        args,
    )
    for row in rows:
        seen = languages.setdefault(row["call_id"], [])
        if row["language"] not in seen:
            seen.append(row["language"])
    return languages


def flag_counts(store: CaseStore, call_ids: Sequence[int] | None) -> dict[int, dict[str, int]]:
    """Watchlist hits per call and topic."""
    where, args = _selection("call_id", call_ids)
    counts: dict[int, dict[str, int]] = {}
    rows = store.conn.execute(
        f"SELECT call_id, topic, count(*) AS n FROM flags WHERE {where}"
        " GROUP BY call_id, topic ORDER BY call_id, topic",
        args,
    )
    for row in rows:
        counts.setdefault(row["call_id"], {})[row["topic"]] = row["n"]
    return counts


def finding_counts(store: CaseStore, call_ids: Sequence[int] | None) -> dict[int, int]:
    """Findings of the consistency and voice checks per call."""
    where, args = _selection("call_id", call_ids)
    rows = store.conn.execute(
        f"SELECT call_id, count(*) AS n FROM findings WHERE {where} GROUP BY call_id", args
    )
    return {row["call_id"]: row["n"] for row in rows}


_NOT_EXCERPT = {"translation_doubts", "translation_engine", "processed_with"}


def flagged_excerpts(store: CaseStore, call_ids: Sequence[int] | None) -> list[Excerpt]:
    """Every watchlist hit with its segment and translation, by call and time."""
    where, args = _selection("f.call_id", call_ids)
    rows = store.conn.execute(
        'SELECT f.call_id, c.file, f.channel, f.start, s."end", f.topic, f.term,'
        " f.text AS match, f.start_char, f.end_char, s.language, s.text, s.translation,"
        " f.confidence, s.words, s.translation_engine, s.translation_doubts,"
        " s.translation_version, c.processed_with, s.speaker"
        " FROM flags f JOIN calls c ON c.id = f.call_id JOIN segments s ON s.id = f.segment_id"
        f" WHERE {where} ORDER BY f.call_id, f.start, f.id",
        args,
    )
    return [
        Excerpt(
            **{
                **{k: row[k] for k in row.keys() if k not in _NOT_EXCERPT},
                "translation_engine": row["translation_engine"]
                and engine_name(row["translation_engine"], row["processed_with"]),
                "words": tuple(Word(**w) for w in json.loads(row["words"])),
                "translation_notes": tuple(json.loads(row["translation_doubts"] or "[]")),
            }
        )
        for row in rows
    ]


def transcript_lines(store: CaseStore, call_id: int) -> list[tuple[float, int, str, str | None]]:
    """A call's segments as ``(start, channel, text, translation)`` in time order."""
    rows = store.conn.execute(
        "SELECT start, channel, text, translation FROM segments WHERE call_id = ?"
        " ORDER BY start, channel",
        (call_id,),
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def mention_names(
    store: CaseStore, call_ids: Sequence[int] | None, types: tuple[str, ...]
) -> dict[int, list[tuple[str, str]]]:
    """Distinct ``(type, normal form)`` mentions of the given types, per call."""
    where, args = _selection("call_id", call_ids)
    names: dict[int, list[tuple[str, str]]] = {}
    rows = store.conn.execute(
        "SELECT DISTINCT call_id, type, normal FROM mentions"
        f" WHERE type IN (SELECT value FROM json_each(?)) AND {where}"
        " ORDER BY call_id, type, normal",
        (json.dumps(list(types)), *args),
    )
    for row in rows:
        names.setdefault(row["call_id"], []).append((row["type"], row["normal"]))
    return names


# Readable tables beside ``calls``: (name, SELECT list, FROM and JOINs, call column, ORDER BY).
_TABLES: dict[str, tuple[str, str, str, str]] = {
    "segments": (
        'id, call_id, channel, start, "end", language, text, translation, translation_engine,'
        " lemmas",
        "segments",
        "call_id",
        "call_id, start, channel",
    ),
    "entities": (
        "id, call_id, segment_id, channel, start, type, text, normal, value, fraction, kind, attrs",
        "mentions",
        "call_id",
        "call_id, start, id",
    ),
    "flags": (
        "id, call_id, segment_id, channel, start, topic, term, text",
        "flags",
        "call_id",
        "call_id, start, id",
    ),
    "findings": (
        "id, call_id, kind, severity, message, other_call_id, score, detail, found_at,"
        " checked_with",
        "findings",
        "call_id",
        "call_id, kind, id",
    ),
    "verification_history": (
        "id, call_id, status, reviewer, note, links, at",
        "verification_history",
        "call_id",
        "call_id, id",
    ),
    "call_links": (
        "call_id, other_call_id, relation, note, reviewer, at",
        "call_links",
        "call_id",
        "call_id, other_call_id",
    ),
    "custody": (
        "id, at, actor, action, sha256, tool_version, detail",
        "custody",
        "(SELECT c.id FROM calls c WHERE c.sha256 = custody.sha256)",
        "id",
    ),
}


def table_rows(store: CaseStore, name: str, call_ids: Sequence[int] | None) -> TableRows:
    """Stream one readable table (see ``_TABLES``) for the selected calls."""
    columns, source, call_column, order = _TABLES[name]
    where, args = _selection(call_column, call_ids)
    cursor = store.conn.execute(
        f"SELECT {columns} FROM {source} WHERE {where} ORDER BY {order}", args
    )
    names = tuple(column[0] for column in cursor.description)
    return TableRows(name, names, (tuple(row) for row in cursor))


def table_names() -> tuple[str, ...]:
    """The readable tables ``table_rows`` serves, besides ``calls``."""
    return tuple(_TABLES)
