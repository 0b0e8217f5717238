"""Exact explanations: additivity, agreement with shap, single-row fast path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shap

from wastescreen.models.bundle import RiskModelBundle
from wastescreen.models.explain import ADDITIVITY_TOLERANCE, Explainer, explain
from wastescreen.models.model_selection import SearchSpace
from wastescreen.models.spec import FeatureSpec, TargetSpec
from wastescreen.models.training import train_risk_models

FAST = SearchSpace(
    max_depth=(3,),
    learning_rate=(0.1,),
    min_child_weight=(1.0,),
    max_trees=60,
    early_stopping_rounds=10,
    tree_counts=(20, 40),
)
TARGETS = [TargetSpec("redundancy", "dup"), TargetSpec("idle", "idle")]


def make_frame(n: int = 2000, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "year": rng.integers(2012, 2024, n),
            "budget": rng.normal(size=n),
            "users": rng.normal(size=n),
            "area": rng.choice(["AI", "BIO", "CHIP", "SPACE", "QUANTUM"], n),
            "shared": rng.random(n) < 0.4,
            "area_code": rng.integers(0, 5, n).astype(float),
        }
    )
    df.loc[rng.random(n) < 0.1, "users"] = np.nan
    df["dup"] = (
        0.5 * df["budget"] + 0.6 * df["area"].isin(["AI", "CHIP"]) + rng.normal(size=n) > 0.7
    ).astype(int)
    df["idle"] = (
        -0.5 * df["users"].fillna(0) + 0.4 * (df["area_code"] == 2) + rng.normal(size=n) > 0.6
    ).astype(int)
    return df


def train(features: list[FeatureSpec]) -> RiskModelBundle:
    return train_risk_models(make_frame(), features, TARGETS, time_column="year", search=FAST)


@pytest.fixture(scope="module")
def categorical_bundle() -> RiskModelBundle:
    return train(
        [
            FeatureSpec("budget", "numeric"),
            FeatureSpec("users", "numeric"),
            FeatureSpec("area", "categorical"),
            FeatureSpec("shared", "boolean"),
        ]
    )


@pytest.fixture(scope="module")
def numeric_bundle() -> RiskModelBundle:
    return train(
        [
            FeatureSpec("budget", "numeric"),
            FeatureSpec("users", "numeric"),
            FeatureSpec("area_code", "numeric"),
            FeatureSpec("shared", "boolean"),
        ]
    )


def test_contributions_plus_bias_equal_margin(categorical_bundle: RiskModelBundle) -> None:
    frame = make_frame(500, seed=11)
    result = explain(categorical_bundle, frame)
    for name, target in result.targets.items():
        assert target.contributions.shape == (500, 4)
        x = categorical_bundle.encoder.transform(frame)
        margin = categorical_bundle.models[name].booster.predict(
            categorical_bundle.dmatrix(x), output_margin=True
        )
        assert (
            np.max(np.abs(target.contributions.sum(axis=1) + target.bias - margin))
            <= ADDITIVITY_TOLERANCE
        )
        assert np.allclose(target.probability, categorical_bundle.predict_proba(frame)[name])
    # the categorical feature really is used through native categorical splits
    assert np.abs(result.targets["redundancy"].contributions[:, 2]).max() > 0.01


def test_matches_shap_tree_explainer_on_numeric_model(numeric_bundle: RiskModelBundle) -> None:
    frame = make_frame(400, seed=12)
    ours = explain(numeric_bundle, frame)
    x = pd.DataFrame(
        numeric_bundle.encoder.transform(frame), columns=numeric_bundle.encoder.feature_names
    )
    for name in ("redundancy", "idle"):
        explainer = shap.TreeExplainer(numeric_bundle.models[name].booster)
        theirs = explainer.shap_values(x)
        assert np.max(np.abs(ours.targets[name].contributions - theirs)) <= 1e-5
        assert (
            abs(float(np.ravel(explainer.expected_value)[0]) - float(ours.targets[name].bias[0]))
            <= 1e-5
        )


def test_single_row_path_equals_frame_path(categorical_bundle: RiskModelBundle) -> None:
    frame = make_frame(20, seed=13)
    explainer = Explainer(categorical_bundle)
    batch = explainer.explain_frame(frame)
    for i, row in enumerate(frame.to_dict("records")):
        one = explainer.explain_rows(
            [{str(k): (None if pd.isna(v) else v) for k, v in row.items()}]
        )
        for name in ("redundancy", "idle"):
            assert np.allclose(
                one.targets[name].contributions[0], batch.targets[name].contributions[i], atol=1e-6
            )
            assert np.isclose(one.targets[name].probability[0], batch.targets[name].probability[i])
        assert one.bands[0] == batch.bands[i]


def test_unknown_category_and_missing_values_are_scored(
    categorical_bundle: RiskModelBundle,
) -> None:
    result = Explainer(categorical_bundle).explain_rows([{"budget": 1.0, "area": "NEW-AREA"}, {}])
    assert np.all(np.isfinite(result.overall)) and len(result.bands) == 2
    assert np.all((result.overall >= 0) & (result.overall <= 1))


def test_overall_is_noisy_or_and_reasons_are_sorted(categorical_bundle: RiskModelBundle) -> None:
    result = explain(categorical_bundle, make_frame(50, seed=14))
    p1, p2 = result.targets["redundancy"].probability, result.targets["idle"].probability
    assert np.allclose(result.overall, 1 - (1 - p1) * (1 - p2))
    reasons = result.top_reasons(0, "redundancy", k=4)
    assert [v for _, v in reasons] == sorted((v for _, v in reasons), reverse=True)
    assert all(v > 0 for _, v in reasons)
    record = result.to_records()[0]
    assert set(record["targets"]["idle"]["contributions"]) == {"budget", "users", "area", "shared"}


@pytest.mark.parametrize("rows", [7, 300])  # the one-thread and the several-thread boosters
def test_score_without_contributions_equals_explained_score(
    categorical_bundle: RiskModelBundle, rows: int
) -> None:
    explainer = Explainer(categorical_bundle, nthread=2)
    x = categorical_bundle.encoder.transform(make_frame(rows, seed=21))
    np.testing.assert_array_equal(explainer.score_encoded(x), explainer.explain_encoded(x).overall)


@pytest.mark.parametrize("rows", [1, 4, 80])  # no variants, a screening's batch, batch boosters
def test_explain_first_equals_the_separate_calls(
    categorical_bundle: RiskModelBundle, rows: int
) -> None:
    explainer = Explainer(categorical_bundle, nthread=2)
    x = categorical_bundle.encoder.transform(make_frame(rows, seed=23))
    first, rest = explainer.explain_first(x)
    alone = explainer.explain_encoded(x[:1])
    np.testing.assert_array_equal(
        rest, explainer.score_encoded(x[1:]) if rows > 1 else np.zeros(0))
    np.testing.assert_array_equal(first.overall, alone.overall)
    assert first.bands == alone.bands
    for name, t in alone.targets.items():
        for field in ("probability", "margin", "contributions", "bias"):
            np.testing.assert_array_equal(getattr(first.targets[name], field), getattr(t, field))


def test_encoding_columns_equals_encoding_a_frame(categorical_bundle: RiskModelBundle) -> None:
    frame = make_frame(50, seed=22)
    frame.loc[frame.index[:5], "area"] = None
    encoder = categorical_bundle.encoder
    columns = {spec.name: np.array([None if pd.isna(v) else str(v) for v in frame[spec.name]],
                                   dtype=object)
               if spec.kind == "categorical" else frame[spec.name].to_numpy(dtype=float)
               for spec in encoder.features}
    np.testing.assert_array_equal(encoder.encode_columns(columns, len(frame)),
                                  encoder.transform(frame))
