"""Numbers across a case: each call's caller and receiver, and the team's known numbers.

The calls' numbers are derived data: whenever they are read again (metadata
attached, another default region chosen) each call's rows are replaced as a
whole, so ``number_case`` run twice changes nothing and a stale number cannot
linger. Directory entries are evidence the team brought in: an import only
adds, and is logged with the file's SHA-256.

Numbers match on their E.164 form; two numbers that are both invalid match on
their digits, so a directory and a metadata sheet that both wrote ``12345``
still meet. A number is in conflict when the directories give it two
identities: two names that differ beyond case and spacing, or two units.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from callsift.errors import InputError
from callsift.graph.directory import DirectoryEntry, directory_fields, read_directory
from callsift.graph.numbers import DEFAULT_REGIONS, PhoneNumber, normalize_number
from callsift.store.case import CaseStore
from callsift.store.phones import (
    add_directory_entries,
    busiest_numbers,
    call_files,
    call_numbers_of,
    case_numbers,
    directory_entries,
    metadata_numbers,
    save_call_numbers,
)

__all__ = [
    "DirectoryConflict",
    "DirectoryImport",
    "KnownCall",
    "NumberSummary",
    "directory_conflicts",
    "import_directories",
    "known_calls",
    "number_case",
    "number_key",
    "number_summaries",
    "numbers_of",
]


@dataclass(frozen=True)
class DirectoryImport:
    """What importing one directory file did.

    Attributes:
        file: the path as given.
        sha256: the file's digest (``None`` if it could not be read).
        entries: entries read from it.
        added: entries new to the case (0 on a re-import).
        errors: rows (or the file) that could not be taken, each naming file and line.
    """

    file: str
    sha256: str | None
    entries: int
    added: int
    errors: list[InputError] = field(default_factory=list)


@dataclass(frozen=True)
class KnownCall:
    """A call whose caller or receiver is in a directory.

    Attributes:
        call_id: the call.
        file: the call's file name.
        role: ``caller`` or ``receiver``.
        number: the call's number, as its metadata wrote it, normalised.
        entry: the directory entry it matched.
    """

    call_id: int
    file: str
    role: str
    number: PhoneNumber
    entry: DirectoryEntry


@dataclass(frozen=True)
class DirectoryConflict:
    """One number that the directories give two or more identities.

    Attributes:
        number: the E.164 form (or the digits of an invalid number).
        names: the distinct names given, as first written.
        units: the distinct units given, as first written.
        entries: every entry for the number.
    """

    number: str
    names: list[str]
    units: list[str]
    entries: list[DirectoryEntry]


@dataclass(frozen=True)
class NumberSummary:
    """One number of the case with what is known about it.

    Attributes:
        number: the full intelligence of its first spelling.
        spellings: every way the metadata wrote it.
        as_caller: ids of the calls it made.
        as_receiver: ids of the calls it received.
        known: the directory entries for it.
    """

    number: PhoneNumber
    spellings: list[str]
    as_caller: list[int]
    as_receiver: list[int]
    known: list[DirectoryEntry]


def number_key(raw: str, e164: str | None) -> str:
    """What two numbers must share to be one: E.164, else the digits as written."""
    return e164 or "".join(ch for ch in raw if ch.isdigit()) or raw


def number_case(store: CaseStore, regions: Sequence[str] = DEFAULT_REGIONS) -> int:
    """Normalise the caller and receiver of every call with metadata; returns numbers stored.

    ``regions`` are the countries a national number (``8 916 …``, ``067 …``)
    may belong to, tried in order.
    """
    numbers: dict[int, dict[str, PhoneNumber]] = {
        call_id: {role: normalize_number(raw, regions) for role, raw in roles.items()}
        for call_id, roles in metadata_numbers(store)
    }
    return save_call_numbers(store, numbers)


def numbers_of(
    store: CaseStore, call_id: int, regions: Sequence[str] = DEFAULT_REGIONS
) -> dict[str, PhoneNumber]:
    """A call's numbers by role: as stored by ``number_case``, else read from its metadata now."""
    stored = call_numbers_of(store, call_id)
    if stored:
        return stored
    return {
        role: normalize_number(raw, regions)
        for _, roles in metadata_numbers(store, call_id)
        for role, raw in roles.items()
    }


def import_directories(
    store: CaseStore,
    paths: Iterable[Path],
    *,
    mapping: Mapping[str, str] | None = None,
    source: str = "",
    regions: Sequence[str] = DEFAULT_REGIONS,
) -> list[DirectoryImport]:
    """Import each CSV or vCard file of known numbers; a bad file or row never stops the rest.

    Raises ``ValueError`` if ``mapping`` names a field directories lack.
    """
    directory_fields(mapping)  # refuse a bad mapping before any file is read
    results: list[DirectoryImport] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            reason = f"cannot be read: {error.strerror or error}"
            results.append(DirectoryImport(str(path), None, 0, 0, [InputError(str(path), reason)]))
            continue
        digest = hashlib.sha256(data).hexdigest()
        entries, errors = read_directory(
            str(path), data, mapping=mapping, source=source, regions=regions
        )
        added = add_directory_entries(store, digest, str(path), entries, len(errors))
        results.append(DirectoryImport(str(path), digest, len(entries), added, errors))
    return results


def known_calls(store: CaseStore) -> list[KnownCall]:
    """Every call whose caller or receiver is in a directory, one row per matching entry."""
    known: dict[str, list[DirectoryEntry]] = {}
    for entry in directory_entries(store):
        known.setdefault(number_key(entry.raw, entry.e164), []).append(entry)
    files = call_files(store)
    return [
        KnownCall(call_id, files.get(call_id, ""), role, number, entry)
        for call_id, role, number in case_numbers(store)
        for entry in known.get(number_key(number.raw, number.e164), [])
    ]


def directory_conflicts(store: CaseStore) -> list[DirectoryConflict]:
    """Numbers with two names or two units across (or within) the directories."""
    by_number: dict[str, list[DirectoryEntry]] = {}
    for entry in directory_entries(store):
        by_number.setdefault(number_key(entry.raw, entry.e164), []).append(entry)
    conflicts = []
    for number, entries in by_number.items():
        names = _distinct(entry.name for entry in entries)
        units = _distinct(entry.unit for entry in entries)
        if len(names) > 1 or len(units) > 1:
            conflicts.append(DirectoryConflict(number, names, units, entries))
    return sorted(conflicts, key=lambda c: c.number)


def _distinct(values: Iterable[str]) -> list[str]:
    """Non-blank values, one per spelling that differs beyond case and spacing."""
    seen: dict[str, str] = {}
    for value in values:
        key = " ".join(value.casefold().split())
        if key:
            seen.setdefault(key, value)
    return list(seen.values())


def number_summaries(store: CaseStore, limit: int | None = None) -> list[NumberSummary]:
    """Every number in the case's calls, with its calls and directory entries, most calls first.

    With ``limit``, only that many of the busiest (ranked in SQL: a dashboard's
    top ten at 100,000 calls without reading every number).
    """
    known: dict[str, list[DirectoryEntry]] = {}
    for entry in directory_entries(store):
        known.setdefault(number_key(entry.raw, entry.e164), []).append(entry)
    first: dict[str, PhoneNumber] = {}
    spellings: dict[str, list[str]] = {}
    calls: dict[str, dict[str, list[int]]] = {}
    rows = case_numbers(store) if limit is None else busiest_numbers(store, limit)
    for call_id, role, number in rows:
        key = number_key(number.raw, number.e164)
        first.setdefault(key, number)
        if number.raw not in spellings.setdefault(key, []):
            spellings[key].append(number.raw)
        calls.setdefault(key, {"caller": [], "receiver": []})[role].append(call_id)
    summaries = [
        NumberSummary(
            number=first[key],
            spellings=spellings[key],
            as_caller=calls[key]["caller"],
            as_receiver=calls[key]["receiver"],
            known=known.get(key, []),
        )
        for key in first
    ]
    ranked = sorted(
        summaries,
        key=lambda s: (
            -len(s.as_caller) - len(s.as_receiver),
            number_key(s.number.raw, s.number.e164),
        ),
    )
    return ranked if limit is None else ranked[:limit]
