"""Storage of reviewers' work on transcripts: annotations and corrected segments.

Both are evidence of what people did with the material, so both are
append-only (triggers refuse UPDATE and DELETE), like the custody log:

* An annotation is a note on a call, optionally pinned to a party and a
  moment. Twenty reviewers annotating one call at once each add a row; none
  can overwrite another's.
* A correction never replaces the machine's words: the first correction of a
  segment saves the recogniser's text as version 1, and each correction adds
  the next version. ``segments.text`` holds the latest version, so search and
  analysis see what the reviewers settled on, and ``segments.version`` is the
  counter a client sends back: a correction made against an older version is
  refused with :class:`~callsift.errors.ConflictError`, never applied over
  someone else's.

Each write lands in the custody log in the same transaction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callsift.errors import ConflictError, ReviewError
from callsift.store.case import CaseStore, utc_now

__all__ = [
    "REPEAT_S",
    "Annotation",
    "SegmentVersion",
    "add_annotation",
    "annotations_of",
    "correct_segment",
    "segment_versions_of",
]

REPEAT_S = 10.0
"""A note repeated by its author within this many seconds is one note sent twice."""


@dataclass(frozen=True)
class Annotation:
    """A reviewer's note on a call.

    Attributes:
        id: its number in the case.
        call_id: the call.
        channel: the party it is about, if any.
        start: the moment (seconds) it is about, if any.
        author: who wrote it.
        text: the note, as typed.
        created_at: when (UTC, ISO 8601).
    """

    id: int
    call_id: int
    channel: int | None
    start: float | None
    author: str
    text: str
    created_at: str


@dataclass(frozen=True)
class SegmentVersion:
    """One version of a segment's text: 1 is the recogniser's, then each correction.

    Attributes:
        segment_id: the segment.
        version: 1, 2, …
        text: the words of this version.
        editor: ``callsift`` for the machine's version, else the reviewer.
        note: why it was changed.
        at: when (UTC, ISO 8601).
    """

    segment_id: int
    version: int
    text: str
    editor: str
    note: str
    at: str


def sha256_of_call(store: CaseStore, call_id: int) -> str:
    """The call's original's SHA-256; a change asked of a call the case lacks is refused."""
    row = store.conn.execute("SELECT sha256 FROM calls WHERE id = ?", (call_id,)).fetchone()
    if row is None:
        raise ReviewError(f"no call {call_id} in this case (see callsift list)")
    return str(row["sha256"])


def add_annotation(
    store: CaseStore,
    call_id: int,
    author: str,
    text: str,
    channel: int | None = None,
    start: float | None = None,
) -> Annotation:
    """Append a note to a call and log it (a moment must be a finite, non-negative time).

    The same note sent again by its author within :data:`REPEAT_S` seconds is
    not added twice: the first is returned.
    """
    text = text.strip()
    if not text:
        raise ReviewError("an annotation needs some text")
    if start is not None and not (math.isfinite(start) and start >= 0):
        raise ReviewError(f"an annotation's moment is seconds into the call, not {start}")
    if channel is not None and channel < 0:
        raise ReviewError(f"an annotation's party is a channel number, not {channel}")
    now = utc_now()
    with store.transaction():
        sha256 = sha256_of_call(store, call_id)
        twin = _repeated(store, call_id, author, text, channel, now)
        if twin is not None:
            return twin
        row_id = store.conn.execute(
            "INSERT INTO annotations (call_id, channel, start, author, text, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (call_id, channel, start, author, text, now),
        ).lastrowid
        assert row_id is not None
        store.log(
            "annotate", sha256, call_id=call_id, annotation=row_id, channel=channel, start=start
        )
    return Annotation(row_id, call_id, channel, start, author, text, now)


def _annotation(r: Any) -> Annotation:
    return Annotation(
        r["id"], r["call_id"], r["channel"], r["start"], r["author"], r["text"], r["created_at"]
    )


def _repeated(
    store: CaseStore, call_id: int, author: str, text: str, channel: int | None, now: str
) -> Annotation | None:
    """The author's last note on the call if it says the same and is under
    :data:`REPEAT_S` old: a double click or a resent form, not a second note.

    The moment is not compared: a note sent twice while the call plays carries
    two moments a fraction of a second apart.
    """
    row = store.conn.execute(
        "SELECT * FROM annotations WHERE call_id = ? AND author = ? ORDER BY id DESC LIMIT 1",
        (call_id, author),
    ).fetchone()
    if row is None or row["text"] != text or row["channel"] != channel:
        return None
    age = datetime.fromisoformat(now) - datetime.fromisoformat(row["created_at"])
    return _annotation(row) if age.total_seconds() < REPEAT_S else None


def annotations_of(store: CaseStore, call_id: int) -> list[Annotation]:
    rows = store.conn.execute(
        "SELECT * FROM annotations WHERE call_id = ? ORDER BY id", (call_id,)
    ).fetchall()
    return [_annotation(r) for r in rows]


def correct_segment(
    store: CaseStore,
    call_id: int,
    segment_id: int,
    text: str,
    editor: str,
    expected_version: int,
    note: str = "",
) -> int:
    """Make ``text`` the segment's new version; returns the version number.

    Raises:
        ReviewError: no such segment in the call, or empty text.
        ConflictError: the segment is no longer at ``expected_version``.
    """
    text = " ".join(text.split())
    if not text:
        raise ReviewError("a corrected segment needs some text; annotate the call instead")
    now = utc_now()
    with store.transaction():
        sha256 = sha256_of_call(store, call_id)
        row = store.conn.execute(
            'SELECT channel, start, "end", text, version FROM segments'
            " WHERE id = ? AND call_id = ?",
            (segment_id, call_id),
        ).fetchone()
        if row is None:
            raise ReviewError(f"call {call_id} has no segment {segment_id}")
        if row["version"] != expected_version:
            raise ConflictError(call_id, expected_version, row["version"], what="segment")
        version = row["version"] + 1
        insert = (
            'INSERT INTO segment_versions (call_id, segment_id, channel, start, "end",'
            " version, text, editor, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        place = (call_id, segment_id, row["channel"], row["start"], row["end"])
        if row["version"] == 1:  # keep what the recogniser heard, before the first change
            store.conn.execute(insert, (*place, 1, row["text"], "callsift", "", now))
        store.conn.execute(insert, (*place, version, text, editor, note.strip(), now))
        store.conn.execute(
            "UPDATE segments SET text = ?, version = ? WHERE id = ?", (text, version, segment_id)
        )
        # The words of the segment changed: its lemmas, entities and flags are redone.
        store.conn.execute("UPDATE calls SET analyzed_with = NULL WHERE id = ?", (call_id,))
        store.log(
            "correct", sha256, call_id=call_id, segment=segment_id, version=version, text=text
        )
    return version


def segment_versions_of(store: CaseStore, call_id: int) -> dict[int, list[SegmentVersion]]:
    """Every corrected segment's versions, oldest first, by segment id."""
    versions: dict[int, list[SegmentVersion]] = {}
    for r in store.conn.execute(
        "SELECT * FROM segment_versions WHERE call_id = ? ORDER BY segment_id, version",
        (call_id,),
    ):
        versions.setdefault(r["segment_id"], []).append(
            SegmentVersion(
                r["segment_id"], r["version"], r["text"], r["editor"], r["note"], r["at"]
            )
        )
    return versions
