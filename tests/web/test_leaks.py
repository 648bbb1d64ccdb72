"""What the server gives away, and to whom: errors, versions, hosts, admins, custody, duties.

* An error never echoes what was sent (a password), and the browser always
  gets the app's own error page, whatever refused the request.
* Nothing tells an anonymous visitor which server or version runs.
* Only the allowed host names are answered (DNS rebinding), and a change
  must come from this server's own origin, scheme included.
* An administrator sees and manages the accounts of her cases alone.
* Every read of a call's words or numbers lands in the custody log.
* Who corrected a call does not vouch for it, unless the server allows it.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from callsift import __version__
from callsift.store import CaseStore, segments_of
from callsift.store.team import TeamStore
from callsift.verify.status import verification_of
from callsift.web.accounts import add_account
from callsift.web.app import WebSettings, create_app

from .conftest import PASSWORD, running, signed_in

SECRET = "correct horse battery staple"


def test_a_refused_sign_in_never_echoes_the_password(app: FastAPI) -> None:
    with signed_in(app, None) as client:
        for body in (
            {"username": ["viewer"], "password": SECRET},
            {"username": "viewer", "password": [SECRET]},
            {"password": SECRET},
        ):
            answer = client.post("/api/login", json=body)
            assert answer.status_code == 422, answer.text
            assert SECRET not in answer.text and "input" not in answer.json()
            assert answer.json()["error"]
        form = client.post("/login", data={"password": SECRET})  # no name, no token
        assert form.status_code == 422 and SECRET not in form.text


def test_browsers_get_the_apps_error_pages(app: FastAPI) -> None:
    with signed_in(app, "analyst") as analyst:
        wrong_method = analyst.get("/logout")
        invalid = analyst.post(
            "/cases/alpha/calls/6/annotations", data={"text": "x", "start": "abc"}
        )
        broken = analyst.post(
            "/cases/alpha/calls/6/annotations",
            content=b"--x\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--x--\r\n",
            headers={"content-type": "multipart/form-data"},  # and no boundary
        )
    for answer, status in ((wrong_method, 405), (invalid, 422), (broken, 400)):
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("text/html"), answer.text
        assert "<!DOCTYPE html>" in answer.text and '"detail"' not in answer.text
    assert "GET" not in wrong_method.headers.get("allow", "")


def test_no_version_or_server_name_for_anonymous_visitors(app: FastAPI, live_server: str) -> None:
    with signed_in(app, None) as anonymous:
        login = anonymous.get("/login")
        schema = anonymous.get("/openapi.json")
    assert __version__ not in login.text and __version__ not in schema.text
    with signed_in(app, "viewer") as viewer:
        assert __version__ in viewer.get("/").text  # a signed-in user may see it
    real = httpx.get(f"{live_server}/login")
    assert real.status_code == 200 and "server" not in real.headers


def test_only_allowed_hosts_are_answered(cases: dict[str, Any]) -> None:
    web = create_app(WebSettings((cases["alpha"],), cases["team"]))  # loopback names only
    with running(web) as base:
        port = base.rsplit(":", 1)[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
            assert httpx.get(f"{base}/login", headers={"Host": host}).status_code == 200
        for host in (f"rebound.example:{port}", "evil.example", "127.0.0.1.evil.example"):
            answer = httpx.get(f"{base}/login", headers={"Host": host})
            assert answer.status_code == 400, host
            assert "Sign in" not in answer.text


def test_the_origin_must_match_in_scheme_host_and_port(app: FastAPI) -> None:
    with signed_in(app, "analyst") as analyst:
        url, body = "/api/calls/6/annotations", {"text": "from which origin?"}
        for origin in ("http://testserver", "https://testserver:8443", "null", "https://evil"):
            answer = analyst.post(
                url, params={"case": "alpha"}, json=body, headers={"Origin": origin}
            )
            assert answer.status_code == 403, origin
        for origin in ("https://testserver", "https://testserver:443"):
            answer = analyst.post(
                url, params={"case": "alpha"}, json=body, headers={"Origin": origin}
            )
            assert answer.status_code == 201, origin


def test_hsts_over_tls_only(app: FastAPI, live_server: str) -> None:
    with signed_in(app, None) as over_tls:
        assert "max-age=" in over_tls.get("/login").headers["strict-transport-security"]
    assert "strict-transport-security" not in httpx.get(f"{live_server}/login").headers


def test_an_admin_sees_and_manages_the_accounts_of_her_cases_only(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    with TeamStore(cases["team"]) as team:
        if team.account("both") is None:
            add_account(team, "both", "analyst", PASSWORD)
        with CaseStore(cases["alpha"]) as alpha, CaseStore(cases["bravo"]) as bravo:
            team.grant("both", alpha.uuid, str(cases["alpha"]))
            team.grant("both", bravo.uuid, str(cases["bravo"]))
    with signed_in(app, "other") as other:  # the admin of bravo
        page = other.get("/admin/users").text
        assert "<td>both</td>" in page and "<td>throwaway</td>" not in page
        assert "alpha" not in page and str(cases["alpha"]) not in page
        assert other.post("/admin/users/throwaway/disable").status_code == 404
        assert other.post("/admin/users/both/disable").status_code == 403
    with signed_in(app, "admin") as admin:  # the admin of alpha
        page = admin.get("/admin/users").text
        assert "<td>throwaway</td>" in page and "<td>other</td>" not in page
        assert "bravo" not in page
        assert admin.post("/admin/users/other/disable").status_code == 404
        assert admin.post("/admin/users/outsider/disable").status_code == 404
        assert admin.post("/admin/users/both/disable").status_code == 403
    with TeamStore(cases["team"]) as team:
        assert not any(team.account(n).disabled for n in ("both", "other", "outsider"))  # type: ignore[union-attr]


def _views(cases: dict[str, Any], since: int) -> list[dict[str, Any]]:
    with CaseStore(cases["alpha"]) as store:
        return [e for e in store.custody() if e["action"] == "view" and e["id"] > since]


def _last_id(cases: dict[str, Any]) -> int:
    with CaseStore(cases["alpha"]) as store:
        return int(store.custody()[-1]["id"])


def test_search_and_lists_of_calls_are_logged_as_views(app: FastAPI, cases: dict[str, Any]) -> None:
    since = _last_id(cases)
    with signed_in(app, "viewer") as viewer:
        api = viewer.get("/api/search", params={"case": "alpha", "q": "Буча"}).json()
        viewer.get("/cases/alpha/search", params={"q": "Буча"})
        listed = viewer.get("/api/calls", params={"case": "alpha"}).json()
        viewer.get("/cases/alpha/calls")
    views = _views(cases, since)
    assert [(e["actor"], e["detail"]["via"]) for e in views] == [
        ("viewer", "api"),
        ("viewer", "web"),
        ("viewer", "api"),
        ("viewer", "web"),
    ]
    hit_calls = sorted({hit["call_id"] for hit in api["hits"]})
    assert hit_calls and views[0]["detail"]["call_ids"] == hit_calls
    assert views[0]["detail"]["query"] == "Буча"
    assert views[2]["detail"]["call_ids"] == sorted(call["id"] for call in listed)


def _correct_then_verify(client: Any, call_id: int, segment: Any) -> tuple[Any, Any]:
    params = {"case": "alpha"}
    fixed = client.post(
        f"/api/calls/{call_id}/segments/{segment.id}",
        params=params,
        json={"text": segment.text + " (heard again)", "version": segment.version},
    )
    assert fixed.status_code == 200, fixed.text
    version = client.get(f"/api/calls/{call_id}", params=params).json()["verification"]["version"]
    verdict = client.post(
        f"/api/calls/{call_id}/verification",
        params=params,
        json={"status": "verified", "note": "matches the roster", "version": version},
    )
    return fixed, verdict


def test_who_corrected_a_call_does_not_vouch_for_it(app: FastAPI, cases: dict[str, Any]) -> None:
    with CaseStore(cases["alpha"]) as store:
        segment = segments_of(store, 11)[0]
    with signed_in(app, "reviewer") as reviewer:
        _, verdict = _correct_then_verify(reviewer, 11, segment)
        assert verdict.status_code == 400 and "another reviewer" in verdict.json()["error"]
        form = reviewer.post(
            "/cases/alpha/calls/11/verification",
            data={"status": "corroborated", "version": "0", "links": "2", "note": "same voice"},
        )
        assert form.status_code == 400
        disputed = reviewer.post(
            "/api/calls/11/verification",
            params={"case": "alpha"},
            json={"status": "disputed", "note": "the date is off", "version": 0},
        )
        assert disputed.status_code == 200  # doubting one's own call is no conflict
    with signed_in(app, "admin") as admin:  # someone else vouches
        answer = admin.post(
            "/api/calls/11/verification",
            params={"case": "alpha"},
            json={"status": "verified", "note": "matches the roster", "version": 1},
        )
        assert answer.status_code == 200, answer.text


def test_a_one_person_team_may_vouch_and_it_is_recorded(cases: dict[str, Any]) -> None:
    web = create_app(
        WebSettings(
            (cases["alpha"],), cases["team"], allowed_hosts=("testserver",), self_verification=True
        )
    )
    with CaseStore(cases["alpha"]) as store:
        segment = segments_of(store, 12)[0]
    with signed_in(web, "reviewer") as reviewer:
        _, verdict = _correct_then_verify(reviewer, 12, segment)
        assert verdict.status_code == 200, verdict.text
    with CaseStore(cases["alpha"]) as store:
        record = verification_of(store, 12)
    assert record.status == "verified" and record.reviewer == "reviewer"
    assert record.note.startswith("matches the roster") and "also corrected" in record.note
