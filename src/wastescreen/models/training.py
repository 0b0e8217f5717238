"""Time-split training of one calibrated XGBoost classifier per target, generic over feature specs.

Split (by the ``time_column``, whole time values only, so no period straddles two slices): the
distinct time values are ordered and cut at cumulative row fractions into, oldest first,
``train`` (fits trees), ``validation`` (early stopping, hyper-parameter and model-size choice),
``calibration`` (fits the margin -> probability map) and ``test`` (the report; may be 0 when the
caller tests on an external later period). Every validation row is later than every train row,
and so on down the slices.

Selection (:mod:`models.model_selection`): ``"holdout"`` scores candidates on the validation
slice; ``"rolling"`` scores them by rolling-origin validation over successive periods of all
non-test rows. Refit policy: ``"train"`` keeps the search model; ``"train+validation"`` (the
default, ``refit_on_validation=True``) refits the chosen configuration with the chosen tree count
on train + validation and calibrates on the calibration slice; ``"all"`` refits on every non-test
row, calibrating on margins the model never trained on (rolling: the folds' out-of-time margins of
the chosen candidate; holdout: a train + validation model's margins on the calibration slice).

Leakage (:mod:`models.leakage`): declared after-the-fact columns are refused, suspected ones
flagged in ``bundle.leakage_flags`` and the report, or raised with ``policy="raise"``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import xgboost as xgb

from wastescreen.models.bundle import (
    RiskModelBundle,
    TargetModel,
    data_sha256,
    training_record,
)
from wastescreen.models.calibration import Method, fit_calibration
from wastescreen.models.evaluation import bundle_report
from wastescreen.models.leakage import LeakageError, LeakageGuard, leakage_flags, refuse_declared
from wastescreen.models.model_selection import (
    Refit,
    RollingOrigin,
    SearchSpace,
    refit,
    select,
    since,
    xgb_params,
)
from wastescreen.models.spec import (
    BandThresholds,
    FeatureEncoder,
    FeatureSpec,
    FloatArray,
    TargetSpec,
    validate_specs,
)

__all__ = [
    "LeakageError",
    "LeakageGuard",
    "RiskModelBundle",
    "RiskModelTrainer",
    "RollingOrigin",
    "SearchSpace",
    "TargetModel",
    "TimeSplitConfig",
    "data_sha256",
    "time_split",
    "train_risk_models",
]
log = logging.getLogger(__name__)
SLICES = ("train", "validation", "calibration", "test")


@dataclass(frozen=True)
class TimeSplitConfig:
    """Row fractions of the four time-ordered slices (they need not sum to 1; they are scaled)."""

    train: float = 0.55
    validation: float = 0.15
    calibration: float = 0.15
    test: float = 0.15


def time_split(times: npt.ArrayLike, config: TimeSplitConfig) -> dict[str, npt.NDArray[np.intp]]:
    """Row indices of each slice; a time value goes to the slice holding its cumulative midpoint."""
    values = pd.Series(np.asarray(times))
    if values.isna().any():
        raise ValueError("the time column has missing values")
    counts = values.value_counts().sort_index()
    fractions = np.array([getattr(config, s) for s in SLICES], dtype=float)
    bounds = np.cumsum(fractions / fractions.sum())[:-1]
    mid = (counts.cumsum() - counts / 2) / counts.sum()
    slice_of = dict(
        zip(counts.index, np.searchsorted(bounds, mid.to_numpy(), side="right"), strict=True)
    )
    labels = values.map(slice_of).to_numpy()
    out = {name: np.flatnonzero(labels == k) for k, name in enumerate(SLICES)}
    for k, name in enumerate(SLICES):
        if fractions[k] > 0 and not len(out[name]):
            raise ValueError(
                f"slice {name!r} is empty: too few distinct time values ({len(counts)})"
            )
    return out


class RiskModelTrainer:
    """Fits a :class:`RiskModelBundle`; after :meth:`fit`, ``bundle_`` and ``split_`` are set."""

    def __init__(
        self,
        features: Sequence[FeatureSpec],
        targets: Sequence[TargetSpec],
        *,
        time_column: str,
        split: TimeSplitConfig | None = None,
        search: SearchSpace | None = None,
        leakage: LeakageGuard | None = None,
        bands: BandThresholds | None = None,
        calibration: Method | Literal["auto"] = "auto",
        refit_on_validation: bool = True,
        refit: Refit | None = None,
        selection: Literal["holdout", "rolling"] = "holdout",
        rolling: RollingOrigin | None = None,
        size_tolerance: float = 0.005,
        group_columns: Sequence[str] = (),
        nthread: int = 1,
        seed: int = 0,
    ) -> None:
        self.features = tuple(features)
        self.targets = tuple(targets)
        self.time_column = time_column
        self.split = split or TimeSplitConfig()
        self.search = search or SearchSpace()
        self.leakage = leakage or LeakageGuard()
        self.bands = bands or BandThresholds()
        self.calibration = calibration
        self.refit: Refit = refit or ("train+validation" if refit_on_validation else "train")
        self.refit_on_validation = self.refit != "train"
        self.selection = selection
        self.rolling = rolling or RollingOrigin()
        self.size_tolerance = size_tolerance
        self.group_columns = tuple(group_columns)
        self.nthread = nthread
        self.seed = seed

    def _check_columns(self, frame: pd.DataFrame) -> None:
        validate_specs(self.features, self.targets)
        refuse_declared(self.leakage, self.features, self.targets)
        names = {f.name for f in self.features}
        needed = names | {t.label_column for t in self.targets} | {self.time_column}
        missing = sorted(needed - set(frame.columns))
        if missing:
            raise KeyError(f"frame lacks columns: {missing}")

    def _params(
        self, depth: int, lr: float, mcw: float, target: str, keep: Sequence[int]
    ) -> dict[str, Any]:
        mono = [self.features[j].monotone.get(target, 0) for j in keep]
        return xgb_params(self.search, depth, lr, mcw, mono, self.nthread, self.seed)

    def _dm(
        self, x: FloatArray, y: npt.NDArray[np.float64] | None, keep: Sequence[int]
    ) -> xgb.DMatrix:
        return xgb.DMatrix(
            x[:, list(keep)],
            label=y,
            feature_names=[self.features[j].name for j in keep],
            feature_types=[self.encoder_.feature_types_[j] for j in keep],
            enable_categorical=True,
        )

    def _flags(
        self,
        target: TargetSpec,
        x: FloatArray,
        y: npt.NDArray[np.float64],
        rows: dict[str, npt.NDArray[np.intp]],
        chosen: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Leakage flags on the train slice (univariate) and validation slice (drop-one lift)."""

        def params(keep: Sequence[int]) -> dict[str, Any]:
            c = chosen
            return self._params(
                c["max_depth"], c["learning_rate"], c["min_child_weight"], target.name, keep
            )

        def dm(r: npt.NDArray[np.intp], keep: Sequence[int], labelled: bool) -> xgb.DMatrix:
            return self._dm(x[r], y[r] if labelled else None, keep)

        train = since(rows["train"], self.times_, chosen["train_from"])
        s = self.search
        probe = (params, dm, s.max_trees, s.early_stopping_rounds)
        return leakage_flags(
            self.leakage, target.name, self.features, x, y, train, rows["validation"], *probe
        )

    def _fit_target(
        self,
        target: TargetSpec,
        x: FloatArray,
        y: npt.NDArray[np.float64],
        rows: dict[str, npt.NDArray[np.intp]],
    ) -> tuple[TargetModel, list[dict[str, Any]]]:
        every = range(len(self.features))

        def make_params(depth: int, lr: float, mcw: float) -> dict[str, Any]:
            return self._params(depth, lr, mcw, target.name, every)

        def dm(r: npt.NDArray[np.intp], labelled: bool) -> xgb.DMatrix:
            return self._dm(x[r], y[r] if labelled else None, every)

        sel = select(
            self.selection,
            self.search,
            self.rolling,
            self.size_tolerance,
            make_params,
            dm,
            y,
            self.times_,
            rows,
        )
        chosen = sel.chosen
        flags = self._flags(target, x, y, rows, chosen)
        params = make_params(
            chosen["max_depth"], chosen["learning_rate"], chosen["min_child_weight"]
        )
        n = int(chosen["n_trees"])
        booster, fit_rows, cal_rows, cal_margin = refit(
            sel, self.refit, params, dm, x, self.times_, rows
        )
        model = TargetModel(
            target=target,
            booster=booster,
            params=params,
            n_trees=n,
            calibration=fit_calibration(cal_margin, y[cal_rows], self.calibration),
            base_rate=float(y[fit_rows].mean()),
            validation_auc=float(chosen["validation_auc"]),
            size_table=sel.table,
        )
        return model, flags

    def fit(self, frame: pd.DataFrame,
            on_target: Callable[[str, int, int], None] | None = None) -> RiskModelTrainer:
        """Train on ``frame`` (feature, label and time columns; any index). Returns self.

        ``on_target(name, i, n)`` is told before the i-th of n targets is fitted (progress)."""
        self._check_columns(frame)
        frame = frame.reset_index(drop=True)
        self.times_ = frame[self.time_column].to_numpy()
        self.split_ = time_split(self.times_, self.split)
        vocabulary = SLICES[:3] if self.refit == "all" else ("train",)
        self.encoder_ = FeatureEncoder(self.features).fit(
            frame.iloc[np.concatenate([self.split_[s] for s in vocabulary])]
        )
        x = self.encoder_.transform(frame)
        models: dict[str, TargetModel] = {}
        flags: list[dict[str, Any]] = []
        self.tables_: dict[str, list[dict[str, Any]]] = {}
        for i, target in enumerate(self.targets, start=1):
            if on_target is not None:
                on_target(target.name, i, len(self.targets))
            y = pd.to_numeric(frame[target.label_column], errors="coerce").to_numpy(
                dtype=np.float64
            )
            rows = {k: v[~np.isnan(y[v])] for k, v in self.split_.items()}
            models[target.name], target_flags = self._fit_target(target, x, y, rows)
            self.tables_[target.name] = models[target.name].size_table
            flags += target_flags
        if flags:
            log.warning("suspected leakage: %s", flags)
            if self.leakage.policy == "raise":
                raise LeakageError(
                    f"suspected leakage (one feature predicts the outcome too well): {flags}"
                )
        self.bundle_ = self._bundle(frame, models, flags)
        return self

    def _bundle(
        self, frame: pd.DataFrame, models: dict[str, TargetModel], flags: list[dict[str, Any]]
    ) -> RiskModelBundle:
        columns = (
            [f.name for f in self.features]
            + [t.label_column for t in self.targets]
            + [self.time_column]
        )
        training = training_record(frame, columns, self.time_column, self.split_)
        training.update(
            refit_on_validation=self.refit_on_validation,
            refit=self.refit,
            selection=self.selection,
            rolling=vars(self.rolling) if self.selection == "rolling" else None,
            size_tolerance=self.size_tolerance,
        )
        bundle = RiskModelBundle(
            self.features,
            self.targets,
            self.encoder_,
            models,
            self.bands,
            training,
            leakage_flags=flags,
        )
        bundle.report = bundle_report(bundle, frame.iloc[self.split_["test"]], self.group_columns)
        return bundle


def train_risk_models(
    frame: pd.DataFrame,
    features: Sequence[FeatureSpec],
    targets: Sequence[TargetSpec],
    *,
    time_column: str,
    **options: Any,
) -> RiskModelBundle:
    """Train one calibrated classifier per target; ``options`` are :class:`RiskModelTrainer`'s
    keyword arguments (split, search, leakage, bands, calibration, selection, refit, ...)."""
    return (
        RiskModelTrainer(features, targets, time_column=time_column, **options).fit(frame).bundle_
    )
