"""The custody log as a hash chain, and the record of its heads kept outside the database.

The triggers of the schema refuse UPDATE and DELETE, but anyone who can write
the database file can drop a trigger, edit an entry and put the trigger back,
or INSERT a back-dated entry under any name. The chain makes that visible:

* Each entry's ``hash`` is ``SHA-256(prev_hash ‖ content_sha256)``, where
  ``content_sha256`` is the SHA-256 of the entry's canonical content (its id,
  time, actor, action, file hash, tool version and detail as sorted, compact
  JSON) and ``prev_hash`` is the previous entry's ``hash`` (64 zeros for the
  first). Changing any entry changes its hash, which the next entry no longer
  names; ids run 1, 2, 3… so a removed entry leaves a gap.
* Rewriting the whole chain from the edit onwards is still possible, so the
  head (the last entry's id and hash) is appended after every command that
  changed the case to ``custody.heads`` beside the database (opened
  O_APPEND, one line per command) and printed, for the team to copy
  somewhere the case's writer cannot reach. A head recorded there, or
  copied elsewhere by the team, that the chain no longer holds is a break.
* Hashing content and link apart lets an evidence package carry the whole
  chain while showing only the entries of its own calls: the others travel
  as ``content_sha256`` alone, and the links still check end to end.

Entries written before the chain existed are hashed by the migration as they
stood then: the chain vouches for them from the upgrade on.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "GENESIS",
    "HEADS_FILE",
    "ChainHead",
    "append_entry",
    "chain_head",
    "chain_problems",
    "content_sha256",
    "custody_problems",
    "entries",
    "heads_problems",
    "link_hash",
    "read_heads",
    "record_head",
    "register_functions",
]

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""
HEADS_FILE = "custody.heads"
_CONTENT = ("id", "at", "actor", "action", "sha256", "tool_version", "detail")


@dataclass(frozen=True)
class ChainHead:
    """The last entry of the chain: what a team records to pin the log down."""

    id: int
    hash: str
    at: str | None = None


def content_sha256(entry: Mapping[str, Any]) -> str:
    """SHA-256 of an entry's canonical content; ``detail`` as parsed JSON or its text."""
    detail = entry.get("detail")
    if isinstance(detail, str):
        detail = json.loads(detail)
    content = {key: entry.get(key) for key in _CONTENT} | {"detail": detail}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, content: str) -> str:
    """An entry's hash from the previous entry's hash and its own content hash."""
    return hashlib.sha256(f"{prev_hash}{content}".encode("ascii")).hexdigest()


def _entry_hash(
    prev: str, id: int, at: str, actor: str, action: str, sha: str | None, tool: str, detail: Any
) -> str:
    entry = {"id": id, "at": at, "actor": actor, "action": action, "sha256": sha}
    return link_hash(prev, content_sha256(entry | {"tool_version": tool, "detail": detail}))


def register_functions(conn: sqlite3.Connection) -> None:
    """``custody_hash(prev, id, at, actor, action, sha256, tool_version, detail)`` in SQL.

    The migration that chains an older case's entries computes their hashes
    with it (SQLite has no SHA-256 of its own).
    """
    conn.create_function("custody_hash", 8, _entry_hash, deterministic=True)


def append_entry(
    conn: sqlite3.Connection,
    at: str,
    actor: str,
    action: str,
    sha256: str | None,
    tool_version: str,
    detail: str | None,
) -> None:
    """Insert the next entry, chained to the last; the caller holds the write lock."""
    last = conn.execute("SELECT id, hash FROM custody ORDER BY id DESC LIMIT 1").fetchone()
    entry_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = {"id": entry_id, "at": at, "actor": actor, "action": action, "sha256": sha256}
    entry |= {"tool_version": tool_version, "detail": detail}
    conn.execute(
        "INSERT INTO custody (id, at, actor, action, sha256, tool_version, detail, prev_hash, hash)"
        " VALUES (:id, :at, :actor, :action, :sha256, :tool_version, :detail, :prev, :hash)",
        entry | {"prev": prev, "hash": link_hash(prev, content_sha256(entry))},
    )


def chain_head(conn: sqlite3.Connection) -> ChainHead | None:
    """The last entry's id, hash and time (``None``: the log is empty)."""
    row = conn.execute("SELECT id, hash, at FROM custody ORDER BY id DESC LIMIT 1").fetchone()
    return ChainHead(row[0], row[1], row[2]) if row else None


def entries(conn: sqlite3.Connection, up_to: int | None = None) -> Iterator[dict[str, Any]]:
    """Every entry in id order (``detail`` as stored text), up to id ``up_to``."""
    cursor = conn.execute(
        "SELECT id, at, actor, action, sha256, tool_version, detail, prev_hash, hash"
        " FROM custody WHERE id <= ? ORDER BY id",
        (up_to if up_to is not None else 2**62,),
    )
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def chain_problems(chain: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every break in a chain of entries, oldest first; ``[]`` when it holds.

    An entry carries its content (whose hash is computed again) or, withheld,
    only its ``content_sha256``; one marked ``masked`` (a publication package
    masks actors and details) is checked by its stored ``content_sha256``, its
    content not being the one hashed. Either way ``hash`` must be the link of
    ``prev_hash`` and that content hash, ``prev_hash`` the previous entry's
    hash and the ids must follow on from 1 without a gap.
    """
    problems: list[str] = []
    expected_id, prev = 1, GENESIS
    for entry in chain:
        entry_id = entry.get("id")
        where = f"custody entry {entry_id}"
        if entry_id != expected_id:
            problems.append(f"{where}: expected entry {expected_id} here (an entry is missing)")
        if entry.get("prev_hash") != prev:
            problems.append(f"{where}: does not link to the entry before it (prev_hash differs)")
        withheld = "action" not in entry or entry.get("masked")
        try:
            content = str(entry["content_sha256"]) if withheld else content_sha256(entry)
        except (KeyError, TypeError, ValueError):
            content = ""
        if content and "content_sha256" in entry and content != entry["content_sha256"]:
            problems.append(f"{where}: its content does not match its recorded content hash")
        if entry.get("hash") != link_hash(str(entry.get("prev_hash")), content):
            problems.append(f"{where}: its content or links were changed (hash differs)")
        prev = str(entry.get("hash"))
        expected_id = (entry_id if isinstance(entry_id, int) else expected_id) + 1
    return problems


def heads_path(root: Path) -> Path:
    return Path(root) / HEADS_FILE


def record_head(root: Path, head: ChainHead) -> None:
    """Append ``head`` to the case's heads file: ``<utc time>\\t<entry id>\\t<hash>``.

    Opened with O_APPEND and written in one call, so lines of two commands
    finishing at once never interleave; fsync'ed like the database.
    """
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    line = f"{now}\t{head.id}\t{head.hash}\n".encode("ascii")
    fd = os.open(heads_path(root), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_heads(root: Path) -> tuple[list[ChainHead], list[str]]:
    """The heads recorded for the case, and a problem for each line that does not read."""
    path = heads_path(root)
    if not path.exists():
        return [], []
    heads, problems = [], []
    for number, line in enumerate(path.read_text("ascii", errors="replace").splitlines(), 1):
        parts = line.split("\t")
        if len(parts) == 3 and parts[1].isdigit() and len(parts[2]) == 64:
            heads.append(ChainHead(int(parts[1]), parts[2], parts[0]))
        else:
            problems.append(f"{HEADS_FILE} line {number}: not a recorded head ({line[:80]!r})")
    return heads, problems


def heads_problems(conn: sqlite3.Connection, heads: Iterable[ChainHead]) -> list[str]:
    """A problem for each recorded head the chain no longer holds, and back-dated entries.

    An entry added after a head was recorded is dated after it (the time is
    taken under the write lock, on the same clock): one dated before it was
    back-dated. Entries older than the first recorded head are not judged by
    time, as an older callsift took the time before waiting for the lock.
    """
    problems = []
    ordered = sorted(heads, key=lambda head: head.id)
    for index, head in enumerate(ordered):
        until = ordered[index + 1].id if index + 1 < len(ordered) else 2**62
        row = conn.execute("SELECT hash FROM custody WHERE id = ?", (head.id,)).fetchone()
        if row is None or row[0] != head.hash:
            found = "is gone" if row is None else f"now has hash {row[0]}"
            problems.append(
                f"{HEADS_FILE}: head recorded {head.at} (entry {head.id}, hash {head.hash})"
                f" is not in the chain: entry {head.id} {found}"
            )
        late = conn.execute(
            "SELECT id, at FROM custody WHERE id > ? AND id <= ? AND at < ? ORDER BY id LIMIT 1",
            (head.id, until, head.at),
        ).fetchone()
        if late is not None:
            problems.append(
                f"custody entry {late[0]}: dated {late[1]}, before the head recorded {head.at}"
                f" (entry {head.id}) that it follows: it was back-dated"
            )
    return problems


def custody_problems(conn: sqlite3.Connection, root: Path) -> list[str]:
    """Every break in the case's chain and against the heads recorded for it."""
    heads, unreadable = read_heads(root)
    return chain_problems(entries(conn)) + unreadable + heads_problems(conn, heads)
