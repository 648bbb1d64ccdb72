"""The translation checks: names set from the gazetteer, numbers kept, loops dropped."""

from __future__ import annotations

from callsift.records import Mention
from callsift.translate.checks import (
    caption,
    check_translation,
    collapse_loops,
    english_numbers,
    transliterate,
)


def place(text: str, normal: str, english: str) -> Mention:
    return Mention("LOC", text, normal, 0, len(text), attrs={"english": english})


def test_an_invented_town_name_is_replaced_by_the_gazetteers_and_noted() -> None:
    check = check_translation(
        "Мы в городе Буча, город весь разбит.",
        "ru",
        "We are in the city of Buccia. The city is broken.",
        [place("Буча", "Буча", "Bucha")],
    )
    assert check.english == "We are in the city of Bucha. The city is broken."
    assert [(n["check"], n["fixed"]) for n in check.notes] == [("name", True)]
    assert "Buccia" in check.notes[0]["detail"] and not check.doubtful
    inflected = check_translation(
        "Мы стоим в херсоне уже неделю.",
        "ru",
        "We are in Khirsanya for a week.",
        [place("херсоне", "Херсон", "Kherson")],
    )
    assert inflected.english == "We are in Kherson for a week."


def test_a_name_the_english_lost_marks_the_segment() -> None:
    check = check_translation(
        "Нас отправили в Мариуполь.",
        "ru",
        "We are in the direction of the sea.",
        [place("Мариуполь", "Мариуполь", "Mariupol")],
    )
    assert check.english == "We are in the direction of the sea."
    assert check.doubtful and check.notes[0]["check"] == "name"


def test_a_right_name_is_left_alone() -> None:
    check = check_translation(
        "Нас отправили в Мариуполь.",
        "ru",
        "They sent us to Mariupol.",
        [place("Мариуполь", "Мариуполь", "Mariupol")],
    )
    assert check.notes == [] and check.english == "They sent us to Mariupol."


def test_numbers_must_survive_as_digits_or_words() -> None:
    source = "Из нашей роты осталось двадцать человек, второй батальон погиб."
    kept = check_translation(
        source, "ru", "Twenty men are left of our company, the 2nd battalion died.", []
    )
    assert kept.notes == []
    lost = check_translation(source, "ru", "Men are left of our company, the battalion died.", [])
    assert [n["check"] for n in lost.notes] == ["number", "number"]
    assert lost.doubtful
    changed = check_translation("Убили двенадцать человек.", "ru", "12 people were killed.", [])
    assert changed.notes == []
    wrong = check_translation("Убили двенадцать человек.", "ru", "Two people were killed.", [])
    assert "двенадцать" in wrong.notes[0]["detail"]


def test_english_numbers_reads_words_compounds_and_ordinals() -> None:
    found = english_numbers("three hundred and thirty-one, the 20th of March, 1,200 men, fifth")
    assert {331.0, 20.0, 1200.0, 5.0} <= found
    assert english_numbers("no numbers here") == set()


def test_a_loop_is_cut_out_whole_and_said_so() -> None:
    english = "We are waiting for you. " + "I'm sorry, " * 60
    kept, dropped = collapse_loops(english)
    assert kept == "We are waiting for you."
    assert dropped is not None and "I'm sorry" in dropped and "×60" in dropped
    assert collapse_loops("No, no, no. I know.") == ("No, no, no. I know.", None)


def test_length_confidence_empty_and_loop_are_doubts() -> None:
    source = "Командиры сидят в тылу. Нас всё время обманывают."
    short = check_translation(source, "ru", "Yes.", [])
    assert [n["check"] for n in short.notes] == ["length"]
    unsure = check_translation(source, "ru", "The commanders sit in the rear. They lie.", [], -1.4)
    assert [n["check"] for n in unsure.notes] == ["confidence"]
    empty = check_translation("Убили двенадцать.", "ru", "", [], None, "I'm sorry ×40")
    assert [n["check"] for n in empty.notes] == ["empty", "number", "loop"]
    looped = check_translation(
        source, "ru", "The commanders sit in the rear and lie.", [], None, "x ×9"
    )
    assert [n["check"] for n in looped.notes] == ["loop"]


def test_the_caption_names_the_engine_and_the_doubts() -> None:
    notes = [{"check": "number", "detail": "двенадцать (12) is not in the English", "fixed": False}]
    assert caption("whisper-translate", notes).startswith("machine translation (whisper-translate)")
    assert "DOUBTFUL: двенадцать" in caption("whisper-translate", notes)
    assert "DOUBTFUL" not in caption(None, [])
    # A reviewer's English is never called a machine's, whatever engine wrote version 1.
    assert caption("whisper-translate", [], version=3) == "English corrected by a reviewer (v3)"


def test_transliteration_is_plain_latin() -> None:
    assert transliterate("Херсон") == "kherson"
    assert transliterate("Киев") == "kiev"
