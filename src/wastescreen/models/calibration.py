"""Probability calibration on a held-out slice, stored as plain JSON numbers, and the overall score.

Calibration maps the raw XGBoost margin (log-odds, unbounded) to a probability:

- ``isotonic``: centred isotonic regression — the isotonic fit's blocks, each reduced to one
  point (the middle of its margins, its probability), joined by straight lines and applied with
  ``numpy.interp`` (flat beyond the first and last centres). Plain isotonic regression is a
  staircase: every margin inside a block gets the same probability, and on the World Bank data
  60 % of the later projects shared one value, so a queue "sorted by risk" could not order
  them. Joining the centres keeps the fit's calibration at each block and the model's ranking
  between them (Oron & Flournoy, 2017);
- ``platt``: ``p = 1 / (1 + exp(-(a * margin + b)))`` with ``a >= 0``.

Both maps are non-decreasing in the margin, so a monotone constraint that holds for the margin
still holds for the calibrated probability.

Overall score: the probability of *any* kind of waste under a noisy-OR,
``overall = 1 - prod_i (1 - p_i)``. It treats the per-target events as independent; when they are
positively correlated (the usual case) it over-states the true P(any), so it errs towards review,
which is the intended side for a screening tool. It is non-decreasing in every ``p_i``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Method = Literal["isotonic", "platt"]
MIN_ISOTONIC_ROWS = 1000
MIN_ISOTONIC_POSITIVES = 50


@dataclass
class Calibration:
    """A fitted margin -> probability map; ``params`` is JSON-able (lists of floats or a, b)."""

    method: Method
    params: dict[str, Any] = field(default_factory=dict)

    def apply(self, margin: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Calibrated probabilities for margins of any shape (log-odds in, [0, 1] out)."""
        m = np.asarray(margin, dtype=np.float64)
        if self.method == "isotonic":
            out: npt.NDArray[np.float64] = np.interp(m, self.params["x"], self.params["y"])
            return out
        z = float(self.params["a"]) * m + float(self.params["b"])
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "params": self.params}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        return cls(method=data["method"], params=dict(data["params"]))


def choose_method(y: npt.ArrayLike) -> Method:
    """Isotonic when the slice has >= 1000 rows and >= 50 of each class, else Platt."""
    labels = np.asarray(y)
    positives = int(labels.sum())
    enough = len(labels) >= MIN_ISOTONIC_ROWS
    return (
        "isotonic"
        if enough and min(positives, len(labels) - positives) >= MIN_ISOTONIC_POSITIVES
        else "platt"
    )


def block_centres(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[list[float], list[float]]:
    """One point per constant block of an isotonic fit: (middle of the block's margins, its
    value). ``x``, ``y``: the fit's thresholds (n,), x increasing, y non-decreasing; returns
    x strictly increasing and y strictly increasing (blocks of equal value are one block)."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, np.diff(ys) != 0])
    ends = np.r_[starts[1:], len(ys)] - 1
    return ([float((xs[a] + xs[b]) / 2) for a, b in zip(starts, ends, strict=True)],
            [float(ys[a]) for a in starts])


def fit_calibration(
    margin: npt.ArrayLike, y: npt.ArrayLike, method: Method | Literal["auto"] = "auto"
) -> Calibration:
    """Fit a map on held-out rows: ``margin`` shape (n,) log-odds, ``y`` shape (n,) 0/1."""
    # Imported here: serving only applies a fitted map and should not load scikit-learn.
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    m = np.asarray(margin, dtype=np.float64).ravel()
    labels = np.asarray(y, dtype=np.float64).ravel()
    if len(np.unique(labels)) < 2:
        raise ValueError("the calibration slice needs both classes")
    chosen: Method = choose_method(labels) if method == "auto" else method
    if chosen == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(m, labels)
        x, y = block_centres(iso.X_thresholds_, iso.y_thresholds_)
        return Calibration("isotonic", {"x": x, "y": y})
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(m.reshape(-1, 1), labels)
    a = max(float(lr.coef_[0, 0]), 0.0)  # a < 0 would invert the ranking; a = 0 means "no signal"
    return Calibration("platt", {"a": a, "b": float(lr.intercept_[0])})


def combine_any(probabilities: Sequence[npt.ArrayLike]) -> npt.NDArray[np.float64]:
    """Noisy-OR overall score: ``1 - prod(1 - p_i)`` over targets, element-wise, shape kept."""
    arrays = [np.asarray(p, dtype=np.float64) for p in probabilities]
    if not arrays:
        raise ValueError("no probabilities to combine")
    none = np.ones_like(arrays[0])
    for p in arrays:
        none = none * (1.0 - p)
    return 1.0 - none
