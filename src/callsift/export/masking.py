"""Apply a redaction to everything a publication package holds.

Readers of published intercepts have recovered soldiers' numbers from the
files' metadata, so a redacted package is built on a deny-by-default footing:

* Free text (transcripts, translations, entity and flag texts, findings,
  notes, custody details) goes through :func:`~callsift.export.redact.redact_text`
  and then through a second, literal pass: every file name the case knows (with
  and without folders and extension) and every metadata number in the forms
  people search for (as written, digits only, E.164, national digits), and the
  values of private sidecar fields, are masked wherever they appear. The second
  pass catches what a pattern matcher misses, such as an invalid number copied
  into a note.
* Keys that name files or paths (``file``, ``origin``, ``sidecar``…) and the
  private fields are dropped at any depth; phone fields (``caller``,
  ``receiver``…) are masked whole, as in the metadata; people on the team
  (``actor``, ``reviewer``, ``author``, ``editor``) are masked. The team's
  own notes (``note``: why a status was given, why a segment was corrected)
  are for the team, not the public, and are dropped. Keys are masked like text, since some
  records key by file name (the rows of a duplicate). Hashes and timestamps
  are kept as they are: they identify no one, and masking digits in them
  would only corrupt them.
* The literal pass runs first on free text, so a private value or file name
  goes whole ("IR-0309-003", not "IR-[REDACTED]" after the digit rule took
  its digits).
* A segment whose text the literal pass had to change is bleeped whole, since
  no word timing says where in it the masked text was spoken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

import phonenumbers

from callsift.export.redact import (
    FILE_NAME_FIELDS,
    PHONE_FIELDS,
    Redaction,
    masked_whole,
    redact_metadata,
    redact_segments,
    redact_text,
)
from callsift.export.sensitive import merge_spans
from callsift.graph.numbers import normalize_number
from callsift.records import Call, Segment

__all__ = ["Masker", "number_forms"]

# Character offsets point into the unmasked text: kept, they would give away how
# long a masked name is.
_DROP = FILE_NAME_FIELDS | {"sidecar", "package", "start_char", "end_char", "note"}
_PEOPLE = frozenset({"actor", "reviewer", "author", "editor"})
_AS_IS = frozenset(
    {
        "sha256",
        "package_sha256",
        "manifest_sha256",
        "at",
        "found_at",
        "updated_at",
        "created_at",
        "started_at",
        "ingested_at",
        "processed_at",
        "tool_version",
    }
)
_MIN_TERM = 4  # Shorter names or stems ("1.wav") would mask ordinary text.


def number_forms(raw: str) -> set[str]:
    """The ways a number gets written: as given, digits only, E.164 and national digits."""
    forms = {raw.strip()}
    digits = re.sub(r"\D", "", raw)
    if len(digits) >= 5:
        forms.add(digits)
    number = normalize_number(raw)
    if number.e164:
        forms |= {number.e164, number.e164[1:]}
        forms.add(str(phonenumbers.parse(number.e164).national_number))
    return {form for form in forms if len(form) >= _MIN_TERM}


def _name_forms(name: str) -> set[str]:
    path = PurePosixPath(name)
    return {form for form in (name, path.name, path.stem) if len(form) >= _MIN_TERM}


def _terms(calls: Iterable[Call], redaction: Redaction) -> set[str]:
    terms: set[str] = set()
    for call in calls:
        for name in {call.file, *call.names}:
            terms |= _name_forms(name)
        metadata = call.metadata or {}
        if metadata.get("file"):
            terms |= _name_forms(str(metadata["file"]))
        if redaction.numbers:
            for role in ("caller", "receiver"):
                if metadata.get(role):
                    terms |= number_forms(str(metadata[role]))
        fields = {**(metadata.get("extra") or {}), **metadata}
        for name in redaction.private_fields:
            value = str(fields.get(name) or "").strip()
            if len(value) >= _MIN_TERM:
                terms.add(value)
    return terms


class Masker:
    """A redaction, plus what the case knows that must not leak from it."""

    def __init__(self, redaction: Redaction, calls: Sequence[Call]) -> None:
        self.redaction = redaction
        self._private = {field.casefold() for field in redaction.private_fields}
        self._keys: dict[str, str] = {}
        terms = sorted(_terms(calls, redaction), key=len, reverse=True)
        self._known = (
            re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
            if terms
            else None
        )

    def _scrub(self, text: str) -> str:
        return self._known.sub(self.redaction.mask, text) if self._known else text

    def text(self, text: str) -> str:
        """Mask everything the case knows, numbers and chosen names in ``text``."""
        return redact_text(self._scrub(text), self.redaction)

    def _key(self, key: str, taken: dict[str, Any]) -> str:
        """``key`` masked like text; a masked key that is taken gets a number."""
        if key not in self._keys:
            self._keys[key] = self.text(key)
        masked = self._keys[key]
        if masked == key:
            return key
        number, unique = 1, masked
        while unique in taken:
            number += 1
            unique = f"{masked} {number}"
        return unique

    def json(self, value: Any) -> Any:
        """Mask a plain JSON value (as ``json.loads`` gives it), key by key."""
        if isinstance(value, dict):
            masked: dict[str, Any] = {}
            for key, item in value.items():
                folded = str(key).casefold()
                if key in _DROP or folded in self._private:
                    continue
                if key in _PEOPLE and item is not None:
                    item = self.redaction.mask
                elif self.redaction.numbers and folded in PHONE_FIELDS:
                    item = masked_whole(item, self.redaction.mask)
                elif key not in _AS_IS:
                    item = self.json(item)
                masked[self._key(key, masked) if isinstance(key, str) else key] = item
            return masked
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def call_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A call as ``call.json`` holds it: names dropped, metadata redacted."""
        metadata = record.get("metadata")
        masked = self.json({key: item for key, item in record.items() if key != "metadata"})
        masked["metadata"] = (
            self.json(redact_metadata(metadata, self.redaction)) if metadata else metadata
        )
        return dict(masked)

    def segments(
        self, segments: list[Segment], party_of: Callable[[Segment], str | None] | None = None
    ) -> tuple[list[Segment], list[tuple[float, float]]]:
        """Masked segments, and the time spans to bleep (merged, on every channel).

        ``party_of`` names each segment's party, for ``Redaction.parties``.
        """
        redacted, spans = redact_segments(segments, self.redaction, party_of)
        times = [(start, end) for _, start, end in spans]
        result = []
        for segment in redacted:
            scrubbed = replace(
                segment,
                text=self._scrub(segment.text),
                translation=(
                    None if segment.translation is None else self._scrub(segment.translation)
                ),
                translation_notes=[
                    {**note, "detail": self._scrub(note["detail"])}
                    for note in segment.translation_notes
                ],
                words=[replace(word, word=self._scrub(word.word)) for word in segment.words],
            )
            if scrubbed != segment:
                times.append((segment.start, segment.end))
            result.append(scrubbed)
        return result, merge_spans(times)
