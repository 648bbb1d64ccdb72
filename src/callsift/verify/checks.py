"""What the call says against what the metadata sheet says about it.

Each check is a function over one call's stored records (:class:`CallFacts`)
that returns findings; none reads the database or the audio. The rules, and
why they are drawn where they are:

* ``metadata-invalid`` (problem): every value the sheet's reader could not
  parse (``started_at`` 2022-03-32), and every caller or receiver that is no
  valid phone number (``12345``): no number plan of the default regions, nor
  its own country code, fits it. The raw text stays in the metadata.
* ``date-mismatch`` (problem): a date the speaker ties to the day of the call
  ("сегодня двадцатое марта", "вчора було…", "tomorrow is…") more than
  ``date_tolerance_days`` from ``started_at``'s own calendar day. One day of
  slack covers time zones and calls around midnight. A date said without
  such a word may be a plan or a memory ("we'll be home by the 8th") and is
  not compared.
* ``duration-mismatch`` (problem): the sheet's ``duration_s`` off the decoded
  audio by more than ``duration_tolerance_s`` or ``duration_tolerance_share``
  of it, whichever is larger: a truncated export, or the wrong file.

The checks of numbers and places are in :mod:`callsift.verify.places`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from callsift.graph.numbers import normalize_number
from callsift.records import Call, ChannelTranscript, FindingRecord, Mention, Segment

__all__ = [
    "CallFacts",
    "CheckOptions",
    "date_mismatch",
    "duration_mismatch",
    "finding",
    "invalid_metadata",
    "metadata",
]

_DAY_WORDS = {
    "сегодня": 0, "сьогодні": 0, "today": 0, "вчера": -1, "вчора": -1, "yesterday": -1,
    "завтра": 1, "tomorrow": 1, "позавчера": -2, "позавчора": -2, "послезавтра": 2,
    "післязавтра": 2,
}  # fmt: skip
_DAY_WORD = re.compile(r"\b(" + "|".join(_DAY_WORDS) + r")\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…]")
_MONTHS = "January February March April May June July August September October November December"


@dataclass(frozen=True)
class CheckOptions:
    """Thresholds of the consistency checks.

    Attributes:
        duration_tolerance_s: seconds the sheet's duration may be off.
        duration_tolerance_share: share of the audio's length it may be off,
            if larger (0.1: 10 %).
        date_tolerance_days: days a spoken "today" may be off ``started_at``.
        min_language_probability: the least confidence of a language detection
            the country check believes.
        theatre: countries where the calls' events happen; places there are
            expected from any number.
        place_distance_km: how far the places named may lie from the location.
        region_margin_km: added for each side that is a whole region.
        min_audio_similarity: the fingerprint score from which two calls hold
            the same speech (same audio: 1.0).
        min_shared_sound_s: the least sound two calls must share to be compared.
        min_transcript_similarity: the transcript likeness (0-100, rapidfuzz
            ratio) from which two calls hold the same speech.
        min_transcript_words: shorter transcripts are not compared.
        min_silence_s: the shortest spliced silence reported.
        min_cut_db: how far above the channel's own out-of-band level a burst
            must stand to count as a cut.
        min_cut_isolation_db: how far above the out-of-band frames 10 to 50 ms
            around it (a voice's pitch pulses) a cut's burst must stand.
    """

    duration_tolerance_s: float = 2.0
    duration_tolerance_share: float = 0.1
    date_tolerance_days: int = 1
    min_language_probability: float = 0.5
    theatre: tuple[str, ...] = ("UA",)
    place_distance_km: float = 150.0
    region_margin_km: float = 150.0
    min_audio_similarity: float = 0.8
    min_shared_sound_s: float = 4.0
    min_transcript_similarity: float = 90.0
    min_transcript_words: int = 8
    min_silence_s: float = 0.25
    min_cut_db: float = 25.0
    min_cut_isolation_db: float = 20.0


@dataclass(frozen=True)
class CallFacts:
    """One call as the checks see it: its record and what analysis stored."""

    call: Call
    channels: list[ChannelTranscript] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


def finding(
    facts: CallFacts, kind: str, severity: str, message: str, **extra: Any
) -> FindingRecord:
    return FindingRecord(
        call_id=facts.call.id, kind=kind, severity=severity, message=message, **extra
    )


def metadata(facts: CallFacts) -> dict[str, Any]:
    return facts.call.metadata or {}


def invalid_metadata(facts: CallFacts) -> list[FindingRecord]:
    """One finding per metadata value that could not be read, or is no phone number."""
    found = [
        finding(
            facts,
            "metadata-invalid",
            "problem",
            f"Metadata value unreadable: {problem}.",
            detail={"problem": problem, "raw": metadata(facts).get("extra", {})},
        )
        for problem in metadata(facts).get("problems", [])
    ]
    for role in ("caller", "receiver"):
        raw = str(metadata(facts).get(role) or "").strip()
        if raw and not normalize_number(raw).valid:
            found.append(
                finding(
                    facts,
                    "metadata-invalid",
                    "problem",
                    f"Metadata {role} {raw!r} is not a valid phone number: no numbering plan "
                    "fits it (a typing error, a truncated log, or a range never assigned).",
                    detail={
                        "problem": f"{role} is not a valid phone number",
                        "field": role,
                        "raw": raw,
                    },
                )
            )
    return found


def _said_in(segments: list[Segment], mention: Mention) -> str:
    """The text of the segment a mention was found in ('' if it is gone)."""
    for segment in segments:
        if (
            segment.channel == mention.channel
            and segment.start - 0.5 <= mention.start <= segment.end + 0.5
            and segment.text[mention.start_char : mention.end_char] == mention.text
        ):
            return segment.text
    return ""


def _day_word(text: str, start: int, end: int) -> re.Match[str] | None:
    """The "today/yesterday/tomorrow" word nearest the mention, in its sentence."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _SENTENCE_END.finditer(text, end)), len(text))
    words = list(_DAY_WORD.finditer(text, left, right))
    return min(words, key=lambda m: abs(m.start() - start), default=None)


def _said_date(iso: str, near: date) -> date | None:
    """``--03-20`` (no year: the year that puts it nearest ``near``) or ``2022-03-20``."""
    try:
        if not iso.startswith("--"):
            return date.fromisoformat(iso)
        month, day = int(iso[2:4]), int(iso[5:7])
    except ValueError:
        return None
    years = [year for year in (near.year - 1, near.year, near.year + 1) if _valid(year, month, day)]
    if not years:
        return None
    return min((date(year, month, day) for year in years), key=lambda d: abs(d - near))


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _human(day: date) -> str:
    return f"{day.day} {_MONTHS.split()[day.month - 1]} {day.year}"


def date_mismatch(facts: CallFacts, options: CheckOptions) -> list[FindingRecord]:
    """Dates the speaker ties to the day of the call, against ``started_at``."""
    started = metadata(facts).get("started_at")
    if not started:
        return []
    try:
        logged = datetime.fromisoformat(started).date()
    except ValueError:
        return []
    found = []
    for mention in facts.mentions:
        if mention.type != "date" or not mention.kind:
            continue
        text = _said_in(facts.segments, mention)
        word = _day_word(text, mention.start_char, mention.end_char) if text else None
        said = _said_date(mention.kind, logged)
        if word is None or said is None:
            continue
        offset = _DAY_WORDS[word.group(1).lower()]
        quote = text[min(word.start(), mention.start_char) : max(word.end(), mention.end_char)]
        implied = said - timedelta(days=offset)
        days = (implied - logged).days
        if abs(days) <= options.date_tolerance_days:
            continue
        found.append(
            finding(
                facts,
                "date-mismatch",
                "problem",
                f'At {mention.start:.1f} s the speaker says "{quote}" ({_human(said)}); '
                f"the metadata dates the call {_human(logged)}, "
                f"{abs(days)} days {'earlier' if days > 0 else 'later'}.",
                score=float(abs(days)),
                detail={
                    "said": mention.text,
                    "day_word": word.group(1),
                    "at_s": mention.start,
                    "channel": mention.channel,
                    "implied_date": implied.isoformat(),
                    "metadata_date": logged.isoformat(),
                    "days": days,
                },
            )
        )
    return found


def duration_mismatch(facts: CallFacts, options: CheckOptions) -> list[FindingRecord]:
    """The sheet's duration against the decoded audio's."""
    logged, audio = metadata(facts).get("duration_s"), facts.call.duration_s
    if logged is None or audio is None or facts.call.status != "done":
        return []
    difference = float(logged) - audio
    tolerance = max(options.duration_tolerance_s, options.duration_tolerance_share * audio)
    if abs(difference) <= tolerance:
        return []
    return [
        finding(
            facts,
            "duration-mismatch",
            "problem",
            f"The metadata gives {float(logged):g} s; the file holds {audio:.1f} s of audio "
            f"({abs(difference):.1f} s {'less' if difference > 0 else 'more'}).",
            score=round(abs(difference), 2),
            detail={"metadata_s": float(logged), "audio_s": audio, "tolerance_s": tolerance},
        )
    ]
