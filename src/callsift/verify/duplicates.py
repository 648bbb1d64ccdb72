"""One recording counted twice: the same bytes under two names, or the same speech re-encoded.

Identical bytes are already one call in the case (the store keys originals
by SHA-256); the finding tells the team that the recording reached them under
several names, and which metadata the rows of those names disagree on (two
intercept references for one call inflate a count of intercepts).

The same speech in two different files (re-exported, re-encoded, trimmed,
another sheet row and other numbers) is found two ways, and either suffices:

* the audio fingerprint (:mod:`callsift.verify.signals`) matching at
  ``min_audio_similarity`` over at least ``min_shared_sound_s`` of common
  sound, which survives a codec change, a gain change and new line noise;
* the transcripts matching at ``min_transcript_similarity`` (rapidfuzz
  ratio over the whole normalised text, both at least
  ``min_transcript_words`` long), which survives even a re-recording through
  a loudspeaker. Calls that merely share a phrase ("я тебя очень жду") are far
  below either bar.

A pair is reported once, on the later call, naming the earlier one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz

from callsift.records import FindingRecord
from callsift.verify.checks import CallFacts, CheckOptions
from callsift.verify.signals import Fingerprint, similarity

__all__ = ["Heard", "duplicate_files", "duplicate_speech", "transcript_text"]

# Fields whose disagreement means the rows describe different intercepts.
_CONTRADICTING = ("caller", "receiver", "started_at", "duration_s", "location")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Heard:
    """A call's speech as the duplicate check compares it.

    Attributes:
        facts: the call and its transcript.
        tracks: a fingerprint per channel (and of the mix, for a stereo call).
    """

    facts: CallFacts
    tracks: Sequence[Fingerprint]


def _row_values(row: Mapping[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in row.items() if k not in ("file", "extra", "problems")}
    return {**values, **row.get("extra", {})}


def duplicate_files(facts: CallFacts, rows: Mapping[str, Mapping[str, Any]]) -> list[FindingRecord]:
    """A call that arrived under several names; ``rows``: the sheet's row for each name."""
    names = facts.call.names
    if len(names) < 2:
        return []
    values = {name: _row_values(rows[name]) for name in names if name in rows}
    keys = sorted({key for row in values.values() for key in row})
    differ = {
        key: {name: row.get(key) for name, row in values.items()}
        for key in keys
        if len({repr(row.get(key)) for row in values.values()}) > 1
    }
    contradicting = [key for key in differ if key in _CONTRADICTING]
    message = f"The same recording arrived as {', '.join(names)}; one original is kept"
    if differ:
        message += f"; their metadata rows differ in {', '.join(differ)}"
    return [
        FindingRecord(
            call_id=facts.call.id,
            kind="duplicate-file",
            severity="warning" if contradicting else "info",
            message=message + ".",
            score=1.0,
            detail={"names": names, "sha256": facts.call.sha256, "differences": differ},
        )
    ]


def transcript_text(facts: CallFacts) -> str:
    """Every word of the call in time order, lowercase, without punctuation."""
    return " ".join(_WORD.findall(" ".join(s.text for s in facts.segments).lower()))


def duplicate_speech(heard: Sequence[Heard], options: CheckOptions) -> list[FindingRecord]:
    """Pairs of different calls that hold the same speech."""
    texts = {h.facts.call.id: transcript_text(h.facts) for h in heard}
    found = []
    for first, later in combinations(sorted(heard, key=lambda h: h.facts.call.id), 2):
        audio, offset, shared = max(
            (
                similarity(a, b, options.min_shared_sound_s)
                for a in first.tracks
                for b in later.tracks
            ),
            default=(0.0, 0.0, 0.0),
        )
        one, two = texts[first.facts.call.id], texts[later.facts.call.id]
        long_enough = min(len(one.split()), len(two.split())) >= options.min_transcript_words
        text = fuzz.ratio(one, two) if long_enough else 0.0
        sounds_same = audio >= options.min_audio_similarity
        reads_same = text >= options.min_transcript_similarity
        if not (sounds_same or reads_same):
            continue
        how = []
        if sounds_same:
            how.append(f"the audio matches at {audio:.2f} over {shared:.1f} s")
        if reads_same:
            how.append(f"the transcripts match at {text:.0f}%")
        found.append(
            FindingRecord(
                call_id=later.facts.call.id,
                kind="duplicate-speech",
                severity="warning",
                message=f"Holds the same speech as call {first.facts.call.id} "
                f"({first.facts.call.file}): {' and '.join(how)}.",
                other_call_id=first.facts.call.id,
                score=round(audio if sounds_same else text / 100, 3),
                detail={
                    "audio_similarity": round(audio, 3),
                    "offset_s": offset,
                    "shared_sound_s": round(shared, 1),
                    "transcript_similarity": round(text, 1),
                },
            )
        )
    return found
