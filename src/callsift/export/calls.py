"""One flat record per exported call, shared by every export format.

The report, the FtM entities, the Datasette tables and the CSV all describe a
call the same way, so they are built from one ``ExportCall`` and cannot drift
apart. Numbers come from the case's normalised ``call_numbers``; a call whose
numbers were not normalised yet (``callsift numbers`` not run) is normalised
here from its metadata with the default regions, so an export never shows a
blank where the sheet holds a number. Invalid numbers keep their raw text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from callsift.graph.directory import DirectoryEntry
from callsift.graph.numbers import PhoneNumber, normalize_number
from callsift.graph.phones import number_key
from callsift.records import VerificationRecord
from callsift.store import CaseStore, case_numbers
from callsift.store.export_queries import (
    call_languages,
    calls_for_export,
    finding_counts,
    flag_counts,
)
from callsift.store.phones import directory_entries
from callsift.store.verification import list_verification

__all__ = ["ExportCall", "Party", "export_calls"]

ROLES = ("caller", "receiver")


@dataclass(frozen=True)
class Party:
    """One side of a call: its number (``None``: the metadata names none) and who it is.

    Attributes:
        number: the number as written and normalised; an invalid number keeps
            its raw text with ``e164`` ``None``.
        known: named directory entries for the number, matched as the
            directories match (E.164, else the digits as written); two names
            on one number is a conflict the report shows.
    """

    number: PhoneNumber | None = None
    known: tuple[DirectoryEntry, ...] = ()

    @property
    def raw(self) -> str | None:
        return self.number.raw if self.number else None

    @property
    def e164(self) -> str | None:
        return self.number.e164 if self.number else None

    @property
    def shown(self) -> str:
        """The number as people should read it: E.164 when valid, else as written."""
        return (self.e164 or self.raw or "") if self.number else ""

    @property
    def key(self) -> str | None:
        """What the directories match on: E.164, else the digits as written."""
        return number_key(self.number.raw, self.number.e164) if self.number else None

    @property
    def names(self) -> list[str]:
        """Distinct directory names (beyond case and spacing), first spelling kept."""
        seen: dict[str, str] = {}
        for entry in self.known:
            seen.setdefault(" ".join(entry.name.casefold().split()), entry.name)
        return list(seen.values())


@dataclass(frozen=True)
class ExportCall:
    """A call as every export describes it.

    Attributes:
        started_at: the metadata's start time as written (``None``: missing or unreadable).
        stated_duration_s: the duration the metadata states; ``duration_s`` is the audio's.
        languages: the decided language of each party, distinct, in channel order.
        flags: watchlist hits per topic.
        findings: how many findings the checks recorded on the call.
        verification: the current verification state (``unverified`` when never reviewed).
        extra: metadata columns callsift does not know, kept as written.
    """

    id: int
    sha256: str
    file: str
    names: tuple[str, ...]
    size: int
    status: str
    reason: str | None
    started_at: str | None
    stated_duration_s: float | None
    duration_s: float | None
    location: str | None
    notes: str | None
    caller: Party
    receiver: Party
    languages: tuple[str, ...]
    flags: dict[str, int]
    findings: int
    verification: VerificationRecord
    codec: str | None
    container: str | None
    sample_rate: int | None
    channels: int | None
    ingested_at: str
    processed_at: str | None
    damage: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def processing(self) -> str:
        """How processing ended, in words: the failure's reason, or the file's damage."""
        detail = self.reason or self.damage
        return self.status + (f": {detail}" if detail else "")

    @property
    def day(self) -> str | None:
        """The calendar day of ``started_at`` as recorded (local to the call)."""
        value = self.started_at or ""
        return value[:10] if len(value) >= 10 and value[4] == "-" and value[7] == "-" else None


def _party(stored: PhoneNumber | None, raw: Any, names: dict[str, list[DirectoryEntry]]) -> Party:
    written = str(raw).strip() if raw is not None and str(raw).strip() else None
    number = stored or (normalize_number(written) if written else None)
    if number is None:
        return Party()
    return Party(number, tuple(names.get(number_key(number.raw, number.e164), ())))


def export_calls(store: CaseStore, call_ids: Sequence[int] | None) -> list[ExportCall]:
    """The selected calls (``None``: the whole case) as export records, by id."""
    calls = calls_for_export(store, call_ids)
    selection = None if call_ids is None else [call.id for call in calls]
    stored: dict[int, dict[str, PhoneNumber]] = {}
    for call_id, role, number in case_numbers(store):
        stored.setdefault(call_id, {})[role] = number
    names: dict[str, list[DirectoryEntry]] = {}
    for entry in directory_entries(store):
        if entry.name.strip():
            names.setdefault(number_key(entry.raw, entry.e164), []).append(entry)
    languages = call_languages(store, selection)
    verification = {record.call_id: record for record in list_verification(store)}
    flags = flag_counts(store, selection)
    findings = finding_counts(store, selection)
    records = []
    for call in calls:
        meta = call.metadata or {}
        numbers = stored.get(call.id, {})
        records.append(
            ExportCall(
                id=call.id,
                sha256=call.sha256,
                file=call.file,
                names=tuple(call.names),
                size=call.size,
                status=call.status,
                reason=call.reason,
                damage=call.damage,
                started_at=meta.get("started_at"),
                stated_duration_s=meta.get("duration_s"),
                duration_s=call.duration_s,
                location=meta.get("location"),
                notes=meta.get("notes"),
                caller=_party(numbers.get("caller"), meta.get("caller"), names),
                receiver=_party(numbers.get("receiver"), meta.get("receiver"), names),
                languages=tuple(languages.get(call.id, ())),
                flags=flags.get(call.id, {}),
                findings=findings.get(call.id, 0),
                verification=verification.get(call.id, VerificationRecord(call.id)),
                codec=call.codec,
                container=call.container,
                sample_rate=call.sample_rate,
                channels=call.channels,
                ingested_at=call.ingested_at,
                processed_at=call.processed_at,
                extra=dict(meta.get("extra") or {}),
            )
        )
    return records
