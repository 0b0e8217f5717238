"""Who is signed in on the pages, and the checks every form post passes.

Browsers cannot send a Bearer header, so ``/ui/login`` takes an API key once and opens a
server-side session (``storage.page_sessions``); the HttpOnly, SameSite=Strict cookie holds
the session's random id, never the key (``Secure`` when the request came over HTTPS). Every
page looks the session up (it ends at sign-out, at expiry and when the key is revoked) and
applies the API's role rules. SameSite=Strict is the CSRF defence for the forms, and a POST
whose ``Origin`` (or ``Sec-Fetch-Site``) says it came from another site is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from wastescreen.api.deps import SessionDep
from wastescreen.api.limits import RateLimits
from wastescreen.api.pages.layout import READERS, PageError, lang_of, url
from wastescreen.core.locale_format import Lang
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.page_sessions import session_principal

COOKIE = "ws_session"
_NEXT = re.compile(r"^/(ui|public)(/[^\s\\]*)?(\?[^\s\\]*)?$")


def current_principal(request: Request, session: Session) -> Principal | None:
    """The principal of the page cookie's session, or None (no cookie; an ended, expired or
    unknown session; a revoked key)."""
    session_id = request.cookies.get(COOKIE, "")
    if not session_id or len(session_id) > 200:
        return None
    principal = session_principal(session, session_id)
    if principal is None:
        return None
    limits: RateLimits = request.app.state.rate_limits
    if limits.take(session, principal.key_id) > 0:
        raise PageError(429, "err_429")
    request.state.page_principal = principal
    return principal


def _login_redirect(request: Request) -> PageError:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return PageError(303, "login", location=url("/ui/login", lang_of(request), next=target))


def page_user(*roles: Role) -> Callable[[Request, Session], Principal]:
    """A dependency: the signed-in principal (redirect to sign-in when none; 403 for others)."""
    allowed = frozenset(roles)

    def dependency(request: Request, session: SessionDep) -> Principal:
        principal = current_principal(request, session)
        if principal is None:
            raise _login_redirect(request)
        if principal.role not in allowed:
            raise PageError(403, "err_403")
        return principal

    return dependency


def same_origin(request: Request) -> None:
    """Refuse a form post that says it comes from another site (SameSite=Strict does the rest)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise PageError(403, "err_cross_site")
    origin = request.headers.get("origin")
    if origin is None:
        return
    parts = urlsplit(origin)
    host = request.headers.get("host", "").lower()
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host:
        raise PageError(403, "err_cross_site")


def safe_next(target: str | None, lang: Lang) -> str:
    """Where to go after signing in: a page of ours, never another site."""
    if target and _NEXT.match(target) and not target.startswith("//"):
        return target
    return url("/ui/queue", lang)


Reader = Annotated[Principal, Depends(page_user(*READERS))]
Anyone = Annotated[Principal, Depends(page_user(*Role))]
Reviewer = Annotated[Principal, Depends(page_user(Role.REVIEWER))]
Agency = Annotated[Principal, Depends(page_user(Role.AGENCY))]
BatchUser = Annotated[Principal, Depends(page_user(Role.AGENCY, Role.REVIEWER))]
SameOrigin = Depends(same_origin)
