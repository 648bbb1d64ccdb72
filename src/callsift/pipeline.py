"""Run every pending stage over a case, resumably, on a pool of processes.

Work is split by call: a worker decodes the original, splits the parties,
finds speech and transcribes each channel, and hands back plain records; the
main process alone writes to the case, one transaction per call. A run killed
at any moment therefore leaves each call either done or still pending, and
the next run picks up exactly the pending ones. A call is keyed by its
original's SHA-256 and the recogniser settings (``ProcessOptions.key``), so
changing the model re-runs the calls it affects and nothing else.

Whatever goes wrong with one call fails that call, with its reason, and the
batch goes on: a file that cannot be decoded (``InputError``), a bug that one
file sets off (recorded as such, with the traceback in the log), a worker that
dies on it (a segfault in a decoder, the out-of-memory killer) or runs past
``call_timeout_s``. A call that stayed pending after crashing a run would
crash every later run too, and the calls behind it would never be done.
Where the calls run is an engine's business (``callsift.engines``): this
machine's pool of processes by default, or a Dask cluster (``scheduler``).

On two cores, two worker processes of one thread each transcribed the demo
corpus 1.7 times as fast as one process with two threads (27 s against 46 s),
because beam-search decoding keeps one core busy poorly (``callsift bench``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from callsift import cpu_arithmetic, cpu_model, engines
from callsift.analyze.language import decide_language
from callsift.audio import DecodeOptions, decode, speech_regions, split_parties
from callsift.errors import InputError
from callsift.graph.voices.diarize import DiarizeOptions
from callsift.graph.voices.speakers import holds_both_parties, split_speakers
from callsift.records import AudioInfo, ChannelAudio, ChannelTranscript
from callsift.store import CaseStore
from callsift.store.jobs import finish_job, set_job_item, start_job, update_job
from callsift.store.locks import holding_case
from callsift.transcribe import (
    TranscribeOptions,
    check_device,
    load_model,
    resolve_model,
    transcribe_channel,
)
from callsift.translate import ENGINE, translate_channel

__all__ = ["CallOutcome", "ProcessOptions", "ProcessReport", "process_call", "process_case"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessOptions:
    """How ``process_case`` runs.

    Attributes:
        transcribe: recogniser settings (model, language, beam…).
        decode: bounds on decoding (duration cap, time limit).
        workers: worker processes transcribing in parallel, each isolated (a
            crash or a hang fails one call, not the run); 0 runs in this
            process, for library callers that accept no isolation.
        retry_failed: process calls that failed before again.
        translate: add Whisper's English translation to every segment.
        speakers: how a channel holding both parties (a mono call) is split
            into its two speakers; ``None`` leaves it one "both parties" track.
        call_timeout_s: a call still running after this long is stopped and
            failed. An hour: the longest recording accepted (4 h) takes about
            30 min at base's slowest measured speed on two cores.
        scheduler: run the calls on Dask distributed instead of this
            machine's pool: a scheduler's address (``tcp://host:8786``), or
            ``local`` for a cluster of ``workers`` processes started here
            (``callsift.engines``). Where a call runs changes no transcript,
            so neither this nor ``shared_path`` is part of ``key``. Dask cannot
            stop a running task, so ``call_timeout_s`` holds for the pool only.
        shared_path: Dask workers read each original from the case folder,
            at the same path, instead of receiving its bytes from this process.
    """

    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    decode: DecodeOptions = field(default_factory=DecodeOptions)
    workers: int = 1
    retry_failed: bool = False
    translate: bool = True
    call_timeout_s: float = 3600.0
    speakers: DiarizeOptions | None = field(default_factory=DiarizeOptions)
    scheduler: str | None = None
    shared_path: bool = False

    def key(self) -> str:
        """What a transcript depends on; a call done under another key is redone.

        On a CPU the key also names the processor (``cpu``), for the custody
        log: it is recorded, not compared (see ``CaseStore.pending_calls``).
        """
        settings = {"transcribe": json.loads(self.transcribe.key()), "translate": self.translate}
        settings["speakers"] = asdict(self.speakers) if self.speakers else None
        if self.transcribe.model.device == "cpu":
            settings["cpu_arithmetic"] = cpu_arithmetic()
            settings["cpu"] = cpu_model()
        return json.dumps(settings, sort_keys=True)


@dataclass
class CallOutcome:
    """What a worker hands back for one call: a transcript or a reason."""

    call_id: int
    file: str
    info: AudioInfo | None = None
    channels: list[ChannelTranscript] = field(default_factory=list)
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class ProcessReport:
    calls: int = 0
    done: int = 0
    failed: int = 0
    audio_s: float = 0.0
    wall_s: float = 0.0
    stage_s: dict[str, float] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)
    kept_corrections: list[str] = field(default_factory=list)


_model: Any = None


def _load(options: TranscribeOptions) -> Any:
    global _model
    if _model is None:
        _model = load_model(options.model)
    return _model


def process_call(
    path: Path, call_id: int, file: str, options: ProcessOptions, model: Any = None
) -> CallOutcome:
    """Decode, split, find speech in and transcribe one call (runs in a worker)."""
    outcome = CallOutcome(call_id=call_id, file=file)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        outcome.seconds[stage] = outcome.seconds.get(stage, 0.0) + now - clock
        clock = now

    try:
        info, tracks = decode(path, options.decode)
    except InputError as error:
        outcome.error = error.reason
        return outcome
    outcome.info = replace(info)
    lap("decode")
    parties = [
        ChannelAudio(channel=index, samples=samples, speech=speech_regions(samples))
        for index, samples in split_parties(tracks)
    ]
    lap("vad")
    model = model or _load(options.transcribe)
    outcome.channels = [_transcribe_party(model, party, options) for party in parties]
    lap("transcribe")
    if options.speakers is not None and holds_both_parties(tracks, len(parties)):
        split_speakers(parties[0], outcome.channels[0], options.speakers)
        lap("speakers")
    if options.translate:
        for party, channel in zip(parties, outcome.channels, strict=True):
            if channel.segments and channel.language:
                english = translate_channel(
                    model, party, channel.language, channel.segments, options.transcribe
                )
                for segment, english_of in zip(channel.segments, english, strict=True):
                    segment.translation = english_of.text
                    segment.translation_logprob = english_of.logprob
                    segment.translation_dropped = english_of.dropped
                channel.translation_engine = ENGINE
        lap("translate")
    return outcome


def _transcribe_party(
    model: Any, party: ChannelAudio, options: ProcessOptions
) -> ChannelTranscript:
    """Transcribe, then settle Russian against Ukrainian on the whole text.

    Whisper decides the language from the first 30 s and often hears Ukrainian
    as Russian (or the reverse); when the whole transcript says otherwise, the
    channel is transcribed again in the language the text shows.
    """
    first = transcribe_channel(model, party, options.transcribe)
    first.whisper_language = first.language
    if options.transcribe.language is not None or not first.segments:
        return first
    text = " ".join(segment.text for segment in first.segments)
    decision = decide_language(text, first.language, first.language_probability)
    result = first
    if decision.language != first.language:
        forced = replace(options.transcribe, language=decision.language)
        result = transcribe_channel(model, party, forced)
        result.whisper_language = first.language
        result.language_probability = first.language_probability
    result.mixed = decision.mixed
    result.language_reason = decision.reason
    return result


def _guarded(
    path: Path, call_id: int, file: str, options: ProcessOptions, model: Any = None
) -> CallOutcome:
    """``process_call``, where any error becomes the call's reason (runs in a pool worker)."""
    try:
        return process_call(path, call_id, file, options, model)
    except Exception as error:  # a bug on one call must not stop the batch
        log.exception("call %s (%s) failed", call_id, file)
        return CallOutcome(call_id, file, error=_unexpected(error))


def _unexpected(error: BaseException) -> str:
    return f"callsift failed on this call ({type(error).__name__}: {error}); please report it"


@holding_case("process")
def process_case(
    store: CaseStore,
    options: ProcessOptions = ProcessOptions(),
    on_start: Callable[[int], None] | None = None,
    on_call: Callable[[CallOutcome], None] | None = None,
    calls: Sequence[int] | None = None,
) -> ProcessReport:
    """Transcribe every pending call; returns counts, audio seconds and stage times.

    ``calls`` names calls to transcribe again whatever their state (an analyst
    re-running a call whose transcript is unreliable, with another language or
    model); a reviewer's corrections are still kept (``kept_corrections``).
    """
    key = options.key()
    if calls is None:
        jobs = store.pending_calls(key, retry_failed=options.retry_failed)
    else:  # an analyst's choice for this call: a later run of the whole case keeps it
        key = json.dumps({**json.loads(key), "chosen": True}, sort_keys=True)
        jobs = store.chosen_calls(calls)
    if jobs and options.workers > 0 and options.scheduler is None:
        # Found, assembled and hash-checked here, once, before any worker starts:
        # workers that each did it on an empty cache raced each other, and a bad
        # model is one line from the parent, not a pool of dying workers.
        check_device(options.transcribe.model)
        location = resolve_model(options.transcribe.model.name)
        model = replace(options.transcribe.model, name=location)
        options = replace(options, transcribe=replace(options.transcribe, model=model))
    report = ProcessReport(calls=len(jobs))
    if on_start:
        on_start(len(jobs))
    started = time.perf_counter()
    job = start_job(store, "process" if calls is None else "rerun", len(jobs)) if jobs else None
    if job is not None and calls is not None:  # the page of a re-run call finds its job by file
        update_job(store, job, done=0, failed=0, item=", ".join(file for _, _, file in jobs))
    completed = False
    # Which calls run on which Dask worker, for `callsift status` (a re-run's job
    # keeps its file as its item: the call's page finds the job by it).
    running = None if job is None or calls is not None else partial(set_job_item, store, job)
    try:
        for outcome in engines.outcomes(store, jobs, options, running):
            if outcome.error is not None or outcome.info is None:
                reason = outcome.error or "no audio"
                store.mark_failed(outcome.call_id, reason)
                report.failed += 1
                report.failures.append((outcome.file, reason))
            elif store.save_transcript(outcome.call_id, outcome.info, outcome.channels, key):
                report.done += 1
                report.audio_s += outcome.info.duration_s
                if outcome.info.damage:
                    report.damaged.append((outcome.file, outcome.info.damage))
            else:
                report.kept_corrections.append(outcome.file)
            for stage, seconds in outcome.seconds.items():
                report.stage_s[stage] = report.stage_s.get(stage, 0.0) + seconds
            if job is not None:
                update_job(store, job, done=report.done, failed=report.failed, item=outcome.file)
            if on_call:
                on_call(outcome)
        completed = True
    finally:
        if job is not None:
            finish_job(store, job, completed=completed)
    report.wall_s = time.perf_counter() - started
    return report
