"""Decide whether a stereo call holds one party per channel or one mix twice.

Call recorders write stereo in two ways: one party per channel (a trunk
recorder tapping each direction), or the same mixed call on both channels (a
mono source saved as stereo). Transcribing both channels of a duplicated mix
would list every sentence twice, once under each "party", which misleads a
reader; transcribing one channel of a two-party call would lose a speaker. So
the channels are compared before transcription.

Thresholds (applied to the whole track):

* **Silence:** a channel whose peak stays below -60 dBFS (``SILENT_PEAK``,
  0.001, about 33 steps of 16-bit audio) carries no party. That is digital
  silence plus the codec noise floor (an idle A-law or µ-law line sits within a
  few steps of zero); any audible voice peaks far higher. It is dropped, and the
  other channel keeps its own index.
* **Same mix:** two active channels whose Pearson correlation exceeds 0.98
  (``SAME_MIX_CORRELATION``) and whose RMS levels are within 6 dB
  (``SAME_MIX_LEVEL_DB``) are one mix. Two people talking over each other
  correlate near 0 (-0.01 on the two-party fixture); one mix stored twice
  correlates near 1 (0.9996 on faster-whisper's stereo JFK clip, and a copy
  through A-law or µ-law keeps 0.9999). Codecs that keep how speech sounds rather
  than its waveform (GSM 0.96, AMR lower) can push a mix coded separately per
  channel under 0.98; both tracks are then kept, which costs time, not words.
  The level bound keeps both channels when one is a much quieter copy of the
  other (a party's channel carrying only the other side's echo), where listening
  to both is the safer choice. A same-mix pair becomes one mono track,
  the mean of the two, under the lower channel index.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SAME_MIX_CORRELATION", "SAME_MIX_LEVEL_DB", "SILENT_PEAK", "split_parties"]

SILENT_PEAK = 10 ** (-60 / 20)
SAME_MIX_CORRELATION = 0.98
SAME_MIX_LEVEL_DB = 6.0

_BLOCK = 1 << 20  # Samples summed at a time in float64: bounded memory on 4 h tracks.


def split_parties(tracks: list[np.ndarray]) -> list[tuple[int, np.ndarray]]:
    """Return ``(channel index, samples)`` for each party's track.

    Silent channels are dropped (if every channel is silent, channel 0 is kept, so
    the call still has a track). If exactly two channels are left and they carry
    the same mix, they are merged into one mono track. Otherwise each channel is
    a party. Tracks must have the same length, as :func:`callsift.audio.decode`
    returns them.
    """
    if not tracks:
        raise ValueError("no tracks to split")
    active = [(index, track) for index, track in enumerate(tracks) if not _is_silent(track)]
    if not active:
        return [(0, tracks[0])]
    if len(active) == 2 and _same_mix(active[0][1], active[1][1]):
        (index, first), (_, second) = active
        mono = (first.astype(np.float32) + second.astype(np.float32)) / 2
        return [(index, mono)]
    return active


def _is_silent(track: np.ndarray) -> bool:
    return track.size == 0 or float(np.max(np.abs(track))) < SILENT_PEAK


def _same_mix(left: np.ndarray, right: np.ndarray) -> bool:
    if left.shape != right.shape:
        raise ValueError(f"tracks differ in length: {left.shape} and {right.shape}")
    n = left.size
    sx = sy = sxx = syy = sxy = 0.0
    for start in range(0, n, _BLOCK):
        x = left[start : start + _BLOCK].astype(np.float64)
        y = right[start : start + _BLOCK].astype(np.float64)
        sx += float(x.sum())
        sy += float(y.sum())
        sxx += float(x @ x)
        syy += float(y @ y)
        sxy += float(x @ y)
    var_x = sxx - sx * sx / n
    var_y = syy - sy * sy / n
    if var_x <= 0.0 or var_y <= 0.0:
        return False
    correlation = (sxy - sx * sy / n) / np.sqrt(var_x * var_y)
    level_db = 10 * np.log10(sxx / syy)
    return bool(correlation > SAME_MIX_CORRELATION and abs(level_db) < SAME_MIX_LEVEL_DB)
