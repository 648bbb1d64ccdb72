"""Content-addressed, read-only store of original recordings.

Originals are evidence: they are copied once, named by their SHA-256 and made
read-only, so a path in the case can never point at changed bytes. The copy
streams through the hash (multi-GB files never sit in memory), lands in a temp
file in the same folder, is fsync'ed and then renamed into place, so a crash
leaves either nothing or a whole, verified file.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO

__all__ = ["OriginalStore", "sha256_file"]

_CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    """Hash a file by streaming it."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class OriginalStore:
    """Folder ``originals/ab/<sha256>`` holding each original once, read-only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, stream: IO[bytes]) -> tuple[str, int, bool]:
        """Copy a stream in; returns ``(sha256, size, newly_added)``."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path(sha256)
            if target.exists():
                os.unlink(tmp_name)
                return sha256, size, False
            target.parent.mkdir(exist_ok=True)
            os.chmod(tmp_name, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
            os.replace(tmp_name, target)
            _fsync_dir(target.parent)
            return sha256, size, True
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def verify(self, sha256: str) -> bool:
        """Re-hash one original and compare with its name."""
        return sha256_file(self.path(sha256)) == sha256


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
