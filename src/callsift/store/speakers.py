"""The voices of mixed channels: who each diarised speaker is, as stored with the transcript.

Rows are written by ``CaseStore.save_transcript`` in the call's transaction (a
speaker belongs to one transcript and goes with it); this module reads them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from callsift.records import Speaker
from callsift.store.case import CaseStore

__all__ = ["speakers_of", "transcribed_channels"]


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


def transcribed_channels(store: CaseStore, call_ids: Sequence[int]) -> dict[int, int]:
    """How many channels of each call were transcribed (a call not processed is absent).

    Two means one party per channel; one, a mix of both parties (a mono call,
    stereo channels merged as one mix) or a side left when the other was silent.
    """
    rows = store.conn.execute(
        "SELECT call_id, count(*) FROM channels"
        " WHERE call_id IN (SELECT value FROM json_each(?)) GROUP BY call_id",
        (json.dumps(list(call_ids)),),
    )
    return {row[0]: row[1] for row in rows}
