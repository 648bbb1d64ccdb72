"""Find where someone speaks in one party's track, with Silero VAD.

faster-whisper ships Silero VAD (an ONNX model, run on the CPU by onnxruntime)
and its ``get_speech_timestamps``; callsift reuses both rather than carry a second
copy (https://github.com/snakers4/silero-vad for the model). The model works on
512-sample windows at 16 kHz only, which is what :func:`callsift.audio.decode`
produces.

faster-whisper's defaults suit podcasts and lectures: 2 s of silence before a
region ends and 400 ms of padding. A phone call differs. Turns are short and
pauses between them are brief, and on a call with one party per channel each
track is mostly listening, broken by short answers. :func:`telephone_vad_options`
therefore ends a region after 500 ms of silence, so each turn becomes its own
region, and pads 200 ms, enough for the soft onsets and endings that a 300 to
3400 Hz line weakens. Silence, line noise, mains hum, clicks, and dial and DTMF
tones stay under the 0.35 speech threshold and yield no region (see the tests).
"""

from __future__ import annotations

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

__all__ = ["VAD_SAMPLE_RATE", "speech_regions", "telephone_vad_options"]

VAD_SAMPLE_RATE = 16000
"""The only rate faster-whisper's Silero VAD runs at."""


def telephone_vad_options() -> VadOptions:
    """Silero VAD settings for telephone calls (a new, mutable object each call).

    threshold 0.35: below Silero's default 0.5, which heard only 4.5 of 21 s of
        speech in a demo call (8 kHz, band-limited) and 3.4 of 17 s in another;
        at 0.35 they give 15.3 and 10.7 s, while 20 s of line noise still gives
        none (at 0.25 it gave 0.5 s). Missing speech loses evidence; a little
        noise let through is caught by the hallucination filter.
    min_silence_duration_ms 500: a region ends after half a second of silence,
        so that one party's turns split apart instead of merging over 2 s gaps.
    speech_pad_ms 200: each region is widened by 200 ms on both sides, so that
        the recogniser hears whole first and last syllables.
    min_speech_duration_ms 0 (the default): a one-word answer ("yes", "no")
        is evidence and is never dropped for being short.
    """
    return VadOptions(threshold=0.35, min_silence_duration_ms=500, speech_pad_ms=200)


def speech_regions(
    samples: np.ndarray,
    options: VadOptions | None = None,
    sample_rate: int = VAD_SAMPLE_RATE,
) -> list[tuple[float, float]]:
    """Return ``(start_s, end_s)`` of each stretch of speech in a mono track.

    ``options`` defaults to :func:`telephone_vad_options`. ``samples`` must be at
    16 kHz, one dimension (``sample_rate`` is checked, not converted).
    """
    if sample_rate != VAD_SAMPLE_RATE:
        raise ValueError(
            f"Silero VAD runs at {VAD_SAMPLE_RATE} Hz, got {sample_rate} Hz; resample first"
        )
    audio = np.asarray(samples, dtype=np.float32)
    if audio.ndim != 1:
        raise ValueError(f"expected one channel (1-D samples), got shape {audio.shape}")
    chunks = get_speech_timestamps(audio, options or telephone_vad_options(), sample_rate)
    return [(chunk["start"] / sample_rate, chunk["end"] / sample_rate) for chunk in chunks]
