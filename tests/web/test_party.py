"""Who said it, in the call page, the search page and the API's JSON."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from callsift.store import CaseStore, list_calls

from .conftest import signed_in

PARTY = re.compile(
    r'<span class="party party-(\w+)(?: speaker sp(\d))?"[^>]*><strong>([^<]+)</strong>'
    r'(?: <span class="number">([^<]+)</span>)?(?: <span class="known-name">([^<]+)</span>)?'
)


def _id(cases: dict[str, Any], file: str) -> int:
    with CaseStore(cases["alpha"]) as store:
        return next(c.id for c in list_calls(store) if c.file == file)


def test_api_call_segments_carry_their_party(client: TestClient, cases: dict[str, Any]) -> None:
    split = client.get(f"/api/calls/{_id(cases, 'call_001.wav')}?case=alpha").json()
    stereo = client.get(f"/api/calls/{_id(cases, 'call_010.wav')}?case=alpha").json()

    caller = next(s for s in split["segments"] if s["speaker"] == 1)
    assert (caller["party"], caller["party_number"], caller["party_name"]) == (
        "caller",
        "+79035551708",
        "Сидоров Иван",  # the shared fixture's directory
    )
    assert {(s["channel"], s["party"]) for s in stereo["segments"]} == {
        (0, "caller"),
        (1, "receiver"),
    }


def test_api_search_hits_carry_party_date_and_numbers(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "Буча", "case": "alpha"}).json()["hits"]
    hit = next(h for h in hits if h["file"] == "call_001.wav")
    assert (hit["party"], hit["party_label"]) == ("caller", "Speaker 1 (caller)")
    assert (hit["caller"], hit["receiver"], hit["started_at"][:10]) == (
        "+79035551708",
        "+79165552341",
        "2022-03-04",
    )


def test_call_page_names_each_turn_s_party(app: FastAPI, cases: dict[str, Any]) -> None:
    with signed_in(app, "viewer") as viewer:
        split = viewer.get(f"/cases/alpha/calls/{_id(cases, 'call_001.wav')}").text
        stereo = viewer.get(f"/cases/alpha/calls/{_id(cases, 'call_010.wav')}").text
        unsplit = viewer.get(f"/cases/alpha/calls/{_id(cases, 'call_003.wav')}").text

    assert set(PARTY.findall(split)) == {
        ("caller", "1", "Speaker 1 (caller)", "+79035551708", "Сидоров Иван"),
        ("receiver", "2", "Speaker 2 (receiver)", "+79165552341", ""),
    }
    assert set(PARTY.findall(stereo)) == {
        ("caller", "", "Caller", "+79165550303", ""),
        ("receiver", "", "Receiver", "+79165554790", ""),
    }
    assert set(PARTY.findall(unsplit)) == {("unknown", "", "Both parties", "", "")}
    assert '<span class="party">channel' not in stereo  # as the page said before


def test_search_hit_heads_show_date_numbers_and_role(app: FastAPI) -> None:
    with signed_in(app, "viewer") as viewer:
        page = viewer.get("/cases/alpha/search", params={"q": "Буча"}).text
        hostile = viewer.get("/cases/alpha/search", params={"q": "обстреляли"}).text

    heads = re.findall(r'<div class="hit-head">(.*?)</div>', page, re.S)
    first = next(h for h in heads if "call_001.wav" in h)
    assert '<span class="hit-date">4 Mar 2022</span>' in first
    assert '<span class="hit-numbers">+79035551708 called +79165552341</span>' in first
    assert PARTY.findall(first) == [("caller", "1", "Speaker 1 (caller)", "", "Сидоров Иван")]
    assert "channel 0" not in page
    # The planted call: its metadata's numbers, its one unsplit channel, markup kept as text.
    assert "+79035559901 called +79035559902" in hostile
    assert ("unknown", "", "Both parties", "", "") in PARTY.findall(hostile)
    assert "<img src=x" not in hostile
