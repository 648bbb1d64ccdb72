"""Signs in the audio itself: a fingerprint for copies, and traces of editing.

All three measures work on a channel decoded at the telephone rate (8 kHz)
and compare the call with its own statistics, never with a fixed level, so a
loud GSM call and a quiet Opus one are judged alike.

* **Fingerprint** (:func:`fingerprint`, :func:`similarity`): log energies in
  16 bands from 300 to 3400 Hz every 16 ms, standardised per band over the
  frames that carry sound. Two tracks are compared at every time offset at
  once (an FFT cross-correlation), over the frames where both carry sound, so
  a copy that starts later, is louder or quieter, or went through another
  codec and picked up its own line noise still lines up: re-encoded copies of
  a demo call score 0.90 to 0.98; different calls, even two of the same
  synthetic voice, at most 0.36, and one sentence two calls share word for
  word (2.8 s) 0.60, which is why a match also needs 4 s of common sound.
* **Spliced silence** (:func:`silence_islands`): a telephone line is never
  digitally silent: between words it carries line noise. A stretch of exact
  (or near-exact: within 8.5 of 32768 steps, about -72 dBFS peak, where an
  A-law idle line sits) digital silence inside a channel whose pauses
  otherwise hold noise was put there by software. A channel whose pauses are
  mostly digital silence (a recorder that gates silence, a clean VoIP leg:
  the listening channel of ``call_011.flac``) proves nothing and is skipped.
  A line dropout is not silence: the dropout in ``call_019.wav`` keeps
  -62 dBFS peaks of hum and hiss.
* **Abrupt cuts** (:func:`abrupt_cuts`): telephone audio is band-limited to
  3.4 kHz before it is recorded, so the top of the spectrum (3.75 to 4 kHz at
  8 kHz) holds only the codec's own noise. Cutting the waveform makes it jump
  from one sample to an unrelated one, and a jump spreads over every
  frequency: a burst in that empty band. A burst counts when it stands
  ``min_db`` above the loudest 0.5 % of the channel's own out-of-band frames,
  during speech (inside a transcribed segment, at speech level on one side),
  so line clicks and dropouts in noise (``call_019.wav``) are not taken for
  edits. A cut is one jump, so its burst must also stand ``min_isolation_db``
  above every other out-of-band frame 10 to 50 ms either side of it: a voice
  with sharp glottal pulses leaks a little out-of-band energy at every pitch
  period, a train of bursts of like size (the mother's high synthetic voice
  through AAC in ``call_023.m4a`` stands 25.5 dB above its channel's very low
  out-of-band level, but only 2 dB above the pulses around it). On the demo
  corpus no other natural burst inside speech stands more than 16 dB above
  the channel's level, and none more than 15 dB above its neighbours; cuts
  made in its lossless audio stand 21 to 69 dB above the level, and those
  past 25 dB stand 27 to 43 dB above their neighbours.
  A cut made *before* a lossy re-encoding (GSM, AMR, Opus, MP3) is mostly
  smoothed away by the codec, and in G.711 audio (A-law, µ-law) the
  companding noise fills the top band to about -55 dBFS (cuts made in the
  demo's G.711 calls stood at most 18 dB above it): the test then stays
  silent, which is why a clean result is never proof that a call is unedited.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "RATE",
    "Cut",
    "Fingerprint",
    "SilenceIsland",
    "abrupt_cuts",
    "fingerprint",
    "silence_islands",
    "similarity",
]

RATE = 8000
"""The rate every measure here expects: telephone audio's own."""

_NFFT, _HOP = 256, 128
_BAND_EDGES = np.geomspace(300.0, 3400.0, 17)
_ACTIVE_DB = 30.0  # frames within 30 dB of the loudest 5 % carry sound
_SILENT_PEAK = 8.5 / 32768
_SILENCE_FRAME_S = 0.01
_CUT_FRAME = 16  # 2 ms at 8 kHz
_CUT_TAPS = 255
_CUT_CUTOFF_HZ = 3700.0
_SPEECH_BELOW_DB = 15.0  # speech level: within 15 dB of the loudest 10 % of frames
_SIDE_FRAMES = 5  # 10 ms each side of a burst
# A burst's neighbours: 10 to 50 ms away. Nearer frames hold the burst's own
# spread through the 255-tap filter; 10 ms is a pitch period of a low voice.
_NEAR_FRAMES, _FAR_FRAMES = 5, 25


@dataclass(frozen=True)
class Fingerprint:
    """A track's band energies over time, ready for :func:`similarity`.

    Attributes:
        bands: frames × 16 standardised log band energies, zero where silent.
        active: 1.0 for frames that carry sound, else 0.0.
    """

    bands: np.ndarray
    active: np.ndarray


@dataclass(frozen=True)
class SilenceIsland:
    """A stretch of digital silence inside a channel that otherwise carries line noise."""

    start: float
    end: float
    background_silent_share: float


@dataclass(frozen=True)
class Cut:
    """An out-of-band burst during speech, where the waveform jumps.

    Attributes:
        at: seconds from the start of the channel.
        excess_db: how far the burst stands above the channel's loudest 0.5 %
            of out-of-band frames.
    """

    at: float
    excess_db: float


def _frames(samples: np.ndarray, size: int, hop: int) -> np.ndarray:
    count = 1 + (len(samples) - size) // hop if len(samples) >= size else 0
    index = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    return samples[index]


def fingerprint(samples: np.ndarray) -> Fingerprint:
    """The fingerprint of one 8 kHz track."""
    x = np.asarray(samples, dtype=np.float64)
    frames = _frames(x, _NFFT, _HOP)
    if len(frames) == 0:
        return Fingerprint(np.zeros((0, 16), np.float32), np.zeros(0, np.float32))
    power = np.abs(np.fft.rfft(frames * np.hanning(_NFFT), axis=1)) ** 2
    freqs = np.fft.rfftfreq(_NFFT, 1.0 / RATE)
    bands = np.array(
        [
            (freqs >= lo) & (freqs < hi)
            for lo, hi in zip(_BAND_EDGES[:-1], _BAND_EDGES[1:], strict=True)
        ],
        dtype=np.float64,
    )
    energy = 10 * np.log10(power @ bands.T + 1e-10)
    level = 10 * np.log10(power.sum(axis=1) + 1e-10)
    active = level > np.percentile(level, 95) - _ACTIVE_DB
    z = energy - energy[active].mean(axis=0)
    z /= z[active].std(axis=0) + 1e-9
    return Fingerprint((z * active[:, None]).astype(np.float32), active.astype(np.float32))


def _correlate(a: np.ndarray, b: np.ndarray, size: int) -> np.ndarray:
    """``out[k] = sum_t a[t + k] · b[t]`` for every lag (negative lags wrap around)."""
    spectrum = np.fft.rfft(a, size, axis=0) * np.conj(np.fft.rfft(b, size, axis=0))
    return np.fft.irfft(spectrum.reshape(size // 2 + 1, -1).sum(axis=1), size)


def similarity(a: Fingerprint, b: Fingerprint, min_overlap_s: float) -> tuple[float, float, float]:
    """How alike two tracks sound at their best offset.

    Returns ``(score, offset_s, overlap_s)``: the mean correlation of the band
    energies over the frames where both carry sound (1.0 for the same audio),
    where ``b`` starts in ``a`` (seconds, negative if before), and how many
    seconds of sound the two share at that offset. Offsets sharing less than
    ``min_overlap_s`` (or half the shorter track's sound) are not considered;
    with none left the score is 0.
    """
    if len(a.active) == 0 or len(b.active) == 0:
        return 0.0, 0.0, 0.0
    size = 1 << int(np.ceil(np.log2(len(a.active) + len(b.active))))
    products = _correlate(a.bands, b.bands, size)
    shared = np.round(_correlate(a.active[:, None], b.active[:, None], size))
    lags = np.arange(-(len(b.active) - 1), len(a.active))
    products, shared = products[lags % size], shared[lags % size]
    need = min(min_overlap_s * RATE / _HOP, 0.5 * min(a.active.sum(), b.active.sum()))
    scores = np.where(shared >= max(need, 1), products / np.maximum(shared, 1) / 16, 0.0)
    best = int(np.argmax(scores))
    return float(scores[best]), float(lags[best] * _HOP / RATE), float(shared[best] * _HOP / RATE)


def silence_islands(
    samples: np.ndarray, min_s: float = 0.25, max_background_share: float = 0.5
) -> list[SilenceIsland]:
    """Runs of digital silence of at least ``min_s`` with sound on both sides.

    Reported only when digital silence makes up less than
    ``max_background_share`` of the channel's background (its silent frames
    plus its frames within 6 dB of the channel's noise floor), that is, when
    the channel's pauses otherwise hold line noise.
    """
    size = int(_SILENCE_FRAME_S * RATE)
    frames = _frames(np.asarray(samples, dtype=np.float64), size, size)
    if len(frames) == 0:
        return []
    silent = np.abs(frames).max(axis=1) <= _SILENT_PEAK
    if silent.all() or not silent.any():
        return []
    level = 10 * np.log10((frames[~silent] ** 2).mean(axis=1) + 1e-14)
    near_floor = int((level < np.percentile(level, 5) + 6.0).sum())
    share = float(silent.sum() / (silent.sum() + near_floor))
    if share >= max_background_share:
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], silent.astype(np.int8), [0]])))
    islands = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if start > 0 and end < len(silent) and (end - start) * _SILENCE_FRAME_S >= min_s:
            islands.append(
                SilenceIsland(
                    round(float(start) * _SILENCE_FRAME_S, 3),
                    round(float(end) * _SILENCE_FRAME_S, 3),
                    round(share, 3),
                )
            )
    return islands


def _highpass(x: np.ndarray) -> np.ndarray:
    """Zero-phase FIR high-pass above 3.7 kHz (Kaiser, about 100 dB stopband), by FFT blocks."""
    n = np.arange(_CUT_TAPS) - (_CUT_TAPS - 1) / 2
    cutoff = 2 * _CUT_CUTOFF_HZ / RATE
    taps = -np.sinc(cutoff * n) * cutoff * np.kaiser(_CUT_TAPS, 10.0)
    taps[(_CUT_TAPS - 1) // 2] += 1.0
    block = 1 << 16
    size = block + _CUT_TAPS - 1
    kernel = np.fft.rfft(taps, size)
    out = np.zeros(len(x) + _CUT_TAPS - 1)
    for start in range(0, len(x), block):
        piece = np.fft.irfft(np.fft.rfft(x[start : start + block], size) * kernel, size)
        end = min(start + size, len(out))
        out[start:end] += piece[: end - start]
    delay = (_CUT_TAPS - 1) // 2
    return out[delay : delay + len(x)]


def abrupt_cuts(
    samples: np.ndarray,
    speech: list[tuple[float, float]],
    min_db: float = 25.0,
    min_isolation_db: float = 20.0,
) -> list[Cut]:
    """Out-of-band bursts during speech standing ``min_db`` above the channel's own.

    ``speech`` lists ``(start_s, end_s)`` stretches that hold speech (the
    transcript's segments); bursts elsewhere are line noise, not edits. A
    burst must also stand ``min_isolation_db`` above the loudest out-of-band
    frame 10 to 50 ms either side of it (one jump, not a train of pitch
    pulses). Bursts closer than 50 ms count once, at the strongest.
    """
    x = np.asarray(samples, dtype=np.float64)
    count = len(x) // _CUT_FRAME
    if count <= 2 * (_CUT_TAPS // _CUT_FRAME + 1) or not speech:
        return []

    def energy(signal: np.ndarray) -> np.ndarray:
        return (signal[: count * _CUT_FRAME].reshape(count, _CUT_FRAME) ** 2).mean(axis=1)

    edge = _CUT_TAPS // _CUT_FRAME + 1  # the filter's own start and end are not bursts
    burst = 10 * np.log10(energy(_highpass(x))[edge:-edge] + 1e-14)
    excess = burst - np.percentile(burst, 99.5)
    inband = np.concatenate([[0.0], np.cumsum(energy(x))])
    index = np.arange(edge, count - edge)
    before = (inband[index] - inband[np.maximum(index - _SIDE_FRAMES, 0)]) / _SIDE_FRAMES
    after = (inband[np.minimum(index + 1 + _SIDE_FRAMES, count)] - inband[index + 1]) / _SIDE_FRAMES
    speech_level = np.percentile(10 * np.log10(energy(x) + 1e-14), 90) - _SPEECH_BELOW_DB
    loud = 10 * np.log10(np.maximum(before, after) + 1e-14) > speech_level
    times = (index + 0.5) * _CUT_FRAME / RATE
    inside = np.zeros(len(index), dtype=bool)
    for start, end in speech:
        inside |= (times >= start) & (times <= end)
    found: list[Cut] = []
    for i in np.flatnonzero((excess >= min_db) & loud & inside):
        neighbours = np.concatenate(
            [
                burst[max(0, i - _FAR_FRAMES) : max(0, i - _NEAR_FRAMES + 1)],
                burst[i + _NEAR_FRAMES : i + _FAR_FRAMES + 1],
            ]
        )
        if len(neighbours) and burst[i] - neighbours.max() < min_isolation_db:
            continue
        at = round(float(times[i]), 3)
        if found and at - found[-1].at < 0.05:
            if excess[i] > found[-1].excess_db:
                found[-1] = Cut(at, round(float(excess[i]), 1))
            continue
        found.append(Cut(at, round(float(excess[i]), 1)))
    return found
