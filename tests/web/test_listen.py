"""Listening, quoting and forms that keep work, through the app (no browser).

Calls 3, 4 and 5 of the shared case are this module's (and the browser
test's): 3 is quoted and annotated, 4 verified, 5 corrected.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from fastapi import FastAPI

from callsift.export.manifest import verify_bytes
from callsift.store import CaseStore, segments_of
from callsift.store.review import annotations_of
from callsift.verify.status import verification_of

from .conftest import signed_in

HTMX = {"HX-Request": "true"}


def test_a_quote_downloads_as_a_zip_that_checks_out(app: FastAPI, cases: dict[str, Any]) -> None:
    with signed_in(app, "analyst") as analyst:
        answer = analyst.post("/cases/alpha/calls/3/quote", data={"start": "1.5", "end": "4"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert "call-0003-quote-1.5-4.0s.zip" in answer.headers["content-disposition"]
    checked = verify_bytes(answer.content)
    assert checked.ok and checked.call_ids == [3], checked.problems
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert answer.headers["x-clip-sha256"] in archive.read("citation.txt").decode()
    with CaseStore(cases["alpha"]) as store:
        entry = store.custody()[-1]
    assert (entry["action"], entry["actor"], entry["detail"]["call_id"]) == ("quote", "analyst", 3)
    assert str(entry["id"]) == answer.headers["x-custody-entry"]


def test_a_quote_of_no_passage_is_refused_and_says_why(app: FastAPI) -> None:
    with signed_in(app, "analyst") as analyst:
        for start, end, status, why in (
            ("4", "2", 400, "must come after the start"),
            ("0", "400", 400, "at most 5 minutes"),
            ("900", "901", 400, "choose a span inside it"),
            ("nan", "3", 422, "start"),
            ("1", "inf", 422, "end"),
            ("-2", "3", 422, "start"),
        ):
            answer = analyst.post("/cases/alpha/calls/3/quote", data={"start": start, "end": end})
            assert answer.status_code == status and why in answer.text, (start, end, answer.text)


def test_a_refused_verification_keeps_what_was_typed_and_marks_the_field(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    url = "/cases/alpha/calls/4/verification"
    with CaseStore(cases["alpha"]) as store:
        version = str(verification_of(store, 4).version)
    with signed_in(app, "reviewer") as reviewer:
        bad_links = reviewer.post(
            url,
            data={
                "status": "corroborated",
                "version": version,
                "note": "same voice",
                "links": "2, x9",
            },
            headers=HTMX,
        )
        no_note = reviewer.post(
            url, data={"status": "disputed", "version": version, "links": "7"}, headers=HTMX
        )
    assert bad_links.status_code == 400
    page = bad_links.text
    assert ">same voice</textarea>" in page and 'value="2, x9"' in page
    assert (
        'name="links" value="2, x9" placeholder="e.g. 3, 9" inputmode="numeric" aria-invalid="true"'
        in page
    )
    assert 'id="verify-links-error">links are up to' in page
    assert '<option value="corroborated" selected>' in page
    assert no_note.status_code == 400
    assert 'aria-invalid="true" aria-describedby="verify-note-error"' in no_note.text
    assert 'value="7"' in no_note.text and "needs a note" in no_note.text
    with CaseStore(cases["alpha"]) as store:
        assert str(verification_of(store, 4).version) == version  # nothing was saved


def test_an_edit_conflict_shows_both_versions_and_the_merge_saves(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    with CaseStore(cases["alpha"]) as store:
        segment = segments_of(store, 5)[1]
    url = f"/cases/alpha/calls/5/segments/{segment.id}"
    seen = str(segment.version)
    theirs, mine = segment.text + " (их правка)", segment.text + " (моя правка)"
    with signed_in(app, "analyst") as first, signed_in(app, "reviewer") as second:
        assert first.post(url, data={"text": theirs, "version": seen}, headers=HTMX).is_success
        late = second.post(url, data={"text": mine, "version": seen, "note": "heard"}, headers=HTMX)
        assert late.status_code == 409
        page = late.text
        assert '<div class="side theirs">' in page and '<div class="side yours">' in page
        assert f"{theirs}</p>" in page and f"{mine}</p>" in page
        assert f">{theirs}</textarea>" in page  # the merge starts from what is stored
        assert f'name="version" value="{segment.version + 1}"' in page
        assert 'value="heard"' in page
        merged = f"{segment.text} (их и моя правка)"
        saved = second.post(
            url, data={"text": merged, "version": str(segment.version + 1)}, headers=HTMX
        )
        assert saved.status_code == 200 and merged in saved.text
    with CaseStore(cases["alpha"]) as store:
        assert segments_of(store, 5)[1].text == merged


def test_a_note_sent_twice_at_once_is_one_note(app: FastAPI, cases: dict[str, Any]) -> None:
    note = {"text": "Heard twice? Once.", "start": "2.0"}
    with signed_in(app, "analyst") as analyst:
        first = analyst.post("/cases/alpha/calls/3/annotations", data=note, headers=HTMX)
        again = analyst.post(
            "/cases/alpha/calls/3/annotations", data={**note, "start": "2.3"}, headers=HTMX
        )
    assert first.status_code == again.status_code == 200
    with CaseStore(cases["alpha"]) as store:
        same = [a for a in annotations_of(store, 3) if a.text == note["text"]]
    assert len(same) == 1
    assert " UTC · at " in again.text and not re.search(r"\d{4}-\d\d-\d\dT", again.text)


def test_the_call_page_lists_its_shortcuts_and_a_speed_control(app: FastAPI) -> None:
    with signed_in(app, "analyst") as analyst:
        page = analyst.get("/cases/alpha/calls/3").text
    assert '<select id="speed"' in page and '<option value="1" selected>1×</option>' in page
    assert '<details class="keys" id="keys"><summary>Keyboard</summary>' in page
    for key in ("<kbd>Space</kbd>", "<kbd>N</kbd>", "<kbd>&lt;</kbd>", "<kbd>[</kbd>"):
        assert key in page
    assert 'id="quote-form"' in page and 'action="/cases/alpha/calls/3/quote"' in page
    with signed_in(app, "viewer") as viewer:
        page = viewer.get("/cases/alpha/calls/3").text
    assert '<select id="speed"' in page and 'id="quote-form"' not in page
