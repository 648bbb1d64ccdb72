"""Script in a recording's name, metadata, transcript, translation, notes or known name is text.

Transcripts are machine-heard speech and metadata comes from whoever filled
the sheet: the planted call carries a payload in each, and every page that
shows them must show the payload as characters, never as markup.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from .conftest import (
    HOSTILE_FILE,
    HOSTILE_NAME,
    HOSTILE_NOTE,
    HOSTILE_NUMBER,
    HOSTILE_TEXT,
    HOSTILE_TRANSLATION,
    IMG,
    SCRIPT,
)

RAW = (SCRIPT, IMG, "<img", "<script>")  # raw tags; escaped text may say "onerror="


def _page(client: TestClient, url: str, **params: str) -> str:
    answer = client.get(url, params=params)
    assert answer.status_code == 200, (url, answer.text[:500])
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def _assert_inert(page: str, *shown: str) -> None:
    for raw in RAW:
        # The page's own markup has scripts only as <script src="/static/…">.
        body = page.replace('<script src="/static/htmx-2.0.11.min.js" defer></script>', "")
        body = body.replace('<script src="/static/app.js" defer></script>', "")
        assert raw not in body, raw
    for text in shown:
        assert str(escape(text)) in page, text  # as Jinja escapes it: shown, as characters


@pytest.mark.parametrize(
    ("url", "params", "shown"),
    [
        ("/cases/alpha/calls", {}, (HOSTILE_FILE, HOSTILE_NUMBER)),
        ("/cases/alpha/search", {"q": "Буча"}, (HOSTILE_FILE,)),
        ("/cases/alpha/search", {"q": "shelled", "lang": "en"}, (HOSTILE_FILE,)),
        ("/cases/alpha/graph", {}, (HOSTILE_NAME,)),
        ("/cases/alpha/number", {"n": HOSTILE_NUMBER}, (HOSTILE_NAME, HOSTILE_FILE)),
        ("/cases/alpha/", {}, ()),
        ("/cases/alpha/timeline", {}, ()),
    ],
)
def test_case_pages_show_payloads_as_text(
    client: TestClient, url: str, params: dict[str, str], shown: tuple[str, ...]
) -> None:
    _assert_inert(_page(client, url, **params), *shown)


def test_the_call_page_shows_every_payload_as_text(
    client: TestClient, cases: dict[str, Any]
) -> None:
    page = _page(client, f"/cases/alpha/calls/{cases['hostile']}")
    # The transcript is cut into timed words; each payload word is escaped in its span.
    for word in HOSTILE_TEXT.split():
        assert str(escape(word)) in page, word
    _assert_inert(page, HOSTILE_FILE, HOSTILE_TRANSLATION, HOSTILE_NOTE, SCRIPT)


def test_search_snippets_mark_words_but_escape_the_rest(client: TestClient) -> None:
    page = _page(client, "/cases/alpha/search", q="Буча")
    assert "<mark>Бучей</mark>" in page
    assert str(escape(SCRIPT)) in page
    _assert_inert(page)


def test_the_api_returns_payloads_as_json_strings(
    client: TestClient, cases: dict[str, Any]
) -> None:
    answer = client.get(f"/api/calls/{cases['hostile']}", params={"case": "alpha"})
    assert answer.headers["content-type"] == "application/json"
    document = answer.json()
    assert document["file"] == HOSTILE_FILE
    assert document["segments"][0]["text"] == HOSTILE_TEXT
    assert document["segments"][0]["translation"] == HOSTILE_TRANSLATION
    assert document["annotations"][0]["text"] == HOSTILE_NOTE
