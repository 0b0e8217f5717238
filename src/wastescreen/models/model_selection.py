"""Choosing hyper-parameters and model size on data strictly earlier than what is scored.

Two ways to score a candidate (``max_depth``, ``learning_rate``, ``min_child_weight``,
``train_from``) at each tree count of :attr:`SearchSpace.tree_counts`:

- :func:`holdout_search`: fit on the train slice with early stopping on the validation slice (one
  later period); the validation ROC-AUC of each (candidate, tree count).
- :func:`rolling_search`: rolling-origin validation. :func:`rolling_origin_folds` cuts the last
  ``folds x periods`` distinct time values into successive validation blocks; each block is scored
  by a model fitted only on rows at least ``gap`` periods earlier, so no fold validates on a period
  earlier than (or equal to) one it trained on. Each candidate is fitted with ``max_trees`` trees
  (no early stopping), and its score at a tree count is the mean validation ROC-AUC over the
  folds, which moves far less between neighbouring candidates than one period's AUC. The folds'
  out-of-time margins of the chosen candidate are kept for calibration.

Model size (:func:`choose_size`): TreeSHAP cost grows with trees x leaves x depth^2, so the
(candidate, tree count) with the smallest ``max_depth * n_trees`` whose score is within
``tolerance`` of the best is kept. ``train_from`` (earliest time value a model may train on,
``None`` = all) lets the same rule choose a recency window: old periods with other recording
practices can hurt more than their rows help.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import xgboost as xgb
from sklearn.metrics import roc_auc_score

Rows = npt.NDArray[np.intp]
# (rows, with_label) -> DMatrix; (max_depth, learning_rate, min_child_weight) -> params
MakeDMatrix = Callable[[Rows, bool], xgb.DMatrix]
MakeParams = Callable[[int, float, float], dict[str, Any]]
Refit = Literal["train", "train+validation", "all"]


@dataclass(frozen=True)
class SearchSpace:
    """The small grid searched on validation data, and the tree counts tried for model size."""

    max_depth: tuple[int, ...] = (2, 3, 4, 6)
    learning_rate: tuple[float, ...] = (0.05, 0.1)
    min_child_weight: tuple[float, ...] = (1.0, 10.0)
    max_trees: int = 600
    early_stopping_rounds: int = 50
    early_stopping_metric: Literal["logloss", "auc"] = "logloss"
    min_trees: int = 20
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    tree_counts: tuple[int, ...] = (10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 600)
    train_from: tuple[Any, ...] = (None,)

    def candidates(self) -> list[tuple[int, float, float, Any]]:
        """Every (max_depth, learning_rate, min_child_weight, train_from) of the grid."""
        return list(
            itertools.product(
                self.max_depth, self.learning_rate, self.min_child_weight, self.train_from
            )
        )


@dataclass(frozen=True)
class RollingOrigin:
    """``folds`` successive validation blocks of ``periods`` distinct time values each, at the
    end of the data; each trained on every row at least ``gap`` periods before its block."""

    folds: int = 4
    periods: int = 2
    gap: int = 0


def xgb_params(
    space: SearchSpace,
    depth: int,
    lr: float,
    mcw: float,
    monotone: Sequence[int],
    nthread: int,
    seed: int,
) -> dict[str, Any]:
    """XGBoost training parameters of one candidate; ``monotone`` per feature (-1, 0, +1)."""
    params: dict[str, Any] = {
        "objective": "binary:logistic",
        "eval_metric": space.early_stopping_metric,
        "tree_method": "hist",
        "max_depth": depth,
        "learning_rate": lr,
        "min_child_weight": mcw,
        "subsample": space.subsample,
        "colsample_bytree": space.colsample_bytree,
        "nthread": nthread,
        "seed": seed,
    }
    if any(monotone):
        params["monotone_constraints"] = "(" + ",".join(str(int(m)) for m in monotone) + ")"
    return params


def auc(y: npt.NDArray[np.float64], score: npt.NDArray[Any]) -> float:
    """ROC-AUC, or 0.5 when ``y`` holds a single class."""
    return float(roc_auc_score(y, score)) if len(np.unique(y)) == 2 else 0.5


def leaf_counts(booster: xgb.Booster) -> list[int]:
    """Number of leaves of each tree, in boosting order."""
    trees = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    return [sum(1 for c in t["left_children"] if c == -1) for t in trees]


def rolling_origin_folds(times: npt.ArrayLike, config: RollingOrigin) -> list[tuple[Rows, Rows]]:
    """(train rows, validation rows) per fold, oldest block first; every training time value is
    earlier than every validation time value of its fold (by at least ``gap`` periods)."""
    values = np.asarray(times)
    distinct = np.unique(values)
    need = config.folds * config.periods + config.gap + 1
    if config.folds < 1 or config.periods < 1 or config.gap < 0 or len(distinct) < need:
        raise ValueError(
            f"rolling origin {config} needs at least {need} distinct time values, "
            f"got {len(distinct)}"
        )
    folds = []
    first = len(distinct) - config.folds * config.periods
    for k in range(config.folds):
        start = first + k * config.periods
        block = distinct[start : start + config.periods]
        train = np.flatnonzero(values < distinct[start - config.gap])
        valid = np.flatnonzero(np.isin(values, block))
        folds.append((train, valid))
    return folds


def since(rows: Rows, times: npt.NDArray[Any], start: Any) -> Rows:
    """The rows whose time is ``>= start`` (all of them when ``start`` is None)."""
    return rows if start is None else rows[times[rows] >= start]


def _explain_micros(booster: xgb.Booster, sample: xgb.DMatrix, n: int) -> float:
    begin = time.perf_counter()
    booster.predict(sample, pred_contribs=True, iteration_range=(0, n))
    return round((time.perf_counter() - begin) * 1e6 / sample.num_row(), 2)


def _row(cand: tuple[int, float, float, Any], index: int, n: int) -> dict[str, Any]:
    depth, lr, mcw, start = cand
    return {
        "config": index,
        "max_depth": depth,
        "learning_rate": lr,
        "min_child_weight": mcw,
        "train_from": start,
        "n_trees": n,
        "size": depth * n,
    }


def holdout_search(
    space: SearchSpace,
    make_params: MakeParams,
    dm: MakeDMatrix,
    y: npt.NDArray[np.float64],
    times: npt.NDArray[Any],
    train: Rows,
    valid: Rows,
) -> tuple[list[dict[str, Any]], list[xgb.Booster]]:
    """Score every candidate on one validation slice (early stopping on it); one booster each."""
    dvalid = dm(valid, True)
    sample = dm(valid[:500], False)
    table: list[dict[str, Any]] = []
    boosters: list[xgb.Booster] = []
    for index, cand in enumerate(space.candidates()):
        booster = xgb.train(
            make_params(*cand[:3]),
            dm(since(train, times, cand[3]), True),
            num_boost_round=space.max_trees,
            evals=[(dvalid, "validation")],
            early_stopping_rounds=space.early_stopping_rounds,
            verbose_eval=False,
        )
        boosters.append(booster)
        # A handful of trees gives coarse, unstable scores; never go below ``min_trees``.
        best = min(max(booster.best_iteration + 1, space.min_trees), booster.num_boosted_rounds())
        leaves = np.cumsum(leaf_counts(booster))
        for n in sorted({c for c in space.tree_counts if space.min_trees <= c < best} | {best}):
            row = _row(cand, index, n)
            row["leaves"] = int(leaves[n - 1])
            row["validation_auc"] = auc(y[valid], booster.predict(dvalid, iteration_range=(0, n)))
            row["explain_us_per_row"] = _explain_micros(booster, sample, n)
            row["early_stopped_at"] = best
            table.append(row)
    return table, boosters


def rolling_search(
    space: SearchSpace,
    make_params: MakeParams,
    dm: MakeDMatrix,
    y: npt.NDArray[np.float64],
    times: npt.NDArray[Any],
    folds: Sequence[tuple[Rows, Rows]],
) -> tuple[list[dict[str, Any]], dict[tuple[int, int], npt.NDArray[np.float64]]]:
    """Score every candidate by its mean validation AUC over rolling-origin ``folds``.

    Returns the table (one row per candidate and tree count, with the per-fold AUCs) and the
    out-of-time margins, keyed by (config, n_trees), of all folds' validation rows in fold order.
    """
    counts = sorted({c for c in space.tree_counts if space.min_trees <= c <= space.max_trees})
    counts = sorted(set(counts) | {space.max_trees})
    table: list[dict[str, Any]] = []
    margins: dict[tuple[int, int], npt.NDArray[np.float64]] = {}
    for index, cand in enumerate(space.candidates()):
        fold_auc: dict[int, list[float]] = {n: [] for n in counts}
        fold_margin: dict[int, list[npt.NDArray[np.float64]]] = {n: [] for n in counts}
        booster: xgb.Booster | None = None
        for train, valid in folds:
            rows = since(train, times, cand[3])
            if not len(rows):
                raise ValueError(f"a rolling-origin fold has no training rows from {cand[3]}")
            booster = xgb.train(make_params(*cand[:3]), dm(rows, True), space.max_trees)
            dvalid = dm(valid, False)
            for n in counts:
                m = booster.predict(dvalid, output_margin=True, iteration_range=(0, n))
                fold_auc[n].append(auc(y[valid], m))
                fold_margin[n].append(m.astype(np.float64))
        assert booster is not None  # folds is non-empty
        leaves = np.cumsum(leaf_counts(booster))  # of the last (largest) fold's model
        sample = dm(folds[-1][1][:500], False)
        for n in counts:
            row = _row(cand, index, n)
            row["leaves"] = int(leaves[n - 1])
            row["validation_auc"] = float(np.mean(fold_auc[n]))
            row["fold_aucs"] = [round(a, 4) for a in fold_auc[n]]
            row["explain_us_per_row"] = _explain_micros(booster, sample, n)
            table.append(row)
            margins[(index, n)] = np.concatenate(fold_margin[n])
    return table, margins


def choose_size(table: list[dict[str, Any]], tolerance: float) -> dict[str, Any]:
    """The row with the smallest ``size`` among those within ``tolerance`` of the best
    ``validation_auc`` (ties: higher AUC); marks every row's ``chosen``."""
    best_auc = max(r["validation_auc"] for r in table)
    eligible = [r for r in table if r["validation_auc"] >= best_auc - tolerance]
    chosen = min(eligible, key=lambda r: (r["size"], -r["validation_auc"]))
    for r in table:
        r["chosen"] = r is chosen
    return chosen


@dataclass
class Selection:
    """The chosen row of ``table``; the holdout search booster of its candidate, or (rolling) the
    folds' validation rows and the chosen candidate's out-of-time margins on them."""

    chosen: dict[str, Any]
    table: list[dict[str, Any]]
    booster: xgb.Booster | None = None
    oof_rows: Rows | None = None
    oof_margin: npt.NDArray[np.float64] | None = None


def select(
    method: Literal["holdout", "rolling"],
    space: SearchSpace,
    rolling: RollingOrigin,
    tolerance: float,
    make_params: MakeParams,
    dm: MakeDMatrix,
    y: npt.NDArray[np.float64],
    times: npt.NDArray[Any],
    slices: dict[str, Rows],
) -> Selection:
    """Holdout (train -> validation slice) or rolling-origin selection over the train,
    validation and calibration slices, followed by :func:`choose_size`."""
    if method == "holdout":
        table, boosters = holdout_search(
            space, make_params, dm, y, times, slices["train"], slices["validation"]
        )
        chosen = choose_size(table, tolerance)
        return Selection(chosen, table, booster=boosters[chosen["config"]])
    pre_test = np.sort(np.concatenate([slices[s] for s in ("train", "validation", "calibration")]))
    folds = [(pre_test[a], pre_test[b]) for a, b in rolling_origin_folds(times[pre_test], rolling)]
    table, margins = rolling_search(space, make_params, dm, y, times, folds)
    chosen = choose_size(table, tolerance)
    oof_rows = np.concatenate([v for _, v in folds])
    return Selection(chosen, table, None, oof_rows, margins[(chosen["config"], chosen["n_trees"])])


def refit(
    sel: Selection,
    policy: Refit,
    params: dict[str, Any],
    dm: MakeDMatrix,
    x: npt.NDArray[np.float32],
    times: npt.NDArray[Any],
    slices: dict[str, Rows],
) -> tuple[xgb.Booster, Rows, Rows, npt.NDArray[np.float32] | npt.NDArray[np.float64]]:
    """The final booster (the chosen ``n_trees``, rows from ``train_from`` of the slices named by
    ``policy``), its fit rows, and the rows and margins to calibrate on, from a model that never
    trained on them: the calibration slice, or with ``policy="all"`` the rolling folds'
    out-of-time margins (holdout: a train + validation model's margins on the calibration slice).
    """
    n, start = int(sel.chosen["n_trees"]), sel.chosen["train_from"]
    tv = since(np.concatenate([slices["train"], slices["validation"]]), times, start)
    fit_rows = {
        "train": since(slices["train"], times, start),
        "train+validation": tv,
        "all": since(np.concatenate([tv, slices["calibration"]]), times, start),
    }[policy]
    if policy == "train" and sel.booster is not None:
        booster = sel.booster[:n]
    else:
        booster = xgb.train(params, dm(fit_rows, True), n)
    cal_rows = slices["calibration"]
    if policy != "all":
        return (
            booster,
            fit_rows,
            cal_rows,
            booster.inplace_predict(x[cal_rows], predict_type="margin"),
        )
    if sel.oof_rows is not None and sel.oof_margin is not None:
        return booster, fit_rows, sel.oof_rows, sel.oof_margin
    held = xgb.train(params, dm(tv, True), n)
    return booster, fit_rows, cal_rows, held.inplace_predict(x[cal_rows], predict_type="margin")
