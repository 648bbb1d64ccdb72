"""Low-confidence words and findings as the review app shows them, and the review queue."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from callsift.analyze.confidence import LOW_CONFIDENCE
from callsift.parties import CallParties
from callsift.records import Segment, Word
from callsift.store import CaseStore
from callsift.store.analysis import flags_of, mentions_of
from callsift.store.certainty import review_queue
from callsift.web.roles import Capability
from callsift.web.transcript import segment_views

HOSTILE = "<b>Буча</b>"


def _render_segment(app: FastAPI, segment: Segment) -> str:
    dossier: Any = SimpleNamespace(mentions=[], flags=[], segments=[segment], versions={})
    (view,) = segment_views(dossier)
    template = app.state.templates.env.get_template("_segment.html")
    return str(
        template.render(
            view=view,
            d=SimpleNamespace(call=SimpleNamespace(id=1), parties=CallParties(1)),
            case=SimpleNamespace(slug="alpha"),
            viewer=SimpleNamespace(can=lambda capability: False),
            Capability=Capability,
            csrf="",
            error="",
        )
    )


def test_an_unsure_word_is_faint_with_its_probability_and_stays_text(app: FastAPI) -> None:
    low = round(LOW_CONFIDENCE / 2, 2)
    words = [Word(0, 1, " Мы", 0.95), Word(1, 2, " в", 0.9), Word(2, 3, " " + HOSTILE, low)]
    segment = Segment(0, 0, 3, "Мы в " + HOSTILE, "ru", words=words, id=1)
    html = _render_segment(app, segment)
    assert "<b>" not in html and "&lt;b&gt;Буча&lt;/b&gt;" in html
    (marked,) = re.findall(r'<span class="w unsure"[^>]*>([^<]*)</span>', html)
    assert marked == "&lt;b&gt;Буча&lt;/b&gt;"
    assert f'title="uncertain: heard with probability {low:.2f}"' in html
    assert html.count("unsure") == 1  # the sure words are not marked


def test_a_reviewers_typed_word_is_not_shown_as_unsure(app: FastAPI) -> None:
    words = [Word(0, 1, " Мы", 0.95), Word(1, 2, " в", 0.9), Word(2, 3, " Гуче", 0.1)]
    segment = Segment(0, 0, 3, "Мы в Буче", "ru", words=words, id=1, version=2)
    assert "unsure" not in _render_segment(app, segment)


def test_the_review_queue_lists_the_least_certain_calls_first(
    client: TestClient, cases: dict[str, Any]
) -> None:
    with CaseStore(cases["alpha"], create=False) as store:
        queue = review_queue(store)
    assert [row.certainty for row in queue] == sorted(row.certainty for row in queue)
    page = client.get("/cases/alpha/calls", params={"sort": "certainty"})
    assert page.status_code == 200 and "Review queue" in page.text
    shown = [int(i) for i in re.findall(r'<a href="/cases/alpha/calls/(\d+)">', page.text)]
    assert shown == [row.call_id for row in queue]
    assert client.get("/cases/alpha/calls", params={"sort": "nonsense"}).status_code == 422


def test_the_call_page_marks_unsure_words_and_findings(
    client: TestClient, cases: dict[str, Any]
) -> None:
    with CaseStore(cases["alpha"], create=False) as store:
        call_id = next(row.call_id for row in review_queue(store) if row.low_words)
        found = [*mentions_of(store, call_id), *flags_of(store, call_id)]
    page = client.get(f"/cases/alpha/calls/{call_id}")
    assert page.status_code == 200
    assert 'class="w unsure' in page.text and "uncertain: heard with probability" in page.text
    assert "words heard with low confidence" in page.text
    assert ("uncertain (" in page.text) == any(
        f.confidence is not None and f.confidence < LOW_CONFIDENCE for f in found
    )


def test_the_api_carries_call_certainty_and_finding_confidence(client: TestClient) -> None:
    calls = client.get("/api/calls", params={"case": "alpha"}).json()
    scored = [c for c in calls if c["certainty"] is not None]
    assert scored and all(0 <= c["certainty"]["certainty"] <= 1 for c in scored)
    worst = min(scored, key=lambda c: c["certainty"]["certainty"])
    document = client.get(f"/api/calls/{worst['id']}", params={"case": "alpha"}).json()
    for finding in [*document["entities"], *document["flags"]]:
        low = finding["confidence"] is not None and finding["confidence"] < LOW_CONFIDENCE
        assert finding["low_confidence"] == low
