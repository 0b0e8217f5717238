"""Track record without leakage, regional equipment, and the proposal-only features."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from tests.conftest import EXAMPLES
from wastescreen.domain import Proposal
from wastescreen.features.catalogue import CATALOGUE, FEATURE_NAMES, TARGETS
from wastescreen.features.proposal_frame import completeness, proposals_to_frame
from wastescreen.features.regional_equipment import category_mask, regional_equipment_features
from wastescreen.features.track_record import PRIOR_RATE, agency_track_record


def history() -> pd.DataFrame:
    return pd.DataFrame({
        "agency": ["A", "A", "A", "B"],
        "observed_on": pd.to_datetime(["2018-05-01", "2019-03-01", "2020-07-01", "2019-01-01"]),
        "idle_assets": [1, 0, 1, 1],
        "duplication_found": [0, 0, 1, 0],
        "outputs_not_delivered": [1, 1, 0, 0],
    })


def test_track_record_counts_only_earlier_outcomes() -> None:
    queries = pd.DataFrame({"agency": ["A", "A", "B", "C"],
                            "submitted_on": pd.to_datetime(["2019-03-01", "2021-01-01",
                                                            "2018-01-01", "2021-01-01"])})
    out = agency_track_record(queries, history())
    # 2019-03-01: only the 2018 outcome is known (an outcome dated the same day is not).
    assert out["agency_past_projects"].tolist() == [1, 3, 0, 0]
    assert out.loc[0, "agency_past_idle_rate"] == pytest.approx((1 + 5 * PRIOR_RATE) / 6)
    assert out.loc[1, "agency_past_duplication_rate"] == pytest.approx((1 + 5 * PRIOR_RATE) / 8)
    assert out.loc[3, "agency_past_nondelivery_rate"] == pytest.approx(PRIOR_RATE)


def test_planted_later_outcome_is_not_used() -> None:
    queries = pd.DataFrame({"agency": ["A"], "submitted_on": pd.to_datetime(["2020-01-01"])})
    before = agency_track_record(queries, history())
    planted = pd.concat([history(), pd.DataFrame({
        "agency": ["A"] * 3, "observed_on": pd.to_datetime(["2020-01-02", "2023-01-01",
                                                             "2020-01-01"]),
        "idle_assets": [1] * 3, "duplication_found": [1] * 3, "outputs_not_delivered": [1] * 3,
    })], ignore_index=True)
    after = agency_track_record(queries, planted)
    pd.testing.assert_frame_equal(before, after)
    # ...while the same outcome dated before the submission does change the record.
    planted.loc[planted.index[-1], "observed_on"] = pd.Timestamp("2019-12-31")
    assert not agency_track_record(queries, planted).equals(before)


def test_regional_equipment() -> None:
    labs = pd.DataFrame({
        "region": ["RRD", "RRD", "SE"],
        "year_established": [2010, 2030, 2010],
        "utilisation": [0.2, 0.0, 0.1],
        "category_mask": [category_mask(["SEQUENCER", "PCR_SYSTEM"]),
                          category_mask(["GPU_SERVER"]), category_mask(["GPU_SERVER"])],
    })
    queries = pd.DataFrame({
        "region": ["RRD", "RRD", "MD"], "year": [2020, 2020, 2020],
        "equipment": [{"SEQUENCER": 1, "GPU_SERVER": 3}, {}, {"SEQUENCER": 2}],
    })
    out = regional_equipment_features(queries, labs)
    # Lab 1: idle 0.8 x half the requested categories; lab 2 opens in 2030 and does not count.
    assert out["underused_capacity_nearby"].tolist() == pytest.approx([0.4, 0.0, 0.0])
    assert out["equipment_in_region_share"].tolist() == pytest.approx([0.25, 0.0, 0.0])


def test_proposal_features_of_the_example() -> None:
    p = Proposal.model_validate(json.loads((EXAMPLES / "proposal.json").read_text("utf-8")))
    row = proposals_to_frame([p], ["x"]).iloc[0]
    assert row["equipment_share"] == pytest.approx(78 / 120)
    assert row["om_ratio"] == pytest.approx(3.5 / 102)
    assert row["researchers_per_instrument"] == pytest.approx(5 / 7)
    assert row["kpi_measurable_share"] == pytest.approx(3 / 4)
    assert row["trl_jump"] == 2
    assert row["cofunding_share"] == pytest.approx(0.1)
    assert row["has_shared_use_plan"] == 1.0
    assert row["log_budget_per_month"] == pytest.approx(math.log10(120e9 / 30))
    share, missing = completeness(p)
    assert share == 1.0 and missing == []


def test_catalogue_is_complete_and_bilingual() -> None:
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES) >= 20
    for f in CATALOGUE:
        assert f.description and f.sentence_vi and f.sentence_en, f.name
        assert "{value}" in f.sentence_vi and "{value}" in f.sentence_en, f.name
        assert f.direction in (-1, 0, 1)
        assert set(f.monotone) <= set(TARGETS)
        if f.kind == "categorical":
            assert not any(f.monotone.values())
    groups = {f.group for f in CATALOGUE}
    assert {"redundancy", "idle_assets", "non_delivery", "fragmentation"} <= groups
    assert np.all([f.sentence_vi != f.sentence_en for f in CATALOGUE])
