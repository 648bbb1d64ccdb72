"""Listening, quoting and forms that keep work, in a real browser at a desk's and a phone's width.

The keyboard drives the player (and stays out of the way while typing), the
speed control follows the keys, a quote marked from the player or from
selected words downloads as a ZIP that checks out, and forms keep what was
typed: a refused verification, an edit conflict merged, a note box cleared
once saved and never saved twice. Calls 3, 4 and 5 are this module's.
"""

from __future__ import annotations

import io
import json
import wave
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from callsift.export.manifest import verify_package
from callsift.store import CaseStore, segments_of
from callsift.store.review import annotations_of

from .conftest import WIDTHS, signed_in

pytestmark = pytest.mark.browser

PLAYER = "document.getElementById('player')"
# What a browser reports of an answer the test asked for on purpose (a 400, a 409).
EXPECTED = ("status of 400", "status of 409", "htmx:responseError", "Response Status Error")


def _open(browsing: Any, width: int, call: int) -> Any:
    tab = browsing(width)
    tab.page.goto(f"/cases/alpha/calls/{call}")
    tab.page.wait_for_function(f"() => {PLAYER}.readyState >= 1")
    return tab


def _problems(tab: Any) -> list[str]:
    return [p for p in tab.problems if not any(e in p for e in EXPECTED)]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_keyboard_drives_the_player_and_the_speed_control_follows(
    browsing: Any, width: int
) -> None:
    tab = _open(browsing, width, 3)
    page = tab.page
    assert page.locator("#speed").is_visible() and page.locator("#keys summary").is_visible()
    page.keyboard.press("?")  # the list of keys opens
    assert page.locator("#keys dl").is_visible()
    tab.shot("call-keys")
    page.keyboard.press("?")
    page.keyboard.press("Space")
    page.wait_for_function(f"() => !{PLAYER}.paused && {PLAYER}.currentTime > 0.2")
    page.keyboard.press("Space")
    page.wait_for_function(f"() => {PLAYER}.paused")
    page.evaluate(f"{PLAYER}.currentTime = 2")
    page.keyboard.press("ArrowRight")
    assert abs(page.evaluate(f"{PLAYER}.currentTime") - 7) < 0.3
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(f"{PLAYER}.currentTime") == 0  # not before the start
    starts = sorted(
        float(s) for s in page.locator(".segment").evaluate_all("e => e.map(s => s.dataset.start)")
    )
    if len(starts) > 1:
        page.keyboard.press("n")
        assert abs(page.evaluate(f"{PLAYER}.currentTime") - starts[1]) < 0.05
        page.keyboard.press("p")
        assert abs(page.evaluate(f"{PLAYER}.currentTime") - starts[0]) < 0.05
    page.keyboard.press(">")
    page.keyboard.press(">")
    assert page.evaluate(f"{PLAYER}.playbackRate") == 1.5
    assert page.locator("#speed").input_value() == "1.5"
    page.keyboard.press("<")
    page.keyboard.press("<")
    page.keyboard.press("<")
    assert (page.evaluate(f"{PLAYER}.playbackRate"), page.locator("#speed").input_value()) == (
        0.75,
        "0.75",
    )
    page.select_option("#speed", "2")
    assert page.evaluate(f"{PLAYER}.playbackRate") == 2
    # Typing in a box types: no key reaches the player.
    box = page.locator("#annotate-text")
    box.click()
    page.keyboard.type("k l > n")
    page.keyboard.press("Space")
    assert box.input_value() == "k l > n "
    assert page.evaluate(f"{PLAYER}.paused") and page.evaluate(f"{PLAYER}.playbackRate") == 2
    assert tab.sideways() == 0
    assert tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_quote_marked_in_the_player_or_by_words_downloads_and_checks_out(
    browsing: Any, width: int, tmp_path: Path
) -> None:
    tab = _open(browsing, width, 3)
    page = tab.page
    page.evaluate(f"{PLAYER}.currentTime = 1.2")
    page.click("button[data-mark=start]")
    page.evaluate(f"{PLAYER}.currentTime = 3.7")
    page.click("button[data-mark=end]")
    assert (page.input_value("#quote-start"), page.input_value("#quote-end")) == ("1.20", "3.70")
    assert page.locator("#quote-span").inner_text().startswith("0:01.2 – 0:03.7")
    # Words selected in the transcript (a drag, or a long press on a phone) set the span.
    words = page.locator(".segment .w")
    first, last = words.nth(1), words.nth(4)
    page.evaluate(
        """([a, b]) => { const r = document.createRange(); r.setStartBefore(a);
        r.setEndAfter(b); const s = getSelection(); s.removeAllRanges(); s.addRange(r); }""",
        [first.element_handle(), last.element_handle()],
    )
    page.wait_for_function("() => !document.getElementById('quote-words').disabled")
    page.click("#quote-words")
    start = float(first.get_attribute("data-start") or "nan")
    end = float(last.get_attribute("data-end") or "nan")
    assert float(page.input_value("#quote-start")) == pytest.approx(start, abs=0.01)
    assert float(page.input_value("#quote-end")) == pytest.approx(end, abs=0.01)
    tab.shot("call-quote")
    with page.expect_download() as download:
        page.click("#export-quote")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert verify_package(path).ok
    with zipfile.ZipFile(path) as archive:
        citation = json.loads(archive.read("citation.json"))
        with wave.open(io.BytesIO(archive.read("clip.wav"))) as clip:
            seconds = clip.getnframes() / clip.getframerate()
    assert citation["call"]["id"] == 3 and citation["segments"]
    assert seconds == pytest.approx(round(end, 2) - round(start, 2), abs=0.001)
    # An end before the start is stopped in the page, before anything is sent.
    page.fill("#quote-start", "5")
    page.fill("#quote-end", "2")
    page.click("#export-quote")
    assert page.evaluate("document.getElementById('quote-end').validationMessage") != ""
    assert tab.sideways() == 0
    assert tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_forms_keep_what_was_typed(
    browsing: Any, app: FastAPI, cases: dict[str, Any], width: int
) -> None:
    # A refused verification keeps the note and the status and marks the links.
    tab = _open(browsing, width, 4)
    page = tab.page
    panel = page.locator("#verification")
    panel.locator("select[name=status]").select_option("corroborated")
    panel.locator("textarea[name=note]").fill(f"same voice as call 2 ({width})")
    panel.locator("input[name=links]").fill("2, x9")
    panel.locator("button[type=submit]").click()
    page.locator("#verify-links-error").wait_for()
    assert panel.locator("textarea[name=note]").input_value() == f"same voice as call 2 ({width})"
    assert panel.locator("select[name=status]").input_value() == "corroborated"
    assert panel.locator("input[name=links]").get_attribute("aria-invalid") == "true"
    tab.shot("verify-refused")

    # An edit conflict: both versions side by side, merged and saved against the new one.
    tab = _open(browsing, width, 5)
    page = tab.page
    with CaseStore(cases["alpha"]) as store:
        segment = segments_of(store, 5)[0]
    device = "стол" if width >= 1000 else "телефон"
    theirs, mine = f"{segment.text} (их, {device})", f"{segment.text} (мои, {device})"
    with signed_in(app, "reviewer") as other:
        saved = other.post(
            f"/cases/alpha/calls/5/segments/{segment.id}",
            data={"text": theirs, "version": str(segment.version)},
        )
        assert saved.status_code == 303
    box = page.locator(f"#seg-{segment.id}")
    box.locator("details.correct summary").click()
    box.locator("details.correct textarea[name=text]").fill(mine)
    box.locator("details.correct button[type=submit]").click()
    box = page.locator(f"#seg-{segment.id}")
    box.locator(".side.yours").wait_for()
    assert theirs in box.locator(".side.theirs").inner_text()
    assert mine in box.locator(".side.yours").inner_text()
    merge = box.locator("details.correct textarea[name=text]")
    assert merge.input_value() == theirs
    box.locator(".use-mine").click()
    assert merge.input_value() == mine
    tab.shot("call-conflict")
    merge.fill(f"{theirs} + {mine}")
    box.locator("details.correct button[type=submit]").click()
    page.locator(f"#seg-{segment.id} .side.yours").wait_for(state="detached")
    with CaseStore(cases["alpha"]) as store:
        assert segments_of(store, 5)[0].text == f"{theirs} + {mine}"

    # A note saved leaves the box empty; a double click saves it once.
    note = page.locator("#annotate-text")
    note.fill(f"first note ({width})")
    page.click("#annotate-form button[type=submit]")
    page.locator(".annotations li", has_text=f"first note ({width})").wait_for()
    assert note.input_value() == ""
    note.fill(f"double click ({width})")
    page.dblclick("#annotate-form button[type=submit]")
    page.locator(".annotations li", has_text=f"double click ({width})").wait_for()
    page.wait_for_timeout(500)
    with CaseStore(cases["alpha"]) as store:
        texts = [a.text for a in annotations_of(store, 5)]
    assert texts.count(f"double click ({width})") == 1
    assert tab.sideways() == 0
    assert _problems(tab) == []
