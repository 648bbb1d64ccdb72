"""Transcribe one party's track with faster-whisper.

Each channel is transcribed on its own (one party per channel in a stereo
call), so each party gets its own language and text. Only the stretch from
the first to the last VAD speech region is decoded: leading and trailing
silence costs encoder windows and invites invented text. Whisper's own
``vad_filter`` is left off: cutting audio mid-sentence made the base model loop
and run up to twice as slow in our measurements; instead the hallucination
filter drops segments outside the speech regions afterwards. Decoding does
not condition on previous text, which stops one misheard phrase from being
repeated through the rest of a call.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from callsift.records import ChannelAudio, ChannelTranscript, Segment, Word
from callsift.transcribe.hallucinations import FilterOptions, drop_hallucinations
from callsift.transcribe.model import ModelSpec

__all__ = ["TranscribeOptions", "speech_span", "transcribe_channel"]

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class TranscribeOptions:
    """Recogniser settings; together with the model they key a transcript.

    Attributes:
        model: which model, on which device.
        language: force a language code (``ru``, ``uk``…); ``None`` detects it
            per channel.
        beam_size: beam search width (5, as Whisper's paper).
        min_speech_s: a channel with less VAD speech than this gets no text.
        pad_s: audio kept around the speech stretch, so first and last words
            are not clipped (the VAD missed up to 1.7 s of a quiet ending).
        temperatures: decoding temperatures to fall back through. Only 0 by
            default: the fallback samples at random, and with it a call re-run
            after a crash gave other text on hard audio; evidence must come
            out the same every time. Looping text it would have fixed is
            dropped by the hallucination filter.
        hotwords: words to prime the decoder with (place and unit names the
            general model mishears); see ``benchmarks/vocabulary.py``.
        filters: the hallucination filter's thresholds.
    """

    model: ModelSpec = field(default_factory=ModelSpec)
    language: str | None = None
    beam_size: int = 5
    min_speech_s: float = 0.3
    pad_s: float = 3.0
    temperatures: tuple[float, ...] = (0.0,)
    hotwords: str | None = None
    filters: FilterOptions = field(default_factory=FilterOptions)

    def key(self) -> str:
        """Stable JSON naming everything that shapes the output (see ``ModelSpec.key``)."""
        values = asdict(self)
        values["model"] = self.model.key()
        return json.dumps(values, sort_keys=True)


def speech_span(audio: ChannelAudio, options: TranscribeOptions) -> tuple[float, Any]:
    """The stretch from first to last speech, padded: ``(offset_s, samples)``."""
    offset = max(0.0, audio.speech[0][0] - options.pad_s)
    end = audio.speech[-1][1] + options.pad_s
    return offset, audio.samples[int(offset * SAMPLE_RATE) : int(end * SAMPLE_RATE)]


def transcribe_channel(
    model: Any, audio: ChannelAudio, options: TranscribeOptions
) -> ChannelTranscript:
    """Language and filtered segments (with word timings) of one channel."""
    result = ChannelTranscript(
        channel=audio.channel, language=None, language_probability=0.0, speech_s=audio.speech_s
    )
    if audio.speech_s < options.min_speech_s:
        return result
    offset, samples = speech_span(audio, options)
    raw, info = model.transcribe(
        samples,
        language=options.language,
        beam_size=options.beam_size,
        word_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=False,
        hotwords=options.hotwords,
        temperature=list(options.temperatures),
    )
    result.language = info.language
    result.language_probability = round(float(info.language_probability), 4)
    segments = (_segment(audio.channel, info.language, s, offset) for s in raw)
    result.segments = list(drop_hallucinations(segments, audio.speech, options.filters))
    return result


def _segment(channel: int, language: str, raw: Any, offset: float) -> Segment:
    words = [
        Word(
            start=round(w.start + offset, 3),
            end=round(w.end + offset, 3),
            word=w.word,
            probability=round(float(w.probability), 4),
        )
        for w in raw.words or []
    ]
    return Segment(
        channel=channel,
        start=round(raw.start + offset, 3),
        end=round(raw.end + offset, 3),
        text=raw.text.strip(),
        language=language,
        avg_logprob=round(float(raw.avg_logprob), 4),
        no_speech_prob=round(float(raw.no_speech_prob), 4),
        compression_ratio=round(float(raw.compression_ratio), 4),
        words=words,
    )
