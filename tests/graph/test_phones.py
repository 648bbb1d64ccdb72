"""Each call's caller and receiver in the case, read from the demo corpus's metadata."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from callsift.graph.numbers import PhoneNumber
from callsift.graph.phones import number_case, number_summaries, numbers_of
from callsift.records import SearchFilters
from callsift.search import search
from callsift.store import CaseStore, call_numbers_of, case_numbers, list_calls


@pytest.fixture
def store(demo_case: Path, tmp_path: Path) -> Any:
    """A private copy of the demo case (numbers are written into it)."""
    shutil.copytree(demo_case, tmp_path / "case")
    with CaseStore(tmp_path / "case") as opened:
        yield opened


def test_every_planted_number_is_stored_normalised_per_call_and_role(
    store: CaseStore, truth: dict[str, Any]
) -> None:
    assert case_numbers(store) == []
    stored = number_case(store)
    ids = {call.file: call.id for call in list_calls(store)}
    # call_021.wav is the same bytes as call_003.wav: one call, whose metadata is call_003's row.
    planted = [p for p in truth["planted"]["number_formats"] if p["file"] in ids]
    assert stored == len(planted) > 40
    for p in planted:
        number = call_numbers_of(store, ids[p["file"]])[p["column"]]
        assert (number.raw, number.e164, number.valid) == (p["raw"], p["e164"], bool(p["e164"]))


def test_an_invalid_number_is_stored_as_written_and_flagged(store: CaseStore) -> None:
    number_case(store)
    (call_id,) = [c.id for c in list_calls(store) if c.file == "call_018.ogg"]
    assert call_numbers_of(store, call_id)["receiver"] == PhoneNumber("12345", None, False)


def test_numbering_again_replaces_and_changes_nothing_when_nothing_changed(
    store: CaseStore,
) -> None:
    number_case(store)
    first = case_numbers(store)
    assert number_case(store) == len(first)
    assert case_numbers(store) == first
    # Another default region re-reads national numbers; nothing stale stays behind.
    number_case(store, regions=("UA",))
    by_raw = {n.raw: n for _, _, n in case_numbers(store)}
    assert by_raw["8 (916) 555-23-41"].e164 is None
    assert by_raw["067 123 45 67"].e164 == "+380671234567"
    assert len(case_numbers(store)) == len(first)
    number_case(store)
    assert case_numbers(store) == first


def test_numbers_of_reads_the_metadata_when_the_case_was_not_numbered(store: CaseStore) -> None:
    assert call_numbers_of(store, 1) == {}
    numbers = numbers_of(store, 1)
    assert [(role, n.e164) for role, n in numbers.items()] == [
        ("caller", "+79035551708"),
        ("receiver", "+79165552341"),
    ]
    number_case(store)
    assert numbers_of(store, 1) == numbers == call_numbers_of(store, 1)


def test_a_number_typed_another_way_finds_the_call(store: CaseStore) -> None:
    """The metadata wrote "+7 903 555 17 08"; the user types the Russian trunk form."""
    filters = SearchFilters(number="8 903 555-17-08")
    assert search(store, "буча", filters).hits == []  # digits alone do not meet
    number_case(store)
    hits = search(store, "буча", filters).hits
    assert hits and {hit.file for hit in hits} == {"call_001.wav"}
    # The old digits match still works for a part of a number.
    assert {h.file for h in search(store, "буча", SearchFilters(number="555 17")).hits} == {
        "call_001.wav"
    }


def test_number_summaries_count_calls_per_number_and_spellings(store: CaseStore) -> None:
    number_case(store)
    summaries = {s.number.e164 or s.number.raw: s for s in number_summaries(store)}
    # Called from call_001 and from call_020 (the corrupt file keeps its metadata).
    busy = summaries["+79165552341"]
    assert busy.spellings == ["8 (916) 555-23-41", "+7 (916) 555 23 41"]
    assert (len(busy.as_caller), len(busy.as_receiver)) == (0, 2)
    assert summaries["+380671234567"].spellings == ["067 123 45 67", "+380 67 123 4567"]
    assert not summaries["12345"].number.valid
    calls = sum(len(s.as_caller) + len(s.as_receiver) for s in summaries.values())
    assert calls == len(case_numbers(store))
