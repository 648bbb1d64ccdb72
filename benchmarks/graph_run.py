"""The graph page while ``process`` runs over a large case: what a view costs, and when it waits.

Works on a copy of a built scale case (``benchmarks/scale.py --case DIR``; a
case at schema 9 is migrated on the copy, never on DIR) and prints one table:

1. opening the copy (the migration to schema 10 keeps analytics that are current);
2. the graph page and a busy number's page, analytics computed;
3. 100 calls finished one by one as a run finishes them (status and decoded
   length), then the same pages: their analytics still hold, so no recompute;
4. what an export reads after those (the durations read again, analytics kept);
5. one new call between two numbers of different communities, then the
   graph page at once (the last graph, marked as being computed again), page
   views while another process computes it, and the time until the page
   shows the new analytics; the new edge is checked and the numbers whose
   analytics changed are counted.

Run: ``.venv/bin/python benchmarks/graph_run.py --case /tmp/web-s100k --work DIR``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import scale
from fastapi.testclient import TestClient

from callsift.graph.cache import case_graph_cached, graph_for_view
from callsift.graph.phones import number_case
from callsift.store import CaseStore
from callsift.store.graph import graph_state

NOTICE = "being computed again"


def _ms(get: Callable[[], Any], repeat: int = 5) -> tuple[float, float]:
    """The first call's and the median of ``repeat`` more calls' milliseconds."""
    timings = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        get()
        timings.append((time.perf_counter() - started) * 1000)
    return timings[0], statistics.median(timings[1:])


def _row(name: str, first: float, median: float | None = None, note: str = "") -> None:
    rest = f"{median:.0f}" if median is not None else ""
    print(f"| {name} | {first:,.0f} | {rest} | {note} |", flush=True)


def _page(client: TestClient, address: str) -> str:
    answer = client.get(address)
    if answer.status_code != 200:
        raise SystemExit(f"{address}: {answer.status_code} {answer.text[:300]}")
    return answer.text


def _finish(folder: Path, count: int) -> None:
    """``count`` calls done again, each in its own transaction, as a run writes them."""
    with CaseStore(folder) as store:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM calls LIMIT ?", (count,))]
        for call_id in ids:
            with store.transaction():
                store.conn.execute(
                    "UPDATE calls SET status = 'done', duration_s = duration_s + 1.5 WHERE id = ?",
                    (call_id,),
                )


def _bridge(folder: Path) -> tuple[str, str]:
    """Two numbers of different communities that never spoke: a new call joins them."""
    with CaseStore(folder) as store:
        graph = case_graph_cached(store).graph
    ranked = sorted(graph, key=lambda key: (-graph.nodes[key]["calls"], key))
    first = ranked[-1]
    other = next(
        key
        for key in ranked[len(ranked) // 2 :]
        if graph.nodes[key]["community"] != graph.nodes[first]["community"]
        and key not in graph[first]
    )
    return first, other


def _analytics(graph: Any) -> dict[str, tuple[int, int, float]]:
    return {
        key: (data["community"], data["degree"], data["betweenness"])
        for key, data in graph.nodes(data=True)
    }


def _add_call(folder: Path, caller: str, receiver: str) -> float:
    """A call between them, as ingest and the run's numbers stage write it; its seconds."""
    started = time.perf_counter()
    with CaseStore(folder) as store:
        call_id, _, _ = store.add_call("f" * 64, "bridge.wav", "/bench", 1000)
        with store.transaction():
            store.conn.execute(
                "UPDATE calls SET metadata = json_object('caller', ?, 'receiver', ?,"
                " 'started_at', '2022-03-05T10:00:00+03:00', 'duration_s', 60) WHERE id = ?",
                (caller, receiver, call_id),
            )
        number_case(store)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", type=Path, required=True, help="a built scale case (read only)")
    parser.add_argument("--work", type=Path, required=True, help="where its copy is made")
    args = parser.parse_args()
    if args.work.exists():
        raise SystemExit(f"{args.work} exists: give a new folder for the copy")
    started = time.perf_counter()
    shutil.copytree(args.case, args.work)
    print(f"copied {args.case} in {time.perf_counter() - started:.0f} s")
    folder = args.work
    print("| step | first ms | median ms | note |\n| --- | ---: | ---: | --- |")
    started = time.perf_counter()
    with CaseStore(folder) as store:
        state = graph_state(store)
    _row("open the copy (migration to schema 10)", (time.perf_counter() - started) * 1000)
    with tempfile.TemporaryDirectory() as tmp:
        client, base = scale._client(folder, Path(tmp) / "team.db")
        with CaseStore(folder) as store:
            busy = store.conn.execute(
                "SELECT e164 FROM call_numbers GROUP BY e164 ORDER BY count(*) DESC LIMIT 1"
            ).fetchone()[0]
        graph, number = f"{base}/graph", f"{base}/number?n={busy}"
        _row("graph page, analytics computed", *_ms(lambda: _page(client, graph)), f"{state}")
        _row("number page, busiest number", *_ms(lambda: _page(client, number)))
        _finish(folder, 100)
        with CaseStore(folder) as store:
            state = graph_state(store)
        note = f"{state}"
        _row("graph page after 100 calls finished", *_ms(lambda: _page(client, graph)), note)
        _row("number page after 100 calls finished", *_ms(lambda: _page(client, number)))
        with CaseStore(folder) as store:
            exact = _ms(lambda: case_graph_cached(store), 1)
        _row("export's graph after them (durations read again)", *exact)
        caller, receiver = _bridge(folder)
        with CaseStore(folder) as store:
            before = _analytics(graph_for_view(store).graph)
        seconds = _add_call(folder, caller, receiver)
        _row(f"a new call {caller} -> {receiver} (number_case)", seconds * 1000)
        clock = time.perf_counter()
        first = _page(client, graph)
        _row("graph page at once", (time.perf_counter() - clock) * 1000, None, "")
        if NOTICE not in first:
            raise SystemExit("the page did not say that the graph is being computed again")
        waits = []
        while True:
            view = time.perf_counter()
            text = _page(client, graph)
            waits.append((time.perf_counter() - view) * 1000)
            if NOTICE not in text:
                break
            time.sleep(1.0)
        fresh = time.perf_counter() - clock
        during = f"{len(waits) - 1} views; p50 {statistics.median(waits):.0f} ms, max "
        _row("graph page views during the computation", max(waits), None, during + "(first col)")
        _row("until the page shows the new analytics", fresh * 1000)
        with CaseStore(folder) as store:
            found = graph_for_view(store)
        edge = found.graph.edges[caller, receiver]
        after = _analytics(found.graph)
        moved = sum(1 for key, values in after.items() if before.get(key) != values)
        print(
            f"new edge {caller}–{receiver}: {edge['calls']} call; {moved} of {len(after)} numbers"
            f" changed community, degree or betweenness; computed in {found.analytics_s:.1f} s"
            " (schema 9: a view paid this after every finished call)"
        )
        client.close()


if __name__ == "__main__":
    main()
