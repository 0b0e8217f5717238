"""What the API tests file and who decides: a proposal copying an ongoing program (a red flag
fires on it), and reviewer keys held by named people."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService


def reviewer_key(client: TestClient, service: DemoService, holder: str) -> dict[str, str]:
    """The Authorization header of a new reviewer key held by ``holder``."""
    r = client.post("/v1/keys", json={"role": "reviewer", "holder": holder},
                    headers=service.auth("admin"))
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['key']}"}


def copy_of_ongoing_program(service: DemoService, title_suffix: str) -> dict[str, Any]:
    """Agency A's proposal that copies the objectives of an ongoing program (RF01 fires)."""
    prog = sorted((p for p in service.portfolio.programs if p.status.value == "ongoing"
                   and p.province and len(p.objectives) > 80), key=lambda p: p.program_code)[0]
    data: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    total = max(prog.budget_vnd, 2_000_000_000)
    data.update({"agency": AGENCY_A, "title": f"{prog.title} {title_suffix}",
                 "objectives": prog.objectives, "summary": "", "province": prog.province,
                 "technology_area": prog.technology_area, "project_type": "research_program",
                 "equipment": [], "total_budget_vnd": total, "om_budget_vnd_per_year": 0,
                 "budget": {"equipment_vnd": 0, "construction_vnd": 0,
                            "personnel_vnd": total * 6 // 10,
                            "operations_vnd": total - total * 6 // 10, "other_vnd": 0}})
    return data
