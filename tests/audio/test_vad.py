"""Speech regions from Silero VAD: nothing on line noise, most of a real speech clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callsift.audio import decode, speech_regions, telephone_vad_options

CODECS = Path(__file__).resolve().parents[1] / "data" / "codecs"
REAL = Path(__file__).resolve().parents[1] / "data" / "real"
JFK = REAL / "en_jfk_faster-whisper.flac"
RATE = 16000


def _line_noise() -> np.ndarray:
    """30 s: 5 s silence, then low white noise, 50 Hz hum with harmonics, and clicks."""
    rng = np.random.default_rng(0)
    t = np.arange(30 * RATE) / RATE
    audio = np.zeros(t.size)
    audio[5 * RATE :] += rng.normal(0, 0.003, 25 * RATE)  # about -50 dBFS
    hum = 0.1 * np.sin(2 * np.pi * 50 * t) + 0.03 * np.sin(2 * np.pi * 150 * t)
    audio[10 * RATE :] += hum[10 * RATE :]
    for second in range(12, 30, 3):
        audio[second * RATE] += 0.9  # switching clicks
        audio[second * RATE + RATE // 3] -= 0.9
    return audio.astype(np.float32)


def test_line_noise_hum_clicks_and_silence_are_not_speech() -> None:
    assert speech_regions(_line_noise()) == []
    assert speech_regions(np.zeros(30 * RATE, np.float32)) == []
    assert speech_regions(np.zeros(0, np.float32)) == []


def test_dial_and_dtmf_tones_are_not_speech() -> None:
    t = np.arange(10 * RATE) / RATE
    dial = 0.2 * (np.sin(2 * np.pi * 350 * t) + np.sin(2 * np.pi * 440 * t))
    dtmf = 0.2 * (np.sin(2 * np.pi * 697 * t) + np.sin(2 * np.pi * 1209 * t)) * (t * 4 % 2 < 1)

    assert speech_regions(np.concatenate([dial, dtmf]).astype(np.float32)) == []


def test_real_speech_is_mostly_covered() -> None:
    info, tracks = decode(JFK)

    regions = speech_regions(tracks[0])

    assert regions
    assert all(0 <= start < end <= info.duration_s for start, end in regions)
    assert all(a[1] <= b[0] for a, b in zip(regions, regions[1:], strict=False))
    assert sum(end - start for start, end in regions) > 0.7 * info.duration_s


def test_comfort_noise_after_speech_is_not_speech() -> None:
    # amr.amr: 1 s of 8 kHz speech, then 1 s of DTX comfort noise.
    [(start, end)] = speech_regions(decode(CODECS / "amr.amr")[1][0])

    assert start < 0.3 and 0.8 < end < 1.4


def test_telephone_options() -> None:
    options = telephone_vad_options()

    assert (options.threshold, options.min_silence_duration_ms, options.speech_pad_ms) == (
        0.35,
        500,
        200,
    )
    assert telephone_vad_options() is not options


def test_wrong_rate_or_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="runs at 16000 Hz, got 8000 Hz"):
        speech_regions(np.zeros(8000, np.float32), sample_rate=8000)
    with pytest.raises(ValueError, match="one channel"):
        speech_regions(np.zeros((2, 16000), np.float32))
