"""Readable tables of a case, and their CSV export.

One definition of the tables serves both the CSV files and the Datasette
database (``datasette.py``): a flat ``calls`` row per call (metadata, both
numbers with their directory names, languages, flags, verification), the
``numbers`` and ``known_numbers`` behind it, and the stored segments,
entities, flags, findings, verification history, links and custody entries
of the selected calls.

CSV: ``out`` ending in ``.zip`` gets every table as its own CSV file;
any other name gets ``calls.csv`` content alone (what most people open in a
spreadsheet). Files are UTF-8 with a byte-order mark, so Excel shows Cyrillic
correctly; values are written as stored (a number like ``+7 903 …`` stays
text in the file even if a spreadsheet reformats it), except that a cell a
spreadsheet would run as a formula gets a leading ``'`` (``callsift.csvsafe``).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from callsift.csvsafe import csv_writer
from callsift.export.calls import ExportCall, Party, export_calls
from callsift.store import CaseStore
from callsift.store.export_queries import table_names, table_rows

__all__ = ["CALL_COLUMNS", "Table", "call_row", "readable_tables", "write_csv"]

Table = tuple[str, Sequence[str], Iterable[Sequence[Any]]]
"""``(name, column names, rows)``."""

CALL_COLUMNS: tuple[str, ...] = (
    "id", "file", "sha256", "status", "reason", "started_at", "duration_s",
    "stated_duration_s", "location", "notes",
    "caller_raw", "caller_e164", "caller_valid", "caller_country", "caller_carrier",
    "caller_name",
    "receiver_raw", "receiver_e164", "receiver_valid", "receiver_country", "receiver_carrier",
    "receiver_name",
    "languages", "flags", "flag_topics", "findings",
    "verification", "reviewer", "verification_note", "verified_at",
    "other_names", "size", "codec", "container", "sample_rate", "channels",
    "ingested_at", "processed_at", "extra",
)  # fmt: skip


def _party(party: Party) -> tuple[Any, ...]:
    number = party.number
    if number is None:
        return None, None, None, None, None, None
    names = " / ".join(party.names) or None
    return number.raw, number.e164, int(number.valid), number.country, number.carrier, names


def call_row(call: ExportCall) -> tuple[Any, ...]:
    """The ``calls`` row of one call, in ``CALL_COLUMNS`` order."""
    state = call.verification
    return (
        call.id,
        call.file,
        call.sha256,
        call.status,
        call.reason,
        call.started_at,
        call.duration_s,
        call.stated_duration_s,
        call.location,
        call.notes,
        *_party(call.caller),
        *_party(call.receiver),
        ", ".join(call.languages) or None,
        sum(call.flags.values()),
        ", ".join(f"{topic} {n}" for topic, n in call.flags.items()) or None,
        call.findings,
        state.status,
        state.reviewer,
        state.note or None,
        state.updated_at,
        "; ".join(name for name in call.names if name != call.file) or None,
        call.size,
        call.codec,
        call.container,
        call.sample_rate,
        call.channels,
        call.ingested_at,
        call.processed_at,
        json.dumps(call.extra, ensure_ascii=False, sort_keys=True) if call.extra else None,
    )


def _number_rows(calls: Sequence[ExportCall]) -> Iterator[tuple[Any, ...]]:
    for call in calls:
        for role, party in (("caller", call.caller), ("receiver", call.receiver)):
            if party.number is not None:
                yield (call.id, role, *_party(party))


def _known_rows(calls: Sequence[ExportCall]) -> Iterator[tuple[Any, ...]]:
    seen = set()
    for call in calls:
        for entry in call.caller.known + call.receiver.known:
            if entry not in seen:
                seen.add(entry)
                yield (
                    entry.raw,
                    entry.e164,
                    entry.name,
                    entry.unit,
                    entry.source,
                    entry.note,
                    entry.directory,
                )


def readable_tables(
    store: CaseStore, calls: Sequence[ExportCall], call_ids: Sequence[int] | None
) -> Iterator[Table]:
    """Every readable table of the selection, ``calls`` first; rows stream from the case."""
    yield "calls", CALL_COLUMNS, (call_row(call) for call in calls)
    yield (
        "numbers",
        ("call_id", "role", "raw", "e164", "valid", "country", "carrier", "name"),
        _number_rows(calls),
    )
    yield (
        "known_numbers",
        ("raw", "e164", "name", "unit", "source", "note", "directory"),
        _known_rows(calls),
    )
    for name in table_names():
        table = table_rows(store, name, call_ids)
        yield table.name, table.columns, table.rows


def _write_rows(handle: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv_writer(handle, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)


def write_csv(store: CaseStore, call_ids: Sequence[int] | None, out: Path) -> Path:
    """Write ``calls.csv`` content to ``out``, or every table as CSVs if ``out`` ends in .zip."""
    calls = export_calls(store, call_ids)
    selection = None if call_ids is None else [call.id for call in calls]
    tmp = out.with_name(f".{out.name}.partial")
    try:
        if out.suffix.lower() == ".zip":
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, columns, rows in readable_tables(store, calls, selection):
                    with (
                        archive.open(f"{name}.csv", "w") as member,
                        io.TextIOWrapper(member, encoding="utf-8-sig", newline="") as text,
                    ):
                        _write_rows(text, columns, rows)
        else:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
                _write_rows(handle, CALL_COLUMNS, (call_row(call) for call in calls))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return out
