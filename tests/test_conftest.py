"""Where the tests look for PostgreSQL: the variable's server, the local default when it is
unset, none when it is set empty; a server that does not answer skips, saying how to fix it."""

from __future__ import annotations

import socket
import time

import pytest

from tests.conftest import (
    PG_CONNECT_TIMEOUT,
    PG_DEFAULT,
    PG_ENV,
    _new_postgres_database,
    _postgres_admin_url,
)


def test_the_local_default_when_unset_and_off_when_empty(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.delenv(PG_ENV, raising=False)
    assert _postgres_admin_url() == PG_DEFAULT
    monkeypatch.setenv(PG_ENV, "postgresql+psycopg://u@db.example:5433/postgres")
    assert _postgres_admin_url() == "postgresql+psycopg://u@db.example:5433/postgres"
    for off in ("", "  "):
        monkeypatch.setenv(PG_ENV, off)
        assert _postgres_admin_url() is None
        with pytest.raises(pytest.skip.Exception, match="is set empty"), \
                _new_postgres_database("never"):
            pytest.fail("no database without a server")


def test_a_server_that_does_not_answer_is_a_clear_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port on which nothing listens: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv(PG_ENV, f"postgresql+psycopg://postgres:secret@127.0.0.1:{port}/x")
        with pytest.raises(pytest.skip.Exception) as skipped, _new_postgres_database("never"):
            pytest.fail("no database without a server")
    reason = str(skipped.value)
    assert f"127.0.0.1:{port}" in reason and "OperationalError" in reason
    assert "secret" not in reason and "set it empty" in reason


def test_a_server_that_never_answers_is_given_up_on(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # accepts the connection (backlog), never says a word
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        monkeypatch.setenv(PG_ENV, f"postgresql+psycopg://postgres@127.0.0.1:{port}/x")
        started = time.monotonic()
        with pytest.raises(pytest.skip.Exception, match="connect timeout"), \
                _new_postgres_database("never"):
            pytest.fail("no database without a server")
    assert time.monotonic() - started < PG_CONNECT_TIMEOUT + 5
