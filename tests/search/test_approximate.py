"""Approximate hits in a case: marked, ranked after exact ones, off with ``exact``.

The transcripts here are written as Whisper garbles telephone calls: a
compound split in two, a place glued to its preposition, letters off.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from callsift.cli import app
from callsift.records import SearchFilters
from callsift.search import search
from callsift.store import CaseStore
from callsift.store.case import DB_NAME
from callsift.store.custody import register_functions
from callsift.store.schema import MIGRATIONS
from callsift.store.sounds import forget_sounds
from callsift.store.sqlite import split_statements
from callsift.store.team import TeamStore
from callsift.web.accounts import add_account
from callsift.web.app import WebSettings, create_app

from .conftest import add_call

TEXTS = [
    "Мама, мы стоим визюме уже неделю.",
    "Вчера сгорел бронит рансп ортёра, двое раненых.",
    "Второй Патальюн почти весь погиб под Изюмом.",
    "Батальон отошёл, всё хорошо, не переживай.",
    "Много мирных погибло.",
    "Я позвоню в комитет солдарских макерей.",
]


@pytest.fixture
def garbled(case: CaseStore) -> CaseStore:
    for number, text in enumerate(TEXTS):
        add_call(case, number, text)
    return case


def test_a_misheard_word_is_found_and_marked_approximate(garbled: CaseStore) -> None:
    result = search(garbled, "Изюм")
    assert [(h.file, h.match) for h in result.hits] == [
        ("call_2.wav", "exact"),
        ("call_0.wav", "approximate"),
    ]
    assert result.total == 2 and result.approximate == 1
    approximate = result.hits[1]
    assert approximate.matched == {"Изюм": "визюме"}
    assert approximate.snippet == "Мама, мы стоим [визюме] уже неделю."
    assert approximate.score > result.hits[0].score  # ranked after every exact hit


def test_exact_turns_approximate_hits_off(garbled: CaseStore) -> None:
    assert [h.file for h in search(garbled, "Изюм", SearchFilters(exact=True)).hits] == [
        "call_2.wav"
    ]
    assert search(garbled, "бронетранспортёр", SearchFilters(exact=True)).hits == []
    (hit,) = search(garbled, "бронетранспортёр").hits
    assert hit.matched == {"бронетранспортёр": "бронит рансп ортёра"}


def test_every_term_of_the_query_must_be_said(garbled: CaseStore) -> None:
    assert {h.file for h in search(garbled, "батальон").hits} == {"call_2.wav", "call_3.wav"}
    assert [h.file for h in search(garbled, "батальон погиб").hits] == ["call_2.wav"]
    assert [h.file for h in search(garbled, "батальон -погиб").hits] == ["call_3.wav"]
    assert search(garbled, "батальон Херсон").hits == []
    assert {h.file for h in search(garbled, "Херсон OR бронетранспортёр").hits} == {"call_1.wav"}
    assert search(garbled, "мир").hits == []  # "мирных" is not "мир"
    assert search(garbled, "Изюм", SearchFilters(lang="en")).hits == []


def test_a_phrase_is_found_with_a_letter_off_in_a_short_word(garbled: CaseStore) -> None:
    (hit,) = search(garbled, '"комитет солдатских матерей"').hits
    assert hit.matched == {"комитет солдатских матерей": "комитет солдарских макерей"}


def test_the_cli_json_says_which_kind_each_hit_is(garbled: CaseStore) -> None:
    runner = CliRunner()
    args = ["search", "Изюм", "--case", str(garbled.root), "--json"]
    hits = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert [(h["file"], h["match"], h["matched"]) for h in hits] == [
        ("call_2.wav", "exact", {}),
        ("call_0.wav", "approximate", {"Изюм": "визюме"}),
    ]
    exact = json.loads(runner.invoke(app, [*args, "--exact"], catch_exceptions=False).stdout)
    assert [h["file"] for h in exact] == ["call_2.wav"]


def test_a_corrected_segment_is_searched_as_corrected(garbled: CaseStore) -> None:
    assert search(garbled, "Изюм").approximate == 1
    # Another SQLite client (no callsift functions) rewrites the segment: the
    # triggers queue it, and the next search keys it again.
    other = sqlite3.connect(garbled.root / DB_NAME)
    with other:
        other.execute("UPDATE segments SET text = 'Мы стоим в Херсоне.' WHERE text LIKE '%визюме%'")
        other.execute(
            'INSERT INTO segments (call_id, channel, start, "end", language, text, words)'
            " VALUES (1, 0, 5.0, 6.0, 'ru', 'Стоим пот Изюмам.', '[]')"
        )
    other.close()
    hits = search(garbled, "Изюм").hits
    assert [(h.text, h.match) for h in hits][1:] == [("Стоим пот Изюмам.", "approximate")]


def test_a_schema_6_case_gets_the_sound_index_on_first_use(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    conn = sqlite3.connect(root / DB_NAME, isolation_level=None)
    register_functions(conn)
    for version, script in enumerate(MIGRATIONS[:6], 1):
        for statement in split_statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={version}")
    conn.execute(
        "INSERT INTO calls (id, sha256, file, size, ingested_at, status)"
        " VALUES (1, 'aa', 'call_1.wav', 0, '', 'done')"
    )
    conn.execute(
        'INSERT INTO segments (call_id, channel, start, "end", language, text, words)'
        " VALUES (1, 0, 0.0, 2.0, 'ru', 'Мы стоим визюме.', '[]')"
    )
    conn.close()
    with CaseStore(root) as store:
        (hit,) = search(store, "Изюм").hits
        assert hit.match == "approximate"
        assert store.conn.execute("SELECT count(*) FROM sounds_stale").fetchone()[0] == 0


def test_forgetting_the_index_leaves_no_trigram_of_the_words(garbled: CaseStore) -> None:
    search(garbled, "Изюм")
    with garbled.transaction() as conn:
        forget_sounds(conn)
    rows = garbled.conn.execute("SELECT count(*) FROM sounds_fts_idx").fetchone()[0]
    assert rows == 0
    data = b"".join(
        row[0] or b"" for row in garbled.conn.execute("SELECT block FROM sounds_fts_data")
    )
    assert "сум".encode() not in data
    assert [h.match for h in search(garbled, "Изюм").hits] == ["exact", "approximate"]


def test_the_web_page_and_api_show_approximate_hits_as_such(
    garbled: CaseStore, tmp_path: Path
) -> None:
    team = tmp_path / "team.db"
    with TeamStore(team) as accounts:
        add_account(accounts, "viewer", "viewer", "a long test password")
        accounts.grant("viewer", garbled.uuid, str(garbled.root))
    app = create_app(WebSettings((garbled.root,), team, allowed_hosts=("testserver",)))
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login = {"username": "viewer", "password": "a long test password"}
    client.headers["X-CSRF-Token"] = client.post("/api/login", json=login).json()["csrf_token"]
    slug = garbled.root.name
    page = client.get(f"/cases/{slug}/search", params={"q": "Изюм"}).text
    assert "approximate: Изюм ≈ “визюме”" in page
    assert "<mark>визюме</mark>" in page
    assert "визюме" not in client.get(f"/cases/{slug}/search?q=Изюм&exact=true").text
    api = client.get("/api/search", params={"case": slug, "q": "Изюм"}).json()
    assert [(h["match"], h["matched"]) for h in api["hits"]] == [
        ("exact", {}),
        ("approximate", {"Изюм": "визюме"}),
    ]
    assert api["approximate"] == 1
    exact = client.get("/api/search", params={"case": slug, "q": "Изюм", "exact": "true"}).json()
    assert [h["match"] for h in exact["hits"]] == ["exact"]
