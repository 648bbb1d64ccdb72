"""Voices across a case: embed each party's speech once, group the voices, compare numbers.

Embedding is resumable: each call's voice prints are stored with the model key
in one transaction (``store/voices.py``), and a call already embedded with the
same key is never decoded again, so a second run only clusters, in well under
a second for a case of this size. Clustering and findings are cheap and are
redone as a whole every run; the findings of both kinds replace the last run's.

Which party a channel holds: in a stereo call with one party per channel,
channel 0 is the caller and channel 1 the receiver (``VoiceOptions.channel0``
swaps them, for recorders that tap the other way). A mixed channel (a mono
call, or stereo channels that carry one mix) holds both parties: it joins the
voice it resembles but is never tied to a number, so it makes no finding. When
``process`` split it into two voices (``speakers.py``), each voice is embedded
from its own segments and compared like a party's channel; it is tied to the
caller's or the receiver's number where its role is known.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from callsift import __version__
from callsift.audio import DecodeOptions, decode, speech_regions, split_parties
from callsift.audio.channels import SILENT_PEAK
from callsift.blas import one_blas_thread
from callsift.errors import InputError
from callsift.graph.phones import number_key, numbers_of
from callsift.graph.voices.cluster import (
    VOICE_KINDS,
    VoiceChannel,
    attach_mixed,
    average_linkage,
    number_findings,
)
from callsift.graph.voices.encoder import (
    SAMPLE_RATE,
    VoiceEncoder,
    encoder_key,
    load_encoder,
    speech_of,
)
from callsift.graph.voices.speakers import holds_both_parties
from callsift.records import Call, FindingRecord, VoicePrint
from callsift.store import CaseStore, list_calls, segments_of
from callsift.store.findings import replace_findings
from callsift.store.locks import holding_case
from callsift.store.voices import save_voice_prints, voice_prints, voiced_calls

__all__ = [
    "SkippedChannel",
    "VoiceCluster",
    "VoiceOptions",
    "VoiceReport",
    "embed_call",
    "embed_case",
    "voice_case",
]

log = logging.getLogger("callsift.graph")

ROLES = ("caller", "receiver")


@dataclass(frozen=True)
class VoiceOptions:
    """How voices are compared.

    Attributes:
        threshold: two voices are one when the mean cosine similarity between
            their channels reaches this. 0.93, chosen for precision on the demo
            corpus (one festival voice pitch-shifted into several people, over
            telephone codecs; benchmarks/voices.py): the same voice in two calls
            scored 0.888-0.965, voices 150 cents or more apart at most 0.908,
            and at 0.93 every voice heard twice is one voice (3 of the 4
            same-voice pairs found; the one at 0.888 is missed). Real people
            differ more: 0.48-0.85 between the real clips in tests/data/real,
            0.97 between the two halves of one real lecture. Lower it to find
            more, at the cost of joining people who sound alike.
        different_below: a number is said to carry two voices only when even
            the most similar pair of its channels in the two voices is under
            this. 0.85: no same-voice pair of the demo corpus scored under
            0.888; voices 550 cents apart scored 0.82-0.85. Pairs between this
            and ``threshold`` are left undecided.
        min_speech_s: channels with less speech are not compared: a voice
            print from a "да" or two is mostly the line. 2.0 s fills at least
            one whole 1.6 s window of the encoder (shorter speech is padded).
        max_speech_s: only the first this many seconds of a channel's speech
            are embedded (``None``: all), so an hour-long call costs about 2 s;
            the two 30 s halves of a real lecture already agree at 0.97.
        channel0: the party on channel 0 of a stereo call, ``caller`` or
            ``receiver``; channel 1 holds the other.
        mono_voices: compare each voice of a mono channel that ``process``
            split in two as a party of its own, tied to the caller's or the
            receiver's number where its role is known. False treats those
            voices as mixed channels: attached to a voice, never a finding.
        threads: torch threads for embedding (0: torch's default).
    """

    threshold: float = 0.93
    different_below: float = 0.85
    min_speech_s: float = 2.0
    max_speech_s: float | None = 120.0
    channel0: str = "caller"
    threads: int = 1
    mono_voices: bool = True

    def __post_init__(self) -> None:
        if self.channel0 not in ROLES:
            raise ValueError(f"channel0 must be caller or receiver, not {self.channel0!r}")
        if not -1.0 <= self.different_below <= self.threshold <= 1.0:
            raise ValueError(
                f"need -1 <= different_below ({self.different_below}) <= threshold"
                f" ({self.threshold}) <= 1"
            )


@dataclass(frozen=True)
class VoiceCluster:
    """One voice heard across the case.

    Attributes:
        id: 1, 2, … in order of each voice's first channel (call, then channel).
        members: its single-party channels.
        mixed: mixed channels that resemble it (not used for findings).
        numbers: the distinct numbers its members' parties used, as shown.
        cohesion: mean similarity between its members; ``None`` for one member.
    """

    id: int
    members: list[VoiceChannel]
    mixed: list[VoiceChannel] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    cohesion: float | None = None


@dataclass(frozen=True)
class SkippedChannel:
    """A channel (or a whole call, ``channel`` ``None``) left out, and why."""

    call_id: int
    file: str
    channel: int | None
    reason: str


@dataclass
class VoiceReport:
    """What a run found.

    Attributes:
        model: the embedding model key.
        options: the options it ran with.
        embedded: channels embedded in this run (0 when everything was stored).
        reused: channels whose stored embedding was used.
        clusters: every voice, singletons included.
        findings: both kinds, as stored.
        skipped: channels and calls left out, with the reason.
    """

    model: str
    options: VoiceOptions
    embedded: int = 0
    reused: int = 0
    clusters: list[VoiceCluster] = field(default_factory=list)
    findings: list[FindingRecord] = field(default_factory=list)
    skipped: list[SkippedChannel] = field(default_factory=list)


def embed_call(
    encoder: VoiceEncoder, call: Call, store: CaseStore, options: VoiceOptions
) -> list[VoicePrint]:
    """Decode a call, find each party's speech and embed it (``InputError`` if undecodable).

    A mixed channel that diarisation split gets one print per voice, made from
    that voice's segments, instead of one for the mix.
    """
    _, tracks = decode(store.originals.path(call.sha256), DecodeOptions())
    parties = split_parties(tracks)
    voices = _voice_spans(store, call.id) if holds_both_parties(tracks, len(parties)) else {}
    prints = []
    for index, samples in parties:
        spans = voices.get(index) or {0: speech_regions(samples)}
        for speaker, regions in sorted(spans.items()):
            speech = speech_of(samples, regions, options.max_speech_s)
            prints.append(
                VoicePrint(
                    call.id,
                    index,
                    len(speech) / SAMPLE_RATE,
                    encoder.key,
                    encoder.embed(speech),
                    speaker=speaker,
                )
            )
    kept = {index for index, _ in parties}
    if len(tracks) == 2 and len(parties) == 1:
        silent = [i for i, t in enumerate(tracks) if i not in kept and _silent(t)]
        # A silent side was dropped: its row keeps the other channel single-party.
        prints += [VoicePrint(call.id, i, 0.0, encoder.key, None) for i in silent]
    return sorted(prints, key=lambda p: p.channel)


def _voice_spans(store: CaseStore, call_id: int) -> dict[int, dict[int, list[tuple[float, float]]]]:
    """Channel -> speaker -> the times of that voice's segments, for split channels."""
    spans: dict[int, dict[int, list[tuple[float, float]]]] = {}
    for segment in segments_of(store, call_id):
        if segment.speaker:
            by_voice = spans.setdefault(segment.channel, {})
            by_voice.setdefault(segment.speaker, []).append((segment.start, segment.end))
    return {channel: voices for channel, voices in spans.items() if len(voices) == 2}


def _silent(track: np.ndarray) -> bool:
    return track.size == 0 or float(np.max(np.abs(track))) < SILENT_PEAK


def embed_case(
    store: CaseStore,
    options: VoiceOptions,
    on_start: Callable[[int], None] | None = None,
    on_call: Callable[[int], None] | None = None,
) -> tuple[int, list[SkippedChannel]]:
    """Embed every processed call not yet embedded with this model; returns (channels, skipped).

    torch and Resemblyzer are imported only if there is a call to embed. A call
    that cannot be decoded is reported in ``skipped`` and tried again next run.
    """
    key = encoder_key()
    done = voiced_calls(store, key)
    pending = [c for c in list_calls(store, "done") if c.id not in done]
    if on_start:
        on_start(len(pending))
    if not pending:
        return 0, []
    encoder = load_encoder(options.threads)
    embedded, skipped = 0, []
    for call in pending:
        try:
            prints = embed_call(encoder, call, store, options)
        except InputError as error:
            log.warning("voices skipped for call %s: %s", call.id, error)
            skipped.append(SkippedChannel(call.id, call.file, None, error.reason))
        else:
            save_voice_prints(store, call.id, call.sha256, key, prints)
            embedded += len(prints)
        if on_call:
            on_call(call.id)
    return embedded, skipped


def _channels(
    store: CaseStore, prints: list[VoicePrint], options: VoiceOptions
) -> tuple[list[tuple[VoiceChannel, np.ndarray]], list[SkippedChannel]]:
    files = {call.id: call.file for call in list_calls(store)}
    kept: list[tuple[VoiceChannel, np.ndarray]] = []
    skipped = []
    numbers: dict[int, dict[str, tuple[str, str]]] = {}
    for p in prints:
        file = files.get(p.call_id, "")
        if p.embedding is None or p.speech_s < options.min_speech_s:
            reason = f"too little speech ({p.speech_s:.1f} s < {options.min_speech_s:g} s)"
            skipped.append(SkippedChannel(p.call_id, file, p.channel, reason))
            continue
        mixed = p.mixed or (bool(p.speaker) and not options.mono_voices)
        channel = VoiceChannel(
            p.call_id, file, p.channel, round(p.speech_s, 2), mixed, speaker=p.speaker
        )
        if not mixed:
            if p.call_id not in numbers:
                numbers[p.call_id] = {
                    role: (n.e164 or n.raw, number_key(n.raw, n.e164))
                    for role, n in numbers_of(store, p.call_id).items()
                }
            first = options.channel0
            party: str | None = first if p.channel == 0 else next(r for r in ROLES if r != first)
            if p.speaker:
                party = p.role  # one voice of a split mono channel: named by what it said
            shown, matched = numbers[p.call_id].get(party or "", (None, None))
            channel = replace(channel, party=party, number=shown, number_key=matched)
        kept.append((channel, np.asarray(p.embedding, np.float32)))
    return kept, skipped


def _cluster(
    kept: list[tuple[VoiceChannel, np.ndarray]], options: VoiceOptions
) -> tuple[list[VoiceCluster], list[VoiceChannel], np.ndarray]:
    single = [(c, e) for c, e in kept if not c.mixed]
    mixed = [(c, e) for c, e in kept if c.mixed]
    dim = kept[0][1].size if kept else 256
    singles = np.array([e for _, e in single], np.float32).reshape(-1, dim)
    mixes = np.array([e for _, e in mixed], np.float32).reshape(-1, dim)
    with one_blas_thread():  # the same similarities on any number of cores
        similarity = singles @ singles.T
        to_singles = mixes @ singles.T
    labels = average_linkage(similarity, options.threshold)
    members: list[VoiceChannel] = []
    for i, ((channel, _), label) in enumerate(zip(single, labels, strict=True)):
        same = [j for j, other in enumerate(labels) if other == label and j != i]
        mean = round(float(np.mean(similarity[i, same])), 3) if same else None
        members.append(replace(channel, cluster=label + 1, similarity=mean))
    attached = [
        replace(
            c, cluster=None if g is None else g + 1, similarity=None if s is None else round(s, 3)
        )
        for (c, _), (g, s) in zip(
            mixed, attach_mixed(to_singles, labels, options.threshold), strict=True
        )
    ]
    clusters = []
    for label in sorted(set(labels)):
        ids = [i for i, other in enumerate(labels) if other == label]
        block = similarity[np.ix_(ids, ids)]
        cohesion = (
            round(float((block.sum() - np.trace(block)) / (len(ids) * (len(ids) - 1))), 3)
            if len(ids) > 1
            else None
        )
        group = [members[i] for i in ids]
        shown = list(dict.fromkeys(c.number for c in group if c.number))
        near = [c for c in attached if c.cluster == label + 1]
        clusters.append(VoiceCluster(label + 1, group, near, shown, cohesion))
    return clusters, members, similarity


@holding_case("voices")
def voice_case(
    store: CaseStore,
    options: VoiceOptions | None = None,
    on_start: Callable[[int], None] | None = None,
    on_call: Callable[[int], None] | None = None,
) -> VoiceReport:
    """Embed what is new, group every voice of the case, store and return the findings.

    ``on_start`` gets the number of calls to embed, ``on_call`` each call's id
    once embedded (for a progress bar). The run is logged in the custody log.
    """
    options = options or VoiceOptions()
    embedded, failed = embed_case(store, options, on_start, on_call)
    key = encoder_key()
    prints = voice_prints(store, key)
    kept, skipped = _channels(store, prints, options)
    clusters, members, similarity = _cluster(kept, options)
    findings = number_findings(members, similarity, options.different_below, key)
    checked_with = json.dumps(
        {"callsift": __version__, "model": key, **asdict(options)}, sort_keys=True
    )
    replace_findings(store, VOICE_KINDS, findings, checked_with)
    report = VoiceReport(
        model=key,
        options=options,
        embedded=embedded,
        reused=len(prints) - embedded,
        clusters=clusters,
        findings=findings,
        skipped=failed + skipped,
    )
    with store.transaction():
        store.log(
            "voices",
            None,
            model=key,
            threshold=options.threshold,
            different_below=options.different_below,
            embedded=embedded,
            reused=report.reused,
            voices=len(clusters),
            findings=len(findings),
            skipped=len(report.skipped),
        )
    return report
