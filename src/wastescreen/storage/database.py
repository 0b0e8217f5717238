"""Open the configured database, migrated to the newest schema."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from wastescreen.core.settings import Settings
from wastescreen.storage.audit_key import audit_key
from wastescreen.storage.engine import make_engine, make_session_factory
from wastescreen.storage.migrate import upgrade_to_head


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """Engine + session factory for ``settings``; runs Alembic migrations unless told not to."""
    engine = make_engine(settings.resolved_database_url())
    if migrate:
        upgrade_to_head(engine)
    return Database(engine=engine,
                    sessions=make_session_factory(engine, audit_key(settings)))
