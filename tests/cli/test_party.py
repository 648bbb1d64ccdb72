"""``show --json`` and ``search --json``: every segment and hit says who said it."""

from __future__ import annotations

from .conftest import run

PARTY_KEYS = {"party", "party_label", "party_number", "party_name"}


def test_show_json_names_the_party_of_every_segment(case: str) -> None:
    split = run("show", "1", "--case", case, "--json")["segments"]
    stereo = run("show", "10", "--case", case, "--json")["segments"]
    unsplit = run("show", "3", "--case", case, "--json")["segments"]

    assert all(PARTY_KEYS <= set(s) for s in split + stereo + unsplit)
    # Mono, two voices told apart, roles from what they say; numbers from the metadata.
    assert {(s["speaker"], s["party"], s["party_label"], s["party_number"]) for s in split} == {
        (1, "caller", "Speaker 1 (caller)", "+79035551708"),
        (2, "receiver", "Speaker 2 (receiver)", "+79165552341"),
    }
    # Stereo: channel 0 is the caller, channel 1 the receiver.
    assert {(s["channel"], s["party"], s["party_number"]) for s in stereo} == {
        (0, "caller", "+79165550303"),
        (1, "receiver", "+79165554790"),
    }
    # Mono, one voice found: both parties, no number claimed.
    assert {(s["party"], s["party_label"], s["party_number"]) for s in unsplit} == {
        ("both", "Both parties", None)
    }


def test_show_json_gives_a_voice_without_a_role_its_label(case: str) -> None:
    segments = run("show", "4", "--case", case, "--json")["segments"]
    assert {(s["speaker"], s["party"], s["party_number"]) for s in segments} == {
        (1, "speaker 1", None),
        (2, "speaker 2", None),
    }


def test_search_json_hits_carry_party_date_and_numbers(case: str) -> None:
    hits = run("search", "Буча", "--case", case, "--json")
    found = run("search", "Буча", "--case", case, "--json", "--facets")["hits"]

    hit = next(h for h in hits if h["call_id"] == 1)
    assert (hit["party"], hit["party_label"], hit["party_number"]) == (
        "caller",
        "Speaker 1 (caller)",
        "+79035551708",
    )
    assert (hit["caller"], hit["receiver"]) == ("+79035551708", "+79165552341")
    assert hit["started_at"] == "2022-03-04T19:12:40+03:00"
    assert all(h["party"] for h in hits + found)
    assert [h["party"] for h in found] == [h["party"] for h in hits]


def test_show_text_names_the_party_on_each_line(case: str) -> None:
    output = run("show", "10", "--case", case).output
    assert "Caller, +79165550303, ru" in output and "Receiver, +79165554790, ru" in output
