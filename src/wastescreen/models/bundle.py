"""A trained risk model: the per-target boosters with their calibration, and the bundle that scores.

A :class:`RiskModelBundle` holds everything needed to score a proposal: the feature and target
specs, the fitted encoder, one :class:`TargetModel` per target (booster with ``n_trees`` trees,
margin -> probability calibration, selection record), the band thresholds, the training record
(data fingerprint, slices, selection policy) and the report (metrics, model-size table, leakage
flags). It is saved and loaded by :mod:`models.registry` (XGBoost's own format plus a JSON card).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import xgboost as xgb

from wastescreen.models.calibration import Calibration, combine_any
from wastescreen.models.spec import (
    BandThresholds,
    FeatureEncoder,
    FeatureSpec,
    FloatArray,
    TargetSpec,
)


@dataclass
class TargetModel:
    """One target's booster (``n_trees`` trees), calibration and selection record."""

    target: TargetSpec
    booster: xgb.Booster
    params: dict[str, Any]
    n_trees: int
    calibration: Calibration
    base_rate: float
    validation_auc: float
    size_table: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RiskModelBundle:
    """Everything needed to score: encoder, per-target models, band thresholds, report."""

    features: tuple[FeatureSpec, ...]
    targets: tuple[TargetSpec, ...]
    encoder: FeatureEncoder
    models: dict[str, TargetModel]
    bands: BandThresholds
    training: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    leakage_flags: list[dict[str, Any]] = field(default_factory=list)

    def dmatrix(self, x: FloatArray) -> xgb.DMatrix:
        """DMatrix of an encoded float32 matrix, shape (n_rows, n_features)."""
        return xgb.DMatrix(
            x,
            feature_names=self.encoder.feature_names,
            feature_types=self.encoder.feature_types_,
            enable_categorical=True,
        )

    def predict_proba(self, frame: pd.DataFrame) -> dict[str, npt.NDArray[np.float64]]:
        """Calibrated probability per target name and ``"overall"`` (noisy-OR), each shape (n,)."""
        return self.predict_proba_encoded(self.encoder.transform(frame))

    def predict_proba_encoded(self, x: FloatArray) -> dict[str, npt.NDArray[np.float64]]:
        """As :meth:`predict_proba` for an already encoded float32 matrix."""
        out: dict[str, npt.NDArray[np.float64]] = {}
        for name, model in self.models.items():
            margin = model.booster.inplace_predict(x, predict_type="margin")
            out[name] = model.calibration.apply(margin)
        out["overall"] = combine_any([out[t.name] for t in self.targets])
        return out


def data_sha256(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    """SHA-256 of the CSV text of ``columns`` in row order (the training-data fingerprint)."""
    return hashlib.sha256(frame[list(columns)].to_csv(index=False).encode("utf-8")).hexdigest()


def training_record(
    frame: pd.DataFrame,
    columns: Sequence[str],
    time_column: str,
    slices: dict[str, npt.NDArray[np.intp]],
) -> dict[str, Any]:
    """Data fingerprint, row count, time range and each slice's rows and time range."""
    times = frame[time_column]
    return {
        "data_sha256": data_sha256(frame, columns),
        "rows": len(frame),
        "time_column": time_column,
        "time_range": [str(times.min()), str(times.max())],
        "slices": {
            k: {
                "rows": len(v),
                "time_range": [str(times.iloc[v].min()), str(times.iloc[v].max())]
                if len(v)
                else None,
            }
            for k, v in slices.items()
        },
    }
