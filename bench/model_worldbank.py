"""World Bank Protocol 1: does the risk-model method work on real outcomes? (time split, no leaks)

Run from the repository root: ``.venv/bin/python -m bench.model_worldbank``. Reads
``../shared/data/external/worldbank/`` (skips cleanly when absent), trains through the same
``models.training.train_risk_models`` as the service, on Approval FY <= 2008 only, and reports
ROC-AUC, PR-AUC and Brier on Approval FY >= 2009. The test years are used once, for the figures
printed here.

Every design decision is made inside FY <= 2008. Selection is rolling-origin with a gap: the test
scores projects many years after the last training year, and on the training years a model's AUC
falls from about 0.61 one or two years ahead to about 0.59 (0.56-0.57 for 2005-2008) three to
eight years ahead, with more trees helping the first and hurting the second. So the folds
validate 1997-2000, 2001-2004 and 2005-2008, each trained only on years at least three years
earlier; the grid (shallow trees, strong ``min_child_weight``, training from 1985 — cost,
objective text and environmental category are missing for almost every older project — or from
the start) and the tree count are chosen on the mean fold AUC, and the chosen configuration is
refitted on every FY <= 2008 row, calibrated on the folds' out-of-time margins.

Test evaluations (the count matters for honesty): the first design (holdout selection on
1999-2003, model never seeing 2004-2008) scored 0.530 in an earlier session (at least one run);
the rolling-origin design, fixed on FY <= 2008 data before its first test run, is the second
(0.559); the third is the same design with the hierarchical track record (country shrunk towards
region, country x practice towards country; chosen on rolling-origin validation, 0.593 -> 0.599,
before the test run) and scored 0.523: the validation gain did not carry over, and the chosen
model (depth 2, 20 trees at learning rate 0.03) is tiny because more fitting already loses on
the later folds. The fourth is the same design with centred isotonic calibration (the staircase
gave 60 % of the test projects one probability, so a queue sorted by risk could not order them;
changed for that reason, after the third run, without a validation comparison of AUC).
``TEST_EVALUATIONS`` records that count.

Also in the same run: the README's reference model (plain XGBoost with default parameters on the
categorical ex-ante columns, log cost and objective length), and the leakage guard: Quality at
Entry must be refused when declared after-the-fact, and flagged when it is not declared.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from bench import worldbank_model_adapter as wb
from bench.common import print_table, require_worldbank, write_results
from wastescreen.models.evaluation import binary_metrics, evaluate_bundle
from wastescreen.models.leakage import LeakageError, LeakageGuard
from wastescreen.models.model_selection import RollingOrigin, SearchSpace
from wastescreen.models.spec import FeatureEncoder
from wastescreen.models.training import TimeSplitConfig, train_risk_models

LAST_TRAIN_FY = 2008
# Test-year evaluations of our model's designs so far, this run's included (see the docstring).
TEST_EVALUATIONS = 4
# The slices only serve the leakage guard here (univariate AUC on train, drop-one lift on
# validation); selection is rolling-origin over all FY <= 2008 rows and the refit uses them all.
SPLIT = TimeSplitConfig(train=0.70, validation=0.15, calibration=0.15, test=0.0)
# Early stopping (leakage guard only) on validation AUC: the positive rate drifts between periods.
SEARCH = SearchSpace(
    max_depth=(1, 2, 3),
    learning_rate=(0.03, 0.1),
    min_child_weight=(10.0, 50.0),
    max_trees=400,
    early_stopping_rounds=100,
    early_stopping_metric="auc",
    tree_counts=(20, 50, 100, 150, 200, 300, 400),
    train_from=(None, 1985),
)
ROLLING = RollingOrigin(folds=3, periods=4, gap=3)
OPTIONS: dict[str, Any] = {
    "split": SPLIT,
    "search": SEARCH,
    "selection": "rolling",
    "rolling": ROLLING,
    "refit": "all",
}
GUARD = LeakageGuard(after_the_fact=wb.AFTER_THE_FACT)
Y = wb.TARGET.label_column


def baseline(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, Any]:
    """README reference: XGBoost defaults (100 trees, depth 6), native categoricals, no tuning."""
    enc = FeatureEncoder(wb.baseline_specs()).fit(train)
    dm = xgb.DMatrix(
        enc.transform(train),
        label=train[Y],
        feature_types=enc.feature_types_,
        enable_categorical=True,
    )
    booster = xgb.train({"objective": "binary:logistic", "nthread": 1, "seed": 0}, dm, 100)
    dtest = xgb.DMatrix(
        enc.transform(test), feature_types=enc.feature_types_, enable_categorical=True
    )
    return binary_metrics(test[Y], booster.predict(dtest), {}, with_table=False)


def leakage_check(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, Any]:
    """Quality at Entry: refused when declared after-the-fact; flagged when it is not."""
    specs = wb.feature_specs(include_quality_at_entry=True)
    try:
        train_risk_models(
            train,
            specs,
            [wb.TARGET],
            time_column=wb.TIME_COLUMN,
            leakage=GUARD,
            **OPTIONS,
        )
        refused, message = False, ""
    except LeakageError as exc:
        refused, message = True, str(exc)
    leaky = train_risk_models(train, specs, [wb.TARGET], time_column=wb.TIME_COLUMN, **OPTIONS)
    flags = [f for f in leaky.leakage_flags if f["feature"] == "quality_at_entry"]
    auc = binary_metrics(test[Y], leaky.predict_proba(test)[wb.TARGET.name], {}, with_table=False)
    return {
        "refused": refused,
        "message": message,
        "flags": flags,
        "test_roc_auc_with_quality_at_entry": auc["roc_auc"],
    }


def main() -> None:
    folder = require_worldbank()
    frame = wb.build_frame(folder)
    train = frame[frame[wb.TIME_COLUMN] <= LAST_TRAIN_FY].reset_index(drop=True)
    test = frame[frame[wb.TIME_COLUMN] > LAST_TRAIN_FY].reset_index(drop=True)
    start = time.perf_counter()
    bundle = train_risk_models(
        train,
        wb.feature_specs(),
        [wb.TARGET],
        time_column=wb.TIME_COLUMN,
        leakage=GUARD,
        **OPTIONS,
    )
    train_s = time.perf_counter() - start
    report = evaluate_bundle(bundle, test, group_columns=["region", "practice_group"])
    ours = report["targets"][wb.TARGET.name]
    base = baseline(train, test)
    leak = leakage_check(train, test)
    chosen = bundle.report["model_size"][wb.TARGET.name]["chosen"]
    model = bundle.models[wb.TARGET.name]
    figures = {
        "train_rows": len(train),
        "test_rows": len(test),
        "train_positive_rate": float(train[Y].mean()),
        "test_positive_rate": float(test[Y].mean()),
        "slices": bundle.training["slices"],
        "test_roc_auc": ours["roc_auc"],
        "test_pr_auc": ours["pr_auc"],
        "test_brier": ours["brier"],
        "baseline_test_roc_auc": base["roc_auc"],
        "baseline_test_pr_auc": base["pr_auc"],
        "baseline_test_brier": base["brier"],
        "validation_roc_auc": model.validation_auc,
        "validation": "mean ROC-AUC of rolling-origin folds 1997-2000, 2001-2004, 2005-2008 "
        "(each trained on years >= 3 years earlier)",
        "validation_fold_roc_auc": chosen["fold_aucs"],
        "test_evaluations": TEST_EVALUATIONS,
        "selection": bundle.training["selection"],
        "refit": bundle.training["refit"],
        "calibration": model.calibration.method,
        "chosen_model": {
            k: chosen[k]
            for k in (
                "max_depth",
                "learning_rate",
                "min_child_weight",
                "train_from",
                "n_trees",
                "size",
                "leaves",
                "explain_us_per_row",
            )
        },
        "auc_gap_by_region": report["targets"][wb.TARGET.name]["by_group"]["region"]["gaps"],
        "calibration_table": ours["calibration"],
        "train_seconds": round(train_s, 1),
        "leakage_flagged": bool(leak["refused"] or leak["flags"]),
        "leakage": leak,
        "features": [f.name for f in bundle.features],
    }
    write_results("model-worldbank", figures)
    fmt = "{:.3f}".format
    print_table(
        "World Bank Protocol 1: outcome risk, train FY<=2008, test FY>=2009",
        [
            ("test ROC-AUC", fmt(base["roc_auc"]), fmt(ours["roc_auc"]), ">= 0.62"),
            (
                "test PR-AUC",
                fmt(base["pr_auc"]),
                fmt(ours["pr_auc"]),
                f"base rate {test[Y].mean():.3f}",
            ),
            ("test Brier", fmt(base["brier"]), fmt(ours["brier"]), "lower is better"),
            (
                "validation ROC-AUC (rolling origin, FY<=2008)",
                "-",
                fmt(model.validation_auc),
                " / ".join(fmt(a) for a in chosen["fold_aucs"]),
            ),
            ("test evaluations of our designs", "-", str(TEST_EVALUATIONS), "-"),
            (
                "model size depth x trees",
                "6 x 100",
                f"{chosen['max_depth']} x {chosen['n_trees']}",
                "smallest within 0.005",
            ),
            ("Quality at Entry declared: refused", "-", str(leak["refused"]), "True"),
            ("Quality at Entry undeclared: flagged", "-", str(bool(leak["flags"])), "True"),
            (
                "test ROC-AUC with Quality at Entry (leak)",
                "-",
                fmt(leak["test_roc_auc_with_quality_at_entry"]),
                "~0.82 (leak)",
            ),
        ],
    )
    print(f"mean predicted {np.mean(bundle.predict_proba(test)[wb.TARGET.name]):.3f}")


if __name__ == "__main__":
    main()
