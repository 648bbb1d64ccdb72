"""One writer of derived data per case at a time: ``process``, ``analyze``, ``check``, ``voices``.

Two ``callsift process`` runs started on one case each read the same pending
calls and transcribed every call twice. These stages now hold an exclusive
lock on the case folder while they run, and a second one stops at once with
a message naming the run that holds it (what, whose process, since when), so
nothing is done twice and nobody waits without knowing why.

The lock is ``flock`` on a file in the case folder: the kernel releases it
when its process dies, however it dies, so ``kill -9`` never leaves a case
locked. Within one process the lock is re-entrant per thread (``process``
runs the analysis that ``analyze`` also runs alone); another thread of the
same process (a second web request) is refused like another process.
Reading (search, the web app, ``status``, ``export``) never takes it.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from callsift.errors import CaseBusyError

__all__ = ["LOCK_NAME", "case_lock", "holding_case"]

P = ParamSpec("P")
R = TypeVar("R")

LOCK_NAME = "work.lock"

_held: dict[Path, tuple[int, int, int]] = {}
"""Locks this process holds: case folder -> (file descriptor, owning thread, depth)."""
_guard = threading.Lock()


@contextmanager
def case_lock(root: Path, command: str, actor: str) -> Iterator[None]:
    """Hold the case's work lock for ``command``, or raise ``CaseBusyError`` at once."""
    key = Path(root).resolve()
    me = threading.get_ident()
    with _guard:
        held = _held.get(key)
        if held is not None:
            fd, owner, depth = held
            if owner != me:
                raise CaseBusyError(key, _holder(key / LOCK_NAME))
            _held[key] = (fd, owner, depth + 1)
        else:
            fd = _acquire(key, command, actor)
            _held[key] = (fd, me, 1)
    try:
        yield
    finally:
        with _guard:
            fd, owner, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, owner, depth - 1)
            else:
                del _held[key]
                os.close(fd)  # closing the descriptor releases the flock


def holding_case(
    command: str,
) -> Callable[[Callable[Concatenate[Any, P], R]], Callable[Concatenate[Any, P], R]]:
    """Run a stage function ``f(store, ...)`` under the case's work lock, named ``command``."""

    def wrap(stage: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
        @functools.wraps(stage)
        def run(store: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
            with case_lock(store.root, command, store.who):
                return stage(store, *args, **kwargs)

        return run

    return wrap


def _acquire(root: Path, command: str, actor: str) -> int:
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise CaseBusyError(root, _holder(path)) from None
    from callsift.store.case import utc_now

    note = {"command": command, "actor": actor, "pid": os.getpid(), "since": utc_now()}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(note).encode(), 0)
    return fd


def _holder(path: Path) -> str:
    """Who holds the lock, in words, from the note its holder wrote."""
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
        return (
            f"callsift {note['command']} (process {note['pid']}, {note['actor']},"
            f" since {note['since']})"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "another callsift run"
