"""Run every consistency check over a case and store the findings.

The checks read what the pipeline stored (metadata, transcript, languages,
mentions) and decode each original once more, at 8 kHz, for the audio
measures; only fingerprints are kept in memory between calls. Comparing
every pair of calls grows with the square of the case: about 1 ms a pair,
so a case of 1,000 calls spends some minutes on it.

The whole set of findings of these kinds is replaced in one transaction
(``replace_findings``), so a finding that no longer holds (the metadata was
corrected) disappears, and the custody log records the run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict

import numpy as np

from callsift import __version__
from callsift.audio import DecodeOptions, decode
from callsift.errors import InputError
from callsift.records import FindingRecord
from callsift.store import CaseStore, channels_of, list_calls, segments_of
from callsift.store.analysis import mentions_of
from callsift.store.checks import sidecar_rows_named
from callsift.store.findings import replace_findings
from callsift.store.locks import holding_case
from callsift.verify.checks import (
    CallFacts,
    CheckOptions,
    date_mismatch,
    duration_mismatch,
    invalid_metadata,
)
from callsift.verify.duplicates import Heard, duplicate_files, duplicate_speech
from callsift.verify.places import country_language, country_places, place_mismatch
from callsift.verify.signals import RATE, abrupt_cuts, fingerprint, silence_islands

__all__ = ["CHECK_KINDS", "check_case", "edited_audio"]

CHECK_KINDS = (
    "metadata-invalid",
    "date-mismatch",
    "duration-mismatch",
    "country-language",
    "country-places",
    "place-mismatch",
    "duplicate-file",
    "duplicate-speech",
    "edited-audio",
)
"""Every kind of finding :func:`check_case` writes (and replaces on each run)."""

log = logging.getLogger("callsift.verify")


def edited_audio(
    facts: CallFacts, tracks: list[np.ndarray], options: CheckOptions
) -> list[FindingRecord]:
    """Spliced silence and abrupt cuts in a call's 8 kHz channels.

    A channel's cuts are looked for where that channel's party speaks: the
    other party's speech reaches it only as faint crosstalk.
    """
    found = []
    for channel, samples in enumerate(tracks):
        speech = [(s.start, s.end) for s in facts.segments if s.channel == channel]
        islands = silence_islands(samples, options.min_silence_s)
        edges = [t for island in islands for t in (island.start, island.end)]
        for island in islands:
            length = island.end - island.start
            found.append(
                FindingRecord(
                    call_id=facts.call.id,
                    kind="edited-audio",
                    severity="warning",
                    message=f"{length:.2f} s of digital silence at {island.start:.2f}–"
                    f"{island.end:.2f} s on channel {channel}, where the line otherwise "
                    "carries noise: spliced in, or a recorder gap.",
                    score=round(length, 2),
                    detail={"sign": "spliced-silence", "channel": channel, **asdict(island)},
                )
            )
        for cut in abrupt_cuts(samples, speech, options.min_cut_db, options.min_cut_isolation_db):
            if any(abs(cut.at - t) < 0.05 for t in edges):
                continue  # the edge of a spliced silence, already reported
            found.append(
                FindingRecord(
                    call_id=facts.call.id,
                    kind="edited-audio",
                    severity="warning",
                    message=f"Abrupt cut at {cut.at:.2f} s on channel {channel}: the waveform "
                    f"jumps mid-speech (a burst {cut.excess_db:.0f} dB above the channel's "
                    "own out-of-band level).",
                    score=cut.excess_db,
                    detail={"sign": "cut", "channel": channel, "at_s": cut.at},
                )
            )
    return found


def _heard(facts: CallFacts, tracks: list[np.ndarray]) -> Heard:
    """Fingerprints of the channels that hold speech, and of the mix of a stereo call."""
    spoken = {s.channel for s in facts.segments}
    prints = [fingerprint(t) for i, t in enumerate(tracks) if i in spoken]
    if len(tracks) == 2 and spoken:
        prints.append(fingerprint((tracks[0] + tracks[1]) / 2))
    return Heard(facts, prints)


@holding_case("check")
def check_case(
    store: CaseStore,
    options: CheckOptions | None = None,
    on_start: Callable[[int], None] | None = None,
    on_call: Callable[[int], None] | None = None,
) -> list[FindingRecord]:
    """Run every check over every call; store and return the findings.

    ``on_start`` gets the number of calls, ``on_call`` each call's id when
    its checks are done (for a progress bar).
    """
    options = options or CheckOptions()
    calls = list_calls(store)
    if on_start:
        on_start(len(calls))
    findings: list[FindingRecord] = []
    heard: list[Heard] = []
    for call in calls:
        facts = CallFacts(
            call,
            channels_of(store, call.id),
            segments_of(store, call.id),
            mentions_of(store, call.id),
        )
        findings += invalid_metadata(facts)
        findings += date_mismatch(facts, options)
        findings += duration_mismatch(facts, options)
        findings += country_language(facts, options)
        findings += country_places(facts, options)
        findings += place_mismatch(facts, options)
        if len(call.names) > 1:
            findings += duplicate_files(facts, sidecar_rows_named(store, call.names))
        if call.status == "done":
            try:
                _, tracks = decode(
                    store.originals.path(call.sha256), DecodeOptions(sample_rate=RATE)
                )
            except InputError as error:
                log.warning("audio checks skipped for call %s: %s", call.id, error)
            else:
                findings += edited_audio(facts, tracks, options)
                heard.append(_heard(facts, tracks))
        if on_call:
            on_call(call.id)
    findings += duplicate_speech(heard, options)
    findings.sort(key=lambda f: (f.call_id, CHECK_KINDS.index(f.kind)))
    checked_with = json.dumps({"callsift": __version__, **asdict(options)}, sort_keys=True)
    replace_findings(store, CHECK_KINDS, findings, checked_with)
    return findings
