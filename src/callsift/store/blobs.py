"""Content-addressed, read-only store of original recordings.

Originals are evidence: they are copied once, named by their SHA-256 and made
read-only, so a path in the case can never point at changed bytes. The copy
streams through the hash (multi-GB files never sit in memory), lands in a temp
file in the same folder, is fsync'ed and then renamed into place, so a crash
leaves either nothing or a whole, verified file, plus at worst the temp file.

A writer holds ``flock`` on its temp file until the file is renamed or removed,
and the kernel drops the lock when the writer dies however it dies: a temp file
that ``clean_temp`` can lock is a dead writer's, never a live one's. Adding an
original and recording it are made one unit by ``callsift.store.intake``, under
this store's intake lock.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from callsift.errors import DiskFullError
from callsift.store.abandoned import remove_abandoned

__all__ = ["OriginalStore", "hash_stream", "sha256_file"]

_CHUNK = 1024 * 1024
_TEMP_PREFIX = ".incoming-"
_LOCK_NAME = ".intake.lock"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FULL = (errno.ENOSPC, errno.EDQUOT)


def sha256_file(path: Path) -> str:
    """Hash a file by streaming it."""
    with open(path, "rb") as handle:
        return hash_stream(handle)[0]


def hash_stream(stream: IO[bytes]) -> tuple[str, int]:
    """``(sha256, size)`` of a stream, read to its end in chunks, nothing written."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class OriginalStore:
    """Folder ``originals/ab/<sha256>`` holding each original once, read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def free_bytes(self) -> int:
        """Free space on the disk that holds the originals, in bytes."""
        folder = self.root if self.root.exists() else self.root.parent
        return shutil.disk_usage(folder).free

    def put(self, stream: IO[bytes]) -> tuple[str, int, bool]:
        """Copy a stream in; returns ``(sha256, size, newly_added)``.

        A full disk raises ``DiskFullError`` and leaves no temp file behind.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=_TEMP_PREFIX)
        except OSError as error:
            raise self._full(error) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd closes, after the rename
            digest = hashlib.sha256()
            size = 0
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                _write_all(fd, chunk)
                size += len(chunk)
            sha256 = digest.hexdigest()
            target = self.path(sha256)
            if target.exists():  # already held: the copy goes, unsynced
                return sha256, size, False
            os.fsync(fd)
            target.parent.mkdir(exist_ok=True)
            os.fchmod(fd, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            os.replace(tmp_name, target)
            _fsync_dir(target.parent)
            return sha256, size, True
        except OSError as error:
            raise self._full(error) from error
        finally:
            if os.path.lexists(tmp_name):
                os.unlink(tmp_name)
            os.close(fd)

    def _full(self, error: OSError) -> OSError | DiskFullError:
        if error.errno in _FULL:
            return DiskFullError(str(self.root), self.free_bytes())
        return error

    def remove(self, sha256: str) -> None:
        """Delete one original: only one that no record names (see ``callsift.store.intake``)."""
        target = self.path(sha256)
        try:
            target.unlink()
        except FileNotFoundError:
            return
        _fsync_dir(target.parent)

    def stored(self) -> Iterator[str]:
        """The SHA-256 of every original on disk."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if len(folder.name) == 2 and folder.is_dir():
                for blob in folder.iterdir():
                    if _SHA256.fullmatch(blob.name) and blob.name.startswith(folder.name):
                        yield blob.name

    def clean_temp(self) -> tuple[int, int]:
        """Remove temp files whose writer is gone (a crash, ``kill -9``); ``(files, bytes)``.

        See :func:`callsift.store.abandoned.remove_abandoned`.
        """
        removed = remove_abandoned(self.root.glob(_TEMP_PREFIX + "*"))
        return len(removed), sum(size for _, size in removed)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the intake lock: while held, no other holder adds or removes an original.

        Not re-entrant: a second ``lock()`` in the same process waits for the first.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def verify(self, sha256: str) -> bool:
        """Re-hash one original and compare with its name."""
        return sha256_file(self.path(sha256)) == sha256


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
