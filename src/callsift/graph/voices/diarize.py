"""Who spoke when on a mixed channel: two voices told apart by clustering short voice prints.

A mono call holds both parties on one track. To give each of its segments a
speaker, the track's speech (the Silero regions the transcriber uses) is cut
into 1.6 s windows every 0.25 s, each window gets a Resemblyzer voice print
(the encoder the voice comparison loads, see ``encoder.py``), and the prints
are split in two: along their first principal component, then refined by a
few rounds of two-means on cosine similarity (deterministic: no random start).
Each 10 ms of speech then goes to the voice its covering windows resemble most,
and runs of one voice become turns. Speaker 1 is the voice heard first.

Regions alone cannot place turns: on the demo's mono mixes the detector's
regions ran across a turn change in four of six calls (a reply comes within
half a second), so the windows, not the regions, decide where a turn ends.

A channel is split only when the two halves are clearly two voices: the mean
similarity within the halves must exceed the mean similarity between them by
``min_gap``. Any single voice, split in two, gives some gap (words differ);
the threshold is measured in ``benchmarks/diarisation.py`` on single-party
channels (the stereo demo calls' channels and the real clips in
``tests/data/real``) against two-party ones (the demo's mono calls and mono
mixes of its stereo calls). Less than ``min_speech_s`` of speech, or a second
voice with under ``min_share`` of the windows, is not split either: a
"да" heard once is not a party one can name.

Cost: about 2 s of CPU per minute of audio on one thread (the encoder's three
LSTM layers over 6.4 windows per second of speech), beside the speech model's
much larger share.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from callsift.blas import one_blas_thread
from callsift.graph.voices.encoder import VoiceEncoder
from callsift.records import Segment, Word

__all__ = [
    "Diarization",
    "DiarizeOptions",
    "Turn",
    "assign_speakers",
    "diarize",
    "speaker_between",
]

FRAMES_PER_S = 100


@dataclass(frozen=True)
class DiarizeOptions:
    """How a mixed channel is split.

    Attributes:
        window_s: length of each voice print's window. 1.6 s, the encoder's own
            partial length: 1.0 s windows put one voice of a demo mix (call_024)
            in both halves (DER 0.37 against 0.02).
        hop_s: windows start this far apart, so a turn change is placed to
            within about a quarter of a second.
        min_gap: split only when the within-half similarity exceeds the
            between-half similarity by this much (see the module's docstring).
        min_share: the smaller voice needs this share of the windows.
        min_speech_s: a channel with less speech is one speaker.
        refine_rounds: at most this many rounds of two-means after the
            principal-component split.
    """

    window_s: float = 1.6
    hop_s: float = 0.25
    min_gap: float = 0.13
    min_share: float = 0.1
    min_speech_s: float = 6.0
    refine_rounds: int = 20


@dataclass(frozen=True)
class Turn:
    """A stretch of speech by one speaker (1 or 2), in seconds from the call's start."""

    start: float
    end: float
    speaker: int


@dataclass(frozen=True)
class Diarization:
    """The outcome for one channel.

    Attributes:
        speakers: 1 (not split) or 2.
        turns: each speaker's turns in time order (empty when not split).
        gap: within-half minus between-half similarity of the best split
            (``None`` when there were too few windows to try).
        reason: why the channel was or was not split, for the reviewer.
    """

    speakers: int
    turns: tuple[Turn, ...] = field(default_factory=tuple)
    gap: float | None = None
    reason: str = ""

    def speech_s(self, speaker: int) -> float:
        return round(sum(t.end - t.start for t in self.turns if t.speaker == speaker), 2)


def diarize(
    encoder: VoiceEncoder,
    samples: np.ndarray,
    regions: list[tuple[float, float]],
    options: DiarizeOptions | None = None,
) -> Diarization:
    """Split one channel's speech into one or two speakers (16 kHz samples, VAD regions)."""
    options = options or DiarizeOptions()
    speech = sum(end - start for start, end in regions)
    if speech < options.min_speech_s:
        return Diarization(
            1, reason=f"{speech:.1f} s of speech, under {options.min_speech_s:g} s: not split"
        )
    spans, prints = encoder.embed_windows(samples, regions, options.window_s, options.hop_s)
    if len(prints) < 4:
        return Diarization(1, reason="too few windows of speech to compare: not split")
    with one_blas_thread():  # the same split on any number of cores
        labels, centroids = _two_means(prints, options.refine_rounds)
        gap = _gap(prints, labels)
        closeness = prints @ centroids.T
    share = min(np.mean(labels == 0), np.mean(labels == 1))
    if share < options.min_share:
        return Diarization(
            1, gap=gap, reason=f"a second voice in {share:.0%} of the speech only: not split"
        )
    if gap is None or gap < options.min_gap:
        return Diarization(
            1,
            gap=gap,
            reason=f"the two halves sound alike (separation {gap or 0:.3f}"
            f" < {options.min_gap:g}): one speaker",
        )
    turns = _turns(spans, closeness, regions)
    return Diarization(2, turns, gap, f"two voices (separation {gap:.3f} >= {options.min_gap:g})")


def _two_means(prints: np.ndarray, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels 0/1 and unit centroids: principal-component split, then cosine two-means."""
    centred = prints - prints.mean(axis=0)
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    labels = (centred @ vt[0] > 0).astype(int)
    centroids = np.zeros((2, prints.shape[1]), np.float32)
    for _ in range(rounds):
        for k in (0, 1):
            members = prints[labels == k]
            mean = members.mean(axis=0) if len(members) else prints.mean(axis=0)
            centroids[k] = mean / max(float(np.linalg.norm(mean)), 1e-9)
        updated = np.argmax(prints @ centroids.T, axis=1)
        if np.array_equal(updated, labels):
            break
        labels = updated
    return labels, centroids


def _gap(prints: np.ndarray, labels: np.ndarray) -> float | None:
    """Mean similarity within the two halves (pairs of distinct windows) minus between them."""
    similarity = prints @ prints.T
    within, pairs = 0.0, 0
    for k in (0, 1):
        ids = np.flatnonzero(labels == k)
        if len(ids) < 2:
            return None
        block = similarity[np.ix_(ids, ids)]
        within += float(block.sum() - np.trace(block))
        pairs += len(ids) * (len(ids) - 1)
    between = float(similarity[np.ix_(labels == 0, labels == 1)].mean())
    return round(within / pairs - between, 4)


def _turns(
    spans: list[tuple[float, float]], scores: np.ndarray, regions: list[tuple[float, float]]
) -> tuple[Turn, ...]:
    """Each 10 ms of speech to the voice its windows favour; runs of one voice become turns."""
    end = max(e for _, e in regions)
    total = np.zeros((int(np.ceil(end * FRAMES_PER_S)) + 1, 2))
    for (start, stop), score in zip(spans, scores, strict=True):
        total[int(start * FRAMES_PER_S) : int(np.ceil(stop * FRAMES_PER_S))] += score
    raw: list[tuple[int, int, int]] = []
    for start, stop in regions:
        first, last = int(start * FRAMES_PER_S), int(np.ceil(stop * FRAMES_PER_S))
        voice = np.argmax(total[first:last], axis=1)
        changes = np.flatnonzero(np.diff(voice)) + 1
        bounds = [0, *changes.tolist(), len(voice)]
        raw += [
            (first + a, first + b, int(voice[a]))
            for a, b in zip(bounds, bounds[1:], strict=False)
            if b > a
        ]
    first_voice = raw[0][2] if raw else 0
    return tuple(
        Turn(round(a / FRAMES_PER_S, 2), round(b / FRAMES_PER_S, 2), 1 if v == first_voice else 2)
        for a, b, v in raw
    )


def speaker_between(diarization: Diarization, start: float, end: float) -> int | None:
    """The speaker heard most from ``start`` to ``end``; ``None`` if not split or no turn there."""
    heard = {1: 0.0, 2: 0.0}
    for turn in diarization.turns:
        heard[turn.speaker] += max(0.0, min(end, turn.end) - max(start, turn.start))
    if diarization.speakers < 2 or not any(heard.values()):
        return None
    return 1 if heard[1] >= heard[2] else 2


def assign_speakers(segments: list[Segment], diarization: Diarization) -> list[Segment]:
    """Each segment with its speaker; a segment whose words change speaker is cut in two.

    Whisper's segments follow sentences and pauses, not voices, so a quick
    reply can share a segment with the question before it. Each word goes to
    the speaker heard most while it is spoken; runs of fewer than
    ``_MIN_RUN_WORDS`` words join the run before them (a turn boundary placed
    a quarter of a second off moves a word, not a sentence), and a cut is moved
    to the nearest sentence end within one word. Every piece keeps the
    segment's scores; its text is its words. An unsplit channel's segments are
    returned as they are.
    """
    if diarization.speakers < 2:
        return list(segments)
    result: list[Segment] = []
    for segment in segments:
        runs = _word_runs(segment.words, diarization)
        if len(runs) < 2:
            speaker = (
                runs[0][2] if runs else speaker_between(diarization, segment.start, segment.end)
            )
            result.append(replace(segment, speaker=speaker))
            continue
        for first, last, speaker in runs:
            words = segment.words[first:last]
            result.append(
                replace(
                    segment,
                    start=words[0].start,
                    end=words[-1].end,
                    text="".join(w.word for w in words).strip(),
                    words=list(words),
                    translation=None,
                    speaker=speaker,
                )
            )
    return result


_MIN_RUN_WORDS = 2


def _word_runs(words: list[Word], diarization: Diarization) -> list[tuple[int, int, int]]:
    """``(first, end, speaker)`` word ranges of one speaker each, short runs merged."""
    said = [speaker_between(diarization, w.start, w.end) for w in words]
    runs: list[list[int]] = []
    for index, speaker in enumerate(said):
        if speaker is None or (runs and runs[-1][2] == speaker):
            if runs:
                runs[-1][1] = index + 1
            continue
        runs.append([index, index + 1, speaker])
    merged: list[list[int]] = []
    for run in runs:
        if merged and (run[1] - run[0] < _MIN_RUN_WORDS or merged[-1][2] == run[2]):
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    if len(merged) > 1 and merged[0][1] - merged[0][0] < _MIN_RUN_WORDS:
        merged[1][0] = 0
        merged.pop(0)
    if merged:
        merged[0][0] = 0

    def ends_sentence(index: int) -> bool:
        return words[index - 1].word.rstrip().endswith((".", "?", "!", "…"))

    for left, right in zip(merged, merged[1:], strict=False):
        cut = right[0]
        if not ends_sentence(cut):
            cut = next(
                (n for n in (cut - 1, cut + 1) if left[0] < n < right[1] and ends_sentence(n)), cut
            )
        left[1] = right[0] = cut
    return [(a, b, s) for a, b, s in merged if b > a]
