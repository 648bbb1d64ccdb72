"""Telling a two-party stereo call from one mix stored twice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callsift.audio import decode, split_parties

CODECS = Path(__file__).resolve().parents[1] / "data" / "codecs"
REAL = Path(__file__).resolve().parents[1] / "data" / "real"
JFK = REAL / "en_jfk_faster-whisper.flac"


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return decode(CODECS / "pcm16.wav")[1][0]


def test_two_parties_stay_two() -> None:
    left, right = decode(CODECS / "stereo_two_parties.wav")[1]

    parties = split_parties([left, right])

    assert [index for index, _ in parties] == [0, 1]
    assert parties[0][1] is left and parties[1][1] is right


def test_same_mix_becomes_one_track() -> None:
    left, right = decode(CODECS / "stereo_same_mix.wav")[1]

    [(index, mono)] = split_parties([left, right])

    assert index == 0
    assert mono.dtype == np.float32
    np.testing.assert_allclose(mono, left, atol=1e-6)


def test_real_stereo_recording_of_one_mix() -> None:
    assert len(split_parties(decode(JFK)[1])) == 1


def test_near_identical_channels_are_one_mix(speech: np.ndarray) -> None:
    noise = np.random.default_rng(1).normal(0, 0.002, speech.size).astype(np.float32)

    parties = split_parties([speech, 0.8 * speech + noise])  # -1.9 dB, codec-like noise

    assert [index for index, _ in parties] == [0]


def test_same_content_far_quieter_is_kept_apart(speech: np.ndarray) -> None:
    parties = split_parties([speech, 0.3 * speech])  # -10.5 dB: an echo, say

    assert [index for index, _ in parties] == [0, 1]


@pytest.mark.parametrize("floor", [0.0, 8 / 32768])  # digital zero; an idle A-law line
def test_silent_channel_is_dropped_and_the_other_keeps_its_index(
    speech: np.ndarray, floor: float
) -> None:
    idle = np.random.default_rng(2).choice([-floor, floor], speech.size).astype(np.float32)

    assert [i for i, _ in split_parties([speech, idle])] == [0]
    [(index, track)] = split_parties([idle, speech])
    assert index == 1 and track is speech


def test_quiet_speech_is_not_silence(speech: np.ndarray) -> None:
    quiet = speech * (0.004 / np.max(np.abs(speech)))  # peaks at -48 dBFS

    assert [i for i, _ in split_parties([quiet, np.zeros_like(speech)])] == [0]


def test_all_silent_keeps_channel_zero(speech: np.ndarray) -> None:
    silent = np.zeros_like(speech)

    [(index, track)] = split_parties([silent, silent.copy()])

    assert index == 0 and track is silent


def test_mono_is_one_party(speech: np.ndarray) -> None:
    assert split_parties([speech]) == [(0, speech)]


def test_bad_input_is_a_bug_not_an_input_error(speech: np.ndarray) -> None:
    with pytest.raises(ValueError, match="no tracks"):
        split_parties([])
    with pytest.raises(ValueError, match="differ in length"):
        split_parties([speech, speech[:-1]])
