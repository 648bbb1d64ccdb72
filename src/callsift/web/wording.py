"""Sentences the pages build from records, in the reader's language.

Two kinds of record need a sentence, not a stored string:

* a call's :class:`~callsift.store.reliability.Reliability`, whose English
  ``reason`` is for the CLI and the JSON; a page phrases the same evidence
  (speech heard, words written, language guessed) in the reader's language;
* a finding that compares two calls. It is stored once, on the later call,
  worded from that call's side ("the caller (…) sounds like the receiver of
  call 3"); shown on the earlier call the same words would describe the
  wrong side. :func:`finding_view` words it from the call being shown, and
  its link says which call it opens ("call 12 (call_012.ogg)").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from callsift.records import FindingRecord
from callsift.store.reliability import ChannelEvidence, Reliability
from callsift.web.formats import language, role
from callsift.web.i18n import gettext_, ngettext_

__all__ = ["FindingView", "finding_kind", "finding_view", "reliability_reason"]


def _channel_reason(evidence: ChannelEvidence, stereo: bool) -> str:
    parts = []
    if evidence.missing_words:
        words = ngettext_(
            "%(num)d word transcribed", "%(num)d words transcribed", evidence.words
        ) % {"num": evidence.words}
        parts.append(
            gettext_("%(seconds)d s of speech detected, %(words)s")
            % {"seconds": round(evidence.speech_s), "words": words}
        )
    if evidence.language_doubt:
        name = language(evidence.language)
        if evidence.forced:
            parts.append(gettext_("language set by hand to %(language)s") % {"language": name})
        elif evidence.probability is None:
            parts.append(gettext_("language guessed as %(language)s") % {"language": name})
        else:
            parts.append(
                gettext_("language guessed as %(language)s (%(p).2f)")
                % {"language": name, "p": evidence.probability}
            )
    if not parts:
        return ""
    text = "; ".join(parts)
    if stereo:
        return gettext_("channel %(n)d: %(problem)s") % {"n": evidence.channel + 1, "problem": text}
    return text


def reliability_reason(reliability: Reliability | None) -> str:
    """Why a call's transcript is not to be trusted, as one sentence (empty when it is)."""
    if reliability is None or reliability.state == "reliable":
        return ""
    if reliability.state == "silent":
        return gettext_("No speech was detected in this recording.")
    if reliability.state == "pending":
        return gettext_("Not processed yet.")
    if reliability.state == "failed":
        return reliability.reason  # the decoder's own words, as the CLI prints them
    stereo = len(reliability.channels) > 1
    problems = [p for p in (_channel_reason(c, stereo) for c in reliability.channels) if p]
    if not problems:
        return reliability.reason
    sentence = "; ".join(problems) + "."
    return sentence[:1].upper() + sentence[1:]


def finding_kind(kind: str) -> str:
    """A finding's kind as a short label."""
    labels = {
        "metadata-invalid": gettext_("Unreadable metadata"),
        "date-mismatch": gettext_("Date does not match"),
        "duration-mismatch": gettext_("Length does not match"),
        "country-language": gettext_("Language unusual for the country"),
        "country-places": gettext_("Places in another country"),
        "place-mismatch": gettext_("Place does not match"),
        "duplicate-file": gettext_("Same file, several names"),
        "duplicate-speech": gettext_("Same speech as another call"),
        "edited-audio": gettext_("Possibly edited audio"),
        "same-voice-different-numbers": gettext_("Same voice, different numbers"),
        "same-number-different-voices": gettext_("Same number, different voices"),
    }
    return labels.get(kind, kind.replace("-", " ").capitalize())


@dataclass(frozen=True)
class FindingView:
    """A finding as the page of one call shows it.

    Attributes:
        kind: its label.
        severity: ``info``, ``warning`` or ``problem`` (for the style).
        text: the sentence, from the shown call's side.
        other_call_id: the call the link opens, if the finding compares two.
        link: the link's words, naming that call and its file.
    """

    kind: str
    severity: str
    text: str
    other_call_id: int | None = None
    link: str = ""


def _party(detail: Mapping[str, Any], key: str) -> str:
    return role(str(detail.get(key) or "")) or gettext_("a party")


def _call(call_id: int, files: Mapping[int, str]) -> str:
    file = files.get(call_id)
    if file is None:
        return gettext_("call %(id)d") % {"id": call_id}
    return gettext_("call %(id)d (%(file)s)") % {"id": call_id, "file": file}


def _compared(finding: FindingRecord, mine: str, theirs: str, other: str) -> str:
    """The sentence of a two-call finding, ``mine``/``theirs`` naming the detail's keys."""
    detail = finding.detail
    values: dict[str, Any] = {
        "party": _party(detail, f"{mine}party"),
        "number": detail.get(f"{mine}number") or "?",
        "other_party": _party(detail, f"{theirs}party"),
        "other_number": detail.get(f"{theirs}number") or "?",
        "call": other,
        "similarity": f"{finding.score:.2f}" if finding.score is not None else "?",
    }
    if finding.kind == "same-voice-different-numbers":
        return (
            gettext_(
                "The %(party)s of this call (%(number)s) sounds like the %(other_party)s of"
                " %(call)s (%(other_number)s): similarity %(similarity)s. One voice on two numbers:"
                " a borrowed phone or a second SIM, or two people who sound alike."
            )
            % values
        )
    if finding.kind == "same-number-different-voices":
        return (
            gettext_(
                "Number %(number)s (the %(party)s of this call) is heard with another voice in"
                " %(call)s (the %(other_party)s there): similarity %(similarity)s. Two people on"
                " one number: a shared phone or SIM, or metadata that names the wrong number."
            )
            % values
        )
    if finding.kind == "duplicate-speech":
        values["audio"] = float(detail.get("audio_similarity") or 0.0)
        values["text"] = float(detail.get("transcript_similarity") or 0.0)
        return (
            gettext_(
                "This call holds the same speech as %(call)s (audio similarity %(audio).2f,"
                " transcripts %(text).0f%% alike)."
            )
            % values
        )
    return finding.message


def finding_view(finding: FindingRecord, shown: int, files: Mapping[int, str]) -> FindingView:
    """``finding`` as the page of call ``shown`` says it; ``files``: call id → file name."""
    other = finding.other_call_id
    if other is None:
        return FindingView(finding_kind(finding.kind), finding.severity, finding.message)
    here = finding.call_id == shown
    target = other if here else finding.call_id
    named = _call(target, files)
    mine, theirs = ("", "other_") if here else ("other_", "")
    return FindingView(
        finding_kind(finding.kind),
        finding.severity,
        _compared(finding, mine, theirs, named),
        target,
        named,
    )
