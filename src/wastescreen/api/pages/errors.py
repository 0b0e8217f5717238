"""Errors on the pages are pages: a missing page (404), a wrong method (405), an upload too
large (413), a refused value (422) and the rest answer with the error page in the page's
language, signed-in navigation kept, instead of the API's JSON.

``page_error`` is the hook that ``api.errors.answer`` calls for every path under ``/ui`` and
``/public`` (installed by the app factory).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from wastescreen.api.pages.auth import current_principal
from wastescreen.api.pages.layout import PageError, error_page, lang_of
from wastescreen.core.labels.messages import Msg
from wastescreen.storage.api_keys import Principal


def _principal(request: Request) -> Principal | None:
    """Who is signed in, if the route did not get to ask (a 404 or a 413 comes first)."""
    known: Principal | None = getattr(request.state, "page_principal", None)
    if known is not None:
        return known
    try:
        with request.app.state.db.sessions() as session:
            return current_principal(request, session)
    except PageError:  # over the rate limit: the error page is shown signed out
        return None


def page_error(request: Request, status: int, message: Msg) -> HTMLResponse:
    """The error page for ``status``: the page's own words for it, then what was refused."""
    principal = _principal(request) if status not in (429, 500) else None
    detail = message.text(lang_of(request))
    return error_page(request, status, f"err_{status}", detail=detail, principal=principal)
