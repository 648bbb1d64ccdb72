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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from callsift.errors import InputError
from callsift.ingest.sidecar import read_sidecar
from callsift.ingest.sources import Limits, iter_sources
from callsift.records import CallMetadata, SourceFile
from callsift.store import CaseStore
from callsift.store.intake import Recovery, keep_original, recover_originals
from callsift.store.names import printable

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


def ingest_paths(
    store: CaseStore,
    paths: Iterable[Path],
    metadata: Iterable[Path] = (),
    mapping: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    on_item: Callable[[str], None] | None = None,
    encoding: str | None = None,
) -> IngestReport:
    """Ingest recordings and sidecars; bad items are reported, the rest goes on.

    ``encoding`` names the text encoding of every sheet (else each is detected).
    Raises ``DiskFullError`` when the case's disk is full, with the case as it
    was before the file at hand.
    """
    report = IngestReport(recovered=recover_originals(store))
    for item in iter_sources([*paths, *metadata], limits or Limits()):
        if isinstance(item, InputError):
            _refuse(store, item, report)
            continue
        if on_item:
            on_item(printable(item.name)[0])
        try:
            if item.name.lower().endswith(SIDECAR_SUFFIXES):
                _ingest_sidecar(store, item, mapping, encoding, report)
            else:
                _ingest_recording(store, item, report)
        except InputError as error:
            _refuse(store, error, report)
    store.attach_metadata()
    return report


def _refuse(store: CaseStore, error: InputError, report: IngestReport) -> None:
    store.add_input_failure(error.path, error.reason)
    path, reason = printable(error.path)[0], printable(error.reason)[0]
    report.failures.append(
        error if (path, reason) == (error.path, error.reason) else InputError(path, reason)
    )


def _ingest_recording(store: CaseStore, item: SourceFile, report: IngestReport) -> None:
    def register(sha256: str, size: int) -> tuple[int, bool, bool]:
        return store.add_call(sha256, item.name, item.origin, size)

    (_, new_call, new_source), _ = keep_original(store, item, register)
    if new_call:
        report.new_calls += 1
    elif new_source:
        report.duplicates += 1
    else:
        report.already_known += 1


def _ingest_sidecar(
    store: CaseStore,
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
            return store.add_sidecar_rows(origin, sha256, calls(stream))

    (added, refused), _ = keep_original(store, item, register)
    errors.extend(InputError(f"{name} row {n}", f"file {file!r} {why}") for n, file, why in refused)
    for error in errors:
        _refuse(store, error, report)
    report.metadata_rows += added
    report.metadata_conflicts += len(refused)
