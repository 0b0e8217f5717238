"""Reasons read true: a value is a reason only outside its comparable range on the risky side;
yes/no features only on their risky side; categories say which way and against what; a missing
track record is said as such, never as a default rate."""

from __future__ import annotations

import numpy as np

from wastescreen.features.catalogue import FEATURE_NAMES
from wastescreen.screening.reasons import top_reasons

RANGES = {"researchers_per_instrument": {"p25": 0.7, "p75": 2.5, "median": 1.2, "mean": 1.4},
          "equipment_share": {"p25": 0.13, "p75": 0.66, "median": 0.4, "mean": 0.4},
          "has_shared_use_plan": {"p25": 0.0, "p75": 1.0, "median": 1.0, "mean": 0.78},
          "agency_past_idle_rate": {"p25": 0.1, "p75": 0.3, "median": 0.2, "mean": 0.2}}
RATES = {"project_type": {"new_lab": 0.31, "lab_upgrade": 0.18, "research_program": 0.22}}


def _reasons(values: dict[str, float | str | None], raising: list[str]) -> list[str]:
    row = np.array([0.5 if f in raising else 0.0 for f in FEATURE_NAMES])
    full = {f: values.get(f) for f in FEATURE_NAMES}
    return [r.text_en for r in top_reasons({"idle_assets": row}, list(FEATURE_NAMES), full,
                                           RANGES, RATES)]


def test_a_value_inside_its_comparable_range_is_no_reason() -> None:
    inside = _reasons({"researchers_per_instrument": 0.7, "equipment_share": 0.65,
                       "agency_past_projects": 3.0},
                      ["researchers_per_instrument", "equipment_share"])
    assert inside == []
    outside = _reasons({"researchers_per_instrument": 0.4, "equipment_share": 0.8,
                        "agency_past_projects": 3.0},
                       ["researchers_per_instrument", "equipment_share"])
    assert len(outside) == 2 and "0.7–2.5" in " ".join(outside)


def test_the_safe_side_of_a_range_is_no_reason() -> None:
    # More researchers per instrument than comparable projects lowers idle risk: not a reason.
    assert _reasons({"researchers_per_instrument": 9.0, "agency_past_projects": 3.0},
                    ["researchers_per_instrument"]) == []


def test_yes_no_features_are_reasons_only_on_their_risky_side() -> None:
    missing = _reasons({"has_shared_use_plan": 0.0, "agency_past_projects": 3.0},
                       ["has_shared_use_plan"])
    assert missing and "78%" in missing[0]
    assert _reasons({"has_shared_use_plan": 1.0, "agency_past_projects": 3.0},
                    ["has_shared_use_plan"]) == []


def test_a_category_says_which_way_and_against_what() -> None:
    text = _reasons({"project_type": "new_lab", "agency_past_projects": 3.0},
                    ["project_type"])[0]
    assert "riskier than" in text and "31%" in text and "18%" in text
    assert _reasons({"project_type": "lab_upgrade", "agency_past_projects": 3.0},
                    ["project_type"]) == []  # the least risky kind worries nobody


def test_no_history_is_said_as_such_and_no_default_rate_is_shown() -> None:
    text = _reasons({"agency_past_idle_rate": 0.2, "agency_past_projects": 0.0},
                    ["agency_past_idle_rate", "agency_past_projects"])
    assert text == ["The agency has no earlier project with a known outcome: there is no "
                    "track record to rely on."]
    assert "20%" not in " ".join(text)
