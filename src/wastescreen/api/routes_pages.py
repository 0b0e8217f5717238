"""The reviewer's web pages: server-rendered HTML, usable without JavaScript, Vietnamese by default.

Browsers cannot send a Bearer header, so ``/ui/login`` takes an API key once and keeps it in an
HttpOnly, SameSite=Strict cookie; every page authenticates that key and applies the API's role
rules. SameSite=Strict is the CSRF defence for the forms, and a POST whose ``Origin`` (or
``Sec-Fetch-Site``) says it came from another site is refused. Pages answer with a strict
Content-Security-Policy: no script at all, nothing fetched from elsewhere. The referrer policy is
``same-origin``, not ``no-referrer``: under ``no-referrer`` browsers send ``Origin: null`` with a
form post, which the origin check would (rightly) refuse.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from wastescreen.api import pages_service as svc
from wastescreen.api.deps import SessionDep
from wastescreen.api.errors import ApiError
from wastescreen.api.page_labels import FIELD_KINDS, JSON_EXAMPLES, REQUIRED, SECTIONS, TEXT
from wastescreen.api.report_view import decision_view, render_screening_report
from wastescreen.api.routes_screenings import screening_out, visible_screening
from wastescreen.core import labels as L
from wastescreen.core import reference
from wastescreen.core.locale_format import Lang, number, percent, vnd
from wastescreen.domain.flat_format import BUDGET_PREFIX, FLAT_COLUMNS, LIST_FIELDS
from wastescreen.domain.proposal import ManagingLevel, ProjectType, Proposal
from wastescreen.reporting.render import environment, render_report_html
from wastescreen.screening.engine import ScreeningEngine
from wastescreen.screening.service import screen_proposal
from wastescreen.storage.api_keys import Principal, Role, authenticate
from wastescreen.storage.screenings import (
    Decision,
    ScreeningKind,
    new_id,
    record_decision,
    save_screening,
)

COOKIE = "ws_key"
COOKIE_MAX_AGE = 12 * 3600
PAGE_SIZE = 50
READERS = (Role.AGENCY, Role.REVIEWER, Role.AUDITOR)
PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
_NEXT = re.compile(r"^/(ui|public)(/[^\s\\]*)?(\?[^\s\\]*)?$")
_DIGITS_WITH_SEPARATORS = re.compile(r"^\d{1,3}([., _]\d{3})+$")



class PageError(Exception):
    """Answer with an HTML error page (or, for ``status == 303``, a redirect)."""

    def __init__(self, status: int, key: str, *, location: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.location = status, key, location


class PageRoute(APIRoute):
    """Turns ``PageError`` and ``ApiError`` raised by a page (or its dependencies) into HTML."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except PageError as exc:
                if exc.status == 303:
                    return RedirectResponse(exc.location, status_code=303)
                return error_page(request, exc.status, exc.key)
            except ApiError as exc:
                return error_page(request, exc.status, f"err_{exc.status}")

        return handler


router = APIRouter(route_class=PageRoute, include_in_schema=False)


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
    return url(request.url.path if request.method == "GET" else _get_path(request), other,
               **params)


def _get_path(request: Request) -> str:
    path = request.url.path
    return path.removesuffix("/decision") if path.endswith("/decision") else path


def _nav(principal: Principal | None, lang: Lang, current: str) -> list[dict[str, Any]]:
    t = TEXT
    items: list[tuple[str, str]] = []
    if principal is not None and principal.role in READERS:
        items += [("/ui/queue", "nav_queue"), ("/ui/portfolio", "nav_portfolio")]
    if principal is not None and principal.role is Role.AGENCY:
        items.append(("/ui/submit", "nav_submit"))
    if principal is not None and principal.role in (Role.AGENCY, Role.REVIEWER):
        items.append(("/ui/batch", "nav_batch"))
    items.append(("/public/indicators", "nav_public"))
    if principal is None:
        items.append(("/ui/login", "nav_login"))
    return [{"href": url(path, lang), "label": t[key][lang], "current": path == current}
            for path, key in items]


def render(request: Request, template: str, context: Mapping[str, Any], *,
           principal: Principal | None, lang: Lang, title_key: str, status: int = 200,
           title: str | None = None) -> HTMLResponse:
    """Render a page template inside the common layout."""
    t = {k: v[lang] for k, v in TEXT.items()}
    engine: ScreeningEngine | None = getattr(request.app.state, "engine", None)
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
    return HTMLResponse(html, status_code=status, headers=_headers(principal is not None))


def _headers(private: bool) -> dict[str, str]:
    headers = {"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}
    if private:
        headers["Cache-Control"] = "no-store"
    return headers


def error_page(request: Request, status: int, key: str) -> HTMLResponse:
    lang = lang_of(request)
    key = key if key in TEXT else "err_404" if status == 404 else "err_403"
    return render(request, "page_error.html", {"message": TEXT[key][lang], "status": status},
                  principal=getattr(request.state, "page_principal", None), lang=lang,
                  title_key="error_title", status=status)


def _login_redirect(request: Request) -> PageError:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = lang_of(request)
    return PageError(303, "login", location=url("/ui/login", lang, next=target))


def current_principal(request: Request, session: Session) -> Principal | None:
    key = request.cookies.get(COOKIE, "")
    if not key or len(key) > 200:
        return None
    principal = authenticate(session, key)
    if principal is None:
        return None
    if request.app.state.rate_limiter.take(f"key:{principal.key_id}") > 0:
        raise PageError(429, "err_429")
    request.state.page_principal = principal
    return principal


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


Reader = Annotated[Principal, Depends(page_user(*READERS))]
Reviewer = Annotated[Principal, Depends(page_user(Role.REVIEWER))]
Agency = Annotated[Principal, Depends(page_user(Role.AGENCY))]
BatchUser = Annotated[Principal, Depends(page_user(Role.AGENCY, Role.REVIEWER))]
SameOrigin = Depends(same_origin)


def ready_engine(request: Request) -> ScreeningEngine:
    engine: ScreeningEngine | None = getattr(request.app.state, "engine", None)
    if engine is None or engine.model is None:
        raise PageError(503, "err_503")
    return engine


def _int(value: str | None, limit: int = 100_000) -> int | None:
    """A query-string number, or None when absent, malformed or outside 0..limit (a huge one
    would overflow the database's integers)."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 <= number <= limit else None


def _opt(value: str | None, allowed: Sequence[str] | None = None) -> str | None:
    if not value:
        return None
    if allowed is not None and value not in allowed:
        return None
    return value[:500]


@lru_cache(maxsize=1)
def _area_names() -> dict[str, dict[Lang, str]]:
    out: dict[str, dict[Lang, str]] = {}
    for a in sorted(reference.technology_areas(), key=lambda a: a.version):
        out[a.code] = {"vi": a.name_vi, "en": a.name_en}
    return out


def area_label(code: str, lang: Lang) -> str:
    return L.lookup(_area_names(), code, lang)


def band_label(band: str, lang: Lang) -> str:
    return L.lookup(L.BANDS, band, lang)


def status_label(status: str, lang: Lang) -> str:
    key = f"status_{status}"
    return TEXT[key][lang] if key in TEXT else status


# --- sign-in -------------------------------------------------------------------------------

def _safe_next(target: str | None, lang: Lang) -> str:
    if target and _NEXT.match(target) and not target.startswith("//"):
        return target
    return url("/ui/queue", lang)


@router.get("/ui", response_class=HTMLResponse)
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(url("/ui/queue", lang_of(request)), status_code=303)


@router.get("/ui/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "") -> HTMLResponse:
    lang = lang_of(request)
    return render(request, "page_login.html", {"next": next[:1000], "error": None},
                  principal=None, lang=lang, title_key="login_title")


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
    response = RedirectResponse(_safe_next(next, language), status_code=303)
    response.set_cookie(COOKIE, key.strip(), max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                        samesite="strict", secure=False)
    return response


@router.post("/ui/logout", dependencies=[SameOrigin])
def logout(request: Request, lang: Annotated[str, Form(max_length=5)] = "vi") -> Response:
    response = RedirectResponse(url("/ui/login", lang_of(request, lang)), status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


# --- queue ---------------------------------------------------------------------------------

@router.get("/ui/queue", response_class=HTMLResponse)
def queue(request: Request, principal: Reader, session: SessionDep, cycle: str = "",
          agency: str = "", province: str = "", area: str = "", band: str = "",
          status: str = "", page: str = "") -> HTMLResponse:
    lang = lang_of(request)
    scope = svc.agency_scope(principal)
    known_cycles = svc.cycles(session, scope)
    chosen = _int(cycle)
    if chosen is None and known_cycles:
        chosen = known_cycles[0]
    f = svc.QueueFilter(cycle=chosen, agency=scope or _opt(agency), province=_opt(province),
                        area=_opt(area), band=_opt(band, ("low", "medium", "high")),
                        status=_opt(status, ("queued", "decided")))
    page_no = max(1, _int(page) or 1)
    items, total = svc.queue_page(session, f, offset=(page_no - 1) * PAGE_SIZE,
                                  limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    options = svc.filter_options(session, chosen, scope)
    params = {"cycle": chosen, "agency": None if scope else f.agency, "province": f.province,
              "area": f.area, "band": f.band, "status": f.status}
    rows = [{"rank": (page_no - 1) * PAGE_SIZE + i + 1, "href": url(f"/ui/screenings/{it.id}",
                                                                     lang),
             "title": it.title, "agency": it.agency, "province": it.province,
             "area": area_label(it.area, lang), "budget": vnd(it.budget_vnd, lang),
             "score": percent(it.score, lang), "band": it.band,
             "band_label": band_label(it.band, lang), "status": status_label(it.status, lang)}
            for i, it in enumerate(items)]
    t = TEXT
    return render(request, "page_queue.html", {
        "rows": rows, "total": t["count_of"][lang].format(n=number(total, lang)),
        "cycles": known_cycles, "cycle": chosen, "f": f, "agency_fixed": scope,
        "options": {"agencies": options.agencies, "provinces": options.provinces,
                    "areas": [(a, area_label(a, lang)) for a in options.areas],
                    "bands": [(b, band_label(b, lang)) for b in ("high", "medium", "low")],
                    "statuses": [(s, status_label(s, lang)) for s in ("queued", "decided")]},
        "labels": {"agency": L.UI["agency"][lang], "province": L.UI["province"][lang],
                   "area": L.UI["technology_area"][lang], "budget": L.UI["total_budget"][lang]},
        "page_label": t["page_of"][lang].format(page=page_no, pages=pages),
        "prev_url": url("/ui/queue", lang, **params, page=page_no - 1) if page_no > 1 else None,
        "next_url": url("/ui/queue", lang, **params, page=page_no + 1)
        if page_no < pages else None,
        "reset_url": url("/ui/queue", lang, cycle=chosen),
    }, principal=principal, lang=lang, title_key="queue_title")


# --- one screening -------------------------------------------------------------------------

def _report_parts(html: str) -> tuple[Markup, Markup]:
    """The report's ``<main class="report">`` as an ``<article>`` to embed in a page, split
    before its footer so that the decision form can sit under the decision section.

    The report is rendered by its own autoescaped template, so proposal text in it is already
    escaped: no raw ``<main`` or ``<footer`` can come from the data."""
    start = html.index('<main class="report"')
    end = html.rindex("</main>")
    body = "<article" + html[start + len("<main"):end]
    cut = body.rfind('<footer class="report-footer"')
    if cut < 0:
        cut = len(body)
    head, tail = body[:cut], body[cut:] + "</article>"
    return Markup(head), Markup(tail)  # noqa: S704 - output of the autoescaped report template


def _screening_page(request: Request, session: Session, principal: Principal,
                    screening_id: str, lang: Lang, *, errors: Mapping[str, str] | None = None,
                    form: Mapping[str, str] | None = None, status: int = 200) -> HTMLResponse:
    row = visible_screening(session, principal, screening_id)
    out = screening_out(session, row, principal)
    html = render_report_html(out.result, lang=lang, screening_id=out.id,
                              submitted_at=out.created_at.isoformat(timespec="seconds"),
                              decision=decision_view(out))
    is_submission = row.kind == ScreeningKind.SUBMISSION.value
    decisions = [(d.value, L.lookup(L.DECISIONS, d.value, lang)) for d in Decision]
    return render(request, "page_screening.html", {
        "report_css": True, "report_parts": _report_parts(html), "screening_id": row.id,
        "is_submission": is_submission,
        "can_decide": is_submission and principal.role is Role.REVIEWER,
        "saved": request.query_params.get("saved") == "1",
        "queue_url": url("/ui/queue", lang, cycle=row.cycle),
        "pdf_url": url(f"/ui/screenings/{row.id}/report.pdf", lang),
        "decision_action": f"/ui/screenings/{row.id}/decision",
        "decisions": decisions, "errors": errors or {}, "form": form or {},
        "band_label": band_label(row.band, lang),
    }, principal=principal, lang=lang, title_key="queue_title", status=status,
        title=f"{out.result.proposal_title} — {L.UI['doc_title'][lang]}")


@router.get("/ui/screenings/{screening_id}", response_class=HTMLResponse)
def screening_page(screening_id: str, request: Request, principal: Reader,
                   session: SessionDep) -> HTMLResponse:
    return _screening_page(request, session, principal, screening_id[:64], lang_of(request))


@router.get("/ui/screenings/{screening_id}/report.pdf")
def screening_pdf(screening_id: str, request: Request, principal: Reader,
                  session: SessionDep) -> Response:
    out = screening_out(session, visible_screening(session, principal, screening_id[:64]),
                        principal)
    return render_screening_report(out, fmt="pdf", lang=lang_of(request))


@router.post("/ui/screenings/{screening_id}/decision", response_class=HTMLResponse,
             dependencies=[SameOrigin])
def decide(screening_id: str, request: Request, principal: Reviewer, session: SessionDep,
           decision: Annotated[str, Form(max_length=20)] = "",
           rationale: Annotated[str, Form(max_length=10_000)] = "",
           lang: Annotated[str, Form(max_length=5)] = "vi") -> Response:
    language = lang_of(request, lang)
    row = visible_screening(session, principal, screening_id[:64])
    if row.kind != ScreeningKind.SUBMISSION.value:
        raise PageError(409, "precheck_note")
    errors = {}
    if decision not in {d.value for d in Decision}:
        errors["decision"] = TEXT["decision_required"][language]
    if not rationale.strip():
        errors["rationale"] = TEXT["rationale_required"][language]
    if errors:
        return _screening_page(request, session, principal, row.id, language, errors=errors,
                               form={"decision": decision, "rationale": rationale}, status=422)
    record_decision(session, row, Decision(decision), rationale.strip(), actor=principal.actor)
    target = url(f"/ui/screenings/{row.id}", language, saved=1) + "#decision"
    return RedirectResponse(target, status_code=303)


# --- submission form -----------------------------------------------------------------------

def _field_label(name: str, lang: Lang) -> str:
    key = f"f_{name}"
    if key in TEXT:
        return TEXT[key][lang]
    ui_key = {"total_budget_vnd": "total_budget"}.get(name, name)
    if ui_key in L.UI:
        return L.UI[ui_key][lang]
    return L.lookup(L.FIELDS, name, lang)


def _options(name: str, lang: Lang) -> list[tuple[str, str]]:
    if name == "managing_level":
        return [(m.value, TEXT[f"level_{m.value}"][lang]) for m in ManagingLevel]
    if name == "province":
        return [(p.name_vi, p.name_vi) for p in reference.provinces()]
    if name == "technology_area":
        latest = reference.latest_area_version()
        return [(a.code, a.name_vi if lang == "vi" else a.name_en)
                for a in reference.technology_areas() if a.version == latest]
    if name == "project_type":
        return [(p.value, L.lookup(L.PROJECT_TYPES, p.value, lang)) for p in ProjectType]
    return []


# Vietnamese wording of the commonest pydantic rules (others keep pydantic's English message).
RULE_VI = {"missing": "Bắt buộc phải điền.", "int_parsing": "Phải là một số nguyên.",
           "float_parsing": "Phải là một số.", "date_from_datetime_parsing": "Phải là ngày.",
           "date_parsing": "Phải là ngày dạng YYYY-MM-DD.",
           "greater_than_equal": "Giá trị quá nhỏ.", "less_than_equal": "Giá trị quá lớn.",
           "string_too_long": "Quá dài.", "extra_forbidden": "Trường không được chấp nhận.",
           "enum": "Giá trị không hợp lệ.", "list_type": "Phải là một mảng JSON."}


def _message(e: svc.FieldError, lang: Lang) -> str:
    return RULE_VI.get(e.rule, e.message) if lang == "vi" else e.message


def _form_sections(values: Mapping[str, str], errors: Sequence[svc.FieldError], lang: Lang,
                   agency_fixed: str | None) -> list[dict[str, Any]]:
    by_field: dict[str, list[str]] = {}
    for e in errors:
        name = e.field if e.field in FIELD_KINDS else "budget" if e.field == "budget" else ""
        message = _message(e, lang)
        detail = f"{e.path}: {message}" if e.path and e.path != e.field else message
        by_field.setdefault(name, []).append(f"{detail} [{e.rule}]")
    sections = []
    for key, names in SECTIONS:
        fields = []
        for name in names:
            kind = FIELD_KINDS[name]
            fields.append({
                "name": name, "kind": kind, "label": _field_label(name, lang),
                "value": agency_fixed if name == "agency" and agency_fixed
                else values.get(name, ""),
                "readonly": name == "agency" and agency_fixed is not None,
                "required": name in REQUIRED, "options": _options(name, lang),
                "errors": by_field.get(name, []),
                "hint": (TEXT["json_hint"][lang] + JSON_EXAMPLES[name]) if kind == "json"
                else TEXT["vnd_hint"][lang] if kind == "vnd" else "",
            })
        sections.append({"title": TEXT[key][lang], "fields": fields,
                         "errors": by_field.get("budget", []) if key == "sec_budget" else []})
    return sections


def _vnd_text(value: str) -> str:
    text = value.strip()
    if _DIGITS_WITH_SEPARATORS.match(text):
        return re.sub(r"[., _]", "", text)
    return text


def payload_from_form(form: Mapping[str, str]) -> tuple[dict[str, Any], list[svc.FieldError]]:
    """The proposal payload of the form's fields (empty ones left out, JSON lists parsed)."""
    payload: dict[str, Any] = {}
    budget: dict[str, Any] = {}
    errors = []
    for name, kind in FIELD_KINDS.items():
        raw = form.get(name, "")
        value = raw.strip() if kind != "textarea" else raw
        if not value.strip():
            continue
        if kind == "vnd":
            value = _vnd_text(value)
        if kind == "json":
            try:
                payload[name] = json.loads(value)
            except json.JSONDecodeError as exc:
                errors.append(svc.FieldError(name, "invalid_json",
                                             f"not a JSON array ({exc.msg})"))
            continue
        if name.startswith(BUDGET_PREFIX):
            budget[name[len(BUDGET_PREFIX):]] = value
        else:
            payload[name] = value
    payload["budget"] = budget
    return payload, errors


def form_values(payload: Mapping[str, Any]) -> dict[str, str]:
    """Form field values shown back from an uploaded JSON payload."""
    out: dict[str, str] = {}
    for name in FIELD_KINDS:
        if name.startswith(BUDGET_PREFIX):
            budget = payload.get("budget")
            value = budget.get(name[len(BUDGET_PREFIX):]) if isinstance(budget, dict) else None
        else:
            value = payload.get(name)
        if value is None:
            continue
        if name in LIST_FIELDS or isinstance(value, dict | list):
            out[name] = json.dumps(value, ensure_ascii=False, indent=1)
        else:
            out[name] = str(value)
    return out


async def _read_form(request: Request, file_field: str
                     ) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """Text fields (the known ones) and the named upload as (filename, bytes); the form's
    temporary files are closed before returning."""
    values: dict[str, str] = {}
    upload: tuple[str, bytes] | None = None
    async with request.form() as form:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == file_field and value.filename:
                    upload = (value.filename, await value.read())
            elif key in FIELD_KINDS or key in ("kind", "lang"):
                values[key] = value[:20_000]
    return values, upload


def _submit_page(request: Request, principal: Principal, lang: Lang,
                 values: Mapping[str, str], errors: Sequence[svc.FieldError], kind: str,
                 status: int = 200) -> HTMLResponse:
    summary = [{"field": e.field, "label": _field_label(e.field, lang) if e.field else "",
                "message": _message(e, lang), "rule": e.rule, "path": e.path} for e in errors]
    return render(request, "page_submit.html", {
        "sections": _form_sections(values, errors, lang, principal.agency),
        "errors": summary, "kind": kind, "action": "/ui/submit",
    }, principal=principal, lang=lang, title_key="submit_title", status=status)


@router.get("/ui/submit", response_class=HTMLResponse)
def submit_form(request: Request, principal: Agency) -> HTMLResponse:
    today = dt.date.today()
    defaults = {"submitted_on": today.isoformat(), "cycle": str(today.year + 1)}
    return _submit_page(request, principal, lang_of(request), defaults, [], "submission")


@router.post("/ui/submit", response_class=HTMLResponse, dependencies=[SameOrigin])
async def submit(request: Request, principal: Agency) -> Response:
    values, upload = await _read_form(request, "proposal_file")
    lang = lang_of(request, values.get("lang"))
    kind = ScreeningKind.PRECHECK if values.get("kind") == "precheck" \
        else ScreeningKind.SUBMISSION
    errors: list[svc.FieldError] = []
    if upload is not None:
        try:
            loaded = json.loads(upload[1].decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            loaded = None
            errors.append(svc.FieldError("proposal_file", "invalid_json", str(exc)[:300]))
        if loaded is not None and not isinstance(loaded, dict):
            errors.append(svc.FieldError("proposal_file", "invalid_json",
                                         "the file must hold one JSON object"))
        payload: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        values = {**form_values(payload), "kind": kind.value}
    else:
        payload, errors = payload_from_form(values)
    if principal.agency and not payload.get("agency"):
        payload["agency"] = principal.agency
    if errors:
        return _submit_page(request, principal, lang, values, errors, kind.value, 422)
    try:
        proposal = Proposal.model_validate(payload)
    except ValidationError as exc:
        return _submit_page(request, principal, lang, values, svc.field_errors(exc), kind.value,
                            422)
    if proposal.agency != principal.agency:
        error = svc.FieldError("agency", "not_your_agency", TEXT["not_your_agency"][lang])
        return _submit_page(request, principal, lang, values, [error], kind.value, 403)
    engine = ready_engine(request)
    screening_id = await run_in_threadpool(_file, request, engine, proposal, kind, principal)
    return RedirectResponse(url(f"/ui/screenings/{screening_id}", lang), status_code=303)


def _file(request: Request, engine: ScreeningEngine, proposal: Proposal, kind: ScreeningKind,
          principal: Principal) -> str:
    """Screen and store one proposal (a submission joins its cycle's peers); the screening id."""
    pid = new_id()
    with request.app.state.db.sessions() as session:
        engine.sync(session)
    result = screen_proposal(engine, proposal, pid)
    with request.app.state.db.sessions() as session:
        row = save_screening(session, proposal, pid, result, kind, actor=principal.actor,
                             api_key_id=principal.key_id)
        screening_id: str = row.id
    if kind is ScreeningKind.SUBMISSION:
        engine.add_peer(pid, proposal)
    request.app.state.metrics.screenings.labels(kind.value, result.band).inc()
    return screening_id


# --- batch pre-check -----------------------------------------------------------------------

def _batch_page(request: Request, principal: Principal, lang: Lang,
                report: svc.BatchReport | None, error: str | None,
                status: int = 200) -> HTMLResponse:
    rows = []
    for r in report.rows if report else []:
        rows.append({
            "line": r.line, "title": r.title,
            "href": url(f"/ui/screenings/{r.screening_id}", lang) if r.screening_id else None,
            "band": r.band or "", "band_label": band_label(r.band, lang) if r.band else "",
            "score": percent(r.score, lang) if r.score is not None else "",
            "errors": [{"field": e.path or e.field, "rule": e.rule, "message": e.message}
                       for e in r.errors]})
    summary = None
    if report is not None:
        summary = TEXT["batch_summary"][lang].format(ok=report.screened, bad=report.failed)
    return render(request, "page_batch.html", {
        "rows": rows, "summary": summary, "error": error, "action": "/ui/batch",
        "intro": TEXT["batch_intro"][lang].format(n=svc.BATCH_MAX_ROWS),
        "template_url": "/ui/batch/template.csv",
    }, principal=principal, lang=lang, title_key="batch_title", status=status)


@router.get("/ui/batch", response_class=HTMLResponse)
def batch_form(request: Request, principal: BatchUser) -> HTMLResponse:
    return _batch_page(request, principal, lang_of(request), None, None)


@router.get("/ui/batch/template.csv")
def batch_template(principal: BatchUser) -> Response:
    return Response(",".join(FLAT_COLUMNS) + "\n", media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             'attachment; filename="wastescreen-batch-template.csv"'})


@router.post("/ui/batch", response_class=HTMLResponse, dependencies=[SameOrigin])
async def batch(request: Request, principal: BatchUser) -> Response:
    values, upload = await _read_form(request, "file")
    lang = lang_of(request, values.get("lang"))
    if upload is None:
        return _batch_page(request, principal, lang, None, TEXT["no_file"][lang], 422)
    try:
        records = svc.read_batch_file(*upload)
    except svc.BatchFileError as exc:
        return _batch_page(request, principal, lang, None, str(exc), 422)
    engine = ready_engine(request)
    report = await run_in_threadpool(_run_batch, request, engine, records, principal)
    return _batch_page(request, principal, lang, report, None)


def _run_batch(request: Request, engine: ScreeningEngine, records: list[dict[str, Any]],
               principal: Principal) -> svc.BatchReport:
    with request.app.state.db.sessions() as session:
        engine.sync(session)
        report = svc.process_batch(session, engine, records, principal)
    for r in report.rows:
        if r.band:
            request.app.state.metrics.screenings.labels("precheck", r.band).inc()
    return report


# --- portfolio -----------------------------------------------------------------------------

def _group_rows(groups: Sequence[svc.Group], lang: Lang, label: Callable[[str], str]
                ) -> list[dict[str, str]]:
    return [{"key": label(g.key), "level": TEXT[f"level_{g.level}"][lang]
             if f"level_{g.level}" in TEXT else g.level,
             "count": number(g.count, lang), "mean": percent(g.mean_score, lang),
             "high": percent(g.high_share, lang), "budget": vnd(g.budget_vnd, lang)}
            for g in groups]


@router.get("/ui/portfolio", response_class=HTMLResponse)
def portfolio(request: Request, principal: Reader, session: SessionDep,
              cycle: str = "") -> HTMLResponse:
    lang = lang_of(request)
    scope = svc.agency_scope(principal)
    known = svc.cycles(session, scope)
    chosen = _int(cycle) or (known[0] if known else None)
    pf = svc.portfolio(session, chosen, scope)

    def level(k: str) -> str:
        return TEXT[f"level_{k}"][lang] if f"level_{k}" in TEXT else k

    clusters = []
    for i, c in enumerate(pf.clusters, start=1):
        clusters.append({
            "heading": TEXT["cluster"][lang].format(i=i, n=len(c.members), a=c.agencies,
                                                    b=vnd(c.budget_vnd, lang)),
            "best": number(c.best_overlap, lang, 2),
            "members": [{"title": m.title, "agency": m.agency, "province": m.province,
                         "budget": vnd(m.budget_vnd, lang), "band": m.band,
                         "band_label": band_label(m.band, lang),
                         "score": percent(m.score, lang),
                         "href": url(f"/ui/screenings/{m.screening_id}", lang)}
                        for m in c.members]})
    total = pf.total
    return render(request, "page_portfolio.html", {
        "cycles": known, "cycle": chosen,
        "summary": {"count": number(total.count, lang), "mean": percent(total.mean_score, lang),
                    "high": percent(total.high_share, lang),
                    "budget": vnd(total.budget_vnd, lang)},
        "tables": [
            {"id": "by-agency", "title": TEXT["by_agency"][lang], "with_level": True,
             "rows": _group_rows(pf.by_agency, lang, str)},
            {"id": "by-level", "title": TEXT["by_level"][lang], "with_level": False,
             "rows": _group_rows(pf.by_level, lang, level)},
            {"id": "by-province", "title": TEXT["by_province"][lang], "with_level": False,
             "rows": _group_rows(pf.by_province, lang, str)},
            {"id": "by-area", "title": TEXT["by_area"][lang], "with_level": False,
             "rows": _group_rows(pf.by_area, lang, lambda a: area_label(a, lang))},
        ],
        "clusters": clusters,
        "clusters_intro": TEXT["clusters_intro"][lang].format(t=number(pf.threshold, lang, 2)),
        "labels": {"agency": L.UI["agency"][lang], "province": L.UI["province"][lang],
                   "level": TEXT["f_managing_level"][lang]},
    }, principal=principal, lang=lang, title_key="portfolio_title")


# --- public indicators ---------------------------------------------------------------------

@router.get("/public/indicators", response_class=HTMLResponse)
def public_indicators(request: Request, session: SessionDep, cycle: str = "",
                      format: str = "html") -> Response:
    lang = lang_of(request)
    known = svc.cycles(session, None)
    chosen = _int(cycle) or (known[0] if known else None)
    items, total = svc.indicators(session, chosen)
    if format == "csv":
        name = f"wastescreen-indicators-{chosen or 'all'}.csv"
        return Response(svc.indicators_csv(items, chosen), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "X-Content-Type-Options": "nosniff"})
    principal = current_principal(request, session) if request.cookies.get(COOKIE) else None

    def row(i: svc.Indicator) -> dict[str, str]:
        return {"agency": i.agency, "screened": number(i.screened, lang),
                "high": number(i.high, lang), "high_share": percent(i.high_share, lang),
                "decided": number(i.decided, lang), "overrides": number(i.overrides, lang),
                "override_share": percent(i.override_share, lang)}

    return render(request, "page_indicators.html", {
        "cycles": known, "cycle": chosen, "rows": [row(i) for i in items], "total": row(total),
        "csv_url": url("/public/indicators", lang, cycle=chosen, format="csv"),
        "agency_label": L.UI["agency"][lang],
    }, principal=principal, lang=lang, title_key="public_title")

