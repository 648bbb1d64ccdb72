"""Pages that stay fast on a large case: lists in pages, one call re-analysed per correction.

The graph page and a number's profile read the shared case only; the
correction test runs its own app over its own copy of the demo case, so it
can leave another call pending without touching what other tests read.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callsift.graph.cache import case_graph_cached, forget
from callsift.store import CaseStore, segments_of
from callsift.store.team import TeamStore
from callsift.web import maps
from callsift.web.accounts import add_account
from callsift.web.app import WebSettings, create_app

from .conftest import PASSWORD, signed_in


@pytest.fixture
def fresh_graph() -> Iterator[None]:
    """Pictures and pages computed with this test's limits, not kept from another test's."""
    forget()
    yield
    forget()


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr><td data-label="Caller">(.*?)</tr>', page, re.S)


def _viewed(cases: dict[str, Any], via: str) -> list[list[int]]:
    with CaseStore(cases["alpha"]) as store:
        return [
            e["detail"]["call_ids"]
            for e in store.custody()
            if e["action"] == "view" and e["detail"].get("via") == via
        ]


def test_who_called_whom_comes_a_page_at_a_time(
    client: TestClient, cases: dict[str, Any], monkeypatch: pytest.MonkeyPatch, fresh_graph: None
) -> None:
    monkeypatch.setattr(maps, "FLOWS_PER_PAGE", 3)
    with CaseStore(cases["alpha"]) as store:
        every = case_graph_cached(store).flows
    assert len(every) > 6
    first = client.get("/cases/alpha/graph").text
    second = client.get("/cases/alpha/graph?page=2").text
    assert len(_rows(first)) == len(_rows(second)) == 3
    assert set(_rows(first)).isdisjoint(_rows(second))
    assert 'rel="next" href="?page=2"' in first and 'rel="prev" href="?page=1"' in second
    assert f"1–3 of {len(every)} pairs" in first
    shown = sorted({i for flow in every[3:6] for i in flow.call_ids})
    assert _viewed(cases, "graph")[-1] == shown  # the custody log names the rows shown
    period = client.get("/cases/alpha/graph?from=2022-03-01&to=2022-03-31&page=1").text
    assert "from=2022-03-01&amp;to=2022-03-31&amp;page=2" in period or len(_rows(period)) < 3


def test_the_picture_draws_the_busiest_numbers_only(
    client: TestClient, cases: dict[str, Any], monkeypatch: pytest.MonkeyPatch, fresh_graph: None
) -> None:
    monkeypatch.setattr(maps, "MAX_DRAWN", 4)
    with CaseStore(cases["alpha"]) as store:
        graph = case_graph_cached(store).graph
    page = client.get("/cases/alpha/graph").text
    assert page.count("<circle ") == 4
    assert "The 4 numbers with the most calls are drawn" in page
    busiest = sorted(graph, key=lambda key: (-graph.nodes[key]["calls"], key))[:4]
    for key in busiest:
        assert f'number?n={key.replace("+", "%2B")}"' in page


def test_a_busy_number_lists_its_calls_a_page_at_a_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(maps, "PROFILE_CALLS", 1)
    first = client.get("/cases/alpha/number", params={"n": "+79035551708"}).text
    second = client.get("/cases/alpha/number", params={"n": "+79035551708", "page": 2}).text
    assert "1–1 of 2 calls" in first and "2–2 of 2 calls" in second
    assert "call_001.wav" in first and "call_001.wav" not in second
    assert "call_020.mp3" in second and "call_020.mp3" not in first
    assert "page=2" in first and "page=1" in second
    assert "Bucha" in second  # places count every call, whichever page is shown


@pytest.fixture
def own_app(demo_case: Path, tmp_path: Path) -> tuple[FastAPI, Path]:
    folder = tmp_path / "case"
    shutil.copytree(demo_case, folder)
    with CaseStore(folder) as store:
        uuid = store.uuid
    with TeamStore(tmp_path / "team.db") as team:
        add_account(team, "reviewer", "reviewer", PASSWORD)
        team.grant("reviewer", uuid, str(folder))
    settings = WebSettings((folder,), tmp_path / "team.db", allowed_hosts=("testserver",))
    return create_app(settings), folder


@pytest.mark.parametrize("route", ["api", "page"])
def test_a_correction_re_analyses_that_call_only(own_app: tuple[FastAPI, Path], route: str) -> None:
    app, folder = own_app
    corrected, waiting = 3, 5
    with CaseStore(folder) as store:
        segment = segments_of(store, corrected)[0]
        with store.transaction():  # left pending by other settings (another watchlist file)
            store.conn.execute("UPDATE calls SET analyzed_with = NULL WHERE id = ?", (waiting,))
    text = "Нас обстреляли под Мариуполем."
    with signed_in(app, "reviewer") as reviewer:
        if route == "api":
            answer = reviewer.post(
                f"/api/calls/{corrected}/segments/{segment.id}",
                json={"text": text, "version": segment.version, "note": ""},
            )
        else:
            answer = reviewer.post(
                f"/cases/case/calls/{corrected}/segments/{segment.id}",
                data={"text": text, "version": segment.version},
                headers={"HX-Request": "true"},
            )
        assert answer.status_code == 200, answer.text
    with CaseStore(folder) as store:
        analysed = dict(store.conn.execute("SELECT id, analyzed_with FROM calls").fetchall())
        places = store.conn.execute(
            "SELECT normal FROM mentions WHERE call_id = ? AND segment_id = ? AND type = 'LOC'",
            (corrected, segment.id),
        ).fetchall()
    assert analysed[corrected] is not None and ("Мариуполь",) in [tuple(p) for p in places]
    assert analysed[waiting] is None  # still pending: the next analysis run takes it
