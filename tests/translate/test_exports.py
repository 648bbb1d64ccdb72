"""Exported English says it is a machine's, marks doubtful lines and never prints a loop."""

from __future__ import annotations

from callsift.export.transcripts import to_srt, to_txt
from callsift.records import Segment


def _segments() -> list[Segment]:
    doubt = {"check": "number", "detail": "двенадцать (12) is not in the English", "fixed": False}
    fixed = {"check": "name", "detail": "Буча is Bucha; the model wrote 'Buccia'", "fixed": True}
    return [
        Segment(0, 0.0, 2.0, "Мы в Буче.", "ru", translation="We are in Bucha.",
                translation_notes=[fixed]),
        Segment(0, 2.5, 4.0, "Убили двенадцать.", "ru", translation="They killed.",
                translation_notes=[doubt]),
        Segment(0, 4.5, 6.0, "Держись.", "ru", translation="",
                translation_dropped="I'm sorry, ×60", translation_notes=[doubt]),
    ]  # fmt: skip


def test_english_exports_mark_doubts_and_dropped_loops() -> None:
    text = to_txt(_segments(), translation=True, title="Call 1, English translation")
    assert text.startswith("Machine translation")
    lines = text.splitlines()
    assert lines[-3].endswith("We are in Bucha.")
    assert lines[-2].endswith("[doubtful] They killed.")
    assert lines[-1].endswith("[translation dropped: it looped (I'm sorry, ×60)]")
    assert "I'm sorry, I'm sorry" not in to_srt(_segments(), translation=True)
    assert "[doubtful]" not in to_txt(_segments())  # the transcript itself is not marked
