"""Files being written beside their destination, and the ones a killed export left behind.

An export writes ``.<name>.<random>.partial`` next to the file it makes and
renames it into place when whole, so no reader ever sees half a package. A
process killed with SIGKILL cannot remove its partial file, and a package of
long recordings leaves gigabytes. So the writer holds an exclusive ``flock``
on its partial file for as long as it writes, and every export first removes
the partial files in its folder that no one holds: the kernel drops a lock
when its process dies, however it dies, so a held lock means a live writer
(another export running at the same time), and process ids, which are
reused, are never guessed at.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callsift.store.abandoned import remove_abandoned

__all__ = ["clean_stale_partials", "partial_file"]

_PARTIAL = re.compile(r"\..+\.[a-z0-9_]{8}\.partial\Z")


@contextmanager
def partial_file(out: Path) -> Iterator[tuple[int, Path]]:
    """A new locked partial file for ``out``: ``(fd, path)``; removed unless renamed away.

    The lock is taken on a descriptor of its own, so it outlives the caller
    closing ``fd`` (as a ZIP writer does before the file is sealed and renamed).
    """
    clean_stale_partials(out.parent)
    # Made under another suffix and renamed once locked: a cleaner never sees it unlocked.
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial-new")
    path = Path(name.removesuffix("-new"))
    lock = os.open(name, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.replace(name, path)
        yield fd, path
    finally:
        Path(name).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        os.close(lock)


def clean_stale_partials(folder: Path) -> list[Path]:
    """Remove the partial files in ``folder`` whose writer is gone; returns them."""
    partials = (path for path in folder.iterdir() if _PARTIAL.match(path.name))
    return [path for path, _ in remove_abandoned(partials)]
