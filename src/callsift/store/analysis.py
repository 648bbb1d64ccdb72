"""Storage of the language layer: lemmas, mentions, flags, text translations.

Analysis reads only stored text, so it runs apart from transcription and is
keyed on its own (``calls.analyzed_with``): a changed watchlist re-analyses
every call in seconds without touching the audio. Each call's results are
replaced in one transaction, like its transcript.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from callsift.records import FlagHit, Mention, Segment
from callsift.store.case import CaseStore
from callsift.store.queries import segments_of

__all__ = [
    "SegmentAnalysis",
    "calls_to_analyze",
    "calls_to_translate",
    "entity_counts",
    "flag_hits",
    "flags_of",
    "mentions_of",
    "save_analysis",
    "save_translations",
    "stored_segments",
]


@dataclass
class SegmentAnalysis:
    """What the analysers found in one stored segment."""

    segment_id: int
    lemmas: str
    mentions: list[Mention] = field(default_factory=list)
    flags: list[FlagHit] = field(default_factory=list)


def calls_to_analyze(store: CaseStore, key: str) -> list[int]:
    rows = store.conn.execute(
        "SELECT id FROM calls WHERE status = 'done' AND analyzed_with IS NOT ? ORDER BY id", (key,)
    )
    return [row["id"] for row in rows]


def stored_segments(store: CaseStore, call_id: int) -> list[tuple[int, Segment]]:
    """Each segment of a call with its row id, in time order."""
    ids = [
        row["id"]
        for row in store.conn.execute(
            "SELECT id FROM segments WHERE call_id = ? ORDER BY start, channel", (call_id,)
        )
    ]
    return list(zip(ids, segments_of(store, call_id), strict=True))


def save_analysis(
    store: CaseStore,
    call_id: int,
    key: str,
    results: list[SegmentAnalysis],
    certainty: tuple[int, int, float] | None = None,
) -> None:
    """Replace the call's findings; ``certainty`` is ``(words, low_words, score)``."""
    with store.transaction():
        store.conn.execute("DELETE FROM mentions WHERE call_id = ?", (call_id,))
        store.conn.execute("DELETE FROM flags WHERE call_id = ?", (call_id,))
        for result in results:
            store.conn.execute(
                "UPDATE segments SET lemmas = ? WHERE id = ?", (result.lemmas, result.segment_id)
            )
            store.conn.executemany(
                "INSERT INTO mentions (call_id, segment_id, channel, start, type, text, normal,"
                " start_char, end_char, value, fraction, kind, attrs, confidence)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        call_id,
                        result.segment_id,
                        m.channel,
                        m.start,
                        m.type,
                        m.text,
                        m.normal,
                        m.start_char,
                        m.end_char,
                        m.value,
                        m.fraction,
                        m.kind,
                        json.dumps(m.attrs, ensure_ascii=False) if m.attrs else None,
                        m.confidence,
                    )
                    for m in result.mentions
                ],
            )
            store.conn.executemany(
                "INSERT INTO flags (call_id, segment_id, channel, start, topic, term, text,"
                " start_char, end_char, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        call_id,
                        result.segment_id,
                        f.channel,
                        f.start,
                        f.topic,
                        f.term,
                        f.text,
                        f.start_char,
                        f.end_char,
                        f.confidence,
                    )
                    for f in result.flags
                ],
            )
        store.conn.execute("UPDATE calls SET analyzed_with = ? WHERE id = ?", (key, call_id))
        if certainty is not None:
            store.conn.execute(
                "UPDATE calls SET words = ?, low_words = ?, certainty = ? WHERE id = ?",
                (*certainty, call_id),
            )
        store.log(
            "analyze",
            store.call_sha256(call_id),
            mentions=sum(len(r.mentions) for r in results),
            flags=sum(len(r.flags) for r in results),
        )


def save_translations(
    store: CaseStore, call_id: int, engine: str, translations: dict[int, str]
) -> None:
    """Store a text engine's English for the given segment ids."""
    with store.transaction():
        store.conn.executemany(
            "UPDATE segments SET translation = ?, translation_engine = ?,"
            " translation_machine = NULL, translation_logprob = NULL, translation_dropped = NULL"
            " WHERE id = ? AND translation_version = 1",
            [(text, engine, segment_id) for segment_id, text in translations.items()],
        )
        store.log(
            "translate", store.call_sha256(call_id), engine=engine, segments=len(translations)
        )


def mentions_of(store: CaseStore, call_id: int) -> list[Mention]:
    rows = store.conn.execute(
        "SELECT * FROM mentions WHERE call_id = ? ORDER BY start, id",
        (call_id,),
    )
    return [
        Mention(
            type=row["type"],
            text=row["text"],
            normal=row["normal"],
            start_char=row["start_char"],
            end_char=row["end_char"],
            value=row["value"],
            fraction=row["fraction"],
            kind=row["kind"],
            attrs=json.loads(row["attrs"]) if row["attrs"] else {},
            start=row["start"],
            channel=row["channel"],
            segment_id=row["segment_id"],
            confidence=row["confidence"],
        )
        for row in rows
    ]


def flags_of(store: CaseStore, call_id: int) -> list[FlagHit]:
    rows = store.conn.execute(
        "SELECT * FROM flags WHERE call_id = ? ORDER BY start, id", (call_id,)
    )
    return [
        FlagHit(
            topic=row["topic"],
            term=row["term"],
            text=row["text"],
            start_char=row["start_char"],
            end_char=row["end_char"],
            start=row["start"],
            channel=row["channel"],
            segment_id=row["segment_id"],
            confidence=row["confidence"],
        )
        for row in rows
    ]


def entity_counts(store: CaseStore, types: tuple[str, ...]) -> list[dict[str, object]]:
    """Each distinct mention (type, normal form) with how often and in how many calls."""
    marks = ", ".join("?" for _ in types)
    rows = store.conn.execute(
        f"SELECT type, normal, count(*) AS mentions, count(DISTINCT call_id) AS calls,"
        f" max(attrs) AS attrs FROM mentions WHERE type IN ({marks})"
        " GROUP BY type, normal ORDER BY calls DESC, mentions DESC, normal",
        types,
    )
    return [
        {**dict(row), "attrs": json.loads(row["attrs"]) if row["attrs"] else {}} for row in rows
    ]


def flag_hits(store: CaseStore, topic: str | None = None) -> list[dict[str, object]]:
    """Every flag in the case with its call, time and segment text."""
    sql = (
        "SELECT f.call_id, c.file, f.channel, f.start, f.topic, f.term, f.text, f.confidence,"
        " s.text AS segment FROM flags f JOIN calls c ON c.id = f.call_id"
        " JOIN segments s ON s.id = f.segment_id"
    )
    args: tuple[str, ...] = ()
    if topic:
        sql += " WHERE f.topic = ?"
        args = (topic,)
    rows = store.conn.execute(sql + " ORDER BY f.call_id, f.start", args)
    return [dict(row) for row in rows]


def calls_to_translate(store: CaseStore, engine: str) -> list[int]:
    """Calls with a segment not yet translated by ``engine``."""
    rows = store.conn.execute(
        "SELECT DISTINCT call_id FROM segments WHERE translation_engine IS NOT ?"
        " AND translation_version = 1 ORDER BY call_id",
        (engine,),
    )
    return [row["call_id"] for row in rows]
