"""Storage on both backends: the migrated schema, WAL on SQLite, the tamper-evident audit chain."""

from __future__ import annotations

from sqlalchemy import delete, inspect, text, update

from wastescreen.storage.audit_log import append_event, verify_chain
from wastescreen.storage.database import Database
from wastescreen.storage.tables import AuditEventRow

TABLES = {"labs", "lab_equipment", "programs", "registry_revisions", "proposals",
          "proposal_outcomes", "screenings", "decisions", "audit_events", "api_keys",
          "model_versions", "alembic_version"}


def test_migrations_create_every_table(db: Database) -> None:
    assert set(inspect(db.engine).get_table_names()) >= TABLES


def test_sqlite_runs_in_wal_mode(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def _three_events(database: Database) -> None:
    with database.sessions() as s:
        for i in range(3):
            append_event(s, actor="tester", action="test.event", subject=f"s{i}",
                         details={"i": i, "text": "Phòng thí nghiệm"})
        s.commit()


def test_intact_chain_verifies(db: Database) -> None:
    _three_events(db)
    with db.sessions() as s:
        assert verify_chain(s) == []


def test_edited_event_is_detected(db: Database) -> None:
    _three_events(db)
    with db.sessions() as s:
        s.execute(update(AuditEventRow).where(AuditEventRow.seq == 2)
                  .values(details={"i": 99, "text": "Phòng thí nghiệm"}))
        s.commit()
        problems = verify_chain(s)
    assert [(p.seq, p.problem.key == "chain_edited") for p in problems] == [(2, True)]


def test_deleted_event_is_detected(db: Database) -> None:
    _three_events(db)
    with db.sessions() as s:
        s.execute(delete(AuditEventRow).where(AuditEventRow.seq == 2))
        s.commit()
        problems = verify_chain(s)
    assert {p.seq for p in problems} == {3}
    assert any(p.problem.key == "chain_missing" for p in problems)


def test_reordered_events_are_detected(db: Database) -> None:
    _three_events(db)
    with db.sessions() as s:
        # Swap the positions of events 1 and 2, each keeping its own content and hash.
        s.execute(update(AuditEventRow).where(AuditEventRow.seq == 1).values(seq=1000))
        s.execute(update(AuditEventRow).where(AuditEventRow.seq == 2).values(seq=1))
        s.execute(update(AuditEventRow).where(AuditEventRow.seq == 1000).values(seq=2))
        s.commit()
        problems = verify_chain(s)
    assert {p.seq for p in problems} >= {1, 2}
    assert all(p.problem.key in ("chain_edited", "chain_prev_hash") for p in problems)


def test_chain_verifies_whatever_the_postgres_session_time_zone(db: Database) -> None:
    _three_events(db)
    with db.sessions() as s:
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SET TIME ZONE 'Asia/Ho_Chi_Minh'"))
        assert verify_chain(s) == []
