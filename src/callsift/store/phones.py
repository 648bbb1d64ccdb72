"""Storage of phone numbers: each call's caller and receiver, and directories of known numbers.

Numbers are derived from the metadata, so ``call_numbers`` is replaced per call
whenever the numbers are read again (a corrected sidecar or another default
region changes them); a number that is not valid is stored as written with
``e164`` NULL, never dropped. Directory rows are evidence the team brought in:
they are only ever added, each import logged with the file's SHA-256.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from callsift.graph.directory import DirectoryEntry
from callsift.graph.numbers import PhoneNumber
from callsift.store.case import CaseStore, utc_now

__all__ = [
    "add_directory_entries",
    "busiest_numbers",
    "call_files",
    "call_numbers_of",
    "case_numbers",
    "directory_entries",
    "metadata_numbers",
    "save_call_numbers",
]

ROLES = ("caller", "receiver")
_COLUMNS = "role, raw, e164, valid, country, region, carrier, line_type"


def metadata_numbers(
    store: CaseStore, call_id: int | None = None
) -> list[tuple[int, dict[str, str]]]:
    """Each call with metadata (or only ``call_id``): ``(call_id, {role: number as written})``.

    Roles the metadata leaves blank are left out.
    """
    sql = (
        "SELECT id, json_extract(metadata, '$.caller') AS caller,"
        " json_extract(metadata, '$.receiver') AS receiver"
        " FROM calls WHERE metadata IS NOT NULL"
    )
    args: tuple[int, ...] = ()
    if call_id is not None:
        sql += " AND id = ?"
        args = (call_id,)
    rows = store.conn.execute(sql + " ORDER BY id", args).fetchall()
    result: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        numbers = {
            role: str(row[role]).strip()
            for role in ROLES
            if row[role] is not None and str(row[role]).strip()
        }
        result.append((row["id"], numbers))
    return result


def save_call_numbers(store: CaseStore, numbers: Mapping[int, Mapping[str, PhoneNumber]]) -> int:
    """Replace the stored numbers of each call in ``numbers``; returns the numbers stored.

    A call whose numbers are already stored as given is left untouched, so
    reading the numbers again changes nothing and leaves the call graph's
    cached analytics valid (schema 9 counts every write to ``call_numbers``).
    """
    written = 0
    with store.transaction():
        for call_id, roles in numbers.items():
            rows = []
            for role, number in roles.items():
                if role not in ROLES:
                    raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
                rows.append(
                    (
                        role,
                        number.raw,
                        number.e164,
                        int(number.valid),
                        number.country,
                        number.region,
                        number.carrier,
                        number.line_type,
                    )
                )
            written += len(rows)
            stored = store.conn.execute(
                f"SELECT {_COLUMNS} FROM call_numbers WHERE call_id = ? ORDER BY role", (call_id,)
            ).fetchall()
            if [tuple(row) for row in stored] == sorted(rows):
                continue
            store.conn.execute("DELETE FROM call_numbers WHERE call_id = ?", (call_id,))
            store.conn.executemany(
                f"INSERT INTO call_numbers (call_id, {_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(call_id, *row) for row in rows],
            )
    return written


def _number(row: sqlite3.Row) -> PhoneNumber:
    return PhoneNumber(
        raw=row["raw"],
        e164=row["e164"],
        valid=bool(row["valid"]),
        country=row["country"],
        region=row["region"],
        carrier=row["carrier"],
        line_type=row["line_type"],
    )


def call_numbers_of(store: CaseStore, call_id: int) -> dict[str, PhoneNumber]:
    """The caller and receiver numbers of one call, by role (a role without a number is absent)."""
    rows = store.conn.execute(
        "SELECT * FROM call_numbers WHERE call_id = ? ORDER BY role", (call_id,)
    ).fetchall()
    return {row["role"]: _number(row) for row in rows}


def case_numbers(store: CaseStore) -> list[tuple[int, str, PhoneNumber]]:
    """Every stored number in the case: ``(call_id, role, number)`` by call, caller first."""
    rows = store.conn.execute(
        "SELECT * FROM call_numbers ORDER BY call_id, role = 'receiver'"
    ).fetchall()
    return [(row["call_id"], row["role"], _number(row)) for row in rows]


def busiest_numbers(store: CaseStore, limit: int) -> list[tuple[int, str, PhoneNumber]]:
    """The stored rows of the ``limit`` valid and ``limit`` invalid numbers in the most calls.

    Ranked in SQL over the indexed E.164 form (an invalid number by its text
    as written), so a dashboard's top ten does not read every number of the case.
    """
    valid = store.conn.execute(
        "SELECT e164 FROM call_numbers WHERE e164 IS NOT NULL GROUP BY e164"
        " ORDER BY count(*) DESC, e164 LIMIT ?",
        (limit,),
    ).fetchall()
    invalid = store.conn.execute(
        "SELECT raw FROM call_numbers WHERE e164 IS NULL GROUP BY raw"
        " ORDER BY count(*) DESC, raw LIMIT ?",
        (limit,),
    ).fetchall()
    rows = store.conn.execute(
        "SELECT * FROM call_numbers WHERE e164 IN (SELECT value FROM json_each(?))"
        " OR (e164 IS NULL AND raw IN (SELECT value FROM json_each(?)))"
        " ORDER BY call_id, role = 'receiver'",
        (json.dumps([row[0] for row in valid]), json.dumps([row[0] for row in invalid])),
    ).fetchall()
    return [(row["call_id"], row["role"], _number(row)) for row in rows]


def call_files(store: CaseStore) -> dict[int, str]:
    """Each call's id and the file name it was first ingested under."""
    return {row["id"]: row["file"] for row in store.conn.execute("SELECT id, file FROM calls")}


def add_directory_entries(
    store: CaseStore, sha256: str, file: str, entries: list[DirectoryEntry], errors: int
) -> int:
    """Add a directory file's entries (those already there are skipped); returns how many were new.

    The import is logged in the custody log with the file's ``sha256``, even
    when it adds nothing, so the record shows every list the team brought in.
    """
    now = utc_now()
    with store.transaction():
        added = 0
        for entry in entries:
            added += store.conn.execute(
                "INSERT OR IGNORE INTO directory_entries (directory, raw, e164, name, unit,"
                " source, note, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.directory,
                    entry.raw,
                    entry.e164,
                    entry.name,
                    entry.unit,
                    entry.source,
                    entry.note,
                    now,
                ),
            ).rowcount
        store.log(
            "directory-import", sha256, file=file, entries=len(entries), added=added, errors=errors
        )
    return added


def directory_entries(store: CaseStore) -> list[DirectoryEntry]:
    """Every known number the team imported, in import order."""
    rows = store.conn.execute(
        "SELECT directory, raw, e164, name, unit, source, note FROM directory_entries ORDER BY id"
    ).fetchall()
    return [DirectoryEntry(**dict(row)) for row in rows]
