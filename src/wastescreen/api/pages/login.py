"""Signing in and out of the pages: a key opens a server-side session whose random id is the
cookie (HttpOnly, SameSite=Strict, Secure over HTTPS); signing out ends it. Failed sign-ins
count against the client address's limit of failed key checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from wastescreen.api.deps import SessionDep
from wastescreen.api.limits import RateLimits, client_address
from wastescreen.api.pages.auth import COOKIE, SameOrigin, safe_next
from wastescreen.api.pages.layout import PageRoute, lang_of, render, url
from wastescreen.core.labels.pages import TEXT
from wastescreen.storage.api_keys import Role, authenticate
from wastescreen.storage.page_sessions import close_session, open_session

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/ui", response_class=HTMLResponse)
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(url("/ui/queue", lang_of(request)), status_code=303)


@router.get("/ui/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "") -> HTMLResponse:
    return render(request, "page_login.html", {"next": next[:1000], "error": None},
                  principal=None, lang=lang_of(request), title_key="login_title")


@router.post("/ui/login", response_class=HTMLResponse, dependencies=[SameOrigin])
def login(request: Request, session: SessionDep, key: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=1000)] = "",
          lang: Annotated[str, Form(max_length=5)] = "vi") -> Response:
    language = lang_of(request, lang)
    limits: RateLimits = request.app.state.rate_limits
    address = client_address(request)
    if limits.blocked(session, address) > 0:
        return render(request, "page_login.html",
                      {"next": next, "error": TEXT["err_429"][language]},
                      principal=None, lang=language, title_key="login_title", status=429)
    principal = authenticate(session, key.strip()) if key.strip() else None
    if principal is None:
        limits.failed(session, address)
        return render(request, "page_login.html",
                      {"next": next, "error": TEXT["login_failed"][language]},
                      principal=None, lang=language, title_key="login_title", status=401)
    max_age = int(request.app.state.settings.page_session_hours * 3600)
    # An agency's work starts from its own proposals; everyone else's from the queue.
    target = url("/ui/mine", language) if not next and principal.role is Role.AGENCY \
        else safe_next(next, language)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, open_session(session, principal.key_id, max_age),
                        max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/ui/logout", dependencies=[SameOrigin])
def logout(request: Request, session: SessionDep,
           lang: Annotated[str, Form(max_length=5)] = "vi") -> Response:
    session_id = request.cookies.get(COOKIE, "")
    if session_id and len(session_id) <= 200:
        close_session(session, session_id)  # the id stops working, wherever it was copied
    response = RedirectResponse(url("/ui/login", lang_of(request, lang)), status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response
