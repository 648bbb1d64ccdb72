"""Sessions, CSRF and per-case access: the checks every route goes through.

* **Who.** A session is a random token in an ``HttpOnly; Secure;
  SameSite=Strict`` cookie; the team file keeps only its SHA-256
  (:mod:`callsift.store.team`). Browsers treat ``http://127.0.0.1`` and
  ``http://localhost`` as secure, so the default loopback server works; a
  team server on the network must be served over HTTPS (``--certfile``).
* **Forged requests.** Every request that changes something must carry the
  session's CSRF token, in the ``X-CSRF-Token`` header (htmx and API clients)
  or a ``csrf_token`` form field, and an ``Origin`` header, when the browser
  sends one, must be this server's: the same scheme, host and port as the
  request itself, whose ``Host`` the app has already checked against the
  allowed hosts (``WebSettings.allowed_hosts``). ``SameSite=Strict`` is a
  second wall.
* **Which case.** A route names its case (``/cases/{case}/…`` or ``?case=``);
  the account must be a member of it, and its role must carry the route's
  capability (:mod:`callsift.web.roles`). A case the account is not a member
  of is answered exactly like one that does not exist.

The store a route gets is opened for that request alone, with the user as the
custody log's actor, so every view, play and change is logged under the
name of who did it.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request

from callsift.store import CaseStore
from callsift.store.team import Account, TeamStore
from callsift.web.errors import BadRequest, Forbidden, NotFound, NotSignedIn
from callsift.web.roles import Capability, can

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Admin",
    "Annotating",
    "CaseContext",
    "Correcting",
    "Exporting",
    "Reading",
    "ServedCase",
    "SignedIn",
    "Team",
    "Verifying",
    "Viewer",
    "case_access",
    "new_token",
    "require",
]

SESSION_COOKIE = "callsift_session"
CSRF_HEADER = "x-csrf-token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ServedCase:
    """A case folder this server shows.

    Attributes:
        slug: its name in URLs (the folder's name, made unique).
        path: the folder.
        uuid: the case's identity, which memberships name.
        title: what pages call it.
    """

    slug: str
    path: Path
    uuid: str
    title: str


@dataclass(frozen=True)
class Viewer:
    """The signed-in account of a request, with its session's CSRF token."""

    account: Account
    csrf: str
    token: str

    @property
    def name(self) -> str:
        return self.account.name

    def can(self, capability: Capability) -> bool:
        return can(self.account.role, capability)


@dataclass
class CaseContext:
    """What a case route works with: the case, its store opened for the user, who."""

    case: ServedCase
    store: CaseStore
    viewer: Viewer


def new_token() -> str:
    return secrets.token_urlsafe(32)


def team_store(request: Request) -> Iterator[TeamStore]:
    """The team file, opened for this request."""
    team = TeamStore(request.app.state.settings.users)
    try:
        yield team
    finally:
        team.close()


_PORTS = {"http": 80, "https": 443}


def _same_origin(request: Request) -> bool:
    """Whether the ``Origin`` sent is this server's scheme, host and port (or none was sent)."""
    origin = request.headers.get("origin")
    if origin is None:  # API clients send none; the CSRF token still decides
        return True
    try:
        sent = urlsplit(origin)
        sent_port = sent.port or _PORTS.get(sent.scheme)
    except ValueError:
        return False
    own = request.url
    return (sent.scheme, sent.hostname, sent_port) == (
        own.scheme,
        own.hostname,
        own.port or _PORTS.get(own.scheme),
    )


async def check_csrf(request: Request, expected: str) -> None:
    """Refuse a state-changing request without this session's token or from another origin."""
    if request.method in _SAFE:
        return
    if not _same_origin(request):
        raise Forbidden("this request came from another site")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get("csrf_token")
        sent = field if isinstance(field, str) else None
    if not sent or not hmac.compare_digest(sent, expected):
        raise Forbidden("the form is out of date or incomplete: reload the page and try again")


Team = Annotated[TeamStore, Depends(team_store)]


async def viewer(request: Request, team: Team) -> Viewer:
    """The signed-in account, after the CSRF check; :class:`NotSignedIn` otherwise."""
    token = request.cookies.get(SESSION_COOKIE)
    idle = timedelta(minutes=request.app.state.settings.idle_minutes)
    session = team.session(token, idle) if token else None
    if session is None:
        raise NotSignedIn()
    await check_csrf(request, session.csrf)
    return Viewer(session.account, session.csrf, token or "")


SignedIn = Annotated[Viewer, Depends(viewer)]


def _served(request: Request, slug: str | None, who: Viewer) -> ServedCase:
    cases: dict[str, ServedCase] = request.app.state.cases
    if slug is None:
        mine = [case for case in cases.values() if case.uuid in who.account.cases]
        if len(mine) != 1:
            raise BadRequest("name the case: ?case=NAME (see GET /api/cases)")
        return mine[0]
    case = cases.get(slug)
    if case is None or case.uuid not in who.account.cases:
        raise NotFound()
    return case


def case_access(capability: Capability) -> Callable[..., Any]:
    """A dependency giving the route its :class:`CaseContext`, if the user may.

    The case comes from the path (``/cases/{case}/…``) or, in the JSON API,
    the ``case`` query parameter, which may be left out by a member of one
    case only.
    """

    def dependency(
        request: Request, who: SignedIn, case: str | None = None
    ) -> Iterator[CaseContext]:
        served = _served(request, case, who)
        if not who.can(capability):
            raise Forbidden()
        store = CaseStore(served.path, create=False, actor=who.name)
        try:
            yield CaseContext(served, store, who)
        finally:
            store.close()

    return dependency


def require(capability: Capability) -> Callable[..., Any]:
    """A dependency for routes outside any case (account administration)."""

    def dependency(who: SignedIn) -> Viewer:
        if not who.can(capability):
            raise Forbidden()
        return who

    return dependency


Admin = Annotated[Viewer, Depends(require(Capability.ADMIN))]
Reading = Annotated[CaseContext, Depends(case_access(Capability.READ))]
Annotating = Annotated[CaseContext, Depends(case_access(Capability.ANNOTATE))]
Correcting = Annotated[CaseContext, Depends(case_access(Capability.CORRECT))]
Verifying = Annotated[CaseContext, Depends(case_access(Capability.VERIFY))]
Exporting = Annotated[CaseContext, Depends(case_access(Capability.EXPORT))]
