"""Signing in and out (page and API); accounts are administered in :mod:`callsift.web.admin`.

The sign-in form is protected against forged sign-ins by a double-submit
token (a cookie set with the form, echoed in a hidden field); ``POST
/api/login`` takes JSON only, which a page on another site cannot send
without the browser asking this server first. Failed sign-ins are limited
per name and address and per address (:mod:`callsift.web.throttle`), and
only a few passwords are checked at once. "Sign out everywhere" ends every
session of the account.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from callsift.store.team import Session, TeamStore
from callsift.web.accounts import check_password
from callsift.web.errors import BadRequest, Forbidden, NotSignedIn
from callsift.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from callsift.web.render import page
from callsift.web.security import SESSION_COOKIE, SignedIn, Team, new_token
from callsift.web.throttle import SignInThrottle

__all__ = ["router"]

router = APIRouter()
log = logging.getLogger("callsift.web")

LOGIN_COOKIE = "callsift_login"
NAME_CHARS = 64  # as callsift.web.accounts allows
PASSWORD_CHARS = 1024


class LoginRequest(BaseModel):
    username: str = Field(max_length=NAME_CHARS)
    password: str = Field(max_length=PASSWORD_CHARS)


class LoginAnswer(BaseModel):
    user: str
    role: str
    csrf_token: str
    expires_at: str


def _sign_in(request: Request, team: TeamStore, name: str, password: str) -> tuple[str, Session]:
    throttle: SignInThrottle = request.app.state.sign_ins
    address = request.client.host if request.client else "unknown"
    with throttle.attempt(name, address) as attempt:
        account = check_password(team, name, password)
        attempt.right = account is not None
    if account is None:
        log.warning("failed sign-in for %r from %s", name, address)
        raise NotSignedIn("wrong user name or password, or the account is disabled")
    token, csrf = new_token(), new_token()
    hours = request.app.state.settings.session_hours
    team.start_session(account.name, token, csrf, timedelta(hours=hours))
    session = team.session(token)
    assert session is not None
    log.info("%s signed in from %s", account.name, address)
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
    """Only a path on this server, so the form cannot send anyone elsewhere.

    Browsers read ``/\\host`` as ``//host``, so a backslash is refused too.
    """
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local else "/"


@router.post("/language")
def choose_language(
    language: Annotated[str, Form(max_length=8)],
    next: Annotated[str, Form(max_length=2_000)] = "/",
) -> Response:
    """Remember the reader's interface language (a cookie), then go back to the page.

    Open to anyone, the sign-in page included: a forged request could only
    change the language of the interface.
    """
    if language not in LANGUAGES:
        raise BadRequest(f"the interface speaks {', '.join(LANGUAGES)}")
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=365 * 86400, secure=True, samesite="lax", path="/"
    )
    return response


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
    username: Annotated[str, Form(max_length=NAME_CHARS)],
    password: Annotated[str, Form(max_length=PASSWORD_CHARS)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2_000)] = "/",
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


def _signed_out(response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(who: SignedIn, team: Team) -> Response:
    team.end_session(who.token)
    return _signed_out(RedirectResponse("/login", status_code=303))


@router.post("/api/logout")
def api_logout(who: SignedIn, team: Team) -> Any:
    team.end_session(who.token)
    return _signed_out(JSONResponse({"signed_out": who.name}))


@router.post("/logout/everywhere")
def logout_everywhere(who: SignedIn, team: Team) -> Response:
    """End every session of the account: a lost laptop, a shared browser."""
    ended = team.end_sessions(who.name)
    log.info("%s signed out everywhere (%d sessions)", who.name, ended)
    return _signed_out(RedirectResponse("/login", status_code=303))


@router.post("/api/logout/everywhere")
def api_logout_everywhere(who: SignedIn, team: Team) -> Any:
    ended = team.end_sessions(who.name)
    log.info("%s signed out everywhere (%d sessions)", who.name, ended)
    return _signed_out(JSONResponse({"signed_out": who.name, "sessions": ended}))
