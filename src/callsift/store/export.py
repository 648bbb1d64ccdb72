"""Reads for evidence packages: how a call was processed, and its custody extract.

A package must say which settings, model and engines made what it holds, and
carry the part of the custody log that tells the call's story. The log is
keyed by SHA-256, so entries about the call itself are easy to pick; entries
about the case (a sidecar import, a consistency check) are picked by what
they name, as spelled out in :func:`custody_of_call`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from callsift.store.case import CaseStore

__all__ = ["CallProvenance", "call_provenance", "custody_of_call"]


@dataclass(frozen=True)
class CallProvenance:
    """What produced a call's derived data.

    Attributes:
        processed_with: the recogniser settings (``calls.processed_with``), or
            ``None`` for a call never transcribed.
        processed_at: when it was transcribed (or failed).
        analyzed_with: the analysers' version and watchlist digest.
        translation_engines: every engine that wrote one of its translations.
        sidecar: the metadata sidecar its metadata row came from, as ingested.
    """

    processed_with: dict[str, Any] | None
    processed_at: str | None
    analyzed_with: dict[str, Any] | None
    translation_engines: tuple[str, ...]
    sidecar: str | None


def call_provenance(store: CaseStore, call_id: int) -> CallProvenance:
    """Settings, engines and sidecar behind one call (the call must exist)."""
    row = store.conn.execute(
        "SELECT c.processed_with, c.processed_at, c.analyzed_with, r.sidecar FROM calls c"
        " LEFT JOIN sidecar_rows r ON r.file = json_extract(c.metadata, '$.file')"
        " WHERE c.id = ?",
        (call_id,),
    ).fetchone()
    engines = store.conn.execute(
        "SELECT DISTINCT translation_engine FROM segments"
        " WHERE call_id = ? AND translation_engine IS NOT NULL ORDER BY translation_engine",
        (call_id,),
    ).fetchall()
    return CallProvenance(
        processed_with=json.loads(row["processed_with"]) if row["processed_with"] else None,
        processed_at=row["processed_at"],
        analyzed_with=json.loads(row["analyzed_with"]) if row["analyzed_with"] else None,
        translation_engines=tuple(engine[0] for engine in engines),
        sidecar=row["sidecar"],
    )


def custody_of_call(store: CaseStore, call_id: int) -> list[dict[str, Any]]:
    """The custody entries that concern one call, oldest first.

    An entry concerns the call when it carries the call's SHA-256; when it is
    the import of the sidecar that gave the call its metadata; or when it is
    a case-level entry (no SHA-256) whose detail names the call (``call_id``,
    or a ``call_ids``/``calls`` list holding it) or a kind of finding the call
    has (the consistency check that produced them).
    """
    rows = store.conn.execute(
        """
        SELECT cu.* FROM custody cu, calls c LEFT JOIN sidecar_rows r
          ON r.file = json_extract(c.metadata, '$.file')
        WHERE c.id = :id AND (
            cu.sha256 = c.sha256
         OR (cu.action = 'metadata' AND json_extract(cu.detail, '$.sidecar') = r.sidecar)
         OR (cu.sha256 IS NULL AND json_valid(cu.detail) AND (
                json_extract(cu.detail, '$.call_id') = :id
             OR (json_type(cu.detail, '$.call_ids') = 'array' AND EXISTS (
                    SELECT 1 FROM json_each(cu.detail, '$.call_ids') WHERE value = :id))
             OR (json_type(cu.detail, '$.calls') = 'array' AND EXISTS (
                    SELECT 1 FROM json_each(cu.detail, '$.calls') WHERE value = :id))
             OR (json_type(cu.detail, '$.kinds') = 'array' AND EXISTS (
                    SELECT 1 FROM json_each(cu.detail, '$.kinds') k JOIN findings f
                      ON f.kind = k.value AND :id IN (f.call_id, f.other_call_id))))))
        ORDER BY cu.id
        """,
        {"id": call_id},
    ).fetchall()
    return [
        {**dict(row), "detail": json.loads(row["detail"]) if row["detail"] else None}
        for row in rows
    ]
