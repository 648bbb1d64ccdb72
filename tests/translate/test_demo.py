"""The demo corpus's English, measured as ``benchmarks/translation.py`` does, held to floors.

Floors sit just under the figures measured on the demo corpus (both
``CALLSIFT_REPRODUCIBLE`` modes); the README's Accuracy section has them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callsift.store import CaseStore
from callsift.store.analysis import mentions_of
from callsift.store.translations import english_of
from callsift.translate.quality import TranslationQuality, measure_call

REFERENCES = Path(__file__).resolve().parents[2] / "demo" / "references.json"


@pytest.fixture(scope="module")
def measured(demo_case: Path) -> tuple[TranslationQuality, float]:
    from sacrebleu.metrics import CHRF

    references = json.loads(REFERENCES.read_text(encoding="utf-8"))
    total = TranslationQuality()
    hypotheses: list[str] = []
    refs: list[str] = []
    with CaseStore(demo_case) as store:
        calls = store.conn.execute("SELECT id, file FROM calls WHERE status = 'done'").fetchall()
        for call_id, file in calls:
            rows = english_of(store, call_id)
            total.add(measure_call(rows, mentions_of(store, call_id)))
            for channel, reference in references.get(file, {}).get("channels", {}).items():
                hypotheses.append(
                    " ".join(r.english or "" for r in rows if str(r.channel) == channel)
                )
                refs.append(reference)
    return total, CHRF().corpus_score(hypotheses, [refs]).score


def test_every_call_with_speech_has_a_reference(demo_case: Path) -> None:
    references = json.loads(REFERENCES.read_text(encoding="utf-8"))
    with CaseStore(demo_case) as store:
        spoken = {
            row["file"]
            for row in store.conn.execute(
                "SELECT DISTINCT c.file FROM calls c JOIN segments s ON s.call_id = c.id"
            )
        }
    assert spoken <= set(references)


def test_no_segment_shows_english_of_its_neighbour_or_a_loop(
    measured: tuple[TranslationQuality, float],
) -> None:
    quality, _ = measured
    assert quality.segments > 50
    assert quality.misaligned == 0
    assert quality.loops_shown == 0


def test_every_name_and_number_is_right_or_marked(
    measured: tuple[TranslationQuality, float],
) -> None:
    quality, _ = measured
    assert quality.names >= 5 and quality.numbers >= 10
    assert quality.names_right + quality.names_marked == quality.names
    assert quality.numbers_right + quality.numbers_marked == quality.numbers
    assert quality.names_right / quality.names >= NAMES_FLOOR
    assert quality.numbers_right / quality.numbers >= NUMBERS_FLOOR


def test_chrf_against_the_hand_written_references(
    measured: tuple[TranslationQuality, float],
) -> None:
    _, chrf = measured
    assert chrf >= CHRF_FLOOR


# Measured on the demo corpus of 30 calls (reproducible / native kernels), with
# the segments that lost a name or a number translated again
# (callsift.translate.repair): names 8/8 / 9/9 right; numbers 13/15 / 14/15, the
# rest marked; chrF 42.8 / 44.1 (6/9 / 5/9, 14/16 / 14/15, 43.2 / 43.6 before).
# Features rounded four equally exact ways (the reproducible mode with OpenBLAS
# on one thread, as now, and on two; the native kernels; the mel product summed
# without BLAS) moved 140-157 of 857 words each and gave numbers 13/15-15/16 and
# chrF 42.8-44.1: the floors sit under that spread, not under one of its draws.
NAMES_FLOOR = 0.85
NUMBERS_FLOOR = 0.85
CHRF_FLOOR = 42.5


def test_report_excerpts_name_the_model_that_wrote_the_english(demo_case: Path) -> None:
    from callsift.store.export_queries import flagged_excerpts

    with CaseStore(demo_case) as store:
        translated = [e for e in flagged_excerpts(store, None) if e.translation]
    assert translated
    assert {e.translation_engine for e in translated} == {"Whisper base, translate task"}
