"""The call page's English: labelled as machine translation, doubts shown, corrections kept."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from callsift.store import CaseStore
from callsift.store.translations import english_of, translation_versions_of

from .conftest import signed_in

HTMX = {"HX-Request": "true"}


def _call_with_doubt(cases: dict[str, Any]) -> tuple[int, int]:
    with CaseStore(cases["alpha"]) as store:
        for (call_id,) in store.conn.execute("SELECT id FROM calls WHERE status = 'done'"):
            doubtful = [row for row in english_of(store, call_id) if row.doubtful]
            if doubtful:
                return call_id, doubtful[0].segment_id
    raise AssertionError("the demo case has no doubtful English")


def test_doubtful_english_is_marked_and_labelled(app: FastAPI, cases: dict[str, Any]) -> None:
    call_id, segment_id = _call_with_doubt(cases)
    with signed_in(app, "viewer") as viewer:
        page = viewer.get(f"/cases/alpha/calls/{call_id}")
    assert page.status_code == 200
    assert "machine translation (Whisper base, translate task)" in page.text
    block = page.text.split(f'id="seg-{segment_id}"')[1].split('class="segment ')[0]
    assert 'class="english doubtful"' in block and "doubtful</strong>" in block


def test_a_reviewer_corrects_the_english_as_a_new_version(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    call_id, segment_id = _call_with_doubt(cases)
    url = f"/cases/alpha/calls/{call_id}/segments/{segment_id}/english"
    with signed_in(app, "analyst") as analyst, signed_in(app, "viewer") as viewer:
        ok = analyst.post(url, data={"text": "Corrected English.", "version": "1"}, headers=HTMX)
        assert ok.status_code == 200 and "Corrected English." in ok.text
        assert "English corrected by a reviewer (version 2)" in ok.text
        stale = analyst.post(url, data={"text": "Late.", "version": "1"}, headers=HTMX)
        assert stale.status_code == 409
        assert viewer.post(url, data={"text": "No.", "version": "2"}, headers=HTMX).status_code in (
            403,
            404,
        )
    with CaseStore(cases["alpha"]) as store:
        versions = translation_versions_of(store, call_id)[segment_id]
        assert [(v.version, v.editor) for v in versions] == [(1, "callsift"), (2, "analyst")]
        logged = [e for e in store.custody() if e["action"] == "correct-translation"]
        assert logged[-1]["actor"] == "analyst"


def test_the_api_corrects_the_english_with_the_same_versions(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    call_id, segment_id = _call_with_doubt(cases)
    with CaseStore(cases["alpha"]) as store:
        version = next(e.version for e in english_of(store, call_id) if e.segment_id == segment_id)
    url = f"/api/calls/{call_id}/segments/{segment_id}/english"
    case = {"case": "alpha"}
    with signed_in(app, "analyst") as analyst:
        ok = analyst.post(url, params=case, json={"text": "From a script.", "version": version})
        assert ok.status_code == 200, ok.text
        assert ok.json()["english_version"] == version + 1
        stale = analyst.post(url, params=case, json={"text": "Late.", "version": version})
        assert stale.status_code == 409 and f"since version {version}" in stale.text
    with CaseStore(cases["alpha"]) as store:
        shown = next(e for e in english_of(store, call_id) if e.segment_id == segment_id)
    assert shown.english == "From a script." and shown.version == version + 1
