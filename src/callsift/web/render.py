"""Render a page or an htmx fragment with what every template needs."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from callsift.web.i18n import in_language, language_of
from callsift.web.roles import Capability
from callsift.web.security import CaseContext, Viewer

__all__ = ["page"]


def page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    viewer: Viewer | None = None,
    case: CaseContext | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """``name`` rendered in the reader's language with the signed-in user, their CSRF
    token and the case."""
    who = case.viewer if case is not None else viewer
    language = language_of(request)
    values = {
        "language": language,
        "viewer": who,
        "csrf": who.csrf if who else "",
        "case": case.case if case else None,
        "Capability": Capability,
        **context,
    }
    with in_language(language):
        response: HTMLResponse = request.app.state.templates.TemplateResponse(
            request, name, values, status_code=status_code
        )
    return response
