"""Who said a segment: one rule for stereo, split mono and unsplit mono calls."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from callsift.graph.phones import import_directories
from callsift.parties import CallParties, SpeakerParty, call_parties, describe_hits
from callsift.records import SearchFilters, SearchHit, Segment
from callsift.search import search
from callsift.store import CaseStore, segments_of

NUMBERS = {"caller": "+79035551708", "receiver": "+79165552341"}


def test_a_stereo_call_has_the_caller_on_channel_0_and_the_receiver_on_1() -> None:
    parties = CallParties(10, one_per_channel=True, numbers=NUMBERS, names={"caller": "Иван"})

    assert parties.party_of(0) == SpeakerParty("caller", None, "+79035551708", "Иван")
    assert parties.party_of(1) == SpeakerParty("receiver", None, "+79165552341", None)
    assert parties.party_of(0).text == "Caller, +79035551708, Иван"
    assert parties.party_of(1).label == "Receiver"
    assert parties.party_of(2).party == "both"  # a third channel: no party of its own


def test_a_split_mono_call_names_each_voice_and_its_role_where_known() -> None:
    roles = {(0, 1): "caller", (0, 2): "receiver"}
    parties = CallParties(1, roles=roles, numbers=NUMBERS)
    unknown = CallParties(4, roles={(0, 1): None, (0, 2): None}, numbers=NUMBERS)

    caller = parties.of(Segment(0, 0.0, 1.0, "Это я, Серёжа.", "ru", speaker=1))
    assert caller == SpeakerParty("caller", 1, "+79035551708")
    assert caller.label == "Speaker 1 (caller)" and caller.role == "caller"
    assert parties.party_of(0, 2).label == "Speaker 2 (receiver)"
    # No role: the voice alone, with no number (it may be either party's).
    assert unknown.party_of(0, 2) == SpeakerParty("speaker 2", 2)
    assert unknown.party_of(0, 2).label == "Speaker 2" and unknown.party_of(0, 2).role is None


def test_a_mono_channel_not_split_is_both_parties() -> None:
    parties = CallParties(3, numbers=NUMBERS)
    both = parties.of(Segment(0, 0.0, 1.0, "Алло", "ru"))

    assert both == SpeakerParty("both")
    assert (both.label, both.role, both.number) == ("Both parties", None, None)
    assert parties.role_of(Segment(0, 0.0, 1.0, "Алло", "ru")) is None  # redaction masks it
    assert both.fields() == {
        "party": "both",
        "party_label": "Both parties",
        "party_number": None,
        "party_name": None,
    }


def test_an_anonymous_copy_keeps_who_but_not_their_number_or_name() -> None:
    parties = CallParties(10, one_per_channel=True, numbers=NUMBERS, names={"caller": "Иван"})

    assert parties.anonymous().party_of(0) == SpeakerParty("caller")


@pytest.fixture(scope="module")
def known_case(demo_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo case with a directory naming call 1's caller twice and call 10's receiver."""
    root = tmp_path_factory.mktemp("parties")
    shutil.copytree(demo_case, root / "case")
    directory = root / "known.csv"
    directory.write_text(
        "number,name\n+7 903 555 17 08,Сидоров Иван\n8 903 555 17 08,сидоров  иван\n"
        "+7 903 555 17 08,Смирнов Олег\n+7 916 555 47 90,Орлова Анна\n,\n",
        encoding="utf-8",
    )
    with CaseStore(root / "case") as store:
        import_directories(store, [directory])
    return root / "case"


def test_the_case_names_each_party_from_metadata_and_directory(known_case: Path) -> None:
    with CaseStore(known_case) as store:
        split = call_parties(store, 1)  # mono, two voices, roles from the content
        stereo = call_parties(store, 10)
        unsplit = call_parties(store, 3)  # mono, one voice found
        first = segments_of(store, 1)[0]

    # One number, two names (the second spelling of the first is the same name).
    assert split.of(first) == SpeakerParty(
        "caller", 1, "+79035551708", "Сидоров Иван / Смирнов Олег"
    )
    assert split.party_of(0, 2) == SpeakerParty("receiver", 2, "+79165552341")
    assert stereo.party_of(0) == SpeakerParty("caller", None, "+79165550303")
    assert stereo.party_of(1) == SpeakerParty("receiver", None, "+79165554790", "Орлова Анна")
    assert unsplit.party_of(0) == SpeakerParty("both")


def test_search_hits_carry_the_party_the_date_and_both_numbers(known_case: Path) -> None:
    with CaseStore(known_case) as store:
        hits = search(store, "Буча").hits
        stereo = search(store, "аэропорта OR сынок", SearchFilters(number="+7 916 555 03 03")).hits

    hit = next(h for h in hits if h.call_id == 1)
    assert (hit.party, hit.party_label, hit.speaker) == ("caller", "Speaker 1 (caller)", 1)
    assert (hit.party_number, hit.party_name) == ("+79035551708", "Сидоров Иван / Смирнов Олег")
    assert (hit.caller, hit.receiver) == ("+79035551708", "+79165552341")
    assert hit.started_at == "2022-03-04T19:12:40+03:00"
    said = {(h.call_id, h.party, h.party_number, h.party_name) for h in stereo}
    assert (10, "caller", "+79165550303", None) in said  # "аэропорта", channel 0
    assert (10, "receiver", "+79165554790", "Орлова Анна") in said  # "сынок", channel 1


def test_describe_hits_of_nothing_reads_nothing(known_case: Path) -> None:
    hits: list[SearchHit] = []
    with CaseStore(known_case) as store:
        describe_hits(store, hits)
    assert hits == []
