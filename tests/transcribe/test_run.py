"""The real pinned model on real and synthetic audio: no mocks."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from callsift.pipeline import ProcessOptions, process_call


def transcribe(path: Path, model: Any) -> Any:
    outcome = process_call(path, 1, path.name, ProcessOptions(), model)
    assert outcome.error is None, outcome.error
    return outcome


def words(outcome: Any) -> str:
    return " ".join(s.text for c in outcome.channels for s in c.segments).lower()


def test_english_speech_is_transcribed_word_for_word(real_dir: Path, model: Any) -> None:
    outcome = transcribe(real_dir / "en_jfk_faster-whisper.flac", model)
    (channel,) = outcome.channels  # the clip's two channels carry the same mix
    assert channel.language == "en"
    text = words(outcome)
    for word in ("fellow americans", "ask not what your country can do for you"):
        assert word in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ru_pisets_test_sound_ru.wav", ["нейронн", "хорошо"]),
        ("ru_deepspeech_smoke_ru.wav", ["месте", "должен"]),
    ],
)
def test_russian_speech_is_detected_and_transcribed(
    real_dir: Path, model: Any, name: str, expected: list[str]
) -> None:
    outcome = transcribe(real_dir / name, model)
    assert [c.language for c in outcome.channels] == ["ru"]
    for word in expected:
        assert word in words(outcome)


def test_real_8khz_telephone_speech_is_russian(real_dir: Path, model: Any) -> None:
    outcome = transcribe(real_dir / "ru_tel8k_tone_audio_short.flac", model)
    assert outcome.info.sample_rate == 8000
    assert [c.language for c in outcome.channels] == ["ru"]
    assert len(words(outcome).split()) >= 5


def test_word_timings_lie_inside_their_segment_and_spell_its_text(
    real_dir: Path, model: Any
) -> None:
    outcome = transcribe(real_dir / "ru_deepspeech_smoke_ru.wav", model)
    for segment in outcome.channels[0].segments:
        assert segment.text == "".join(w.word for w in segment.words).strip()
        for word in segment.words:
            assert segment.start - 0.01 <= word.start <= word.end <= segment.end + 0.01


def write_wav(path: Path, samples: np.ndarray, rate: int = 8000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def test_thirty_seconds_of_silence_and_line_noise_give_no_text(tmp_path: Path, model: Any) -> None:
    rate, seconds = 8000, 30
    t = np.arange(rate * seconds) / rate
    rng = np.random.default_rng(7)
    noise = 0.01 * rng.standard_normal(t.size)  # line hiss
    hum = 0.05 * np.sin(2 * np.pi * 50 * t) + 0.02 * np.sin(2 * np.pi * 150 * t)
    clicks = np.zeros(t.size)
    clicks[rng.integers(0, t.size, 40)] = 0.6  # switching clicks
    signal = noise + hum + clicks
    signal[: rate * 10] = 0.0  # ten seconds of digital silence first
    outcome = transcribe(write_wav(tmp_path / "noise.wav", signal), model)
    assert outcome.info.duration_s == pytest.approx(30, abs=0.1)
    assert [s for c in outcome.channels for s in c.segments] == []


def test_a_channel_is_transcribed_again_when_its_text_shows_another_language(
    real_dir: Path, model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text-level decision (tested in tests/analyze/test_language.py) drives a re-run."""
    from callsift.analyze.language import LanguageDecision

    decision = LanguageDecision("uk", True, 0.9, "text looks Ukrainian")
    monkeypatch.setattr("callsift.pipeline.decide_language", lambda *args: decision)
    outcome = transcribe(real_dir / "ru_pisets_test_sound_ru.wav", model)
    (channel,) = outcome.channels
    assert (channel.language, channel.whisper_language, channel.mixed) == ("uk", "ru", True)
    assert channel.language_reason == "text looks Ukrainian"
    assert {segment.language for segment in channel.segments} == {"uk"}
