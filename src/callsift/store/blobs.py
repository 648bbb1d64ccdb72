"""Content-addressed, read-only store of original recordings.

Originals are evidence: they are copied once, named by their SHA-256 and made
read-only, so a path in the case can never point at changed bytes. The copy
streams through the hash (multi-GB files never sit in memory), lands in a temp
file in the same folder and is renamed into place, then synced (a batch of
them at once) before any record names it: a crash leaves at worst a temp file
or an original no record names, which the next ingest removes.

A writer holds ``flock`` on its temp file until the file is renamed or removed,
and the kernel drops the lock when the writer dies however it dies: a temp file
that ``clean_temp`` can lock is a dead writer's, never a live one's. Adding an
original and recording it are made one unit by ``callsift.store.intake``, under
this store's intake lock.
"""

from __future__ import annotations

import ctypes
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
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from callsift.errors import DiskFullError
from callsift.store.abandoned import remove_abandoned

__all__ = ["Incoming", "OriginalStore", "hash_stream", "sha256_file"]

_CHUNK = 1024 * 1024
_TEMP_PREFIX = ".incoming-"
_LOCK_NAME = ".intake.lock"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_FULL = (errno.ENOSPC, errno.EDQUOT)
_SYNCFS = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)  # Linux only


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


@dataclass
class Incoming:
    """A copy received into a temp file: its descriptor (holding ``flock``), name and hash."""

    fd: int
    temp: str
    sha256: str = ""
    size: int = 0

    def drop(self) -> None:
        """Remove the temp file if it is still there (not placed), and let go of it."""
        if self.fd < 0:
            return
        if os.path.lexists(self.temp):
            os.unlink(self.temp)
        os.close(self.fd)
        self.fd = -1


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
        incoming = self.receive(stream)
        try:
            new = self.place(incoming)
            if new:
                self.make_durable([incoming])
            return incoming.sha256, incoming.size, new
        finally:
            incoming.drop()

    def receive(self, stream: IO[bytes]) -> Incoming:
        """Copy a stream into a temp file beside the originals, hashing it.

        The caller ``place``s it, makes it durable, then ``drop``s it either
        way (a batch of copies is placed together: see
        ``callsift.store.intake``). A full disk raises ``DiskFullError`` and
        leaves no temp file behind.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=_TEMP_PREFIX)
        except OSError as error:
            raise self._full(error) from error
        incoming = Incoming(fd, tmp_name)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd closes, after the rename
            digest = hashlib.sha256()
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                _write_all(fd, chunk)
                incoming.size += len(chunk)
            incoming.sha256 = digest.hexdigest()
            return incoming
        except OSError as error:
            incoming.drop()
            raise self._full(error) from error
        except BaseException:
            incoming.drop()
            raise

    def place(self, incoming: Incoming) -> bool:
        """Rename a received copy into place, read-only; ``False`` if already held.

        Not yet durable: no record may name it before ``make_durable``. A
        crash before that leaves an original no record names, which the next
        ingest removes, whole or not.
        """
        target = self.path(incoming.sha256)
        if target.exists():  # already held: the copy goes
            return False
        try:
            target.parent.mkdir(exist_ok=True)
            os.fchmod(incoming.fd, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            os.replace(incoming.temp, target)
        except OSError as error:
            raise self._full(error) from error
        return True

    def make_durable(self, placed: list[Incoming]) -> None:
        """Put placed originals' bytes and names on the disk, before any record names them.

        One ``syncfs`` of the originals' file system where Linux has it: a
        flush of the device costs as much for one file as for a hundred, and
        syncing each file and its folder took three quarters of an ingest's
        time. Elsewhere each file and each folder is synced.
        """
        if not placed:
            return
        try:
            if _SYNCFS is not None:
                if _SYNCFS(placed[0].fd) != 0:
                    code = ctypes.get_errno()
                    raise OSError(code, os.strerror(code))
                return
            for incoming in placed:
                os.fsync(incoming.fd)
            for folder in sorted({self.path(incoming.sha256).parent for incoming in placed}):
                _fsync_dir(folder)
        except OSError as error:
            raise self._full(error) from error

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
