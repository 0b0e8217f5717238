"""One JSON error shape for every 4xx: ``{"error": {"code", "message", "field", "details"}}``.

Codes are stable strings clients can branch on; ``field`` names the failing field when there is
one (dotted path, e.g. ``budget`` or ``kpis.1.metric``) and each detail its ``rule``; the
messages are for people, in Vietnamese unless ``Accept-Language`` prefers English
(``api.lang``). Under ``/ui`` and ``/public`` the same errors are HTML pages instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from wastescreen.api.lang import request_lang
from wastescreen.core.labels.messages import Msg, msg
from wastescreen.core.locale_format import Lang
from wastescreen.domain.errors import FieldError, errors_of
from wastescreen.screening.review import NotFound
from wastescreen.screening.revisions import NotSentBack, RevisionRefused, Superseded
from wastescreen.screening.service import ModelNotReady
from wastescreen.screening.usecases import IdempotencyConflict, NotYourAgency
from wastescreen.storage.agencies import AgencyNameError, UnknownAgency
from wastescreen.storage.revisions import AlreadyRevised
from wastescreen.storage.screenings import NotASubmission, SecondReviewerNeeded

STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
                415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited"}


class ErrorDetail(BaseModel):
    field: str | None = None
    rule: str
    message: str


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable code: validation_error, forbidden, not_found ...")
    message: str
    field: str | None = Field(default=None, description="The failing field, dotted.")
    details: list[ErrorDetail] = []
    request_id: str | None = Field(
        default=None, description="On an unexpected error (500): the id to quote; every answer "
        "also carries it in the X-Request-ID header.")


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx answer."""

    error: ErrorInfo


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# Documented on every v1 route so clients (and schema tests) know every answer's shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _doc("No or unknown API key"), 403: _doc("The key's role may not do this"),
    404: _doc("Not found (or not visible to this key)"), 409: _doc("Conflict"),
    413: _doc("Body too large"), 415: _doc("Unsupported file type"),
    422: _doc("Validation failed: field and rule named"), 429: _doc("Rate limited"),
    500: _doc("Unexpected error (the body carries a request id)"),
    503: _doc("No model loaded yet"),
}


class ApiError(Exception):
    """Raise from a route to answer ``status`` with a stable ``code`` and ``message`` (a
    ``Msg``, said in the caller's language); ``details`` name each refused field and rule."""

    def __init__(self, status: int, code: str, message: Msg, *, field: str | None = None,
                 headers: dict[str, str] | None = None,
                 details: Sequence[FieldError] = (), request_id: str | None = None) -> None:
        super().__init__(str(message))
        self.status, self.code, self.message = status, code, message
        self.field, self.headers, self.details = field, headers, list(details)
        self.request_id = request_id


def error_body(code: str, message: str, field: str | None = None,
               details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field,
                      "details": details or []}}


def validation_details(errors: list[Any], lang: Lang = "vi") -> list[dict[str, Any]]:
    """Pydantic errors -> [{field, rule, message}] (inputs are not echoed back)."""
    return [e.as_dict(lang) for e in errors_of(errors)]


# What the use cases refuse, as status, code and message; the exception's ``field`` names the
# input.
USE_CASE_ERRORS: dict[type[Exception], tuple[int, str, str]] = {
    ModelNotReady: (503, "model_not_ready", "model_not_ready"),
    NotYourAgency: (403, "forbidden", "not_your_agency"),
    IdempotencyConflict: (409, "idempotency_conflict", "idempotency_conflict"),
    NotFound: (404, "not_found", "not_found_screening"),
    NotASubmission: (409, "not_a_submission", "not_a_submission"),
    SecondReviewerNeeded: (409, "second_reviewer_needed", "second_reviewer_needed"),
    NotSentBack: (409, "not_sent_back", "not_sent_back"),
    Superseded: (409, "superseded", "superseded"),
    AlreadyRevised: (409, "superseded", "superseded"),
    RevisionRefused: (422, "validation_error", "invalid_field"),
}


def api_error_of(exc: Exception) -> ApiError:
    """The API error for an exception of ``USE_CASE_ERRORS``."""
    if isinstance(exc, RevisionRefused):
        return invalid(exc.errors)
    status, code, key = next(v for k, v in USE_CASE_ERRORS.items() if isinstance(exc, k))
    return ApiError(status, code, msg(key), field=getattr(exc, "field", None))


def refused_agency(exc: Exception, role: str, agency: str | None) -> ApiError:
    """The 422 for an API key that cannot be made for ``agency`` (``storage`` refused it)."""
    if isinstance(exc, UnknownAgency):
        error = FieldError("agency", exc.rule, str(exc))
        return ApiError(422, "validation_error", msg("unknown_agency", name=agency or ""),
                        field="agency", details=[error])
    if isinstance(exc, AgencyNameError):
        return invalid([FieldError("agency", exc.rule, str(exc))])
    rule = "missing" if role == "agency" and not agency else "agency_not_for_role"
    return invalid([FieldError("agency", rule, str(exc))])


def invalid(errors: Sequence[FieldError]) -> ApiError:
    """A 422 naming every refused field; the message names the first (its rule's words)."""
    first = errors[0] if errors else FieldError("", "invalid", "")
    return ApiError(422, "validation_error",
                    msg("invalid_field", field=first.field or "request", message=first),
                    field=first.field or None, details=errors)


# A page's error is a page (``api.pages`` installs the hook): under these prefixes.
PAGE_PREFIXES = ("/ui", "/public")
PageErrorHook = Callable[[Request, int, Msg], Response]


def is_page(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)


def answer(request: Request, exc: ApiError) -> Response:
    """The response for ``exc``: an HTML page under ``PAGE_PREFIXES`` (when the pages are
    installed), else the JSON error shape in the language of ``Accept-Language``."""
    hook: PageErrorHook | None = getattr(request.app.state, "page_error", None)
    if hook is not None and is_page(request.url.path):
        response = hook(request, exc.status, exc.message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
    lang = request_lang(request)
    body = error_body(exc.code, exc.message.text(lang), exc.field,
                      [d.as_dict(lang) for d in exc.details])
    if exc.request_id:
        body["error"]["request_id"] = exc.request_id
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def install_error_handlers(app: FastAPI, page_error: PageErrorHook | None = None) -> None:
    """Make every error answer with the JSON shape above (a page's, with ``page_error``)."""
    app.state.page_error = page_error

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return answer(request, exc)

    for kind in USE_CASE_ERRORS:
        @app.exception_handler(kind)
        async def _use_case(request: Request, exc: Exception) -> Response:
            return answer(request, api_error_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _request_validation(request: Request, exc: RequestValidationError) -> Response:
        return answer(request, invalid(errors_of(exc.errors())))

    @app.exception_handler(ValidationError)
    async def _model_validation(request: Request, exc: ValidationError) -> Response:
        return answer(request, invalid(errors_of(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return answer(request, http_error(exc.status_code, request.method,
                                          getattr(exc, "headers", None)))


def http_error(status: int, method: str = "", headers: dict[str, str] | None = None
               ) -> ApiError:
    """The API error for a bare HTTP status raised by the framework (404, 405, 413 ...)."""
    code = STATUS_CODES.get(status, "error")
    if status == 404:
        message = msg("not_found_route")
    elif status == 405:
        message = msg("method_not_allowed", method=method[:20])
    elif status == 400:
        message = msg("bad_request")
    else:
        message = msg("http_error", status=str(status))
    return ApiError(status, code, message, headers=headers)
