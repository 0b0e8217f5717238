"""The red-flag catalogue as data, its rules, and the band a fired flag sets."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from wastescreen.domain.result import FlagOutcome
from wastescreen.features.red_flags import band_floor, evaluate_flags, flag_catalogue


def test_catalogue_is_versioned_data_with_a_basis_for_every_flag() -> None:
    raw = json.loads(resources.files("wastescreen").joinpath(
        "reference_data", "red_flags.json").read_text("utf-8"))
    catalogue = flag_catalogue()
    assert catalogue.version == raw["version"] and len(catalogue.flags) >= 8
    assert len({f.id for f in catalogue.flags}) == len(catalogue.flags)
    for flag in catalogue.flags:
        assert flag.severity in ("high", "medium")
        assert flag.basis["vi"] and flag.basis["en"] and flag.rule
        assert flag.name["vi"] and flag.name["en"] and flag.evidence_text["en"]
        for basis in (*flag.basis["vi"], *flag.basis["en"]):
            assert "Article" not in basis and "Điều" not in basis  # documents, not articles
        for c in (*flag.rule, *flag.not_applicable):
            assert c.quantity in catalogue.quantities


def _values(**changes: float | None) -> dict[str, float | None]:
    values: dict[str, float | None] = {q: 0.0 for q in flag_catalogue().quantities}
    values.update({"active_programs": 5.0, "completed_programs": 5.0, "peers_in_cycle": 3.0,
                   "requested_instruments": 2.0, "capital_vnd": 1e9, "kpi_measurable_share": 1.0,
                   "om_budget_vnd_per_year": 1e8, "trl_jump": 2.0})
    values.update(changes)
    return values


def _status(flags: list[FlagOutcome]) -> dict[str, str]:
    return {f.id: f.status for f in flags}


def test_every_flag_is_listed_and_a_clean_proposal_fires_none() -> None:
    flags = evaluate_flags(_values(), {}, {})
    assert set(_status(flags).values()) == {"not_fired"}
    assert len(flags) == len(flag_catalogue().flags)


def test_rules_fire_at_their_threshold_and_not_below() -> None:
    assert _status(evaluate_flags(_values(copy_of_active_program=0.8), {}, {}))["RF01"] == "fired"
    assert _status(evaluate_flags(_values(copy_of_active_program=0.79), {}, {}))["RF01"] == \
        "not_fired"
    both = _values(equipment_share=0.6, om_budget_vnd_per_year=0.0)
    assert _status(evaluate_flags(both, {}, {}))["RF06"] == "fired"
    one = _values(equipment_share=0.6)  # an O&M budget is planned: the pair does not hold
    assert _status(evaluate_flags(one, {}, {}))["RF06"] == "not_fired"


def test_not_applicable_wins_and_unknown_values_never_fire() -> None:
    flags = _status(evaluate_flags(_values(requested_instruments=0.0,
                                           held_by_open_underused_share=1.0), {}, {}))
    assert flags["RF04"] == "not_applicable" and flags["RF05"] == "not_applicable"
    unknown = _status(evaluate_flags(_values(trl_jump=None), {}, {}))
    assert unknown["RF08"] == "not_fired"


def test_a_fired_flag_says_its_values_in_both_languages() -> None:
    facts = {"copy_of_active_program": {"item": "PRG-1 «Vắc xin»", "status": "ongoing",
                                        "agency": "Bộ A", "likelihood": 0.97}}
    rf01 = next(f for f in evaluate_flags(_values(copy_of_active_program=0.97), facts, {})
                if f.id == "RF01")
    assert "PRG-1" in rf01.text_vi and "97 %" in rf01.text_vi and "97%" in rf01.text_en
    assert "ongoing" in rf01.text_en.lower() and "đang thực hiện" in rf01.text_vi.lower()


@pytest.mark.parametrize(("model", "fired", "final", "raised"), [
    ("low", [], "low", []), ("low", ["RF01"], "high", ["RF01"]),
    ("low", ["RF06"], "medium", ["RF06"]), ("medium", ["RF06"], "medium", []),
    ("high", ["RF06"], "high", []), ("low", ["RF06", "RF04"], "high", ["RF04"]),
])
def test_the_band_is_at_least_what_the_most_severe_fired_flag_warrants(
        model: str, fired: list[str], final: str, raised: list[str]) -> None:
    ids = {"RF01": 0.9, "RF04": 0.9, "RF06": 0.9}
    values = _values(copy_of_active_program=ids["RF01"] if "RF01" in fired else 0.0,
                     held_by_open_underused_share=0.9 if "RF04" in fired else 0.0,
                     equipment_share=0.9 if "RF06" in fired else 0.1,
                     om_budget_vnd_per_year=0.0 if "RF06" in fired else 1e8)
    flags = evaluate_flags(values, {}, {})
    assert band_floor(model, flags) == (final, raised)  # type: ignore[arg-type]
