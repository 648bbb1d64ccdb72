"""Diarisation of mixed channels, on real demo voices with the real encoder (no mocks)."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from callsift.audio import DecodeOptions, decode, speech_regions
from callsift.graph.voices.diarize import (
    Diarization,
    DiarizeOptions,
    Turn,
    assign_speakers,
    diarize,
    speaker_between,
)
from callsift.graph.voices.encoder import VoiceEncoder, load_encoder
from callsift.records import Segment, Word

ROOT = Path(__file__).resolve().parents[2]
CALLS = ROOT / "demo" / "calls"
SR = 16000


@pytest.fixture(scope="module")
def encoder() -> VoiceEncoder:
    return load_encoder(1)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module("diarisation")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def _channel(name: str, index: int) -> np.ndarray:
    _, tracks = decode(CALLS / name, DecodeOptions())
    return tracks[index]


def _turns_of(samples: np.ndarray) -> list[np.ndarray]:
    return [samples[int(s * SR) : int(e * SR)] for s, e in speech_regions(samples)]


def _dialogue(a: list[np.ndarray], b: list[np.ndarray]) -> tuple[np.ndarray, list[Turn]]:
    """Turns of two voices alternated with 0.3 s pauses, and who said each."""
    pause = np.zeros(int(0.3 * SR), np.float32)
    parts, truth, at = [], [], 0.0
    for index in range(max(len(a), len(b))):
        for speaker, turns in ((1, a), (2, b)):
            if index < len(turns):
                parts += [turns[index], pause]
                length = len(turns[index]) / SR
                truth.append(Turn(at, at + length, speaker))
                at += length + len(pause) / SR
    return np.concatenate(parts).astype(np.float32), truth


def _agreement(found: Diarization, truth: list[Turn]) -> float:
    """Share of the truth's speech (10 ms steps) given to the right speaker, best mapping."""
    steps = [
        (t.speaker, x / 100) for t in truth for x in range(int(t.start * 100), int(t.end * 100))
    ]
    said = [speaker_between(found, x, x + 0.01) for _, x in steps]
    same = sum(1 for (who, _), s in zip(steps, said, strict=True) if s == who)
    swapped = sum(1 for (who, _), s in zip(steps, said, strict=True) if s is not None and s != who)
    return max(same, swapped) / len(steps)


def test_two_demo_voices_in_one_track_are_told_apart(encoder: VoiceEncoder) -> None:
    # The soldier of call_010 and the sister of call_013: two synthesisers' voices.
    mix, truth = _dialogue(
        _turns_of(_channel("call_010.wav", 0)), _turns_of(_channel("call_013.m4a", 1))
    )
    found = diarize(encoder, mix, speech_regions(mix))

    assert found.speakers == 2, found.reason
    assert found.gap is not None and found.gap >= DiarizeOptions().min_gap
    assert _agreement(found, truth) >= 0.9
    assert found.turns[0].speaker == 1  # the voice heard first is speaker 1


def test_mother_and_son_of_one_synthesiser_are_told_apart(encoder: VoiceEncoder) -> None:
    # ru_soldier and ru_mother are one festival voice 400 cents apart.
    mix, truth = _dialogue(
        _turns_of(_channel("call_010.wav", 0)), _turns_of(_channel("call_010.wav", 1))
    )
    found = diarize(encoder, mix, speech_regions(mix))

    assert found.speakers == 2, found.reason
    assert _agreement(found, truth) >= 0.9


@pytest.mark.parametrize("name, channel", [("call_010.wav", 0), ("call_023.m4a", 0)])
def test_one_voice_is_not_split(encoder: VoiceEncoder, name: str, channel: int) -> None:
    samples = _channel(name, channel)
    found = diarize(encoder, samples, speech_regions(samples))

    assert found.speakers == 1, found.reason
    assert found.turns == ()
    assert "one speaker" in found.reason


def test_a_real_voice_over_a_minute_is_not_split(encoder: VoiceEncoder) -> None:
    _, tracks = decode(ROOT / "tests/data/real/en_silero_vad_test_60s.wav", DecodeOptions())
    found = diarize(encoder, tracks[0], speech_regions(tracks[0]))

    assert found.speakers == 1, found.reason


def test_too_little_speech_is_not_split(encoder: VoiceEncoder) -> None:
    samples = _channel("call_011.flac", 1)  # 4.9 s of speech
    found = diarize(encoder, samples, speech_regions(samples))

    assert found.speakers == 1
    assert "under 6 s" in found.reason


def test_diarisation_is_deterministic(encoder: VoiceEncoder) -> None:
    _, tracks = decode(CALLS / "call_024.wav", DecodeOptions())
    mix = (tracks[0] + tracks[1]) / 2
    regions = speech_regions(mix)

    assert diarize(encoder, mix, regions) == diarize(encoder, mix, regions)


def test_demo_mixes_hold_the_measured_error_rate(encoder: VoiceEncoder, bench: ModuleType) -> None:
    # benchmarks/diarisation.py: mean DER 0.023 (0.25 s collar), 0.351 before (one speaker).
    rows = bench.mixes(encoder, DiarizeOptions())
    der = float(np.mean([r["der"] for r in rows]))
    before = float(np.mean([r["before"] for r in rows]))

    assert all(r["speakers"] == 2 for r in rows)
    assert der <= 0.04
    assert before >= 0.3
    assert max(r["der"] for r in rows) <= 0.08


def _words(*spoken: tuple[float, float, str]) -> list[Word]:
    return [Word(start, end, word, 0.9) for start, end, word in spoken]


def test_a_segment_that_changes_speaker_is_cut_at_the_sentence_end() -> None:
    turns = Diarization(2, (Turn(0.0, 2.15, 1), Turn(2.15, 4.0, 2)), 0.2, "two voices")
    words = _words(
        (0.0, 0.5, " Где"),
        (0.5, 1.0, " ты"),
        (1.0, 1.9, " сейчас?"),
        (2.0, 2.4, " Мы"),  # the turn boundary falls inside this word's neighbour
        (2.4, 3.0, " под"),
        (3.0, 3.8, " Изюмом."),
    )
    segment = Segment(0, 0.0, 3.8, "Где ты сейчас? Мы под Изюмом.", "ru", words=words)

    first, second = assign_speakers([segment], turns)

    assert (first.speaker, first.text, first.start, first.end) == (1, "Где ты сейчас?", 0.0, 1.9)
    assert (second.speaker, second.text, second.start, second.end) == (
        2,
        "Мы под Изюмом.",
        2.0,
        3.8,
    )
    assert [w.word for w in first.words + second.words] == [w.word for w in words]


def test_one_stray_word_does_not_cut_a_segment() -> None:
    turns = Diarization(2, (Turn(0.0, 1.2, 1), Turn(1.2, 1.5, 2), Turn(1.5, 3.0, 1)), 0.2, "")
    words = _words(
        (0.0, 0.6, " Да,"), (0.6, 1.2, " я"), (1.2, 1.5, " живой,"), (1.5, 3.0, " мама.")
    )
    segment = Segment(0, 0.0, 3.0, "Да, я живой, мама.", "ru", words=words)

    (only,) = assign_speakers([segment], turns)

    assert only.speaker == 1
    assert only.text == segment.text


def test_an_unsplit_channel_keeps_its_segments() -> None:
    segment = Segment(0, 0.0, 1.0, "Алло", "ru", words=_words((0.0, 1.0, " Алло")))

    assert assign_speakers([segment], Diarization(1, reason="one speaker")) == [segment]
