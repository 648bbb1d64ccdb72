"""Progress of long jobs, kept in the case so any reader can show it live.

``callsift process`` may run in a terminal while the team watches the web
app: the job's row is the only channel between them, and SQLite's WAL lets
the app read it while the job writes. A row is updated after every call (one
tiny transaction beside the call's own), so a job that died without
finishing shows how far it got and when it was last heard from. A job whose
process is gone (``kill -9``, a power cut) is marked ``interrupted`` when the
next job starts, so no page shows it running forever.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from callsift.store.case import CaseStore, utc_now

__all__ = [
    "Job",
    "finish_job",
    "mark_interrupted",
    "recent_jobs",
    "running_jobs",
    "set_job_item",
    "start_job",
    "update_job",
]


@dataclass(frozen=True)
class Job:
    """A long job over the case.

    Attributes:
        id: its number.
        kind: ``process``, ``analyze``…
        actor: who started it.
        pid: the process that runs it.
        state: ``running``, ``finished``, ``stopped`` (ended by an error or
            Ctrl-C before its last call) or ``interrupted`` (its process died).
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
    mark_interrupted(store)
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


def set_job_item(store: CaseStore, job_id: int, item: str) -> None:
    """Say what the job works on now (on a cluster: which calls run where)."""
    with store.transaction():
        store.conn.execute(
            "UPDATE jobs SET item = ?, updated_at = ? WHERE id = ?", (item, utc_now(), job_id)
        )


def running_jobs(store: CaseStore) -> list[Job]:
    """Jobs still running, their process alive (read only: nothing is marked)."""
    rows = store.conn.execute("SELECT * FROM jobs WHERE state = 'running' ORDER BY id").fetchall()
    return [Job(**dict(row)) for row in rows if _alive(row["pid"])]


def finish_job(store: CaseStore, job_id: int, *, completed: bool) -> None:
    with store.transaction():
        store.conn.execute(
            "UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?",
            ("finished" if completed else "stopped", utc_now(), job_id),
        )


def mark_interrupted(store: CaseStore) -> int:
    """Mark ``running`` jobs whose process no longer exists; returns how many.

    A job records the pid of the process on this machine that runs it (a case
    folder is worked on from one machine: SQLite over a network share is not
    safe). A pid since reused by another program keeps a dead job "running"
    until that program ends: rare, and never the other way round.
    """
    running = store.conn.execute("SELECT id, pid FROM jobs WHERE state = 'running'").fetchall()
    dead = [row["id"] for row in running if not _alive(row["pid"])]
    if dead:
        with store.transaction():
            store.conn.executemany(
                "UPDATE jobs SET state = 'interrupted' WHERE id = ? AND state = 'running'",
                [(job_id,) for job_id in dead],
            )
    return len(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def recent_jobs(store: CaseStore, limit: int = 5) -> list[Job]:
    """The latest jobs, newest first."""
    rows = store.conn.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [Job(**dict(row)) for row in rows]
