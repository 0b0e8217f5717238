"""Every request gets an id (``X-Request-ID``), and an exception no handler expected still
answers the JSON error shape (500, ``internal_error``) with that id, so that a caller can quote
it and an operator can find the log line.

The log line names the exception types and frames only (``core.exceptions``): the exception's
own message may quote the request's data or the SQL parameters. The exception is not re-raised,
so the server does not log its traceback with the message either.
"""

from __future__ import annotations

import logging
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wastescreen.api.errors import ApiError, answer
from wastescreen.core.exceptions import exception_summary
from wastescreen.core.labels.messages import msg

log = logging.getLogger("wastescreen.api")
HEADER = b"x-request-id"


class RequestIdAndUnexpectedErrors:
    """Outermost middleware: sets ``scope["state"]["request_id"]`` and answers unexpected
    exceptions (when no response has started yet) with a JSON 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []),
                                      (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        except Exception as exc:  # the point of this middleware: no plain 500, no data in logs
            log.error("unexpected error, request %s, %s %s: %s", request_id,
                      scope.get("method", ""), getattr(scope.get("route"), "path", "unmatched"),
                      exception_summary(exc))
            if started:
                return  # the answer is under way: nothing more can be said to the caller
            error = ApiError(500, "internal_error", msg("internal_error",
                                                        request_id=request_id),
                             headers={"X-Request-ID": request_id}, request_id=request_id)
            await answer(Request(scope), error)(scope, receive, send)
