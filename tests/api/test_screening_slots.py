"""A process screens at most ``screening_concurrency`` requests at once; the others wait for a
slot in the order they came, and the slots serve whichever event loop runs them."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import types
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, AGENCY_B, DemoService
from wastescreen.api.app import create_app
from wastescreen.api.deps import SessionDep
from wastescreen.api.limits import ScreeningSlots
from wastescreen.core.settings import Settings


def _run_many(slots: ScreeningSlots, n: int) -> tuple[int, list[int]]:
    """The most works that ran at once, and the order they started in, for ``n`` requests
    arriving one after the other (each work takes 30 ms of a thread)."""
    running, most, started = 0, 0, []
    lock = threading.Lock()

    def work(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            started.append(i)
        time.sleep(0.03)
        with lock:
            running -= 1
        return i

    async def requests() -> list[int]:
        tasks = []
        for i in range(n):
            tasks.append(asyncio.create_task(slots.run(lambda i=i: work(i))))  # type: ignore[misc]
            await asyncio.sleep(0.001)  # arrivals in order
        return list(await asyncio.gather(*tasks))

    assert asyncio.run(requests()) == list(range(n))  # each answer is its own request's
    return most, started


@pytest.mark.parametrize("size", [1, 2])
def test_at_most_size_at_once_first_come_first_served(size: int) -> None:
    most, started = _run_many(ScreeningSlots(size), 8)
    assert most == size
    # In turn: a request starts at most size - 1 places from where it arrived (two slots
    # freed together hand their works to the thread pool in either order).
    assert sorted(started) == list(range(8))
    assert all(abs(place - i) < size for place, i in enumerate(started))


def test_the_slots_serve_a_new_event_loop() -> None:
    slots = ScreeningSlots(1)
    for _ in range(2):  # two asyncio.run calls: two loops (an app's lifespan can run twice)
        assert _run_many(slots, 3)[0] == 1


def test_a_concurrency_below_one_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="screening_concurrency"):
        Settings(screening_concurrency=0)


def test_by_default_the_workers_share_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WASTESCREEN_WORKERS", raising=False)
    monkeypatch.delenv("WASTESCREEN_SCREENING_CONCURRENCY", raising=False)
    assert Settings().screening_slots() == 2  # one worker on two cores
    monkeypatch.setenv("WEB_CONCURRENCY", "2")  # uvicorn's and gunicorn's worker count
    assert Settings().worker_count() == 2 and Settings().screening_slots() == 1
    monkeypatch.setenv("WASTESCREEN_WORKERS", "1")  # ours (`serve --workers`) wins
    assert Settings().worker_count() == 1 and Settings().screening_slots() == 2
    assert Settings(workers=2, screening_concurrency=3).screening_slots() == 3  # set: kept
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(32)))
    assert Settings(workers=1).screening_slots() == 2  # never more than two at once
    assert Settings(workers=64).screening_slots() == 1  # never fewer than one
    monkeypatch.delenv("WASTESCREEN_WORKERS")
    for other in ("", "many", "0", "-3"):  # another program's value, not a count: not ours
        monkeypatch.setenv("WEB_CONCURRENCY", other)
        assert Settings().worker_count() == 1
    monkeypatch.setenv("WASTESCREEN_WORKERS", "many")  # ours: refused, named
    with pytest.raises(ValidationError, match="workers"):
        Settings()


def test_the_screening_routes_wait_for_a_slot_of_the_configured_size(
        service: DemoService, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pre-check, a filing and a revision each go through the app's slots (the filing and
    the revision are refused inside their slot, so nothing is stored for them)."""
    taken: list[int] = []
    run = ScreeningSlots.run

    async def counted(self: ScreeningSlots, work: Callable[[], Any], **kw: Any) -> Any:
        taken.append(self.size)
        return await run(self, work, **kw)

    monkeypatch.setattr(ScreeningSlots, "run", counted)
    body = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    settings = service.settings.model_copy(update={"screening_concurrency": 1})
    with TestClient(create_app(settings)) as client:
        r = client.post("/v1/prechecks", json={**body, "agency": AGENCY_A},
                        headers=service.auth("agency_a"))
        assert r.status_code == 201, r.text
        r = client.post("/v1/screenings", json={**body, "agency": AGENCY_B},
                        headers=service.auth("agency_a"))
        assert r.status_code == 403, r.text  # another agency's proposal
        r = client.post("/v1/screenings/no-such-screening/revisions",
                        json={"proposal": {**body, "agency": AGENCY_A}, "answers": []},
                        headers=service.auth("agency_a"))
        assert r.status_code == 404, r.text
    assert taken == [1, 1, 1]


def test_sessions_give_their_connection_back_in_a_thread_and_none_is_kept(
        service: DemoService, monkeypatch: pytest.MonkeyPatch) -> None:
    """A session that still holds a connection is never closed on the event loop (that would
    be database I/O there); the screening routes close theirs in their slot's thread, so
    the request's dependency closes it on the loop with nothing left to give back; after
    the answers, no connection is checked out of the pool."""
    closes: list[tuple[bool, bool]] = []  # (on the event loop, holding a connection)
    close = Session.close

    def recorded(self: Session) -> None:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        closes.append((on_loop, self.in_transaction()))
        close(self)

    monkeypatch.setattr(Session, "close", recorded)
    body = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    with TestClient(create_app(service.settings)) as client:
        closes.clear()  # the start-up's own (it loads the engine before serving)
        r = client.post("/v1/prechecks", json={**body, "agency": AGENCY_A},
                        headers=service.auth("agency_a"))
        assert r.status_code == 201, r.text
        precheck = closes[:]
        assert client.get(f"/v1/screenings/{r.json()['id']}",
                          headers=service.auth("agency_a")).status_code == 200
        assert client.get("/v1/prechecks", headers={"Authorization": "Bearer nope"}
                          ).status_code == 401
        assert client.app.state.db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert (False, True) in precheck and (True, False) in precheck
    assert (True, True) not in closes


def test_a_session_is_given_back_when_every_pool_thread_waits_for_a_connection(
        tmp_path: Any) -> None:
    """Closing a session that holds a connection does not queue for the shared thread pool:
    with 2 threads and 1 connection, six requests that each read and hold it a moment all
    answer (a close waiting behind the threads that wait for its connection timed out)."""
    import httpx
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import sessionmaker


    engine = create_engine(f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0,
                           pool_timeout=2)
    app = FastAPI()
    app.state.db = types.SimpleNamespace(sessions=sessionmaker(engine))

    @app.get("/read", response_model=None)
    def read(session: SessionDep) -> PlainTextResponse:  # a sync route: the pool's threads
        session.execute(text("SELECT 1")).all()
        time.sleep(0.05)
        return PlainTextResponse("read")  # a Response: the transaction is still open here

    async def six() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*[client.get("/read") for _ in range(6)])
        return [a.status_code for a in answers]

    try:
        assert asyncio.run(six()) == [200] * 6
    finally:
        engine.dispose()
