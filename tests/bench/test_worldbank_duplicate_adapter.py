"""Labelling of the duplicate likelihood's matches, on names and a tiny inline sample (the real
data is never needed here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench import worldbank_duplicate_adapter as wd
from bench import worldbank_overlap_adapter as wb
from wastescreen.features.overlap_index import OverlapIndex


@pytest.mark.parametrize(("a", "b", "country"), [
    ("Second Higher Education Project", "HIGHER EDUCATION PROJECT", ""),
    ("Export Finance Intermediation Loan Additional Financing",
     "Export Finance Intermediation Loan", ""),
    ("Irrigated Agriculture Intensification  III Project",
     "Irrigated Agriculture Intensification II Project", ""),
    ("CN-Second Xinjiang Highway Project", "XINJIANG HIGHWAY PROJECT", "China"),
    ("Bhutan HCRRP Additional Financing", "Human Capital Recovery & Resilience Program", ""),
    ("Second Additional Financing for Agriculture Sector Development Project",
     "Tanzania Agricultural Sector Development Project", "Tanzania"),
])
def test_phases_of_one_series_are_recognised(a: str, b: str, country: str) -> None:
    assert wd.same_series(a, b, country) and wd.same_series(b, a, country)


@pytest.mark.parametrize(("a", "b"), [
    ("Second Higher Education Project", "Rural Roads Project"),
    ("Health System Improvement Project", "Water Supply and Sanitation Improvement Project"),
    ("Emergency Transport Rehabilitation Project", "Basic Education Project"),
])
def test_different_work_is_not_one_series(a: str, b: str) -> None:
    assert not wd.same_series(a, b)


PROJECTS = pd.DataFrame({
    "id": ["P10", "P12", "P14", "P16", "P18"],
    "project_name": ["Rural Roads Project", "Rural Roads Project II", "Rural Water Supply",
                     "Rural Roads Project III", "Rural Roads Project - Additional Financing"],
    "pdo": ["Improve rural road access for farm households.",
            "Continue improving rural road access for farm households.",
            "Extend piped water to rural households.",
            "Improve rural road access and maintenance for farm households.",
            "Improve rural road access for farm households in more districts."],
    "countryshortname": ["Viet Nam"] * 4 + ["Lao PDR"],
    "regionname": ["East Asia and Pacific"] * 5,
    "boardapprovaldate": ["2001-05-01T00:00:00Z", "2004-02-01T00:00:00Z",
                          "2005-02-01T00:00:00Z", "2009-07-01T00:00:00Z", "2006-01-01T00:00:00Z"],
    "curr_project_cost": ["50000000", "30000000", "", "60000000", "1000000"],
})
SECTORS = pd.DataFrame({"project_id": ["P10", "P12", "P16"], "major_sector": ["T"] * 3,
                        "sector": ["Rural roads"] * 3, "sector_percent": [100.0] * 3})


def test_labelled_matches_keep_the_own_country_and_exclude_other_phases() -> None:
    projects = wb.projects_from_frames(PROJECTS, SECTORS)
    index = OverlapIndex().fit([wb.registry_doc(p) for p in projects.values()])
    frame = wd.labelled_matches(projects, [wb.Pair("P16", "P12", False)], index)
    by_id = frame.set_index("doc_id")
    assert "P18" not in by_id.index  # Lao PDR: not in the query's registry
    assert by_id.loc["P12", "label"] == 1.0
    assert by_id["label"].isna()["P10"]  # phase I of the series: excluded
    assert by_id.loc["P14", "label"] == 0.0
    assert (frame["half"] == "tune").all() and list(frame["rank"]) == list(range(len(frame)))
    # The query has no implementing agency: that component is absent (NaN), not 0.
    assert frame["agency"].isna().all() and frame["text"].notna().all()
    assert wd.series_rule_recall(projects, [wb.Pair("P16", "P12", False)]) == 1.0


def test_reliability_bins_cover_every_row() -> None:
    y = np.array([0, 0, 1, 1, 1.0])
    p = np.array([0.05, 0.15, 0.15, 0.95, 1.0])
    table = wd.reliability(y, p)
    assert [r["count"] for r in table] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]
    assert table[1]["observed"] == 0.5 and table[9]["mean_predicted"] == pytest.approx(0.975)
    assert wd.brier(y, p) == pytest.approx(np.mean((p - y) ** 2))
