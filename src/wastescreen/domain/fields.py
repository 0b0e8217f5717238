"""Field types and validators shared by every domain object.

Validation errors carry a stable ``type`` (the rule) and pydantic's ``loc`` (the field), so that an
API or import report can say which field broke which rule.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from wastescreen.core import reference
from wastescreen.core.text import control_character, nfc

# What every domain object refuses: unknown fields, and numbers that are not finite (NaN,
# Infinity, or 1e999, which JSON parsing turns into infinity): no budget or KPI is infinite,
# and PostgreSQL's json type refuses such tokens where SQLite would store them.
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


def check_characters(value: Any) -> Any:
    """Refuse a text holding a control character (NUL, ESC, DEL ...) or a lone surrogate with
    the rule ``control_character``; any other value passes unchanged."""
    if isinstance(value, str):
        bad = control_character(value)
        if bad is not None:
            raise PydanticCustomError(
                "control_character",
                "contains the control character {char}, which has no place in a text",
                {"char": bad},
            )
    return value


class DomainModel(BaseModel):
    """Base of the validated domain objects: ``STRICT``, and every text field of every object
    is checked by ``check_characters`` (so a new field cannot forget it)."""

    model_config = STRICT

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return check_characters(value)


def _clean_text(value: str) -> str:
    return nfc(value)


def _non_empty(value: str) -> str:
    cleaned = nfc(value)
    if not cleaned:
        raise PydanticCustomError("empty_text", "must not be empty or only white space")
    return cleaned


def _province(value: str) -> str:
    hit = reference.resolve_province(value)
    if hit is None:
        raise PydanticCustomError(
            "unknown_province",
            "'{value}' is not one of the 34 provinces and centrally-run cities of the 2025 list",
            {"value": value},
        )
    return hit[0].name_vi


def _equipment_category(value: str) -> str:
    code = nfc(value).upper()
    if code not in reference.equipment_category_codes():
        raise PydanticCustomError(
            "unknown_equipment_category",
            "'{value}' is not an equipment category of the reference table",
            {"value": value},
        )
    return code


Text = Annotated[str, AfterValidator(_clean_text), Field(max_length=20_000)]
NonEmptyText = Annotated[str, AfterValidator(_non_empty), Field(max_length=500)]
ProvinceName = Annotated[str, AfterValidator(_province), Field(max_length=100)]
EquipmentCategoryCode = Annotated[str, AfterValidator(_equipment_category), Field(max_length=40)]
# Money is whole VND; the largest S&T budget is far below 10^16 VND.
VND = Annotated[int, Field(ge=0, le=10**16)]
TRL = Annotated[int, Field(ge=1, le=9)]


def check_area(code: str, version: str) -> str:
    """Raise a rule-named error when ``code`` is not an area of list ``version``."""
    if version not in reference.area_versions():
        raise PydanticCustomError(
            "unknown_area_version",
            "technology area list version '{version}' is not in the reference table",
            {"version": version},
        )
    if code not in reference.area_codes(version):
        raise PydanticCustomError(
            "unknown_technology_area",
            "'{code}' is not a technology area of list version {version}",
            {"code": code, "version": version},
        )
    return code
