"""What a pre-check pays besides its screening. Every statement of its path (key check, rate
limit, agency spelling, catch-up, store, audit trail) is of tables' columns, run by SQLAlchemy
Core rather than through the ORM's compile and loading steps, which doubled their CPU; and the
engine loaded at start-up is left out of the cycle collector's full collections, which walked
it with the GIL held (``core.collector``)."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from tests.api.filing import copy_of_ongoing_program
from tests.api.statements import statements_sent
from tests.demo_service import DemoService
from wastescreen.api.app import create_app
from wastescreen.screening.engine import load_engine, registry_context
from wastescreen.storage import rate_limits


@pytest.fixture(scope="module")
def client(service: DemoService) -> Iterator[TestClient]:
    # No batch sweep but the one at start-up (done before the first answer below): its
    # statements would mix with those a test counts.
    settings = service.settings.model_copy(update={"batch_sweep_seconds": 3600.0})
    with TestClient(create_app(settings)) as c:
        yield c


def _orm_statements(run: Callable[[], object], session: Session | None = None
                    ) -> tuple[list[str], int]:
    """The ORM statements any session (or only ``session``) runs during ``run``, and how many
    statements ran."""
    orm: list[str] = []
    count = 0

    def seen(state: ORMExecuteState) -> None:
        nonlocal count
        if session is not None and state.session is not session:
            return  # another thread's (an app's sweep still finishing, say)
        count += 1
        if state.is_orm_statement:
            orm.append(str(state.statement))

    event.listen(Session, "do_orm_execute", seen)
    try:
        run()
    finally:
        event.remove(Session, "do_orm_execute", seen)
    return orm, count


def test_a_precheck_runs_no_orm_statement(client: TestClient, service: DemoService) -> None:
    body = copy_of_ongoing_program(service, "(câu lệnh)")
    warm = client.post("/v1/prechecks", json=body, headers=service.auth("agency_a"))
    assert warm.status_code == 201, warm.text
    answers: list[Any] = []
    orm, count = _orm_statements(lambda: answers.append(client.post(
        "/v1/prechecks", json={**body, "title": body["title"] + " 2"},
        headers=service.auth("agency_a"))))
    assert answers[0].status_code == 201, answers[0].text
    assert count >= 5  # key check, rate limit, agency, catch-up, audit tail at least
    assert orm == []


def test_the_listener_sees_orm_statements(client: TestClient, service: DemoService) -> None:
    """The check above could fail: reading a screening back loads it through the ORM."""
    filed = client.post("/v1/prechecks", json=copy_of_ongoing_program(service, "(đọc lại)"),
                        headers=service.auth("agency_a")).json()
    orm, _ = _orm_statements(lambda: client.get(f"/v1/screenings/{filed['id']}",
                                                headers=service.auth("agency_a")))
    assert orm


def _tracked_ids() -> set[int]:
    return {id(o) for o in gc.get_objects()}


def test_the_engine_loaded_at_start_up_is_left_out_of_collections(
        service: DemoService) -> None:
    with TestClient(create_app(service.settings)) as c:
        engine = c.app.state.screener.engine  # type: ignore[attr-defined]
        assert engine is not None
        index = engine.context.index
        assert gc.get_freeze_count() > 0
        tracked = _tracked_ids()
        assert id(engine) not in tracked and id(index) not in tracked
    # Stopped: given back to the collector, so that a process that goes on can free them.
    assert id(engine) in _tracked_ids()


def test_a_new_rate_limit_window_runs_no_orm_statement(service: DemoService) -> None:
    """The first count of a minute also drops the finished windows' counters."""
    with service.db.sessions() as session:
        later = time.time() + 3 * rate_limits.WINDOW_S  # a window no request reached yet
        orm, count = _orm_statements(
            lambda: rate_limits.hit(session, "key:overheads", 10, now=later), session)
        assert count == 2  # the count, and the drop that a new window brings
        assert orm == []


def test_a_replaced_registry_context_is_freed_without_the_collector(
        service: DemoService) -> None:
    """A frozen object in a reference cycle is never freed: a worker that catches up with a
    registry change drops its old context, which must go by reference counting alone."""
    with service.db.sessions() as session:
        engine = load_engine(service.settings, session)
        old = engine.context
        gone: list[weakref.ref[Any]] = [weakref.ref(old), weakref.ref(old.index),
                                        weakref.ref(old.shared_use)]
        gc.disable()
        try:
            engine.context = registry_context(session)
            del old
            assert [r() is None for r in gone] == [True, True, True]
        finally:
            gc.enable()


def test_the_key_check_reads_the_key_and_its_address_failures_in_one_statement(
        client: TestClient, service: DemoService) -> None:
    engine = client.app.state.db.engine  # type: ignore[attr-defined]
    answers: list[Any] = []

    def key_check(headers: dict[str, str]) -> list[str]:
        """The key check's statements of one request (a sweep's could mix in otherwise)."""
        sent = statements_sent(engine, lambda: answers.append(
            client.get("/v1/registry/labs?limit=1", headers=headers)))
        return [q for q in sent if "api_keys" in q or "rate_counters" in q]

    sent = key_check(service.auth("reviewer"))
    assert answers[-1].status_code == 200, answers[-1].text
    assert "FROM api_keys" in sent[0] and "rate_counters" in sent[0]
    assert sent[1].startswith("INSERT INTO rate_counters")  # the key's count, nothing between
    # A key nobody holds brings no row: its address's failures are read on their own.
    sent = key_check({"Authorization": "Bearer ws_x"})
    assert answers[-1].status_code == 401
    assert "FROM api_keys" in sent[0] and sent[1].startswith("SELECT rate_counters.count")
