"""Low-confidence words and findings as the HTML and PDF reports mark them."""

from __future__ import annotations

from pathlib import Path

from callsift.analyze.confidence import LOW_CONFIDENCE, is_low
from callsift.export.formats import write_format
from callsift.export.report_html import _excerpt
from callsift.export.unsure import excerpt_pieces
from callsift.parties import SpeakerParty
from callsift.records import Word
from callsift.store import CaseStore
from callsift.store.export_queries import Excerpt, flagged_excerpts

from .conftest import pdf_text

LOW = round(LOW_CONFIDENCE / 2, 2)
CALLER = SpeakerParty("caller", number="+79035551708")


def excerpt(confidence: float) -> Excerpt:
    text = "Под <i>Бучей</i> убили двоих."
    words = (
        Word(0, 1, " Под", 0.9),
        Word(1, 2, " <i>Бучей</i>", LOW),
        Word(2, 3, " убили", confidence),
        Word(3, 4, " двоих.", 0.9),
    )
    start = text.index("убили")
    return Excerpt(
        call_id=1,
        file="call.wav",
        channel=0,
        start=0.0,
        end=4.0,
        topic="casualties",
        term="убить",
        match="убили",
        start_char=start,
        end_char=start + 5,
        language="ru",
        text=text,
        translation=None,
        confidence=confidence,
        words=words,
    )


def test_pieces_cut_at_the_match_and_at_each_unsure_word() -> None:
    pieces = excerpt_pieces(excerpt(LOW))
    assert "".join(p.text for p in pieces) == "Под <i>Бучей</i> убили двоих."
    assert [(p.text, p.matched, p.probability) for p in pieces if p.probability or p.matched] == [
        ("<i>Бучей</i>", False, LOW),
        ("убили", True, LOW),
    ]


def test_html_marks_unsure_words_and_a_match_resting_on_one_as_text() -> None:
    html = _excerpt(excerpt(LOW), CALLER)
    assert "<i>" not in html
    assert " · Caller, +79035551708 · " in html  # who said it, not the channel
    assert f'<span class="unsure" title="heard with probability {LOW:.2f}">&lt;i&gt;' in html
    assert f'<mark><span class="unsure" title="heard with probability {LOW:.2f}">убили' in html
    assert f"uncertain: the match rests on a word heard with probability {LOW:.2f}" in html
    sure = _excerpt(excerpt(0.95), CALLER)
    assert "<mark>убили</mark>" in sure and "uncertain:" not in sure


def test_the_case_report_marks_what_the_case_heard_unsurely(
    export_case: CaseStore, tmp_path: Path
) -> None:
    excerpts = flagged_excerpts(export_case, None)
    html = write_format(export_case, "html", None, tmp_path / "case.html").read_text("utf-8")
    unsure = [e for e in excerpts if any(p.probability for p in excerpt_pieces(e))]
    assert html.count('class="unsure"') >= len(unsure)
    resting = sum(1 for e in excerpts if is_low(e.confidence))
    assert html.count("uncertain: the match rests on") == resting
    text = pdf_text(write_format(export_case, "pdf", None, tmp_path / "case.pdf").read_bytes())
    assert ("underlined: words heard with low confidence" in text) == bool(unsure)
