"""Every schema change is tested on a database made before it: data written under the older
schema survives the upgrade and gets the values the migration promises."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from wastescreen.storage.migrate import alembic_config, head_revision, is_at_head, upgrade_to_head
from wastescreen.storage.tables import Base


def _upgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a new, empty database (no migration run yet)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    base = request.getfixturevalue("postgres_url")
    name = f"wastescreen_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # a generated name, not input
    engine = create_engine(make_url(base).set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_0004_keeps_labs_and_screenings_and_backfills_the_model_band(
        empty_engine: Engine) -> None:
    _upgrade(empty_engine, "0003")
    with empty_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO labs (lab_code, name, host, province, region, technology_area, "
            "technology_area_version, field, year_established, investment_vnd, "
            "capacity_hours_per_year, utilisation, open_for_shared_use, content_hash, "
            "updated_at) VALUES ('LAB-OLD', 'Old lab', 'Host', 'Hà Nội', 'RRD', 'BIOTECH', "
            "'2025-06-12', '', 2010, 0, 1000, 0.2, true, 'x', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO proposals (id, kind, reference_code, cycle, agency, province, "
            "technology_area, project_type, title, total_budget_vnd, submitted_on, payload, "
            "input_hash, created_at) VALUES ('p1', 'submission', '', 2026, 'A', 'Hà Nội', "
            "'BIOTECH', 'new_lab', 'T', 1, '2025-10-01', '{}', 'h', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO screenings (id, proposal_id, kind, cycle, agency, status, "
            "overall_score, band, model_version, registry_snapshot, input_hash, result, "
            "created_at) VALUES ('s1', 'p1', 'submission', 2026, 'A', 'queued', 0.7, "
            "'high', 'm', 1, 'h', '{}', CURRENT_TIMESTAMP)"))
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as conn:
        lab = conn.execute(text("SELECT name, utilisation, utilisation_measured_on, "
                                "utilisation_measured_by FROM labs")).one()
        screening = conn.execute(text("SELECT band, model_band, fired_flags "
                                      "FROM screenings")).one()
    assert tuple(lab) == ("Old lab", 0.2, None, "")
    assert (screening.band, screening.model_band, screening.fired_flags) == ("high", "high",
                                                                           None)


def test_0008_backfills_when_outcomes_were_recorded_and_keeps_keys_and_decisions(
        empty_engine: Engine) -> None:
    _upgrade(empty_engine, "0007")
    with empty_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO proposals (id, kind, reference_code, cycle, agency, province, "
            "technology_area, project_type, title, total_budget_vnd, submitted_on, payload, "
            "input_hash, created_at) VALUES ('h1', 'historical', '', 2020, 'A', 'Hà Nội', "
            "'BIOTECH', 'new_lab', 'T', 1, '2019-10-01', '{}', 'h', '2026-01-02 03:04:05')"))
        conn.execute(text(
            "INSERT INTO proposal_outcomes (proposal_id, approved, observed_on, idle_assets, "
            "duplication_found, outputs_not_delivered) VALUES ('h1', true, '2023-01-01', "
            "false, true, false)"))
        conn.execute(text(
            "INSERT INTO api_keys (key_hash, prefix, role, agency, label, created_at) VALUES "
            "('k', 'ws_x', 'reviewer', NULL, 'old', CURRENT_TIMESTAMP)"))
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as conn:
        recorded = conn.execute(text("SELECT recorded_at FROM proposal_outcomes")).scalar()
        key = conn.execute(text("SELECT label, holder FROM api_keys")).one()
        versions = conn.execute(text("SELECT count(*) FROM registry_versions")).scalar()
    assert recorded is not None and str(recorded).startswith("2026-01-02")
    assert tuple(key) == ("old", "") and versions == 0


def test_0009_keeps_screenings_and_decisions_and_revises_nothing_before_it(
        empty_engine: Engine) -> None:
    _upgrade(empty_engine, "0008")
    with empty_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO proposals (id, kind, reference_code, cycle, agency, province, "
            "technology_area, project_type, title, total_budget_vnd, submitted_on, payload, "
            "input_hash, created_at) VALUES ('p1', 'submission', 'R-1', 2026, 'A', 'Hà Nội', "
            "'BIOTECH', 'new_lab', 'T', 1, '2025-10-01', '{}', 'h', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO screenings (id, proposal_id, kind, cycle, agency, status, "
            "overall_score, band, model_version, registry_snapshot, input_hash, result, "
            "created_at) VALUES ('s1', 'p1', 'submission', 2026, 'A', 'decided', 0.7, "
            "'high', 'm', 1, 'h', '{}', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO decisions (screening_id, decision, rationale, override, decided_by, "
            "created_at) VALUES ('s1', 'revise', 'Sửa phần thiết bị', false, 'Người A', "
            "CURRENT_TIMESTAMP)"))
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as conn:
        screening = conn.execute(text("SELECT status, revises FROM screenings")).one()
        decision = conn.execute(text("SELECT decision, rationale FROM decisions")).one()
        answers = conn.execute(text("SELECT count(*) FROM flag_answers")).scalar()
    assert tuple(screening) == ("decided", None)
    assert tuple(decision) == ("revise", "Sửa phần thiết bị") and answers == 0


def test_the_migrations_make_exactly_the_schema_the_code_declares(empty_engine: Engine) -> None:
    """A table, column, index or type declared in ``storage.tables`` without its migration
    (or the other way round) shows here as a difference."""
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_head_revision_read_from_file_names_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert head_revision() == script.get_current_head()


def test_a_database_behind_head_is_upgraded_and_one_at_head_is_left_alone(
        empty_engine: Engine) -> None:
    assert not is_at_head(empty_engine)  # no alembic_version table yet
    _upgrade(empty_engine, "0008")
    assert not is_at_head(empty_engine)
    upgrade_to_head(empty_engine)
    assert is_at_head(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() \
            == head_revision()
