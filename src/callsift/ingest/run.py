"""Take files, folders and archives into a case, preserving every original.

Each file is streamed once: through SHA-256 into the content-addressed store
(see ``callsift.store.blobs``). The same bytes under another name add a name
to the existing call, and the custody log says so; nothing is stored twice.
Files ending ``.csv``, ``.tsv`` or ``.json`` are metadata sidecars: they are
preserved like recordings (they are evidence too) and their rows are attached
to calls by file name, whichever arrives first.

Each original and its record are one unit (``callsift.store.intake``): a run
first removes what a killed run left (temp files, originals without a record).
A bad file is refused and the batch goes on; a full disk is no one file's
fault, so it stops the batch with one ``DiskFullError``.

Ten thousand files take what one takes, times ten thousand, and no more
memory: sources are walked and archive members read one at a time, recordings
are placed and recorded a hundred at a time (``Intake``), and a file the case
took in before and that still looks the same (path, size, times) is passed
over unread, with one custody entry counting them, so a run resumed after a
``kill -9`` goes on where the killed one stopped. ``rehash`` reads them all
again, as callsift did before, each logged ``ingest-again``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from callsift.errors import InputError
from callsift.ingest.sidecar import read_sidecar
from callsift.ingest.sources import Limits, Unchanged, iter_sources
from callsift.records import CallMetadata, SourceFile
from callsift.store import CaseStore
from callsift.store.intake import Intake, Recovery, keep_original, recover_originals
from callsift.store.names import printable
from callsift.store.sidecars import add_sidecar_rows, attach_metadata

__all__ = ["IngestReport", "ingest_paths"]

SIDECAR_SUFFIXES = (".csv", ".tsv", ".json")


@dataclass
class IngestReport:
    new_calls: int = 0
    duplicates: int = 0
    already_known: int = 0
    metadata_rows: int = 0
    metadata_conflicts: int = 0
    """Sheet rows not taken: their file already has another row, in that sheet or an earlier one."""
    failures: list[InputError] = field(default_factory=list)
    recovered: Recovery = field(default_factory=Recovery)
    unchanged: int = 0
    """Files passed over unread: taken in before, and looking the same (in ``already_known``)."""
    files: int = 0
    """Files and archive members looked at, refused ones aside."""
    seconds: float = 0.0

    @property
    def files_per_s(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


def ingest_paths(
    store: CaseStore,
    paths: Iterable[Path],
    metadata: Iterable[Path] = (),
    mapping: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    on_item: Callable[[str], None] | None = None,
    encoding: str | None = None,
    rehash: bool = False,
) -> IngestReport:
    """Ingest recordings and sidecars; bad items are reported, the rest goes on.

    ``encoding`` names the text encoding of every sheet (else each is detected).
    ``rehash`` reads again files the case took in before that look unchanged.
    Raises ``DiskFullError`` when the case's disk is full, with the case as it
    was before the file at hand.
    """
    started = time.perf_counter()
    report = IngestReport(recovered=recover_originals(store))
    with Intake(store) as intake:
        known = None if rehash else functools.partial(_unchanged, intake)
        for item in iter_sources([*paths, *metadata], limits or Limits(), known):
            if isinstance(item, InputError):
                _refuse(intake, item, report)
                continue
            report.files += 1
            if isinstance(item, Unchanged):
                report.unchanged += 1
                report.already_known += 1
                if on_item:
                    on_item(printable(item.origin.rpartition("/")[2])[0])
                continue
            if on_item:
                on_item(printable(item.name)[0])
            try:
                if item.name.lower().endswith(SIDECAR_SUFFIXES):
                    intake.flush()  # custody entries in the order of the walk
                    _ingest_sidecar(store, intake, item, mapping, encoding, report)
                else:
                    intake.add(item, functools.partial(_record, store, item, report))
            except InputError as error:
                _refuse(intake, error, report)
    if report.unchanged:
        store.log("ingest-unchanged", None, files=report.unchanged)
    attach_metadata(store)
    report.seconds = time.perf_counter() - started
    return report


def _unchanged(intake: Intake, origin: str, looks: str) -> bool:
    """Whether a recording was taken in before and looks the same. A sheet is read again
    each time: how it is read (``encoding``, ``mapping``) may have changed."""
    return not origin.lower().endswith(SIDECAR_SUFFIXES) and intake.unchanged(origin, looks)


def _refuse(intake: Intake, error: InputError, report: IngestReport) -> None:
    intake.defer(lambda: intake.store.add_input_failure(error.path, error.reason))
    path, reason = printable(error.path)[0], printable(error.reason)[0]
    report.failures.append(
        error if (path, reason) == (error.path, error.reason) else InputError(path, reason)
    )


def _record(
    store: CaseStore, item: SourceFile, report: IngestReport, sha256: str, size: int
) -> None:
    """Record a recording's call or source (in the batch's transaction), and count it."""
    _, new_call, new_source = store.add_call(sha256, item.name, item.origin, size)
    if new_call:
        report.new_calls += 1
    elif new_source:
        report.duplicates += 1
    else:
        report.already_known += 1


def _ingest_sidecar(
    store: CaseStore,
    intake: Intake,
    item: SourceFile,
    mapping: Mapping[str, str] | None,
    encoding: str | None,
    report: IngestReport,
) -> None:
    """Stream the sheet's rows into the case; refuse its bad rows, and all of it if unreadable.

    A sheet that stops being readable part-way (a byte its encoding lacks, an
    unclosed quote) keeps the rows before that point, and is refused with the
    reason; its original is kept either way.
    """
    name, origin = printable(item.name)[0], printable(item.origin)[0]
    errors: list[InputError] = []

    def calls(stream: IO[bytes]) -> Iterator[tuple[int, CallMetadata]]:
        try:
            for row in read_sidecar(name, stream, mapping, encoding):
                if isinstance(row, InputError):
                    errors.append(row)
                    continue
                errors.extend(InputError(f"{name}: {row[1].file}", p) for p in row[1].problems)
                yield row
        except InputError as error:
            errors.append(error)

    def register(sha256: str, size: int) -> tuple[int, list[tuple[int, str, str]]]:
        with open(store.originals.path(sha256), "rb") as stream:
            return add_sidecar_rows(store, origin, sha256, calls(stream))

    (added, refused), _ = keep_original(store, item, register)
    errors.extend(InputError(f"{name} row {n}", f"file {file!r} {why}") for n, file, why in refused)
    for error in errors:
        _refuse(intake, error, report)
    report.metadata_rows += added
    report.metadata_conflicts += len(refused)
