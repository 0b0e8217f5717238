"""What already exists: registry labs (with their equipment) and programs/tasks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from wastescreen.core import reference
from wastescreen.domain.fields import (
    STRICT,
    VND,
    DomainModel,
    EquipmentCategoryCode,
    NonEmptyText,
    ProvinceName,
    Text,
    check_area,
)

Code = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._\-/]+$")]


class LabEquipment(DomainModel):
    model_config = STRICT
    name: NonEmptyText
    category: EquipmentCategoryCode
    quantity: Annotated[int, Field(ge=1, le=10_000)] = 1
    specification: Text = ""


class Lab(DomainModel):
    """A registry lab. ``utilisation`` is the measured share of capacity used (0–1), measured
    on ``utilisation_measured_on`` by ``utilisation_measured_by`` (a survey, an audit, the
    lab's booking system) when known."""

    model_config = STRICT
    lab_code: Code
    name: NonEmptyText
    host: NonEmptyText
    province: ProvinceName
    technology_area_version: str = Field(default_factory=reference.latest_area_version)
    technology_area: str
    field: Text = ""
    year_established: Annotated[int, Field(ge=1900, le=2100)]
    investment_vnd: VND = 0
    capacity_hours_per_year: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    utilisation: Annotated[float | None, Field(ge=0, le=1)] = None
    utilisation_measured_on: dt.date | None = None
    utilisation_measured_by: Text = ""
    open_for_shared_use: bool = False
    equipment: Annotated[list[LabEquipment], Field(max_length=2_000)] = []

    @field_validator("technology_area")
    @classmethod
    def _area_known(cls, value: str, info: ValidationInfo) -> str:
        return check_area(value, info.data.get("technology_area_version", ""))


class ProgramStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProgramOutcome(StrEnum):
    UNKNOWN = "unknown"
    DELIVERED = "delivered"
    PARTIAL = "partial"
    NOT_DELIVERED = "not_delivered"


class Program(DomainModel):
    """A registry program or task (chương trình / nhiệm vụ KH&CN)."""

    model_config = STRICT
    program_code: Code
    title: NonEmptyText
    managing_agency: NonEmptyText
    province: ProvinceName | None = None
    technology_area_version: str = Field(default_factory=reference.latest_area_version)
    technology_area: str
    field: Text = ""
    objectives: Text = ""
    budget_vnd: VND = 0
    start_year: Annotated[int, Field(ge=1900, le=2100)]
    end_year: Annotated[int, Field(ge=1900, le=2100)]
    status: ProgramStatus = ProgramStatus.ONGOING
    outcome: ProgramOutcome = ProgramOutcome.UNKNOWN

    @field_validator("technology_area")
    @classmethod
    def _area_known(cls, value: str, info: ValidationInfo) -> str:
        return check_area(value, info.data.get("technology_area_version", ""))

    @field_validator("end_year")
    @classmethod
    def _end_after_start(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("start_year")
        if start is not None and value < start:
            raise PydanticCustomError("end_before_start", "end_year must not be before start_year")
        return value
