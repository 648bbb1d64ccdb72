"""The review web app: one FastAPI application over the case folders it serves.

Pages are rendered on the server with Jinja2 (autoescape on, so every
transcript, file name and note is text, never markup) and made lively with
htmx, vendored in ``static/``; the rest of the behaviour is one small script
of ours (``app.js``: the player, the word under the playhead, zoom on the
graph). The waveform, the charts, the call graph and the map are SVG drawn
on the server, so no other JavaScript library and no tile server is needed,
and nothing is fetched from outside: the Content Security Policy allows this
server alone.

Routes call the same library functions as the CLI (``callsift.dossier``,
``callsift.search``, ``callsift.verify.status``…); each is declared in a
module of this package with the capability it needs (``security.case_access``).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from callsift import __version__
from callsift.analyze.confidence import LOW_CONFIDENCE, is_low
from callsift.errors import CallsiftError, CaseError, ConflictError, InputError, ReviewError
from callsift.store import CaseStore
from callsift.web import formats, wording
from callsift.web.errors import Conflict, WebError
from callsift.web.i18n import LANGUAGES, gettext_, ngettext_
from callsift.web.render import page
from callsift.web.security import ServedCase
from callsift.web.throttle import SignInThrottle

__all__ = ["WebSettings", "create_app"]

log = logging.getLogger("callsift.web")

HERE = Path(__file__).resolve().parent

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " media-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none';"
    " base-uri 'none'"
)
_HEADERS = [
    (b"content-security-policy", _CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on
    # form posts, which the CSRF check must refuse; nothing leaks to other sites either way.
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# Served over TLS, browsers are told to come back over TLS only (a year, as is usual).
_HSTS = (b"strict-transport-security", b"max-age=31536000")
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
# What a refused request is told, whatever the framework's own words were.
_STATUS_MESSAGES = {
    400: "the request could not be read",
    404: "not found",
    405: "this address does not take that kind of request",
    413: "the request is too large",
}


@dataclass(frozen=True)
class WebSettings:
    """How ``callsift serve`` runs.

    Attributes:
        cases: the case folders to serve.
        users: the team file (accounts, memberships, sessions).
        watchlists: the YAML watchlists the cases were analysed with, used to
            re-analyse a call after a correction (``None``: the built-in ones).
        session_hours: how long a sign-in lasts at most.
        idle_minutes: a session unused for this long has ended.
        allowed_hosts: the names this server answers to (the ``Host``
            header); any other is refused, so a page of another site that
            has its name resolve to this server (DNS rebinding) gets nothing.
            Loopback names are always allowed.
        self_verification: whether whoever corrected a call's transcript may
            also vouch for it (one-person teams); the verification says so.
    """

    cases: tuple[Path, ...]
    users: Path
    watchlists: Path | None = None
    session_hours: float = 12.0
    idle_minutes: float = 60.0
    allowed_hosts: tuple[str, ...] = ()
    self_verification: bool = False


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, and no caching.

    Intercepted calls are sensitive: pages and audio are marked ``no-store``
    so no shared or browser cache keeps them after the session ends. Over
    TLS, ``Strict-Transport-Security`` keeps browsers from ever coming back
    over plain HTTP.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(
        self, scope: MutableMapping[str, Any], receive: Callable[[], Awaitable[Any]], send: Any
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += _HEADERS
                if scope.get("scheme") == "https":
                    headers.append(_HSTS)
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "case"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def served_cases(paths: Sequence[Path]) -> dict[str, ServedCase]:
    """Each case folder under a unique URL name.

    A folder that is not a case stops the start, and so do two copies of one
    case: memberships name a case by its identity, so both copies would open
    to the same members, and two reviewers could each change one copy.
    """
    cases: dict[str, ServedCase] = {}
    for path in paths:
        with CaseStore(Path(path), create=False) as store:
            uuid = store.uuid
        twin = next((case for case in cases.values() if case.uuid == uuid), None)
        if twin is not None:
            raise CaseError(
                f"{path} and {twin.path} are copies of one case (identity {uuid[:8]}…);"
                " serve one of them"
            )
        slug = _slug(Path(path).resolve().name, set(cases))
        cases[slug] = ServedCase(slug, Path(path).resolve(), uuid, Path(path).resolve().name)
    return cases


def _clock(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return ""
    minutes, rest = divmod(float(seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Each request renders in its reader's language (callsift.web.i18n, set by page()).
    env.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]
    env.globals["languages"] = LANGUAGES
    env.globals["reliability_reason"] = wording.reliability_reason  # a call's doubts, phrased
    env.globals["finding_view"] = wording.finding_view  # a finding from the shown call's side
    env.filters["clock"] = _clock
    env.filters["plural"] = _plural
    env.filters["when"] = formats.when  # an ISO timestamp, for people
    env.filters["day"] = formats.day
    env.filters["duration"] = formats.duration
    env.filters.update(formats.FILTERS)  # human labels for codes (formats.py)
    env.globals["version"] = __version__  # shown to signed-in users only (base.html)
    env.tests["unsure"] = is_low  # a finding resting on a low-confidence word
    env.globals["low_confidence"] = LOW_CONFIDENCE
    return Jinja2Templates(env=env)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def _error_response(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    if status == 401 and request.method == "GET" and "hx-request" not in request.headers:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    name = "_error.html" if "hx-request" in request.headers else "error.html"
    return page(request, name, {"status": status, "message": message}, status_code=status)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def web_error(request: Request, error: WebError) -> Response:
        return _error_response(request, error.status, error.message)

    @app.exception_handler(ConflictError)
    async def conflict(request: Request, error: ConflictError) -> Response:
        return _error_response(request, Conflict.status, str(error))

    @app.exception_handler(ReviewError)
    @app.exception_handler(InputError)
    async def refused(request: Request, error: CallsiftError) -> Response:
        return _error_response(request, 400, str(error))

    @app.exception_handler(HTTPException)
    async def refused_by_framework(request: Request, error: HTTPException) -> Response:
        message = _STATUS_MESSAGES.get(error.status_code, "the request was refused")
        response = _error_response(request, error.status_code, message)
        response.headers.update(error.headers or {})  # 405's Allow
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        """Which fields are wrong and why, never what was sent (it may be a password)."""
        problems = [
            {"field": ".".join(str(part) for part in problem["loc"]), "problem": problem["msg"]}
            for problem in error.errors()
        ]
        message = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        if _wants_json(request):
            return JSONResponse({"error": message, "fields": problems}, status_code=422)
        return _error_response(request, 422, message)

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_response(request, 500, "something went wrong; the server log has the details")


def create_app(settings: WebSettings) -> FastAPI:
    """The app for ``settings``; a folder that is not a case raises ``CaseError``."""
    from callsift.web import admin, api, browse, calls, exports, maps, pages, rerun, saved, signin

    app = FastAPI(
        title="callsift",
        version="1",  # of the API; the program's version is not told to anonymous visitors
        description="Review recorded calls: search, listen, annotate, verify, export.",
        docs_url=None,  # the Swagger page loads its assets from a CDN; /openapi.json is served
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.cases = served_cases(settings.cases)
    app.state.templates = _templates()
    app.state.sign_ins = SignInThrottle()
    app.add_middleware(
        TrustedHostMiddleware,
        allowed_hosts=list(dict.fromkeys([*LOOPBACK, *settings.allowed_hosts])),
        www_redirect=False,
    )
    app.add_middleware(SecurityHeaders)
    _install_handlers(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # browse before calls: /calls/bulk/… is not a call's /calls/{call_id}/….
    for module in (signin, admin, pages, browse, saved, calls, rerun, exports, maps, api):
        app.include_router(module.router)
    return app
