"""Reading and writing the registry (labs with equipment, programs), keyed by natural codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from wastescreen.core.canonical import sha256_hex
from wastescreen.core.reference import region_of
from wastescreen.domain.registry import Lab, LabEquipment, Program
from wastescreen.storage.agencies import ensure_agencies
from wastescreen.storage.registry_history import assign_pending, keep_version
from wastescreen.storage.tables import LabEquipmentRow, LabRow, ProgramRow, RegistryRevisionRow

R = TypeVar("R", LabRow, ProgramRow)


class UpsertResult(StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def _row_to_write(session: Session, table: type[R], key: Any, code: str,
                  digest: str) -> tuple[R | None, UpsertResult]:
    """The row to fill for natural key ``code`` (a new one, added to the session), or None
    when the stored content already has ``digest``."""
    row = session.execute(select(table).where(key == code)).scalar_one_or_none()
    if row is not None and row.content_hash == digest:
        return None, UpsertResult.UNCHANGED
    if row is not None:
        return row, UpsertResult.UPDATED
    row = table()
    session.add(row)
    return row, UpsertResult.INSERTED


def upsert_lab(session: Session, lab: Lab) -> UpsertResult:
    """Insert or update ``lab`` by ``lab_code``; identical content is left alone."""
    digest = sha256_hex(lab)
    row, result = _row_to_write(session, LabRow, LabRow.lab_code, lab.lab_code, digest)
    if row is None:
        return result
    before = (lab_from_row(row).model_dump(mode="json")
              if result is UpsertResult.UPDATED else None)
    keep_version(session, "lab", lab.lab_code, lab.model_dump(mode="json"), before)
    row.lab_code = lab.lab_code
    row.name, row.host, row.province = lab.name, lab.host, lab.province
    row.region = region_of(lab.province)
    row.technology_area = lab.technology_area
    row.technology_area_version = lab.technology_area_version
    row.field, row.year_established = lab.field, lab.year_established
    row.investment_vnd = lab.investment_vnd
    row.capacity_hours_per_year = lab.capacity_hours_per_year
    row.utilisation, row.open_for_shared_use = lab.utilisation, lab.open_for_shared_use
    row.utilisation_measured_on = lab.utilisation_measured_on
    row.utilisation_measured_by = lab.utilisation_measured_by
    row.content_hash = digest
    row.equipment = [
        LabEquipmentRow(name=e.name, category=e.category, quantity=e.quantity,
                        specification=e.specification)
        for e in lab.equipment
    ]
    session.flush()
    ensure_agencies(session, [lab.host], "registry")
    return result


def upsert_program(session: Session, program: Program) -> UpsertResult:
    """Insert or update ``program`` by ``program_code``; identical content is left alone."""
    digest = sha256_hex(program)
    row, result = _row_to_write(session, ProgramRow, ProgramRow.program_code,
                                program.program_code, digest)
    if row is None:
        return result
    before = (program_from_row(row).model_dump(mode="json")
              if result is UpsertResult.UPDATED else None)
    keep_version(session, "program", program.program_code, program.model_dump(mode="json"),
                 before)
    for name in ("program_code", "title", "managing_agency", "province", "technology_area",
                 "technology_area_version", "field", "objectives", "budget_vnd",
                 "start_year", "end_year"):
        setattr(row, name, getattr(program, name))
    row.status, row.outcome = program.status.value, program.outcome.value
    row.content_hash = digest
    session.flush()
    ensure_agencies(session, [program.managing_agency], "registry")
    return result


def lab_from_row(row: LabRow) -> Lab:
    return Lab(
        lab_code=row.lab_code, name=row.name, host=row.host, province=row.province,
        technology_area_version=row.technology_area_version,
        technology_area=row.technology_area, field=row.field,
        year_established=row.year_established, investment_vnd=row.investment_vnd,
        capacity_hours_per_year=row.capacity_hours_per_year, utilisation=row.utilisation,
        utilisation_measured_on=row.utilisation_measured_on,
        utilisation_measured_by=row.utilisation_measured_by or "",
        open_for_shared_use=row.open_for_shared_use,
        equipment=[LabEquipment(name=e.name, category=e.category, quantity=e.quantity,
                                specification=e.specification) for e in row.equipment],
    )


def program_from_row(row: ProgramRow) -> Program:
    return Program.model_validate({
        "program_code": row.program_code, "title": row.title,
        "managing_agency": row.managing_agency, "province": row.province,
        "technology_area_version": row.technology_area_version,
        "technology_area": row.technology_area, "field": row.field,
        "objectives": row.objectives, "budget_vnd": row.budget_vnd,
        "start_year": row.start_year, "end_year": row.end_year,
        "status": row.status, "outcome": row.outcome,
    })


def get_lab(session: Session, lab_code: str) -> Lab | None:
    row = session.execute(
        select(LabRow).options(selectinload(LabRow.equipment)).where(LabRow.lab_code == lab_code)
    ).scalar_one_or_none()
    return lab_from_row(row) if row else None


def get_program(session: Session, program_code: str) -> Program | None:
    row = session.execute(
        select(ProgramRow).where(ProgramRow.program_code == program_code)
    ).scalar_one_or_none()
    return program_from_row(row) if row else None


def list_labs(session: Session, *, offset: int = 0, limit: int = 100) -> list[Lab]:
    rows = session.execute(
        select(LabRow).options(selectinload(LabRow.equipment))
        .order_by(LabRow.lab_code).offset(offset).limit(limit)
    ).scalars()
    return [lab_from_row(r) for r in rows]


def list_programs(session: Session, *, offset: int = 0, limit: int = 100) -> list[Program]:
    rows = session.execute(
        select(ProgramRow).order_by(ProgramRow.program_code).offset(offset).limit(limit)
    ).scalars()
    return [program_from_row(r) for r in rows]


@dataclass(frozen=True)
class RegistryCounts:
    labs: int
    programs: int


def registry_counts(session: Session) -> RegistryCounts:
    labs = session.execute(select(func.count()).select_from(LabRow)).scalar_one()
    programs = session.execute(select(func.count()).select_from(ProgramRow)).scalar_one()
    return RegistryCounts(labs=labs, programs=programs)


def record_revision(session: Session, summary: str) -> RegistryRevisionRow:
    """Mark a change set of the registry; its id becomes the registry snapshot id."""
    row = RegistryRevisionRow(summary=summary)
    session.add(row)
    session.flush()
    assign_pending(session, row.id)
    return row


def current_revision(session: Session) -> RegistryRevisionRow | None:
    return session.execute(
        select(RegistryRevisionRow).order_by(RegistryRevisionRow.id.desc()).limit(1)
    ).scalar_one_or_none()
