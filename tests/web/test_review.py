"""What reviewers do through the app: notes, corrections, verdicts, exports; all in custody."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from callsift.export.manifest import verify_package
from callsift.search import search
from callsift.store import CaseStore, segments_of
from callsift.store.jobs import finish_job, recent_jobs, start_job, update_job
from callsift.store.review import segment_versions_of
from callsift.verify.status import verification_of

from .conftest import signed_in

HTMX = {"HX-Request": "true"}


def _custody(cases: dict[str, Any], action: str) -> list[dict[str, Any]]:
    with CaseStore(cases["alpha"]) as store:
        return [entry for entry in store.custody() if entry["action"] == action]


def test_views_and_plays_are_logged_with_the_user(app: FastAPI, cases: dict[str, Any]) -> None:
    before_views, before_plays = len(_custody(cases, "view")), len(_custody(cases, "play"))
    with signed_in(app, "viewer") as viewer:
        assert viewer.get("/cases/alpha/calls/4").status_code == 200
        audio = viewer.get("/cases/alpha/calls/4/audio")
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
        assert audio.headers["content-type"] == "audio/wav"
        rest = viewer.get("/cases/alpha/calls/4/audio", headers={"Range": "bytes=1000-"})
        assert rest.status_code == 206 and rest.content == audio.content[1000:]
    views, plays = _custody(cases, "view")[before_views:], _custody(cases, "play")[before_plays:]
    assert [(e["actor"], e["detail"]["call_id"]) for e in views] == [("viewer", 4)]
    assert [(e["actor"], e["detail"]["range"]) for e in plays] == [
        ("viewer", "whole"),
        ("viewer", "bytes=1000-"),
    ]


@pytest.mark.parametrize("asked", ["bytes=00-", "bytes=1-", "bytes=-4000", "bytes=0-99, 100-"])
def test_every_read_of_the_audio_is_a_play(app: FastAPI, cases: dict[str, Any], asked: str) -> None:
    """Any range can assemble the whole file (in one request or several): each is logged."""
    before = len(_custody(cases, "play"))
    with signed_in(app, "viewer") as viewer:
        answer = viewer.get("/cases/alpha/calls/4/audio", headers={"Range": asked})
        assert answer.status_code in (200, 206, 416)
    plays = _custody(cases, "play")[before:]
    assert [(e["actor"], e["detail"]["range"]) for e in plays] == [("viewer", asked)]


def test_a_note_is_added_by_its_author_and_shown(app: FastAPI, cases: dict[str, Any]) -> None:
    with signed_in(app, "analyst") as analyst:
        answer = analyst.post(
            "/cases/alpha/calls/5/annotations",
            data={"text": "Same unit as call 2?", "start": "3.5"},
            headers=HTMX,
        )
    assert answer.status_code == 200 and "Same unit as call 2?" in answer.text
    assert "analyst" in answer.text and "0:03.5" in answer.text
    logged = _custody(cases, "annotate")[-1]
    assert (logged["actor"], logged["detail"]["call_id"]) == ("analyst", 5)


def test_a_correction_keeps_the_original_and_a_stale_one_is_refused(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    with CaseStore(cases["alpha"]) as store:
        segment = segments_of(store, 2)[3]
    assert segment.version == 1
    url = f"/cases/alpha/calls/2/segments/{segment.id}"
    fixed = "Второй батальон почти весь погиб."
    with signed_in(app, "analyst") as first, signed_in(app, "reviewer") as second:
        ok = first.post(
            url, data={"text": fixed, "version": "1", "note": "heard again"}, headers=HTMX
        )
        assert ok.status_code == 200 and "corrected (version 2)" in ok.text and fixed in ok.text
        late = second.post(
            url, data={"text": "Второй батальон погиб.", "version": "1"}, headers=HTMX
        )
        assert late.status_code == 409
        assert "changed since version 1 (now version 2)" in late.text and fixed in late.text
    with CaseStore(cases["alpha"]) as store:
        versions = segment_versions_of(store, 2)[segment.id or 0]
        assert [(v.version, v.editor, v.text) for v in versions] == [
            (1, "callsift", segment.text),
            (2, "analyst", fixed),
        ]
        assert segments_of(store, 2)[3].text == fixed
        # Search and analysis follow the correction: the unit is found now.
        hits = search(store, "батальон").hits
        assert any(hit.call_id == 2 and hit.text == fixed for hit in hits)
    assert _custody(cases, "correct")[-1]["actor"] == "analyst"


def test_verification_needs_grounds_and_a_current_version(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    url = "/cases/alpha/calls/6/verification"
    with signed_in(app, "reviewer") as reviewer:
        bare = reviewer.post(url, data={"status": "verified", "version": "0"}, headers=HTMX)
        assert bare.status_code == 400 and "needs a note" in bare.text
        done = reviewer.post(
            url,
            data={"status": "corroborated", "version": "0", "note": "same unit", "links": "7, 9"},
            headers=HTMX,
        )
        assert done.status_code == 200 and "corroborated" in done.text
        stale = reviewer.post(
            url, data={"status": "rejected", "version": "0", "note": "x"}, headers=HTMX
        )
        assert stale.status_code == 409 and "now version 1" in stale.text
        api = reviewer.post(
            "/api/calls/6/verification",
            params={"case": "alpha"},
            json={"status": "verified", "version": 1, "note": "two sources"},
        )
        assert api.status_code == 200 and api.json()["version"] == 2
    with CaseStore(cases["alpha"]) as store:
        record = verification_of(store, 6)
    assert [(e.status, e.reviewer) for e in record.history] == [
        ("corroborated", "reviewer"),
        ("verified", "reviewer"),
    ]
    assert [link.call_id for link in record.links] == [7, 9]


def test_an_exported_package_downloads_and_verifies(
    app: FastAPI, cases: dict[str, Any], tmp_path: Path
) -> None:
    with signed_in(app, "analyst") as analyst:
        note = analyst.post(
            "/api/calls/3/annotations", params={"case": "alpha"}, json={"text": "to court"}
        )
        assert note.status_code == 201
        answer = analyst.post("/cases/alpha/calls/3/export", data={})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert 'filename="call-0003.zip"' in answer.headers["content-disposition"]
    package = tmp_path / "call-0003.zip"
    package.write_bytes(answer.content)
    result = verify_package(package)
    assert result.ok and list(result.call_ids) == [3]
    assert result.manifest_sha256 == answer.headers["x-manifest-sha256"]
    with zipfile.ZipFile(package) as archive:
        notes = json.loads(archive.read("call-0003/annotations.json"))
    assert ("analyst", "to court") in [(n["author"], n["text"]) for n in notes]
    assert _custody(cases, "export")[-1]["actor"] == "analyst"


def test_a_job_started_from_the_command_line_names_who_runs_it(
    cases: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLSIFT_ACTOR", "night-shift")
    with CaseStore(cases["alpha"]) as store:  # as `callsift process` opens it: no actor given
        job = start_job(store, "process", 3)
        finish_job(store, job, completed=True)
        assert recent_jobs(store)[0].actor == "night-shift"


def test_the_dashboard_shows_a_running_job_live(app: FastAPI, cases: dict[str, Any]) -> None:
    with CaseStore(cases["alpha"], actor="ana") as store:
        job = start_job(store, "process", 40)
        update_job(store, job, done=12, failed=1, item="day3/0042.amr")
        with signed_in(app, "viewer") as viewer:
            live = viewer.get("/cases/alpha/progress", headers=HTMX).text
            assert "Transcription</strong> running, started by ana" in live
            assert "13 of 40 calls" in live
            assert 'hx-trigger="every 2s"' in live and "day3/0042.amr" in live
            finish_job(store, job, completed=True)
            after = viewer.get("/cases/alpha/progress", headers=HTMX).text
            assert "No job running" in after and "Last job: Transcription, finished" in after
            assert "12 calls done, 1 failed" in after
