"""A case's metadata sheets: their rows kept per file, and attached to the calls they name.

A sheet is read as it streams (``ingest.sidecar``); here its rows are kept,
the first one per file winning, and every call still without metadata takes
the row that names one of its sources. A row that repeats or contradicts one
already kept is reported, never silently dropped or overwritten.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import asdict

from callsift.records import CallMetadata
from callsift.store.case import CaseStore

__all__ = ["SIDECAR_BATCH", "add_sidecar_rows", "attach_metadata"]

SIDECAR_BATCH = 20_000
"""Sheet rows written per transaction (``add_sidecar_rows``)."""
_NOT_COMPARED = ("extra", "problems")  # extra is compared column by column


def add_sidecar_rows(
    store: CaseStore, sidecar: str, sha256: str, rows: Iterable[tuple[int, CallMetadata]]
) -> tuple[int, list[tuple[int, str, str]]]:
    """Keep a sheet's ``(row number, row)`` pairs, first one per file wins; attach to calls.

    Returns the rows added and those not taken, as ``(row number, file,
    why)``: a second row for a file in this sheet, or a row that differs
    from the one an earlier sheet gave the file (a row the same as it is
    the same fact again, and not reported). Rows are read as they come and
    written in batches of ``SIDECAR_BATCH``, each its own transaction, so a
    sheet of any size takes little memory and never holds the write lock
    for long; the files seen in this sheet wait in a temporary table. One
    custody entry counts what was added and refused, and says
    where reading stopped if it did.
    """
    store.conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS sheet_files (file TEXT PRIMARY KEY, row INTEGER)"
    )
    store.conn.execute("DELETE FROM temp.sheet_files")
    counts = {"rows": 0, "added": 0, "repeated": 0, "conflicts": 0}
    refused: list[tuple[int, str, str]] = []
    rows = iter(rows)
    try:
        while batch := list(itertools.islice(rows, SIDECAR_BATCH)):
            with store.transaction():
                for number, row in batch:
                    why = _add_sidecar_row(store, sidecar, number, row, counts)
                    if why:
                        refused.append((number, row.file, why))
    except Exception as error:
        store.log("metadata", sha256, sidecar=sidecar, **counts, stopped=str(error))
        raise
    finally:
        store.conn.execute("DELETE FROM temp.sheet_files")
    store.log("metadata", sha256, sidecar=sidecar, **counts)
    attach_metadata(store)
    return counts["added"], refused


def _add_sidecar_row(
    store: CaseStore, sidecar: str, number: int, row: CallMetadata, counts: dict[str, int]
) -> str | None:
    """Add one row; the reason it is not taken, or None."""
    counts["rows"] += 1
    if not store.conn.execute(
        "INSERT OR IGNORE INTO temp.sheet_files (file, row) VALUES (?, ?)", (row.file, number)
    ).rowcount:
        counts["repeated"] += 1
        (earlier,) = store.conn.execute(
            "SELECT row FROM temp.sheet_files WHERE file = ?", (row.file,)
        ).fetchone()
        return f"is already in row {earlier}"
    metadata = asdict(row)
    if store.conn.execute(
        "INSERT OR IGNORE INTO sidecar_rows (file, sidecar, metadata) VALUES (?, ?, ?)",
        (row.file, sidecar, json.dumps(metadata, ensure_ascii=False)),
    ).rowcount:
        counts["added"] += 1
        return None
    kept = store.conn.execute(
        "SELECT sidecar, metadata FROM sidecar_rows WHERE file = ?", (row.file,)
    ).fetchone()
    old = json.loads(kept["metadata"])
    differ = [k for k in metadata if k not in _NOT_COMPARED and old.get(k) != metadata[k]]
    old_extra, new_extra = old.get("extra") or {}, metadata["extra"]
    for column in dict.fromkeys([*old_extra, *new_extra]):
        if old_extra.get(column) != new_extra.get(column):
            differ.append(repr(column))
    if not differ:
        return None
    counts["conflicts"] += 1
    return f"differs in {', '.join(differ)} from the row kept from {kept['sidecar']}"


def attach_metadata(store: CaseStore) -> int:
    """Give each call without metadata the sidecar row naming one of its sources.

    A row matches a source by its full relative name first, then by base name,
    so a sidecar listing ``0001.wav`` still finds ``day1/0001.wav``.
    """
    with store.transaction():
        return store.conn.execute(
            """
            UPDATE calls SET metadata = (
                SELECT r.metadata FROM sources s JOIN sidecar_rows r
                  ON r.file = s.name
                  OR r.file = replace(s.name, rtrim(s.name, replace(s.name, '/', '')), '')
                WHERE s.call_id = calls.id
                ORDER BY (r.file = s.name) DESC, s.id LIMIT 1)
            WHERE metadata IS NULL
            """
        ).rowcount
