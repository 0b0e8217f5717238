"""What a risk model is built from: feature and target specs, band thresholds, the feature encoder.

The encoder turns a pandas frame (or plain row mappings) into the one float32 matrix every model
sees, in training and in serving alike: numeric columns as float32, booleans as 0/1, categorical
columns as integer codes into a vocabulary learned on the training slice (stored in the model card
as JSON). Missing values and categories never seen in training become NaN, which XGBoost routes
down each split's learned default branch. XGBoost receives the codes with feature type ``"c"``, so
its splits are native categorical partitions, not order-based thresholds on the codes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

FeatureKind = Literal["numeric", "categorical", "boolean"]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class FeatureSpec:
    """One model input. ``monotone`` maps a target name to +1 (never lowers risk), -1 (never
    raises it) or 0 (free); categorical features cannot carry a monotone constraint."""

    name: str
    kind: Literal["numeric", "categorical", "boolean"]
    monotone: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "monotone": dict(self.monotone)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        return cls(name=data["name"], kind=data["kind"], monotone=dict(data.get("monotone", {})))


@dataclass(frozen=True)
class TargetSpec:
    """One kind of waste to score; ``label_column`` holds 0/1 (NaN rows are left out)."""

    name: str
    label_column: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "label_column": self.label_column}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TargetSpec:
        return cls(name=data["name"], label_column=data["label_column"])


@dataclass(frozen=True)
class BandThresholds:
    """Overall-score cut-offs (probabilities in [0, 1]): ``score >= high`` is "high",
    ``score >= medium`` is "medium", otherwise "low". Pass them from configuration."""

    medium: float = 0.35
    high: float = 0.60

    def __post_init__(self) -> None:
        if not 0.0 <= self.medium <= self.high <= 1.0:
            raise ValueError(f"band thresholds must satisfy 0 <= medium <= high <= 1: {self}")

    def band(self, score: float) -> Literal["low", "medium", "high"]:
        """The band name of one overall score."""
        return "high" if score >= self.high else "medium" if score >= self.medium else "low"

    def bands(self, scores: npt.ArrayLike) -> list[str]:
        """Band names of a 1-D array of overall scores."""
        return [self.band(float(s)) for s in np.asarray(scores, dtype=float).ravel()]


def validate_specs(features: Sequence[FeatureSpec], targets: Sequence[TargetSpec]) -> None:
    """Raise ``ValueError`` on duplicate names, unknown kinds or bad monotone constraints."""
    names = [f.name for f in features]
    if not names:
        raise ValueError("at least one feature is needed")
    if len(set(names)) != len(names):
        raise ValueError(
            f"duplicate feature names: {sorted({n for n in names if names.count(n) > 1})}"
        )
    target_names = [t.name for t in targets]
    if not target_names or len(set(target_names)) != len(target_names):
        raise ValueError(f"targets must be non-empty and uniquely named: {target_names}")
    for spec in features:
        if spec.kind not in ("numeric", "categorical", "boolean"):
            raise ValueError(f"feature {spec.name!r}: unknown kind {spec.kind!r}")
        for target, sign in spec.monotone.items():
            if target not in target_names:
                raise ValueError(f"feature {spec.name!r}: monotone for unknown target {target!r}")
            if sign not in (-1, 0, 1):
                raise ValueError(f"feature {spec.name!r}: monotone must be -1, 0 or +1, not {sign}")
            if sign and spec.kind == "categorical":
                raise ValueError(f"feature {spec.name!r}: a categorical feature cannot be monotone")


class FeatureEncoder:
    """Frame or row mappings -> float32 matrix of shape (n_rows, n_features), column order = specs.

    Learned attributes: ``categories_`` (feature name -> vocabulary, code = position) and
    ``feature_types_`` (``"c"`` for categorical, ``"q"`` otherwise, as XGBoost expects).
    """

    def __init__(self, features: Sequence[FeatureSpec]) -> None:
        self.features = tuple(features)

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]

    def fit(self, frame: pd.DataFrame) -> FeatureEncoder:
        """Learn each categorical vocabulary (sorted distinct non-missing values, as text)."""
        self.categories_: dict[str, list[str]] = {}
        for spec in self.features:
            if spec.kind == "categorical":
                values = frame[spec.name].dropna().astype(str).unique()
                self.categories_[spec.name] = sorted(str(v) for v in values)
        self.feature_types_ = ["c" if f.kind == "categorical" else "q" for f in self.features]
        self._lookup = {
            k: {v: float(i) for i, v in enumerate(vs)} for k, vs in self.categories_.items()
        }
        return self

    def transform(self, frame: pd.DataFrame) -> FloatArray:
        """Encode a frame holding every feature column; returns float32, NaN for missing."""
        columns: dict[str, npt.NDArray[Any]] = {}
        for spec in self.features:
            column = frame[spec.name]
            if spec.kind == "categorical":
                columns[spec.name] = column.astype(object).where(column.notna(), None).to_numpy()
            elif pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
                columns[spec.name] = column.to_numpy(dtype=float, na_value=np.nan)
            else:
                columns[spec.name] = pd.to_numeric(column.astype(object), errors="coerce"
                                                   ).to_numpy(dtype=float, na_value=np.nan)
        return self.encode_columns(columns, len(frame))

    def encode_columns(self, columns: Mapping[str, npt.NDArray[Any]], n_rows: int) -> FloatArray:
        """Encode feature columns (name -> (n_rows,) array: numbers, or for categorical
        features str / None) without pandas; returns float32 (n_rows, n_features)."""
        out = np.empty((n_rows, len(self.features)), dtype=np.float32)
        for j, spec in enumerate(self.features):
            column = columns[spec.name]
            if spec.kind == "categorical":
                lookup = self._lookup[spec.name]
                out[:, j] = [math.nan if v is None or (isinstance(v, float) and math.isnan(v))
                             else lookup.get(str(v), math.nan) for v in column]
            else:
                out[:, j] = np.asarray(column, dtype=np.float64)
        return out

    def encode_rows(self, rows: Sequence[Mapping[str, Any]]) -> FloatArray:
        """Encode plain mappings without pandas (the fast single-proposal path)."""
        out = np.full((len(rows), len(self.features)), np.nan, dtype=np.float32)
        for i, row in enumerate(rows):
            for j, spec in enumerate(self.features):
                value = row.get(spec.name)
                if value is None:
                    continue
                if spec.kind == "categorical":
                    out[i, j] = self._lookup[spec.name].get(str(value), math.nan)
                else:
                    out[i, j] = float(value)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"features": [f.to_dict() for f in self.features], "categories": self.categories_}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureEncoder:
        """Rebuild a fitted encoder from :meth:`to_dict` output (no refit)."""
        encoder = cls([FeatureSpec.from_dict(f) for f in data["features"]])
        encoder.categories_ = {k: list(v) for k, v in data["categories"].items()}
        encoder.feature_types_ = ["c" if f.kind == "categorical" else "q" for f in encoder.features]
        encoder._lookup = {
            k: {v: float(i) for i, v in enumerate(vs)} for k, vs in encoder.categories_.items()
        }
        return encoder
