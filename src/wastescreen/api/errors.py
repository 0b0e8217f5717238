"""One JSON error shape for every 4xx: ``{"error": {"code", "message", "field", "details"}}``.

Codes are stable strings clients can branch on; ``field`` names the failing field when there is
one (dotted path, e.g. ``budget`` or ``kpis.1.metric``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from wastescreen.domain.errors import errors_of
from wastescreen.screening.review import NotFound
from wastescreen.screening.service import ModelNotReady
from wastescreen.screening.usecases import IdempotencyConflict, NotYourAgency
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
    """Raise from a route to answer ``status`` with a stable ``code``."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None,
                 details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.field, self.headers, self.details = field, headers, details


def error_body(code: str, message: str, field: str | None = None,
               details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field,
                      "details": details or []}}


def validation_details(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic errors -> [{field, rule, message}] (inputs are not echoed back)."""
    return [e.as_dict() for e in errors_of(errors)]


# What the use cases refuse, as status and code; the exception's ``field`` names the input.
USE_CASE_ERRORS: dict[type[Exception], tuple[int, str]] = {
    ModelNotReady: (503, "model_not_ready"), NotYourAgency: (403, "forbidden"),
    IdempotencyConflict: (409, "idempotency_conflict"), NotFound: (404, "not_found"),
    NotASubmission: (409, "not_a_submission"),
    SecondReviewerNeeded: (409, "second_reviewer_needed"),
}


def api_error_of(exc: Exception) -> ApiError:
    """The API error for an exception of ``USE_CASE_ERRORS``."""
    status, code = next(v for k, v in USE_CASE_ERRORS.items() if isinstance(exc, k))
    return ApiError(status, code, str(exc), field=getattr(exc, "field", None))


def install_error_handlers(app: FastAPI) -> None:
    """Make every error answer with the JSON shape above."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.field, exc.details),
                            status_code=exc.status, headers=exc.headers)

    for kind in USE_CASE_ERRORS:
        @app.exception_handler(kind)
        async def _use_case(request: Request, exc: Exception) -> JSONResponse:
            return await _api_error(request, api_error_of(exc))

    @app.exception_handler(RequestValidationError)
    async def _request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = validation_details(list(exc.errors()))
        first = details[0] if details else {"field": None, "rule": "invalid", "message": ""}
        return JSONResponse(error_body("validation_error",
                                       f"{first['field'] or 'request'}: {first['message']}",
                                       first["field"] or None, details), status_code=422)

    @app.exception_handler(ValidationError)
    async def _model_validation(_: Request, exc: ValidationError) -> JSONResponse:
        details = validation_details(list(exc.errors()))
        first = details[0]
        return JSONResponse(error_body("validation_error",
                                       f"{first['field']}: {first['message']}",
                                       first["field"] or None, details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
