"""SQLite plumbing shared by the case database and the team file: units of work, scripts.

A full disk is turned into a ``DiskFullError`` that says where and how much
room is left, in one place, for every store that writes.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callsift.errors import DiskFullError

__all__ = ["immediate_transaction", "split_statements"]


@contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    IMMEDIATE takes the write lock at once, so two writers queue on the busy
    timeout instead of one failing halfway with "database is locked".
    A full disk is turned into a ``DiskFullError`` that says where and how
    much room is left; the rollback leaves the case as it was before the unit began.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(error, sqlite3.Error) and error.sqlite_errorcode == sqlite3.SQLITE_FULL:
            raise _disk_full(conn) from error
        raise


def _disk_full(conn: sqlite3.Connection) -> DiskFullError:
    path = Path(conn.execute("PRAGMA database_list").fetchone()[2] or ".")
    return DiskFullError(str(path.parent), shutil.disk_usage(path.parent).free)


def split_statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (triggers hold inner semicolons)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
