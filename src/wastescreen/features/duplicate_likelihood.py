"""Duplicate likelihood: the probability that a match is the same or overlapping work.

It turns a match's similarity components (``overlap_components.COMPONENTS``: text, equipment,
place, area, budget, agency, each in [0, 1]) into P(same or overlapping work), so "0.94 overlap"
can read "97 % likely the same work". The packaged coefficients
(``reference_data/duplicate_likelihood.json``) were learned on real labelled World Bank pairs;
the file says how, on what data (with its hash) and with which command to refit them.

Model (a logistic regression with sign constraints; fitted by L-BFGS-B)::

    logit P = intercept + sum over used components c of f_c(x_c)

A component is absent when it was not computed or does not apply to the query (the query has no
budget, no equipment, ...); callers pass None (or NaN in the matrix). How each used component
enters depends on how often it was present in the training rows (``presence_``):

- ``always``: f_c = sum_k w_k * ramp_k(x), w_k >= 0, ramps between the component's ``knots``
  (0 and 1 added): a non-decreasing piecewise-linear effect. It cannot be scored when absent.
- ``sometimes``: f_c = lo * (1 - x) + hi * x when present, 0 when absent, lo <= 0 <= hi: absence
  is neutral, between a clear mismatch (x = 0) and a full match (x = 1).
- ``never``: f_c = 0 (nothing to learn from); so is every component not in ``components``.

So the likelihood never falls when any present component rises (every slope is >= 0).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit

from wastescreen.features.overlap_components import COMPONENTS
from wastescreen.features.overlap_index import OverlapMatch

FORMAT = "wastescreen-duplicate-likelihood/1"
PACKAGED = "duplicate_likelihood.json"
_PARAMS = ("components", "knots", "l2")


def component_matrix(rows: Sequence[Mapping[str, float | None]]) -> np.ndarray:
    """(n, len(COMPONENTS)) float64 in COMPONENTS order; a missing key or None becomes NaN."""
    out = np.full((len(rows), len(COMPONENTS)), np.nan)
    for i, row in enumerate(rows):
        for j, c in enumerate(COMPONENTS):
            v = row.get(c)
            if v is not None:
                out[i, j] = float(v)
    return out


def match_components(match: OverlapMatch, applies: Mapping[str, bool]) -> dict[str, float | None]:
    """A match's components with those that do not apply to its query (``applies``, from
    ``overlap_index.applicable_components``) as None: a 0 there means "not compared"."""
    return {c: (float(match.components[c]) if applies.get(c, False) else None)
            for c in COMPONENTS}


def _ramps(x: np.ndarray, knots: Sequence[float]) -> np.ndarray:
    """(n, len(knots) + 1): the share of each interval of [0, knots..., 1] that x covers."""
    edges = [0.0, *knots, 1.0]
    return np.column_stack([np.clip((x - a) / (b - a), 0.0, 1.0)
                            for a, b in itertools.pairwise(edges)])


class DuplicateLikelihood:
    """P(same or overlapping work) from a match's components (scikit-learn style).

    ``components`` the components the model uses (the others never move it); ``knots`` interior
    knots in (0, 1) per component, for components present in every training row (the others are
    linear); ``l2`` ridge penalty on every coefficient but the intercept, per training row.
    """

    def __init__(self, *, components: Sequence[str] = COMPONENTS,
                 knots: Mapping[str, Sequence[float]] | None = None, l2: float = 1e-4) -> None:
        self.components = components
        self.knots = knots
        self.l2 = l2

    def get_params(self) -> dict[str, Any]:
        return {n: getattr(self, n) for n in _PARAMS}

    def _knots(self, c: str) -> list[float]:
        return [float(k) for k in (self.knots or {}).get(c, ())]

    def _design(self, x: np.ndarray) -> tuple[np.ndarray, list[tuple[float | None, float | None]]]:
        """Design columns of the components in ``presence_`` order, and each column's bounds."""
        cols: list[np.ndarray] = []
        bounds: list[tuple[float | None, float | None]] = []
        for c in self.components:
            col = x[:, COMPONENTS.index(c)]
            present = ~np.isnan(col)
            v = np.clip(np.nan_to_num(col, nan=0.0), 0.0, 1.0)
            if self.presence_[c] == "always":
                if not present.all():
                    raise ValueError(f"component {c!r} was present in every training row; "
                                     "it cannot be scored when absent")
                cols.extend(_ramps(v, self._knots(c)).T)
                bounds.extend([(0.0, None)] * (len(self._knots(c)) + 1))
            elif self.presence_[c] == "sometimes":
                cols.extend([present * (1.0 - v), present * v])
                bounds.extend([(None, 0.0), (0.0, None)])
        return (np.column_stack(cols) if cols else np.zeros((len(x), 0))), bounds

    def fit(self, x: np.ndarray, y: np.ndarray) -> DuplicateLikelihood:
        """``x`` (n, len(COMPONENTS)) components, NaN where absent (``component_matrix``);
        ``y`` (n,) 1 = same or overlapping work, 0 = not."""
        unknown = set(self.components) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown components {sorted(unknown)}")
        for c, ks in (self.knots or {}).items():
            if list(ks) != sorted(set(ks)) or not all(0 < k < 1 for k in ks):
                raise ValueError(f"knots of {c!r} must rise strictly inside (0, 1)")
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        if set(np.unique(y)) != {0.0, 1.0}:
            raise ValueError("y must hold both labels, 0 and 1, and nothing else")
        self.presence_: dict[str, str] = {}
        for c in self.components:
            share = float(np.mean(~np.isnan(x[:, COMPONENTS.index(c)])))
            self.presence_[c] = "always" if share == 1 else "never" if share == 0 else "sometimes"
            if self.presence_[c] != "always" and self._knots(c):
                raise ValueError(f"knots for {c!r}, absent in some training rows: only a "
                                 "component present in every row can have knots")
        design, bounds = self._design(x)
        n = len(y)

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = w[0] + design @ w[1:]
            p = expit(z)
            value = np.sum(np.logaddexp(0.0, z) - y * z) / n + self.l2 * np.sum(w[1:] ** 2) / 2
            grad = np.concatenate([[np.mean(p - y)], design.T @ (p - y) / n + self.l2 * w[1:]])
            return float(value), grad

        from scipy.optimize import minimize  # fitting only: serving should not load it

        start = np.zeros(design.shape[1] + 1)
        res = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=[(None, None), *bounds],
                       options={"maxiter": 10_000, "ftol": 1e-12, "gtol": 1e-9})
        self.intercept_ = float(res.x[0])
        self._w: np.ndarray | None = None
        self.coef_: dict[str, list[float]] = {}
        pos = 1
        for c in self.components:
            width = {"always": len(self._knots(c)) + 1, "sometimes": 2}.get(self.presence_[c], 0)
            self.coef_[c] = [float(v) for v in res.x[pos : pos + width]]
            pos += width
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(n,) float64 likelihoods of ``x`` (n, len(COMPONENTS)), NaN where absent."""
        design, _ = self._design(np.atleast_2d(np.asarray(x, np.float64)))
        w = np.concatenate([self.coef_[c] for c in self.components] + [np.zeros(0)])
        out: np.ndarray = expit(self.intercept_ + design @ w)
        return out

    def predict_matches(self, matches: Sequence[OverlapMatch],
                        applies: Mapping[str, bool]) -> np.ndarray:
        """(len(matches),) likelihoods of one query's matches; ``applies`` is the query's
        ``overlap_index.applicable_components`` (a component that does not apply is absent)."""
        return self.predict(component_matrix([match_components(m, applies) for m in matches]))

    def likelihood(self, components: Mapping[str, float | None]) -> float:
        """The likelihood of one match; a missing key or None is an absent component.

        ``predict`` of the one-row ``component_matrix``, bit for bit: the design row is made
        with the same float operations in Python (a few dozen numpy calls on one-element arrays
        cost far more than the arithmetic), then goes through the same (1, k) product and
        ``expit`` as there."""
        row: list[float] = []
        for c in self.components:
            value = components.get(c)
            x = math.nan if value is None else float(value)
            present = not math.isnan(x)
            # np.clip(np.nan_to_num(x, nan=0.0), 0.0, 1.0)
            v = min(max(x, 0.0), 1.0) if present else 0.0
            if self.presence_[c] == "always":
                if not present:
                    raise ValueError(f"component {c!r} was present in every training row; "
                                     "it cannot be scored when absent")
                edges = [0.0, *self._knots(c), 1.0]
                row.extend(min(max((v - a) / (b - a), 0.0), 1.0)
                           for a, b in itertools.pairwise(edges))
            elif self.presence_[c] == "sometimes":
                row.extend([1.0 - v, v] if present else [0.0, 0.0])
        design = np.array([row], dtype=np.float64).reshape(1, len(row))
        out: np.ndarray = expit(self.intercept_ + design @ self._weights())
        return float(out[0])

    def _weights(self) -> np.ndarray:
        """The coefficients in design-column order (``predict``'s ``w``), made once."""
        w: np.ndarray | None = getattr(self, "_w", None)
        if w is None:
            w = self._w = np.concatenate([self.coef_[c] for c in self.components]
                                         + [np.zeros(0)])
        return w

    # -- persistence: JSON, no pickle --------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT,
                "params": {"components": list(self.components), "l2": self.l2,
                           "knots": {c: self._knots(c) for c in self.components
                                     if self._knots(c)}},
                "intercept_": self.intercept_, "coef_": self.coef_, "presence_": self.presence_}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DuplicateLikelihood:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        p = data["params"]
        self = cls(components=tuple(p["components"]), knots=p["knots"], l2=float(p["l2"]))
        self.intercept_ = float(data["intercept_"])
        self.presence_ = {c: str(data["presence_"][c]) for c in self.components}
        self.coef_ = {c: [float(v) for v in data["coef_"][c]] for c in self.components}
        self._w = None
        if not all(math.isfinite(v) for vs in self.coef_.values() for v in vs):
            raise ValueError("coefficients must be finite")
        return self

    def save(self, path: Path, **card: Any) -> None:
        """Write the model as JSON; ``card`` adds what it was fitted on, metrics, ..."""
        path.write_text(json.dumps({**self.to_dict(), **card}, indent=1, ensure_ascii=False)
                        + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> DuplicateLikelihood:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def packaged_card() -> dict[str, Any]:
    """The packaged file as a dict (coefficients and what they were fitted on)."""
    text = resources.files("wastescreen").joinpath("reference_data", PACKAGED).read_text("utf-8")
    card: dict[str, Any] = json.loads(text)
    return card


@cache
def default() -> DuplicateLikelihood:
    """The packaged model (loaded once per process)."""
    return DuplicateLikelihood.from_dict(packaged_card())


def provenance() -> dict[str, Any]:
    """What a model card or a report says of the packaged model: version, fit date, command,
    the real data it was fitted on (source, hashes, rows), whether each component was learned,
    and the held-out Brier scores (``ours`` and the ``raw_score`` baseline)."""
    card = packaged_card()
    keep = ("version", "fitted_on", "command", "data", "components_notes", "meaning")
    return {k: card[k] for k in keep} | {"held_out_brier": card["held_out"]["brier"]}
