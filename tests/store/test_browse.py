"""The calls list in SQL (filters, sorts, pages with a total), tags and saved searches."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from callsift.errors import ReviewError
from callsift.records import SearchFilters
from callsift.search.watch import new_hits, open_saved, watched
from callsift.store import CaseStore
from callsift.store.browse import CallQuery, browse_calls
from callsift.store.certainty import review_queue
from callsift.store.overview import flag_counts, flag_topics
from callsift.store.saved import (
    MAX_NAME_CHARS,
    delete_saved,
    save_search,
    saved_search,
    saved_searches,
)
from callsift.store.tags import MAX_TAG_CHARS, add_tag, case_tags, remove_tag, tags_of


@pytest.fixture(scope="module")
def demo(demo_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseStore]:
    root = tmp_path_factory.mktemp("browse") / "case"
    shutil.copytree(demo_case, root)
    with CaseStore(root, actor="tester") as store:
        yield store


def _ids(store: CaseStore, **query: object) -> list[int]:
    return [row.call.id for row in browse_calls(store, CallQuery(**query)).calls]  # type: ignore[arg-type]


def test_pages_carry_the_total_and_never_overlap(demo: CaseStore) -> None:
    every = _ids(demo, limit=1000)
    assert every == sorted(every) and len(every) == 31
    pages = [browse_calls(demo, CallQuery(limit=10, offset=n)) for n in (0, 10, 20, 30)]
    assert [p.total for p in pages] == [31] * 4
    assert [row.call.id for p in pages for row in p.calls] == every
    assert browse_calls(demo, CallQuery(offset=500)).calls == []


def test_filters_pick_calls_and_sorts_order_them(demo: CaseStore) -> None:
    assert _ids(demo, lang="uk") == [14, 15, 16, 21]
    assert _ids(demo, state="failed") == [20]
    assert _ids(demo, flag="orders") == [5, 7, 24]
    assert _ids(demo, number="+7 903 555 17 08") == _ids(demo, number="79035551708")
    assert _ids(demo, date_from="2022-03-10", date_to="2022-03-10") == [4]
    dated = browse_calls(demo, CallQuery(sort="date", limit=100)).calls
    days = [(row.call.metadata or {}).get("started_at") for row in dated]
    known = [d for d in days if d]
    assert days[: len(known)] == sorted(known), "undated calls come last"
    assert _ids(demo, sort="date", desc=True, limit=100)[:3] != _ids(demo, sort="date")[:3]
    queue = [row.call_id for row in review_queue(demo)]
    assert _ids(demo, sort="certainty", limit=1000) == queue
    row = browse_calls(demo, CallQuery(flag="orders", limit=1)).calls[0]
    assert "orders" in row.flags and row.status == "unverified" and row.reliability is not None


def test_tags_are_added_once_removed_and_logged(demo: CaseStore) -> None:
    assert add_tag(demo, 3, " for the editor ", "ana") is True
    assert add_tag(demo, 3, "for the editor", "ana") is False
    assert add_tag(demo, 4, "for the editor", "ana") is True
    assert tags_of(demo, [3, 4, 5]) == {3: ["for the editor"], 4: ["for the editor"]}
    assert case_tags(demo) == {"for the editor": 2}
    assert _ids(demo, tag="for the editor") == [3, 4]
    assert remove_tag(demo, 4, "for the editor", "ana") is True
    assert remove_tag(demo, 4, "for the editor", "ana") is False
    logged = [e["detail"] for e in demo.custody() if e["action"] == "tag"]
    assert [(d["call_id"], d["change"]) for d in logged] == [
        (3, "added"),
        (4, "added"),
        (4, "removed"),
    ]
    for wrong in ("", "   ", "x" * (MAX_TAG_CHARS + 1), "two\nlines"):
        with pytest.raises(ReviewError):
            add_tag(demo, 3, wrong, "ana")
    with pytest.raises(ReviewError):
        add_tag(demo, 999_999, "x", "ana")


def test_saved_searches_count_new_hits_and_belong_to_their_owner(demo: CaseStore) -> None:
    saved = save_search(demo, "ana", "Bucha", "Буча", SearchFilters())
    assert new_hits(demo, saved) == 0  # saved now: seen up to the last segment
    # Pretend she saved it before the case was processed: every hit is new.
    demo.conn.execute("UPDATE saved_searches SET seen_segment = 0 WHERE id = ?", (saved.id,))
    before = saved_search(demo, "ana", saved.id)
    assert before is not None and (new_hits(demo, before) or 0) >= 1
    assert [w.new for w in watched(demo, "ana")] == [new_hits(demo, before)]
    assert open_saved(demo, before) == 0
    after = saved_search(demo, "ana", saved.id)
    assert after is not None and new_hits(demo, after) == 0 and after.seen_at
    # Filters alone are a watch term too; another user sees none of hers.
    flagged = save_search(demo, "ana", "orders", "", SearchFilters(flag="orders"))
    assert flagged.filters == SearchFilters(flag="orders")
    assert saved_searches(demo, "bob") == [] and saved_search(demo, "bob", saved.id) is None
    assert delete_saved(demo, "bob", saved.id) is False
    # The same name again replaces the search.
    again = save_search(demo, "ana", "Bucha", "Бучи", SearchFilters())
    assert again.id == saved.id and again.query == "Бучи"
    for wrong in ("", " ", "n" * (MAX_NAME_CHARS + 1), "a\x00b"):
        with pytest.raises(ReviewError):
            save_search(demo, "ana", wrong, "Буча", SearchFilters())
    assert delete_saved(demo, "ana", saved.id) is True
    assert [s.name for s in saved_searches(demo, "ana")] == ["orders"]


def test_dates_sort_both_ways_with_undated_calls_last(demo: CaseStore) -> None:
    """The date sort reads its index (schema 9) and keeps the undated calls at the end."""
    for desc in (False, True):
        rows = browse_calls(demo, CallQuery(sort="date", desc=desc, limit=100)).calls
        days = [(row.call.metadata or {}).get("started_at") for row in rows]
        known = [d for d in days if d]
        assert len(known) < len(days), "the demo has undated calls"
        assert days[: len(known)] == sorted(known, reverse=desc)
    paged = [
        row.call.id
        for offset in range(0, 40, 7)
        for row in browse_calls(demo, CallQuery(sort="date", offset=offset, limit=7)).calls
    ]
    assert paged == _ids(demo, sort="date", limit=100)


def test_the_topics_offered_are_every_topic_raised(demo: CaseStore) -> None:
    assert flag_topics(demo) == sorted(flag_counts(demo)) and len(flag_topics(demo)) > 2
