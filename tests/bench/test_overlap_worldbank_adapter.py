"""The World Bank adapter on a tiny inline sample (the real data is never needed here)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from bench import worldbank_overlap_adapter as wb
from wastescreen.features.overlap_index import OverlapIndex

PROJECTS = pd.DataFrame({
    "id": ["P1", "P2", "P3", "P4", "P5"],
    "project_name": ["Rural Roads Project", "Health Sector Support", "Rural Roads Project II",
                     "Water Supply", "No objective"],
    "pdo": ["Improve rural road access for farm households.",
            "Strengthen primary health care services.",
            "Continue improving rural road access and maintenance for farm households.",
            "Extend piped water to small towns.", None],
    "countryshortname": ["Viet Nam", "Viet Nam", "Viet Nam", "Lao PDR", "Viet Nam"],
    "regionname": ["East Asia and Pacific"] * 5,
    "boardapprovaldate": ["2001-05-01T00:00:00Z", "2003-02-01T00:00:00Z",
                          "2006-07-01T00:00:00Z", "2006-03-01T00:00:00Z", "2002-01-01T00:00:00Z"],
    "curr_project_cost": ["50000000", "20000000", "", "10000000", "1"],
    "impagency": ["Ministerio de Economía", None, "MINISTERIO DE ECONOMIA,",
                  "Ministerio de Economía", "MOH"],
})
SECTORS = pd.DataFrame({
    "project_id": ["P1", "P1", "P2", "P3", "P4"],
    "major_sector": ["Transportation", "Agriculture", "Health", "Transportation", "Water"],
    "sector": ["Rural roads", "Agri extension", "Health", "Rural roads", "Water supply"],
    "sector_percent": [70.0, 30.0, 100.0, 100.0, 100.0],
})


def _projects() -> dict[str, wb.Project]:
    return wb.projects_from_frames(PROJECTS, SECTORS)


def test_projects_keep_rows_with_objectives_and_their_main_sector() -> None:
    projects = _projects()
    assert list(projects) == ["P1", "P2", "P3", "P4"]  # P5 has no objective text
    p1 = projects["P1"]
    assert p1.area == "Rural roads" and p1.year == 2001 and p1.cost == 50_000_000
    assert p1.approved == datetime(2001, 5, 1, tzinfo=UTC)
    assert projects["P3"].cost == 0.0  # unknown cost
    major = wb.projects_from_frames(PROJECTS, SECTORS, "major_sector")
    assert major["P1"].area == "Transportation"


def test_registry_and_query_documents() -> None:
    projects = _projects()
    reg = wb.registry_doc(projects["P1"])
    assert reg.kind == "program" and reg.text.startswith("Rural Roads Project Improve")
    assert (reg.province, reg.technology_area, reg.budget_vnd, reg.year) == (
        "Viet Nam", "Rural roads", 50_000_000, 2001)
    query = wb.query_doc(projects["P3"])
    assert query.kind == "proposal"
    assert query.text == projects["P3"].pdo  # the objective only, never the name
    assert query.budget_vnd == 0
    # The implementing agency within its country is the group on both sides, folded so that
    # spelling variants agree; the same name in another country is another agency.
    assert reg.group == query.group == "Viet Nam|ministerio de economia"
    assert wb.registry_doc(projects["P4"]).group == "Lao PDR|ministerio de economia"
    assert wb.query_doc(projects["P2"]).group == ""


def test_registry_before_the_query_finds_the_parent() -> None:
    projects = _projects()
    index = OverlapIndex().fit([wb.registry_doc(p) for p in projects.values()])
    q = projects["P3"]
    later = wb.later_same_year(projects, "P3")
    assert set(later) == {"P3"}  # P4 (same year) was approved before P3, so it stays
    found = index.query(wb.query_doc(q), k=3, max_year=q.year, exclude_ids=later)
    assert found[0].doc_id == "P1"
    assert found[0].components["place"] == 1.0 and found[0].components["area"] == 1.0


def test_split_is_fixed_by_the_query_id() -> None:
    assert wb.split_half(wb.Pair("P000002", "P1", True)) == "tune"
    assert wb.split_half(wb.Pair("P000003", "P1", False)) == "held_out"
