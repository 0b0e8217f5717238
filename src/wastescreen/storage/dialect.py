"""INSERT ... ON CONFLICT for the two backends (SQLite ≥ 3.35 and PostgreSQL share the syntax,
but SQLAlchemy builds it per dialect): one statement, so concurrent writers need no savepoint."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_insert(session: Session, table: Table) -> Any:
    """The dialect's ``insert(table)``, which has ``on_conflict_do_nothing`` and
    ``on_conflict_do_update``."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
