"""Finding and browsing in a real browser, at a desk's width and a phone's.

Search pages through its hits with a count, a filter alone lists calls, the
calls list filters, sorts and acts on ticked calls (calls 25 and 26 of the
shared case only), a saved search shows what is new, and a hit opens its call
scrolled to the segment with the player there.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from callsift.records import SearchFilters
from callsift.search import search
from callsift.store import CaseStore

from .conftest import WIDTHS

pytestmark = pytest.mark.browser


def _rows(page: Any) -> list[int]:
    return [
        int(x)
        for x in page.eval_on_selector_all("tr[data-call]", "rs => rs.map(r => r.dataset.call)")
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_search_pages_and_a_filter_alone_lists_calls(browsing: Any, width: int) -> None:
    tab = browsing(width)
    page = tab.page
    page.goto("/cases/alpha/search?q=%D0%BC%D1%8B&limit=3")
    count = page.inner_text(".hit-count")
    total = int(re.match(r"(\d+) hits, 1–3", count).group(1))  # type: ignore[union-attr]
    assert total > 6
    page.click("a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.inner_text(".hit-count").startswith(f"{total} hits, 4–6")
    assert page.locator("ol.hits > li.hit").count() == 3
    assert tab.sideways() == 0
    tab.shot("browse-search-paged")

    page.goto("/cases/alpha/search")
    page.click("form.search summary")
    page.select_option("form.search select[name=flag]", "orders")
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r"flag=orders"))
    assert "3 calls match these filters" in page.inner_text(".hit-count")
    calls = page.eval_on_selector_all(".hit-call a", "as => as.map(a => a.getAttribute('href'))")
    assert [int(re.search(r"calls/(\d+)#", h).group(1)) for h in calls] == [5, 7, 24]  # type: ignore[union-attr]
    assert tab.sideways() == 0
    tab.shot("browse-search-filter-alone")
    assert tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_calls_list_filters_sorts_and_acts_on_ticked_calls(browsing: Any, width: int) -> None:
    tab = browsing(width, user="reviewer")
    page = tab.page
    page.goto("/cases/alpha/calls")
    assert "of 32 calls" in page.inner_text(".pager-count")
    page.select_option(".browse-filters select[name=lang]", "uk")
    page.click(".browse-filters button[type=submit]")
    page.wait_for_url(re.compile(r"lang=uk"))
    assert _rows(page) == [14, 15, 16, 21]
    if width > 700:  # the column heads sort; on a phone the rows are cards and "Order" sorts
        page.click("thead a:has-text('Date')")
    else:
        page.select_option(".browse-filters select[name=sort]", "date")
        page.check(".browse-filters input[name=desc]")
        page.click(".browse-filters button[type=submit]")
    page.wait_for_url(re.compile(r"sort=date"))
    assert sorted(_rows(page)) == [14, 15, 16, 21] and "lang=uk" in page.url
    assert tab.sideways() == 0
    tab.shot("browse-calls-filtered")

    page.goto("/cases/alpha/calls?sort=id&desc=1")
    for call in (25, 26):
        page.check(f'tr[data-call="{call}"] input[name=call]')
    page.select_option(".bulk-actions select[name=status]", "disputed")
    page.fill(".bulk-actions input[name=note]", f"checked at {width} px: the voices differ")
    page.click("button[formaction$='/bulk/status']")
    page.wait_for_url(re.compile(r"/calls/bulk/status"))
    assert "2 calls changed" in page.inner_text(".bulk-summary")
    assert page.locator(".outcome-done").count() == 2
    tab.shot("browse-bulk-status")
    page.click("text=Back to the list of calls")
    page.wait_for_url(re.compile(r"/calls\?.*desc=1"))
    for call in (25, 26):
        assert page.inner_text(f'tr[data-call="{call}"] .status') == "disputed"
        page.check(f'tr[data-call="{call}"] input[name=call]')
    page.fill(".bulk-actions input[name=tag]", f"phone check {width}")
    page.click("button[name=change][value=add]")
    page.wait_for_url(re.compile(r"/calls/bulk/tags"))
    assert "2 calls changed" in page.inner_text(".bulk-summary")
    page.goto(f"/cases/alpha/calls?tag=phone+check+{width}")
    assert _rows(page) == [25, 26]
    assert (
        page.locator(f"tr[data-call='25'] a.call-tag:has-text('phone check {width}')").count() == 1
    )
    assert tab.sideways() == 0
    tab.shot("browse-calls-tagged")
    assert tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_saved_search_shows_its_new_hits(
    browsing: Any, cases: dict[str, Any], width: int
) -> None:
    tab = browsing(width, user="analyst")
    page = tab.page
    page.goto("/cases/alpha/search?q=%D0%BC%D1%8B")
    name = f"we, at {width}"
    page.fill(".save-search input[name=name]", name)
    page.click(".save-search button[type=submit]")
    page.wait_for_url(re.compile(r"saved=\d+"))
    assert page.inner_text("h1") == f"Saved search: {name}"
    saved = int(re.search(r"saved=(\d+)", page.url).group(1))  # type: ignore[union-attr]
    page.goto("/cases/alpha/search")
    item = page.locator(f'li[data-saved="{saved}"]')
    assert "nothing new" in item.inner_text()
    # As if she had saved it before the last calls were processed.
    with CaseStore(cases["alpha"], create=False) as store:
        since = store.conn.execute("SELECT max(id) FROM segments").fetchone()[0] - 120
        store.conn.execute(
            "UPDATE saved_searches SET seen_segment = ? WHERE id = ?", (since, saved)
        )
        expected = search(store, "мы", SearchFilters(since_segment=since), limit=0).total
    page.reload()
    fresh = page.inner_text(f'li[data-saved="{saved}"] .new-count')
    assert expected > 0 and fresh == f"{expected} new hit" + ("s" if expected > 1 else "")
    assert tab.sideways() == 0
    tab.shot("browse-saved-new")
    page.click(f'li[data-saved="{saved}"] a')
    page.wait_for_url(re.compile(rf"saved={saved}"))
    assert page.locator(".hit.new .new-badge").count() == min(expected, 50)
    page.goto("/cases/alpha/search")
    assert "nothing new" in page.inner_text(f'li[data-saved="{saved}"]')
    assert tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_hit_opens_its_call_at_the_segment(
    browsing: Any, cases: dict[str, Any], width: int
) -> None:
    with CaseStore(cases["alpha"], create=False) as store:
        hits = search(store, "мы", limit=100).hits
    hit = next(h for h in hits if h.start > 3 and h.call_id != 20)
    tab = browsing(width, user="viewer")
    page = tab.page
    page.goto("/cases/alpha/search?q=%D0%BC%D1%8B&limit=100")
    page.click(f'a[href$="#seg-{hit.segment_id}"]')
    page.wait_for_url(re.compile(rf"/calls/{hit.call_id}#seg-{hit.segment_id}$"))
    page.wait_for_function(
        "start => { const a = document.getElementById('player');"
        " return a && a.readyState >= 1 && Math.abs(a.currentTime - start) < 0.05; }",
        arg=hit.start,
    )
    segment = page.locator(f"#seg-{hit.segment_id}")
    assert "found" in (segment.get_attribute("class") or "")
    top, bottom, under = page.evaluate(
        "id => [document.getElementById(id).getBoundingClientRect().top, window.innerHeight,"
        " document.querySelector('.player').getBoundingClientRect().bottom]",
        f"seg-{hit.segment_id}",
    )
    assert under - 1 <= top < bottom, "the segment is in view, below the player"
    tab.shot("browse-hit-opened")
    assert tab.problems == []
