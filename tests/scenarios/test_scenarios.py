"""Golden scenarios: what a reviewer would decide, held against what the screening says.

Each ``*.json`` beside this file is one case written from a reviewer's judgement, not from the
thresholds: a proposal (``examples/proposal.json`` with ``changes``, or derived from an item of
the test registry by ``derive``), the band it must reach (``band_at_least``) or must not pass
(``band_at_most``), the flags that must fire and those that must not, and text the screening
must say. Derivations pick their registry item by a fixed rule (the first by code that fits),
so a scenario stays the same case whatever the registry's other items are.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, AGENCY_B, DemoService
from wastescreen.core.reference import equipment_category_codes, region_of
from wastescreen.demo_portfolio.texts import program_core
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.registry import Lab, Program
from wastescreen.domain.result import BAND_RANK, ScreeningResult
from wastescreen.features.catalogue import BY_NAME
from wastescreen.features.value_text import no_track_record
from wastescreen.screening.engine import load_engine
from wastescreen.screening.reasons import outside_on_risky_side
from wastescreen.screening.usecases import Actor, Screener
from wastescreen.screening.what_if import SHARED_USE_OPTIONS

HERE = Path(__file__).resolve().parent
SCENARIOS = sorted(HERE.glob("*.json"))
REVIEWER_SCENARIOS = Actor("scenario")


@pytest.fixture(scope="module")
def screener(service: DemoService) -> Screener:
    with service.db.sessions() as s:
        return Screener(load_engine(service.settings, s))


def _reworded(text: str) -> str:
    """A rewording a person might do: sentences in reverse order, every fifth word dropped."""
    sentences = [s.strip() for s in text.split(".") if s.strip()]
    out = []
    for sentence in reversed(sentences):
        words = sentence.split()
        out.append(" ".join(w for i, w in enumerate(words) if i % 5 != 4))
    return ". ".join(out) + "."


def _program(service: DemoService, rule: dict[str, Any]) -> Program:
    fits = [p for p in service.portfolio.programs
            if p.status.value in rule["status"] and p.province
            and (not rule.get("outcome") or p.outcome.value in rule["outcome"])
            and len(p.objectives) > 80
            and not (rule.get("no_live_twin") and _subject(p) in _live_subjects(service))]
    return sorted(fits, key=lambda p: p.program_code)[0]


def _subject(p: Program) -> str:
    """What a demo program is about: its title without the prefix and the pilot site."""
    return program_core(p.title).rpartition(" tại ")[0]


def _live_subjects(service: DemoService) -> set[str]:
    return {_subject(p) for p in service.portfolio.programs
            if p.status.value in ("planned", "ongoing")}


def _lab(service: DemoService, rule: dict[str, Any]) -> Lab:
    fits = [lab for lab in service.portfolio.labs
            if lab.utilisation is not None and lab.utilisation < 0.4
            and lab.open_for_shared_use == rule["open"] and len(lab.equipment) >= 2
            and lab.year_established <= 2020
            and (not rule.get("unshared_only")
                 or _tried_first(service, lab, _unshared(service, lab)))]
    return sorted(fits, key=lambda lab: lab.lab_code)[0]


def _unshared(service: DemoService, lab: Lab) -> set[str]:
    """The categories of ``lab`` that no lab of its region open for shared use holds."""
    shared = {e.category for other in service.portfolio.labs if other.open_for_shared_use
              and region_of(other.province) == region_of(lab.province) for e in other.equipment}
    return {e.category for e in lab.equipment} - shared


def _tried_first(service: DemoService, lab: Lab, categories: set[str]) -> bool:
    """Whether ``lab`` is among the labs of its region holding ``categories`` whose sharing a
    screening scores (``SHARED_USE_OPTIONS``: open for shared use first, then the least used),
    so that it is offered with its saving."""
    holders = [other for other in service.portfolio.labs
               if region_of(other.province) == region_of(lab.province)
               and categories & {e.category for e in other.equipment}]
    holders.sort(key=lambda h: (not h.open_for_shared_use, h.utilisation is None,
                                h.utilisation or 0.0, h.lab_code))
    return bool(categories) and lab in holders[:SHARED_USE_OPTIONS]


def _research_budget(data: dict[str, Any], total: int) -> None:
    data.update({"total_budget_vnd": total, "equipment": [], "om_budget_vnd_per_year": 0,
                 "budget": {"equipment_vnd": 0, "construction_vnd": 0,
                            "personnel_vnd": total * 6 // 10,
                            "operations_vnd": total - total * 6 // 10, "other_vnd": 0}})


def _derive(service: DemoService, screener: Screener, data: dict[str, Any],
            rule: dict[str, Any]) -> dict[str, str]:
    """Apply ``rule`` to the payload ``data``; returns what the expectations may cite."""
    if rule["kind"] == "copy_program":
        prog = _program(service, rule)
        objectives = _reworded(prog.objectives) if rule.get("reword") else prog.objectives
        title = _reworded(prog.title).rstrip(".") if rule.get("reword") else prog.title
        if "translation" in rule:  # a hand-made translation of that very program
            tr = rule["translation"]
            assert (prog.program_code, prog.title) == (tr["source_code"], tr["source_title"]), \
                "the test registry changed: translate the program the rule now picks"
            title, objectives = tr["title"], tr["objectives"]
        data.update({"title": title, "objectives": objectives, "summary": "",
                     "province": prog.province, "technology_area": prog.technology_area,
                     "project_type": "research_program"})
        _research_budget(data, max(prog.budget_vnd, 2_000_000_000))
        if rule.get("same_agency"):
            data["agency"] = prog.managing_agency
        return {"code": prog.program_code}
    if rule["kind"] == "copy_lab_equipment":
        lab = _lab(service, rule)
        keep = _unshared(service, lab) if rule.get("unshared_only") else None
        items = [{"name": e.name, "category": e.category, "quantity": 1,
                  "unit_cost_vnd": 4_000_000_000} for e in lab.equipment
                 if keep is None or e.category in keep]
        equipment = 4_000_000_000 * len(items)
        data.update({"province": lab.province, "technology_area": lab.technology_area,
                     "project_type": "equipment_purchase", "equipment": items,
                     "total_budget_vnd": equipment + 2_000_000_000,
                     "om_budget_vnd_per_year": equipment // 10,
                     "budget": {"equipment_vnd": equipment, "construction_vnd": 0,
                                "personnel_vnd": 1_500_000_000, "operations_vnd": 500_000_000,
                                "other_vnd": 0}})
        return {"code": lab.lab_code}
    if rule["kind"] == "equipment_nobody_holds":
        # A clean purchase: every instrument of a category no lab of the region holds.
        region = region_of(data["province"])
        held = {e.category for lab in service.portfolio.labs
                if region_of(lab.province) == region for e in lab.equipment}
        free = sorted(c for c in equipment_category_codes() if c not in held and c != "OTHER")
        for item in data["equipment"]:
            item["category"] = free[0]
        return {"code": free[0]}
    if rule["kind"] == "same_cycle_copy":
        first = Proposal.model_validate({**data, "agency": AGENCY_B})
        with service.db.sessions() as s:
            filed = screener.submit(s, first, REVIEWER_SCENARIOS)
        return {"code": filed.row.proposal_id}
    raise ValueError(f"unknown derivation {rule['kind']}")


def _screen(service: DemoService, screener: Screener, case: dict[str, Any]
            ) -> tuple[ScreeningResult, dict[str, str]]:
    data: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    data["agency"] = AGENCY_A
    for key, value in case.get("changes", {}).items():
        data[key] = copy.deepcopy(value)
    cited = _derive(service, screener, data, case["derive"]) if "derive" in case else {}
    proposal = Proposal.model_validate(data)
    with service.db.sessions() as s:
        return screener.precheck(s, proposal, REVIEWER_SCENARIOS).result, cited


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(service: DemoService, screener: Screener, path: Path) -> None:
    case = json.loads(path.read_text("utf-8"))
    result, cited = _screen(service, screener, case)
    expect = case["expect"]
    fired = {f.id for f in result.flags if f.status == "fired"}
    story = (f"{case['name']}: band {result.band} (model {result.model_band}, "
             f"{result.overall_score:.2f}), fired {sorted(fired)}")
    assert len(result.flags) >= 8, story  # every flag of the catalogue is listed
    if "band_at_least" in expect:
        assert BAND_RANK[result.band] >= BAND_RANK[expect["band_at_least"]], story
    if "band_at_most" in expect:
        assert BAND_RANK[result.band] <= BAND_RANK[expect["band_at_most"]], story
    assert set(expect.get("fired", [])) <= fired, story
    assert not set(expect.get("not_fired", [])) & fired, story
    if expect.get("cites_item"):
        shown = [e.code for f in result.flags if f.status == "fired" for e in f.evidence]
        assert cited["code"] in shown, story
        assert cited["code"] in {e.code for e in result.evidence}, story
    for text in expect.get("says", []):
        said = " ".join([f.text_en for f in result.flags] + [r.text_en for r in result.reasons])
        assert text in said, story
    if result.raised_by:  # a raised band is traced to a fired flag of that severity
        assert all(f.severity == result.band for f in result.flags if f.id in result.raised_by)
    if expect.get("alternative"):  # the lab holding the equipment is offered, with its saving
        option = next(o for o in result.alternatives if o.lab_code == cited["code"])
        assert option.delta is not None and option.utilisation is not None, story
        # Using the lab instead of buying must lower the risk, and the agency is offered it.
        assert option.delta < 0, (story, option.delta)
        assert f"use_lab:{cited['code']}" in {w.change for w in result.what_if}, story
    _assert_reasons_read_true(screener, result)


def _assert_reasons_read_true(screener: Screener, result: ScreeningResult) -> None:
    """No reason cites a value inside its own comparable range, nor a default rate as fact."""
    model = screener.ready_engine().model
    assert model is not None
    for reason in result.reasons:
        feature = BY_NAME[reason.feature]
        rng = model.ranges.get(reason.feature)
        if no_track_record(reason.feature, result.features):
            assert "%" not in reason.text_en, reason.text_en  # no default rate shown as fact
        elif rng is not None and reason.value is not None and feature.kind == "numeric":
            assert outside_on_risky_side(feature, reason.value, rng), reason.text_en


def test_there_are_enough_scenarios_and_each_says_why() -> None:
    assert len(SCENARIOS) >= 15
    for path in SCENARIOS:
        case = json.loads(path.read_text("utf-8"))
        assert case["name"] and case["why"] and case["expect"], path.name
