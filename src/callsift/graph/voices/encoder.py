"""Speaker embeddings with Resemblyzer, offline, on the CPU.

Resemblyzer (https://github.com/resemble-ai/Resemblyzer) is a GE2E speaker
encoder, three LSTM layers over 40-band mel frames, that maps any stretch of
speech to a 256-number voice print; its weights (``pretrained.pt``, 17 MB)
ship inside the wheel, so nothing is downloaded. A third-party package's
weights are a supply-chain risk, so their SHA-256 is checked before every load
(as for the speech model) and recorded in every embedding's model key.

torch and Resemblyzer take about 3 s to import and are loaded only when
something is embedded, so commands that never embed do not pay for them.

What differs from Resemblyzer's own ``embed_utterance``:

* Only speech is embedded: the party's Silero VAD regions (the same telephone
  settings the transcriber uses), joined, rather than Resemblyzer's WebRTC
  trimming; pauses and line noise would otherwise pull voices together.
* Volume is normalised to -30 dBFS in both directions: the encoder reads mel
  power, not its logarithm, so a loud and a quiet line would differ.
* Partial windows (1.6 s, 1.3 per second) go through the network in batches,
  so memory stays bounded on an hour of speech; the result is the same
  L2-normalised mean of partial embeddings.
* ``threads`` defaults to 1: on the 2-core machine two torch threads were no
  faster (67 against 74 s of speech per second over the demo corpus, see
  benchmarks/voices.py) and, with another process busy, three times slower.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from callsift.errors import ModelError
from callsift.store.blobs import sha256_file

__all__ = ["VoiceEncoder", "encoder_key", "load_encoder", "speech_of"]

WEIGHTS_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
"""Digest of ``resemblyzer/pretrained.pt`` in resemblyzer 0.1.4."""

PREPROCESSING = "silero-telephone-vad,-30dBFS,rate1.3,voices-of-mono-split"
"""What happens to the audio before the network; part of the model key. The last
part says a mono channel split by diarisation is embedded voice by voice, so
calls embedded before that are embedded again."""

SAMPLE_RATE = 16000
_TARGET_DBFS = -30.0
_RATE = 1.3
_MIN_COVERAGE = 0.75
_BATCH = 64  # partial windows per forward pass: 64 x 160 x 40 floats, under 2 MB in


def _weights_path() -> Path:
    spec = importlib.util.find_spec("resemblyzer")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the voice model package resemblyzer is not installed; reinstall callsift")
    return Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"


def _digest(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as error:
        raise ModelError(f"{path}: the voice model cannot be read ({error.strerror})") from error


def encoder_key() -> str:
    """The model key stored with each embedding: package version, weights digest, preprocessing.

    Reads the weights' digest but imports nothing heavy. Raises ``ModelError``
    if the weights are missing or are not the pinned ones.
    """
    path = _weights_path()
    digest = _digest(path)
    if digest != WEIGHTS_SHA256:
        raise ModelError(
            f"{path}: SHA-256 {digest} is not the pinned {WEIGHTS_SHA256}; the voice model"
            " package was changed or damaged; reinstall resemblyzer==0.1.4"
        )
    version = importlib.metadata.version("resemblyzer")
    return f"resemblyzer {version} pretrained.pt:{digest[:12]} {PREPROCESSING}"


def speech_of(
    samples: np.ndarray, regions: list[tuple[float, float]], max_s: float | None = None
) -> np.ndarray:
    """The samples inside ``regions`` (seconds at 16 kHz), joined; at most ``max_s`` seconds."""
    parts = [samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)] for start, end in regions]
    speech = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    if max_s is not None:
        speech = speech[: int(max_s * SAMPLE_RATE)]
    return speech.astype(np.float32, copy=False)


class VoiceEncoder:
    """A loaded Resemblyzer encoder; build it with :func:`load_encoder`."""

    def __init__(self, model: Any, key: str) -> None:
        self._model = model
        self.key = key

    def embed(self, speech: np.ndarray) -> np.ndarray | None:
        """The L2-normalised voice print of 16 kHz speech; ``None`` for silence or no samples."""
        import torch
        from resemblyzer.audio import wav_to_mel_spectrogram

        wav = np.asarray(speech, np.float32)
        rms = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64)))) if wav.size else 0.0
        if rms <= 1e-9:
            return None
        wav = wav * np.float32(10 ** (_TARGET_DBFS / 20) / rms)
        wav_slices, mel_slices = self._model.compute_partial_slices(len(wav), _RATE, _MIN_COVERAGE)
        if wav_slices[-1].stop >= len(wav):
            wav = np.pad(wav, (0, wav_slices[-1].stop - len(wav)))
        mel = wav_to_mel_spectrogram(wav)
        total = np.zeros(self._model.linear.out_features, np.float64)
        with torch.no_grad():
            for first in range(0, len(mel_slices), _BATCH):
                batch = np.stack([mel[s] for s in mel_slices[first : first + _BATCH]])
                total += self._model(torch.from_numpy(batch)).numpy().sum(axis=0)
        norm = np.linalg.norm(total)
        return (total / norm).astype(np.float32) if norm > 0 else None

    def embed_windows(
        self, samples: np.ndarray, regions: list[tuple[float, float]], window_s: float, hop_s: float
    ) -> tuple[list[tuple[float, float]], np.ndarray]:
        """L2-normalised voice prints of short windows inside each speech region.

        Each region is volume-normalised on its own, then cut into windows of
        ``window_s`` every ``hop_s`` (the last one ends at the region's end; a
        region shorter than a window is one window, padded). Returns the
        ``(start_s, end_s)`` of each window and a ``(windows, 256)`` array. What
        diarisation clusters: one voice print per moment, not per channel.
        """
        import torch
        from resemblyzer.audio import wav_to_mel_spectrogram

        frames_per_s = 100  # Resemblyzer's mel frames are 10 ms apart
        width, step = round(window_s * frames_per_s), max(1, round(hop_s * frames_per_s))
        spans: list[tuple[float, float]] = []
        mels: list[np.ndarray] = []
        for start, end in regions:
            wav = np.asarray(samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)], np.float32)
            rms = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64)))) if wav.size else 0.0
            if rms <= 1e-9:
                continue
            mel = wav_to_mel_spectrogram(wav * np.float32(10 ** (_TARGET_DBFS / 20) / rms))
            firsts = list(range(0, max(1, len(mel) - width + 1), step))
            if firsts[-1] + width < len(mel):
                firsts.append(len(mel) - width)
            for first in firsts:
                window = mel[first : first + width]
                mels.append(np.pad(window, ((0, width - len(window)), (0, 0))))
                last = min(first + width, len(mel))
                spans.append((start + first / frames_per_s, start + last / frames_per_s))
        out = np.zeros((len(mels), self._model.linear.out_features), np.float32)
        with torch.no_grad():
            for first in range(0, len(mels), _BATCH):
                batch = torch.from_numpy(np.stack(mels[first : first + _BATCH]))
                out[first : first + _BATCH] = self._model(batch).numpy()
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return spans, out / np.where(norms > 0, norms, 1.0)


@functools.cache
def load_encoder(threads: int = 1) -> VoiceEncoder:
    """Check the pinned weights, import torch and Resemblyzer, load the encoder on the CPU.

    ``threads`` sets torch's intra-op threads for this process (0 keeps torch's
    default). Raises ``ModelError`` if the weights are missing or altered.
    Loaded once per process and shared: the voice comparison and diarisation
    (in a pipeline worker) use the same encoder, which keeps no state.
    """
    key = encoder_key()
    with warnings.catch_warnings():
        # resemblyzer 0.1.4 imports scipy.ndimage.morphology (deprecated) and
        # webrtcvad imports pkg_resources; neither matters to us, and pytest
        # runs with warnings as errors.
        warnings.filterwarnings("ignore", "Please import `binary_dilation`", DeprecationWarning)
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="pkg_resources")
        import torch
        from resemblyzer import VoiceEncoder as Resemblyzer
    if threads:
        torch.set_num_threads(threads)
    model = Resemblyzer(device="cpu", verbose=False, weights_fpath=_weights_path())
    model.eval()
    return VoiceEncoder(model, key)
