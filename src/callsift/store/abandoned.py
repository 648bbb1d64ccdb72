"""Files a writer holds ``flock`` on while it fills them, and removing the ones it left.

A temp copy of an original and a partial export are both written beside their
destination and renamed into place when whole; a writer killed with SIGKILL
leaves its file behind. Each writer holds an exclusive ``flock`` on its file
until the rename, and the kernel drops the lock when its process dies, however
it dies: a file whose lock can be won is a dead writer's, never a live one's,
and no process id (which the system reuses) is guessed at.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["remove_abandoned"]


def remove_abandoned(paths: Iterable[Path]) -> list[tuple[Path, int]]:
    """Remove each of ``paths`` that no live writer holds; returns them with their sizes.

    A file is taken only once its lock is won and it is still the file at that
    name (not a link, not replaced meanwhile), so one being filled is never touched.
    """
    removed = []
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # renamed or removed meanwhile, or a link: not ours to touch
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = os.fstat(fd)
            if not os.path.samestat(held, os.lstat(path)):
                continue
            os.unlink(path)
        except (BlockingIOError, FileNotFoundError):
            continue  # its writer is alive, or it finished meanwhile
        finally:
            os.close(fd)
        removed.append((path, held.st_size))
    return removed
