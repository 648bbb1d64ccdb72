"""The approximate pass keeps its candidates only while the derived index stays as it was.

Choosing the candidates walks every segment that shares a sound piece with
the query (``store.index_search``), so the choice is kept for the next
search; a commit to the index by any process must end it.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from callsift.records import SearchFilters
from callsift.search import search
from callsift.store import CaseStore
from callsift.store.case import DB_NAME
from callsift.store.index_search import _KEPT_IDS

from .conftest import add_call

TEXTS = [
    "Мама, мы стоим визюме уже неделю.",
    "Второй батальон отошёл под Изюм.",
    "Батальон отошёл, всё хорошо, не переживай.",
    "Много мирных погибло.",
]


@pytest.fixture
def calls(case: CaseStore) -> CaseStore:
    for number, text in enumerate(TEXTS):
        add_call(case, number, text)
    return case


def _approximate(store: CaseStore) -> list[str]:
    return [h.text for h in search(store, "Изюм").hits if h.match == "approximate"]


def test_kept_candidates_give_the_same_hits(calls: CaseStore) -> None:
    first = search(calls, "Изюм")
    kept = {key: ids for key, (_, ids) in _KEPT_IDS.items()}
    again = search(calls, "Изюм")
    assert kept, "the choice is kept"
    assert all(ids is kept[key] for key, (_, ids) in _KEPT_IDS.items()), "and used again"
    assert [(h.segment_id, h.match, h.score) for h in again.hits] == [
        (h.segment_id, h.match, h.score) for h in first.hits
    ]
    assert (again.total, again.approximate) == (first.total, first.approximate) == (2, 1)
    flagged = search(calls, "Изюм", SearchFilters(lang="uk"))
    assert flagged.hits == [], "another filter is another choice"


def test_a_commit_by_another_process_ends_the_kept_choice(calls: CaseStore) -> None:
    assert _approximate(calls) == ["Мама, мы стоим визюме уже неделю."]
    assert _approximate(calls) == ["Мама, мы стоим визюме уже неделю."]  # kept
    # Another client rewrites a segment, and another process's search indexes
    # it: this process sees only a new commit of the index, nothing queued.
    other = sqlite3.connect(calls.root / DB_NAME)
    with other:
        other.execute(
            "UPDATE segments SET text = 'Стоим пот Изюмам.', lemmas = 'стоять пот изюмам'"
            " WHERE text LIKE 'Батальон%'"
        )
    other.close()
    child = f"""
        from pathlib import Path
        from callsift.search import search
        from callsift.store import CaseStore
        with CaseStore(Path({str(calls.root)!r})) as store:
            search(store, "мирных")
    """
    subprocess.run([sys.executable, "-c", textwrap.dedent(child)], check=True)
    assert calls.conn.execute("SELECT count(*) FROM search_stale").fetchone()[0] == 0
    assert sorted(_approximate(calls)) == [
        "Мама, мы стоим визюме уже неделю.",
        "Стоим пот Изюмам.",
    ]
