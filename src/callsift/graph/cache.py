"""The case's call graph and its analytics, computed once per change of the graph.

Louvain communities and betweenness over a few thousand numbers took about a
minute at 100,000 calls: far too long for each view of the graph page or of
a number's profile. The graph with its analytics and its "who called whom"
rows is computed once per generation of the call graph (raised by the
schema's triggers on every change of what it is built from: a call's numbers,
date, status or duration, a directory entry) and kept in the case
(``graph_cache``), so another process or a restarted server reads it back
instead of computing it again; within a process the last one read is kept
in memory beside its generation, so a view costs one query while nothing
changed. A period of the case is built from that period's calls with the
case's communities and betweenness (``build_graph(like=…)``), and kept in
memory likewise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from callsift.graph.callgraph import (
    GraphSummary,
    build_graph,
    graph_summary,
)
from callsift.graph.flows import Flow, flows, in_period
from callsift.store.case import CaseStore
from callsift.store.graph import (
    cached_result,
    graph_calls,
    graph_generation,
    known_numbers,
    save_result,
)

__all__ = ["CaseGraph", "case_graph_cached", "forget", "period_graph"]

CACHE_NAME = "case-graph"
_PERIODS_KEPT = 16
_TUPLES = ("raw", "names", "units", "call_ids")


@dataclass
class CaseGraph:
    """The call graph of the case (or of a period of it) and what is read from it.

    Attributes:
        generation: the call graph's generation it was computed at.
        graph: numbers, edges, communities, betweenness (``callgraph.build_graph``).
        flows: who called whom, one row per direction, most calls first.
        summary: sizes, communities, the most central numbers.
        first_day, last_day: the first and last day of the dated calls.
    """

    generation: int
    graph: nx.Graph
    flows: tuple[Flow, ...]
    summary: GraphSummary
    first_day: str | None
    last_day: str | None
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def derived(self, name: str, compute: Callable[[CaseGraph], Any]) -> Any:
        """What ``compute`` makes of this graph (a picture…), made once and kept with it."""
        if name not in self._derived:
            self._derived[name] = compute(self)
        return self._derived[name]


_lock = threading.Lock()
_memo: dict[tuple[str, str | None, str | None], CaseGraph] = {}
_computing: dict[str, threading.Lock] = {}


def forget() -> None:
    """Drop what this process keeps in memory (the case's own cache stays)."""
    with _lock:
        _memo.clear()


def _made(generation: int, graph: nx.Graph, rows: list[Flow]) -> CaseGraph:
    days = [day for row in rows for day in (row.first, row.last) if day]
    return CaseGraph(
        generation,
        graph,
        tuple(rows),
        graph_summary(graph),
        min(days) if days else None,
        max(days) if days else None,
    )


def _dump(graph: nx.Graph, rows: list[Flow]) -> str:
    return json.dumps(
        {
            "nodes": [{"key": key, **data} for key, data in graph.nodes(data=True)],
            "edges": [data for _, _, data in graph.edges(data=True)],
            "flows": [asdict(row) for row in rows],
        },
        ensure_ascii=False,
    )


def _tuples(record: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if k in _TUPLES else v for k, v in record.items()}


def _load(data: str) -> tuple[nx.Graph, list[Flow]]:
    found = json.loads(data)
    graph = nx.Graph()
    for node in found["nodes"]:
        graph.add_node(node.pop("key"), **_tuples(node))
    for edge in found["edges"]:
        graph.add_edge(edge["party_a"], edge["party_b"], **_tuples(edge))
    return graph, [Flow(**_tuples(row)) for row in found["flows"]]


def _case_key(store: CaseStore) -> str:
    return str(store.root.resolve())


def case_graph_cached(store: CaseStore) -> CaseGraph:
    """The whole case's graph: from memory, else the case's cache, else computed and kept."""
    generation = graph_generation(store)
    key = (_case_key(store), None, None)
    with _lock:
        found = _memo.get(key)
        computing = _computing.setdefault(key[0], threading.Lock())
    if found is not None and found.generation == generation:
        return found
    with computing:  # two first views at once: one computes, the other reads its result
        with _lock:
            found = _memo.get(key)
        if found is not None and found.generation == generation:
            return found
        return _read_or_compute(store, key, generation)


def _read_or_compute(
    store: CaseStore, key: tuple[str, str | None, str | None], generation: int
) -> CaseGraph:
    data = cached_result(store, CACHE_NAME, generation)
    if data is not None:
        graph, rows = _load(data)
    else:
        calls = graph_calls(store)
        graph, rows = build_graph(calls, known_numbers(store)), flows(calls)
        save_result(store, CACHE_NAME, generation, _dump(graph, rows))
    made = _made(generation, graph, rows)
    with _lock:
        _memo[key] = made
    return made


def period_graph(store: CaseStore, start: date | None, end: date | None) -> CaseGraph:
    """The graph of the calls from ``start`` to ``end`` (both included; none: the whole case).

    Its numbers keep the whole case's communities and betweenness.
    """
    case = case_graph_cached(store)
    if start is None and end is None:
        return case
    first, last = (start.isoformat() if start else None), (end.isoformat() if end else None)
    key = (_case_key(store), first, last)
    with _lock:
        found = _memo.get(key)
    if found is not None and found.generation == case.generation:
        return found
    calls = in_period(graph_calls(store, start=first, end=last), start, end)
    made = _made(
        case.generation, build_graph(calls, known_numbers(store), like=case.graph), flows(calls)
    )
    with _lock:
        periods = [k for k in _memo if k[1:] != (None, None)]
        for old in periods[: max(0, len(periods) - _PERIODS_KEPT + 1)]:
            del _memo[old]
        _memo[key] = made
    return made
