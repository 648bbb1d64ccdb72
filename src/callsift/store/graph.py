"""Reads behind the call graph: who called whom, known numbers, what each call holds.

The graph is derived from three things already in the case: the normalised
numbers of each call (``call_numbers``, written by ``callsift.graph.phones``),
the team's directories of known numbers (``directory_entries``) and the
language layer's results (``channels``, ``mentions``, ``flags``). Only calls
with metadata have numbers, so a call without a sidecar row never becomes an
edge. Exporting the graph lands in the custody log with the SHA-256 of the
file written.

What is computed from the graph (communities, centrality: a minute at
100,000 calls) is kept in ``graph_cache`` with the three counters the
schema's triggers raise (schema 10): the structure's generation (which
numbers spoke, how often: what the analytics read), the decoration (dates,
directory names) and the durations (a call's status and length). A reader
compares them with the case's own to know what still holds, and reads the
graph's inputs with the counters in one snapshot, so a result is never
labelled newer than what it was computed from.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from callsift.graph.numbers import PhoneNumber
from callsift.store.case import CaseStore

__all__ = [
    "CachedResult",
    "CallActivity",
    "GraphCall",
    "GraphState",
    "KnownNumber",
    "MentionCount",
    "call_activity",
    "call_languages",
    "claim",
    "graph_calls",
    "graph_snapshot",
    "graph_state",
    "kept_state",
    "known_numbers",
    "latest_result",
    "log_graph_export",
    "save_result",
]


@dataclass(frozen=True)
class GraphCall:
    """One call as the graph sees it: who called whom, when, and for how long.

    Attributes:
        call_id: the call.
        file: its file name, for people reading a profile.
        status: ``done``, ``failed`` or ``pending`` (a corrupt recording with
            metadata is still a call the intercept log says took place).
        started_at: the metadata's ``started_at`` (ISO 8601), or ``None``.
        audio_s: the decoded audio's length, for processed calls only.
        metadata_duration_s: the duration the metadata states, or ``None``.
        caller: the calling number, or ``None`` when the metadata names none.
        receiver: the called number, or ``None``.
    """

    call_id: int
    file: str
    status: str
    started_at: str | None
    audio_s: float | None
    metadata_duration_s: float | None
    caller: PhoneNumber | None
    receiver: PhoneNumber | None

    @property
    def duration_s(self) -> float | None:
        """The audio's length where the call was processed, else what the metadata says."""
        return self.audio_s if self.audio_s is not None else self.metadata_duration_s


@dataclass(frozen=True)
class KnownNumber:
    """One directory entry: a number the team has already identified."""

    directory: str
    raw: str
    e164: str | None
    name: str
    unit: str


@dataclass(frozen=True)
class MentionCount:
    """A place or unit spoken of, with how often and in how many calls."""

    type: str
    normal: str
    english: str | None
    calls: int
    mentions: int


@dataclass(frozen=True)
class CallActivity:
    """What a set of calls holds, summed: places and units spoken of, flags raised."""

    places: tuple[MentionCount, ...]
    units: tuple[MentionCount, ...]
    flags: dict[str, int]


def _number(row: sqlite3.Row, role: str) -> PhoneNumber | None:
    if row[f"{role}_raw"] is None:
        return None
    return PhoneNumber(
        raw=row[f"{role}_raw"],
        e164=row[f"{role}_e164"],
        valid=bool(row[f"{role}_valid"]),
        country=row[f"{role}_country"],
        region=row[f"{role}_region"],
        carrier=row[f"{role}_carrier"],
        line_type=row[f"{role}_line_type"],
    )


_PARTY = ", ".join(
    f"{alias}.{column} AS {role}_{column}"
    for alias, role in (("a", "caller"), ("b", "receiver"))
    for column in ("raw", "e164", "valid", "country", "region", "carrier", "line_type")
)


def graph_calls(
    store: CaseStore,
    *,
    start: str | None = None,
    end: str | None = None,
    number: str | None = None,
) -> list[GraphCall]:
    """Every call with metadata and at least one normalised number, by call id.

    ``start`` and ``end`` (ISO days, included) keep the calls of a period
    (an undated call is in none); ``number`` (a node key: E.164, or ``raw:``
    and the text as written) keeps the calls it took part in.
    """
    where, args = [], []
    if start is not None:
        where.append("c.started_day >= ?")
        args.append(start)
    if end is not None:
        where.append("c.started_day <= ?")
        args.append(end)
    if number is not None and number.startswith("raw:"):
        where.append(
            "c.id IN (SELECT call_id FROM call_numbers WHERE raw = ?"
            " AND (NOT valid OR e164 IS NULL))"
        )
        args.append(number.removeprefix("raw:"))
    elif number is not None:
        where.append("c.id IN (SELECT call_id FROM call_numbers WHERE e164 = ? AND valid)")
        args.append(number)
    rows = store.conn.execute(
        f"SELECT c.id, c.file, c.status, json_extract(c.metadata, '$.started_at') AS started_at,"
        f" CASE WHEN c.status = 'done' THEN c.duration_s END AS audio_s,"
        f" json_extract(c.metadata, '$.duration_s') AS metadata_duration_s, {_PARTY}"
        " FROM calls c"
        " LEFT JOIN call_numbers a ON a.call_id = c.id AND a.role = 'caller'"
        " LEFT JOIN call_numbers b ON b.call_id = c.id AND b.role = 'receiver'"
        " WHERE c.metadata IS NOT NULL AND (a.call_id IS NOT NULL OR b.call_id IS NOT NULL)"
        f" {''.join(' AND ' + clause for clause in where)} ORDER BY c.id",
        args,
    ).fetchall()
    return [
        GraphCall(
            call_id=row["id"],
            file=row["file"],
            status=row["status"],
            started_at=row["started_at"],
            audio_s=row["audio_s"],
            metadata_duration_s=_float(row["metadata_duration_s"]),
            caller=_number(row, "caller"),
            receiver=_number(row, "receiver"),
        )
        for row in rows
    ]


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def known_numbers(store: CaseStore) -> list[KnownNumber]:
    """Every directory entry, in import order."""
    rows = store.conn.execute(
        "SELECT directory, raw, e164, name, unit FROM directory_entries ORDER BY id"
    )
    return [KnownNumber(**dict(row)) for row in rows]


def call_languages(store: CaseStore, call_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The languages decided for each call's channels (calls without any are absent)."""
    rows = store.conn.execute(
        "SELECT call_id, group_concat(DISTINCT language) AS languages FROM channels"
        " WHERE language IS NOT NULL AND call_id IN (SELECT value FROM json_each(?))"
        " GROUP BY call_id",
        (json.dumps(list(call_ids)),),
    )
    return {row["call_id"]: tuple(sorted(row["languages"].split(","))) for row in rows}


def call_activity(store: CaseStore, call_ids: Sequence[int]) -> CallActivity:
    """Places (``LOC``) and units mentioned in the calls, and the flags they raised."""
    ids = json.dumps(list(call_ids))
    mentions = store.conn.execute(
        "SELECT type, normal, max(json_extract(attrs, '$.english')) AS english,"
        " count(DISTINCT call_id) AS calls, count(*) AS mentions FROM mentions"
        " WHERE type IN ('LOC', 'unit') AND call_id IN (SELECT value FROM json_each(?))"
        " GROUP BY type, normal ORDER BY calls DESC, mentions DESC, normal",
        (ids,),
    ).fetchall()
    counts = [MentionCount(**dict(row)) for row in mentions]
    flags = store.conn.execute(
        "SELECT topic, count(*) AS hits FROM flags"
        " WHERE call_id IN (SELECT value FROM json_each(?))"
        " GROUP BY topic ORDER BY hits DESC, topic",
        (ids,),
    )
    return CallActivity(
        places=tuple(m for m in counts if m.type == "LOC"),
        units=tuple(m for m in counts if m.type == "unit"),
        flags={row["topic"]: row["hits"] for row in flags},
    )


def log_graph_export(store: CaseStore, file: str, fmt: str, sha256: str, **counts: int) -> None:
    """Record in the custody log that the graph was written to ``file``."""
    with store.transaction():
        store.log("graph-export", sha256, file=file, format=fmt, **counts)


@dataclass(frozen=True)
class GraphState:
    """The case's graph counters, each raised by the schema's triggers (schema 10).

    Attributes:
        structure: which numbers spoke and how often (the analytics' generation).
        decoration: the metadata's dates and durations, the directories' names and units.
        durations: the calls' status and decoded length (an edge's total duration).
    """

    structure: int
    decoration: int
    durations: int

    def holds(self, newer: GraphState) -> bool:
        """Whether ``newer`` is at or after ``self``, counter by counter (lacks nothing of it)."""
        return (
            self.structure <= newer.structure
            and self.decoration <= newer.decoration
            and self.durations <= newer.durations
        )


@dataclass(frozen=True)
class CachedResult:
    """A result kept in the case, with the counters it was computed at."""

    state: GraphState
    data: str


_STATE = "SELECT generation, decoration, durations FROM graph_state"


def graph_state(store: CaseStore) -> GraphState:
    """The case's graph counters now."""
    return GraphState(*store.conn.execute(_STATE).fetchone())


@contextmanager
def graph_snapshot(store: CaseStore) -> Iterator[GraphState]:
    """The counters, and one read snapshot for everything read inside the block.

    The graph is computed from several queries; in one snapshot (a deferred
    read transaction: WAL readers never wait for a writer) the counters name
    exactly the state they were read from, whoever writes meanwhile.
    """
    if store.conn.in_transaction:
        yield graph_state(store)
        return
    store.conn.execute("BEGIN")
    try:
        yield graph_state(store)
    finally:
        store.conn.execute("COMMIT")


def latest_result(store: CaseStore, name: str) -> CachedResult | None:
    """The last result kept under ``name``, whatever it was computed at."""
    row = store.conn.execute(
        "SELECT generation, decoration, durations, data FROM graph_cache WHERE name = ?", (name,)
    ).fetchone()
    return None if row is None else CachedResult(GraphState(*tuple(row)[:3]), str(row["data"]))


def claim(store: CaseStore, structure: int, seconds: float, *, wait: bool = True) -> bool:
    """Claim computing the analytics of ``structure`` for ``seconds``; returns whether claimed.

    With ``wait`` another process's live claim on the same structure is
    respected (``False``: it is computing them); without, the claim is taken
    whatever (a caller that must have the result now computes it anyway).
    """
    now = time.time()
    if wait and _claimed(store, structure, now):
        return False
    with store.transaction():
        if wait and _claimed(store, structure, now):
            return False
        store.conn.execute(
            "UPDATE graph_state SET claimed = ?, claimed_until = ?", (structure, now + seconds)
        )
    return True


def _claimed(store: CaseStore, structure: int, now: float) -> bool:
    row = store.conn.execute("SELECT claimed, claimed_until FROM graph_state").fetchone()
    return bool(row["claimed"] == structure and (row["claimed_until"] or 0) > now)


def kept_state(store: CaseStore, name: str) -> GraphState | None:
    """The counters the result kept under ``name`` was computed at (without reading it)."""
    row = store.conn.execute(
        "SELECT generation, decoration, durations FROM graph_cache WHERE name = ?", (name,)
    ).fetchone()
    return None if row is None else GraphState(*tuple(row))


def save_result(store: CaseStore, name: str, state: GraphState, data: str) -> bool:
    """Keep ``data`` under ``name`` if computed at the current structure; returns whether kept.

    A result of an older structure is never kept (its analytics no longer
    hold), nor one older than the result already kept: counters only go up.
    """
    with store.transaction():
        now, kept = graph_state(store), kept_state(store, name)
        if now.structure != state.structure or not state.holds(now):
            return False
        if kept is not None and kept != state and state.holds(kept):
            return False
        store.conn.execute(
            "INSERT OR REPLACE INTO graph_cache (name, generation, decoration, durations, data)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, state.structure, state.decoration, state.durations, data),
        )
        store.conn.execute(  # computed: the claim on it is done with
            "UPDATE graph_state SET claimed = NULL, claimed_until = NULL WHERE claimed = ?",
            (state.structure,),
        )
        return True
