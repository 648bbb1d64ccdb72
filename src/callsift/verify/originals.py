"""Originals checked against the SHA-256 recorded at ingest before they leave the case.

Originals are stored read-only and named by their hash, but a mode bit stops
no one: a failing disk, a sync tool or a person can flip a byte, replace the
file or delete it, and nothing would notice. So every way an original leaves
the case re-hashes it first and refuses a mismatch with
:class:`~callsift.errors.OriginalError` (naming the call, the file and both
hashes): an evidence package (which hashes the bytes as it copies them, so at
no extra read) and the web app's player. ``callsift check --originals``
re-hashes them all.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from callsift.errors import OriginalError
from callsift.records import Call
from callsift.store import CaseStore, list_calls, sha256_file

__all__ = [
    "OriginalsReport",
    "changed_original",
    "check_original",
    "check_originals",
    "verify_original",
    "verify_original_once",
]


def changed_original(store: CaseStore, call: Call, found: str) -> OriginalError:
    """The error for an original whose bytes hash to ``found``, not the call's hash."""
    path = store.originals.path(call.sha256)
    return OriginalError(call.id, call.file, str(path), call.sha256, found)


def check_original(store: CaseStore, call: Call) -> OriginalError | None:
    """Re-hash one call's original: ``None`` when intact, else what is wrong."""
    path = store.originals.path(call.sha256)
    try:
        found = sha256_file(path)
    except FileNotFoundError:
        return OriginalError(call.id, call.file, str(path), call.sha256, None)
    except OSError as error:
        reason = error.strerror or str(error)
        return OriginalError(call.id, call.file, str(path), call.sha256, None, reason)
    return None if found == call.sha256 else changed_original(store, call, found)


def verify_original(store: CaseStore, call: Call) -> Path:
    """The original's path once it hashes as at ingest; raises ``OriginalError``."""
    error = check_original(store, call)
    if error is not None:
        raise error
    return store.originals.path(call.sha256)


_verified: dict[Path, tuple[int, ...]] = {}
_verified_lock = threading.Lock()


def verify_original_once(store: CaseStore, call: Call) -> Path:
    """:func:`verify_original`, remembered for this process while the file stays the same file.

    The player asks for the audio in many range requests, and the web app
    serves a four-hour recording to several reviewers: hashing the original
    on each request would read gigabytes for one listen. A verification is
    remembered against the file's device, inode, size, modification and
    change times. Replacing the file (a new inode), writing into it or even
    restoring its modification time with ``touch`` changes one of these: the
    change time cannot be set back from user space. What the memo misses is
    damage below the file system (a bit rotting on the disk while the server
    runs); ``check --originals`` and every export re-hash in full for that.
    """
    path = store.originals.path(call.sha256)
    try:
        info = os.stat(path)
    except OSError:
        return verify_original(store, call)  # missing or unreadable: raises with the reason
    identity = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    with _verified_lock:
        if _verified.get(path) == identity:
            return path
    verify_original(store, call)
    with _verified_lock:
        _verified[path] = identity
    return path


@dataclass
class OriginalsReport:
    """What ``check --originals`` found.

    Attributes:
        checked: originals re-hashed.
        bytes: bytes read.
        problems: one error per original missing, unreadable or changed.
    """

    checked: int = 0
    bytes: int = 0
    problems: list[OriginalError] = field(default_factory=list)


def check_originals(
    store: CaseStore,
    *,
    on_start: Callable[[int], None] | None = None,
    on_call: Callable[[Call], None] | None = None,
) -> OriginalsReport:
    """Re-hash every original of the case; the check and its result go into custody.

    ``on_start`` is told how many bytes will be read; ``on_call`` each call as
    its original is done (for a progress bar by bytes: originals vary from
    seconds to hours).
    """
    calls = list_calls(store)
    report = OriginalsReport()
    if on_start:
        on_start(sum(call.size for call in calls))
    for call in calls:
        error = check_original(store, call)
        if error is not None:
            report.problems.append(error)
        report.checked += 1
        report.bytes += call.size
        if on_call:
            on_call(call)
    store.log(
        "check-originals",
        None,
        checked=report.checked,
        call_ids=[error.call_id for error in report.problems],
        missing=sum(error.found is None for error in report.problems),
        changed=sum(error.found is not None for error in report.problems),
    )
    return report
