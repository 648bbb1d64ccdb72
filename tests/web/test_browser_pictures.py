"""The pictures in Chromium, at a desk's width and a phone's (issue #12, section 6).

The graph has arrowheads and call counts, its visible labels never overlap
(as the browser measures them, ``getBBox``), a period redraws it with fewer
arrows, and the who-called-whom table is sorted by calls; the map draws
borders under the places with labels that neither collide nor leave the
picture; the dashboard's bars are as high as their counts and its flag and
status counts open the filtered list of calls. Read-only on the shared case.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from .conftest import WIDTHS

pytestmark = pytest.mark.browser

VISIBLE_BOXES = """(selector) => {
  const svg = document.querySelector(selector);
  const view = svg.viewBox.baseVal;
  return Array.from(svg.querySelectorAll("text"))
    .filter((t) => getComputedStyle(t).display !== "none" && t.textContent.trim())
    .map((t) => {
      const b = t.getBBox();
      return [b.x, b.y, b.x + b.width, b.y + b.height, t.textContent];
    })
    .concat([[view.x, view.y, view.x + view.width, view.y + view.height, "VIEW"]]);
}"""


def _boxes(page: Any, selector: str) -> tuple[list[list[Any]], list[Any]]:
    found = page.evaluate(VISIBLE_BOXES, selector)
    return found[:-1], found[-1]


def _assert_apart(boxes: list[list[Any]], view: list[Any] | None = None) -> None:
    """No two visible texts overlap (0.5 unit of anti-aliasing allowed); none is cut."""
    assert boxes
    for a, b in itertools.combinations(boxes, 2):
        overlap_x = min(a[2], b[2]) - max(a[0], b[0])
        overlap_y = min(a[3], b[3]) - max(a[1], b[1])
        assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)
    if view is not None:
        for box in boxes:
            assert box[0] >= view[0] - 0.5 and box[2] <= view[2] + 0.5, box
            assert box[1] >= view[1] - 0.5 and box[3] <= view[3] + 0.5, box


@pytest.mark.parametrize("width", WIDTHS)
def test_the_graph_shows_who_called_whom_and_when(browsing: Any, width: int) -> None:
    tab = browsing(width)
    page = tab.page
    page.goto("/cases/alpha/graph")
    arrows = page.locator("#graph line.edge[marker-end]")
    every = arrows.count()
    assert every > 0 and page.locator("#graph marker#arrow path").count() == 1
    boxes, view = _boxes(page, "#graph")
    assert any(text.isdigit() for *_, text in boxes), "no call count on the edges"
    _assert_apart(boxes, view)
    assert tab.sideways() == 0
    tab.shot("pictures-graph")

    page.click("button[data-zoom=in]")
    page.click("button[data-zoom=in]")
    assert "z4" in (page.get_attribute("#graph", "class") or "")
    zoomed, _ = _boxes(page, "#graph")
    assert len(zoomed) >= len(boxes)
    _assert_apart(zoomed)

    counts = [int(n) for n in page.locator("table.flows td.calls").all_inner_texts()]
    assert counts and counts == sorted(counts, reverse=True)
    link = page.locator("table.flows td.calls a").first.get_attribute("href") or ""
    assert "/calls?number=" in link

    page.fill("input[name=from]", "2022-03-01")
    page.fill("input[name=to]", "2022-03-10")
    page.click("form.period button[type=submit]")
    page.wait_for_url(lambda url: "from=2022-03-01&to=2022-03-10" in url)
    fewer = page.locator("#graph line.edge").count()
    assert 0 < fewer < every
    assert "from=2022-03-01" in (
        page.locator("table.flows td.calls a").first.get_attribute("href") or ""
    )
    _assert_apart(*_boxes(page, "#graph"))
    assert tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_map_has_borders_and_labels_that_do_not_collide(browsing: Any, width: int) -> None:
    tab = browsing(width)
    page = tab.page
    page.goto("/cases/alpha/timeline")
    assert page.locator("svg.map path.country").count() >= 2
    assert page.locator("svg.map path.region").count() >= 5
    boxes, view = _boxes(page, "svg.map")
    assert any("°E" in text for *_, text in boxes) and any("°N" in text for *_, text in boxes)
    _assert_apart(boxes, view)
    chart, chart_view = _boxes(page, "svg.chart")
    _assert_apart(chart, chart_view)
    said = page.locator("ul.said-list").inner_text()
    assert "year not said" in said and "--03-20" not in said
    assert tab.sideways() == 0
    tab.shot("pictures-timeline")
    assert tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dashboard_bars_are_to_scale_and_its_counts_open_the_list(
    browsing: Any, width: int
) -> None:
    tab = browsing(width)
    page = tab.page
    page.goto("/cases/alpha/")
    bars = page.evaluate(
        """() => Array.from(document.querySelectorAll("svg.chart rect.bar"))
             .map((r) => [parseInt(r.dataset.count, 10), r.getBBox().height])"""
    )
    counted = [(n, h) for n, h in bars if n]
    assert len({n for n, _ in counted}) > 1, "every bar counts the same"
    unit = counted[0][1] / counted[0][0]
    for n, height in counted:
        assert height == pytest.approx(unit * n, rel=0.02)
    assert len({h for _, h in counted}) > 1
    _assert_apart(*_boxes(page, "svg.chart"))
    assert tab.sideways() == 0
    tab.shot("pictures-dashboard")

    page.locator("table.flags a").first.click()
    page.wait_for_url(lambda url: "/calls?flag=" in url)
    page.go_back()
    page.locator("table.verification a").first.click()
    page.wait_for_url(lambda url: "/calls?status=" in url)
    assert tab.problems == []
