"""Typed records passed between pipeline stages.

Stages exchange these plain dataclasses rather than dicts, so that a field
renamed in one stage is caught by mypy in the next (faster-whisper's
``Segment``/``Word`` records are the model). ``dataclasses.asdict`` turns any
of them into the JSON the CLI prints. The search's records live in
``records.search``, and are named here too.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import IO, Any

from callsift.records.search import SearchFilters, SearchHit, SearchResult

__all__ = [
    "AudioInfo",
    "Call",
    "CallLink",
    "CallMetadata",
    "CaseStatus",
    "ChannelAudio",
    "ChannelTranscript",
    "Failure",
    "FindingRecord",
    "FlagHit",
    "Mention",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "Segment",
    "SourceFile",
    "Speaker",
    "VerificationEvent",
    "VerificationRecord",
    "VoicePrint",
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
        fingerprint: how it looked when listed (device, inode, size, times), so
            that a later ingest knows it unchanged without reading it.
    """

    name: str
    origin: str
    size: int
    open: Callable[[], AbstractContextManager[IO[bytes]]]
    fingerprint: str = ""


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
    """What the container says about a recording, before decoding it.

    After decoding, ``duration_s`` is what decoded, and a file that holds less than
    it should (cut short, or damaged to its end) is flagged rather than refused:
    what is there is still evidence, but whoever reads the transcript must know.

    Attributes:
        missing_s: Seconds the file's header declares that did not decode; None
            when nothing is missing or the amount cannot be known.
        damage: Why the call is flagged, for people ("damaged: last 12.4 s missing
            (file cut short)"); None for an intact file.
    """

    duration_s: float
    sample_rate: int
    channels: int
    codec: str
    container: str
    missing_s: float | None = None
    damage: str | None = None


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
    """A stretch of one party's speech, with word timings (seconds from call start).

    ``id`` and ``version`` are set once the segment is stored: ``version`` 1 is
    what the recogniser heard, higher ones a reviewer's correction of ``text``
    (the words and their timings stay the recogniser's).
    """

    channel: int
    start: float
    end: float
    text: str
    language: str
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    words: list[Word] = field(default_factory=list)
    translation: str | None = None
    translation_logprob: float | None = None
    translation_dropped: str | None = None
    translation_notes: list[dict[str, Any]] = field(default_factory=list)
    """What the translation checks found (``callsift.translate.checks``)."""
    id: int | None = None
    version: int = 1
    speaker: int | None = None
    """1 or 2 on a mixed channel split into two voices (see ``Speaker``), else ``None``."""


@dataclass(frozen=True)
class Speaker:
    """One voice of a mixed channel (a mono call holds both parties on one channel).

    Attributes:
        channel: the channel it was heard on.
        speaker: 1 (the voice heard first) or 2.
        speech_s: seconds of its turns.
        role: ``caller`` or ``receiver`` where the content says (see
            ``callsift.analyze.roles``), else ``None`` ("speaker 1").
        role_reason: the evidence for ``role``, or why there is none.
        language: the language decided on this voice's own words.
        language_reason: why.
    """

    channel: int
    speaker: int
    speech_s: float
    role: str | None = None
    role_reason: str | None = None
    language: str | None = None
    language_reason: str | None = None

    @property
    def label(self) -> str:
        """How the transcript names it: its role, else "speaker 1"/"speaker 2"."""
        return self.role or f"speaker {self.speaker}"


@dataclass
class ChannelTranscript:
    """The recogniser's result for one channel.

    Attributes:
        language: the language decided for the channel (from the audio and the
            whole transcript); ``whisper_language`` is what Whisper heard first.
        mixed: Russian and Ukrainian mixed (surzhyk).
        language_reason: why ``language`` was chosen, for the reviewer.
        translation_engine: what wrote the segments' ``translation``.
        speakers: the two voices of a mixed channel split by diarisation
            (empty for a channel that holds one party, or a mix not split).
        speakers_reason: for a mixed channel, why it was or was not split.
    """

    channel: int
    language: str | None
    language_probability: float
    speech_s: float
    segments: list[Segment] = field(default_factory=list)
    whisper_language: str | None = None
    mixed: bool = False
    language_reason: str | None = None
    translation_engine: str | None = None
    speakers: list[Speaker] = field(default_factory=list)
    speakers_reason: str | None = None


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
    damage: str | None = None
    """Set when the file decoded short of its declared length ("damaged: last 12.4 s
    missing (file cut short)"): the transcript is all there was, not the whole call."""


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
    damaged: list[Failure] = field(default_factory=list)
    """Calls done from a damaged file, with what is missing (``reason``)."""


@dataclass
class Mention:
    """Something said in a segment worth finding: a place, a unit, a casualty figure…

    Text analysers produce mentions with character offsets into the segment's
    text; the pipeline adds the time from the word timestamps.

    Attributes:
        type: ``PER``, ``LOC``, ``ORG``, ``unit``, ``equipment``, ``casualty``,
            ``order``, ``date`` or ``phone`` (``normal`` = E.164, or the digits
            of a number that is not valid).
        text: the words as they stand in the segment text.
        normal: the normal form or key that groups spellings (``Буча``,
            ``331 полк``, ``HIMARS``).
        start_char: offset of ``text`` in the segment text.
        end_char: offset just past ``text``.
        value: a number (``casualty``: how many).
        fraction: a share (``casualty``: 0.5 for "half the regiment").
        kind: ``casualty``: killed, wounded, missing or lost; ``date``: ISO date.
        attrs: anything else (``LOC``: ``english``, ``lat``, ``lon``, ``geonameid``).
        start: seconds from the call start, set by the pipeline.
        channel: the party's channel, set by the pipeline.
        segment_id: the stored segment it was found in, once stored.
        confidence: the lowest probability the recogniser gave a word under
            ``text`` (1.0 for words a reviewer typed); None without word timings.
    """

    type: str
    text: str
    normal: str
    start_char: int
    end_char: int
    value: float | None = None
    fraction: float | None = None
    kind: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    start: float = 0.0
    channel: int = 0
    segment_id: int | None = None
    confidence: float | None = None


@dataclass
class FlagHit:
    """A watchlist term heard in a segment.

    Attributes:
        topic: the watchlist topic (``casualties``, ``orders``…).
        term: the watchlist entry that matched, as written in the YAML file.
        text: the words of the segment that matched.
        start_char: offset of ``text`` in the segment text.
        end_char: offset just past ``text``.
        start: seconds from the call start, set by the pipeline.
        channel: the party's channel, set by the pipeline.
        confidence: the lowest probability of a word under ``text`` (see ``Mention``).
    """

    topic: str
    term: str
    text: str
    start_char: int
    end_char: int
    start: float = 0.0
    channel: int = 0
    segment_id: int | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class FindingRecord:
    """Something a check or a comparison noticed about a call, for a person to weigh.

    A finding is a lead, never a verdict: each carries the evidence behind it
    (``detail``) and, where it compares, the score and the other call.

    Attributes:
        call_id: the call the finding is about.
        kind: what was checked (``date-mismatch``, ``duplicate-audio``,
            ``same-voice-different-numbers``…).
        severity: ``info``, ``warning`` or ``problem``.
        message: one sentence an investigator can read.
        other_call_id: the call it was compared with, if any.
        score: a similarity or size of the difference, if any.
        detail: the values compared (JSON-serialisable).
    """

    call_id: int
    kind: str
    severity: str
    message: str
    other_call_id: int | None = None
    score: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallLink:
    """Another call that a reviewer recorded as corroborating this one.

    Attributes:
        call_id: the corroborating call.
        relation: what the link says (``corroborates``).
        reviewer: who made the link.
        at: when (UTC, ISO 8601).
        note: the reviewer's note on the change that made the link.
    """

    call_id: int
    relation: str
    reviewer: str
    at: str
    note: str = ""


@dataclass(frozen=True)
class VerificationEvent:
    """One change of a call's verification, as the append-only history keeps it.

    Attributes:
        version: the record's version after this change (1 for the first).
        status: the status set.
        reviewer: who made the change.
        note: the evidence or reason the reviewer gave.
        links: calls linked as corroborating in this change.
        at: when (UTC, ISO 8601).
    """

    version: int
    status: str
    reviewer: str
    note: str
    links: tuple[int, ...]
    at: str


@dataclass(frozen=True)
class VerificationRecord:
    """Where a call stands in review: its current status, links and whole history.

    A call nobody has reviewed is ``unverified`` at version 0, with no reviewer.

    Attributes:
        call_id: the call.
        status: ``unverified``, ``corroborated``, ``verified``, ``disputed`` or
            ``rejected``.
        reviewer: who set the current status.
        note: the note given with the current status.
        updated_at: when the current status was set (UTC, ISO 8601).
        version: how many changes the record has had; a client sends back the
            version it saw, and a change made meanwhile is refused.
        links: the calls recorded as corroborating this one.
        history: every change, oldest first.
    """

    call_id: int
    status: str = "unverified"
    reviewer: str | None = None
    note: str = ""
    updated_at: str | None = None
    version: int = 0
    links: tuple[CallLink, ...] = ()
    history: tuple[VerificationEvent, ...] = ()


@dataclass(frozen=True)
class VoicePrint:
    """One channel's speaker embedding, as the voice comparison stores it.

    Attributes:
        call_id: the call.
        channel: the channel index in the original (0 for a mono call or a merged mix).
        speech_s: seconds of speech the embedding was computed from (after any cap).
        model: what computed it (model, weights digest, preprocessing); an
            embedding made otherwise is computed again.
        embedding: L2-normalised float32 vector, ``None`` when the channel held
            no speech (the row still marks the channel as looked at).
        mixed: the channel holds both parties (a mono call, or a stereo call
            whose channels carry one mix); its voice cannot be tied to a number.
        speaker: 0 for the whole channel; 1 or 2 for one voice of a mixed
            channel that diarisation split (that voice is one party, not mixed).
        role: that voice's party (``caller``/``receiver``) where it is known.
    """

    call_id: int
    channel: int
    speech_s: float
    model: str
    embedding: Any = None
    mixed: bool = False
    speaker: int = 0
    role: str | None = None
