"""faster-whisper's ``WhisperModel``, with each encoder pass done once.

The encoder costs about 0.9 s per 30 s window on two CPU cores whatever the
audio's length, and most call channels fit in one window. Stock faster-whisper
encodes that window once to detect the language, again to transcribe it, and
a third time to translate it. The encoder's output depends only on the audio,
so this subclass remembers the last few outputs by a digest of their input
features, and makes language detection take exactly the slice that
``generate_segments`` takes for the first window, so that all three share one
pass. It relies on faster-whisper 1.2's method names, which the package pins.

With a ``batch_size`` (a GPU), ``transcribe`` hands the work to faster-whisper's
``BatchedInferencePipeline`` instead: it cuts the audio at its own VAD's pauses
into chunks of up to 30 s and decodes a batch of them at once, which keeps a
GPU busy. The transcript and the English go through the same call either way,
so the GPU path is this one branch.

The log-mel features are computed with OpenBLAS held to one thread
(``OneThreadFeatures``), in every path: transcription, translation, language
detection and the batched pipeline all call ``self.feature_extractor``.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.audio import pad_or_trim
from faster_whisper.feature_extractor import FeatureExtractor

from callsift.audio.vad import telephone_vad_options
from callsift.blas import one_blas_thread

__all__ = ["OneThreadFeatures", "SharedEncoderWhisperModel"]

_REMEMBERED = 4  # windows: a 2-minute channel's worth


class OneThreadFeatures(FeatureExtractor):
    """faster-whisper's log-mel features, with the BLAS library on one thread.

    The features' one BLAS call, the mel filters' matrix product, sums in
    another order on one OpenBLAS thread than on two or more (with the pinned
    Haswell kernels; on this AMD EPYC's own kernels the count changed nothing).
    The words followed: 140 of the demo case's 857 words changed with
    ``OPENBLAS_NUM_THREADS=1``, so a one-core machine, a user's cap of one BLAS
    thread or a Dask worker's (Dask's default) heard other words than a machine
    of several cores. Held to one thread (``callsift.blas``), the features are
    the same bit for bit whatever the count, at no measured cost (a 30 s
    window's features take about 10 ms either way).
    """

    def __call__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        with one_blas_thread():
            return super().__call__(*args, **kwargs)


class SharedEncoderWhisperModel(WhisperModel):
    """A ``WhisperModel`` that never encodes the same window twice in a row of calls."""

    def __init__(self, *args: Any, batch_size: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feature_extractor = OneThreadFeatures(**self.feat_kwargs)
        self._encoded: OrderedDict[bytes, Any] = OrderedDict()
        self.batch_size = batch_size

    def transcribe(self, audio: Any, *args: Any, **kwargs: Any) -> Any:
        """Batched when ``batch_size`` is set, except for explicit clips (a repair's spans)."""
        if not self.batch_size or kwargs.get("clip_timestamps"):
            return super().transcribe(audio, *args, **kwargs)
        # The pipeline cuts its chunks where its VAD hears pauses: callsift's telephone settings.
        vad = asdict(telephone_vad_options())
        vad.pop("max_speech_duration_s")  # the pipeline sets it to the chunk length
        kwargs.update(vad_filter=True, vad_parameters=vad)
        pipeline = BatchedInferencePipeline(self)
        return pipeline.transcribe(audio, *args, batch_size=self.batch_size, **kwargs)

    def encode(self, features: np.ndarray) -> Any:
        key = hashlib.blake2b(np.ascontiguousarray(features).tobytes(), digest_size=16).digest()
        if key in self._encoded:
            self._encoded.move_to_end(key)
            return self._encoded[key]
        output = super().encode(features)
        self._encoded[key] = output
        if len(self._encoded) > _REMEMBERED:
            self._encoded.popitem(last=False)
        return output

    def detect_language(self, audio=None, features=None, *args: Any, **kwargs: Any):
        if (
            audio is not None
            or features is None
            or kwargs.get("language_detection_segments", 1) != 1
        ):
            return super().detect_language(audio, features, *args, **kwargs)
        # The same slice generate_segments() takes for its first window.
        frames = min(self.feature_extractor.nb_max_frames, features.shape[-1] - 1)
        encoder_output = self.encode(pad_or_trim(features[..., :frames]))
        results = self.model.detect_language(encoder_output)[0]
        probabilities = [(token[2:-2], probability) for token, probability in results]
        language, probability = probabilities[0]
        return language, probability, probabilities
