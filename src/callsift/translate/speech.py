"""English for every segment, from the audio itself, with the same model.

Whisper's ``translate`` task reads the speech again and writes English; it
needs no extra model, so it works offline out of the box, and with the shared
encoder (``callsift.transcribe.whisper``) it costs only a decoder pass. Its
segments do not line up with the transcript's, so each English piece is given
to the transcript segment that contains its midpoint (or the nearest one),
and a transcript segment's translation is the pieces it received, in order.
"""

from __future__ import annotations

from typing import Any

import ctranslate2

from callsift.records import ChannelAudio, Segment
from callsift.transcribe.hallucinations import is_known_phrase
from callsift.transcribe.run import TranscribeOptions, speech_span

__all__ = ["ENGINE", "assign_by_time", "translate_channel"]

ENGINE = "whisper-translate"


def assign_by_time(segments: list[Segment], pieces: list[tuple[float, float, str]]) -> list[str]:
    """Give each ``(start, end, text)`` piece to the segment holding its midpoint."""
    received: list[list[str]] = [[] for _ in segments]
    if not segments:
        return []
    for start, end, text in pieces:
        middle = (start + end) / 2
        distances = [
            0.0 if s.start <= middle <= s.end else min(abs(middle - s.start), abs(middle - s.end))
            for s in segments
        ]
        received[distances.index(min(distances))].append(text.strip())
    return [" ".join(part for part in parts if part) for parts in received]


def translate_channel(
    model: Any,
    audio: ChannelAudio,
    language: str,
    segments: list[Segment],
    options: TranscribeOptions,
) -> list[str]:
    """English text for each of ``segments`` (one channel's transcript)."""
    if not segments:
        return []
    if language == "en":
        return [segment.text for segment in segments]
    offset, samples = speech_span(audio, options)
    ctranslate2.set_random_seed(options.seed)
    raw, _ = model.transcribe(
        samples,
        task="translate",
        language=language,
        beam_size=options.beam_size,
        condition_on_previous_text=False,
        vad_filter=False,
    )
    # The same subtitle credits turn up in English translations of silence.
    pieces = [
        (s.start + offset, s.end + offset, s.text) for s in raw if not is_known_phrase(s.text)
    ]
    return assign_by_time(segments, pieces)
