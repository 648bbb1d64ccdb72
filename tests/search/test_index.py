"""The derived index answers as FTS5 does, follows every change, and survives a kill."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from callsift.graph.phones import number_case
from callsift.records import SearchFilters
from callsift.search import fts_query, search
from callsift.store import CaseStore, search_facets, search_segments
from callsift.store.search_index import current_index

QUERIES = [
    ("Буча", SearchFilters()),
    ('"артиллерия разбила"', SearchFilters()),
    ('"артиллерия колонна"~3', SearchFilters()),
    ("мы OR они", SearchFilters()),
    ("мы -мама", SearchFilters()),
    ("артил*", SearchFilters()),
    ("people killed", SearchFilters(lang="en")),
    ("зараз", SearchFilters(lang="uk")),
    ("мы", SearchFilters(flag="orders")),
    ("мы", SearchFilters(date_from="2022-03-01", date_to="2022-03-15")),
    ("мы", SearchFilters(number="916")),
    ("мы", SearchFilters(status="unverified")),
]


@pytest.fixture
def demo(demo_case: Path, tmp_path: Path) -> Iterator[CaseStore]:
    root = tmp_path / "case"
    shutil.copytree(demo_case, root)
    with CaseStore(root) as store:
        yield store


def _fts(store: CaseStore, query: str, filters: SearchFilters) -> tuple[set[int | None], int]:
    hits, total = search_segments(store, fts_query(query, filters.lang), filters, limit=1000)
    return {h.segment_id for h in hits}, total


def _indexed(store: CaseStore, query: str, filters: SearchFilters) -> tuple[set[int | None], int]:
    exact = SearchFilters(**{**filters.__dict__, "exact": True})
    result = search(store, query, exact, limit=1000)
    return {h.segment_id for h in result.hits}, result.total


def test_the_index_finds_what_fts5_finds(demo: CaseStore) -> None:
    assert current_index(demo) is not None
    found = 0
    for query, filters in QUERIES:
        assert _indexed(demo, query, filters) == _fts(demo, query, filters), (query, filters)
        found += _fts(demo, query, filters)[1] > 0
    assert found >= len(QUERIES) - 2, "the queries must find something to compare"
    # Migration 9 filled the digits of every call a schema-8 case held.
    assert _fts(demo, "мы", SearchFilters(number="916"))[1] > 0
    number_case(demo)  # E.164 forms: "+7 916 555-23-41" is the receiver written 8 916 …
    by_number = SearchFilters(number="+7 916 555-23-41")
    assert _indexed(demo, "мы", by_number) == _fts(demo, "мы", by_number)
    assert _fts(demo, "мы", by_number)[1] > 0
    index = search(demo, "мы", SearchFilters(exact=True), facets=True)
    assert index.facets == search_facets(demo, fts_query("мы"), SearchFilters())


def test_a_corrected_segment_is_found_by_its_new_words(demo: CaseStore) -> None:
    search(demo, "мы")  # the index is built
    segment = demo.conn.execute("SELECT id FROM segments ORDER BY id LIMIT 1").fetchone()[0]
    # Another SQLite client writes the words: triggers queue the call all the same.
    demo.conn.execute(
        "UPDATE segments SET text = 'Зеленоградск', lemmas = 'зеленоградск' WHERE id = ?",
        (segment,),
    )
    hits = search(demo, "Зеленоградск", SearchFilters(exact=True)).hits
    assert [h.segment_id for h in hits] == [segment]
    demo.conn.execute("DELETE FROM flags WHERE segment_id IN (SELECT id FROM segments)")
    assert search(demo, "мы", SearchFilters(flag="orders", exact=True)).total == 0


def test_a_missing_or_foreign_index_is_rebuilt(demo: CaseStore) -> None:
    before = _indexed(demo, "мы", SearchFilters())
    folder = demo.derived / "search"
    (folder / "callsift.json").write_text(json.dumps({"token": "elsewhere", "version": "2"}))
    assert _indexed(demo, "мы", SearchFilters()) == before
    assert json.loads((folder / "callsift.json").read_text())["token"] != "elsewhere"
    shutil.rmtree(folder)
    assert _indexed(demo, "мы", SearchFilters()) == before
    assert (folder / "callsift.json").exists()


def test_search_while_another_process_writes_the_index_falls_back(demo: CaseStore) -> None:
    search(demo, "мы")
    demo.conn.execute("UPDATE segments SET lemmas = lemmas || ' зеленоградск' WHERE id = 1")
    with open(demo.derived / "search.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert current_index(demo) is None
        hits = search(demo, "Зеленоградск", SearchFilters(exact=True)).hits
        assert [h.segment_id for h in hits] == [1], "FTS5 answers, exactly"
    assert current_index(demo) is not None
    assert [h.segment_id for h in search(demo, "Зеленоградск").hits] == [1]


_BUILD = """
import sys
from pathlib import Path
from callsift.store import CaseStore
from callsift.store.search_index import current_index
with CaseStore(Path(sys.argv[1])) as store:
    store.conn.execute("UPDATE segments SET lemmas = lemmas || ' зеленоградск' WHERE id = 2")
    print("go", flush=True)
    while True:
        store.conn.execute("UPDATE calls SET metadata = metadata WHERE id = 1")
        current_index(store)
"""


@pytest.mark.parametrize("after", [0.0, 0.3, 1.0])
def test_kill_9_while_indexing_leaves_a_correct_search(demo: CaseStore, after: float) -> None:
    """Killed at any moment, the next search still finds exactly what FTS5 finds."""
    shutil.rmtree(demo.derived / "search", ignore_errors=True)
    child = subprocess.Popen(
        [sys.executable, "-c", _BUILD, str(demo.root)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "go"
    time.sleep(after)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    for query, filters in QUERIES[:4] + [("Зеленоградск", SearchFilters())]:
        assert _indexed(demo, query, filters) == _fts(demo, query, filters), (query, after)
    assert current_index(demo) is not None
