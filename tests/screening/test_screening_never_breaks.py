"""Any proposal can be screened, and registry writes keep every worker able to screen.

Before the fix, a proposal whose text shared no term with the registry (an English research
program against the Vietnamese demo registry) and a registry write of an item sharing no term
with later proposals both made every screening fail with ``need at least one array to
concatenate``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService, for_cycle
from wastescreen.api.app import create_app
from wastescreen.core.reference import equipment_category_codes
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import load_engine
from wastescreen.screening.service import screen_proposal
from wastescreen.screening.usecases import Actor, Screener

ENGLISH = ("Crop genomics programme: sequence and annotate the genomes of rice landraces and "
           "publish an open reference panel for breeders")


def english_program(**changes: Any) -> dict[str, Any]:
    """A research program without equipment, in English (no term shared with the registry)."""
    data: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    total = data["total_budget_vnd"]
    data.update({"agency": AGENCY_A, "title": ENGLISH, "summary": ENGLISH,
                 "objectives": ENGLISH, "project_type": "research_program", "equipment": [],
                 "budget": {"equipment_vnd": 0, "construction_vnd": 0,
                            "personnel_vnd": total // 2, "operations_vnd": total - total // 2,
                            "other_vnd": 0}})
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def workers(service: DemoService) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps on one database: two workers of ``serve --workers 2``."""
    with TestClient(create_app(service.settings)) as one, \
            TestClient(create_app(service.settings)) as two:
        yield one, two


def test_an_english_program_without_equipment_is_screened(service: DemoService) -> None:
    proposal = Proposal.model_validate(english_program())
    with service.db.sessions() as s:
        screened = Screener(load_engine(service.settings, s)).precheck(s, proposal,
                                                                      Actor("test"))
    assert 0.0 <= screened.result.overall_score <= 1.0
    assert screened.row.id and screened.result.band in ("low", "medium", "high")


def _lab(code: str, name: str, **changes: Any) -> dict[str, Any]:
    return {"lab_code": code, "name": name, "host": "Viện Minh họa", "province": "Hà Nội",
            "technology_area": "SEMICONDUCTORS", "year_established": 2020, "utilisation": 0.3,
            "open_for_shared_use": True,
            "equipment": [{"name": "Máy quang phổ", "category": "SPECTROMETER", "quantity": 1}],
            **changes}


def _program(code: str, title: str, **changes: Any) -> dict[str, Any]:
    return {"program_code": code, "title": title, "managing_agency": "Bộ Minh họa",
            "province": "Hà Nội", "technology_area": "BIOTECH", "objectives": title,
            "budget_vnd": 5_000_000_000, "start_year": 2022, "end_year": 2026,
            "status": "ongoing", "outcome": "unknown", **changes}


WRITES = [
    ("labs", "LAB-ROBUST-1", _lab("LAB-ROBUST-1", "Plain new lab X")),
    ("labs", "LAB-ROBUST-1", _lab("LAB-ROBUST-1", "Plain new lab X", utilisation=0.9)),
    ("labs", "LAB-ROBUST-2", _lab("LAB-ROBUST-2", "Zorblax quindle", equipment=[])),
    ("programs", "PRG-ROBUST-1", _program("PRG-ROBUST-1", "Plain new program Y")),
    ("programs", "PRG-ROBUST-1", _program("PRG-ROBUST-1", "Plain new program Y",
                                          status="completed", outcome="delivered")),
    ("programs", "PRG-ROBUST-2", _program("PRG-ROBUST-2", ENGLISH)),
]


@pytest.mark.parametrize(("kind", "code", "body"), WRITES,
                         ids=[f"{k}-{c}-{i}" for i, (k, c, _) in enumerate(WRITES)])
def test_screening_holds_after_every_kind_of_registry_write(
        workers: tuple[TestClient, TestClient], service: DemoService, kind: str, code: str,
        body: dict[str, Any]) -> None:
    writer, other = workers
    r = writer.put(f"/v1/registry/{kind}/{code}", json=body, headers=service.auth("admin"))
    assert r.status_code == 200, r.text
    example: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    for client in (writer, other):
        for payload in (english_program(), {**example, "agency": AGENCY_A}):
            r = client.post("/v1/prechecks", json=payload, headers=service.auth("agency_a"))
            assert r.status_code == 201, r.text
        filed = client.post("/v1/screenings", json=english_program(title=f"{ENGLISH} {code}"),
                            headers=service.auth("agency_a"))
        assert filed.status_code == 201, filed.text


_WORDS = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs")),
                 min_size=1, max_size=40).filter(lambda s: s.strip() != "")


@pytest.fixture(scope="module")
def screener(service: DemoService) -> Screener:
    with service.db.sessions() as s:
        return Screener(load_engine(service.settings, s))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=_WORDS, objectives=st.one_of(st.just(""), _WORDS),
       categories=st.lists(st.sampled_from(sorted(equipment_category_codes())), max_size=4),
       project_type=st.sampled_from(["new_lab", "lab_upgrade", "equipment_purchase",
                                     "research_program", "digital_platform",
                                     "training_program"]))
def test_screen_proposal_never_raises(screener: Screener, service: DemoService, title: str,
                                      objectives: str, categories: list[str],
                                      project_type: str) -> None:
    base = service.spare[0]
    unit = 1_000_000_000
    equipment = [{"name": f"Thiết bị {i}", "category": c, "quantity": 1, "unit_cost_vnd": unit}
                 for i, c in enumerate(categories)]
    eq_total = unit * len(equipment)
    total = eq_total + 2_000_000_000
    proposal = for_cycle(base, title=title, summary="", objectives=objectives,
                         project_type=project_type, equipment=equipment, total_budget_vnd=total,
                         budget={"equipment_vnd": eq_total, "construction_vnd": 0,
                                 "personnel_vnd": 2_000_000_000, "operations_vnd": 0,
                                 "other_vnd": 0})
    result = screen_proposal(screener.ready_engine(), proposal, "hypothesis")
    assert 0.0 <= result.overall_score <= 1.0
    assert result.band in ("low", "medium", "high")
