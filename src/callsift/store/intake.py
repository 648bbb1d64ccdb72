"""An original and its record land together, or neither does.

Copying an original in and writing its ``calls`` or ``sources`` row and custody
entry cannot be one transaction (one is a file, one a database), so they are
made one unit by order and by cleanup: the original is renamed into place and
synced first, then the row is committed; if the database step fails, an
original this unit newly added is removed again. A ``kill -9`` between the two
leaves an original that no row and no custody entry names; the next ingest
removes it (``recover_originals``), as it removes temp files of dead writers.

Both happen under the originals' intake lock (``OriginalStore.lock``), so a
concurrent ingest can never see another's fresh original before its row is
committed and take it for an orphan. A full disk stops the batch
(``DiskFullError``), but a file the case already holds needs no room: when its
copy cannot fit, it is hashed without writing and recognised by its hash.

Recordings come in by the hundred (``Intake``): each is copied into a temp
file as it comes, and a batch of them is put in place, synced at once and
recorded in one transaction: one flush of the disk and one commit serve a
hundred files, where three flushes for each file were nearly all the time of
an ingest. Each file taken is remembered with how it looked (``intake_seen``),
so the next run skips it unread while it looks the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from callsift.errors import DiskFullError
from callsift.records import SourceFile
from callsift.store.blobs import Incoming, hash_stream
from callsift.store.names import printable

if TYPE_CHECKING:
    from callsift.store.case import CaseStore

__all__ = ["Intake", "Recovery", "keep_original", "recover_originals"]

T = TypeVar("T")

BATCH_FILES = 100
BATCH_BYTES = 64 * 1024**2
BATCH_SECONDS = 2.0
"""An ``Intake`` batch is placed and recorded when it holds this many files, or
bytes, or is this old: the syncs are shared, and a batch never waits long."""


@dataclass
class Recovery:
    """What ``recover_originals`` removed: leftovers of runs that died."""

    temp_files: int = 0
    temp_bytes: int = 0
    orphans: list[str] = field(default_factory=list)


@dataclass
class _Pending:
    item: SourceFile | None  # None: only a record to write (a refusal)
    record: Callable[[str, int], None]
    incoming: Incoming | None = None  # None: no copy (already held, or a refusal)
    sha256: str = ""
    size: int = 0


class Intake:
    """Originals taken in batches: copied as they come, placed and recorded together.

    Use as a context manager: leaving it normally places and records what is
    left; leaving on an error drops the copies not yet recorded (the next run
    takes them again). ``add`` runs ``record(sha256, size)`` when the batch is
    committed, inside its transaction, and remembers how the file looked.
    """

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self._pending: list[_Pending] = []
        self._bytes = 0
        self._since = 0.0

    def __enter__(self) -> Intake:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.flush()
        else:
            self._drop(self._pending)
            self._pending = []

    def unchanged(self, origin: str, fingerprint: str) -> bool:
        """Whether ``origin`` was taken in before and still looks as it did then."""
        row = self.store.conn.execute(
            "SELECT fingerprint FROM intake_seen WHERE origin = ?", (_raw(origin),)
        ).fetchone()
        return row is not None and row[0] == fingerprint

    def add(self, item: SourceFile, record: Callable[[str, int], None]) -> None:
        """Copy ``item`` in now; place and record it with the batch.

        A full disk places and records the batch so far, then raises
        ``DiskFullError`` naming the file, unless the case already holds its
        bytes (hashed where it lies).
        """
        try:
            incoming = _receive(self.store, item)
        except DiskFullError:
            try:
                held = _already_held(self.store, item)
            except DiskFullError:
                self.flush()
                raise
            self._queue(_Pending(item, record, None, held[0], held[1]))
            return
        self._queue(_Pending(item, record, incoming, incoming.sha256, incoming.size))

    def defer(self, record: Callable[[], None]) -> None:
        """Write a record with the batch (a refusal): one commit for many."""
        self._queue(_Pending(None, lambda sha256, size: record()))

    def _queue(self, entry: _Pending) -> None:
        if not self._pending:
            self._since = time.monotonic()
        self._pending.append(entry)
        self._bytes += entry.size
        full = len(self._pending) >= BATCH_FILES or self._bytes >= BATCH_BYTES
        if full or time.monotonic() - self._since >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Sync and place the batch's copies, then record them all in one transaction.

        If anything fails, the originals this batch newly placed are removed
        again and nothing of it is recorded; a database that found the disk
        full becomes ``DiskFullError`` naming the file at hand.
        """
        pending, self._pending, self._bytes = self._pending, [], 0
        if not pending:
            return
        store, entry = self.store, pending[0]
        placed: list[Incoming] = []
        try:
            with store.originals.lock():
                try:
                    for entry in pending:
                        if entry.incoming is not None and store.originals.place(entry.incoming):
                            placed.append(entry.incoming)
                    store.originals.make_durable(placed)
                    with store.transaction():
                        for entry in pending:
                            entry.record(entry.sha256, entry.size)
                            if entry.item is not None and entry.item.fingerprint:
                                _remember(store, entry.item, entry.sha256)
                except BaseException as error:
                    for incoming in placed:
                        if not _named(store, incoming.sha256):
                            store.originals.remove(incoming.sha256)
                    _raise_naming(store, error, entry.item)
                    raise
        finally:
            self._drop(pending)

    @staticmethod
    def _drop(pending: list[_Pending]) -> None:
        for entry in pending:
            if entry.incoming is not None:
                entry.incoming.drop()


def _remember(store: CaseStore, item: SourceFile, sha256: str) -> None:
    store.conn.execute(
        "INSERT OR REPLACE INTO intake_seen (origin, fingerprint, sha256) VALUES (?, ?, ?)",
        (_raw(item.origin), item.fingerprint, sha256),
    )


def _raw(origin: str) -> bytes:
    """The origin's own bytes: names that are not UTF-8 stay apart (PEP 383)."""
    return origin.encode("utf-8", "surrogateescape")


def _raise_naming(store: CaseStore, error: BaseException, item: SourceFile | None) -> None:
    """Raise a ``DiskFullError`` that does not say whose file it was (the database's) again,
    saying so; any other error is left to the caller to raise."""
    if isinstance(error, DiskFullError) and not error.file and item is not None:
        free = store.originals.free_bytes()
        raise DiskFullError(str(store.root), free, file=printable(item.origin)[0]) from error


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
            _raise_naming(store, error, item)
            raise


def _named(store: CaseStore, sha256: str) -> bool:
    return bool(
        store.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM calls WHERE sha256 = ?)"
            " OR EXISTS (SELECT 1 FROM custody WHERE sha256 = ?)",
            (sha256, sha256),
        ).fetchone()[0]
    )


def _receive(store: CaseStore, item: SourceFile) -> Incoming:
    """Copy ``item`` into a temp file; ``DiskFullError`` if it cannot fit."""
    if item.size > store.originals.free_bytes():
        raise DiskFullError(str(store.originals.root), store.originals.free_bytes())
    with item.open() as stream:
        return store.originals.receive(stream)


def _put(store: CaseStore, item: SourceFile) -> tuple[str, int, bool]:
    try:
        incoming = _receive(store, item)
    except DiskFullError:
        return _already_held(store, item)
    try:
        new = store.originals.place(incoming)
        if new:
            try:
                store.originals.make_durable([incoming])
            except DiskFullError:
                store.originals.remove(incoming.sha256)  # never held unless it is durable
                raise
        return incoming.sha256, incoming.size, new
    except DiskFullError:
        return _already_held(store, item)
    finally:
        incoming.drop()


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
