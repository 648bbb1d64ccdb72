"""A transcript that failed quietly is marked, everywhere, and never looks like silence.

Calls 15 and 16 of the shared case are made to fail the way the demo's
Ukrainian calls once did: 15 keeps 19 s of detected speech but no words;
16 holds a few words under a Norwegian guess at 0.21. Call 19 is truly
silent and call 20 could not be decoded.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from callsift.records import AudioInfo, ChannelTranscript, FindingRecord, Segment, Word
from callsift.store import CaseStore
from callsift.store.findings import replace_findings
from callsift.store.jobs import finish_job, start_job
from callsift.store.reliability import (
    _DOUBT,
    _SPEECH,
    reliability_clause,
    reliability_of,
    unreliable_call_ids,
)

from .conftest import signed_in

NORWEGIAN = "Berre eit par ord her."


def plant_unreliable(store: CaseStore) -> None:
    """Call 15: speech without words; call 16: words in a nonsense language."""
    store.save_transcript(
        15,
        AudioInfo(21.6, 16000, 1, "mp3", "mp3"),
        [ChannelTranscript(0, "uk", 0.65, 19.2, [])],
        '{"test": "speech without words"}',
    )
    words = [Word(1.0 + i, 1.5 + i, " " + w, 0.4) for i, w in enumerate(NORWEGIAN.split())]
    segment = Segment(0, 1.0, 5.5, NORWEGIAN, "nn", words=words)
    store.save_transcript(
        16,
        AudioInfo(13.0, 8000, 1, "amr_nb", "amr"),
        [ChannelTranscript(0, "nn", 0.21, 11.1, [segment])],
        '{"test": "nonsense language"}',
    )


@pytest.fixture(scope="module")
def planted(cases: dict[str, Any]) -> dict[str, Any]:
    with CaseStore(cases["alpha"]) as store:
        plant_unreliable(store)
    return cases


def test_reliability_of_the_demo_calls(planted: dict[str, Any]) -> None:
    with CaseStore(planted["alpha"]) as store:
        found = reliability_of(store)
        one = reliability_of(store, [15, 20])
        unreliable_call_ids_ = unreliable_call_ids(store)  # the dashboard's SQL, same rule
    assert found[15].state == "unreliable"
    assert found[15].reason == "19 s of speech detected, 0 words transcribed."
    assert found[16].state == "unreliable"
    assert found[16].reason == (
        "11 s of speech detected, 5 words transcribed;"
        " language guessed as Norwegian Nynorsk (0.21)."
    )
    assert found[19].state == "silent"
    assert found[20].state == "failed" and "FFmpeg" in found[20].reason
    assert {found[i].state for i in (1, 10, 13, 17, 21)} == {"reliable"}  # ru, stereo, en, uk
    assert set(one) == {15, 20} and one[15] == found[15]
    assert unreliable_call_ids_ == [i for i, r in found.items() if r.state == "unreliable"]


def test_each_state_as_sql_picks_the_calls_judged_so(planted: dict[str, Any]) -> None:
    """The calls list filters in SQL (``reliability_clause``): the calls judged so, one by one."""
    with CaseStore(planted["alpha"]) as store:
        found = reliability_of(store)
        for state in ("reliable", "unreliable", "silent", "failed", "pending"):
            rows = store.conn.execute(
                f"SELECT c.id FROM calls c WHERE {reliability_clause(state)} ORDER BY c.id"
            )
            assert [row[0] for row in rows] == [i for i, r in found.items() if r.state == state]
        index = store.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'channels_doubtful'"
        ).fetchone()[0]
    # SQLite reads the partial index only for a query stating its condition: the same rule.
    rule = f"{_SPEECH} AND ({_DOUBT})".replace("ch.", "")
    assert "".join(index.split(" WHERE ", 1)[1].split()) == "".join(rule.split())
    assert {r.state for r in found.values()} >= {"reliable", "unreliable", "silent", "failed"}
    with pytest.raises(ValueError, match="unknown reliability"):
        reliability_clause("doubtful")


def test_the_pages_and_the_json_say_so(app: FastAPI, planted: dict[str, Any]) -> None:
    with signed_in(app, "viewer") as client:
        page = client.get("/cases/alpha/calls/15").text
        assert "Transcript unreliable:" in page
        assert "19 s of speech detected, 0 words transcribed." in page
        assert "No speech." not in page
        assert "Speech was detected but no words were transcribed" in page
        assert 'id="rerun-button"' not in page  # a viewer may not re-run
        silent = client.get("/cases/alpha/calls/19").text
        assert "No speech was detected in this recording." in silent
        assert "Transcript unreliable" not in silent
        failed = client.get("/cases/alpha/calls/20").text
        assert "not an audio file, or a format FFmpeg does not know" in failed
        assert "No speech." not in failed
        dashboard = client.get("/cases/alpha/").text
        assert 'href="/cases/alpha/calls?reliability=unreliable"' in dashboard
        assert "1 parties" not in dashboard and ">Russian<" in dashboard
        document = client.get("/api/calls/16", params={"case": "alpha"}).json()
    assert document["reliability"]["state"] == "unreliable"
    assert document["reliability"]["channels"][0]["language"] == "nn"
    with signed_in(app, "analyst") as client:
        assert 'id="rerun-button"' in client.get("/cases/alpha/calls/15").text


def test_ukrainian_pages_phrase_the_reason(app: FastAPI, planted: dict[str, Any]) -> None:
    with signed_in(app, "viewer") as client:
        client.cookies.set("callsift_language", "uk")
        page = client.get("/cases/alpha/calls/16").text
    assert "норвезька" in page.lower()  # the language named in the reader's language


def test_a_second_rerun_is_refused_while_one_runs(app: FastAPI, planted: dict[str, Any]) -> None:
    with CaseStore(planted["alpha"]) as store:
        job = start_job(store, "rerun", 1)  # a re-run under way (this live process)
    try:
        with signed_in(app, "analyst") as client:
            busy = client.post(
                "/cases/alpha/calls/15/rerun",
                data={"language": "uk"},
                headers={"HX-Request": "true"},
            )
            wrong = client.post("/cases/alpha/calls/15/rerun", data={"language": "xx"})
    finally:
        with CaseStore(planted["alpha"]) as store:
            finish_job(store, job, completed=True)
    assert busy.status_code == 409
    assert "already running in this case" in busy.text
    assert wrong.status_code == 400


def test_findings_read_from_the_call_shown(app: FastAPI, planted: dict[str, Any]) -> None:
    detail = {
        "party": "caller",
        "number": "+380441112233",
        "other_party": "receiver",
        "other_number": "+380445556677",
    }
    finding = FindingRecord(
        16,
        "same-voice-different-numbers",
        "info",
        "Stored from call 16's side.",
        other_call_id=15,
        score=0.91,
        detail=detail,
    )
    with CaseStore(planted["alpha"]) as store:
        replace_findings(store, ["same-voice-different-numbers"], [finding], "test")
    try:
        with signed_in(app, "viewer") as client:
            on_16 = client.get("/cases/alpha/calls/16").text
            on_15 = client.get("/cases/alpha/calls/15").text
    finally:
        with CaseStore(planted["alpha"]) as store:
            replace_findings(store, ["same-voice-different-numbers"], [], "test")
    assert "The caller of this call (+380441112233) sounds like the receiver of call 15" in on_16
    assert "The receiver of this call (+380445556677) sounds like the caller of call 16" in on_15
    assert "Open call 16 (call_016.amr)" in on_15
    assert "Stored from call 16" not in on_15
