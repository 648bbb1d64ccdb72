"""Who said a segment: the caller, the receiver, one of two voices, or both parties.

Every place that shows a transcript (the call page, search hits, reports,
subtitles, packages, the JSON) names a segment's party through
:meth:`CallParties.party_of`, so they cannot disagree. The rule:

* A segment of a mono channel that diarisation split has a ``speaker`` (1 or
  2); its party is that voice's role where the content gave one
  (``callsift.analyze.roles``), else the voice itself ("speaker 2").
* A call transcribed as two channels holds one party per channel: channel 0
  is the caller, channel 1 the receiver (as ``voices`` assumes by default).
* Anything else is ``both``: a mono channel not split, or stereo channels
  merged as one mix (or one side left when the other was silent, which the
  store cannot tell from a mix). Saying "both parties" never claims more than
  is known; redaction masks such a segment for either party (``role`` None).

The caller's and the receiver's number come from the call's metadata
(normalised, ``graph.phones.numbers_of``); a name, from the team's directories
where they know the number (several names on one number are all shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from callsift.graph.directory import DirectoryEntry
from callsift.graph.numbers import PhoneNumber
from callsift.graph.phones import number_key, numbers_of
from callsift.records import SearchHit, Segment
from callsift.store import CaseStore
from callsift.store.phones import directory_entries
from callsift.store.speakers import speakers_of, transcribed_channels

__all__ = ["BOTH", "ROLES", "CallParties", "SpeakerParty", "call_parties", "describe_hits"]

ROLES = ("caller", "receiver")
"""The parties of a call with one party per channel, by channel."""
BOTH = "both"


@dataclass(frozen=True)
class SpeakerParty:
    """Who said a segment.

    Attributes:
        party: what the JSON calls it: ``caller``, ``receiver``, a voice of a
            split mono channel whose role is unknown (``speaker 1``), or ``both``.
        speaker: 1 or 2 on a split mono channel, else ``None``.
        number: the party's number (E.164 when valid, else as written), if known.
        name: who the team's directories say the number belongs to, if anyone.
    """

    party: str
    speaker: int | None = None
    number: str | None = None
    name: str | None = None

    @property
    def role(self) -> str | None:
        """``caller`` or ``receiver`` when known (what redaction of a party masks)."""
        return self.party if self.party in ROLES else None

    @property
    def label(self) -> str:
        """In words: "Caller", "Speaker 1 (caller)", "Speaker 2", "Both parties"."""
        if self.speaker is not None:
            voice = f"Speaker {self.speaker}"
            return f"{voice} ({self.role})" if self.role else voice
        return "Both parties" if self.party == BOTH else self.party.capitalize()

    @property
    def text(self) -> str:
        """The label with the number and name: "Caller, +79035551708, Сидоров Иван"."""
        return ", ".join(part for part in (self.label, self.number, self.name) if part)

    def fields(self) -> dict[str, Any]:
        """The keys a JSON segment or hit carries."""
        return {
            "party": self.party,
            "party_label": self.label,
            "party_number": self.number,
            "party_name": self.name,
        }


@dataclass(frozen=True)
class CallParties:
    """What decides the party of each segment of one call.

    Attributes:
        call_id: the call.
        one_per_channel: the call was transcribed as two channels, one party each.
        roles: ``(channel, speaker)`` of each voice of a split channel -> its
            role, or ``None`` where the content did not say.
        numbers: ``caller``/``receiver`` -> the number as shown.
        names: ``caller``/``receiver`` -> the directories' names for the number.
    """

    call_id: int
    one_per_channel: bool = False
    roles: Mapping[tuple[int, int], str | None] = field(default_factory=dict)
    numbers: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def party_of(self, channel: int, speaker: int | None = None) -> SpeakerParty:
        """The party of a segment heard on ``channel`` (by ``speaker`` of a split mix)."""
        if speaker is not None:
            role = self.roles.get((channel, speaker))
            party = role or f"speaker {speaker}"
        elif self.one_per_channel and channel in (0, 1):
            role = party = ROLES[channel]
        else:
            return SpeakerParty(BOTH)
        if role is None:
            return SpeakerParty(party, speaker)
        return SpeakerParty(party, speaker, self.numbers.get(role), self.names.get(role))

    def of(self, segment: Segment) -> SpeakerParty:
        """``party_of`` a segment."""
        return self.party_of(segment.channel, segment.speaker)

    def role_of(self, segment: Segment) -> str | None:
        """The segment's role, ``caller``/``receiver``, or ``None`` (unknown: may be either)."""
        return self.of(segment).role

    def anonymous(self) -> CallParties:
        """The same parties without numbers or names (for a published, redacted export)."""
        return replace(self, numbers={}, names={})


def _shown(number: PhoneNumber) -> str:
    return number.e164 or number.raw


def _names(entries: Iterable[DirectoryEntry]) -> dict[str, str]:
    """Number key -> its distinct directory names, " / " between them."""
    found: dict[str, dict[str, str]] = {}
    for entry in entries:
        if entry.name.strip():
            names = found.setdefault(number_key(entry.raw, entry.e164), {})
            names.setdefault(" ".join(entry.name.casefold().split()), entry.name.strip())
    return {key: " / ".join(names.values()) for key, names in found.items()}


def _call_parties(
    store: CaseStore, call_id: int, channels: int, names: Mapping[str, str]
) -> CallParties:
    numbers = numbers_of(store, call_id)
    return CallParties(
        call_id,
        one_per_channel=channels == 2,
        roles={(v.channel, v.speaker): v.role for v in speakers_of(store, call_id)},
        numbers={role: _shown(n) for role, n in numbers.items()},
        names={
            role: names[key]
            for role, n in numbers.items()
            if (key := number_key(n.raw, n.e164)) in names
        },
    )


def call_parties(store: CaseStore, call_id: int) -> CallParties:
    """The parties of one call's segments, with their numbers and known names."""
    names = _names(directory_entries(store))
    channels = transcribed_channels(store, [call_id]).get(call_id, 0)
    return _call_parties(store, call_id, channels, names)


def describe_hits(store: CaseStore, hits: Sequence[SearchHit]) -> None:
    """Set each hit's party, its number and name, and its call's two numbers."""
    ids = list(dict.fromkeys(hit.call_id for hit in hits))
    if not ids:
        return
    names = _names(directory_entries(store))
    channels = transcribed_channels(store, ids)
    parties = {i: _call_parties(store, i, channels.get(i, 0), names) for i in ids}
    for hit in hits:
        call = parties[hit.call_id]
        said = call.party_of(hit.channel, hit.speaker)
        hit.party, hit.party_label = said.party, said.label
        hit.party_number, hit.party_name = said.number, said.name
        hit.caller, hit.receiver = call.numbers.get("caller"), call.numbers.get("receiver")
