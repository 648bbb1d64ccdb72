"""Consistency checks: each fires on the demo corpus's planted problem, and on nothing else.

The expectations come from ``demo/truth.json`` ("planted"); the checks run on
the real case (transcripts and analysis of the real model on the real audio).
The rules at their edges (tolerances, which numbers expect which language) are
tested on the same stored calls with one metadata value changed.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from callsift.analyze.flags import load_watchlists
from callsift.analyze.run import AnalyzeOptions, analyze_segment
from callsift.audio import DecodeOptions, decode
from callsift.records import Call, FindingRecord, Segment
from callsift.store import CaseStore, channels_of, get_call, list_calls, segments_of
from callsift.store.analysis import mentions_of
from callsift.store.findings import list_findings
from callsift.verify import CHECK_KINDS, CheckOptions, check_case
from callsift.verify.checks import CallFacts, date_mismatch, duration_mismatch
from callsift.verify.duplicates import Heard, duplicate_speech
from callsift.verify.places import (
    country_language,
    country_places,
    place_mismatch,
    resolve_location,
)
from callsift.verify.signals import RATE, Fingerprint, abrupt_cuts, fingerprint, silence_islands

Checked = tuple[CaseStore, list[FindingRecord]]
OPTIONS = CheckOptions()


def facts_of(store: CaseStore, call_id: int) -> CallFacts:
    """A stored call as the checks see it (what ``check_case`` builds)."""
    call = get_call(store, call_id)
    assert call is not None
    return CallFacts(
        call, channels_of(store, call_id), segments_of(store, call_id), mentions_of(store, call_id)
    )


def _calls_by_name(store: CaseStore) -> dict[str, Call]:
    return {name: call for call in list_calls(store) for name in call.names}


def _planted(truth: dict[str, Any], by_name: dict[str, Call]) -> Counter[tuple[str, str]]:
    """``(call file, finding kind)`` for every problem truth.json says was planted."""
    planted = truth["planted"]
    expected: Counter[tuple[str, str]] = Counter()

    def add(file: str, kind: str, count: int = 1) -> None:
        expected[(by_name[file].file, kind)] += count

    add(planted["duplicate"]["files"][0], "duplicate-file")
    for kind in ("date-mismatch", "duration-mismatch", "place-mismatch"):
        add(planted["metadata_mismatch"]["file"], kind)
    add(planted["malformed_started_at"]["file"], "metadata-invalid")
    for number in planted["number_formats"]:
        if number["e164"] is None:
            add(number["file"], "metadata-invalid")
    add(planted["reexport"]["files"][1], "duplicate-speech")
    add(planted["edited"]["file"], "edited-audio", len(planted["edited"]["edits"]))
    return expected


def _one(findings: list[FindingRecord], call: Call, kind: str) -> FindingRecord:
    (found,) = [f for f in findings if f.call_id == call.id and f.kind == kind]
    return found


def test_every_planted_problem_is_found_and_no_clean_call_raises_one(
    checked: Checked, truth: dict[str, Any]
) -> None:
    store, findings = checked
    by_name = _calls_by_name(store)
    files = {call.id: call.file for call in by_name.values()}
    found = Counter((files[f.call_id], f.kind) for f in findings)
    assert found == _planted(truth, by_name)
    assert {f.kind for f in findings} <= set(CHECK_KINDS)
    # What check_case returns is what it stored.
    assert list_findings(store) == sorted(findings, key=lambda f: (f.call_id, f.kind))


def test_date_spoken_against_started_at(checked: Checked, truth: dict[str, Any]) -> None:
    store, findings = checked
    planted = truth["planted"]["metadata_mismatch"]
    call = _calls_by_name(store)[planted["file"]]
    found = _one(findings, call, "date-mismatch")
    assert found.severity == "problem"
    assert found.detail["implied_date"] == planted["content"]["date"]
    assert found.detail["metadata_date"] == planted["metadata"]["started_at"][:10]
    assert found.detail["days"] == 18 and found.score == 18.0
    assert found.detail["day_word"].lower() == "сегодня"
    said_in = [
        s
        for s in facts_of(store, call.id).segments
        if s.start <= found.detail["at_s"] <= s.end and found.detail["said"] in s.text
    ]
    assert len(said_in) == 1  # the finding points at the second it was said


def test_duration_in_the_sheet_against_the_audio(checked: Checked, truth: dict[str, Any]) -> None:
    store, findings = checked
    planted = truth["planted"]["metadata_mismatch"]
    found = _one(findings, _calls_by_name(store)[planted["file"]], "duration-mismatch")
    assert found.detail["metadata_s"] == planted["metadata"]["duration_s"]
    assert found.detail["audio_s"] == pytest.approx(planted["content"]["duration_s"], abs=0.05)


def test_location_in_the_sheet_against_the_places_named(
    checked: Checked, truth: dict[str, Any]
) -> None:
    store, findings = checked
    planted = truth["planted"]["metadata_mismatch"]
    found = _one(findings, _calls_by_name(store)[planted["file"]], "place-mismatch")
    assert found.detail["location"] == planted["metadata"]["location"]
    (place,) = found.detail["places"]
    assert place["english"] in planted["content"]["location"]
    assert 400 < place["km"] < 500  # Kyiv to Kherson, great circle


def test_same_bytes_under_two_names(checked: Checked, truth: dict[str, Any]) -> None:
    store, findings = checked
    planted = truth["planted"]["duplicate"]
    call = _calls_by_name(store)[planted["files"][0]]
    found = _one(findings, call, "duplicate-file")
    assert found.detail["names"] == planted["files"]
    assert found.detail["sha256"] == planted["sha256"]
    # "metadata rows differ only in notes and intercept_ref": nothing that
    # makes them different intercepts, hence info, not a warning.
    assert set(found.detail["differences"]) == {"notes", "intercept_ref"}
    assert found.severity == "info"


def test_same_speech_in_a_re_exported_file(checked: Checked, truth: dict[str, Any]) -> None:
    store, findings = checked
    first, later = (_calls_by_name(store)[f] for f in truth["planted"]["reexport"]["files"])
    found = _one(findings, later, "duplicate-speech")
    assert found.other_call_id == first.id
    assert found.detail["audio_similarity"] >= OPTIONS.min_audio_similarity
    # The re-export has a 1.7 s lead-in: the earlier call starts 1.7 s into it.
    assert found.detail["offset_s"] == pytest.approx(-1.7, abs=0.05)
    # Reported once, on the later call; the earlier call's list shows it too.
    assert not [f for f in findings if f.call_id == first.id]
    assert found in list_findings(store, call_id=first.id)


def test_signs_of_editing_where_the_edits_were_made(
    checked: Checked, truth: dict[str, Any]
) -> None:
    store, findings = checked
    planted = truth["planted"]["edited"]
    call = _calls_by_name(store)[planted["file"]]
    signs = {f.detail["sign"]: f.detail for f in findings if f.call_id == call.id}
    (silence,) = [edit for edit in planted["edits"] if "spliced_silence_at_s" in edit]
    (cut,) = [edit for edit in planted["edits"] if "cut_at_s" in edit]
    assert signs["spliced-silence"]["start"] == pytest.approx(
        silence["spliced_silence_at_s"], abs=0.02
    )
    assert signs["spliced-silence"]["end"] - signs["spliced-silence"]["start"] == pytest.approx(
        silence["length_s"], abs=0.03
    )
    assert signs["cut"]["at_s"] == pytest.approx(cut["cut_at_s"], abs=0.03)


def test_a_rerun_replaces_the_findings_and_is_logged(demo_case: Path, tmp_path: Path) -> None:
    shutil.copytree(demo_case, tmp_path / "case")
    with CaseStore(tmp_path / "case") as store:
        first = check_case(store)
        again = check_case(store)
        assert again == first
        assert list_findings(store) == sorted(first, key=lambda f: (f.call_id, f.kind))
        runs = [entry for entry in store.custody() if entry["action"] == "check"]
        assert [entry["detail"]["findings"] for entry in runs] == [len(first), len(first)]
        assert sorted(runs[-1]["detail"]["kinds"]) == sorted(CHECK_KINDS)


def _heard(store: CaseStore, file: str, *, audio: bool = True, words: bool = True) -> Heard:
    facts = _facts(store, file)
    prints: list[Fingerprint] = []
    if audio:
        path = store.originals.path(facts.call.sha256)
        _, tracks = decode(path, DecodeOptions(sample_rate=RATE))
        prints = [fingerprint(track) for track in tracks]
    return Heard(facts if words else dataclasses.replace(facts, segments=[]), prints)


def test_either_the_audio_or_the_transcript_finds_the_same_speech(
    checked: Checked, truth: dict[str, Any]
) -> None:
    store = checked[0]
    first, later = truth["planted"]["reexport"]["files"]
    by_audio = duplicate_speech(
        [_heard(store, first, words=False), _heard(store, later, words=False)], OPTIONS
    )
    assert [f.detail["transcript_similarity"] for f in by_audio] == [0.0]
    assert by_audio[0].detail["audio_similarity"] >= OPTIONS.min_audio_similarity
    # A re-recording through a loudspeaker keeps only the words.
    by_words = duplicate_speech(
        [_heard(store, first, audio=False), _heard(store, later, audio=False)], OPTIONS
    )
    assert [f.detail["audio_similarity"] for f in by_words] == [0.0]
    assert by_words[0].detail["transcript_similarity"] >= OPTIONS.min_transcript_similarity
    # The same voice saying other things is no copy, nor is a shared phrase.
    others = [_heard(store, name) for name in ("call_001.wav", "call_002.wav", "call_009.flac")]
    assert duplicate_speech(others, OPTIONS) == []


# -- the rules at their edges, on stored calls with one metadata value changed ----------------


def _with(facts: CallFacts, **metadata: Any) -> CallFacts:
    call = dataclasses.replace(facts.call, metadata={**(facts.call.metadata or {}), **metadata})
    return dataclasses.replace(facts, call=call)


def _facts(store: CaseStore, file: str) -> CallFacts:
    return facts_of(store, _calls_by_name(store)[file].id)


@pytest.mark.parametrize(
    ("started_at", "days"),
    [
        ("2022-03-20T10:00:00+03:00", None),  # the day the speaker says
        ("2022-03-21T00:30:00+03:00", None),  # one day of slack: time zones, midnight
        ("2022-03-19T23:50:00+03:00", None),
        ("2022-03-22T09:00:00+03:00", -2),
        ("2022-04-20T09:00:00+03:00", -31),
    ],
)
def test_date_tolerance(checked: Checked, started_at: str, days: int | None) -> None:
    facts = _with(_facts(checked[0], "call_008.m4a"), started_at=started_at)
    found = date_mismatch(facts, OPTIONS)
    assert [f.detail["days"] for f in found] == ([] if days is None else [days])


def _spoken(text: str, started_at: str) -> CallFacts:
    """A call whose one segment says ``text``, analysed by the real analyser."""
    segment = Segment(0, 1.0, 5.0, text, "ru")
    watchlists = load_watchlists(AnalyzeOptions().watchlists)
    mentions = analyze_segment(segment, watchlists, 1).mentions
    call = Call(1, "0" * 64, "a.wav", 1, "done", None, "", metadata={"started_at": started_at})
    return CallFacts(call, [], [segment], mentions)


@pytest.mark.parametrize(
    ("text", "started_at", "implied"),
    [
        ("Вчера было девятнадцатое марта.", "2022-03-20T12:00:00+03:00", None),
        ("Вчера было девятнадцатое марта.", "2022-03-25T12:00:00+03:00", "2022-03-20"),
        ("Завтра двадцать первое марта, мама.", "2022-03-10T12:00:00+03:00", "2022-03-20"),
        ("Сьогодні двадцяте березня.", "2022-03-02T12:00:00+03:00", "2022-03-20"),
        # A date not tied to the day of the call is a plan or a memory.
        ("Мы будем дома восьмого апреля.", "2022-03-02T12:00:00+03:00", None),
        ("Сегодня мы в окопах. Восьмого апреля домой.", "2022-03-02T12:00:00+03:00", None),
    ],
)
def test_only_dates_tied_to_the_day_are_compared(
    text: str, started_at: str, implied: str | None
) -> None:
    found = date_mismatch(_spoken(text, started_at), OPTIONS)
    assert [f.detail["implied_date"] for f in found] == ([] if implied is None else [implied])


def test_duration_tolerance(checked: Checked) -> None:
    facts = _facts(checked[0], "call_008.m4a")
    audio = facts.call.duration_s
    assert audio is not None
    tolerance = max(OPTIONS.duration_tolerance_s, OPTIONS.duration_tolerance_share * audio)
    assert duration_mismatch(_with(facts, duration_s=audio + tolerance - 0.1), OPTIONS) == []
    assert duration_mismatch(_with(facts, duration_s=audio - tolerance + 0.1), OPTIONS) == []
    (longer,) = duration_mismatch(_with(facts, duration_s=audio + tolerance + 0.1), OPTIONS)
    assert "less" in longer.message
    # A file that could not be decoded has no duration to compare (its sheet says 41 s).
    assert duration_mismatch(_facts(checked[0], "call_020.mp3"), OPTIONS) == []


RU_NUMBERS = {"caller": "+7 903 555 17 08", "receiver": "8 (916) 555-23-41"}
UA_NUMBERS = {"caller": "067 123 45 67", "receiver": "+380 44 555 0101"}


def test_language_no_number_of_the_call_expects(checked: Checked) -> None:
    english = _facts(checked[0], "call_013.m4a")  # a volunteer and his sister, in English
    assert country_language(english, OPTIONS) == []  # on a Ukrainian number: ordinary
    assert country_language(_with(english, **UA_NUMBERS), OPTIONS) == []
    (found,) = country_language(_with(english, **RU_NUMBERS), OPTIONS)
    assert {entry["language"] for entry in found.detail["languages"]} == {"en"}
    assert [entry["channel"] for entry in found.detail["languages"]] == [0, 1]
    assert found.detail["expected"] == ["ru"]
    # Russian spoken on Russian numbers, and an unsure detection, prove nothing.
    assert country_language(_facts(checked[0], "call_001.wav"), OPTIONS) == []
    ukrainian = _with(_facts(checked[0], "call_014.wav"), **RU_NUMBERS)  # detected as uk
    (found,) = country_language(ukrainian, OPTIONS)
    assert {entry["language"] for entry in found.detail["languages"]} == {"uk"}
    unsure = [dataclasses.replace(c, language_probability=0.3) for c in ukrainian.channels]
    assert country_language(dataclasses.replace(ukrainian, channels=unsure), OPTIONS) == []


def test_places_outside_the_numbers_countries_and_the_theatre(checked: Checked) -> None:
    kherson = _facts(checked[0], "call_008.m4a")  # Russian numbers, names Херсон
    assert country_places(kherson, OPTIONS) == []  # Ukraine is the theatre
    nowhere = CheckOptions(theatre=())
    (found,) = country_places(kherson, nowhere)
    assert found.detail["places"] == ["Kherson (UA)"]
    assert country_places(_with(kherson, **UA_NUMBERS), nowhere) == []


@pytest.mark.parametrize(
    ("location", "flagged"),
    [
        ("Kherson", False),
        ("near Kherson", False),
        ("Kherson oblast", False),
        ("Mykolaiv", False),  # about 60 km away
        ("Kyiv", True),
        ("Kyiv oblast", True),  # a region's margin does not reach 450 km
        ("Atlantis", False),  # the gazetteer cannot place it: not compared
        ("", False),
    ],
)
def test_place_mismatch_distance(checked: Checked, location: str, flagged: bool) -> None:
    facts = _with(_facts(checked[0], "call_008.m4a"), location=location)
    assert bool(place_mismatch(facts, OPTIONS)) is flagged


def test_sheet_locations_resolve_as_journalists_spell_them() -> None:
    izium = resolve_location("Izium")  # the gazetteer spells it Izyum
    assert izium is not None and izium.country == "UA" and izium.english != "Izium"
    assert resolve_location("Kyiv oblast") is not None
    assert resolve_location("Atlantis") is None


# -- signs of editing, made by hand in clean real audio ---------------------------------------


@pytest.fixture(scope="module")
def clean(checked: Checked) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The soldier's channel of call_010.wav (lossless PCM with line noise, no planted
    problem) at 8 kHz, and his speech."""
    facts = _facts(checked[0], "call_010.wav")
    _, tracks = decode(
        checked[0].originals.path(facts.call.sha256), DecodeOptions(sample_rate=RATE)
    )
    return tracks[0], [(s.start, s.end) for s in facts.segments if s.channel == 0]


def test_clean_audio_shows_no_sign_of_editing(
    clean: tuple[np.ndarray, list[tuple[float, float]]],
) -> None:
    track, speech = clean
    assert len(speech) >= 3
    assert abrupt_cuts(track, speech, OPTIONS.min_cut_db, OPTIONS.min_cut_isolation_db) == []
    assert silence_islands(track, OPTIONS.min_silence_s) == []


def test_a_cut_inside_speech_is_found_where_it_was_made(
    clean: tuple[np.ndarray, list[tuple[float, float]]],
) -> None:
    """In each long segment, remove the speech from a crest to a trough 0.3-0.6 s later."""
    track, speech = clean
    for start, end in [(s, e) for s, e in speech if e - s >= 2.0]:
        low, high = (int((start + share * (end - start)) * RATE) for share in (0.3, 0.7))
        cut = low + int(np.argmax(track[low:high]))
        after = cut + int(0.3 * RATE)
        resume = after + int(np.argmin(track[after : after + int(0.3 * RATE)]))
        edited = np.concatenate([track[:cut], track[resume:]])
        removed = (resume - cut) / RATE
        shifted = [(s, e) if e <= cut / RATE else (s, e - removed) for s, e in speech]
        found = abrupt_cuts(edited, shifted, OPTIONS.min_cut_db, OPTIONS.min_cut_isolation_db)
        assert [c.at for c in found] == [pytest.approx(cut / RATE, abs=0.01)], (start, found)


def test_spliced_digital_silence_is_found_and_a_pause_is_not(
    clean: tuple[np.ndarray, list[tuple[float, float]]],
) -> None:
    track, speech = clean
    at = int(speech[1][0] * RATE) - int(0.1 * RATE)  # in the pause before the second segment
    edited = np.concatenate([track[:at], np.zeros(int(0.6 * RATE), track.dtype), track[at:]])
    (island,) = silence_islands(edited, OPTIONS.min_silence_s)
    assert (island.start, island.end) == pytest.approx((at / RATE, at / RATE + 0.6), abs=0.011)
    shorter = np.concatenate([track[:at], np.zeros(int(0.2 * RATE), track.dtype), track[at:]])
    assert silence_islands(shorter, OPTIONS.min_silence_s) == []
