"""Group voice prints into voices, and compare the voices with the numbers.

Voices are grouped by average-linkage agglomerative clustering on cosine
similarity (SciPy's ``linkage``, which Resemblyzer already brings in): two
groups join while the mean similarity between their members reaches the
threshold. Single linkage (connected components) was rejected because one
middling pair chains two voices together; average linkage needs the groups
to agree as a whole. On the demo corpus at 0.93 it keeps the mother's voice
(+400 cents) apart from the wife's (+450; their pairs score 0.916-0.936),
where a plain cut on pairs joins one mother with one wife: precision 1.00
against 0.75, at the same recall (benchmarks/voices.py).

Only single-party channels are clustered. A mixed channel (a mono call holds
both parties) sounds like whichever party talks most, so it could chain two
voices; it is attached afterwards to the voice it resembles best, if that
reaches the threshold, and never joins two voices or makes one.

The findings compare voices with numbers, party by party:

* ``same-voice-different-numbers``: one voice heard on two numbers (a borrowed
  phone, a second SIM). One finding per pair of numbers within a voice, on the
  most similar pair of channels between them.
* ``same-number-different-voices``: one number whose party sounds like two
  people (a shared SIM or phone, or metadata that names the wrong number). One
  finding per pair of voices on the number, made only when even the most
  similar pair of channels between them stays under ``different_below``: a pair
  between that and the threshold is left undecided rather than called two people.

No finding pairs two channels of one call: both sides of a line are two
parties by definition, and echo between them is no lead.

The similarity matrix and SciPy's distances grow with the square of the
channels: 5,000 single-party channels took 2.3 s and 0.5 GB here, 10,000 take
about four times that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from callsift.records import FindingRecord

__all__ = [
    "VOICE_KINDS",
    "VoiceChannel",
    "attach_mixed",
    "average_linkage",
    "number_findings",
]

VOICE_KINDS = ("same-voice-different-numbers", "same-number-different-voices")
"""The kinds of finding the voice comparison writes (and replaces on each run)."""


@dataclass(frozen=True)
class VoiceChannel:
    """One channel as the comparison sees it.

    Attributes:
        call_id: the call.
        file: the call's file name.
        channel: the channel index in the original.
        speech_s: seconds of speech its voice print was made from.
        mixed: it holds both parties, so its voice cannot be tied to a number.
        party: ``caller`` or ``receiver`` for a single-party channel, else ``None``.
        number: that party's number (E.164, else as written), if the metadata gives one.
        number_key: what the number matches other numbers on (see ``number_key``).
        cluster: the voice it belongs to (a mixed channel: the voice it resembles),
            ``None`` if it was skipped or resembles no voice.
        similarity: a member's mean similarity to the rest of its voice, a mixed
            channel's to the voice it was attached to; ``None`` when alone.
        speaker: 0 for the whole channel, 1 or 2 for one voice of a split mixed
            channel (``party`` is then its role, if known).
    """

    call_id: int
    file: str
    channel: int
    speech_s: float
    mixed: bool
    party: str | None = None
    number: str | None = None
    number_key: str | None = None
    cluster: int | None = None
    similarity: float | None = None
    speaker: int = 0


def average_linkage(similarity: np.ndarray, threshold: float) -> list[int]:
    """Cluster labels (0, 1, … in order of first member) for a square similarity matrix."""
    n = len(similarity)
    if n < 2:
        return [0] * n
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = np.clip(1.0 - similarity, 0.0, 2.0).astype(np.float64)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    raw = fcluster(tree, t=1.0 - threshold, criterion="distance")
    order: dict[int, int] = {}
    return [order.setdefault(int(label), len(order)) for label in raw]


def attach_mixed(
    similarity: np.ndarray, labels: Sequence[int], threshold: float
) -> list[tuple[int | None, float | None]]:
    """For each mixed channel (a row of ``similarity`` against the single-party
    channels), the voice it resembles most, if its mean similarity reaches ``threshold``."""
    result: list[tuple[int | None, float | None]] = []
    groups = sorted(set(labels))
    members = {g: [i for i, label in enumerate(labels) if label == g] for g in groups}
    for row in similarity:
        scored = [(float(np.mean(row[members[g]])), g) for g in groups]
        if not scored:
            result.append((None, None))
            continue
        best, group = max(scored)
        result.append((group, best) if best >= threshold else (None, None))
    return result


def _ordered(a: VoiceChannel, b: VoiceChannel) -> tuple[VoiceChannel, VoiceChannel]:
    """The later call first: the finding sits on the call that brings the news."""
    return (b, a) if (a.call_id, a.channel) < (b.call_id, b.channel) else (a, b)


def _side(c: VoiceChannel) -> str:
    voice = f" (speaker {c.speaker} of a mono channel)" if c.speaker else ""
    return f"the {c.party} on channel {c.channel}{voice}"


def number_findings(
    channels: Sequence[VoiceChannel],
    similarity: np.ndarray,
    different_below: float,
    model: str,
) -> list[FindingRecord]:
    """Both kinds of finding for clustered single-party ``channels`` (``similarity``: theirs)."""
    index = {id(c): i for i, c in enumerate(channels)}

    def sim(a: VoiceChannel, b: VoiceChannel) -> float:
        return float(similarity[index[id(a)], index[id(b)]])

    numbered = [c for c in channels if c.number_key and c.cluster is not None]
    found: list[FindingRecord] = []
    by_voice: dict[int, list[VoiceChannel]] = {}
    for c in numbered:
        by_voice.setdefault(c.cluster or 0, []).append(c)
    for _, members in sorted(by_voice.items()):
        pairs: dict[tuple[str, str], list[tuple[float, VoiceChannel, VoiceChannel]]] = {}
        for a, b in combinations(members, 2):
            if a.call_id == b.call_id or a.number_key == b.number_key:
                continue
            key = tuple(sorted((a.number_key or "", b.number_key or "")))
            pairs.setdefault((key[0], key[1]), []).append((sim(a, b), a, b))
        for _, scored in sorted(pairs.items()):
            s, a, b = max(scored, key=lambda item: item[0])
            count = len(scored)
            here, there = _ordered(a, b)
            found.append(
                FindingRecord(
                    call_id=here.call_id,
                    kind="same-voice-different-numbers",
                    severity="info",
                    message=f"{_side(here).capitalize()} ({here.number}) sounds like "
                    f"{_side(there)} of call {there.call_id} ({there.file}, {there.number}): "
                    f"similarity {s:.3f}. One voice on two numbers: a borrowed phone or a "
                    "second SIM, or two people who sound alike.",
                    other_call_id=there.call_id,
                    score=round(s, 3),
                    detail=_detail(here, there, s, model, channel_pairs=count),
                )
            )
    by_number: dict[str, list[VoiceChannel]] = {}
    for c in numbered:
        by_number.setdefault(c.number_key or "", []).append(c)
    for _, sharing in sorted(by_number.items()):
        voices: dict[int, list[VoiceChannel]] = {}
        for c in sharing:
            voices.setdefault(c.cluster or 0, []).append(c)
        for first, second in combinations(sorted(voices), 2):
            cross = [
                (sim(a, b), a, b)
                for a in voices[first]
                for b in voices[second]
                if a.call_id != b.call_id
            ]
            if not cross:
                continue
            s, a, b = max(cross, key=lambda item: item[0])
            if s >= different_below:
                continue  # between the two thresholds: undecided, no finding
            here, there = _ordered(a, b)
            found.append(
                FindingRecord(
                    call_id=here.call_id,
                    kind="same-number-different-voices",
                    severity="warning",
                    message=f"Number {here.number} ({_side(here)}) is heard with another voice "
                    f"in call {there.call_id} ({there.file}, {_side(there)}): similarity "
                    f"{s:.3f}, under {different_below:.3f}. Two people on one number: a shared "
                    "phone or SIM, or metadata that names the wrong number.",
                    other_call_id=there.call_id,
                    score=round(s, 3),
                    detail=_detail(here, there, s, model, channel_pairs=len(cross)),
                )
            )
    return sorted(found, key=lambda f: (f.call_id, VOICE_KINDS.index(f.kind), f.other_call_id))


def _detail(
    here: VoiceChannel, there: VoiceChannel, s: float, model: str, **extra: object
) -> dict[str, object]:
    return {
        "similarity": round(s, 3),
        "channel": here.channel,
        "party": here.party,
        "number": here.number,
        "cluster": here.cluster,
        "other_channel": there.channel,
        "other_party": there.party,
        "other_number": there.number,
        "other_cluster": there.cluster,
        "model": model,
        **extra,
    }
