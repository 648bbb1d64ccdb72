"""Redaction for publication: numbers and names masked in text, bleeped in audio.

``sensitive`` finds what to mask in a text; this module applies it to
everything an export holds. In the audio, each masked stretch of a segment is
mapped to the Whisper words it overlaps (a number split over several words is
covered whole) and replaced by a quiet tone; where the text or translation
holds more to mask than the words can place in time, the whole segment is
covered instead. Metadata loses the fields that identify the source (original
file names, container tags, the fields the user marks private), and phone
fields are masked whole.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from callsift.export.sensitive import MIN_DIGITS, merge_spans, name_spans, number_spans
from callsift.records import Segment, Word

__all__ = [
    "FILE_NAME_FIELDS",
    "PHONE_FIELDS",
    "Redaction",
    "bleep",
    "masked_whole",
    "party_masked",
    "redact_metadata",
    "redact_segments",
    "redact_text",
    "sensitive_spans",
]

TONE_LEVEL = 0.1
"""Peak of the bleep tone (-20 dBFS): plainly a tone, quieter than the speech it hides."""

FILE_NAME_FIELDS = frozenset(
    {"file", "files", "filename", "file_name", "original_name", "names", "origin", "path", "tags"}
)
"""Metadata fields that carry original file names, paths or container tags: always dropped."""

PHONE_FIELDS = frozenset({"caller", "receiver", "phone", "number", "numbers", "msisdn"})
"""Metadata fields that hold phone numbers: masked whole, however short or malformed."""


@dataclass(frozen=True)
class Redaction:
    """What to mask in a published export.

    Attributes:
        numbers: mask every phone number (metadata, speech, text).
        names: names to mask in every inflected form; a name of several words
            masks each of them. A Cyrillic name also masks its Latin spellings;
            a Latin name masks only Latin text, so give "Том" beside "Tom".
        private_fields: metadata fields the user marks private; dropped at any
            depth (``intercept_ref`` inside ``extra`` too).
        mask: what replaces each masked stretch of text.
        parties: parties (``caller``, ``receiver``) whose every word is masked
            and whose speech is bleeped whole: a relative who must not be heard
            or quoted. Each segment's party comes from its channel (one party
            per channel) or from diarisation (a split mono call); a segment
            whose party is unknown (a mix not split, a voice whose role the
            content did not give) is masked too, since it may be theirs.
    """

    numbers: bool = True
    names: tuple[str, ...] = ()
    private_fields: tuple[str, ...] = ()
    mask: str = "[REDACTED]"
    parties: tuple[str, ...] = ()


def sensitive_spans(text: str, redaction: Redaction) -> list[tuple[int, int]]:
    """``(start, end)`` character spans of ``text`` to mask, sorted and merged."""
    return _spans(text, redaction, ())


def redact_text(text: str, redaction: Redaction) -> str:
    """``text`` with every number and name of ``redaction`` replaced by its mask."""
    return _apply(text, _spans(text, redaction, ()), redaction.mask)


def redact_segments(
    segments: list[Segment],
    redaction: Redaction,
    party_of: Callable[[Segment], str | None] | None = None,
) -> tuple[list[Segment], list[tuple[int, float, float]]]:
    """Mask the text, translation and words of each segment.

    Returns the new segments and the ``(channel, start_s, end_s)`` stretches of
    audio to cover: the time of the words each masked span overlaps, or the
    whole segment where the text or translation holds more to mask than the
    words can place, or where it is spoken by a party of ``redaction.parties``
    (``party_of`` names a segment's party; without it, every party is unknown).
    """
    redacted: list[Segment] = []
    audio: list[tuple[int, float, float]] = []
    for segment in segments:
        if party_masked(segment, redaction, party_of):
            redacted.append(_masked_segment(segment, redaction.mask))
            audio.append((segment.channel, segment.start, segment.end))
            continue
        words, times, placed = _redact_words(segment.words, redaction)
        audio += [(segment.channel, start, end) for start, end in times]
        in_text = len(sensitive_spans(segment.text, redaction))
        in_translation = len(sensitive_spans(segment.translation or "", redaction))
        if max(in_text, in_translation) > placed:
            audio.append((segment.channel, segment.start, segment.end))
        redacted.append(
            dataclasses.replace(
                segment,
                text=redact_text(segment.text, redaction),
                translation=(
                    None
                    if segment.translation is None
                    else redact_text(segment.translation, redaction)
                ),
                translation_notes=[
                    {**note, "detail": redact_text(note["detail"], redaction)}
                    for note in segment.translation_notes
                ],
                words=words,
            )
        )
    return redacted, sorted(audio)


def party_masked(
    segment: Segment, redaction: Redaction, party_of: Callable[[Segment], str | None] | None
) -> bool:
    """Whether ``segment`` is said by a party ``redaction`` masks whole (or by an unknown one)."""
    if not redaction.parties:
        return False
    party = party_of(segment) if party_of else None
    return party is None or party in redaction.parties


def _masked_segment(segment: Segment, mask: str) -> Segment:
    """A segment of a masked party: one masked word over its time, nothing of what was said."""
    return dataclasses.replace(
        segment,
        text=mask,
        translation=None if segment.translation is None else mask,
        words=[Word(segment.start, segment.end, mask, 1.0)] if segment.words else [],
    )


def bleep(
    samples: np.ndarray,
    sample_rate: int,
    spans: list[tuple[float, float]],
    *,
    tone_hz: float = 1000.0,
    pad_s: float = 0.15,
) -> np.ndarray:
    """A copy of ``samples`` with each span (widened by ``pad_s``) replaced by a tone.

    Whisper's word times are good to about a tenth of a second, hence the
    padding. The tone fades in and out over 5 ms so it does not click. Time is
    the last axis (a 2-D planar array gets the tone on every channel); integer
    samples are scaled to their type's range.
    """
    result = np.array(samples, copy=True)
    length = result.shape[-1]
    scale = float(np.iinfo(result.dtype).max) if result.dtype.kind in "iu" else 1.0
    ramp = max(1, int(0.005 * sample_rate))
    for start, end in merge_spans(
        [
            (
                max(0, int((s - pad_s) * sample_rate)),
                min(length, int((e + pad_s) * sample_rate) + 1),
            )
            for s, e in spans
        ]
    ):
        if end <= start:
            continue
        t = np.arange(end - start) / sample_rate
        tone = TONE_LEVEL * np.sin(2 * np.pi * tone_hz * t)
        edge = min(ramp, (end - start) // 2)
        if edge:
            fade = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, edge))
            tone[:edge] *= fade
            tone[-edge:] *= fade[::-1]
        result[..., start:end] = (tone * scale).astype(result.dtype)
    return result


def redact_metadata(metadata: dict[str, Any], redaction: Redaction) -> dict[str, Any]:
    """Drop private and file-name fields (at any depth), mask numbers and names in the rest.

    A phone field (:data:`PHONE_FIELDS`) is masked whole, so an invalid number
    such as "12345" goes too. Original file names are also masked where another
    value repeats them (a note saying "see call_001.wav"). Numeric values of 7
    or more digits (a number stored as an integer) are masked too.
    """
    private = {field.casefold() for field in redaction.private_fields} | FILE_NAME_FIELDS
    literals = sorted(_file_names(metadata), key=len, reverse=True)
    return _redact_value(metadata, redaction, private, tuple(literals))


def _spans(text: str, redaction: Redaction, literals: tuple[str, ...]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    if redaction.numbers:
        found += number_spans(text)
    if redaction.names:
        found += name_spans(text, redaction.names)
    for literal in literals:
        found += [(m.start(), m.end()) for m in re.finditer(re.escape(literal), text)]
    return merge_spans(found)


def _apply(text: str, spans: list[tuple[int, int]], mask: str) -> str:
    parts: list[str] = []
    cursor = 0
    for start, end in spans:
        parts += [text[cursor:start], mask]
        cursor = end
    return "".join(parts) + text[cursor:]


# -- words and audio -------------------------------------------------------------


def _redact_words(
    words: list[Word], redaction: Redaction
) -> tuple[list[Word], list[tuple[float, float]], int]:
    """Masked words, the times to cover, and how many masked spans they placed.

    The words are joined as Whisper wrote them, so a number split over several
    words ("8", " 916", " 555-23-41") is found whole; the words a span touches
    become one word carrying the mask, with the first start and the last end.
    """
    joined = "".join(word.word for word in words)
    spans = sensitive_spans(joined, redaction)
    if not spans:
        return list(words), [], 0
    offsets: list[tuple[int, int]] = []
    cursor = 0
    for word in words:
        offsets.append((cursor, cursor + len(word.word)))
        cursor += len(word.word)
    result: list[Word] = []
    times: list[tuple[float, float]] = []
    index = 0
    while index < len(words):
        first = index
        last = index
        low, high = offsets[index]
        if not any(s < high and e > low for s, e in spans):
            result.append(words[index])
            index += 1
            continue
        # Grow the group while a span runs on into the next word.
        while last + 1 < len(words) and any(
            s < high and e > offsets[last + 1][0] for s, e in spans
        ):
            last += 1
            high = offsets[last][1]
        inside = [(max(s, low) - low, min(e, high) - low) for s, e in spans if s < high and e > low]
        group = words[first : last + 1]
        result.append(
            Word(
                start=group[0].start,
                end=group[-1].end,
                word=_apply(joined[low:high], inside, redaction.mask),
                probability=min(word.probability for word in group),
            )
        )
        times.append((group[0].start, group[-1].end))
        index = last + 1
    return result, times, len(spans)


# -- metadata --------------------------------------------------------------------


def _file_names(value: Any) -> set[str]:
    """Every original file name held in a file-name field, with its base name and stem."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).casefold() in FILE_NAME_FIELDS - {"tags"}:
                for name in item if isinstance(item, list | tuple) else [item]:
                    if isinstance(name, str) and name.strip():
                        base = re.split(r"[/\\!]", name.strip())[-1]
                        stem = base.rsplit(".", 1)[0]
                        found |= {name.strip(), base} | ({stem} if len(stem) >= 4 else set())
            else:
                found |= _file_names(item)
    elif isinstance(value, list | tuple):
        for item in value:
            found |= _file_names(item)
    return found


def _redact_value(
    value: Any, redaction: Redaction, private: set[str], literals: tuple[str, ...]
) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                masked_whole(item, redaction.mask)
                if redaction.numbers and str(key).casefold() in PHONE_FIELDS
                else _redact_value(item, redaction, private, literals)
            )
            for key, item in value.items()
            if str(key).casefold() not in private
        }
    if isinstance(value, list | tuple):
        return [_redact_value(item, redaction, private, literals) for item in value]
    if isinstance(value, str):
        return _apply(value, _spans(value, redaction, literals), redaction.mask)
    if isinstance(value, int | float) and not isinstance(value, bool) and redaction.numbers:
        if len(str(abs(int(value)))) >= MIN_DIGITS:
            return redaction.mask
    return value


def masked_whole(value: Any, mask: str) -> Any:
    """Every value inside a phone field masked; empty values and the structure kept."""
    if isinstance(value, dict):
        return {key: masked_whole(item, mask) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked_whole(item, mask) for item in value]
    if value is None or isinstance(value, bool) or value == "":
        return value
    return mask
