"""Metrics report of a risk model: discrimination, calibration, band precision/recall, per group.

Every figure is computed from 0/1 labels and calibrated probabilities in [0, 1]. Per-group blocks
(e.g. technology area, province) carry the same metrics so that unfair gaps show; a group with fewer
than ``min_group_rows`` rows, or only one class, gets ``None`` where a metric is undefined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from wastescreen.models.spec import BandThresholds, TargetSpec

if TYPE_CHECKING:
    from wastescreen.models.bundle import RiskModelBundle

Report = dict[str, Any]


class ScoringBundle(Protocol):
    """What evaluation needs of a trained bundle (``models.bundle.RiskModelBundle`` is one)."""

    @property
    def bands(self) -> BandThresholds: ...

    @property
    def targets(self) -> tuple[TargetSpec, ...]: ...

    def predict_proba(self, frame: pd.DataFrame) -> dict[str, npt.NDArray[np.float64]]: ...


def _auc(y: npt.NDArray[np.float64], p: npt.NDArray[np.float64]) -> float | None:
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else None


def calibration_table(y: npt.ArrayLike, p: npt.ArrayLike, bins: int = 10) -> list[dict[str, Any]]:
    """Equal-count bins (deciles by default) of predicted probability: mean predicted, observed
    rate and row count per bin, lowest bin first."""
    labels = np.asarray(y, dtype=np.float64)
    probs = np.asarray(p, dtype=np.float64)
    order = np.argsort(probs, kind="stable")
    rows = []
    for chunk in np.array_split(order, min(bins, len(order))):
        if len(chunk):
            rows.append(
                {
                    "mean_predicted": float(probs[chunk].mean()),
                    "observed": float(labels[chunk].mean()),
                    "count": len(chunk),
                }
            )
    return rows


def binary_metrics(
    y: npt.ArrayLike, p: npt.ArrayLike, thresholds: Mapping[str, float], *, with_table: bool = True
) -> Report:
    """ROC-AUC, PR-AUC (average precision), Brier, base rate, mean prediction and, per named
    threshold t, precision and recall of the rule ``p >= t``; optionally the decile table."""
    labels = np.asarray(y, dtype=np.float64)
    probs = np.asarray(p, dtype=np.float64)
    both = len(np.unique(labels)) == 2
    out: Report = {
        "n": len(labels),
        "positives": int(labels.sum()),
        "base_rate": float(labels.mean()) if len(labels) else None,
        "mean_predicted": float(probs.mean()) if len(probs) else None,
        "roc_auc": _auc(labels, probs),
        "pr_auc": float(average_precision_score(labels, probs)) if both else None,
        "brier": float(brier_score_loss(labels, probs)) if len(labels) else None,
        "at_threshold": {},
    }
    for name, t in thresholds.items():
        flagged = probs >= t
        tp = float((flagged & (labels == 1)).sum())
        out["at_threshold"][name] = {
            "threshold": t,
            "flagged_share": float(flagged.mean()) if len(probs) else None,
            "precision": tp / float(flagged.sum()) if flagged.any() else None,
            "recall": tp / float(labels.sum()) if labels.sum() else None,
        }
    if with_table:
        out["calibration"] = calibration_table(labels, probs)
    return out


def group_metrics(
    y: npt.ArrayLike,
    p: npt.ArrayLike,
    groups: npt.ArrayLike,
    thresholds: Mapping[str, float],
    *,
    min_group_rows: int = 30,
) -> Report:
    """Per-group metrics (no decile table) plus the gap (max - min) of ROC-AUC, observed rate and
    mean prediction across the groups that have at least ``min_group_rows`` rows."""
    labels = np.asarray(y, dtype=np.float64)
    probs = np.asarray(p, dtype=np.float64)
    keys = pd.Series(np.asarray(groups, dtype=object)).fillna("(missing)").astype(str).to_numpy()
    per: dict[str, Report] = {}
    for key in sorted(set(keys)):
        mask = keys == key
        block = binary_metrics(labels[mask], probs[mask], thresholds, with_table=False)
        if mask.sum() < min_group_rows:
            block["roc_auc"] = block["pr_auc"] = None
            block["small_group"] = True
        per[key] = block
    gaps: Report = {}
    for metric in ("roc_auc", "base_rate", "mean_predicted"):
        values = [
            b[metric] for b in per.values() if b[metric] is not None and not b.get("small_group")
        ]
        gaps[metric] = float(max(values) - min(values)) if len(values) >= 2 else None
    return {"groups": per, "gaps": gaps}


def univariate_auc(
    values: npt.ArrayLike, y: npt.ArrayLike, *, categorical: bool, smoothing: float = 20.0
) -> float | None:
    """How well one feature alone ranks the labels, as max(AUC, 1 - AUC) in [0.5, 1].

    Numeric values are ranked as they are (missing rows left out); a categorical column is ranked
    by its smoothed in-sample positive rate ``(pos + m * prior) / (n + m)`` with ``m = smoothing``,
    so that rare categories do not inflate the figure."""
    v = np.asarray(values, dtype=np.float64)
    labels = np.asarray(y, dtype=np.float64)
    keep = ~np.isnan(v)
    v, labels = v[keep], labels[keep]
    if len(np.unique(labels)) < 2:
        return None
    if categorical:
        stats = pd.DataFrame({"k": v, "y": labels}).groupby("k")["y"].agg(["sum", "count"])
        prior = labels.mean()
        rate = (stats["sum"] + smoothing * prior) / (stats["count"] + smoothing)
        v = pd.Series(v).map(rate).to_numpy(dtype=np.float64)
    auc = float(roc_auc_score(labels, v))
    return max(auc, 1.0 - auc)


def evaluate_bundle(
    bundle: ScoringBundle, frame: pd.DataFrame, *, group_columns: Sequence[str] = ()
) -> Report:
    """Score ``frame`` (feature columns, label columns, group columns) with a trained bundle and
    report, per target and for the overall score against the "any label" outcome, the metrics at
    the bundle's band thresholds, with per-group blocks for each of ``group_columns``."""
    probs = bundle.predict_proba(frame)
    thresholds = {"medium": bundle.bands.medium, "high": bundle.bands.high}
    report: Report = {"targets": {}, "group_columns": list(group_columns)}
    labels_all = []
    for target in bundle.targets:
        y = pd.to_numeric(frame[target.label_column], errors="coerce").to_numpy(dtype=np.float64)
        labels_all.append(y)
        keep = ~np.isnan(y)
        block = binary_metrics(y[keep], probs[target.name][keep], thresholds)
        block["by_group"] = {
            g: group_metrics(
                y[keep], probs[target.name][keep], frame[g].to_numpy()[keep], thresholds
            )
            for g in group_columns
        }
        report["targets"][target.name] = block
    stacked = np.vstack(labels_all)
    complete = ~np.isnan(stacked).any(axis=0)
    any_label = (np.nan_to_num(stacked) > 0).any(axis=0).astype(np.float64)
    overall = binary_metrics(any_label[complete], probs["overall"][complete], thresholds)
    overall["label"] = "any target positive (rows with every label present)"
    overall["by_group"] = {
        g: group_metrics(
            any_label[complete],
            probs["overall"][complete],
            frame[g].to_numpy()[complete],
            thresholds,
        )
        for g in group_columns
    }
    report["overall"] = overall
    return report


def bundle_report(
    bundle: RiskModelBundle, test: pd.DataFrame, group_columns: Sequence[str]
) -> dict[str, Any]:
    """Split, leakage flags, model-size tables and (when ``test`` has rows) test metrics."""
    report: dict[str, Any] = {
        "split": bundle.training["slices"],
        "leakage_flags": bundle.leakage_flags,
        "model_size": {
            t: {"chosen": next(r for r in m.size_table if r["chosen"]), "table": m.size_table}
            for t, m in bundle.models.items()
        },
    }
    if len(test):
        report["test"] = evaluate_bundle(bundle, test, group_columns=group_columns)
    return report
