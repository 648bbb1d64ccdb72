"""Progress of long jobs, kept in the case so any reader can show it live.

``callsift process`` may run in a terminal while the team watches the web
app: the job's row is the only channel between them, and SQLite's WAL lets
the app read it while the job writes. A row is updated after every call (one
tiny transaction beside the call's own), so a job that died without
finishing shows how far it got and when it was last heard from; its
``pid`` lets a reader tell a live job from a dead one on the same machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from callsift.store.case import CaseStore, utc_now

__all__ = ["Job", "finish_job", "recent_jobs", "start_job", "update_job"]


@dataclass(frozen=True)
class Job:
    """A long job over the case.

    Attributes:
        id: its number.
        kind: ``process``, ``analyze``…
        actor: who started it.
        pid: the process that runs it.
        state: ``running``, ``finished`` or ``stopped`` (ended by an error or
            an interruption before its last call).
        total: calls it set out to do.
        done: calls done so far.
        failed: calls that failed so far.
        item: the file it worked on last.
        started_at: when it started (UTC).
        updated_at: when it last reported (UTC).
    """

    id: int
    kind: str
    actor: str
    pid: int
    state: str
    total: int | None
    done: int
    failed: int
    item: str
    started_at: str
    updated_at: str


def start_job(store: CaseStore, kind: str, total: int | None) -> int:
    now = utc_now()
    with store.transaction():
        job_id = store.conn.execute(
            "INSERT INTO jobs (kind, actor, pid, state, total, started_at, updated_at)"
            " VALUES (?, ?, ?, 'running', ?, ?, ?)",
            (kind, store.who, os.getpid(), total, now, now),
        ).lastrowid
    assert job_id is not None
    return job_id


def update_job(store: CaseStore, job_id: int, *, done: int, failed: int, item: str) -> None:
    with store.transaction():
        store.conn.execute(
            "UPDATE jobs SET done = ?, failed = ?, item = ?, updated_at = ? WHERE id = ?",
            (done, failed, item, utc_now(), job_id),
        )


def finish_job(store: CaseStore, job_id: int, *, completed: bool) -> None:
    with store.transaction():
        store.conn.execute(
            "UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?",
            ("finished" if completed else "stopped", utc_now(), job_id),
        )


def recent_jobs(store: CaseStore, limit: int = 5) -> list[Job]:
    """The latest jobs, newest first."""
    rows = store.conn.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [Job(**dict(row)) for row in rows]
