"""Take files, folders and archives into a case, preserving every original.

Each file is streamed once: through SHA-256 into the content-addressed store
(see ``callsift.store.blobs``). The same bytes under another name add a name
to the existing call, and the custody log says so; nothing is stored twice.
Files ending ``.csv``, ``.tsv`` or ``.json`` are metadata sidecars: they are
preserved like recordings (they are evidence too) and their rows are attached
to calls by file name, whichever arrives first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from callsift.errors import InputError
from callsift.ingest.sidecar import read_sidecar
from callsift.ingest.sources import Limits, iter_sources
from callsift.records import SourceFile
from callsift.store import CaseStore

__all__ = ["IngestReport", "ingest_paths"]

SIDECAR_SUFFIXES = (".csv", ".tsv", ".json")


@dataclass
class IngestReport:
    new_calls: int = 0
    duplicates: int = 0
    already_known: int = 0
    metadata_rows: int = 0
    failures: list[InputError] = field(default_factory=list)


def ingest_paths(
    store: CaseStore,
    paths: Iterable[Path],
    metadata: Iterable[Path] = (),
    mapping: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    on_item: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest recordings and sidecars; bad items are reported, the rest goes on."""
    report = IngestReport()
    for item in iter_sources([*paths, *metadata], limits or Limits()):
        if isinstance(item, InputError):
            store.add_input_failure(item.path, item.reason)
            report.failures.append(item)
            continue
        if on_item:
            on_item(item.name)
        try:
            if item.name.lower().endswith(SIDECAR_SUFFIXES):
                _ingest_sidecar(store, item, mapping, report)
            else:
                _ingest_recording(store, item, report)
        except InputError as error:
            store.add_input_failure(error.path, error.reason)
            report.failures.append(error)
    store.attach_metadata()
    return report


def _ingest_recording(store: CaseStore, item: SourceFile, report: IngestReport) -> None:
    with item.open() as stream:
        sha256, size, _ = store.originals.put(stream)
    _, new_call, new_source = store.add_call(sha256, item.name, item.origin, size)
    if new_call:
        report.new_calls += 1
    elif new_source:
        report.duplicates += 1
    else:
        report.already_known += 1


def _ingest_sidecar(
    store: CaseStore, item: SourceFile, mapping: Mapping[str, str] | None, report: IngestReport
) -> None:
    with item.open() as stream:
        sha256, _, _ = store.originals.put(stream)
    with open(store.originals.path(sha256), "rb") as stream:
        rows, errors = read_sidecar(item.name, stream, mapping)
    for error in errors:
        store.add_input_failure(error.path, error.reason)
        report.failures.append(error)
    for row in rows:
        for problem in row.problems:
            store.add_input_failure(f"{item.name}: {row.file}", problem)
            report.failures.append(InputError(f"{item.name}: {row.file}", problem))
    report.metadata_rows += store.add_sidecar_rows(item.origin, sha256, rows)
