"""The log-mel features are the same bits whatever OpenBLAS's thread count.

OpenBLAS sums the mel filters' matrix product in another order on one thread
than on several (with the pinned Haswell kernels), and the words followed: a
one-core machine or a Dask worker (capped at one BLAS thread) heard other
words than a machine of several cores. Both tests hold under
``CALLSIFT_REPRODUCIBLE=1`` and ``=0``. Without the fix they fail in the
pinned mode; in the native mode they pass anyway on a CPU whose own kernels
do not depend on the count (the AVX-512 AMD EPYC they were written on).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper import decode_audio
from threadpoolctl import threadpool_limits

from callsift.transcribe.whisper import SharedEncoderWhisperModel

CLIP = Path(__file__).resolve().parents[2] / "demo" / "calls" / "call_001.wav"

_HASH_FEATURES = f"""
import hashlib, json, callsift
from faster_whisper import decode_audio
from callsift.transcribe import ModelSpec, load_model
features = load_model(ModelSpec()).feature_extractor
left, right = decode_audio({str(CLIP)!r}, split_stereo=True)
print(json.dumps([callsift.cpu_arithmetic(), hashlib.sha256(
    features(left).tobytes() + features(right).tobytes()).hexdigest()]))
"""


def _features_with(threads: str | None) -> tuple[str, str]:
    env = dict(os.environ)
    env.pop("OPENBLAS_NUM_THREADS", None)
    if threads:
        env["OPENBLAS_NUM_THREADS"] = threads
    out = subprocess.run(
        [sys.executable, "-c", _HASH_FEATURES], env=env, capture_output=True, text=True, check=True
    ).stdout
    arithmetic, digest = json.loads(out)
    return arithmetic, digest


def test_features_are_the_same_bits_on_one_two_four_or_the_default_blas_threads() -> None:
    runs = {threads: _features_with(threads) for threads in ("1", "2", "4", None)}
    assert len(set(runs.values())) == 1, runs


@contextmanager
def _encoder_inputs(model: SharedEncoderWhisperModel) -> Iterator[list[str]]:
    """Every window the encoder is handed while the block runs, by its SHA-256."""
    seen: list[str] = []
    encode = model.encode

    def recording(features: np.ndarray) -> Any:
        seen.append(hashlib.sha256(np.ascontiguousarray(features).tobytes()).hexdigest())
        return encode(features)

    model.encode = recording  # type: ignore[method-assign]
    model._encoded.clear()  # every path encodes, none reuses an earlier window
    try:
        yield seen
    finally:
        del model.encode
        model._encoded.clear()


def test_every_path_to_the_encoder_takes_features_the_thread_count_cannot_change(
    model: SharedEncoderWhisperModel,
) -> None:
    """Transcription, translation, language detection and the batched (GPU) pipeline."""
    audio = decode_audio(str(CLIP), split_stereo=True)[0][: 12 * 16000]

    def batched() -> None:
        model.batch_size = 2
        try:
            list(model.transcribe(audio, beam_size=1)[0])
        finally:
            model.batch_size = 0

    paths: dict[str, Callable[[], object]] = {
        "transcribe": lambda: list(model.transcribe(audio, beam_size=1)[0]),
        "translate": lambda: list(model.transcribe(audio, beam_size=1, task="translate")[0]),
        "detect_language": lambda: model.detect_language(audio),
        "batched": batched,
    }
    for name, run in paths.items():
        inputs = []
        for threads in (1, 2):
            with threadpool_limits(threads, user_api="blas"), _encoder_inputs(model) as seen:
                run()
            inputs.append(seen)
        assert inputs[0] and inputs[0] == inputs[1], name
