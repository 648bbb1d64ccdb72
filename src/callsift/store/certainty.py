"""How surely each call was heard, and the review queue that puts the least sure first.

The analysis pass stores each call's word counts and score on ``calls``
(``words``, ``low_words``, ``certainty``: see
:mod:`callsift.analyze.confidence`), so that a team with hundreds of calls
can review first the ones whose transcript deserves it least.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from callsift.store.case import CaseStore

__all__ = ["CallCertaintyRow", "certainties", "review_queue"]


@dataclass(frozen=True)
class CallCertaintyRow:
    """One analysed call's certainty.

    Attributes:
        call_id: the call.
        file: its file name.
        certainty: the score (0 to 1; higher is surer).
        words: words heard (with a probability).
        low_words: words under the low-confidence threshold.
        status: its verification status (``unverified`` when never reviewed).
    """

    call_id: int
    file: str
    certainty: float
    words: int
    low_words: int
    status: str = "unverified"

    def summary(self) -> dict[str, float | int]:
        """What a call's JSON (``list --json``, ``GET /api/calls``) says of its certainty."""
        return {"certainty": self.certainty, "words": self.words, "low_words": self.low_words}


_SELECT = (
    "SELECT c.id, c.file, c.certainty, c.words, c.low_words,"
    " coalesce(v.status, 'unverified') AS status"
    " FROM calls c LEFT JOIN verification v ON v.call_id = c.id"
    " WHERE c.status = 'done' AND c.certainty IS NOT NULL"
)


def _row(row: sqlite3.Row) -> CallCertaintyRow:
    return CallCertaintyRow(
        row["id"], row["file"], row["certainty"], row["words"], row["low_words"], row["status"]
    )


def certainties(store: CaseStore, call_id: int | None = None) -> dict[int, CallCertaintyRow]:
    """Every analysed call's certainty (or only ``call_id``'s), by call id."""
    sql, args = (_SELECT, ()) if call_id is None else (_SELECT + " AND c.id = ?", (call_id,))
    return {row["id"]: _row(row) for row in store.conn.execute(sql, args)}


def review_queue(store: CaseStore, include_reviewed: bool = False) -> list[CallCertaintyRow]:
    """Analysed calls, least certain first (then most uncertain words, then id).

    Calls a reviewer has already settled (verified or rejected) are left out
    unless ``include_reviewed``: the queue is what still needs a person.
    """
    sql = _SELECT
    if not include_reviewed:
        sql += " AND coalesce(v.status, 'unverified') NOT IN ('verified', 'rejected')"
    rows = store.conn.execute(sql + " ORDER BY c.certainty, c.low_words DESC, c.id")
    return [_row(row) for row in rows]
