"""Storage of the verification workflow: current status, history and links.

A change is one transaction that checks the version the reviewer saw, writes
the new current row, appends to ``verification_history`` (which triggers keep
append-only) and to the custody log, and adds the links. So the current status,
the history and the custody log can never disagree, and two reviewers working
on one call cannot overwrite each other unseen (optimistic concurrency: the
``version`` counter, as an HTTP ``If-Match`` would use it).

An event's version is its rank in the call's history: every change writes
exactly one history row and raises the version by one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from callsift.errors import ConflictError, ReviewError
from callsift.records import CallLink, VerificationEvent, VerificationRecord
from callsift.store.case import CaseStore, utc_now
from callsift.store.review import sha256_of_call

__all__ = ["list_verification", "read_verification", "write_verification"]

_RELATION = "corroborates"


def write_verification(
    store: CaseStore,
    call_id: int,
    status: str,
    reviewer: str,
    note: str,
    links: Sequence[int],
    expected_version: int,
) -> None:
    """Record one change; refused if the record is no longer at ``expected_version``."""
    conn = store.conn
    with store.transaction():
        sha256 = sha256_of_call(store, call_id)
        known = {
            row["id"]
            for row in conn.execute(
                f"SELECT id FROM calls WHERE id IN ({', '.join('?' * len(links))})", list(links)
            )
        }
        missing = sorted(set(links) - known)
        if missing:
            raise ReviewError(
                f"cannot link call {call_id} to call(s) {', '.join(map(str, missing))}: "
                "no such call in this case",
                field="links",
            )
        row = conn.execute(
            "SELECT version FROM verification WHERE call_id = ?", (call_id,)
        ).fetchone()
        current = row["version"] if row else 0
        if current != expected_version:
            raise ConflictError(call_id, expected_version, current)
        now = utc_now()
        conn.execute(
            "INSERT INTO verification (call_id, status, reviewer, note, updated_at, version)"
            " VALUES (?, ?, ?, ?, ?, 1)"
            " ON CONFLICT (call_id) DO UPDATE SET status = excluded.status,"
            " reviewer = excluded.reviewer, note = excluded.note,"
            " updated_at = excluded.updated_at, version = version + 1",
            (call_id, status, reviewer, note, now),
        )
        conn.execute(
            "INSERT INTO verification_history (call_id, status, reviewer, note, links, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (call_id, status, reviewer, note, json.dumps(list(links)), now),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO call_links"
            " (call_id, other_call_id, relation, note, reviewer, at) VALUES (?, ?, ?, ?, ?, ?)",
            [(call_id, other, _RELATION, note, reviewer, now) for other in links],
        )
        store.log(
            "verify",
            sha256,
            call_id=call_id,
            status=status,
            reviewer=reviewer,
            note=note,
            links=list(links),
            version=current + 1,
        )


def read_verification(store: CaseStore, call_id: int) -> VerificationRecord | None:
    """The call's record with links and history, or ``None`` if there is no such call."""
    if store.conn.execute("SELECT 1 FROM calls WHERE id = ?", (call_id,)).fetchone() is None:
        return None
    return _records(store.conn, "WHERE c.id = ?", (call_id,))[0]


def list_verification(store: CaseStore, status: str | None = None) -> list[VerificationRecord]:
    """Every call's record (a call never reviewed is ``unverified``), by call id."""
    if status is None:
        return _records(store.conn, "", ())
    return _records(store.conn, "WHERE coalesce(v.status, 'unverified') = ?", (status,))


def _records(
    conn: sqlite3.Connection, where: str, args: tuple[object, ...]
) -> list[VerificationRecord]:
    chosen = f"SELECT c.id FROM calls c LEFT JOIN verification v ON v.call_id = c.id {where}"
    rows = conn.execute(
        "SELECT c.id, v.status, v.reviewer, v.note, v.updated_at, v.version"
        f" FROM calls c LEFT JOIN verification v ON v.call_id = c.id {where} ORDER BY c.id",
        args,
    ).fetchall()
    links: dict[int, list[CallLink]] = {}
    for row in conn.execute(
        f"SELECT * FROM call_links WHERE call_id IN ({chosen}) ORDER BY call_id, at, other_call_id",
        args,
    ):
        links.setdefault(row["call_id"], []).append(
            CallLink(row["other_call_id"], row["relation"], row["reviewer"], row["at"], row["note"])
        )
    history: dict[int, list[VerificationEvent]] = {}
    for row in conn.execute(
        f"SELECT * FROM verification_history WHERE call_id IN ({chosen}) ORDER BY call_id, id",
        args,
    ):
        events = history.setdefault(row["call_id"], [])
        events.append(
            VerificationEvent(
                version=len(events) + 1,
                status=row["status"],
                reviewer=row["reviewer"],
                note=row["note"],
                links=tuple(json.loads(row["links"] or "[]")),
                at=row["at"],
            )
        )
    return [
        VerificationRecord(
            call_id=row["id"],
            status=row["status"] or "unverified",
            reviewer=row["reviewer"],
            note=row["note"] or "",
            updated_at=row["updated_at"],
            version=row["version"] or 0,
            links=tuple(links.get(row["id"], [])),
            history=tuple(history.get(row["id"], [])),
        )
        for row in rows
    ]
