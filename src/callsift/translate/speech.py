"""English for every segment, from the audio itself, with the same model.

Whisper's ``translate`` task reads the speech again and writes English; it
needs no extra model, so it works offline out of the box, and with the shared
encoder (``callsift.transcribe.whisper``) it costs only a decoder pass. Its
segments do not line up with the transcript's: one English segment often
covers two or three source sentences. Each English segment is shared among the
transcript segments it spans, sentence by sentence (or clause by clause), in
proportion to their length. Translating each segment on its own aligns
exactly but cost 2 s per segment against 0.2 s on two cores (measured on the
demo calls with faster-whisper's batched pipeline), so the shared pass won.
"""

from __future__ import annotations

import re
from typing import Any

from callsift.records import ChannelAudio, Segment
from callsift.transcribe.hallucinations import is_known_phrase
from callsift.transcribe.run import TranscribeOptions, speech_span

__all__ = ["ENGINE", "assign_by_time", "translate_channel"]

ENGINE = "whisper-translate"


def _units(text: str, wanted: int) -> list[str]:
    """Sentences, or clauses when there are fewer sentences than segments."""
    sentences = [u for u in re.split(r"(?<=[.!?])\s+", text.strip()) if u]
    if len(sentences) >= wanted:
        return sentences
    return [u for u in re.split(r"(?<=[.!?,;])\s+", text.strip()) if u]


def assign_by_time(segments: list[Segment], pieces: list[tuple[float, float, str]]) -> list[str]:
    """Share each ``(start, end, english)`` piece among the segments it spans.

    A piece goes to the transcript segments whose midpoints lie inside it (or
    the nearest segment); its sentences (or clauses) are dealt out in order,
    in proportion to the length of each segment's own text.
    """
    received: list[list[str]] = [[] for _ in segments]
    if not segments:
        return []
    middles = [(s.start + s.end) / 2 for s in segments]
    for start, end, text in pieces:
        spanned = [i for i, m in enumerate(middles) if start - 0.3 <= m <= end + 0.3]
        if not spanned:
            middle = (start + end) / 2
            spanned = [min(range(len(segments)), key=lambda i: abs(middles[i] - middle))]
        lengths = [max(1, len(segments[i].text)) for i in spanned]
        bounds = [sum(lengths[: k + 1]) / sum(lengths) for k in range(len(lengths))]
        units = _units(text, len(spanned))
        total = sum(len(u) for u in units) or 1
        done = 0
        for unit in units:
            position = (done + len(unit) / 2) / total
            done += len(unit)
            slot = next(
                k for k, bound in enumerate(bounds) if position <= bound or k == len(bounds) - 1
            )
            received[spanned[slot]].append(unit)
    return [" ".join(" ".join(parts).split()) for parts in received]


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
    raw, _ = model.transcribe(
        samples,
        task="translate",
        language=language,
        beam_size=options.beam_size,
        condition_on_previous_text=False,
        vad_filter=False,
        temperature=list(options.temperatures),
    )
    # The same subtitle credits turn up in English translations of silence.
    pieces = [
        (s.start + offset, s.end + offset, s.text) for s in raw if not is_known_phrase(s.text)
    ]
    return assign_by_time(segments, pieces)
