"""The analytics follow the graph's structure: a run's finished calls keep them, a new call
between two numbers does not; a slow graph is shown while the next one is computed."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from callsift.graph import cache
from callsift.graph.cache import case_graph_cached, forget, graph_for_view, period_graph
from callsift.graph.callgraph import build_graph
from callsift.graph.phones import import_directories, number_case
from callsift.store import CaseStore
from callsift.store.custody import register_functions
from callsift.store.graph import (
    claim,
    graph_calls,
    graph_snapshot,
    graph_state,
    kept_state,
    known_numbers,
    save_result,
)
from callsift.store.schema import MIGRATIONS
from callsift.store.sqlite import split_statements
from callsift.store.team import TeamStore
from callsift.web.accounts import add_account
from callsift.web.app import WebSettings, create_app

# Two circles of three numbers that call each other, and one call between them.
CALLS = [
    ("+7 903 555 00 01", "+7 903 555 00 02"),
    ("+7 903 555 00 02", "+7 903 555 00 03"),
    ("+7 903 555 00 03", "+7 903 555 00 01"),
    ("+7 903 555 00 01", "+7 903 555 00 02"),
    ("+380 67 555 00 11", "+380 67 555 00 12"),
    ("+380 67 555 00 12", "+380 67 555 00 13"),
    ("+380 67 555 00 13", "+380 67 555 00 11"),
    ("+380 67 555 00 11", "+380 67 555 00 13"),
    ("+7 903 555 00 03", "+380 67 555 00 11"),
]


def add_call(store: CaseStore, caller: str, receiver: str, day: int = 1) -> int:
    """A pending call with its metadata, as ingest leaves it, and its numbers read."""
    count = store.conn.execute("SELECT count(*) FROM calls").fetchone()[0]
    call_id, _, _ = store.add_call(f"{count:064x}", f"call_{count:03d}.wav", "/in", 1000)
    metadata = {
        "caller": caller,
        "receiver": receiver,
        "started_at": f"2022-03-{day:02d}T10:00:00+03:00",
        "duration_s": 60,
    }
    with store.transaction():
        store.conn.execute(
            "UPDATE calls SET metadata = ? WHERE id = ?", (json.dumps(metadata), call_id)
        )
    number_case(store)
    return call_id


def finish(store: CaseStore, seconds: float) -> None:
    """What a run writes as each call ends: its status and its decoded length."""
    with store.transaction():
        store.conn.execute("UPDATE calls SET status = 'done', duration_s = ?", (seconds,))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaseStore]:
    forget()
    with CaseStore(tmp_path / "case") as opened:
        for day, (caller, receiver) in enumerate(CALLS, start=1):
            add_call(opened, caller, receiver, day)
        yield opened
    forget()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each graph the cache built: ``True`` with its analytics, ``False`` with them kept."""
    made: list[bool] = []

    def counted(*args: Any, **kwargs: Any) -> nx.Graph:
        made.append(kwargs.get("like") is None)
        return build_graph(*args, **kwargs)

    monkeypatch.setattr(cache, "build_graph", counted)
    return made


def analytics(graph: nx.Graph) -> dict[str, tuple[int, int, float]]:
    return {
        key: (data["community"], data["degree"], data["betweenness"])
        for key, data in graph.nodes(data=True)
    }


def fresh(store: CaseStore) -> nx.Graph:
    return build_graph(graph_calls(store), known_numbers(store))


def test_calls_finishing_in_a_run_keep_the_analytics(store: CaseStore, builds: list[bool]) -> None:
    computed = case_graph_cached(store)
    finish(store, 42.0)
    assert graph_state(store).structure == computed.state.structure
    assert graph_for_view(store) is computed  # a page view: one query, nothing computed
    assert period_graph(store, None, None) is computed
    assert builds == [True]
    exact = case_graph_cached(store)  # an export's: the new durations, the analytics kept
    assert builds == [True, False]
    assert exact.graph.edges["+79035550001", "+79035550002"]["total_duration_s"] == 84.0
    assert computed.graph.edges["+79035550001", "+79035550002"]["total_duration_s"] == 120.0
    assert analytics(exact.graph) == analytics(computed.graph) == analytics(fresh(store))
    forget()  # another process: reads what was kept, computes nothing
    assert list(case_graph_cached(store).graph.edges(data=True)) == list(
        exact.graph.edges(data=True)
    )
    assert builds == [True, False]


def test_a_new_call_between_two_numbers_gives_new_analytics(
    store: CaseStore, builds: list[bool]
) -> None:
    before = graph_for_view(store)
    add_call(store, "+7 903 555 00 02", "+380 67 555 00 12")
    after = graph_for_view(store)
    assert builds == [True, True] and after.state.structure > before.state.structure
    assert ("+79035550002", "+380675550012") in after.graph.edges
    assert ("+79035550002", "+380675550012") not in before.graph.edges
    assert analytics(after.graph) == analytics(fresh(store))
    assert (
        after.graph.nodes["+79035550002"]["betweenness"]
        > 0
        == before.graph.nodes["+79035550002"]["betweenness"]
    )


def test_a_directory_entry_is_on_the_next_view_with_the_analytics_kept(
    store: CaseStore, builds: list[bool], tmp_path: Path
) -> None:
    before = graph_for_view(store)
    known = tmp_path / "known.csv"
    known.write_text("number,name\n+7 903 555 00 03,Сидоров Иван\n", encoding="utf-8")
    import_directories(store, [known])
    after = graph_for_view(store)
    assert after.graph.nodes["+79035550003"]["label"] == "Сидоров Иван"
    assert "Сидоров Иван" in [c.label for c in after.summary.central]
    assert builds == [True, False] and after.state.structure == before.state.structure
    assert analytics(after.graph) == analytics(before.graph)


def test_a_slow_graph_is_shown_while_the_new_one_is_computed(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = graph_for_view(store)
    monkeypatch.setattr(cache, "INLINE_S", -1.0)  # as if it had taken minutes
    add_call(store, "+7 903 555 00 02", "+380 67 555 00 12")
    shown = graph_for_view(store)
    assert shown.refreshing and shown.graph is before.graph
    assert period_graph(store, None, None).refreshing
    deadline = time.monotonic() + 60
    while shown.refreshing and time.monotonic() < deadline:
        time.sleep(0.05)
        shown = graph_for_view(store)
    assert not shown.refreshing and shown.state == graph_state(store)
    assert ("+79035550002", "+380675550012") in shown.graph.edges
    assert kept_state(store, cache.CACHE_NAME) == shown.state  # kept for other processes


def test_a_server_leaves_the_analytics_to_the_process_computing_them(
    store: CaseStore, builds: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    graph_for_view(store)
    monkeypatch.setattr(cache, "INLINE_S", -1.0)  # as if it had taken minutes
    add_call(store, "+7 903 555 00 02", "+380 67 555 00 12")  # the run's numbers stage
    with CaseStore(store.root) as run:  # its graph stage claims the analytics
        assert claim(run, graph_state(run).structure, 60, wait=False)
        assert graph_for_view(store).refreshing
        computing = cache._computing_lock(store.identity)
        deadline = time.monotonic() + 60
        while computing.locked() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds == [True]  # the server's thread left them to the run
        computed = case_graph_cached(run)
    assert builds == [True, True]
    assert graph_for_view(store) is computed
    assert store.conn.execute("SELECT claimed FROM graph_state").fetchone()[0] is None


def test_what_another_process_writes_is_seen_and_never_labelled_newer(
    store: CaseStore, tmp_path: Path
) -> None:
    seen = graph_for_view(store)
    script = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from callsift.store import CaseStore\n"
        "from callsift.graph.phones import number_case\n"
        "with CaseStore(Path(sys.argv[1])) as s:\n"
        "    with s.transaction():\n"
        "        s.conn.execute(\"UPDATE calls SET status = 'done', duration_s = 5\")\n"
        "        s.conn.execute('UPDATE calls SET metadata = json_set(metadata,"
        ' "$.receiver", "+380 67 555 00 13") WHERE id = 1\')\n'
        "    number_case(s)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(store.root)], check=True)
    after = graph_for_view(store)  # the CLI corrected a number: this server sees it
    assert after.state.structure > seen.state.structure
    assert 1 in after.graph.edges["+79035550001", "+380675550013"]["call_ids"]
    assert analytics(after.graph) == analytics(fresh(store))
    with CaseStore(store.root) as other, graph_snapshot(store) as state:
        add_call(other, "+7 903 555 00 01", "+380 67 555 00 12")  # while this one reads
        assert graph_state(store) == state  # the snapshot: counters and rows of one moment
        assert max(c.call_id for c in graph_calls(store)) == len(CALLS)  # not the new one
    assert graph_state(store).structure > state.structure
    assert not save_result(store, "test", state, "computed from the older rows")


def test_a_case_at_schema_9_keeps_its_current_analytics(tmp_path: Path, builds: list[bool]) -> None:
    with CaseStore(tmp_path / "made") as made:
        for caller, receiver in CALLS:
            add_call(made, caller, receiver)
        computed = case_graph_cached(made)
    forget()
    data = json.loads(cache._dump(computed))
    del data["seconds"]  # schema 9's callsift kept no timings
    (tmp_path / "case").mkdir()
    conn = sqlite3.connect(tmp_path / "case" / "case.db", isolation_level=None)
    register_functions(conn)
    for statement in (s for version in MIGRATIONS[:9] for s in split_statements(version)):
        conn.execute(statement)
    conn.execute("ATTACH ? AS made", (str(tmp_path / "made" / "case.db"),))
    columns = "id, sha256, file, size, ingested_at, status, metadata, duration_s"
    conn.execute(f"INSERT INTO calls ({columns}) SELECT {columns} FROM made.calls")
    conn.execute("INSERT INTO call_numbers SELECT * FROM made.call_numbers")
    conn.execute("DETACH made")
    generation = conn.execute("SELECT generation FROM graph_state").fetchone()[0]
    conn.execute(
        "INSERT INTO graph_cache VALUES ('case-graph', ?, ?)", (generation, json.dumps(data))
    )
    conn.execute("PRAGMA user_version = 9")
    conn.close()
    with CaseStore(tmp_path / "case") as migrated:  # schema 9's cache was current: it stays
        view = graph_for_view(migrated)
        assert view.state == graph_state(migrated) and view.analytics_s is None
        assert analytics(view.graph) == analytics(computed.graph)
        finish(migrated, 30.0)  # schema 10's triggers: durations only
        assert graph_for_view(migrated) is view
        assert graph_state(migrated).structure == generation
    assert builds == [True]


@pytest.fixture
def web(store: CaseStore, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """Ana signed in to the case's web app, and the case's address there."""
    with TeamStore(tmp_path / "team.db") as team:
        add_account(team, "ana", "admin", "a long enough password")
        team.grant("ana", store.uuid, str(store.root))
    app = create_app(
        WebSettings((store.root,), tmp_path / "team.db", allowed_hosts=("testserver",))
    )
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        client.post("/api/login", json={"username": "ana", "password": "a long enough password"})
        yield client, f"/cases/{next(iter(app.state.cases))}"


def test_the_graph_page_says_when_it_shows_the_last_graph(
    store: CaseStore, web: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, case = web
    graph = f"{case}/graph"
    assert "being computed again" not in client.get(graph).text
    monkeypatch.setattr(cache, "INLINE_S", -1.0)  # as if it had taken minutes
    add_call(store, "+7 903 555 00 02", "+380 67 555 00 12")
    shown = client.get(graph)
    assert shown.status_code == 200 and "being computed again" in shown.text
    assert "7 pairs that spoke" in shown.text  # the last graph, without the new call
    deadline = time.monotonic() + 60
    while "being computed again" in shown.text and time.monotonic() < deadline:
        time.sleep(0.05)
        shown = client.get(graph)
    assert "being computed again" not in shown.text and "8 pairs that spoke" in shown.text


def test_a_number_new_since_the_last_graph_is_not_ready_rather_than_unknown(
    store: CaseStore, web: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, case = web
    number = f"{case}/number"
    assert client.get(number, params={"n": "+7 903 555 00 01"}).status_code == 200
    monkeypatch.setattr(cache, "INLINE_S", -1.0)  # as if it had taken minutes
    add_call(store, "+7 903 555 00 09", "+380 67 555 00 12")
    with CaseStore(store.root) as run:  # a run's graph stage holds the analytics
        assert claim(run, graph_state(run).structure, 60, wait=False)
        new = client.get(number, params={"n": "+7 903 555 00 09"})
        assert new.status_code == 503 and "new since the call graph" in new.text
        assert client.get(number, params={"n": "+7 903 555 00 77"}).status_code == 404
        case_graph_cached(run)
    assert client.get(number, params={"n": "+7 903 555 00 09"}).status_code == 200


def test_a_case_restored_over_another_at_the_same_path_is_not_shown_its_graph(
    tmp_path: Path,
) -> None:
    forget()
    folder = tmp_path / "case"
    with CaseStore(folder) as first:
        for caller, receiver in CALLS:
            add_call(first, caller, receiver)
        assert len(graph_for_view(first).graph) == 6
    shutil.rmtree(folder)
    with CaseStore(folder) as other:  # a new case, its counters behind the first's
        add_call(other, "+7 903 555 00 41", "+7 903 555 00 42")
        assert set(graph_for_view(other).graph) == {"+79035550041", "+79035550042"}
    forget()
