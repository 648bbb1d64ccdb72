"""Signing in and out, sessions, CSRF, and the ``callsift users`` commands."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from callsift.cli import app as cli
from callsift.errors import CaseError
from callsift.store.team import TeamStore
from callsift.web.app import WebSettings, create_app

from .conftest import PASSWORD, signed_in


def _form_sign_in(client: Any, name: str, password: str) -> Any:
    form = client.get("/login", params={"next": "/cases/alpha/calls"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    return client.post(
        "/login",
        data={
            "username": name,
            "password": password,
            "csrf_token": token,
            "next": "/cases/alpha/calls",
        },
    )


def test_the_form_signs_in_with_a_secure_cookie_and_returns_to_the_page(app: FastAPI) -> None:
    with signed_in(app, None) as browser:
        answer = _form_sign_in(browser, "viewer", PASSWORD)
        assert answer.status_code == 303 and answer.headers["location"] == "/cases/alpha/calls"
        cookie = answer.headers["set-cookie"]
        for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
            assert flag.lower() in cookie.lower(), flag
        assert browser.get("/cases/alpha/calls").status_code == 200


def test_a_wrong_password_or_a_forged_form_signs_nobody_in(app: FastAPI) -> None:
    with signed_in(app, None) as browser:
        wrong = _form_sign_in(browser, "viewer", "not the password")
        assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
        assert "callsift_session" not in wrong.headers.get("set-cookie", "")
        forged = browser.post(
            "/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": "guess"}
        )
        assert forged.status_code == 403
        unknown = browser.post("/api/login", json={"username": "nobody", "password": PASSWORD})
        assert unknown.status_code == 401
        assert unknown.json() == {
            "error": "wrong user name or password, or the account is disabled"
        }


def test_next_only_leads_to_this_server(app: FastAPI) -> None:
    with signed_in(app, None) as browser:
        form = browser.get("/login", params={"next": "//evil.example/x"})
        assert 'name="next" value="/"' in form.text


def test_state_changes_need_the_csrf_token_and_this_origin(app: FastAPI) -> None:
    with signed_in(app, "reviewer") as client:
        token = client.headers.pop("X-CSRF-Token")
        url, body = "/api/calls/2/annotations", {"text": "forged?"}
        no_token = client.post(url, params={"case": "alpha"}, json=body)
        assert no_token.status_code == 403
        other_site = client.post(
            url,
            params={"case": "alpha"},
            json=body,
            headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
        )
        assert other_site.status_code == 403
        ours = client.post(
            url,
            params={"case": "alpha"},
            json=body,
            headers={"X-CSRF-Token": token, "Origin": "https://testserver"},
        )
        assert ours.status_code == 201 and ours.json()["author"] == "reviewer"


def test_signing_out_ends_the_session(app: FastAPI) -> None:
    with signed_in(app, "viewer") as client:
        assert client.get("/api/cases").status_code == 200
        cookie = client.cookies.get("callsift_session")
        assert client.post("/api/logout").status_code == 200
        client.cookies.set("callsift_session", cookie or "")
        assert client.get("/api/cases").status_code == 401


def test_disabling_an_account_ends_its_sessions_at_once(
    app: FastAPI, cases: dict[str, Any]
) -> None:
    with signed_in(app, "throwaway") as victim, signed_in(app, "admin") as admin:
        assert victim.get("/api/cases").status_code == 200
        assert admin.post("/admin/users/throwaway/disable").status_code == 303
        assert victim.get("/api/cases").status_code == 401
        again = victim.post("/api/login", json={"username": "throwaway", "password": PASSWORD})
        assert again.status_code == 401
        assert admin.post("/admin/users/throwaway/enable").status_code == 303
        back = victim.post("/api/login", json={"username": "throwaway", "password": PASSWORD})
        assert back.status_code == 200


def test_repeated_failures_lock_the_name_for_a_while(app: FastAPI) -> None:
    with signed_in(app, None) as client:
        for _ in range(5):
            answer = client.post("/api/login", json={"username": "analyst", "password": "no"})
            assert answer.status_code == 401
        locked = client.post("/api/login", json={"username": "analyst", "password": PASSWORD})
        assert locked.status_code == 429
    app.state.sign_ins.clear()  # the other tests sign in as analyst too


def test_users_commands_create_grant_and_disable(cases: dict[str, Any], tmp_path: Path) -> None:
    team = tmp_path / "team.db"
    runner = CliRunner()
    created = runner.invoke(
        cli,
        ["users", "add", "dana", "--role", "analyst", "--case", str(cases["bravo"]),
         "--password-stdin", "--users", str(team)],
        input="dana's long password\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    short = runner.invoke(
        cli,
        ["users", "add", "eve", "--role", "viewer", "--password-stdin", "--users", str(team)],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    bad_role = runner.invoke(
        cli,
        ["users", "add", "eve", "--role", "boss", "--password-stdin", "--users", str(team)],
        input="a long enough password\n",
    )
    assert bad_role.exit_code == 1 and "unknown role" in bad_role.output
    listed = runner.invoke(cli, ["users", "list", "--json", "--users", str(team)])
    assert '"role": "analyst"' in listed.output and str(cases["bravo"].resolve()) in listed.output
    web = create_app(
        WebSettings((cases["alpha"], cases["bravo"]), team, allowed_hosts=("testserver",))
    )
    with signed_in(web, None) as client:
        answer = client.post(
            "/api/login", json={"username": "dana", "password": "dana's long password"}
        )
        assert answer.status_code == 200 and answer.json()["role"] == "analyst"
        assert [c["name"] for c in client.get("/api/cases").json()] == ["bravo"]
    assert runner.invoke(cli, ["users", "disable", "dana", "--users", str(team)]).exit_code == 0
    with TeamStore(team) as accounts:
        account = accounts.account("dana")
        assert account is not None and account.disabled
        assert accounts.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
        stored = accounts.password_hash("dana") or ""
        assert stored.startswith("$argon2id$") and "dana's long password" not in stored


def test_two_copies_of_one_case_are_not_served_together(
    cases: dict[str, Any], tmp_path: Path
) -> None:
    copy = tmp_path / "alpha-copy"
    shutil.copytree(cases["alpha"], copy)
    with pytest.raises(CaseError, match="copies of one case"):
        create_app(WebSettings((cases["alpha"], copy), cases["team"]))
