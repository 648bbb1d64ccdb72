"""Speech to text: the pinned Whisper model, per-channel decoding, hallucination filter."""

from callsift.transcribe.hallucinations import FilterOptions, drop_hallucinations
from callsift.transcribe.model import (
    DEFAULT_MODEL,
    ModelSpec,
    check_device,
    default_compute_type,
    load_model,
    resolve_model,
)
from callsift.transcribe.run import TranscribeOptions, transcribe_channel

__all__ = [
    "DEFAULT_MODEL",
    "FilterOptions",
    "ModelSpec",
    "TranscribeOptions",
    "check_device",
    "default_compute_type",
    "drop_hallucinations",
    "load_model",
    "resolve_model",
    "transcribe_channel",
]
