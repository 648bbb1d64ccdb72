"""Account administration in the web app: what ``callsift users`` does, for an admin.

An administrator manages the accounts of the cases she is a member of: the
account list shows those accounts and those cases only, and she creates
accounts, sets their roles, and grants and revokes memberships of her own
cases. An account that also works on cases she is not a member of is left to
the server's operator (``callsift users``), since changing it would reach
into cases she cannot open. She cannot change her own role or membership, so
no one locks a team out of its own case by a slip.

The rules are the CLI's (:func:`callsift.web.accounts.add_account`): the same
names, roles and password length. A form that fails keeps what was typed,
except the password, and says which field is wrong. A password left empty is
generated, and shown once, on the answer to the form. Accounts live in the
team file, not in a case, so changes go to the server's log (as the CLI
reports them on its terminal), not to a case's custody log.
"""

from __future__ import annotations

import logging
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from callsift.store.team import Account, TeamStore
from callsift.web.accounts import MIN_PASSWORD, AccountError, add_account, valid_name
from callsift.web.errors import BadRequest, Forbidden, NotFound
from callsift.web.i18n import gettext_, in_language, language_of
from callsift.web.render import page
from callsift.web.roles import ROLES
from callsift.web.security import Admin, ServedCase, Team, Viewer

__all__ = ["router"]

router = APIRouter()
log = logging.getLogger("callsift.web")

NAME_CHARS = 64
PASSWORD_CHARS = 1024


def _shares_a_case(account: Account, who: Viewer) -> bool:
    return bool(account.cases & who.account.cases)


def _manageable(account: Account, who: Viewer) -> bool:
    """Whether every case of ``account`` is one of the administrator's."""
    return _shares_a_case(account, who) and account.cases <= who.account.cases


def _my_cases(request: Request, who: Viewer) -> dict[str, ServedCase]:
    """The served cases the administrator is a member of, by slug."""
    served: dict[str, ServedCase] = request.app.state.cases
    return {slug: case for slug, case in served.items() if case.uuid in who.account.cases}


def _my_case(request: Request, who: Viewer, slug: str) -> ServedCase:
    """One of the administrator's cases; any other is answered as if it did not exist."""
    case = _my_cases(request, who).get(slug)
    if case is None:
        raise NotFound()
    return case


def _managed_account(team: TeamStore, name: str, who: Viewer) -> Account:
    """404 for an account of none of the administrator's cases, 403 for one also elsewhere."""
    account = team.account(name)
    if account is None or not _shares_a_case(account, who):
        raise NotFound()
    if not _manageable(account, who):
        raise Forbidden(
            "this account also works on cases you do not manage: the server's operator"
            " manages it (callsift users)"
        )
    return account


def _not_yourself(name: str, who: Viewer, what: str) -> None:
    if name == who.name:
        raise BadRequest(f"you cannot {what} your own account: ask another administrator")


def _users_page(
    request: Request,
    who: Admin,
    team: TeamStore,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    created: str = "",
    password: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    mine = _my_cases(request, who)
    accounts = [account for account in team.accounts() if _shares_a_case(account, who)]
    context = {
        "accounts": accounts,
        "cases": {case.uuid: case for case in mine.values()},
        "manageable": {a.name for a in accounts if _manageable(a, who)},
        "roles": ROLES,
        "min_password": MIN_PASSWORD,
        "form": form or {"name": "", "role": "viewer", "cases": list(mine)[:1]},
        "errors": errors or {},
        "created": created,
        "password": password,
    }
    return page(request, "users.html", context, viewer=who, status_code=status_code)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, who: Admin, team: Team) -> Response:
    """The accounts of the administrator's cases (with those cases alone), and a form."""
    return _users_page(request, who, team)


def _field_errors(
    team: TeamStore, name: str, role: str, password: str, cases: list[str], mine: set[str]
) -> dict[str, str]:
    """What is wrong with the new account's form, by field, in the reader's words."""
    errors = {}
    if not valid_name(name):
        errors["name"] = gettext_(
            "Use 1 to 64 letters, digits and . _ @ -, starting with a letter or digit."
        )
    elif team.account(name) is not None:
        errors["name"] = gettext_("This name is taken: choose another.")
    if role not in ROLES:
        errors["role"] = gettext_("Choose one of the roles.")
    if password and len(password) < MIN_PASSWORD:
        errors["password"] = gettext_(
            "A password needs at least %(n)d characters (or leave it empty to generate one)."
        ) % {"n": MIN_PASSWORD}
    if not cases:
        errors["cases"] = gettext_("Choose at least one case: an account without one is lost.")
    elif not set(cases) <= mine:
        raise NotFound()  # a case the form never offered: not hers, or not served
    return errors


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    who: Admin,
    team: Team,
    name: Annotated[str, Form(max_length=NAME_CHARS)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=PASSWORD_CHARS)] = "",
    case: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Create an account, member of some of the administrator's cases; 400 with field errors."""
    name, chosen = name.strip(), list(dict.fromkeys(case or []))
    mine = _my_cases(request, who)
    with in_language(language_of(request)):
        errors = _field_errors(team, name, role, password, chosen, set(mine))
        generated = not password
        password = password or secrets.token_urlsafe(12)
        if not errors:
            try:
                add_account(team, name, role, password)
            except AccountError:  # taken meanwhile by another administrator
                errors["name"] = gettext_("This name is taken: choose another.")
    if errors:
        form = {"name": name, "role": role, "cases": chosen}
        return _users_page(request, who, team, form=form, errors=errors, status_code=400)
    log.info("%s created the account %s (%s)", who.name, name, role)
    for slug in chosen:
        team.grant(name, mine[slug].uuid, str(mine[slug].path))
        log.info("%s made %s a member of %s", who.name, name, mine[slug].path)
    shown = password if generated else ""
    return _users_page(request, who, team, created=name, password=shown, status_code=201)


@router.post("/admin/users/{name}/role")
def set_role(
    name: str, who: Admin, team: Team, role: Annotated[str, Form(max_length=20)]
) -> Response:
    """Give an account another role; it takes effect on the account's next request."""
    _not_yourself(name, who, "change the role of")
    _managed_account(team, name, who)
    if role not in ROLES:
        raise BadRequest(f"unknown role; use one of {', '.join(ROLES)}")
    team.update_account(name, role=role)
    log.info("%s made %s %s", who.name, name, role)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/grant")
def grant_case(
    request: Request,
    name: str,
    who: Admin,
    team: Team,
    case: Annotated[str, Form(max_length=200)],
) -> Response:
    """Make an account a member of one of the administrator's cases."""
    _managed_account(team, name, who)
    served = _my_case(request, who, case)
    team.grant(name, served.uuid, str(served.path))
    log.info("%s made %s a member of %s", who.name, name, served.path)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/revoke")
def revoke_case(
    request: Request,
    name: str,
    who: Admin,
    team: Team,
    case: Annotated[str, Form(max_length=200)],
) -> Response:
    """End a membership: the account's next request to the case is refused.

    Revoking the last of her cases takes the account out of the administrator's
    list; the server's operator still sees it (``callsift users list``).
    """
    _not_yourself(name, who, "revoke a case of")
    _managed_account(team, name, who)
    served = _my_case(request, who, case)
    team.revoke(name, served.uuid)
    log.info("%s removed %s from %s", who.name, name, served.path)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/disable")
def disable_user(name: str, who: Admin, team: Team) -> Response:
    """Disable an account: its sessions end at once."""
    _not_yourself(name, who, "disable")
    _managed_account(team, name, who)
    team.update_account(name, disabled=True)
    log.info("%s disabled the account %s", who.name, name)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/enable")
def enable_user(name: str, who: Admin, team: Team) -> Response:
    _managed_account(team, name, who)
    team.update_account(name, disabled=False)
    log.info("%s enabled the account %s", who.name, name)
    return RedirectResponse("/admin/users", status_code=303)
