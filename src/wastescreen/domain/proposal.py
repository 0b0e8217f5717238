"""An approval-stage proposal (đề xuất chủ trương đầu tư / nhiệm vụ KH&CN)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from wastescreen.core import reference
from wastescreen.core.agency import agency_name_problem
from wastescreen.domain.fields import STRICT as DOMAIN_STRICT
from wastescreen.domain.fields import (
    TRL,
    VND,
    DomainModel,
    EquipmentCategoryCode,
    NonEmptyText,
    ProvinceName,
    Text,
    check_area,
)

STRICT = ConfigDict(**DOMAIN_STRICT, str_max_length=20_000)


class ProjectType(StrEnum):
    NEW_LAB = "new_lab"
    LAB_UPGRADE = "lab_upgrade"
    EQUIPMENT_PURCHASE = "equipment_purchase"
    RESEARCH_PROGRAM = "research_program"
    DIGITAL_PLATFORM = "digital_platform"
    TRAINING_PROGRAM = "training_program"


class ManagingLevel(StrEnum):
    MINISTRY = "ministry"
    PROVINCE = "province"


class EquipmentItem(DomainModel):
    """One line of the equipment list: ``quantity`` units at ``unit_cost_vnd`` each."""

    model_config = STRICT
    name: NonEmptyText
    category: EquipmentCategoryCode
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    unit_cost_vnd: VND
    specification: Text = ""

    @property
    def total_vnd(self) -> int:
        return self.quantity * self.unit_cost_vnd


class KPI(DomainModel):
    """An expected output: ``metric`` reaching ``target`` (in ``unit``) by ``deadline``."""

    model_config = STRICT
    metric: Text
    target: float | None = None
    unit: Text = ""
    deadline: dt.date | None = None

    @field_validator("metric")
    @classmethod
    def _metric_required(cls, value: str) -> str:
        if not value:
            raise PydanticCustomError("kpi_without_metric", "a KPI must name its metric")
        return value

    @property
    def is_measurable(self) -> bool:
        return self.target is not None and self.deadline is not None


class Researcher(DomainModel):
    model_config = STRICT
    name: NonEmptyText
    role: Text = ""


class BudgetBreakdown(DomainModel):
    """Budget by use, whole VND."""

    model_config = STRICT
    equipment_vnd: VND = 0
    construction_vnd: VND = 0
    personnel_vnd: VND = 0
    operations_vnd: VND = 0
    other_vnd: VND = 0

    @property
    def total_vnd(self) -> int:
        return (
            self.equipment_vnd
            + self.construction_vnd
            + self.personnel_vnd
            + self.operations_vnd
            + self.other_vnd
        )


BUDGET_TOLERANCE = 0.01


class Proposal(DomainModel):
    """A proposal as filed. Money in whole VND, durations in months, TRL 1–9."""

    model_config = STRICT

    reference_code: Annotated[str, Field(max_length=80)] = ""
    cycle: Annotated[int, Field(ge=2000, le=2100, description="Budget cycle (year).")]
    title: NonEmptyText
    summary: Text = ""
    objectives: Text = ""
    agency: NonEmptyText
    managing_level: ManagingLevel
    province: ProvinceName
    technology_area_version: Annotated[str, Field(max_length=20)] = Field(
        default_factory=reference.latest_area_version
    )
    technology_area: Annotated[str, Field(max_length=40)]
    project_type: ProjectType
    total_budget_vnd: VND
    budget: BudgetBreakdown
    cofunding_vnd: VND = 0
    cofunding_sources: Text = ""
    submitted_on: dt.date
    start_date: dt.date
    duration_months: Annotated[int, Field(ge=1, le=240)]
    end_date: dt.date | None = None
    equipment: Annotated[list[EquipmentItem], Field(max_length=500)] = []
    kpis: Annotated[list[KPI], Field(max_length=200)] = []
    trl_start: TRL
    trl_target: TRL
    researchers: Annotated[list[Researcher], Field(max_length=2_000)] = []
    om_budget_vnd_per_year: VND = 0
    shared_use_plan: Text = ""

    @field_validator("agency")
    @classmethod
    def _agency_name(cls, value: str) -> str:
        problem = agency_name_problem(value)
        if problem is not None:
            raise PydanticCustomError(problem[0], problem[1])
        return value

    # Field validators run in declaration order, so each rule below sees the fields it compares
    # with in ``info.data`` and its error is located at the field that breaks it.
    @field_validator("technology_area")
    @classmethod
    def _area_known(cls, value: str, info: ValidationInfo) -> str:
        version = info.data.get("technology_area_version", reference.latest_area_version())
        return check_area(value, version)

    @field_validator("budget")
    @classmethod
    def _breakdown_adds_up(cls, value: BudgetBreakdown, info: ValidationInfo) -> BudgetBreakdown:
        total = info.data.get("total_budget_vnd")
        if total is None:
            return value
        if abs(value.total_vnd - total) > BUDGET_TOLERANCE * max(total, 1):
            raise PydanticCustomError(
                "budget_breakdown_mismatch",
                "budget breakdown adds up to {breakdown} VND, not the total {total} VND "
                "(1 % tolerance)",
                {"breakdown": value.total_vnd, "total": total},
            )
        return value

    @field_validator("end_date")
    @classmethod
    def _end_after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value <= start:
            raise PydanticCustomError("end_before_start", "end_date must be after start_date")
        return value

    @field_validator("trl_target")
    @classmethod
    def _trl_not_down(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("trl_start")
        if start is not None and value < start:
            raise PydanticCustomError(
                "trl_target_below_start", "trl_target must not be below trl_start"
            )
        return value

    @property
    def equipment_total_vnd(self) -> int:
        return sum(item.total_vnd for item in self.equipment)

    @property
    def instrument_count(self) -> int:
        return sum(item.quantity for item in self.equipment)

    @property
    def has_shared_use_plan(self) -> bool:
        return bool(self.shared_use_plan)
