"""Storage of each segment's English: the checks' notes and reviewers' versions.

The machine's English is checked once the call's mentions are known
(``callsift.translate.verify``). The check always reads
``segments.translation_machine``, the model's English exactly as written, and
writes ``segments.translation`` (what is shown and searched: invented town
names replaced by the gazetteer's) and ``translation_doubts``, so running it
again gives the same notes.

A reviewer's English is kept like a transcript correction
(:mod:`callsift.store.review`): append-only versions, the machine's English
saved as version 1 before the first change, a correction made against an
older version refused with :class:`~callsift.errors.ConflictError`, each
change logged in custody. English a reviewer wrote is never checked, and a
call with one is not transcribed or translated over (``save_transcript``,
``save_translations``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from callsift.errors import ConflictError, ReviewError
from callsift.store.case import CaseStore, utc_now
from callsift.store.review import sha256_of_call

__all__ = [
    "EnglishToCheck",
    "ShownEnglish",
    "TranslationVersion",
    "correct_translation",
    "english_engines",
    "english_label",
    "english_of",
    "english_to_check",
    "english_to_repair",
    "save_repairs",
    "save_translation_checks",
    "translation_versions_of",
]


@dataclass(frozen=True)
class EnglishToCheck:
    """A machine-translated segment as the checks need it."""

    segment_id: int
    text: str
    language: str
    english: str
    logprob: float | None
    dropped: str | None
    repair: dict[str, Any] | None = None


@dataclass(frozen=True)
class TranslationVersion:
    """One version of a segment's English: 1 is the machine's, then each correction."""

    segment_id: int
    version: int
    text: str
    engine: str | None
    editor: str
    note: str
    at: str


@dataclass(frozen=True)
class ShownEnglish:
    """A segment's English as a reader sees it, with what the checks said of it.

    Attributes:
        english: the English shown (``None``: not translated).
        machine: the model's English as written, before names were set.
        engine: what wrote it (``whisper-translate``, ``argos-translate 1.9``…).
        notes: the checks' notes (``callsift.translate.checks``).
        dropped: what was cut out of a looping translation.
        version: 1 for the machine's English, more once a reviewer corrected it.
    """

    segment_id: int
    channel: int
    start: float
    end: float
    text: str
    language: str
    english: str | None
    machine: str | None
    engine: str | None
    logprob: float | None
    notes: list[dict[str, Any]]
    dropped: str | None
    version: int

    @property
    def doubtful(self) -> bool:
        return any(not note.get("fixed") for note in self.notes)


def english_of(store: CaseStore, call_id: int) -> list[ShownEnglish]:
    """Every segment of the call with its English, in time order."""
    rows = store.conn.execute(
        "SELECT * FROM segments WHERE call_id = ? ORDER BY start, channel", (call_id,)
    )
    return [
        ShownEnglish(
            r["id"],
            r["channel"],
            r["start"],
            r["end"],
            r["text"],
            r["language"],
            r["translation"],
            r["translation_machine"] or r["translation"],
            r["translation_engine"],
            r["translation_logprob"],
            json.loads(r["translation_doubts"]) if r["translation_doubts"] else [],
            r["translation_dropped"],
            r["translation_version"],
        )
        for r in rows
    ]


def english_label(store: CaseStore, call_id: int) -> str:
    """ "machine translation (…)" naming what wrote the call's English, for every display of it."""
    return f"machine translation ({'; '.join(english_engines(store, call_id)) or 'none'})"


def english_engines(store: CaseStore, call_id: int) -> list[str]:
    """What wrote the call's machine English, as readers know it.

    Whisper's own translation is named with its model: "Whisper base, translate task".
    """
    engines = {
        row["translation_engine"]
        for row in store.conn.execute(
            "SELECT DISTINCT translation_engine FROM segments WHERE call_id = ?"
            " AND translation_engine IS NOT NULL",
            (call_id,),
        )
    }
    row = store.conn.execute("SELECT processed_with FROM calls WHERE id = ?", (call_id,)).fetchone()
    processed_with = row["processed_with"] if row else None
    return sorted(engine_name(engine, processed_with) for engine in engines)


def engine_name(engine: str, processed_with: str | None) -> str:
    """An engine as a reader knows it: Whisper's own translation names its model."""
    if engine != "whisper-translate":
        return engine
    settings = json.loads(processed_with) if processed_with else {}
    model = settings.get("transcribe", {}).get("model", {}).get("name", "?")
    return f"Whisper {model}, translate task"


def english_to_check(store: CaseStore, call_id: int) -> list[EnglishToCheck]:
    """The call's segments whose English a machine wrote and no reviewer changed."""
    rows = store.conn.execute(
        "SELECT id, text, language, coalesce(translation_machine, translation) AS english,"
        " translation_logprob, translation_dropped, translation_repair FROM segments"
        " WHERE call_id = ? AND translation IS NOT NULL AND translation_version = 1"
        " ORDER BY start, channel",
        (call_id,),
    )
    return [
        EnglishToCheck(
            r["id"],
            r["text"],
            r["language"],
            r["english"],
            r["translation_logprob"],
            r["translation_dropped"],
            json.loads(r["translation_repair"]) if r["translation_repair"] else None,
        )
        for r in rows
    ]


def save_translation_checks(
    store: CaseStore, call_id: int, checked: dict[int, tuple[str, list[dict[str, Any]]]]
) -> None:
    """Store each segment's shown English and notes, ``{segment_id: (english, notes)}``."""
    with store.transaction():
        store.conn.executemany(
            "UPDATE segments SET translation_machine = coalesce(translation_machine, translation),"
            " translation = ?, translation_doubts = ? WHERE id = ? AND translation_version = 1",
            [
                (english, json.dumps(notes, ensure_ascii=False) if notes else None, segment_id)
                for segment_id, (english, notes) in checked.items()
            ],
        )
        doubtful = sum(any(not n.get("fixed") for n in notes) for _, notes in checked.values())
        fixed = sum(any(n.get("fixed") for n in notes) for _, notes in checked.values())
        store.log(
            "check-translation",
            store.call_sha256(call_id),
            segments=len(checked),
            doubtful=doubtful,
            fixed=fixed,
        )


def correct_translation(
    store: CaseStore,
    call_id: int,
    segment_id: int,
    text: str,
    editor: str,
    expected_version: int,
    note: str = "",
) -> int:
    """Make ``text`` the segment's English; returns its new version.

    Raises:
        ReviewError: no such segment in the call, or empty text.
        ConflictError: the English is no longer at ``expected_version``.
    """
    text = " ".join(text.split())
    if not text:
        raise ReviewError("corrected English needs some text; annotate the call instead")
    now = utc_now()
    with store.transaction():
        sha256 = sha256_of_call(store, call_id)
        row = store.conn.execute(
            'SELECT channel, start, "end", translation, translation_engine, translation_version'
            " FROM segments WHERE id = ? AND call_id = ?",
            (segment_id, call_id),
        ).fetchone()
        if row is None:
            raise ReviewError(f"call {call_id} has no segment {segment_id}")
        current = row["translation_version"]
        if current != expected_version:
            raise ConflictError(call_id, expected_version, current, what="English")
        insert = (
            'INSERT INTO translation_versions (call_id, segment_id, channel, start, "end",'
            " version, text, engine, editor, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        place = (call_id, segment_id, row["channel"], row["start"], row["end"])
        if current == 1:  # keep the machine's English, before the first change
            machine = row["translation"] or ""
            store.conn.execute(
                insert, (*place, 1, machine, row["translation_engine"], "callsift", "", now)
            )
        store.conn.execute(insert, (*place, current + 1, text, None, editor, note.strip(), now))
        store.conn.execute(
            "UPDATE segments SET translation = ?, translation_version = ?,"
            " translation_doubts = NULL WHERE id = ?",
            (text, current + 1, segment_id),
        )
        store.log(
            "correct-translation",
            sha256,
            call_id=call_id,
            segment=segment_id,
            version=current + 1,
            text=text,
        )
    return current + 1


def translation_versions_of(store: CaseStore, call_id: int) -> dict[int, list[TranslationVersion]]:
    """Every segment's English versions where a reviewer changed it, oldest first."""
    versions: dict[int, list[TranslationVersion]] = {}
    for r in store.conn.execute(
        "SELECT * FROM translation_versions WHERE call_id = ? ORDER BY segment_id, version",
        (call_id,),
    ):
        versions.setdefault(r["segment_id"], []).append(
            TranslationVersion(
                r["segment_id"],
                r["version"],
                r["text"],
                r["engine"],
                r["editor"],
                r["note"],
                r["at"],
            )
        )
    return versions


def english_to_repair(
    store: CaseStore, engine: str
) -> list[tuple[int, str, dict[int, tuple[int, float, float]]]]:
    """Calls with ``engine``'s English that lacks a name or number, not yet tried again.

    Returns ``(call_id, sha256, {segment_id: (channel, start, end)})`` per call
    (see ``callsift.translate.repair``).
    """
    rows = store.conn.execute(
        'SELECT s.id, s.call_id, s.channel, s.start, s."end", s.translation_doubts, c.sha256'
        " FROM segments s JOIN calls c ON c.id = s.call_id"
        " WHERE c.status = 'done' AND s.translation_engine = ? AND s.translation_version = 1"
        " AND s.translation_doubts IS NOT NULL AND s.translation_repair IS NULL"
        " ORDER BY s.call_id, s.start, s.channel",
        (engine,),
    )
    found: dict[int, tuple[str, dict[int, tuple[int, float, float]]]] = {}
    for r in rows:
        notes = json.loads(r["translation_doubts"])
        if any(n["check"] in ("name", "number") and not n.get("fixed") for n in notes):
            _, places = found.setdefault(r["call_id"], (r["sha256"], {}))
            places[r["id"]] = (r["channel"], r["start"], r["end"])
    return [(call_id, sha, places) for call_id, (sha, places) in found.items()]


def save_repairs(
    store: CaseStore,
    call_id: int,
    tried: dict[int, tuple[str | None, float | None, dict[str, Any]]],
) -> None:
    """Record each segment's second try, ``{segment_id: (english or None, logprob, what)}``.

    ``english`` replaces the machine's English when the try was kept (the
    checks run again after); ``what`` is kept either way, so no segment is
    tried twice under the same transcript.
    """
    with store.transaction():
        for segment_id, (english, logprob, what) in tried.items():
            store.conn.execute(
                "UPDATE segments SET translation_repair = ?,"
                " translation_machine = coalesce(?, translation_machine),"
                " translation = coalesce(?, translation),"
                " translation_logprob = CASE WHEN ? IS NULL THEN translation_logprob ELSE ? END"
                " WHERE id = ? AND translation_version = 1",
                (json.dumps(what, ensure_ascii=False), english, english, english, logprob)
                + (segment_id,),
            )
        kept = sum(english is not None for english, _, _ in tried.values())
        store.log("repair-translation", store.call_sha256(call_id), segments=len(tried), kept=kept)
