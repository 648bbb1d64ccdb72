"""Word confidence mapped onto the text, carried to findings, and summed per call."""

from __future__ import annotations

from dataclasses import replace

from callsift.analyze.confidence import (
    LOW_CONFIDENCE,
    TYPED,
    call_certainty,
    is_low,
    span_confidence,
    word_spans,
)
from callsift.analyze.flags import load_watchlists
from callsift.analyze.run import analyze_segment
from callsift.records import Segment, Word

LOW = LOW_CONFIDENCE / 2
SURE = (1 + LOW_CONFIDENCE) / 2


def heard(*words: tuple[str, float], channel: int = 0) -> Segment:
    """A segment as the recogniser gives it: each word with its leading space."""
    ws = [Word(i, i + 0.9, text, p) for i, (text, p) in enumerate(words)]
    return Segment(channel, 0, len(ws), "".join(w.word for w in ws).strip(), "ru", words=ws)


def test_each_word_of_the_heard_text_keeps_its_own_probability() -> None:
    seg = heard((" Мы", 0.9), (" в", 0.8), (" Быче,", LOW), (" наконец", 0.7), ("-то.", 0.6))
    spans = word_spans(seg)
    assert [seg.text[s.start_char : s.end_char] for s in spans] == [
        "Мы",
        "в",
        "Быче,",
        "наконец",
        "-то.",
    ]
    assert [s.probability for s in spans] == [0.9, 0.8, LOW, 0.7, 0.6]
    assert not any(s.typed for s in spans)


def test_a_span_is_as_sure_as_the_weakest_word_it_touches() -> None:
    seg = heard((" Мы", 0.9), (" в", 0.8), (" Быче,", LOW), (" тут", 0.95))
    spans = word_spans(seg)
    start = seg.text.index("Быче")
    assert span_confidence(spans, start, start + 4) == LOW
    assert span_confidence(spans, 0, seg.text.index("в") + 1) == 0.8
    assert span_confidence(spans, seg.text.index("тут"), len(seg.text)) == 0.95
    assert span_confidence([], 0, 3) is None


def test_in_a_corrected_text_typed_words_are_certain_and_kept_words_keep_theirs() -> None:
    seg = heard((" Второй", 0.83), (" Патальюн", LOW), (" почти", 0.4), (" весь", 0.99))
    corrected = replace(seg, text="Второй батальон почти весь погиб.", version=2)
    spans = {corrected.text[s.start_char : s.end_char]: s for s in word_spans(corrected)}
    assert spans["Второй"].probability == 0.83 and not spans["Второй"].typed
    assert spans["почти"].probability == 0.4  # left as heard: nobody confirmed it
    assert spans["батальон"].probability == TYPED and spans["батальон"].typed
    assert spans["погиб."].probability == TYPED
    start = corrected.text.index("батальон")
    assert span_confidence(word_spans(corrected), start, start + 8) == TYPED


def test_a_word_heard_in_pieces_is_one_token_of_the_corrected_text() -> None:
    seg = heard((" Андрей,", 0.9), (" наконец", 0.7), ("-то,", LOW), (" где", 0.95), (" ты", 0.2))
    corrected = replace(seg, text="Андрей, наконец-то, где ты?!", version=2)
    spans = word_spans(corrected)
    assert [corrected.text[s.start_char : s.end_char] for s in spans] == [
        "Андрей,",
        "наконец-то,",
        "где",
        "ты?!",
    ]
    assert [s.probability for s in spans] == [0.9, LOW, 0.95, 0.2]


def test_a_correction_of_punctuation_or_case_only_keeps_the_heard_probability() -> None:
    seg = heard((" мы", 0.9), (" в", 0.8), (" буче", LOW))
    corrected = replace(seg, text="Мы в Буче.", version=2)
    assert [s.probability for s in word_spans(corrected)] == [0.9, 0.8, LOW]


def test_a_finding_on_an_unsure_word_carries_its_confidence() -> None:
    seg = heard(
        (" Мама,", 0.9),
        (" нам", 0.9),
        (" приказали", 0.95),
        (" стрелять", 0.9),
        (" по", 0.9),
        (" мирным,", 0.9),
        (" мы", 0.9),
        (" в", 0.9),
        (" Быче.", LOW),
    )
    result = analyze_segment(seg, load_watchlists())
    (place,) = [m for m in result.mentions if m.type == "LOC"]
    assert place.confidence == LOW and is_low(place.confidence)
    (order,) = [f for f in result.flags if f.topic == "orders"]
    assert order.confidence is not None and not is_low(order.confidence)
    assert order.confidence == span_confidence(word_spans(seg), order.start_char, order.end_char)


def test_a_findings_confidence_follows_a_reviewers_correction() -> None:
    seg = heard((" Мы", 0.9), (" в", 0.9), (" Гуче,", LOW), (" тут", 0.9), (" страшно.", 0.9))
    corrected = replace(seg, text="Мы в Буче, тут страшно.", version=2)
    (place,) = [m for m in analyze_segment(corrected, load_watchlists()).mentions]
    assert place.normal == "Буча" and place.confidence == TYPED


def test_a_call_is_scored_by_the_mean_probability_of_its_words() -> None:
    left = heard((" да", 0.9), (" нет", LOW), channel=0)
    right = heard((" ну", 0.8), (" вот", 0.6), channel=1)
    sure = call_certainty([left, right])
    assert (sure.words, sure.low_words) == (4, 1)
    assert sure.score == round((0.9 + LOW + 0.8 + 0.6) / 4, 4)
    corrected = replace(left, text="да, конечно", version=2)
    assert call_certainty([corrected, right]).score > sure.score  # a typed word is sure
    assert call_certainty([], speech_s=12.0).score == 0.0  # speech, nothing kept
    assert call_certainty([], speech_s=0.0).score == 1.0  # nothing to review
