"""Every validation rule of the domain schema names its field and its rule."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from pydantic import ValidationError

from tests.conftest import EXAMPLES
from wastescreen.domain import Lab, Program, Proposal


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    return data


def errors_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        Proposal.model_validate(data)
    return [(".".join(str(p) for p in e["loc"]), e["type"]) for e in info.value.errors()]


def test_example_proposal_is_valid() -> None:
    p = Proposal.model_validate(example())
    assert p.province == "Hà Nội"
    assert p.instrument_count == 7
    assert p.has_shared_use_plan


def test_budget_breakdown_must_add_up_within_one_percent() -> None:
    data = example()
    data["budget"]["other_vnd"] += int(0.009 * data["total_budget_vnd"])  # inside tolerance
    Proposal.model_validate(data)
    data["budget"]["other_vnd"] += int(0.01 * data["total_budget_vnd"])  # now 1.9 % off
    assert errors_of(data) == [("budget", "budget_breakdown_mismatch")]


@pytest.mark.parametrize("path", [
    ("total_budget_vnd",), ("cofunding_vnd",), ("om_budget_vnd_per_year",),
    ("budget", "personnel_vnd"), ("equipment", 0, "unit_cost_vnd"),
])
def test_negative_money_is_rejected(path: tuple[Any, ...]) -> None:
    data = example()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = -1
    found = errors_of(data)
    assert (".".join(str(p) for p in path), "greater_than_equal") in found


def test_end_before_start() -> None:
    data = example()
    data["end_date"] = "2025-12-01"
    assert errors_of(data) == [("end_date", "end_before_start")]


def test_target_trl_below_start() -> None:
    data = example()
    data["trl_target"] = 2
    assert errors_of(data) == [("trl_target", "trl_target_below_start")]


@pytest.mark.parametrize("field", ["trl_start", "trl_target"])
def test_trl_outside_one_to_nine(field: str) -> None:
    data = example()
    data[field] = 10
    assert (field, "less_than_equal") in errors_of(data)


@pytest.mark.parametrize("title", ["", "   ", "\u00a0\t"])
def test_empty_title(title: str) -> None:
    data = example()
    data["title"] = title
    assert errors_of(data) == [("title", "empty_text")]


def test_unknown_province() -> None:
    data = example()
    data["province"] = "Atlantis"
    assert errors_of(data) == [("province", "unknown_province")]


def test_province_accepts_ascii_and_old_names() -> None:
    data = example()
    data["province"] = "ho chi minh"
    assert Proposal.model_validate(data).province == "Hồ Chí Minh"
    data["province"] = "Bắc Giang"  # merged into Bắc Ninh in July 2025
    assert Proposal.model_validate(data).province == "Bắc Ninh"


def test_unknown_technology_area_and_version() -> None:
    data = example()
    data["technology_area"] = "TIME_TRAVEL"
    assert errors_of(data) == [("technology_area", "unknown_technology_area")]
    data = example()
    data["technology_area_version"] = "1999-01-01"
    assert ("technology_area", "unknown_area_version") in errors_of(data)


def test_kpi_without_metric() -> None:
    data = example()
    data["kpis"][1]["metric"] = "  "
    assert errors_of(data) == [("kpis.1.metric", "kpi_without_metric")]
    del data["kpis"][1]["metric"]
    assert errors_of(data) == [("kpis.1.metric", "missing")]


def test_unknown_fields_are_rejected() -> None:
    data = example()
    data["budget_total"] = 5
    assert errors_of(data) == [("budget_total", "extra_forbidden")]


def test_unknown_equipment_category() -> None:
    data = example()
    data["equipment"][0]["category"] = "FLUX_CAPACITOR"
    assert errors_of(data) == [("equipment.0.category", "unknown_equipment_category")]


def test_text_is_nfc_normalised() -> None:
    data = example()
    decomposed = unicodedata.normalize("NFD", "Phòng thí nghiệm  Quốc gia")
    data["title"] = decomposed
    p = Proposal.model_validate(data)
    assert p.title == unicodedata.normalize("NFC", "Phòng thí nghiệm Quốc gia")
    assert p.title != decomposed


def test_lab_and_program_rules() -> None:
    with pytest.raises(ValidationError) as info:
        Lab.model_validate({"lab_code": "L1", "name": "x", "host": "y", "province": "Huế",
                            "technology_area": "BIOTECH", "year_established": 2000,
                            "utilisation": 1.5})
    assert [e["loc"] for e in info.value.errors()] == [("utilisation",)]
    with pytest.raises(ValidationError) as info:
        Program.model_validate({"program_code": "P1", "title": "t", "managing_agency": "a",
                                "technology_area": "BIOTECH", "start_year": 2024,
                                "end_year": 2020})
    assert [(e["loc"], e["type"]) for e in info.value.errors()] == [
        (("end_year",), "end_before_start")]
