"""Whether a call's transcript can be trusted at all, before anyone reads it.

A transcript can fail quietly: the voice detector hears a minute of speech,
the speech model writes nothing (or a few words in a language nobody in the
case speaks, "Norwegian" at 0.21), and the call page looks exactly like the
truly silent call. This module compares, channel by channel, the speech the
detector found with the words transcribed and with how sure the language
guess was, and says in one sentence why a call should not be believed.

It is computed on read from ``calls`` and ``channels``, whose ``words``
(schema 8) counts the words of each channel's machine transcript, written
with it: one pass over one row per channel, fast at 100,000 calls.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from babel import Locale

from callsift.store.case import CaseStore

__all__ = [
    "EXPECTED_LANGUAGES",
    "ChannelEvidence",
    "Reliability",
    "ReliabilityState",
    "language_name",
    "reliability_clause",
    "reliability_of",
    "unreliable_call_ids",
    "unreliable_count",
]

ReliabilityState = Literal["reliable", "unreliable", "silent", "failed", "pending"]

EXPECTED_LANGUAGES = ("ru", "uk", "en")
"""Languages the calls of a case are spoken in; any other guess is suspect."""

MIN_SPEECH_S = 3.0
"""Less detected speech than this in every channel: the call is silent."""

MIN_WORDS_PER_SPEECH_S = 0.5
"""Fewer words per second of detected speech: words went missing.

Measured on the demo case: reliable channels carry 1.3 to 2.5 words per
second of speech (0.5 leaves room for slow, hesitant talk)."""

MIN_LANGUAGE_PROBABILITY = 0.5
"""A language guess less sure than this is suspect (the demo's lowest correct
guess is Ukrainian at 0.65; wrong guesses of the Ukrainian calls were 0.2–0.4)."""


def language_name(code: str | None, locale: str = "en") -> str:
    """``"nn"`` → ``"Norwegian Nynorsk"`` (in ``locale``); unknown codes as they are."""
    if not code:
        return "unknown"
    try:
        names = Locale.parse(locale).languages
    except (ValueError, TypeError):
        names = Locale("en").languages
    name = names.get(code, code)
    return name[:1].upper() + name[1:] if locale == "en" else name


@dataclass(frozen=True)
class ChannelEvidence:
    """What one channel's transcript rests on: speech heard, words written, language guessed."""

    channel: int
    speech_s: float
    words: int
    language: str | None
    probability: float | None
    forced: bool = False

    @property
    def missing_words(self) -> bool:
        return self.speech_s >= MIN_SPEECH_S and self.words < MIN_WORDS_PER_SPEECH_S * self.speech_s

    @property
    def odd_language(self) -> bool:
        if self.speech_s < MIN_SPEECH_S:
            return False
        return self.language not in EXPECTED_LANGUAGES or (
            self.probability is not None and self.probability < MIN_LANGUAGE_PROBABILITY
        )

    @property
    def language_doubt(self) -> bool:
        """Whether the reason should name the language: doubtful, or words went missing."""
        return self.odd_language or (self.missing_words and self.words > 0)


@dataclass(frozen=True)
class Reliability:
    """How far a call's transcript can be trusted.

    Attributes:
        call_id: the call.
        state: ``reliable``; ``unreliable`` (speech heard but words missing, or
            a doubtful language); ``silent`` (no speech to transcribe);
            ``failed`` (the file could not be processed); ``pending`` (not yet).
        reason: one sentence for people saying why (empty when reliable).
        channels: the evidence, channel by channel (empty when failed/pending).
    """

    call_id: int
    state: ReliabilityState
    reason: str
    channels: tuple[ChannelEvidence, ...] = field(default=(), compare=False)

    def summary(self) -> dict[str, object]:
        """The ``reliability`` object of a call's JSON."""
        return {
            "state": self.state,
            "reason": self.reason,
            "channels": [
                {
                    "channel": c.channel,
                    "speech_s": round(c.speech_s, 1),
                    "words": c.words,
                    "language": c.language,
                    "language_probability": c.probability,
                    "language_forced": c.forced,
                }
                for c in self.channels
            ],
        }


def _seconds(value: float) -> str:
    return f"{value:.0f} s"


def channel_problem(evidence: ChannelEvidence, *, stereo: bool) -> str:
    """The sentence for one doubtful channel (empty when it is fine)."""
    parts = []
    if evidence.missing_words:
        parts.append(
            f"{_seconds(evidence.speech_s)} of speech detected, "
            f"{evidence.words} word{'' if evidence.words == 1 else 's'} transcribed"
        )
    if evidence.language_doubt:
        name = language_name(evidence.language)
        if evidence.forced:
            parts.append(f"language set by hand to {name}")
        else:
            sure = "" if evidence.probability is None else f" ({evidence.probability:.2f})"
            parts.append(f"language guessed as {name}{sure}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return f"channel {evidence.channel + 1}: {text}" if stereo else text


def _judge(
    call_id: int, status: str, reason: str | None, channels: list[ChannelEvidence]
) -> Reliability:
    if status == "failed":
        return Reliability(call_id, "failed", reason or "The file could not be processed.")
    if status != "done":
        return Reliability(call_id, "pending", "Not processed yet.")
    evidence = tuple(channels)
    if not any(c.speech_s >= MIN_SPEECH_S for c in evidence):
        return Reliability(call_id, "silent", "No speech was detected in this recording.", evidence)
    stereo = len(evidence) > 1
    problems = [p for p in (channel_problem(c, stereo=stereo) for c in evidence) if p]
    if problems:
        sentence = "; ".join(problems) + "."
        return Reliability(call_id, "unreliable", sentence[:1].upper() + sentence[1:], evidence)
    return Reliability(call_id, "reliable", "", evidence)


_QUERY = """
SELECT c.id, c.status, c.reason, ch.channel, ch.speech_s,
       json_extract(c.processed_with, '$.transcribe.language') AS forced,
       ch.language, ch.whisper_language, ch.language_probability,
       coalesce(ch.words, 0) AS words
FROM calls c
LEFT JOIN channels ch ON ch.call_id = c.id
{call_filter}
ORDER BY c.id, ch.channel
"""


_MAX_LISTED = 2000


def _probability(row: sqlite3.Row) -> float | None:
    """Whisper's confidence, when it is about the language the transcript is in.

    When the text later showed another language (Russian heard as Ukrainian)
    the channel was transcribed again in it, and the first guess's confidence
    says nothing about the transcript.
    """
    guessed = row["whisper_language"]
    if guessed is not None and guessed != row["language"]:
        return None
    return row["language_probability"]


def reliability_of(
    store: CaseStore, call_ids: Sequence[int] | None = None
) -> dict[int, Reliability]:
    """Each call's reliability (every call of the case, or only ``call_ids``), by id."""
    args: list[int] = []
    call_filter = ""
    if call_ids is not None:
        ids = sorted(set(call_ids))
        if not ids:
            return {}
        if len(ids) > _MAX_LISTED:  # past SQLite's bound parameters: judge all, keep these
            every = reliability_of(store)
            return {i: every[i] for i in ids if i in every}
        marks = ",".join("?" * len(ids))
        call_filter = f"WHERE c.id IN ({marks})"
        args = ids
    sql = _QUERY.format(call_filter=call_filter)
    calls: dict[int, tuple[str, str | None, list[ChannelEvidence]]] = {}
    for row in store.conn.execute(sql, args):
        entry = calls.setdefault(row["id"], (row["status"], row["reason"], []))
        if row["channel"] is not None:
            entry[2].append(
                ChannelEvidence(
                    channel=row["channel"],
                    speech_s=row["speech_s"] or 0.0,
                    words=row["words"],
                    language=row["language"],
                    probability=_probability(row),
                    forced=row["forced"] is not None,
                )
            )
    return {
        call_id: _judge(call_id, status, reason, channels)
        for call_id, (status, reason, channels) in calls.items()
    }


_SPEECH = f"ch.speech_s >= {MIN_SPEECH_S!r}"
_DOUBT = (
    f"coalesce(ch.words, 0) < {MIN_WORDS_PER_SPEECH_S!r} * ch.speech_s"
    " OR ch.language IS NULL OR ch.language NOT IN ({expected})"
    f" OR (ch.language_probability < {MIN_LANGUAGE_PROBABILITY!r}"
    " AND (ch.whisper_language IS NULL OR ch.whisper_language = ch.language))"
).format(expected=", ".join(f"'{code}'" for code in EXPECTED_LANGUAGES))
_HEARD = f"EXISTS (SELECT 1 FROM channels ch WHERE ch.call_id = c.id AND {_SPEECH})"
# Read through the partial index ``channels_doubtful`` (schema 9), whose condition is this one.
_DOUBTED = f"c.id IN (SELECT ch.call_id FROM channels ch WHERE {_SPEECH} AND ({_DOUBT}))"
_STATES: dict[str, str] = {
    "failed": "c.status = 'failed'",
    "pending": "c.status NOT IN ('done', 'failed')",
    "silent": f"c.status = 'done' AND NOT {_HEARD}",
    "unreliable": f"c.status = 'done' AND {_DOUBTED}",
    "reliable": f"c.status = 'done' AND {_HEARD} AND NOT {_DOUBTED}",
}


def reliability_clause(state: str) -> str:
    """A condition on ``calls c`` that holds for the calls in ``state``: the rule of
    :func:`reliability_of` in SQL, so a list filter reads the channels of the calls it
    shows instead of judging every call of the case first.

    Raises:
        ValueError: ``state`` is not one of :data:`ReliabilityState`.
    """
    if state not in _STATES:
        raise ValueError(f"unknown reliability {state!r}; one of {', '.join(_STATES)}")
    return _STATES[state]


def unreliable_call_ids(store: CaseStore) -> list[int]:
    """The ``unreliable`` calls of the case, in id order: one indexed pass over the calls.

    The same rule as :func:`reliability_of`, for a dashboard count or a list
    filter over a case of 100,000 calls, without building a record per call.
    """
    rows = store.conn.execute(
        f"SELECT c.id FROM calls c WHERE {_STATES['unreliable']} ORDER BY c.id"
    )
    return [row[0] for row in rows]


def unreliable_count(store: CaseStore) -> int:
    """How many calls of the case are ``unreliable`` (the dashboard's figure)."""
    return int(
        store.conn.execute(
            f"SELECT count(*) FROM calls c WHERE {_STATES['unreliable']}"
        ).fetchone()[0]
    )
