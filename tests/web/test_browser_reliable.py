"""In the browser: a transcript that failed quietly is marked, and one click redoes it.

Call 14 of the shared case is planted as the demo's Ukrainian calls once came
out: 16 s of detected speech and not one word. The dashboard counts it and
links to the list of such calls; its page says why it is unreliable, and an
analyst transcribes it again in Ukrainian: the real model runs on this one
short call (at one width only; the other checks the controls are there), the
page shows the job running, then reloads with the new transcript. The
undecodable call 20 says why it failed instead of "No speech.".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from callsift.records import AudioInfo, ChannelTranscript
from callsift.store import CaseStore

from .conftest import WIDTHS, Browsing

pytestmark = pytest.mark.browser

RERUN_WIDTH = 1440
"""The width at which the model really runs (once per suite: it takes a while)."""


def _plant_speech_without_words(cases: dict[str, Any]) -> None:
    with CaseStore(cases["alpha"]) as store:
        store.save_transcript(
            14,
            AudioInfo(19.2, 16000, 1, "pcm_s16le", "wav"),
            [ChannelTranscript(0, "uk", 0.86, 15.9, [])],
            '{"test": "speech without words"}',
        )


@pytest.mark.parametrize("width", WIDTHS)
def test_unreliable_call_is_marked_and_transcribed_again(
    browsing: Callable[..., Browsing], cases: dict[str, Any], width: int
) -> None:
    _plant_speech_without_words(cases)
    tab = browsing(width, user="analyst")
    page = tab.page

    page.goto("/cases/alpha/")
    count = page.locator("#unreliable-count a")
    assert count.get_attribute("href") == "/cases/alpha/calls?reliability=unreliable"
    assert int(count.inner_text()) >= 1
    assert "1 parties" not in page.inner_text("main")
    assert tab.sideways() == 0
    tab.shot("reliable-dashboard")

    page.goto("/cases/alpha/calls/20")
    failed = page.locator("[data-reliability=failed]")
    assert "not an audio file" in failed.inner_text()
    assert "No speech." not in page.inner_text("main")
    assert "could not be processed" in page.inner_text("[data-no-text=failed]")
    assert tab.sideways() == 0

    page.goto("/cases/alpha/calls/14")
    banner = page.locator("[data-reliability=unreliable]")
    assert "Transcript unreliable:" in banner.inner_text()
    assert "16 s of speech detected, 0 words transcribed." in banner.inner_text()
    assert page.locator("[data-no-text=unreliable]").is_visible()
    assert banner.locator("#rerun-button").is_visible()
    assert tab.sideways() == 0
    tab.shot("reliable-call")
    if width != RERUN_WIDTH:
        assert tab.problems == []
        return

    banner.locator("select[name=language]").select_option("uk")
    banner.locator("#rerun-button").click()
    page.locator("[data-rerun=running]").wait_for()
    tab.shot("reliable-rerunning")
    page.locator("[data-rerun=finished]").wait_for(timeout=300_000)  # the page reloaded
    assert page.locator("[data-reliability=unreliable]").count() == 0
    assert page.locator(".segment").count() > 0
    tab.shot("reliable-rerun-done")
    assert tab.problems == []
