"""The interface in English and Ukrainian: catalogues complete, the reader's choice kept."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi import FastAPI

from .conftest import signed_in

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "src" / "callsift" / "web" / "locale" / "uk" / "LC_MESSAGES" / "messages.po"


def _messages_script():
    spec = importlib.util.spec_from_file_location("messages", REPO / "scripts" / "messages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_marked_message_has_its_ukrainian() -> None:
    marked = {m.id for m in _messages_script().template_catalog() if m.id}
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle, locale="uk")
    missing = sorted(str(m) for m in marked if not (catalogue.get(m) and catalogue.get(m).string))
    assert marked and not missing, f"run `make messages` and translate: {missing[:20]}"


def test_the_reader_chooses_the_language_and_it_stays(app: FastAPI) -> None:
    with signed_in(app, "viewer") as client:
        english = client.get("/cases/alpha/").text
        assert 'lang="en"' in english and "machine-made" in english
        browser_says = client.get("/cases/alpha/", headers={"accept-language": "uk-UA,uk;q=0.9"})
        assert '<html lang="uk">' in browser_says.text and "зроблено машиною" in browser_says.text
        chosen = client.post("/language", data={"language": "uk", "next": "/cases/alpha/"})
        assert (chosen.status_code, chosen.headers["location"]) == (303, "/cases/alpha/")
        assert "зроблено машиною" in client.get("/cases/alpha/").text  # the cookie stays
        # The Ukrainian interface shows the case's words exactly as they are stored.
        assert "call_001.wav" in client.get("/cases/alpha/calls").text


def test_the_language_form_goes_back_to_this_server_only(app: FastAPI) -> None:
    with signed_in(app, None) as anonymous:
        for away in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
            answer = anonymous.post("/language", data={"language": "uk", "next": away})
            assert answer.headers["location"] == "/", away
        refused = anonymous.post("/language", data={"language": "xx"})
        assert refused.status_code == 400
