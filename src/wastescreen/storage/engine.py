"""Engine and session factory for the configured database (SQLite file by default)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the API read while a batch writes; foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class JsonText(str):
    """A value for a JSON column already serialised (pydantic's ``model_dump_json``), stored
    as it is. Whoever makes one refuses NaN and infinities as ``_json`` does."""


def _json(value: Any) -> str:
    # Keep Vietnamese as UTF-8 rather than \u escapes: a third of the size on disk. NaN and
    # infinities are refused here, on SQLite as on PostgreSQL (whose json type refuses them),
    # so a value that slipped past validation fails alike on both rather than being stored as
    # a token no JSON reader accepts.
    if isinstance(value, JsonText):
        return str(value)
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def json_text(value: Any) -> JsonText:
    """``value`` serialised now as a JSON column would serialise it when written (the same
    text), for a caller that must not do it later (inside a write transaction)."""
    return JsonText(_json(value))


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and WAL mode switched on.
    Statement parameters are left out of error messages (they hold proposals' contents)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=_json,
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_json, hide_parameters=True)


def make_session_factory(engine: Engine, audit_key: bytes | None = None
                         ) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``audit_key`` (in each session's ``info``) seals the events the
    session appends (``storage.audit_log``)."""
    return sessionmaker(engine, expire_on_commit=False, info={"audit_key": audit_key})
