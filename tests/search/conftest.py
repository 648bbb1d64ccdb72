"""Calls planted straight into a case, as Whisper would have written them."""

from __future__ import annotations

import io

from callsift.analyze.morph import lemma_text
from callsift.records import AudioInfo, ChannelTranscript, Segment
from callsift.store import CaseStore


def add_call(store: CaseStore, number: int, text: str) -> None:
    """One call of one Russian segment saying ``text``, with its lemmas."""
    sha, size, _ = store.originals.put(io.BytesIO(text.encode()))
    call_id, _, _ = store.add_call(sha, f"call_{number}.wav", f"/in/{number}", size)
    store.save_transcript(
        call_id,
        AudioInfo(5.0, 8000, 1, "pcm_s16le", "wav"),
        [ChannelTranscript(0, "ru", 0.9, 3.0, [Segment(0, 1.0, 4.0, text, "ru")])],
        '{"m": 1}',
    )
    store.conn.execute(
        "UPDATE segments SET lemmas = ? WHERE call_id = ?", (lemma_text(text, "ru"), call_id)
    )
