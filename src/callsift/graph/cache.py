"""The case's call graph and its analytics, computed once per change of its structure.

Louvain communities and betweenness over a few thousand numbers take about a
minute at 100,000 calls: far too long for a view of the graph page or of a
number's profile. They read which numbers spoke and how often, nothing else,
so they are computed once per generation of that structure (schema 10's
counters, ``store.graph.GraphState``) and kept in the case (``graph_cache``):
another process or a restarted server reads them back. What is read beside
them (the metadata's dates, the directories' names, a call's status and
length) has counters of its own; when only those changed, the graph is read
again with the analytics kept (``build_graph(like=…)``: seconds, not a
minute, at 100,000 calls). While ``process`` runs, each finished call raises
only the durations counter, which no page shows: a view stays one query.

Two readers, two promises:

- ``case_graph_cached`` (``run_case``, the CLI, an export): the graph as the
  case holds it now, computed here if need be.
- ``graph_for_view`` (the web pages): never blocks for long. When bringing
  the graph up to date took more than ``INLINE_S`` last time, the last
  result is shown marked ``refreshing`` and the new one is computed in a
  process of its own (started and awaited by a background thread); the next
  view after it ends shows it. A process that has already claimed the
  analytics (``process`` at the end of a run: ``store.graph.claim``) is left
  to compute them rather than compute them twice.

Within a process the latest result is kept in memory; a period of the case
is built from that period's calls with the case's communities and
betweenness, and kept in memory likewise.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from callsift.graph.callgraph import GraphSummary, build_graph, graph_summary
from callsift.graph.flows import Flow, flows, in_period
from callsift.store.case import CaseStore
from callsift.store.graph import (
    GraphState,
    claim,
    graph_calls,
    graph_snapshot,
    graph_state,
    kept_state,
    known_numbers,
    latest_result,
    save_result,
)

__all__ = ["INLINE_S", "CaseGraph", "case_graph_cached", "forget", "graph_for_view", "period_graph"]

CACHE_NAME = "case-graph"
INLINE_S = 1.0
"""A page view brings the graph up to date itself when that took at most this long last
time; longer, it shows the last result while another process computes the new one."""
SECONDS_PER_CALL = 57 / 100_000
"""What the analytics cost per call (measured at 100,000 calls), for a result whose own
time was not kept (computed by schema 9's callsift)."""
CLAIM_S = 60.0
"""What a claim on computing the analytics lasts beyond twice their expected time."""
_PERIODS_KEPT = 16
_TUPLES = ("raw", "names", "units", "call_ids")
_log = logging.getLogger(__name__)
_SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or connections


@dataclass
class CaseGraph:
    """The call graph of the case (or of a period of it) and what is read from it.

    Attributes:
        state: the case's counters it was computed at.
        graph: numbers, edges, communities, betweenness (``callgraph.build_graph``).
        flows: who called whom, one row per direction, most calls first.
        summary: sizes, communities, the most central numbers.
        first_day, last_day: the first and last day of the dated calls.
        analytics_s: how long computing it with its analytics took (``None``: not known).
        decoration_s: how long reading it again with the analytics kept took.
        refreshing: shown while a newer one is computed (``graph_for_view``).
    """

    state: GraphState
    graph: nx.Graph
    flows: tuple[Flow, ...]
    summary: GraphSummary
    first_day: str | None
    last_day: str | None
    analytics_s: float | None = None
    decoration_s: float | None = None
    refreshing: bool = False
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def derived(self, name: str, compute: Callable[[CaseGraph], Any]) -> Any:
        """What ``compute`` makes of this graph (a picture…), made once and kept with it."""
        if name not in self._derived:
            self._derived[name] = compute(self)
        return self._derived[name]

    def cost(self, now: GraphState) -> float:
        """The seconds bringing this graph up to ``now`` is expected to take."""
        size_s = self.summary.calls * SECONDS_PER_CALL
        if self.state.structure != now.structure:
            return self.analytics_s if self.analytics_s is not None else size_s
        if self.decoration_s is not None:
            return self.decoration_s
        return self.analytics_s if self.analytics_s is not None else size_s


_lock = threading.Lock()
_memo: dict[tuple[str, str | None, str | None], CaseGraph] = {}
_computing: dict[str, threading.Lock] = {}


def forget() -> None:
    """Drop what this process keeps in memory (the case's own cache stays)."""
    with _lock:
        _memo.clear()


def _shows(found: CaseGraph | None, now: GraphState) -> bool:
    """Whether ``found`` is what a page shows at ``now`` (durations are on no page)."""
    return (
        found is not None
        and found.state.structure >= now.structure
        and found.state.decoration >= now.decoration
    )


def _exact(found: CaseGraph | None, now: GraphState) -> bool:
    return _shows(found, now) and found is not None and found.state.durations >= now.durations


def _dump(made: CaseGraph) -> str:
    return json.dumps(
        {
            "nodes": [{"key": key, **data} for key, data in made.graph.nodes(data=True)],
            "edges": [data for _, _, data in made.graph.edges(data=True)],
            "flows": [asdict(row) for row in made.flows],
            "seconds": {"analytics": made.analytics_s, "decoration": made.decoration_s},
        },
        ensure_ascii=False,
    )


def _tuples(record: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if k in _TUPLES else v for k, v in record.items()}


def _load(state: GraphState, data: str) -> CaseGraph:
    found = json.loads(data)
    graph = nx.Graph()
    for node in found["nodes"]:
        graph.add_node(node.pop("key"), **_tuples(node))
    for edge in found["edges"]:
        graph.add_edge(edge["party_a"], edge["party_b"], **_tuples(edge))
    seconds = found.get("seconds", {})  # absent from a result kept by schema 9's callsift
    rows = [Flow(**_tuples(row)) for row in found["flows"]]
    return _made(state, graph, rows, seconds.get("analytics"), seconds.get("decoration"))


def _made(
    state: GraphState,
    graph: nx.Graph,
    rows: list[Flow],
    analytics_s: float | None,
    decoration_s: float | None,
) -> CaseGraph:
    days = [day for row in rows for day in (row.first, row.last) if day]
    return CaseGraph(
        state,
        graph,
        tuple(rows),
        graph_summary(graph),
        min(days) if days else None,
        max(days) if days else None,
        analytics_s,
        decoration_s,
    )


def _remember(key: str, made: CaseGraph) -> None:
    """Keep ``made`` unless this process already keeps a newer one (counters only go up)."""
    with _lock:
        kept = _memo.get((key, None, None))
        if kept is None or not made.state.holds(kept.state) or made.state == kept.state:
            _memo[(key, None, None)] = made


def _latest(store: CaseStore, key: str) -> CaseGraph | None:
    """The newest graph this process or the case keeps, whatever it was computed at."""
    with _lock:
        found = _memo.get((key, None, None))
    kept = kept_state(store, CACHE_NAME)
    if kept is None or (found is not None and kept.holds(found.state)):
        return found
    result = latest_result(store, CACHE_NAME)  # another process computed a newer one
    if result is None:
        return found
    loaded = _load(result.state, result.data)
    _remember(key, loaded)
    return loaded


def _compute(store: CaseStore, base: CaseGraph | None) -> CaseGraph:
    """The graph as the case holds it now; ``base``'s analytics kept if its structure holds."""
    clock = time.perf_counter()
    with graph_snapshot(store) as state:
        calls, known = graph_calls(store), known_numbers(store)
    if base is not None and base.state.structure == state.structure:
        graph = build_graph(calls, known, like=base.graph)
        made = _made(state, graph, flows(calls), base.analytics_s, None)
        made.decoration_s = time.perf_counter() - clock
    else:
        graph = build_graph(calls, known)
        made = _made(state, graph, flows(calls), None, None)
        made.analytics_s = time.perf_counter() - clock
        made.decoration_s = base.decoration_s if base is not None else None
    save_result(store, CACHE_NAME, made.state, _dump(made))
    _remember(store.identity, made)
    return made


def _claim(store: CaseStore, base: CaseGraph | None, *, wait: bool) -> bool:
    """Claim computing the analytics where ``base``'s no longer hold; whether to go on.

    With ``wait``, another process that is computing them (``process`` at the
    end of a run) is left to it: its result is read back by a later view.
    """
    now = graph_state(store)
    if base is not None and base.state.structure == now.structure:
        return True
    expected = base.cost(now) if base is not None else 0.0
    return claim(store, now.structure, 2 * expected + CLAIM_S, wait=wait)


def _computing_lock(key: str) -> threading.Lock:
    with _lock:
        return _computing.setdefault(key, threading.Lock())


def case_graph_cached(store: CaseStore) -> CaseGraph:
    """The whole case's graph as the case holds it now: from memory, the case, or computed."""
    key = store.identity
    with _lock:
        found = _memo.get((key, None, None))
    if _exact(found, graph_state(store)):
        assert found is not None
        return found
    with _computing_lock(key):  # two at once: one computes, the other reads its result
        found = _latest(store, key)
        if _exact(found, graph_state(store)):
            assert found is not None
            return found
        _claim(store, found, wait=False)
        return _compute(store, found)


def graph_for_view(store: CaseStore) -> CaseGraph:
    """The whole case's graph for a page: up to date, or the last one while a newer is made.

    A page view computes only what took at most ``INLINE_S`` last time (and
    what it cannot do without: the very first graph of a case); else it
    starts the computation in a process of its own, once, and shows the last
    result marked ``refreshing``.
    """
    key = store.identity
    with _lock:
        found = _memo.get((key, None, None))
    now = graph_state(store)
    if _shows(found, now):
        assert found is not None
        return found
    computing = _computing_lock(key)
    if not computing.acquire(blocking=found is None):
        assert found is not None
        return dataclasses.replace(found, refreshing=True)  # one is already being computed
    handed_over = False  # to the thread that computes, which releases it
    try:
        found = _latest(store, key)
        now = graph_state(store)
        if _shows(found, now):
            assert found is not None
            return found
        if found is None or found.cost(now) <= INLINE_S:
            _claim(store, found, wait=False)
            return _compute(store, found)
        thread = threading.Thread(
            target=_refresh, args=(store, found, computing), name="callsift-graph", daemon=True
        )
        thread.start()
        handed_over = True
        return dataclasses.replace(found, refreshing=True)
    finally:
        if not handed_over:
            computing.release()


def _refresh(opened: CaseStore, base: CaseGraph, computing: threading.Lock) -> None:
    """Bring the graph up to date in the background, then read it back from the case.

    The minute of work runs in a process of its own: in a thread it would
    share this server's interpreter lock, and every page meanwhile would wait
    its turn (views took 150 ms instead of 25 at 100,000 calls).
    """
    try:
        with CaseStore(opened.root, create=False, actor=opened.actor) as store:
            base = _latest(store, store.identity) or base  # another process's, if newer
            if _shows(base, graph_state(store)) or not _claim(store, base, wait=True):
                return
            child = _SPAWN.Process(
                target=_compute_case, args=(str(opened.root), opened.actor), daemon=True
            )
            child.start()
            child.join()
            if child.exitcode != 0:
                _log.error("computing the call graph of %s failed", opened.root)
            _latest(store, store.identity)  # what it kept, for the next view
    except Exception:  # a failed refresh must not stop the pages: the next view tries again
        _log.exception("computing the call graph of %s failed", opened.root)
    finally:
        computing.release()


def _compute_case(root: str, actor: str | None) -> None:
    """In a process of its own: the case's graph brought up to date and kept in the case."""
    with CaseStore(Path(root), create=False, actor=actor) as store:
        case_graph_cached(store)


def period_graph(store: CaseStore, start: date | None, end: date | None) -> CaseGraph:
    """The graph of the calls from ``start`` to ``end`` (both included; none: the whole case).

    Its numbers keep the whole case's communities and betweenness (those of
    ``graph_for_view``, so it is ``refreshing`` when the case's graph is).
    """
    case = graph_for_view(store)
    if start is None and end is None:
        return case
    first, last = (start.isoformat() if start else None), (end.isoformat() if end else None)
    key = (store.identity, first, last)
    with _lock:
        found = _memo.get(key)
    if found is not None and found.state == case.state:
        return dataclasses.replace(found, refreshing=case.refreshing) if case.refreshing else found
    calls = in_period(graph_calls(store, start=first, end=last), start, end)
    graph = build_graph(calls, known_numbers(store), like=case.graph)
    made = _made(case.state, graph, flows(calls), None, None)
    with _lock:
        periods = [k for k in _memo if k[1:] != (None, None)]
        for old in periods[: max(0, len(periods) - _PERIODS_KEPT + 1)]:
            del _memo[old]
        _memo[key] = made
    return dataclasses.replace(made, refreshing=True) if case.refreshing else made
