"""faster-whisper's ``WhisperModel``, with the first encoder pass done once.

With no language given, ``WhisperModel.transcribe`` encodes the first 30 s
window to detect the language, then encodes the same window again to decode
it. The encoder costs about 0.9 s per window on two CPU cores whatever the
audio's length, and most call channels fit in one window, so that second pass
is close to half the work on short calls. This subclass keeps the detection
pass's encoder output and hands it to ``generate_segments``, which accepts it
for the first window. It relies on faster-whisper 1.2's method names, which
the package pins.
"""

from __future__ import annotations

from typing import Any

from faster_whisper import WhisperModel
from faster_whisper.audio import pad_or_trim

__all__ = ["SharedEncoderWhisperModel"]


class SharedEncoderWhisperModel(WhisperModel):
    """A ``WhisperModel`` that reuses the language-detection encoder pass."""

    _first_window: Any = None

    def detect_language(self, audio=None, features=None, *args: Any, **kwargs: Any):
        if (
            audio is not None
            or features is None
            or kwargs.get("language_detection_segments", 1) != 1
        ):
            self._first_window = None
            return super().detect_language(audio, features, *args, **kwargs)
        # The same slice generate_segments() takes for its first window.
        frames = min(self.feature_extractor.nb_max_frames, features.shape[-1] - 1)
        encoder_output = self.encode(pad_or_trim(features[..., :frames]))
        self._first_window = encoder_output
        results = self.model.detect_language(encoder_output)[0]
        probabilities = [(token[2:-2], probability) for token, probability in results]
        language, probability = probabilities[0]
        return language, probability, probabilities

    def generate_segments(self, features, tokenizer, options, log_progress, encoder_output=None):
        if encoder_output is None and self._first_window is not None:
            encoder_output, self._first_window = self._first_window, None
        return super().generate_segments(features, tokenizer, options, log_progress, encoder_output)
