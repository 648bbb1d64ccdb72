"""Everything the case holds about one call, gathered once.

``callsift show``, the web app's call page and ``GET /api/calls/{id}`` all
describe a call the same way, so they read it through :func:`call_dossier`
and print, render or serialise the one record: the CLI's ``--json`` and the
API's JSON are the same document (:meth:`CallDossier.document`), fields
documented in the README.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from callsift.analyze.confidence import is_low
from callsift.errors import ReviewError
from callsift.graph.numbers import PhoneNumber
from callsift.graph.phones import numbers_of
from callsift.parties import CallParties, call_parties
from callsift.records import (
    Call,
    ChannelTranscript,
    FindingRecord,
    FlagHit,
    Mention,
    Segment,
    VerificationRecord,
)
from callsift.store import CaseStore, channels_of, get_call, segments_of
from callsift.store.analysis import flags_of, mentions_of
from callsift.store.findings import list_findings
from callsift.store.reliability import Reliability, reliability_of
from callsift.store.review import Annotation, SegmentVersion, annotations_of, segment_versions_of
from callsift.verify.status import verification_of

__all__ = ["CallDossier", "call_dossier"]

_FINDING_KEYS = ("kind", "severity", "message", "other_call_id", "score")


@dataclass(frozen=True)
class CallDossier:
    """One call with its transcript, analysis, review and numbers."""

    call: Call
    channels: list[ChannelTranscript]
    segments: list[Segment]
    mentions: list[Mention]
    flags: list[FlagHit]
    findings: list[FindingRecord]
    verification: VerificationRecord
    numbers: dict[str, PhoneNumber]
    annotations: list[Annotation]
    versions: dict[int, list[SegmentVersion]]
    parties: CallParties
    """Who said each segment (``parties.of(segment)``)."""
    reliability: Reliability
    """Whether the transcript can be trusted at all (speech heard against words written)."""

    def document(self) -> dict[str, Any]:
        """The stable JSON document of ``show --json`` and the API."""
        return {
            **asdict(self.call),
            "channels": [
                {k: v for k, v in asdict(c).items() if k not in ("segments", "translation_engine")}
                for c in self.channels
            ],
            # ``party``: caller, receiver, a voice of a split mono channel, or both.
            "segments": [{**asdict(s), **self.parties.of(s).fields()} for s in self.segments],
            # ``confidence``: the weakest word under the finding; ``low_confidence``:
            # it is under the threshold (callsift.analyze.confidence).
            "entities": [
                {**asdict(m), "low_confidence": is_low(m.confidence)} for m in self.mentions
            ],
            "flags": [{**asdict(f), "low_confidence": is_low(f.confidence)} for f in self.flags],
            "findings": [
                {k: v for k, v in asdict(f).items() if k in _FINDING_KEYS} for f in self.findings
            ],
            "verification": {k: v for k, v in asdict(self.verification).items() if k != "call_id"},
            "numbers": {
                role: asdict(self.numbers[role]) if role in self.numbers else None
                for role in ("caller", "receiver")
            },
            "annotations": [asdict(a) for a in self.annotations],
            "reliability": self.reliability.summary(),
            "corrections": {
                str(segment_id): [asdict(v) for v in versions]
                for segment_id, versions in self.versions.items()
            },
        }


def call_dossier(store: CaseStore, call_id: int) -> CallDossier:
    """Raises :class:`~callsift.errors.ReviewError` if the case has no such call."""
    call = get_call(store, call_id)
    if call is None:
        raise ReviewError(f"no call {call_id} in this case (see callsift list)")
    return CallDossier(
        call=call,
        channels=channels_of(store, call_id),
        segments=segments_of(store, call_id),
        mentions=mentions_of(store, call_id),
        flags=flags_of(store, call_id),
        findings=list_findings(store, call_id),
        verification=verification_of(store, call_id),
        numbers=numbers_of(store, call_id),
        annotations=annotations_of(store, call_id),
        versions=segment_versions_of(store, call_id),
        parties=call_parties(store, call_id),
        reliability=reliability_of(store, [call_id])[call_id],
    )
