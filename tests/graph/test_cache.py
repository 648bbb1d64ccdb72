"""Graph analytics are computed once per change of the call graph, and never read stale."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from callsift.graph import cache
from callsift.graph.cache import case_graph_cached, forget, period_graph
from callsift.graph.callgraph import build_graph, case_graph
from callsift.graph.flows import flows, in_period
from callsift.graph.phones import import_directories, number_case
from callsift.store import CaseStore
from callsift.store.graph import (
    CachedResult,
    graph_calls,
    graph_state,
    known_numbers,
    latest_result,
    save_result,
)


@pytest.fixture
def store(demo_case: Path, tmp_path: Path) -> Iterator[CaseStore]:
    shutil.copytree(demo_case, tmp_path / "case")
    forget()
    with CaseStore(tmp_path / "case") as opened:
        number_case(opened)
        yield opened
    forget()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the cache built a graph of the whole case (its length)."""
    made: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> nx.Graph:
        if kwargs.get("like") is None:
            made.append(1)
        return build_graph(*args, **kwargs)

    monkeypatch.setattr(cache, "build_graph", counted)
    return made


def same_graph(a: nx.Graph, b: nx.Graph) -> None:
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert {frozenset((x, y)): d for x, y, d in a.edges(data=True)} == {
        frozenset((x, y)): d for x, y, d in b.edges(data=True)
    }


def test_the_cached_graph_is_the_graph_built_fresh(store: CaseStore) -> None:
    fresh = build_graph(graph_calls(store), known_numbers(store))
    computed = case_graph_cached(store)
    forget()  # read back from the case, as another process or a restarted server does
    read = case_graph_cached(store)
    same_graph(computed.graph, fresh)
    same_graph(read.graph, fresh)
    assert read.flows == computed.flows == tuple(flows(graph_calls(store)))
    assert read.summary == computed.summary
    assert read.first_day is not None and read.first_day < (read.last_day or "")


def test_computed_once_until_the_graph_changes(store: CaseStore, builds: list[int]) -> None:
    first = case_graph_cached(store)
    assert case_graph_cached(store) is first  # the next view: one query
    forget()
    case_graph_cached(store)
    number_case(store)  # numbers read again, unchanged: the analytics still hold
    assert case_graph_cached(store).state.structure == first.state.structure
    assert case_graph(store) is case_graph_cached(store).graph  # the CLI's, numbers read again
    assert len(builds) == 1
    known = store.root.parent / "known.csv"
    known.write_text("number,name\n+7 903 555 17 08,Сидоров Иван\n", encoding="utf-8")
    import_directories(store, [known])  # a name is no part of the analytics: they are kept
    changed = case_graph_cached(store)
    assert len(builds) == 1 and changed.state.structure == first.state.structure
    assert changed.state.decoration > first.state.decoration
    assert changed.graph.nodes["+79035551708"]["label"] == "Сидоров Иван"
    assert changed.summary.communities == tuple(
        dataclasses.replace(c, labels=tuple(changed.graph.nodes[k]["label"] for k in c.members))
        for c in first.summary.communities
    )
    assert first.graph.nodes["+79035551708"]["label"] == "+79035551708"


def test_a_changed_number_in_the_metadata_changes_the_graph(store: CaseStore) -> None:
    before = case_graph_cached(store)
    call_id, metadata = store.conn.execute(
        "SELECT id, metadata FROM calls WHERE file = 'call_001.wav'"
    ).fetchone()
    changed = {**json.loads(metadata), "receiver": "+7 903 555 00 77"}
    with store.transaction():  # a corrected sidecar, whoever writes it
        store.conn.execute(
            "UPDATE calls SET metadata = ? WHERE id = ?", (json.dumps(changed), call_id)
        )
    assert graph_state(store).decoration > before.state.decoration  # its dates may have moved
    assert (
        graph_state(store).structure == before.state.structure
    )  # its numbers are read by number_case
    number_case(store)
    assert graph_state(store).structure > before.state.structure
    after = case_graph_cached(store)
    assert "+79035550077" in after.graph and "+79035550077" not in before.graph
    assert call_id in after.graph.edges["+79035550077", "+79035551708"]["call_ids"]


def test_a_result_of_an_older_generation_is_never_kept(store: CaseStore) -> None:
    old = graph_state(store)
    assert save_result(store, "test", old, "kept")
    assert latest_result(store, "test") == CachedResult(old, "kept")
    with store.transaction():
        store.conn.execute("DELETE FROM call_numbers WHERE call_id = 1")
    new = graph_state(store)
    assert new.structure > old.structure
    assert not save_result(store, "test", old, "computed before the change")
    assert latest_result(store, "test") == CachedResult(old, "kept")  # not overwritten
    assert save_result(store, "test", new, "after")
    assert not save_result(store, "test", old, "late")  # an older one never replaces a newer
    assert latest_result(store, "test") == CachedResult(new, "after")


def test_a_period_keeps_its_calls_and_the_case_groups(store: CaseStore) -> None:
    case = case_graph_cached(store)
    start, end = date(2022, 3, 1), date(2022, 3, 10)
    period = period_graph(store, start, end)
    calls = in_period(graph_calls(store), start, end)
    assert 0 < len(calls) < len(graph_calls(store))
    assert period.flows == tuple(flows(calls))
    assert set(period.graph) < set(case.graph)
    for key, data in period.graph.nodes(data=True):
        assert data["community"] == case.graph.nodes[key]["community"]
        assert data["betweenness"] == case.graph.nodes[key]["betweenness"]
    assert period_graph(store, start, end) is period
    assert period_graph(store, None, None) is case
