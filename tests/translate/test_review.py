"""Checked English stored with its notes; reviewers' English kept as append-only versions."""

from __future__ import annotations

import io
import sqlite3

import pytest

from callsift.errors import ConflictError, ReviewError
from callsift.records import AudioInfo, ChannelTranscript, Mention, Segment
from callsift.store import CaseStore
from callsift.store.analysis import SegmentAnalysis, save_analysis, save_translations
from callsift.store.translations import (
    correct_translation,
    english_of,
    translation_versions_of,
)
from callsift.translate.verify import check_call

INFO = AudioInfo(duration_s=4.0, sample_rate=8000, channels=1, codec="pcm_s16le", container="wav")


def _transcribed(store: CaseStore, english: str, run: str = '{"k": 1}') -> int:
    sha, size, _ = store.originals.put(io.BytesIO(b"RIFF-bytes"))
    call_id = store.add_call(sha, "a.wav", "/in/a.wav", size)[0]
    segment = Segment(0, 0.0, 3.0, "Мы в городе Буча, убили двенадцать человек.", "ru")
    segment.translation, segment.translation_logprob = english, -0.4
    channel = ChannelTranscript(
        0, "ru", 0.9, 3.0, [segment], translation_engine="whisper-translate"
    )
    assert store.save_transcript(call_id, INFO, [channel], run)
    return call_id


def _analysed(store: CaseStore, call_id: int) -> int:
    segment_id = english_of(store, call_id)[0].segment_id
    bucha = Mention(
        "LOC", "Буча", "Буча", 12, 16, attrs={"english": "Bucha"}, segment_id=segment_id
    )
    save_analysis(store, call_id, "key", [SegmentAnalysis(segment_id, "", [bucha])])
    check_call(store, call_id)
    return segment_id


def test_the_check_stores_the_shown_english_and_keeps_the_machines(case: CaseStore) -> None:
    call_id = _transcribed(case, "We are in the city of Buccia, people were killed.")
    _analysed(case, call_id)
    check_call(case, call_id)  # again: the same notes, not a note on the fixed English
    (row,) = english_of(case, call_id)
    assert row.english == "We are in the city of Bucha, people were killed."
    assert row.machine == "We are in the city of Buccia, people were killed."
    assert [(n["check"], n["fixed"]) for n in row.notes] == [("name", True), ("number", False)]
    assert row.doubtful
    assert case.custody()[-1]["action"] == "check-translation"


def test_a_reviewers_english_is_versioned_and_never_overwritten(case: CaseStore) -> None:
    call_id = _transcribed(case, "We are in the city of Buccia.")
    segment_id = _analysed(case, call_id)
    fixed = "We are in the town of Bucha. Twelve people were killed."
    assert correct_translation(case, call_id, segment_id, fixed, "reviewer", 1, "heard") == 2
    with pytest.raises(ConflictError, match="English changed since version 1"):
        correct_translation(case, call_id, segment_id, "Other.", "late", 1)
    with pytest.raises(ReviewError):
        correct_translation(case, call_id, segment_id, "  ", "reviewer", 2)
    versions = translation_versions_of(case, call_id)[segment_id]
    assert [(v.version, v.editor, v.text) for v in versions] == [
        (1, "callsift", "We are in the city of Bucha."),
        (2, "reviewer", fixed),
    ]
    assert case.custody()[-1]["action"] == "correct-translation"
    # Neither a check, a text engine nor a new transcription replaces it.
    check_call(case, call_id)
    save_translations(case, call_id, "argos-translate 1.9", {segment_id: "Machine again."})
    assert not case.save_transcript(call_id, INFO, [], '{"k": 2}')
    (row,) = english_of(case, call_id)
    assert (row.english, row.version, row.notes) == (fixed, 2, [])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        case.conn.execute("DELETE FROM translation_versions")
    with pytest.raises(sqlite3.IntegrityError, match="corrected English"):
        case.conn.execute("DELETE FROM segments WHERE id = ?", (segment_id,))
