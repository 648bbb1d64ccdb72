"""Who said it, in a real browser at a desk's width and a phone's.

On the call page each turn names its party (caller or receiver, with the
number and the directory's name), never "channel 0"; a search hit's head
shows the call's date, its two numbers and the speaker's role. Read only:
no call of the shared fixture is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from callsift.store import CaseStore, list_calls

from .conftest import WIDTHS, Browsing

pytestmark = pytest.mark.browser


def _id(cases: dict[str, Any], file: str) -> int:
    with CaseStore(cases["alpha"]) as store:
        return next(c.id for c in list_calls(store) if c.file == file)


@pytest.mark.parametrize("width", WIDTHS)
def test_call_page_turns_name_their_party_with_number(
    browsing: Callable[..., Browsing], cases: dict[str, Any], width: int
) -> None:
    tab = browsing(width, user="viewer")
    page = tab.page

    page.goto(f"/cases/alpha/calls/{_id(cases, 'call_010.wav')}")  # stereo
    heads = page.locator(".segment .seg-head")
    assert heads.count() > 2
    said = {" ".join(t.split()) for t in page.locator(".seg-head .party").all_inner_texts()}
    assert said == {"Caller +79165550303", "Receiver +79165554790"}
    assert "channel" not in " ".join(heads.all_inner_texts()).lower()
    caller = page.locator(".seg-head .party-caller").first
    assert caller.is_visible() and caller.bounding_box()["width"] > 0
    assert tab.sideways() == 0
    tab.shot("party-call-stereo")

    page.goto(f"/cases/alpha/calls/{_id(cases, 'call_001.wav')}")  # mono, two voices
    said = {" ".join(t.split()) for t in page.locator(".seg-head .party").all_inner_texts()}
    assert said == {
        "Speaker 1 (caller) +79035551708 Сидоров Иван",
        "Speaker 2 (receiver) +79165552341",
    }
    assert tab.sideways() == 0
    tab.shot("party-call-voices")

    page.goto(f"/cases/alpha/calls/{_id(cases, 'call_003.wav')}")  # mono, one voice found
    said = {" ".join(t.split()) for t in page.locator(".seg-head .party").all_inner_texts()}
    assert said == {"Both parties"}
    assert tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_search_hit_shows_date_numbers_and_role(
    browsing: Callable[..., Browsing], width: int
) -> None:
    tab = browsing(width, user="viewer")
    page = tab.page

    page.goto("/cases/alpha/search?q=%D0%91%D1%83%D1%87%D0%B0")  # Буча
    hit = page.locator("li.hit").filter(has_text="call_001.wav").first
    head = " ".join(hit.locator(".hit-head").inner_text().split())
    assert "4 Mar 2022" in head
    assert "+79035551708 called +79165552341" in head
    assert "Speaker 1 (caller) Сидоров Иван" in head
    assert "channel" not in head.lower()
    # Every hit says who said it.
    hits = page.locator("li.hit")
    assert hits.count() == page.locator("li.hit .hit-head .party").count() > 0
    assert tab.sideways() == 0
    tab.shot("party-search")
    assert tab.problems == []
