"""What every page shares: the layout, the language, links, headers and error pages.

Pages answer with a strict Content-Security-Policy: no script at all, nothing fetched from
elsewhere. The referrer policy is ``same-origin``, not ``no-referrer``: under ``no-referrer``
browsers send ``Origin: null`` with a form post, which the origin check would (rightly) refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from markupsafe import Markup

from wastescreen.core import reference
from wastescreen.core.labels import report as L
from wastescreen.core.labels.pages import TEXT
from wastescreen.core.locale_format import Lang
from wastescreen.reporting.render import environment
from wastescreen.screening.usecases import Screener
from wastescreen.storage.api_keys import Principal, Role

READERS = (Role.AGENCY, Role.REVIEWER, Role.AUDITOR)
PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")


class PageError(Exception):
    """Answer with an HTML error page (or, for ``status == 303``, a redirect)."""

    def __init__(self, status: int, key: str, *, location: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.location = status, key, location


class PageRoute(APIRoute):
    """Turns ``PageError`` into an HTML page or a redirect. What the API refuses (``ApiError``,
    the use cases' exceptions, invalid parameters) reaches the app's error handlers, which
    answer a page's request with the error page too (``api.pages.errors``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except PageError as exc:
                if exc.status == 303:
                    return RedirectResponse(exc.location, status_code=303)
                return error_page(request, exc.status, exc.key)

        return handler


def lang_of(request: Request, form_lang: str | None = None) -> Lang:
    value = form_lang or request.query_params.get("lang", "vi")
    return "en" if value == "en" else "vi"


@lru_cache(maxsize=1)
def _page_css() -> Markup:
    env = environment()
    css, _, _ = env.loader.get_source(env, "pages.css")  # type: ignore[union-attr]
    return Markup(css)  # noqa: S704 - a packaged file, not user input


def url(path: str, lang: Lang, **params: object) -> str:
    """``path`` with its query (empty values dropped) and the language."""
    query = {k: str(v) for k, v in params.items() if v not in (None, "")}
    if lang != "vi":
        query["lang"] = lang
    return f"{path}?{urlencode(query)}" if query else path


def _switch_url(request: Request, lang: Lang) -> str:
    other: Lang = "en" if lang == "vi" else "vi"
    params = {k: v for k, v in request.query_params.items() if k not in ("lang", "saved")}
    path = request.url.path
    if request.method != "GET":
        path = path.removesuffix("/decision")
    return url(path, other, **params)


def _nav(principal: Principal | None, lang: Lang, current: str) -> list[dict[str, Any]]:
    items: list[tuple[str, str]] = []
    if principal is not None and principal.role in READERS:
        items += [("/ui/queue", "nav_queue"), ("/ui/portfolio", "nav_portfolio")]
    if principal is not None and principal.role is Role.AGENCY:
        items += [("/ui/mine", "nav_mine"), ("/ui/submit", "nav_submit")]
    if principal is not None and principal.role in (Role.AGENCY, Role.REVIEWER):
        items.append(("/ui/batch", "nav_batch"))
    if principal is not None:
        items.append(("/ui/model-card", "nav_model_card"))
    items.append(("/public/indicators", "nav_public"))
    items.append(("/public/flags", "nav_flags"))
    if principal is None:
        items.append(("/ui/login", "nav_login"))
    return [{"href": url(path, lang), "label": TEXT[key][lang], "current": path == current}
            for path, key in items]


def render(request: Request, template: str, context: Mapping[str, Any], *,
           principal: Principal | None, lang: Lang, title_key: str, status: int = 200,
           title: str | None = None) -> HTMLResponse:
    """Render a page template inside the common layout."""
    t = {k: v[lang] for k, v in TEXT.items()}
    screener: Screener | None = getattr(request.app.state, "screener", None)
    engine = screener.engine if screener is not None else None
    who = None
    if principal is not None:
        who = t[f"role_{principal.role.value}"] + (
            f" · {principal.agency}" if principal.agency else "")
    ctx = {
        "lang": lang, "t": t, "page_css": _page_css(), "report_css": False,
        "title": title or t[title_key], "nav": _nav(principal, lang, request.url.path),
        "who": who, "switch_url": _switch_url(request, lang),
        "switch_lang": "en" if lang == "vi" else "vi",
        "synthetic": engine is not None and engine.model is not None and engine.model.synthetic,
        "logout_action": "/ui/logout",
        **context,
    }
    html = environment().get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status, headers=page_headers(principal is not None))


def page_headers(private: bool) -> dict[str, str]:
    headers = {"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}
    if private:
        headers["Cache-Control"] = "no-store"
    return headers


def error_page(request: Request, status: int, key: str, *, detail: str = "",
               principal: Principal | None = None) -> HTMLResponse:
    """The error page: ``TEXT[key]`` (or, without one, the words for ``status``), then
    ``detail`` (what exactly was refused) when it says more."""
    lang = lang_of(request)
    if key not in TEXT:
        key = f"err_{status}" if f"err_{status}" in TEXT else "err_other"
    message = TEXT[key][lang]
    who = principal or getattr(request.state, "page_principal", None)
    return render(request, "page_error.html", {
        "message": message, "status": status,
        "detail": detail if detail and detail != message else "",
        "home_url": url("/ui", lang) if who is not None else url("/ui/login", lang)},
        principal=who, lang=lang, title_key="error_title", status=status)


# --- query-string values and labels ---------------------------------------------------------

def int_param(value: str | None, limit: int = 100_000) -> int | None:
    """A query-string number, or None when absent, malformed or outside 0..limit (a huge one
    would overflow the database's integers)."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 <= number <= limit else None


def choice_param(value: str | None, allowed: Sequence[str] | None = None) -> str | None:
    """A query-string text, or None when empty or not one of ``allowed``."""
    if not value:
        return None
    if allowed is not None and value not in allowed:
        return None
    return value[:500]


def area_label(code: str, lang: Lang) -> str:
    return reference.area_name(code, lang)


def band_label(band: str, lang: Lang) -> str:
    return L.lookup(L.BANDS, band, lang)


def status_label(status: str, lang: Lang) -> str:
    key = f"status_{status}"
    return TEXT[key][lang] if key in TEXT else status


def level_label(level: str, lang: Lang) -> str:
    key = f"level_{level}"
    return TEXT[key][lang] if key in TEXT else level
