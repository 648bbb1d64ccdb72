"""Storage of speaker embeddings: one row per call, channel and voice (the ``voices`` table).

Embeddings are derived data, made from the originals by a named model: each
call's rows are replaced as a whole, in one transaction with a custody entry
naming the original's SHA-256, so a crash leaves a call either wholly embedded
or not at all, and that is the resume point. A row whose ``model`` differs from
the one asked for is stale and is computed again.

Every party channel of an embedded call gets a row, even one with no speech
(an empty ``embedding``), so a second run knows the call was looked at. That
also records which channels were one party each: a stereo call with two rows
held one party per channel; a call with one row (a mono recording, or a stereo
one whose channels carried the same mix and were merged) holds both parties on
that channel, and its ``VoicePrint.mixed`` is set, unless diarisation split
it: then each of its two voices has a row (``speaker`` 1 and 2), one party
each. The vectors are float32, little-endian.
"""

from __future__ import annotations

import numpy as np

from callsift.records import VoicePrint
from callsift.store.case import CaseStore

__all__ = ["save_voice_prints", "voice_prints", "voiced_calls"]

_DTYPE = np.dtype("<f4")


def save_voice_prints(
    store: CaseStore, call_id: int, sha256: str, model: str, prints: list[VoicePrint]
) -> None:
    """Replace a call's embeddings with ``prints`` (one per party channel) and log it.

    Raises ``ValueError`` if ``prints`` is empty or names another call or model:
    a call with no row would be embedded again on every run.
    """
    if not prints:
        raise ValueError(f"call {call_id}: no channel to store")
    if any(p.call_id != call_id or p.model != model for p in prints):
        raise ValueError(f"call {call_id}: every print must be of this call and model {model!r}")
    with store.transaction():
        store.conn.execute("DELETE FROM voices WHERE call_id = ?", (call_id,))
        store.conn.executemany(
            "INSERT INTO voices (call_id, channel, speaker, embedding, speech_s, model)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    p.call_id,
                    p.channel,
                    p.speaker,
                    b"" if p.embedding is None else np.asarray(p.embedding, _DTYPE).tobytes(),
                    p.speech_s,
                    p.model,
                )
                for p in prints
            ],
        )
        store.log(
            "voice-embed",
            sha256,
            model=model,
            channels=[p.channel for p in prints],
            **({"speakers": [p.speaker for p in prints]} if any(p.speaker for p in prints) else {}),
            speech_s=[round(p.speech_s, 2) for p in prints],
        )


def voiced_calls(store: CaseStore, model: str) -> set[int]:
    """Ids of the calls whose embeddings were made by ``model``."""
    rows = store.conn.execute(
        "SELECT DISTINCT call_id FROM voices WHERE model = ?", (model,)
    ).fetchall()
    return {row["call_id"] for row in rows}


def voice_prints(store: CaseStore, model: str) -> list[VoicePrint]:
    """Every embedding made by ``model``, by call and channel, with ``mixed`` worked out.

    A voice of a split mixed channel (``speaker`` 1 or 2) is one party, with the
    role diarisation gave it, if any.
    """
    rows = store.conn.execute(
        "SELECT v.call_id, v.channel, v.speaker, v.embedding, v.speech_s, v.model,"
        " c.channels AS source_channels, s.role,"
        " (SELECT COUNT(DISTINCT channel) FROM voices w WHERE w.call_id = v.call_id) AS parties"
        " FROM voices v JOIN calls c ON c.id = v.call_id"
        " LEFT JOIN speakers s ON s.call_id = v.call_id AND s.channel = v.channel"
        " AND s.speaker = v.speaker"
        " WHERE v.model = ? ORDER BY v.call_id, v.channel, v.speaker",
        (model,),
    ).fetchall()
    return [
        VoicePrint(
            call_id=row["call_id"],
            channel=row["channel"],
            speech_s=row["speech_s"],
            model=row["model"],
            embedding=np.frombuffer(row["embedding"], _DTYPE) if row["embedding"] else None,
            mixed=not row["speaker"] and ((row["source_channels"] or 0) < 2 or row["parties"] < 2),
            speaker=row["speaker"],
            role=row["role"],
        )
        for row in rows
    ]
