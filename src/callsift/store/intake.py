"""An original and its record land together, or neither does.

Copying an original in and writing its ``calls`` or ``sources`` row and custody
entry cannot be one transaction (one is a file, one a database), so they are
made one unit by order and by cleanup: the original is renamed into place and
fsync'ed first, then the row is committed; if the database step fails, an
original this unit newly added is removed again. A ``kill -9`` between the two
leaves an original that no row and no custody entry names; the next ingest
removes it (``recover_originals``), as it removes temp files of dead writers.

Both happen under the originals' intake lock (``OriginalStore.lock``), so a
concurrent ingest can never see another's fresh original before its row is
committed and take it for an orphan. A full disk stops the batch
(``DiskFullError``), but a file the case already holds needs no room: when its
copy cannot fit, it is hashed without writing and recognised by its hash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from callsift.errors import DiskFullError
from callsift.records import SourceFile
from callsift.store.blobs import hash_stream
from callsift.store.names import printable

if TYPE_CHECKING:
    from callsift.store.case import CaseStore

__all__ = ["Recovery", "keep_original", "recover_originals"]

T = TypeVar("T")


@dataclass
class Recovery:
    """What ``recover_originals`` removed: leftovers of runs that died."""

    temp_files: int = 0
    temp_bytes: int = 0
    orphans: list[str] = field(default_factory=list)


def keep_original(
    store: CaseStore, item: SourceFile, register: Callable[[str, int], T]
) -> tuple[T, str]:
    """Copy ``item`` into the originals and record it with ``register(sha256, size)``.

    Returns what ``register`` returned and the SHA-256. If ``register`` raises,
    an original this call newly added is removed before the error goes on,
    unless a record names it by then (a sheet's custody entry says how far it
    was read even when reading fails); a database that found the disk full
    becomes ``DiskFullError`` naming the file.
    """
    with store.originals.lock():
        sha256, size, new = _put(store, item)
        try:
            return register(sha256, size), sha256
        except BaseException as error:
            if new and not _named(store, sha256):
                store.originals.remove(sha256)
            if isinstance(error, DiskFullError) and not error.file:  # the database's, say whose
                free = store.originals.free_bytes()
                raise DiskFullError(
                    str(store.root), free, file=printable(item.origin)[0]
                ) from error
            raise


def _named(store: CaseStore, sha256: str) -> bool:
    return bool(
        store.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM calls WHERE sha256 = ?)"
            " OR EXISTS (SELECT 1 FROM custody WHERE sha256 = ?)",
            (sha256, sha256),
        ).fetchone()[0]
    )


def _put(store: CaseStore, item: SourceFile) -> tuple[str, int, bool]:
    originals = store.originals
    if item.size > originals.free_bytes():
        return _already_held(store, item)
    try:
        with item.open() as stream:
            return originals.put(stream)
    except DiskFullError:
        return _already_held(store, item)


def _already_held(store: CaseStore, item: SourceFile) -> tuple[str, int, bool]:
    """No room for a copy: hash the file in place; go on only if the case holds it."""
    with item.open() as stream:
        sha256, size = hash_stream(stream)
    if store.originals.has(sha256):
        return sha256, size, False
    raise DiskFullError(
        str(store.originals.root),
        store.originals.free_bytes(),
        needed=item.size,
        file=printable(item.origin)[0],
    )


def recover_originals(store: CaseStore) -> Recovery:
    """Remove dead writers' temp files and originals no record names; log what went.

    An original counts as recorded when a call or a custody entry names its
    hash (a metadata sheet has no call, only its custody entry).
    """
    with store.originals.lock():
        recovery = Recovery(*store.originals.clean_temp())
        on_disk = set(store.originals.stored())
        if on_disk:
            known = {
                row[0]
                for row in store.conn.execute(
                    "SELECT sha256 FROM calls"
                    " UNION SELECT sha256 FROM custody WHERE sha256 IS NOT NULL"
                )
            }
            recovery.orphans = sorted(on_disk - known)
        for sha256 in recovery.orphans:
            store.originals.remove(sha256)
        if recovery.temp_files or recovery.orphans:
            store.log(
                "ingest-recovered",
                None,
                temp_files=recovery.temp_files,
                temp_bytes=recovery.temp_bytes,
                orphans=recovery.orphans,
            )
    return recovery
