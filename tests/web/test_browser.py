"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright.

One reviewer's session, as a journalist would work: sign in, search in
Russian and in English, open a call found by its translation, play it,
click a word and see the player jump there, correct a segment, set a
verification status, export the package (and check it offline). Screenshots
of the main pages go to ``test-artifacts/`` for a person to look at.

Playwright launches the system Chromium (``make test`` installs Debian's
package); it never downloads a browser. Without Chromium the test is
skipped on a developer's machine and fails in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from callsift.export.manifest import verify_package
from callsift.store import CaseStore, segments_of
from callsift.verify.status import verification_of

from .conftest import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser_page(chromium: Any, live_server: str) -> Iterator[Any]:
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_reviewers_session_end_to_end(
    browser_page: Any, cases: dict[str, Any], tmp_path: Path
) -> None:
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )

    page.goto("/cases/alpha/")
    assert "/login" in page.url  # signed out: sent to sign in, and back afterwards
    _shot(page, "login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/alpha/")
    assert page.locator("h2", has_text="Watchlist flags").is_visible()
    _shot(page, "dashboard")

    page.goto("/cases/alpha/search")
    page.fill("input[name=q]", "Буча")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("li.hit mark", has_text="Буч").count() >= 1
    _shot(page, "search-russian")

    page.fill("input[name=q]", "ordered")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=ordered*")
    hit = page.locator("li.hit", has=page.locator(".english mark", has_text="ordered")).filter(
        has_text="call_007.ogg"
    )
    assert hit.count() == 1  # a Russian call, found through its English translation
    _shot(page, "search-english")
    hit.locator(".hit-head a").click()
    page.wait_for_url("**/cases/alpha/calls/7*")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    _shot(page, "call")

    # Play, and the playhead moves.
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("document.getElementById('player').currentTime > 0.3")

    # Click a word: the player jumps to the word's start and highlights it.
    word = page.locator(".segment .w").nth(6)
    start = float(word.get_attribute("data-start") or "nan")
    word.click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {start}) < 0.35"
    )
    page.evaluate("document.getElementById('player').pause()")

    # Correct the first segment: a new version, the machine's words kept.
    with CaseStore(cases["alpha"]) as store:
        first = segments_of(store, 7)[0]
    box = page.locator(f"#seg-{first.id}")
    box.locator("details.correct summary").click()
    fixed = first.text.rstrip(".!?") + " (checked against the audio)."
    form = box.locator("details.correct form")
    form.locator("textarea[name=text]").fill(fixed)
    form.locator("input[name=note]").fill("listened twice")
    form.locator("button[type=submit]").click()
    page.locator(f"#seg-{first.id} .corrected").wait_for()
    assert "checked against the audio" in page.locator(f"#seg-{first.id} .original").inner_text()

    # Set a verification status with its grounds (not "verified": who corrected the
    # transcript does not vouch for the call, another reviewer does).
    panel = page.locator("#verification")
    panel.locator("select[name=status]").select_option("disputed")
    panel.locator("textarea[name=note]").fill("the voice differs from call 2")
    panel.locator("button[type=submit]").click()
    page.locator("#verification .status-disputed").first.wait_for()
    assert "by admin" in page.locator("#verification").inner_text()
    page.locator("#status-badge.status-disputed").wait_for()  # the title's badge follows
    _shot(page, "call-reviewed")

    # Export the evidence package, and check it offline.
    with page.expect_download() as download:
        page.click("#export-package")
    package = tmp_path / download.value.suggested_filename
    download.value.save_as(package)
    assert package.name == "call-0007.zip" and verify_package(package).ok

    for name, path in (("graph", "/cases/alpha/graph"), ("timeline", "/cases/alpha/timeline")):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        _shot(page, name)
    page.goto("/cases/alpha/graph")
    page.locator("#graph a.node").first.click()
    page.locator("#profile .profile h2").wait_for()

    with CaseStore(cases["alpha"]) as store:
        assert segments_of(store, 7)[0].text == fixed
        record = verification_of(store, 7)
        plays = [e for e in store.custody() if e["action"] == "play" and e["actor"] == "admin"]
    assert (record.status, record.reviewer) == ("disputed", "admin")
    assert plays, "the browser's play was not logged"
    assert problems == []  # no script error, no failed request, nothing the CSP blocked
