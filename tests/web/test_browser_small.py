"""Every page of the app on a desk and on a phone: nothing scrolls sideways, nothing raw shows.

The pages are the app's own GET routes (as ``test_access`` lists them), with
their path and query filled so each shows real content: a route added later
is visited without this file changing, or fails here naming the parameter it
needs. Each page is checked at 1440 and 390 px in one tab per width, for
sideways scrolling and for internal names and raw values in its visible text
(``started_at``, PyAV's container lists, ISO timestamps…); a screenshot of
each goes to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from fastapi import FastAPI

from callsift.store.team import TeamStore

from .conftest import PASSWORD, WIDTHS
from .test_access import QUERIES, _routes

pytestmark = pytest.mark.browser

# Values for path parameters: calls chosen for what they show (1: casualties,
# 8: an M4A file with a date said, 10: stereo, 20: a file that failed).
PATH_VALUES: dict[str, tuple[str, ...]] = {
    "case": ("alpha",),
    "call_id": ("1", "8", "10", "20"),
    "name": ("throwaway",),
}
EXTRA_QUERIES: dict[str, tuple[dict[str, str], ...]] = {
    "/cases/{case}/calls": ({"sort": "date"},),
    "/cases/{case}/search": ({"q": "убили"},),
}
NOT_PAGES = ("/api/", "/openapi.json", "/static/")
FORBIDDEN = [
    re.compile(pattern)
    for pattern in (
        r"\bstarted_at\b",
        r"\bduration_s\b",
        r"\bmj2\b",
        r"= 12\.0",
        r"\b\d+\.0 killed\b",
        r"--\d\d-\d\d",
        r"\b1 parties\b",
        r"\d\d:\d\d:\d\d\.\d{3,6}",  # a millisecond or microsecond timestamp
        r"(?<!“)\d{4}-\d\d-\d\dT\d\d:\d\d",  # an ISO timestamp (not one quoted as written)
        r"\bpcm_[a-z0-9]+\b",
        r"\bamr_nb\b",
        r"\b(?:LOC|PER|ORG)\b",
        r"\bchannel 0\b",
    )
]


def _urls(app: FastAPI) -> list[str]:
    """Every HTML page of the app, with real values in its path and query."""
    urls = []
    for method, path in _routes(app):
        if method != "GET" or path.startswith(NOT_PAGES) or path.endswith("/audio"):
            continue
        filled = [path]
        for name in re.findall(r"{(\w+)}", path):
            assert name in PATH_VALUES, f"give {path}'s {{{name}}} a value in PATH_VALUES"
            filled = [f.replace(f"{{{name}}}", v) for f in filled for v in PATH_VALUES[name]]
        queries = (QUERIES.get(path, {}), *EXTRA_QUERIES.get(path, ()))
        urls += [f"{url}?{urlencode(q)}" if q else url for url in filled for q in queries]
    return urls


def _slug(url: str) -> str:
    return re.sub(r"[^\w]+", "-", unquote(url).lower()).strip("-") or "home"


@pytest.mark.parametrize("language", ("en", "uk"))
@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen_and_speaks_plainly(
    app: FastAPI, browsing: Any, width: int, language: str
) -> None:
    """In both interface languages: Ukrainian labels run longer, and must fit a phone too."""
    tab = browsing(width)
    if language != "en":  # chosen as a reader would, in the footer
        tab.page.goto("/")
        tab.page.locator("footer select[name=language]").select_option(language)
        tab.page.locator("footer button[type=submit]").click()
        tab.page.wait_for_load_state()
        assert tab.page.locator("html").get_attribute("lang") == language
        assert tab.page.locator("footer").inner_text().count("зроблено машиною") == 1
    urls = _urls(app)
    assert len(urls) >= 12, urls
    wide, raw, broken = {}, {}, {}
    problems = {}
    for url in urls:
        answer = tab.page.request.get(url)  # fetched, not shown: is it a page?
        if answer.status >= 400:
            broken[url] = answer.status
            continue
        if not answer.text().lstrip().startswith("<!DOCTYPE html>"):
            continue  # JSON, audio, or an htmx fragment (progress): not a page
        before = len(tab.problems)
        tab.page.goto(url)
        tab.shot(f"page-{_slug(url)}" + ("" if language == "en" else f"-{language}"))
        if tab.sideways():
            wide[url] = tab.sideways()
        if len(tab.problems) > before:
            problems[url] = tab.problems[before:]
        text = tab.page.inner_text("body")
        found = [m.group(0) for pattern in FORBIDDEN for m in [pattern.search(text)] if m]
        if found:
            raw[url] = found
    assert not (broken or wide or raw), f"failed: {broken}; too wide: {wide}; raw: {raw}"
    assert problems == {} and tab.problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_creates_an_account_that_signs_in_then_changes_and_revokes_it(
    browsing: Any, width: int, cases: dict[str, Any]
) -> None:
    name = f"plain-web-{width}"
    admin = browsing(width)
    admin.page.goto("/admin/users")
    form = admin.page.locator("#new-account form")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=role][value=viewer]").check()
    form.locator("input[name=password]").fill("short")
    form.locator("input[name=case][value=alpha]").uncheck()
    form.locator("button[type=submit]").click()
    assert admin.page.locator(".field-error").count() == 2  # the password, the cases
    assert form.locator("input[name=name]").input_value() == name  # kept
    admin.shot("accounts-refused")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("input[name=case][value=alpha]").check()
    form.locator("button[type=submit]").click()
    assert name in admin.page.locator("#created").inner_text()
    assert admin.sideways() == 0
    admin.shot("accounts")

    user = browsing(width, user=None)
    user.page.goto("/login")
    user.page.fill("input[name=username]", name)
    user.page.fill("input[name=password]", PASSWORD)
    user.page.click("main button[type=submit]")
    user.page.wait_for_url(lambda url: "/login" not in url)
    assert user.page.locator("ul.cases a", has_text="alpha").count() == 1
    assert user.page.locator("header a[href='/admin/users']").count() == 0

    row = admin.page.locator(f"#account-{name}")
    row.locator("select[name=role]").select_option("admin")
    row.locator("button", has_text="Set role").click()
    user.page.goto("/")
    assert user.page.locator("header a[href='/admin/users']").count() == 1  # now an admin

    admin.page.locator(f"#account-{name}").locator("button", has_text="remove").click()
    assert admin.page.locator(f"#account-{name}").count() == 0  # none of her cases left
    answer = user.page.goto("/cases/alpha/")
    assert answer is not None and answer.status == 404
    with TeamStore(cases["team"]) as team:
        account = team.account(name)
        assert account is not None and (account.role, account.cases) == ("admin", frozenset())
    refused = ("400 (Bad Request)", "404 (Not Found)")  # the refused form, the revoked case
    assert [p for p in admin.problems + user.problems if not p.endswith(refused)] == []
