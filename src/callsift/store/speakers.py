"""The voices of mixed channels: who each diarised speaker is, as stored with the transcript.

Rows are written by ``CaseStore.save_transcript`` in the call's transaction (a
speaker belongs to one transcript and goes with it); this module reads them.
"""

from __future__ import annotations

from collections.abc import Callable

from callsift.records import Segment, Speaker
from callsift.store.case import CaseStore

__all__ = ["segment_parties", "speaker_labels", "speakers_of"]

PARTY_OF_CHANNEL = ("caller", "receiver")
"""The party on channel 0 and 1 of a call with one party per channel (as ``voices`` assumes)."""


def speakers_of(store: CaseStore, call_id: int) -> list[Speaker]:
    """The diarised voices of a call, by channel and speaker (empty: none split)."""
    rows = store.conn.execute(
        "SELECT * FROM speakers WHERE call_id = ? ORDER BY channel, speaker", (call_id,)
    ).fetchall()
    return [
        Speaker(
            channel=row["channel"],
            speaker=row["speaker"],
            speech_s=row["speech_s"],
            role=row["role"],
            role_reason=row["role_reason"],
            language=row["language"],
            language_reason=row["language_reason"],
        )
        for row in rows
    ]


def speaker_labels(store: CaseStore, call_id: int) -> dict[tuple[int, int], str]:
    """``(channel, speaker)`` to how a transcript names the voice ("caller", "speaker 2")."""
    return {(s.channel, s.speaker): s.label for s in speakers_of(store, call_id)}


def segment_parties(store: CaseStore, call_id: int) -> Callable[[Segment], str | None]:
    """Who said a segment of this call: ``caller``, ``receiver`` or ``None`` (unknown).

    A split mono channel's segment is its voice's role; a stereo call with one
    party per channel has the caller on channel 0, the receiver on channel 1;
    anything else (a mix not split, a voice whose role is unknown) is unknown.
    """
    roles = {(v.channel, v.speaker): v.role for v in speakers_of(store, call_id)}
    # Two transcribed channels: one party each (a merged mix, or a side dropped as
    # silent, leaves one, and is then unknown: masking it is the safe side).
    parties = store.conn.execute(
        "SELECT count(*) FROM channels WHERE call_id = ?", (call_id,)
    ).fetchone()[0]
    single = parties == 2

    def party_of(segment: Segment) -> str | None:
        if segment.speaker is not None:
            return roles.get((segment.channel, segment.speaker))
        if single and segment.channel in (0, 1):
            return PARTY_OF_CHANNEL[segment.channel]
        return None

    return party_of
