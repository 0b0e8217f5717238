"""Page sessions and rate limits: the cookie is an opaque server-side session (not the key),
Secure over HTTPS, ended by sign-out and by the key's revocation; failed key checks and
sign-ins are limited per client address, and both limits hold across workers (two app
instances over one database stand for two uvicorn workers)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.demo_service import DemoService
from wastescreen.api.app import create_app
from wastescreen.storage.api_keys import Role, create_key
from wastescreen.storage.rate_limits import WINDOW_S
from wastescreen.storage.tables import PageSessionRow, as_utc

# Each test of a limit comes from its own documentation address (RFC 5737), so that counts
# kept in the shared database by other tests do not reach it.
_ADDRESSES = (f"198.51.100.{i}" for i in itertools.count(10))


@pytest.fixture(scope="module")
def app(service: DemoService) -> Iterator[FastAPI]:
    application = create_app(service.settings)
    with TestClient(application):
        yield application


def fresh_window() -> None:
    """Wait out the current rate window when it is about to end, so that a test's requests
    are counted in one window."""
    left = WINDOW_S - time.time() % WINDOW_S
    if left < 5:
        time.sleep(left + 0.1)


def fresh_key(service: DemoService, role: Role = Role.REVIEWER) -> tuple[int, str]:
    with service.db.sessions() as s:
        key, row = create_key(s, role, label="session test")
    return row.id, key


def sign_in(app: FastAPI, key: str, base_url: str = "http://testserver") -> TestClient:
    client = TestClient(app, base_url=base_url, follow_redirects=False)
    r = client.post("/ui/login", data={"key": key})
    assert r.status_code == 303, r.text[:300]
    return client


def cookie_of(client: TestClient) -> str:
    value = client.cookies.get("ws_session")
    assert value
    return value


def test_the_cookie_is_a_session_id_not_the_key(app: FastAPI, service: DemoService) -> None:
    _, key = fresh_key(service)
    client = sign_in(app, key)
    session_id = cookie_of(client)
    assert key not in session_id and session_id.startswith("wss_")
    assert client.get("/ui/queue").status_code == 200
    with service.db.sessions() as s:  # only a hash of the id is kept
        stored = list(s.execute(select(PageSessionRow.id_hash)).scalars())
    assert session_id not in stored and len(stored[0]) == 64
    # neither works in the other's place
    api = TestClient(app)
    assert api.get("/v1/screenings", headers={"Authorization": f"Bearer {session_id}"}
                   ).status_code == 401
    key_as_cookie = TestClient(app, follow_redirects=False, cookies={"ws_session": key})
    assert key_as_cookie.get("/ui/queue").status_code == 303


def test_the_cookie_is_secure_over_https_only(app: FastAPI, service: DemoService) -> None:
    _, key = fresh_key(service)
    for base, secure in (("https://testserver", True), ("http://testserver", False)):
        client = TestClient(app, base_url=base, follow_redirects=False)
        r = client.post("/ui/login", data={"key": key})
        flags = [f.strip().lower() for f in r.headers["set-cookie"].split(";")]
        assert ("secure" in flags) is secure, base
        assert "httponly" in flags and "samesite=strict" in flags


def test_a_session_ends_at_sign_out_even_for_a_copied_cookie(app: FastAPI,
                                                            service: DemoService) -> None:
    _, key = fresh_key(service)
    client = sign_in(app, key)
    stolen = cookie_of(client)
    assert client.post("/ui/logout").status_code == 303
    replay = TestClient(app, follow_redirects=False, cookies={"ws_session": stolen})
    r = replay.get("/ui/queue")
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")


def test_a_session_ends_when_its_key_is_revoked(app: FastAPI, service: DemoService) -> None:
    key_id, key = fresh_key(service)
    client = sign_in(app, key)
    assert client.get("/ui/queue").status_code == 200
    api = TestClient(app)
    assert api.delete(f"/v1/keys/{key_id}", headers=service.auth("admin")).status_code == 204
    assert client.get("/ui/queue").status_code == 303
    with service.db.sessions() as s:
        ends = s.execute(select(PageSessionRow.revoked_at)
                         .where(PageSessionRow.api_key_id == key_id)).scalars().all()
    assert ends and all(e is not None for e in ends)


def test_failed_key_checks_are_limited_per_address_across_workers(service: DemoService) -> None:
    settings = service.settings.model_copy(update={"auth_failures_per_minute": 5})
    fresh_window()
    address = next(_ADDRESSES)
    with TestClient(create_app(settings), client=(address, 1)) as one, \
            TestClient(create_app(settings), client=(address, 2)) as two, \
            TestClient(create_app(settings), client=(next(_ADDRESSES), 3)) as elsewhere:
        bad = {"Authorization": "Bearer ws_guess"}
        codes = [(one if i % 2 else two).get("/v1/screenings", headers=bad).status_code
                 for i in range(5)]
        assert codes == [401] * 5  # the five failures were counted by both workers together
        for worker in (one, two):
            blocked = worker.get("/v1/screenings", headers=bad)
            assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
            assert blocked.json()["error"]["code"] == "rate_limited"
            # a right key from that address waits too: guessing must not go on
            assert worker.get("/v1/screenings",
                              headers=service.auth("reviewer")).status_code == 429
        assert elsewhere.get("/v1/screenings", headers=service.auth("reviewer")).status_code == 200


def test_failed_sign_ins_are_limited_per_address(service: DemoService) -> None:
    settings = service.settings.model_copy(update={"auth_failures_per_minute": 3})
    fresh_window()
    with TestClient(create_app(settings), client=(next(_ADDRESSES), 1),
                    follow_redirects=False) as c:
        assert [c.post("/ui/login", data={"key": f"ws_guess{i}"}).status_code
                for i in range(3)] == [401] * 3
        assert c.post("/ui/login", data={"key": "ws_guess"}).status_code == 429
        assert c.post("/ui/login", data={"key": service.keys["reviewer"]}).status_code == 429
        assert c.get("/v1/screenings", headers={"Authorization": "Bearer x"}).status_code == 429


def test_the_per_key_limit_holds_across_workers(service: DemoService) -> None:
    settings = service.settings.model_copy(update={"rate_limit_per_minute": 4})
    fresh_window()
    _, key = fresh_key(service, Role.AUDITOR)
    h = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        codes = [(one if i % 2 else two).get("/v1/registry/labs?limit=1", headers=h).status_code
                 for i in range(6)]
    assert codes[:4] == [200] * 4 and codes[4:] == [429, 429]


def test_expired_sessions_do_not_sign_in_and_are_dropped(app: FastAPI,
                                                         service: DemoService) -> None:
    key_id, key = fresh_key(service)
    client = sign_in(app, key)
    assert client.get("/ui/queue").status_code == 200
    mine = PageSessionRow.api_key_id == key_id
    with service.db.sessions() as s:  # as if 13 hours had passed
        s.execute(update(PageSessionRow).where(mine).values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
        s.commit()
    assert client.get("/ui/queue").status_code == 303
    sign_in(app, key)  # a new sign-in drops the sessions past their expiry
    with service.db.sessions() as s:
        left = s.execute(select(PageSessionRow.expires_at).where(mine)).scalars().all()
    assert len(left) == 1 and as_utc(left[0]) > dt.datetime.now(dt.UTC)
