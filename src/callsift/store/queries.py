"""Read-side queries over a case: calls, transcripts and status.

Kept apart from the writes in ``case.py`` so the web app and the CLI read
through the same few functions, and all SQL stays inside ``store``.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from callsift.records import Call, CaseStatus, ChannelTranscript, Failure, Segment, Word
from callsift.store.case import CaseStore
from callsift.store.speakers import speakers_of

__all__ = ["case_status", "channels_of", "get_call", "list_calls", "segments_of"]

_CALL_COLUMNS = (
    "id, sha256, file, size, status, reason, ingested_at, metadata, duration_s,"
    " sample_rate, channels, codec, container, processed_at, damage"
)


def _call(conn: sqlite3.Connection, row: sqlite3.Row) -> Call:
    names = [
        r["name"]
        for r in conn.execute(
            "SELECT DISTINCT name FROM sources WHERE call_id = ? ORDER BY id", (row["id"],)
        )
    ]
    values = dict(row)
    values["metadata"] = json.loads(row["metadata"]) if row["metadata"] else None
    return Call(**values, names=names)


def list_calls(store: CaseStore, status: str | None = None) -> list[Call]:
    sql = f"SELECT {_CALL_COLUMNS} FROM calls"
    args: tuple[Any, ...] = ()
    if status:
        sql += " WHERE status = ?"
        args = (status,)
    rows = store.conn.execute(sql + " ORDER BY id", args).fetchall()
    return [_call(store.conn, row) for row in rows]


def get_call(store: CaseStore, call_id: int) -> Call | None:
    row = store.conn.execute(
        f"SELECT {_CALL_COLUMNS} FROM calls WHERE id = ?", (call_id,)
    ).fetchone()
    return _call(store.conn, row) if row else None


def segments_of(store: CaseStore, call_id: int) -> list[Segment]:
    rows = store.conn.execute(
        "SELECT * FROM segments WHERE call_id = ? ORDER BY start, channel", (call_id,)
    ).fetchall()
    return [
        Segment(
            channel=row["channel"],
            start=row["start"],
            end=row["end"],
            text=row["text"],
            language=row["language"],
            avg_logprob=row["avg_logprob"],
            no_speech_prob=row["no_speech_prob"],
            compression_ratio=row["compression_ratio"],
            words=[Word(**w) for w in json.loads(row["words"])],
            translation=row["translation"],
            translation_logprob=row["translation_logprob"],
            translation_dropped=row["translation_dropped"],
            translation_notes=json.loads(row["translation_doubts"] or "[]"),
            id=row["id"],
            version=row["version"],
            speaker=row["speaker"],
        )
        for row in rows
    ]


def case_status(store: CaseStore) -> CaseStatus:
    conn = store.conn
    counts = dict(conn.execute("SELECT status, count(*) FROM calls GROUP BY status").fetchall())
    failures = [
        Failure(file=row["file"], reason=row["reason"], stage="process")
        for row in conn.execute(
            "SELECT file, reason FROM calls WHERE status = 'failed' ORDER BY id"
        )
    ] + [
        Failure(file=row["file"], reason=row["reason"], stage="ingest")
        for row in conn.execute("SELECT file, reason FROM input_failures ORDER BY id")
    ]
    languages = dict(
        conn.execute(
            "SELECT language, count(*) FROM channels WHERE language IS NOT NULL"
            " GROUP BY language ORDER BY count(*) DESC"
        ).fetchall()
    )
    return CaseStatus(
        calls=sum(counts.values()),
        pending=counts.get("pending", 0),
        done=counts.get("done", 0),
        failed=counts.get("failed", 0),
        segments=conn.execute("SELECT count(*) FROM segments").fetchone()[0],
        audio_s=conn.execute(
            "SELECT coalesce(sum(duration_s), 0) FROM calls WHERE status = 'done'"
        ).fetchone()[0],
        failures=failures,
        languages=languages,
        damaged=[
            Failure(file=row["file"], reason=row["damage"], stage="process")
            for row in conn.execute(
                "SELECT file, damage FROM calls WHERE damage IS NOT NULL AND status = 'done'"
                " ORDER BY id"
            )
        ],
    )


def channels_of(store: CaseStore, call_id: int) -> list[ChannelTranscript]:
    """Each party's language decision and, on a mixed channel, its two voices (no segments)."""
    voices = speakers_of(store, call_id)
    rows = store.conn.execute(
        "SELECT * FROM channels WHERE call_id = ? ORDER BY channel", (call_id,)
    )
    return [
        ChannelTranscript(
            channel=row["channel"],
            language=row["language"],
            language_probability=row["language_probability"],
            speech_s=row["speech_s"],
            whisper_language=row["whisper_language"],
            mixed=bool(row["mixed"]),
            language_reason=row["language_reason"],
            speakers=[v for v in voices if v.channel == row["channel"]],
            speakers_reason=row["speakers_reason"],
        )
        for row in rows
    ]
