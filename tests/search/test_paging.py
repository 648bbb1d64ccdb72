"""Search results come in pages with the total, and a filter alone lists its calls."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from callsift.records import SearchFilters
from callsift.search import SearchError, search
from callsift.store import CaseStore


@pytest.fixture(scope="module")
def demo(demo_case: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseStore]:
    root = tmp_path_factory.mktemp("paging") / "case"
    shutil.copytree(demo_case, root)
    with CaseStore(root) as store:
        yield store


def _key(result: object) -> list[tuple[int, int | None]]:
    return [(h.call_id, h.segment_id) for h in result.hits]  # type: ignore[attr-defined]


def test_pages_cover_every_hit_once_with_the_same_total(demo: CaseStore) -> None:
    whole = search(demo, "мы", limit=500)
    assert whole.total == len(whole.hits) > 6, "the demo says мы often"
    pages = [search(demo, "мы", limit=3, offset=n) for n in range(0, whole.total, 3)]
    assert {p.total for p in pages} == {whole.total}
    assert [k for p in pages for k in _key(p)] == _key(whole)
    assert [p.offset for p in pages[:2]] == [0, 3] and pages[0].limit == 3
    past = search(demo, "мы", limit=3, offset=whole.total)
    assert past.hits == [] and past.total == whole.total


def test_approximate_hits_follow_the_exact_ones_across_pages(demo: CaseStore) -> None:
    whole = search(demo, "Изюм", limit=500)
    if not whole.approximate:
        pytest.skip("the demo has no misheard Изюм")
    exact = whole.total - whole.approximate
    tail = search(demo, "Изюм", limit=2, offset=exact)
    assert [h.match for h in tail.hits] == ["approximate"] * len(tail.hits)
    assert _key(tail) == _key(whole)[exact : exact + 2]


def test_a_filter_alone_lists_its_calls(demo: CaseStore) -> None:
    flagged = search(demo, "", SearchFilters(flag="orders"))
    assert flagged.by_call and flagged.total == 3
    assert [h.call_id for h in flagged.hits] == [5, 7, 24]
    assert all(h.segment_id for h in flagged.hits)
    ukrainian = search(demo, "  ", SearchFilters(lang="uk"), limit=2, offset=2)
    assert ukrainian.total == 4 and [h.call_id for h in ukrainian.hits] == [16, 21]
    day = search(demo, "", SearchFilters(date_from="2022-03-10", date_to="2022-03-10"))
    assert [h.call_id for h in day.hits] == [4]
    for nothing in (SearchFilters(), SearchFilters(lang="en"), SearchFilters(exact=True)):
        with pytest.raises(SearchError):
            search(demo, "", nothing)


def test_since_segment_counts_only_later_segments(demo: CaseStore) -> None:
    whole = search(demo, "мы", limit=500)
    ids = sorted(h.segment_id or 0 for h in whole.hits)
    later = search(demo, "мы", SearchFilters(since_segment=ids[-3]), limit=0)
    assert later.total == 2 and later.hits == []
