"""Errors a route raises on purpose, each carrying its HTTP status (as Datasette's ``Base400``).

    WebError
    ├── BadRequest     400  the request cannot be done as sent (the message says why)
    ├── NotSignedIn    401  no valid session
    ├── Forbidden      403  signed in, but the role lacks the capability, or a CSRF check failed
    ├── NotFound       404  no such page, case or call, or a case the user is not a member of
    ├── Conflict       409  the record changed since the version the client saw
    └── NotYet         503  what the page shows is being computed; the message says when

The messages are written for the user and say nothing about objects the user
may not see: a case the user is not a member of is "not found", exactly as a
case that does not exist. One handler in :mod:`callsift.web.app` turns them
into JSON for the API and a page (or an htmx fragment) for the browser.
"""

from __future__ import annotations

__all__ = [
    "BadRequest",
    "Conflict",
    "Forbidden",
    "NotFound",
    "NotSignedIn",
    "NotYet",
    "WebError",
]


class WebError(Exception):
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(WebError):
    status = 400


class NotSignedIn(WebError):
    status = 401

    def __init__(self, message: str = "sign in first") -> None:
        super().__init__(message)


class Forbidden(WebError):
    status = 403

    def __init__(self, message: str = "your role does not allow this") -> None:
        super().__init__(message)


class NotFound(WebError):
    status = 404

    def __init__(self, message: str = "not found") -> None:
        super().__init__(message)


class Conflict(WebError):
    status = 409


class NotYet(WebError):
    status = 503
