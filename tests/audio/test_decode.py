"""Decoding every telephone codec, and refusing broken files with a clear reason."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from callsift.audio import DecodeOptions, decode, probe
from callsift.audio.decode import _Output
from callsift.errors import InputError

CODECS = Path(__file__).resolve().parents[1] / "data" / "codecs"
REAL = Path(__file__).resolve().parents[1] / "data" / "real"
JFK = REAL / "en_jfk_faster-whisper.flac"

# file, canonical codec name, container, source rate, channels
GOOD = [
    ("pcm16.wav", "pcm_s16le", "wav", 8000, 1),
    ("alaw.wav", "pcm_alaw", "wav", 8000, 1),
    ("mulaw.wav", "pcm_mulaw", "wav", 8000, 1),
    ("gsm.wav", "gsm_ms", "wav", 8000, 1),
    ("mp3.mp3", "mp3", "mp3", 8000, 1),
    ("amr.amr", "amr_nb", "amr", 8000, 1),
    ("opus.ogg", "opus", "ogg", 48000, 1),
    ("aac.m4a", "aac", "mov,mp4,m4a,3gp,3g2,mj2", 8000, 1),
    ("flac.flac", "flac", "flac", 8000, 1),
    ("stereo_two_parties.wav", "pcm_alaw", "wav", 8000, 2),
    ("stereo_same_mix.wav", "pcm_alaw", "wav", 8000, 2),
]


def _rms_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))))


@pytest.mark.parametrize(("name", "codec", "container", "rate", "channels"), GOOD)
def test_every_codec_decodes_to_16k_float32(
    name: str, codec: str, container: str, rate: int, channels: int
) -> None:
    info, tracks = decode(CODECS / name)

    assert (info.codec, info.container, info.sample_rate) == (codec, container, rate)
    assert info.channels == channels == len(tracks)
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    for track in tracks:
        assert track.dtype == np.float32 and track.ndim == 1
        assert track.size == round(info.duration_s * 16000)
        assert _rms_db(track) > -30  # Speech, not silence.
    if channels == 1:
        # The speech survived: first second within 1 dB of the PCM original's level.
        reference = decode(CODECS / "pcm16.wav")[1][0]
        assert _rms_db(tracks[0][:16000]) == pytest.approx(_rms_db(reference[:16000]), abs=1.0)


@pytest.mark.parametrize(("name", "codec", "container", "rate", "channels"), GOOD)
def test_probe_agrees_with_decode(
    name: str, codec: str, container: str, rate: int, channels: int
) -> None:
    info = probe(CODECS / name)

    assert (info.codec, info.container, info.sample_rate, info.channels) == (
        codec,
        container,
        rate,
        channels,
    )
    assert info.duration_s == pytest.approx(decode(CODECS / name)[0].duration_s, abs=0.1)


def test_upsampling_keeps_the_original_samples() -> None:
    with wave.open(str(CODECS / "pcm16.wav")) as source:
        original = np.frombuffer(source.readframes(source.getnframes()), np.int16) / 32768

    _, (track,) = decode(CODECS / "pcm16.wav")

    np.testing.assert_allclose(track[::2], original, atol=1e-6)


def test_channels_stay_apart() -> None:
    _, (left, right) = decode(CODECS / "stereo_two_parties.wav")

    assert abs(np.corrcoef(left, right)[0, 1]) < 0.2


def test_real_44k_stereo_flac() -> None:
    info, tracks = decode(JFK)

    assert (info.sample_rate, info.channels, info.duration_s) == (44100, 2, 11.0)
    assert [t.size for t in tracks] == [176000, 176000]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.wav", "empty file (0 bytes)"),
        ("random_bytes.wav", "not an audio file, or a format FFmpeg does not know"),
        ("text.wav", "not an audio file, or a format FFmpeg does not know"),
        ("no_audio.png", "no audio stream (streams found: video)"),
        ("missing.wav", "cannot read the file (No such file or directory)"),
    ],
)
def test_unusable_files_are_refused(name: str, reason: str) -> None:
    path = CODECS / name
    for read in (probe, decode):
        with pytest.raises(InputError) as raised:
            read(path)
        assert raised.value.path == str(path)
        assert raised.value.reason.startswith(reason)


def test_damage_mid_stream_is_refused_with_its_place() -> None:
    # Twice in a row: FFmpeg's log drops repeated lines unless told not to.
    for _ in range(2):
        with pytest.raises(InputError, match=r"^.*: corrupt or truncated data after ") as raised:
            decode(CODECS / "corrupt_mid.flac")
        seconds = float(raised.value.reason.split(" after ")[1].split(" s ")[0])
        assert 0.5 <= seconds <= 1.5


def test_a_cut_tail_is_flagged_not_refused() -> None:
    # The first second is sound evidence; the flag says the rest is not there.
    info, (track,) = decode(CODECS / "truncated.wav")

    assert info.duration_s == pytest.approx(1.0, abs=0.01) and track.size == 16000
    assert info.missing_s == pytest.approx(1.0, abs=0.01)
    assert info.damage == "damaged: last 1.0 s missing (file cut short; its header declares 2.0 s)"


def test_ffmpeg_stays_off_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    for name in ("corrupt_mid.flac", "random_bytes.wav"):
        with pytest.raises(InputError):
            decode(CODECS / name)
    decode(CODECS / "truncated.wav")
    decode(CODECS / "amr.amr")

    assert capfd.readouterr().err == ""


def test_duration_cap() -> None:
    assert DecodeOptions().max_duration_s == 14400

    with pytest.raises(InputError) as raised:
        decode(CODECS / "pcm16.wav", DecodeOptions(max_duration_s=1.5))

    assert raised.value.reason == "longer than the 1.5 s cap; raise max_duration_s to process it"


def test_timeout() -> None:
    with pytest.raises(InputError, match="decoding took longer than 0 s"):
        decode(CODECS / "pcm16.wav", DecodeOptions(timeout_s=0.0))


def test_too_many_channels() -> None:
    with pytest.raises(InputError) as raised:
        decode(CODECS / "stereo_two_parties.wav", DecodeOptions(max_channels=1))

    assert raised.value.reason.startswith("2 channels; at most 1 are expected")


def test_format_change_mid_stream_is_refused() -> None:
    output = _Output(16000)
    output.add(_silence(8000), Path("call.wav"))

    with pytest.raises(InputError, match=r"audio format changes mid-stream \(8000 Hz mono s16 to"):
        output.add(_silence(16000), Path("call.wav"))


def _silence(rate: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(np.zeros((1, 160), np.int16), format="s16", layout="mono")
    frame.sample_rate = rate
    return frame
