"""Leakage guard: refuse features recorded after the outcome, flag features that look like it.

Refusal: a feature named in ``LeakageGuard.after_the_fact`` (declared in the schema) or equal to a
label column raises :class:`LeakageError` before anything is fitted.

Flags (suspected leakage): one feature alone ranks the training labels with AUC above
``univariate_auc``, or dropping one of the ``top_k`` most influential features (mean |SHAP| on
the validation slice) lowers validation AUC by more than ``lift`` AUC points. Flags are plain
dicts (target, feature, reason, value, threshold); with ``policy="raise"`` the trainer raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import xgboost as xgb
from sklearn.metrics import roc_auc_score

from wastescreen.models.evaluation import univariate_auc
from wastescreen.models.spec import FeatureSpec, FloatArray, TargetSpec


class LeakageError(ValueError):
    """A feature is known or strongly suspected to be recorded after the outcome."""


@dataclass(frozen=True)
class LeakageGuard:
    """Refusal list and automatic flag thresholds (AUC in [0.5, 1], lift in AUC points)."""

    after_the_fact: tuple[str, ...] = ()
    univariate_auc: float = 0.75
    lift: float = 0.10
    top_k: int = 3
    policy: Literal["flag", "raise"] = "flag"


def refuse_declared(
    guard: LeakageGuard, features: Sequence[FeatureSpec], targets: Sequence[TargetSpec]
) -> None:
    """Raise :class:`LeakageError` when a feature is declared after-the-fact or is a label."""
    names = {f.name for f in features}
    refused = sorted(names & set(guard.after_the_fact))
    labels = sorted(names & {t.label_column for t in targets})
    if refused or labels:
        raise LeakageError(
            f"refusing after-the-fact columns as features: {refused + labels}; they are "
            "recorded after the outcome (declared in the schema, or a label column)"
        )


def _flag(target: str, feature: str, reason: str, value: float, threshold: float) -> dict[str, Any]:
    return {
        "target": target,
        "feature": feature,
        "reason": reason,
        "value": value,
        "threshold": threshold,
    }


def univariate_flags(
    guard: LeakageGuard,
    target: str,
    features: Sequence[FeatureSpec],
    x: FloatArray,
    y: npt.NDArray[np.float64],
) -> list[dict[str, Any]]:
    """Features whose values alone rank ``y`` with AUC above ``guard.univariate_auc``."""
    flags = []
    for j, spec in enumerate(features):
        auc = univariate_auc(x[:, j], y, categorical=spec.kind == "categorical")
        if auc is not None and auc > guard.univariate_auc:
            flags.append(_flag(target, spec.name, "univariate_auc", auc, guard.univariate_auc))
    return flags


def lift_flags(
    guard: LeakageGuard,
    target: str,
    features: Sequence[FeatureSpec],
    contribs: npt.NDArray[np.float32],
    full_auc: float,
    auc_without: Callable[[list[int]], float],
) -> list[dict[str, Any]]:
    """Among the ``top_k`` features by mean |SHAP| (``contribs``: rows x (features + bias)), those
    whose removal (``auc_without(kept column indices)``) costs more than ``guard.lift`` AUC."""
    flags = []
    top = np.argsort(-np.abs(contribs[:, :-1]).mean(axis=0))[: guard.top_k]
    for j in top:
        auc = auc_without([k for k in range(len(features)) if k != j])
        if full_auc - auc > guard.lift:
            flags.append(
                _flag(target, features[j].name, "validation_lift", full_auc - auc, guard.lift)
            )
    return flags


Rows = npt.NDArray[np.intp]


def leakage_flags(
    guard: LeakageGuard,
    target: str,
    features: Sequence[FeatureSpec],
    x: FloatArray,
    y: npt.NDArray[np.float64],
    train: Rows,
    valid: Rows,
    params: Callable[[Sequence[int]], dict[str, Any]],
    dm: Callable[[Rows, Sequence[int], bool], xgb.DMatrix],
    max_trees: int,
    early_stopping_rounds: int,
) -> list[dict[str, Any]]:
    """Univariate flags on ``train``, then drop-one lift flags: models with ``params(kept
    columns)`` fitted on ``train`` with early stopping on ``valid`` (``dm(rows, kept, labelled)``
    builds their matrices), with and without each of the top features."""

    def fit_auc(keep: Sequence[int]) -> tuple[xgb.Booster, float]:
        booster = xgb.train(
            params(keep),
            dm(train, keep, True),
            num_boost_round=max_trees,
            evals=[(dm(valid, keep, True), "validation")],
            early_stopping_rounds=early_stopping_rounds,
            verbose_eval=False,
        )
        score = booster.predict(
            dm(valid, keep, False), iteration_range=(0, booster.best_iteration + 1)
        )
        yv = y[valid]
        return booster, float(roc_auc_score(yv, score)) if len(np.unique(yv)) == 2 else 0.5

    flags = univariate_flags(guard, target, features, x[train], y[train])
    every = list(range(len(features)))
    full, full_auc = fit_auc(every)
    contribs = full.predict(
        dm(valid, every, False), pred_contribs=True, iteration_range=(0, full.best_iteration + 1)
    )
    return flags + lift_flags(
        guard, target, features, contribs, full_auc, lambda keep: fit_auc(keep)[1]
    )
