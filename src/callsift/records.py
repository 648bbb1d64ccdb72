"""Typed records passed between pipeline stages.

Stages exchange these plain dataclasses rather than dicts, so that a field
renamed in one stage is caught by mypy in the next (faster-whisper's
``Segment``/``Word`` records are the model). ``dataclasses.asdict`` turns any
of them into the JSON the CLI prints.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import IO, Any

__all__ = [
    "AudioInfo",
    "Call",
    "CallMetadata",
    "CaseStatus",
    "ChannelAudio",
    "ChannelTranscript",
    "Failure",
    "SearchHit",
    "Segment",
    "SourceFile",
    "Word",
]


@dataclass(frozen=True)
class SourceFile:
    """One file found in the input: on disk or inside an archive.

    Attributes:
        name: path relative to the ingested folder or archive root, with ``/``
            separators; this is what a metadata sidecar's ``file`` column names.
        origin: where it came from, for the custody log
            (``/drive/calls.zip!day1/0001.wav``).
        size: size in bytes as the container reports it.
        open: opens a binary stream of its bytes.
    """

    name: str
    origin: str
    size: int
    open: Callable[[], AbstractContextManager[IO[bytes]]]


@dataclass
class CallMetadata:
    """What the team's spreadsheet says about a call (the sidecar row).

    ``extra`` keeps every column callsift does not know, so nothing the team
    wrote is lost; ``problems`` lists values that could not be read (the raw
    text is kept in ``extra`` under the column's name).
    """

    file: str
    caller: str | None = None
    receiver: str | None = None
    started_at: str | None = None
    duration_s: float | None = None
    location: str | None = None
    notes: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AudioInfo:
    """What the container says about a recording, before decoding it."""

    duration_s: float
    sample_rate: int
    channels: int
    codec: str
    container: str


@dataclass
class ChannelAudio:
    """One party's track, 16 kHz mono float32, with its speech regions.

    Attributes:
        channel: 0-based index of the track in the original (0 for a mono call).
        samples: numpy float32 array at 16 kHz.
        speech: ``(start_s, end_s)`` regions the voice activity detector kept.
    """

    channel: int
    samples: Any
    speech: list[tuple[float, float]] = field(default_factory=list)

    @property
    def speech_s(self) -> float:
        return sum(end - start for start, end in self.speech)


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float


@dataclass
class Segment:
    """A stretch of one party's speech, with word timings (seconds from call start)."""

    channel: int
    start: float
    end: float
    text: str
    language: str
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    words: list[Word] = field(default_factory=list)


@dataclass
class ChannelTranscript:
    """The recogniser's result for one channel."""

    channel: int
    language: str | None
    language_probability: float
    speech_s: float
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Call:
    """A recording in the case: one original, under every name it arrived with."""

    id: int
    sha256: str
    file: str
    size: int
    status: str
    reason: str | None
    ingested_at: str
    metadata: dict[str, Any] | None = None
    names: list[str] = field(default_factory=list)
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    codec: str | None = None
    container: str | None = None
    processed_at: str | None = None


@dataclass(frozen=True)
class Failure:
    """A file that could not be taken in or processed, and why."""

    file: str
    reason: str
    stage: str


@dataclass
class CaseStatus:
    calls: int
    pending: int
    done: int
    failed: int
    segments: int
    audio_s: float
    failures: list[Failure] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchHit:
    """One matching segment; ``snippet`` marks matches with ``[`` and ``]``."""

    call_id: int
    file: str
    channel: int
    start: float
    end: float
    language: str
    text: str
    snippet: str
    score: float
