"""Audio for listening: a browser-playable WAV of each call and its waveform.

Browsers play PCM WAV but not AMR-NB, GSM 6.10 or A-law, so the review app
plays a decoded copy, made once per original and kept among the case's
derived files under the original's SHA-256 (the original itself is never
served or touched). The copy keeps the parties on their own channels and
runs at 16 kHz, the rate the transcript's timings were measured on, so a
word's timestamp is the player's position.

The waveform is a few hundred (min, max) pairs per channel, drawn by the
page as SVG: enough to see where each party speaks, without sending samples.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

from callsift.audio.decode import DecodeOptions, decode
from callsift.audio.wavfile import write_wav

__all__ = ["Waveform", "playback_audio"]

_DECODE = DecodeOptions()

Waveform = list[list[tuple[float, float]]]
"""Per channel, ``(min, max)`` of each equal slice of the call, in [-1, 1]."""


def _peaks(track: np.ndarray, buckets: int) -> list[tuple[float, float]]:
    if len(track) == 0:
        return []
    edges = np.linspace(0, len(track), buckets + 1).astype(int)
    return [
        (round(float(track[a:b].min()), 3), round(float(track[a:b].max()), 3))
        for a, b in zip(edges[:-1], edges[1:], strict=True)
        if b > a
    ]


def playback_audio(
    original: Path, folder: Path, sha256: str, buckets: int = 600
) -> tuple[Path, Waveform]:
    """The playable WAV of ``original`` and its waveform, made on first use.

    Raises :class:`~callsift.errors.InputError` if the original cannot be decoded.
    """
    wav = folder / f"{sha256}.wav"
    peaks = folder / f"{sha256}.peaks.json"
    if wav.exists() and peaks.exists():
        return wav, json.loads(peaks.read_text(encoding="utf-8"))
    _, tracks = decode(original, _DECODE)
    waveform = [_peaks(track, buckets) for track in tracks]
    folder.mkdir(parents=True, exist_ok=True)
    for target, write in (
        (wav, lambda handle: write_wav(handle, tracks, _DECODE.sample_rate)),
        (peaks, lambda handle: handle.write(json.dumps(waveform).encode())),
    ):
        # Temp file and rename: two reviewers opening the call at once never
        # see half a file.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return wav, waveform
