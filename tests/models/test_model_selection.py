"""Model selection: rolling-origin folds, rolling search, recency window, refit on all years."""

from __future__ import annotations

import numpy as np
import pytest

from tests.models.test_model_training import make_frame, specs
from wastescreen.models.model_selection import (
    RollingOrigin,
    SearchSpace,
    choose_size,
    rolling_origin_folds,
)
from wastescreen.models.spec import TargetSpec
from wastescreen.models.training import TimeSplitConfig, train_risk_models

FAST = SearchSpace(
    max_depth=(1, 2),
    learning_rate=(0.1,),
    min_child_weight=(5.0,),
    max_trees=40,
    min_trees=10,
    tree_counts=(10, 20),
)
TARGET = [TargetSpec("redundancy", "dup"), TargetSpec("idle", "idle")]
NO_TEST = TimeSplitConfig(train=0.6, validation=0.2, calibration=0.2, test=0.0)


@pytest.mark.parametrize("gap", [0, 2])
def test_rolling_folds_never_validate_on_earlier_years(gap: int) -> None:
    years = np.repeat(np.arange(2000, 2020), 7)
    folds = rolling_origin_folds(years, RollingOrigin(folds=3, periods=2, gap=gap))
    assert len(folds) == 3
    blocks = [sorted(set(years[v])) for _, v in folds]
    assert blocks == [[2014, 2015], [2016, 2017], [2018, 2019]]
    for train, valid in folds:
        assert years[train].max() + gap < years[valid].min()
        assert set(train).isdisjoint(valid)
        # everything old enough is used: the training set is every row before the cut-off
        assert len(train) == int((years < years[valid].min() - gap).sum())


def test_rolling_folds_refuse_too_few_periods() -> None:
    with pytest.raises(ValueError, match="distinct time values"):
        rolling_origin_folds(np.arange(2000, 2005), RollingOrigin(folds=3, periods=2))


def test_choose_size_takes_smallest_within_tolerance() -> None:
    table = [
        {"size": 600, "validation_auc": 0.700},
        {"size": 100, "validation_auc": 0.697},
        {"size": 50, "validation_auc": 0.690},
    ]
    assert choose_size(table, 0.005)["size"] == 100
    assert [r["chosen"] for r in table] == [False, True, False]


def test_rolling_selection_refit_on_all_uses_chosen_trees() -> None:
    frame = make_frame(2500)
    bundle = train_risk_models(
        frame,
        specs(),
        TARGET,
        time_column="year",
        split=NO_TEST,
        search=FAST,
        selection="rolling",
        rolling=RollingOrigin(folds=3, periods=1, gap=1),
        refit="all",
    )
    model = bundle.models["redundancy"]
    chosen = next(r for r in model.size_table if r["chosen"])
    assert model.booster.num_boosted_rounds() == model.n_trees == chosen["n_trees"]
    assert len(chosen["fold_aucs"]) == 3
    assert chosen["validation_auc"] == pytest.approx(np.mean(chosen["fold_aucs"]), abs=1e-4)
    # refit on every (pre-test) row: the base rate is that of the whole frame
    assert model.base_rate == pytest.approx(frame["dup"].mean())
    assert bundle.training["refit"] == "all"
    assert bundle.training["selection"] == "rolling"
    probs = bundle.predict_proba(frame)["redundancy"]
    assert probs.min() >= 0.0 and probs.max() <= 1.0


def test_train_from_window_drops_older_rows() -> None:
    frame = make_frame(2500)
    window = SearchSpace(**{**FAST.__dict__, "max_depth": (2,), "train_from": (2016,)})
    bundle = train_risk_models(
        frame, specs(), TARGET, time_column="year", split=NO_TEST, search=window, refit="all"
    )
    model = bundle.models["redundancy"]
    assert all(r["train_from"] == 2016 for r in model.size_table)
    assert model.base_rate == pytest.approx(frame.loc[frame["year"] >= 2016, "dup"].mean())


def test_holdout_refit_on_all_calibrates_on_unseen_rows() -> None:
    frame = make_frame(2500)
    bundle = train_risk_models(
        frame, specs(), TARGET, time_column="year", split=NO_TEST, search=FAST, refit="all"
    )
    model = bundle.models["redundancy"]
    chosen = next(r for r in model.size_table if r["chosen"])
    assert model.booster.num_boosted_rounds() == model.n_trees == chosen["n_trees"]
    assert model.base_rate == pytest.approx(frame["dup"].mean())
    assert model.calibration.method in ("isotonic", "platt")
