"""Dependencies: the database session, the caller (from ``Authorization: Bearer KEY``), roles,
and the process's screening service."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from wastescreen.api.errors import ApiError
from wastescreen.api.limits import RateLimits, ScreeningSlots, client_address, retry_after_header
from wastescreen.core.labels.messages import msg
from wastescreen.screening.usecases import Screener
from wastescreen.storage.api_keys import Principal, Role, check_key


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. Made on the event loop (a session does no I/O before its first
    statement) and closed there when it holds no connection any more (the screening routes
    close theirs in their own thread), else in a thread of its own: two fewer trips to the
    thread pool than a plain generator, each about 0.25 ms of CPU."""
    session = request.app.state.db.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():  # a connection is held: giving it back is I/O
            # In a thread of its own, shielded, as FastAPI closes a generator dependency: a
            # turn in the shared pool could wait behind threads that wait for this very
            # connection, and a cancelled close would leave it to the garbage collector.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close,
                                               limiter=anyio.CapacityLimiter(1))
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]


async def get_screener(request: Request) -> Screener:
    """The process's screening service (its engine is None until a model is loaded; async:
    no I/O, no thread-pool hop)."""
    screener: Screener = request.app.state.screener
    return screener


ScreenerDep = Annotated[Screener, Depends(get_screener)]


async def get_screening_slots(request: Request) -> ScreeningSlots:
    """The process's screening slots (``limits.ScreeningSlots``; async: no thread-pool hop)."""
    slots: ScreeningSlots = request.app.state.screening_slots
    return slots


SlotsDep = Annotated[ScreeningSlots, Depends(get_screening_slots)]


def get_principal(request: Request, session: SessionDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "unauthorized", msg("unauthorized_no_key"),
                       field="Authorization", headers={"WWW-Authenticate": "Bearer"})
    limits: RateLimits = request.app.state.rate_limits
    address = client_address(request)
    now = time.time()
    # The key and its caller's address's failures in one statement; a key nobody holds comes
    # with no row, so that count is then read on its own, still before the key is judged.
    found = check_key(session, key.strip(), limits.failures_bucket(address), now=now)
    wait = (limits.blocked_at(found.count, now) if found.known
            else limits.blocked(session, address, now=now))
    if wait > 0:
        raise ApiError(429, "rate_limited", msg("rate_limited_address"),
                       headers=retry_after_header(wait))
    principal = found.principal
    if principal is None:
        limits.failed(session, address)
        raise ApiError(401, "unauthorized", msg("unauthorized_bad_key"), field="Authorization",
                       headers={"WWW-Authenticate": "Bearer"})
    wait = limits.take(session, principal.key_id)
    if wait > 0:
        raise ApiError(429, "rate_limited", msg("rate_limited_key"),
                       headers=retry_after_header(wait))
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only ``roles`` through (403 otherwise)."""
    allowed = frozenset(roles)

    # async: no I/O here, so it runs on the event loop instead of taking a thread-pool hop.
    async def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise ApiError(403, "forbidden", msg(
                "forbidden_role", role=principal.role.value,
                allowed=", ".join(sorted(r.value for r in allowed))))
        return principal

    return check
