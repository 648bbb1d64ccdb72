"""Accounts in the web app: an administrator creates them, sets roles, grants and revokes cases.

Accounts made here are named ``plain-…``, so no other test's accounts change.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from callsift.store.team import TeamStore

from .conftest import PASSWORD, signed_in

NEW_PASSWORD = "another long password"


def _create(admin: Any, **form: Any) -> Any:
    fields = {"name": "", "role": "viewer", "password": NEW_PASSWORD, "case": ["alpha"]}
    return admin.post("/admin/users", data={**fields, **form})


def test_a_refused_form_keeps_what_was_typed_and_names_the_wrong_fields(app: FastAPI) -> None:
    with signed_in(app, "admin") as admin:
        answer = _create(admin, name="plain bad name", role="analyst", password="short", case=[])
    assert answer.status_code == 400
    page = answer.text
    errors = re.findall(r'<p class="field-error"[^>]*>([^<]+)</p>', page)
    assert len(errors) == 3, errors  # the name, the password, the cases
    assert 'value="plain bad name"' in page  # what was typed stays…
    assert 'value="analyst" checked' in page
    assert "short" not in page  # …except the password
    assert 'name="name" value="plain bad name" required maxlength="64" autocomplete="off"' in page
    with TeamStore(app.state.settings.users) as team:
        assert team.account("plain bad name") is None


def test_a_taken_name_is_refused_on_its_field(app: FastAPI) -> None:
    with signed_in(app, "admin") as admin:
        answer = _create(admin, name="viewer")
    assert answer.status_code == 400
    assert "This name is taken" in answer.text and 'id="name-error"' in answer.text


def test_a_generated_password_is_shown_once_and_signs_in(app: FastAPI) -> None:
    with signed_in(app, "admin") as admin:
        answer = _create(admin, name="plain-generated", role="analyst", password="")
        assert answer.status_code == 201
        shown = re.search(
            r'<code class="secret wrap" id="new-password">([^<]+)</code>', answer.text
        )
        assert shown is not None and len(shown.group(1)) >= 16
        assert shown.group(1) not in admin.get("/admin/users").text  # once
    with signed_in(app, None) as newcomer:
        login = {"username": "plain-generated", "password": shown.group(1)}
        assert newcomer.post("/api/login", json=login).status_code == 200
        assert newcomer.get("/cases/alpha/calls/1").status_code == 200


def test_roles_grants_and_revokes_take_effect_at_once(app: FastAPI) -> None:
    with signed_in(app, "admin") as admin:
        assert _create(admin, name="plain-roles", role="viewer").status_code == 201
        with signed_in(app, None) as user:
            signed = user.post(
                "/api/login", json={"username": "plain-roles", "password": NEW_PASSWORD}
            )
            user.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
            assert user.get("/admin/users").status_code == 403
            changed = admin.post("/admin/users/plain-roles/role", data={"role": "admin"})
            assert changed.status_code == 303
            assert user.get("/admin/users").status_code == 200  # on its next request
            revoked = admin.post("/admin/users/plain-roles/revoke", data={"case": "alpha"})
            assert revoked.status_code == 303
            assert user.get("/cases/alpha/").status_code == 404
            assert "alpha" not in user.get("/").text
    with TeamStore(app.state.settings.users) as team:
        account = team.account("plain-roles")
        assert account is not None and (account.role, account.cases) == ("admin", frozenset())


def test_an_admin_manages_her_own_cases_only_and_not_herself(app: FastAPI) -> None:
    with signed_in(app, "admin") as admin:
        assert _create(admin, name="plain-bravo", case=["bravo"]).status_code == 404
        assert _create(admin, name="plain-bravo", case=["alpha", "bravo"]).status_code == 404
        assert admin.post("/admin/users/admin/role", data={"role": "viewer"}).status_code == 400
        assert admin.post("/admin/users/admin/revoke", data={"case": "alpha"}).status_code == 400
        assert admin.post("/admin/users/other/grant", data={"case": "alpha"}).status_code == 404
        assert admin.post("/admin/users/viewer/grant", data={"case": "bravo"}).status_code == 404
        assert admin.post("/admin/users/viewer/role", data={"role": "root"}).status_code == 400
    with signed_in(app, "other") as other:  # the admin of bravo
        assert other.post("/admin/users/viewer/role", data={"role": "admin"}).status_code == 404
    with TeamStore(app.state.settings.users) as team:
        assert team.account("plain-bravo") is None
        assert team.account("viewer").role == "viewer"  # type: ignore[union-attr]
        assert team.account("admin").role == "admin"  # type: ignore[union-attr]


def test_my_pages_render_in_ukrainian(app: FastAPI, cases: dict[str, Any]) -> None:
    """Accept-Language: uk renders the pages; codes are named in Ukrainian by Babel."""
    uk = {"accept-language": "uk-UA,uk;q=0.9"}
    with signed_in(app, None) as anonymous:
        assert '<html lang="uk">' in anonymous.get("/login", headers=uk).text
    with signed_in(app, "admin") as admin:
        for path in ("/", "/admin/users", "/cases/alpha/calls/10", "/cases/alpha/nowhere"):
            answer = admin.get(path, headers=uk)
            assert '<html lang="uk">' in answer.text, path
        call = admin.get("/cases/alpha/calls/10", headers=uk).text
        assert "Російська" in call and "Росія" in call  # the language and the country
        assert "бер. 2022" in call  # 5 березня 2022: the date in Ukrainian
    assert PASSWORD not in call
