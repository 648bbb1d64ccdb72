"""Findings of consistency checks and voice comparisons.

A check is re-run as a whole: its previous findings are replaced in the same
transaction, so a finding that no longer holds (metadata corrected, a model
changed) disappears instead of lingering beside the new ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from callsift.records import FindingRecord
from callsift.store.case import CaseStore, utc_now

__all__ = ["list_findings", "replace_findings"]


def replace_findings(
    store: CaseStore, kinds: Iterable[str], findings: Iterable[FindingRecord], checked_with: str
) -> int:
    """Replace every finding of ``kinds`` with ``findings``; returns how many were stored."""
    kinds = sorted(set(kinds))
    rows = list(findings)
    unknown = {f.kind for f in rows} - set(kinds)
    if unknown:
        raise ValueError(f"findings of kinds {sorted(unknown)} not declared in {kinds}")
    now = utc_now()
    with store.transaction():
        store.conn.execute(
            f"DELETE FROM findings WHERE kind IN ({', '.join('?' * len(kinds))})", kinds
        )
        store.conn.executemany(
            "INSERT INTO findings (call_id, kind, severity, message, other_call_id, score,"
            " detail, found_at, checked_with) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    f.call_id,
                    f.kind,
                    f.severity,
                    f.message,
                    f.other_call_id,
                    f.score,
                    json.dumps(f.detail, ensure_ascii=False, sort_keys=True),
                    now,
                    checked_with,
                )
                for f in rows
            ],
        )
        store.log("check", None, kinds=kinds, findings=len(rows), checked_with=checked_with)
    return len(rows)


def list_findings(
    store: CaseStore, call_id: int | None = None, kind: str | None = None
) -> list[FindingRecord]:
    """Findings, optionally of one call (as subject or as the other call) or one kind."""
    sql = "SELECT * FROM findings WHERE 1"
    args: list[object] = []
    if call_id is not None:
        sql += " AND (call_id = ? OR other_call_id = ?)"
        args += [call_id, call_id]
    if kind is not None:
        sql += " AND kind = ?"
        args.append(kind)
    rows = store.conn.execute(sql + " ORDER BY call_id, kind, id", args).fetchall()
    return [
        FindingRecord(
            call_id=row["call_id"],
            kind=row["kind"],
            severity=row["severity"],
            message=row["message"],
            other_call_id=row["other_call_id"],
            score=row["score"],
            detail=json.loads(row["detail"]) if row["detail"] else {},
        )
        for row in rows
    ]
