"""Request-size limit (413), and rate limits (429 with Retry-After) per key and on failed key
checks per client address.

A refused upload on a page is answered with the error page after the rest of the body has been
read (up to ``DRAIN_BYTES``): a browser whose upload is cut off mid-way shows "connection reset"
rather than the answer."""

from __future__ import annotations

import asyncio
import logging
import math
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wastescreen.api.errors import ApiError, answer, is_page
from wastescreen.core.labels.messages import msg
from wastescreen.storage import rate_limits

DRAIN_BYTES = 64 * 1024 * 1024
T = TypeVar("T")


class BodySizeLimit:
    """Answer 413 when a body is larger than ``max_bytes`` (by header or as it streams in)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except _TooLarge:
            if not started:
                await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if is_page(request.url.path):
            await _drain(receive)
        error = ApiError(413, "payload_too_large", msg("payload_too_large",
                                                       limit=self.max_bytes))
        await answer(request, error)(scope, receive, send)


async def _drain(receive: Receive) -> None:
    """Read and drop what is left of the request body (at most ``DRAIN_BYTES``)."""
    seen = 0
    while seen <= DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


class _TooLarge(HTTPException):
    # An HTTPException, so that FastAPI's body parsing lets it through as 413 rather than
    # turning it into a generic 400.
    def __init__(self) -> None:
        super().__init__(413, "request body too large")


class RateLimits:
    """The per-key limit (``per_minute`` requests) and the limit of failed key checks and
    sign-ins per client address (``failures_per_minute``), counted in the database
    (``storage.rate_limits``) so that they hold across workers."""

    def __init__(self, per_minute: int, failures_per_minute: int) -> None:
        self.per_minute, self.failures_per_minute = per_minute, failures_per_minute

    def take(self, session: Session, key_id: int) -> float:
        """Count a request of key ``key_id``: 0 when allowed, else the seconds to wait."""
        return rate_limits.hit(session, f"key:{key_id}", self.per_minute)

    @staticmethod
    def failures_bucket(address: str) -> str:
        """The bucket of failed key checks and sign-ins from ``address``."""
        return f"auth-fail:{address}"

    def blocked(self, session: Session, address: str, *, now: float | None = None) -> float:
        """0 while ``address`` may still try a key, else the seconds to wait."""
        return rate_limits.exceeded(session, self.failures_bucket(address),
                                    self.failures_per_minute, now=now)

    def blocked_at(self, failures: int | None, now: float) -> float:
        """``blocked`` from a count of ``address``'s failures read already (``check_key``)."""
        return rate_limits.wait_over(failures, self.failures_per_minute, now)

    def failed(self, session: Session, address: str) -> None:
        """Count a failed key check or sign-in from ``address``."""
        rate_limits.hit(session, self.failures_bucket(address), self.failures_per_minute)


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy, uvicorn sets it from ``X-Forwarded-For`` when the
    proxy is trusted: ``--forwarded-allow-ips``)."""
    return request.client.host if request.client is not None else "unknown"


def retry_after_header(wait_s: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(wait_s)))}


Handler = Callable[[Request], Awaitable[Response]]


def _close(session: Session) -> None:
    """Close ``session``; a failure is logged, not raised: the work is done (a filing may be
    committed) and its answer stands; the request's dependency closes the session again."""
    try:
        session.close()
    except Exception:
        logging.getLogger(__name__).warning("closing a session after a screening failed",
                                            exc_info=True)


class ScreeningSlots:
    """At most ``size`` screenings of this process at once; the others wait for a slot on the
    event loop, first come first served, with their body read and their key checked.

    Many screenings side by side in the thread pool share one GIL and the engine's lock in no
    order, so a few waited far longer than the rest (``bench.http``, 16 clients, 2 workers, one
    run: p99 636 ms beside a p50 of 140 ms, 103/s; two at a time: p99 285 ms, 110/s)."""

    def __init__(self, size: int) -> None:
        self.size = size
        # One semaphore per event loop (a semaphore serves the loop it first waited on; a
        # test may run the app on several).
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary())

    async def run(self, work: Callable[[], T], *, closing: Session | None = None) -> T:
        """``work()`` in the thread pool once a slot is free; ``closing``: a session closed in
        the same thread when the work ends (its connection handed back there, rather than by
        one more trip to the thread pool after the answer)."""
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.size)

        def job() -> T:
            try:
                return work()
            finally:
                if closing is not None:
                    _close(closing)

        async with gate:
            return await run_in_threadpool(job)
