"""The SQLite export, served by a real Datasette in-process: JSON API, search, views."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from callsift.export.datasette import metadata_path
from callsift.export.formats import write_format
from callsift.store import CaseStore

from ..conftest import DEMO_CALLS
from .conftest import PAYLOAD_CALL


@pytest.fixture(scope="module")
def exported(export_case: CaseStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_format(export_case, "sqlite", None, tmp_path_factory.mktemp("ds") / "case.db")


def _get(db: Path, *paths: str) -> list[Any]:
    """GET each path from a Datasette serving ``db`` with its metadata; the JSON bodies."""

    async def run() -> list[Any]:
        metadata = json.loads(metadata_path(db).read_text(encoding="utf-8"))
        datasette = Datasette([str(db)], metadata=metadata)
        bodies = []
        for path in paths:
            response = await datasette.client.get(path)
            assert response.status_code == 200, (path, response.text)
            bodies.append(response.json())
        return bodies

    return asyncio.run(run())


def test_datasette_serves_the_calls(exported: Path) -> None:
    calls, one = _get(exported, "/case/calls.json?_shape=array", "/case/calls/18.json?_shape=array")
    assert [row["id"] for row in calls] == list(range(1, DEMO_CALLS + 1))
    first = calls[0]
    assert first["file"] == "call_001.wav" and first["caller_e164"] == "+79035551708"
    assert first["caller_raw"] == "+7 903 555 17 08"
    assert first["caller_name"] == "Сидоров Иван / Смирнов Олег"
    assert first["verification"] == "verified" and first["reviewer"] == "ana"
    assert first["flags"] == 1 and first["flag_topics"] == "casualties 1"  # "не ранен": none
    assert json.loads(first["extra"]) == {"intercept_ref": "IR-0304-017"}
    assert one[0]["receiver_raw"] == "12345" and one[0]["receiver_valid"] == 0
    assert one[0]["receiver_e164"] is None and one[0]["receiver_name"] == "Коротыш"
    assert calls[19]["status"] == "failed" and calls[19]["duration_s"] is None


def test_segments_search_box_finds_words_lemmas_and_english(exported: Path) -> None:
    table, words, lemma, english = _get(
        exported,
        "/case/segments.json",
        "/case/segments.json?_search=убили&_shape=array",
        "/case/segments.json?_search=убить&_shape=array",
        "/case/segments.json?_search=killed&_shape=array",
    )
    assert table["rows"]  # the table page itself
    assert words and all("убили" in row["text"].lower() for row in words)
    assert PAYLOAD_CALL in {row["call_id"] for row in words}
    assert {row["id"] for row in words} <= {row["id"] for row in lemma}
    assert english and all("kill" in row["translation"].lower() for row in english)


def test_views_and_metadata(exported: Path) -> None:
    summary, flagged, numbers, tables = _get(
        exported,
        "/case/call_summary.json?_shape=array",
        "/case/flagged_segments.json?_shape=array&topic=casualties",
        "/case/number_activity.json?_shape=array&number=%2B79035551708",
        "/-/metadata.json",
    )
    assert len(summary) == DEMO_CALLS and summary[0]["started_at"] is None  # undated call first
    assert all(row["topic"] == "casualties" for row in flagged)
    assert any("<script>" in row["text"] for row in flagged)  # stored as said, served as JSON
    assert numbers == [
        {
            "number": "+79035551708",
            "valid": 1,
            "country": "RU",
            "carrier": "Beeline",
            "name": "Сидоров Иван / Смирнов Олег",
            "calls": 2,
            "as_caller": 2,
            "as_receiver": 0,
            "first_call": "2022-03-04T19:12:40+03:00",
            "last_call": "2022-03-18T15:33:27+03:00",
        }
    ]
    assert tables["title"].startswith("callsift case")
    assert "verification" in tables["databases"]["case"]["tables"]["calls"]["description"]


def test_selection_exports_only_its_calls(export_case: CaseStore, tmp_path: Path) -> None:
    db = write_format(export_case, "sqlite", [3, 1], tmp_path / "two.db")
    calls, segments, custody = _get(
        db,
        "/two/calls.json?_shape=array",
        "/two/segments.json?_shape=array&_size=max",
        "/two/custody.json?_shape=array&_size=max",
    )
    assert [row["id"] for row in calls] == [1, 3]
    assert {row["call_id"] for row in segments} == {1, 3}
    assert {row["sha256"] for row in custody} == {row["sha256"] for row in calls}
