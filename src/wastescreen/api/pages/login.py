"""Signing in and out of the pages (the key is kept in an HttpOnly, SameSite=Strict cookie)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from wastescreen.api.deps import SessionDep
from wastescreen.api.pages.auth import COOKIE, COOKIE_MAX_AGE, SameOrigin, safe_next
from wastescreen.api.pages.layout import PageRoute, lang_of, render, url
from wastescreen.core.labels.pages import TEXT
from wastescreen.storage.api_keys import authenticate

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
    principal = authenticate(session, key.strip()) if key.strip() else None
    if principal is None:
        return render(request, "page_login.html",
                      {"next": next, "error": TEXT["login_failed"][language]},
                      principal=None, lang=language, title_key="login_title", status=401)
    response = RedirectResponse(safe_next(next, language), status_code=303)
    response.set_cookie(COOKIE, key.strip(), max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                        samesite="strict", secure=False)
    return response


@router.post("/ui/logout", dependencies=[SameOrigin])
def logout(request: Request, lang: Annotated[str, Form(max_length=5)] = "vi") -> Response:
    response = RedirectResponse(url("/ui/login", lang_of(request, lang)), status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
