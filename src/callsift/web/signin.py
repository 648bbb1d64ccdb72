"""Signing in and out (page and API), and the administrators' account list.

The sign-in form is protected against forged sign-ins by a double-submit
token (a cookie set with the form, echoed in a hidden field); ``POST
/api/login`` takes JSON only, which a page on another site cannot send
without the browser asking this server first. Repeated failures for one
name are slowed down: after ``MAX_FAILURES`` in ``FAILURE_WINDOW`` the name
is refused for the rest of the window, whatever the password.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections import defaultdict, deque
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from callsift.store.team import Session, TeamStore
from callsift.web.accounts import check_password
from callsift.web.errors import BadRequest, Forbidden, NotFound, NotSignedIn, WebError
from callsift.web.render import page
from callsift.web.security import SESSION_COOKIE, Admin, SignedIn, Team, new_token

__all__ = ["router"]

router = APIRouter()
log = logging.getLogger("callsift.web")

LOGIN_COOKIE = "callsift_login"
MAX_FAILURES = 5
FAILURE_WINDOW = 600.0
_failures: defaultdict[str, deque[float]] = defaultdict(deque)


class TooManyAttempts(WebError):
    status = 429


class LoginRequest(BaseModel):
    username: str
    password: str


class LoginAnswer(BaseModel):
    user: str
    role: str
    csrf_token: str
    expires_at: str


def _throttle(name: str) -> None:
    now = time.monotonic()
    recent = _failures[name]
    while recent and now - recent[0] > FAILURE_WINDOW:
        recent.popleft()
    if len(recent) >= MAX_FAILURES:
        raise TooManyAttempts("too many failed sign-ins for this name; wait ten minutes")


def _sign_in(request: Request, team: TeamStore, name: str, password: str) -> tuple[str, Session]:
    _throttle(name)
    account = check_password(team, name, password)
    if account is None:
        _failures[name].append(time.monotonic())
        log.warning("failed sign-in for %r from %s", name, request.client)
        raise NotSignedIn("wrong user name or password, or the account is disabled")
    _failures.pop(name, None)
    token, csrf = new_token(), new_token()
    hours = request.app.state.settings.session_hours
    team.start_session(account.name, token, csrf, timedelta(hours=hours))
    session = team.session(token)
    assert session is not None
    log.info("%s signed in from %s", account.name, request.client)
    return token, session


def _set_session(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(request.app.state.settings.session_hours * 3600),
        httponly=True,
        secure=True,
        samesite="strict",
        path="/",
    )


def _local(target: str) -> str:
    """Only a path on this server, so the form cannot send anyone elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    token = new_token()
    response = page(request, "login.html", {"form_token": token, "next": _local(next), "error": ""})
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=1800, httponly=True, secure=True, samesite="strict"
    )
    return response


@router.post("/login")
def login(
    request: Request,
    team: Team,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        raise Forbidden("the sign-in form is out of date: reload the page and try again")
    try:
        token, _ = _sign_in(request, team, username.strip(), password)
    except NotSignedIn as error:
        context = {"form_token": expected, "next": _local(next), "error": error.message}
        return page(request, "login.html", context, status_code=401)
    response = RedirectResponse(_local(next), status_code=303)
    _set_session(response, request, token)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/api/login", response_model=LoginAnswer)
def api_login(request: Request, body: Annotated[LoginRequest, Body()], team: Team) -> Response:
    """Start a session for an API client: keep the cookie, send ``csrf_token`` as
    ``X-CSRF-Token`` with every POST."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise BadRequest("send JSON")
    token, session = _sign_in(request, team, body.username.strip(), body.password)
    answer = LoginAnswer(
        user=session.account.name,
        role=session.account.role,
        csrf_token=session.csrf,
        expires_at=session.expires_at,
    )
    response = JSONResponse(answer.model_dump())
    _set_session(response, request, token)
    return response


@router.post("/logout")
def logout(who: SignedIn, team: Team) -> Response:
    team.end_session(who.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/api/logout")
def api_logout(who: SignedIn, team: Team) -> Any:
    team.end_session(who.token)
    response = JSONResponse({"signed_out": who.name})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    who: Admin,
    team: Team,
) -> Response:
    cases = {case.uuid: case for case in request.app.state.cases.values()}
    return page(request, "users.html", {"accounts": team.accounts(), "cases": cases}, viewer=who)


@router.post("/admin/users/{name}/disable")
def disable_user(
    name: str,
    who: Admin,
    team: Team,
) -> Response:
    """Disable an account: its sessions end at once."""
    if name == who.name:
        raise BadRequest("you cannot disable your own account")
    if not team.update_account(name, disabled=True):
        raise NotFound()
    log.info("%s disabled the account %s", who.name, name)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/enable")
def enable_user(
    name: str,
    who: Admin,
    team: Team,
) -> Response:
    if not team.update_account(name, disabled=False):
        raise NotFound()
    log.info("%s enabled the account %s", who.name, name)
    return RedirectResponse("/admin/users", status_code=303)
