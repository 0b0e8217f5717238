"""Training machinery: time split, monotone constraints, leakage guard, size choice, report."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from wastescreen.models.bundle import RiskModelBundle
from wastescreen.models.calibration import Calibration, combine_any, fit_calibration
from wastescreen.models.leakage import LeakageError, LeakageGuard
from wastescreen.models.model_selection import SearchSpace
from wastescreen.models.spec import BandThresholds, FeatureSpec, TargetSpec
from wastescreen.models.training import TimeSplitConfig, time_split, train_risk_models

FAST = SearchSpace(
    max_depth=(2, 3),
    learning_rate=(0.1,),
    min_child_weight=(1.0,),
    max_trees=60,
    early_stopping_rounds=10,
    tree_counts=(20, 40),
)
TARGETS = [TargetSpec("redundancy", "dup"), TargetSpec("idle", "idle")]


def make_frame(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "year": rng.integers(2010, 2024, n),
            "budget": rng.normal(size=n),
            "users": rng.normal(size=n),
            "area": rng.choice(["AI", "BIO", "CHIP", "SPACE"], n),
            "shared": rng.random(n) < 0.5,
            "province": rng.choice(["Hà Nội", "Huế", "Cần Thơ"], n),
        }
    )
    z = 0.4 * df["budget"] + 0.5 * (df["area"] == "CHIP") - 0.4 * df["shared"]
    df["dup"] = (z + rng.normal(scale=1.3, size=n) > 0.6).astype(int)
    zi = -0.35 * df["users"] + 0.5 * (df["area"] == "SPACE") + 0.4 * ~df["shared"]
    df["idle"] = (zi + rng.normal(scale=1.3, size=n) > 0.7).astype(int)
    return df


def specs() -> list[FeatureSpec]:
    return [
        FeatureSpec("budget", "numeric", {"redundancy": 1}),
        FeatureSpec("users", "numeric", {"idle": -1}),
        FeatureSpec("area", "categorical"),
        FeatureSpec("shared", "boolean"),
    ]


@pytest.fixture(scope="module")
def bundle() -> RiskModelBundle:
    return train_risk_models(
        make_frame(),
        specs(),
        TARGETS,
        time_column="year",
        search=FAST,
        group_columns=["area", "province"],
    )


def test_time_split_orders_slices_and_keeps_years_whole() -> None:
    years = make_frame()["year"].to_numpy()
    parts = time_split(years, TimeSplitConfig())
    order = ["train", "validation", "calibration", "test"]
    for earlier, later in itertools.pairwise(order):
        assert years[parts[earlier]].max() < years[parts[later]].min()
    assert sum(len(v) for v in parts.values()) == len(years)


def test_time_split_refuses_too_few_periods() -> None:
    with pytest.raises(ValueError, match="too few distinct time values"):
        time_split(np.array([2020] * 50 + [2021] * 50), TimeSplitConfig())


def test_bundle_records_split_without_overlap(bundle: RiskModelBundle) -> None:
    slices = bundle.training["slices"]
    assert int(slices["train"]["time_range"][1]) < int(slices["validation"]["time_range"][0])
    assert int(slices["validation"]["time_range"][1]) < int(slices["calibration"]["time_range"][0])


def test_monotone_feature_never_lowers_probability(bundle: RiskModelBundle) -> None:
    base = make_frame(200, seed=5)
    grid = np.linspace(-4, 4, 41)
    for target, feature, sign in (("redundancy", "budget", 1), ("idle", "users", -1)):
        probs = []
        for value in grid:
            probs.append(bundle.predict_proba(base.assign(**{feature: value}))[target])
        steps = np.diff(np.vstack(probs), axis=0) * sign
        assert steps.min() >= -1e-12
        assert (probs[-1] - probs[0]).mean() * sign > 0  # the feature matters at all


def test_after_the_fact_columns_are_refused() -> None:
    frame = make_frame(500).assign(audit_finding=lambda d: d["dup"])
    leaky = [*specs(), FeatureSpec("audit_finding", "numeric")]
    with pytest.raises(LeakageError, match="audit_finding"):
        train_risk_models(
            frame,
            leaky,
            TARGETS,
            time_column="year",
            search=FAST,
            leakage=LeakageGuard(after_the_fact=("audit_finding",)),
        )
    with pytest.raises(LeakageError, match="dup"):
        train_risk_models(
            frame,
            [*specs(), FeatureSpec("dup", "numeric")],
            TARGETS,
            time_column="year",
            search=FAST,
        )


def test_suspected_leak_is_flagged_or_raised() -> None:
    rng = np.random.default_rng(1)
    frame = make_frame(2000)
    frame["review_score"] = frame["dup"] + rng.normal(scale=0.3, size=len(frame))
    leaky = [*specs(), FeatureSpec("review_score", "numeric")]
    flagged = train_risk_models(frame, leaky, TARGETS, time_column="year", search=FAST)
    hits = {
        (f["target"], f["reason"]) for f in flagged.leakage_flags if f["feature"] == "review_score"
    }
    assert ("redundancy", "univariate_auc") in hits
    assert ("redundancy", "validation_lift") in hits
    assert flagged.report["leakage_flags"] == flagged.leakage_flags
    with pytest.raises(LeakageError, match="review_score"):
        train_risk_models(
            frame,
            leaky,
            TARGETS,
            time_column="year",
            search=FAST,
            leakage=LeakageGuard(policy="raise"),
        )


def test_clean_features_are_not_flagged(bundle: RiskModelBundle) -> None:
    assert bundle.leakage_flags == []


def test_smallest_model_within_tolerance_is_chosen(bundle: RiskModelBundle) -> None:
    for model in bundle.models.values():
        table = model.size_table
        best = max(r["validation_auc"] for r in table)
        chosen = [r for r in table if r["chosen"]]
        assert len(chosen) == 1
        eligible = [r for r in table if r["validation_auc"] >= best - 0.005]
        assert chosen[0]["size"] == min(r["size"] for r in eligible)
        assert model.n_trees == chosen[0]["n_trees"]
        assert model.booster.num_boosted_rounds() == model.n_trees
        assert all(r["explain_us_per_row"] > 0 for r in table)


def test_report_has_metrics_calibration_bands_and_groups(bundle: RiskModelBundle) -> None:
    test = bundle.report["test"]
    json.dumps(bundle.report)  # JSON-able
    for block in [*test["targets"].values(), test["overall"]]:
        assert 0.5 < block["roc_auc"] <= 1.0
        assert 0 <= block["brier"] < 0.25
        assert set(block["at_threshold"]) == {"medium", "high"}
        assert sum(r["count"] for r in block["calibration"]) == block["n"]
        groups = block["by_group"]["area"]["groups"]
        assert set(groups) == {"AI", "BIO", "CHIP", "SPACE"}
        assert sum(g["n"] for g in groups.values()) == block["n"]
        assert block["by_group"]["province"]["gaps"]["roc_auc"] is not None


def test_calibration_is_json_and_monotone() -> None:
    rng = np.random.default_rng(2)
    margin = rng.normal(size=3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-2 * margin))).astype(int)
    for method in ("isotonic", "platt"):
        cal = fit_calibration(margin, y, method)
        again = Calibration.from_dict(json.loads(json.dumps(cal.to_dict())))
        grid = np.linspace(-5, 5, 101)
        assert np.array_equal(again.apply(grid), cal.apply(grid))
        assert np.diff(cal.apply(grid)).min() >= 0
    assert np.allclose(combine_any([np.array([0.5, 0.0]), np.array([0.5, 0.2])]), [0.75, 0.2])


def test_isotonic_calibration_keeps_the_ranking_between_its_blocks() -> None:
    rng = np.random.default_rng(3)
    margin = rng.normal(size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-margin))).astype(int)
    cal = fit_calibration(margin, y, "isotonic")
    inner = np.sort(margin[(margin > cal.params["x"][0]) & (margin < cal.params["x"][-1])])
    probs = cal.apply(inner)
    assert np.all(np.diff(probs) >= 0)
    # A staircase would give a few dozen values; joined block centres give one per margin.
    assert len(np.unique(probs)) > 0.99 * len(np.unique(inner))
    # Still calibrated: mean predicted close to the observed rate in each fifth of the margins.
    order = np.argsort(margin)
    for part in np.array_split(order, 5):
        assert abs(cal.apply(margin[part]).mean() - y[part].mean()) < 0.05


def test_band_thresholds_are_parameters() -> None:
    bands = BandThresholds(medium=0.2, high=0.5)
    assert bands.bands([0.1, 0.2, 0.49, 0.5]) == ["low", "medium", "medium", "high"]
    with pytest.raises(ValueError):
        BandThresholds(medium=0.7, high=0.6)


def test_categorical_monotone_is_refused() -> None:
    with pytest.raises(ValueError, match="categorical"):
        train_risk_models(
            make_frame(300),
            [FeatureSpec("area", "categorical", {"redundancy": 1})],
            TARGETS,
            time_column="year",
            search=FAST,
        )
