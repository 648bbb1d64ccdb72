"""Every route of the app against every kind of visitor.

The matrix is built from the app's own route list: a route the table below
does not describe fails the test, so a new page cannot ship without its
access rule. Each route is requested by an anonymous visitor, an account
that is a member of no case, the admin of another case, and a viewer,
analyst, reviewer and admin of the case, and each must get exactly its
answer: served, 401 (or the redirect to sign in), 403 or 404. Error bodies
are checked for anything of the case (file names, hashes, words said).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from callsift.store import CaseStore, get_call, segments_of
from callsift.store.translations import english_of
from callsift.verify.status import verification_of
from callsift.web.roles import Capability, can

from .conftest import signed_in

PUBLIC = "public"
SIGNED_IN = "signed in"

VISITORS = ("anonymous", "outsider", "other", "viewer", "analyst", "reviewer", "admin")


@dataclass(frozen=True)
class Rule:
    """Who may use a route, and a valid request to make of it."""

    need: str | Capability
    form: Callable[[CaseStore], dict[str, Any]] | None = None
    json: Callable[[CaseStore], dict[str, Any]] | None = None
    in_case: bool = True


_NEW_ACCOUNTS = itertools.count(1)


def _segment(store: CaseStore) -> int:
    return segments_of(store, 1)[0].id or 0


def _segment_version(store: CaseStore) -> int:
    return segments_of(store, 1)[0].version


def _english_version(store: CaseStore) -> int:
    return english_of(store, 1)[0].version


def _review_version(store: CaseStore) -> int:
    return verification_of(store, 1).version


MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/login"): Rule(PUBLIC, in_case=False),
    ("POST", "/login"): Rule(PUBLIC, in_case=False),  # checked in test_signin.py
    ("POST", "/api/login"): Rule(PUBLIC, in_case=False),  # checked in test_signin.py
    ("POST", "/language"): Rule(PUBLIC, form=lambda s: {"language": "uk"}, in_case=False),
    ("POST", "/logout"): Rule(SIGNED_IN, in_case=False),
    ("POST", "/api/logout"): Rule(SIGNED_IN, in_case=False),
    ("POST", "/logout/everywhere"): Rule(SIGNED_IN, in_case=False),  # test_sessions.py
    ("POST", "/api/logout/everywhere"): Rule(SIGNED_IN, in_case=False),
    ("GET", "/"): Rule(SIGNED_IN, in_case=False),
    ("GET", "/api/cases"): Rule(SIGNED_IN, in_case=False),
    ("GET", "/admin/users"): Rule(Capability.ADMIN, in_case=False),
    # An administrator manages the accounts of her own cases (throwaway is of alpha).
    ("POST", "/admin/users/{name}/disable"): Rule(Capability.ADMIN),
    ("POST", "/admin/users/{name}/enable"): Rule(Capability.ADMIN),
    ("GET", "/cases/{case}/"): Rule(Capability.READ),
    ("GET", "/cases/{case}/progress"): Rule(Capability.READ),
    ("GET", "/cases/{case}/calls"): Rule(Capability.READ),
    ("GET", "/cases/{case}/calls/{call_id}"): Rule(Capability.READ),
    ("GET", "/cases/{case}/calls/{call_id}/audio"): Rule(Capability.READ),
    ("GET", "/cases/{case}/search"): Rule(Capability.READ),
    ("GET", "/cases/{case}/graph"): Rule(Capability.READ),
    ("GET", "/cases/{case}/number"): Rule(Capability.READ),
    ("GET", "/cases/{case}/timeline"): Rule(Capability.READ),
    ("POST", "/cases/{case}/calls/{call_id}/annotations"): Rule(
        Capability.ANNOTATE, form=lambda s: {"text": "checked against the roster"}
    ),
    ("POST", "/cases/{case}/calls/{call_id}/segments/{segment_id}"): Rule(
        Capability.CORRECT,
        form=lambda s: {"text": "Мама, привет, это я, Серёжа.", "version": _segment_version(s)},
    ),
    ("POST", "/cases/{case}/calls/{call_id}/segments/{segment_id}/english"): Rule(
        Capability.CORRECT,
        form=lambda s: {"text": "Mum, hi. It's me, Seryozha.", "version": _english_version(s)},
    ),
    ("POST", "/cases/{case}/calls/{call_id}/verification"): Rule(
        Capability.VERIFY,
        form=lambda s: {
            "status": "disputed",
            "note": "voice differs",
            "version": _review_version(s),
        },
    ),
    ("POST", "/cases/{case}/calls/{call_id}/export"): Rule(Capability.EXPORT, form=lambda s: {}),
    ("GET", "/api/status"): Rule(Capability.READ),
    ("GET", "/api/calls"): Rule(Capability.READ),
    ("GET", "/api/calls/{call_id}"): Rule(Capability.READ),
    ("GET", "/api/search"): Rule(Capability.READ),
    ("POST", "/api/calls/{call_id}/annotations"): Rule(
        Capability.ANNOTATE, json=lambda s: {"text": "same voice as call 3"}
    ),
    ("POST", "/api/calls/{call_id}/segments/{segment_id}"): Rule(
        Capability.CORRECT,
        json=lambda s: {"text": "Мама, привет, это я, Серёжа!", "version": _segment_version(s)},
    ),
    ("POST", "/api/calls/{call_id}/segments/{segment_id}/english"): Rule(
        Capability.CORRECT,
        json=lambda s: {"text": "Mum, hi. It's me, Seryozha!", "version": _english_version(s)},
    ),
    ("POST", "/api/calls/{call_id}/verification"): Rule(
        Capability.VERIFY,
        json=lambda s: {"status": "unverified", "version": _review_version(s)},
    ),
    ("POST", "/cases/{case}/calls/{call_id}/quote"): Rule(
        Capability.EXPORT, form=lambda s: {"start": "1", "end": "3.5"}
    ),
    # Accounts (web/admin.py): new ones are named plain-…; plain-matrix is revoked, not throwaway.
    ("POST", "/admin/users"): Rule(
        Capability.ADMIN,
        form=lambda s: {
            "name": f"plain-matrix-{next(_NEW_ACCOUNTS)}",
            "role": "viewer",
            "password": "",
            "case": "alpha",
        },
    ),
    ("POST", "/admin/users/{name}/role"): Rule(Capability.ADMIN, form=lambda s: {"role": "viewer"}),
    ("POST", "/admin/users/{name}/grant"): Rule(Capability.ADMIN, form=lambda s: {"case": "alpha"}),
    ("POST", "/admin/users/{name}/revoke"): Rule(
        Capability.ADMIN, form=lambda s: {"case": "alpha"}
    ),
    # Re-running call 1 in Russian, the language its sound transcript is in, is answered
    # without starting the model (web/rerun.py); test_reliable.py starts a real one.
    ("POST", "/cases/{case}/calls/{call_id}/rerun"): Rule(
        Capability.CORRECT, form=lambda s: {"language": "ru"}
    ),
    ("GET", "/cases/{case}/calls/{call_id}/rerun"): Rule(Capability.READ),
    # Bulk actions and saved searches (#12): only call 26 of the shared case is changed.
    ("POST", "/cases/{case}/calls/bulk/status"): Rule(
        Capability.VERIFY, form=lambda s: {"call": "26", "status": "unverified"}
    ),
    ("POST", "/cases/{case}/calls/bulk/tags"): Rule(
        Capability.ANNOTATE, form=lambda s: {"call": "26", "tag": "matrix"}
    ),
    ("POST", "/cases/{case}/calls/bulk/export"): Rule(
        Capability.EXPORT, form=lambda s: {"call": "26"}
    ),
    ("POST", "/cases/{case}/saved"): Rule(
        Capability.READ, form=lambda s: {"name": "matrix", "q": "Буча"}
    ),
    ("POST", "/cases/{case}/saved/delete"): Rule(Capability.READ, form=lambda s: {"saved": "1"}),
    ("GET", "/openapi.json"): Rule(PUBLIC, in_case=False),
}


NAMES = {"/admin/users/{name}/revoke": "plain-matrix"}  # the account a route acts on

QUERIES = {
    "/cases/{case}/search": {"q": "Буча"},
    "/cases/{case}/number": {"n": "+7 903 555 17 08"},
    "/api/search": {"q": "Буча"},
}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """``(method, path)`` of every route the app answers, its routers' included."""
    found = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            continue  # /static: public files of the package, tested below
        assert route.path is not None, route
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, route.path))
    return found


def test_every_route_is_in_the_matrix(app: FastAPI) -> None:
    assert set(_routes(app)) == set(MATRIX), "describe the new route's access rule in MATRIX"


def _expected(rule: Rule, visitor: str, path: str) -> int | None:
    """The status the visitor must get; ``None``: served (2xx or a redirect after the change)."""
    if rule.need == PUBLIC:
        return None
    if visitor == "anonymous":
        return 401
    if rule.need == SIGNED_IN:
        return None
    if rule.in_case and visitor in ("outsider", "other"):
        return 404  # not a member: the case is answered as if it did not exist
    role = {"outsider": "admin", "other": "admin"}.get(visitor, visitor)
    assert isinstance(rule.need, Capability)
    return None if can(role, rule.need) else 403


def _request(app: FastAPI, visitor: str, method: str, path: str, rule: Rule, store: CaseStore):
    url = (
        path.replace("{case}", "alpha")
        .replace("{call_id}", "1")
        .replace("{segment_id}", str(_segment(store)))
        .replace("{name}", NAMES.get(path, "throwaway"))
    )
    params = dict(QUERIES.get(path, {}))
    if path.startswith("/api/") and rule.in_case:
        params["case"] = "alpha"
    with signed_in(app, None if visitor == "anonymous" else visitor) as client:
        if method == "GET":
            return client.get(url, params=params)
        if rule.json is not None:
            return client.post(url, params=params, json=rule.json(store))
        form = rule.form(store) if rule.form else {}
        return client.post(url, params=params, data=form)


LEAKS = ("call_001.wav", "Серёжа", "9ba9dcc1c2e8", "+79035551708", "bravo")


@pytest.mark.parametrize("visitor", VISITORS)
def test_each_visitor_gets_exactly_what_the_matrix_says(
    app: FastAPI, cases: dict[str, Any], visitor: str
) -> None:
    with CaseStore(cases["alpha"]) as store:
        sha = get_call(store, 1).sha256  # type: ignore[union-attr]
        for method, path in _routes(app):
            if path.startswith(("/login", "/api/login", "/logout", "/api/logout")):
                continue  # signing in and out: test_signin.py
            rule = MATRIX[method, path]
            response = _request(app, visitor, method, path, rule, store)
            expected = _expected(rule, visitor, path)
            where = (visitor, method, path, response.status_code, response.text[:300])
            if expected is None:
                assert response.status_code < 400, where
                continue
            if expected == 401 and not path.startswith("/api/") and method == "GET":
                assert response.status_code == 303, where  # to the sign-in page
                assert response.headers["location"].startswith("/login?next=")
                continue
            assert response.status_code == expected, where
            body = response.text
            for leak in (*LEAKS, sha):
                assert leak not in body, (where, leak)


def test_the_api_answers_json_errors_without_details(app: FastAPI) -> None:
    with signed_in(app, None) as anonymous:
        answer = anonymous.get("/api/calls", params={"case": "alpha"})
        assert (answer.status_code, answer.json()) == (401, {"error": "sign in first"})
    with signed_in(app, "other") as other:
        for path in ("/api/calls", "/api/calls/1", "/api/status"):
            answer = other.get(path, params={"case": "alpha"})
            assert (answer.status_code, answer.json()) == (404, {"error": "not found"})
        # A member of one case may leave ?case= out; it is never someone else's case.
        assert {c["file"] for c in other.get("/api/calls").json()} >= {"call_001.wav"}
        assert other.get("/api/calls/9999").json() == {"error": "not found"}


def test_static_files_and_security_headers(app: FastAPI) -> None:
    with signed_in(app, None) as anonymous:
        script = anonymous.get("/static/app.js")
        login = anonymous.get("/login")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    for response in (script, login):
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
    assert login.headers["cache-control"] == "no-store"
