"""Non-text component scores of the overlap search, vectorised over (query, candidate) pairs.

Each function takes per-pair arrays of shape (n_pairs,) — the query's value repeated for each of
its candidates, and the candidate's stored value — and returns float32 (n_pairs,) in [0, 1].
Categorical values are int codes: -1 unknown, -2 a value the index has never seen (the query
carries it, so the component applies, but nothing can match it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

COMPONENTS = ("text", "equipment", "place", "area", "budget", "agency")
# What candidate generation adds to the term score, in the order it adds them.
CONTEXT = ("place", "area", "budget", "agency")
UNKNOWN = -1
UNSEEN = -2


def equipment_shared(
    q_units: np.ndarray, q_total: np.ndarray, cand_units: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Units of the query's requested categories that each candidate already holds.

    ``q_units`` (n_pairs, k) query units in k category columns, ``q_total`` (n_pairs,) all units
    the query requests (including categories no indexed row has), ``cand_units`` (n_pairs, k)
    candidate units in the same columns (dense). Returns (coverage (n_pairs,), shared
    (n_pairs, k)) with shared = min(query units, candidate units) and coverage = shared units /
    requested units. Coverage is relative to the query, not symmetric: a big lab already holding
    everything a proposal asks for scores 1.0 — exactly the redundancy a reviewer has to see.
    """
    held = np.asarray(cand_units, dtype=np.float32)
    shared = np.minimum(held, q_units.astype(np.float32))
    cover = np.divide(shared.sum(axis=1), q_total, out=np.zeros(len(q_total), np.float32),
                      where=q_total > 0)
    return cover.astype(np.float32), shared


def place_score(
    q_province: np.ndarray, q_region: np.ndarray, province: np.ndarray, region: np.ndarray
) -> np.ndarray:
    """1.0 same province, 0.5 same region (other or unknown province), else 0."""
    same_region = (q_region >= 0) & (q_region == region)
    same_province = (q_province >= 0) & (q_province == province)
    out: np.ndarray = np.where(same_province, 1.0, np.where(same_region, 0.5, 0.0))
    return out.astype(np.float32)


def area_score(q_area: np.ndarray, area: np.ndarray) -> np.ndarray:
    """1.0 when the technology area code is the same, else 0 (unknown never matches)."""
    same: np.ndarray = (q_area >= 0) & (q_area == area)
    return same.astype(np.float32)


def agency_score(q_group: np.ndarray, group: np.ndarray) -> np.ndarray:
    """1.0 when the candidate is managed or hosted by the query's own agency, else 0 (unknown
    never matches): an agency asking again for what it already runs is the plainest redundancy."""
    same: np.ndarray = (q_group >= 0) & (q_group == group)
    return same.astype(np.float32)


def budget_score(q_log10: np.ndarray, log10: np.ndarray, span_decades: float) -> np.ndarray:
    """Closeness of budget scale: 1 - |log10 ratio| / span_decades, floored at 0; NaN (unknown)
    on either side scores 0. With a span of 2 decades a budget ten times larger scores 0.5."""
    gap: np.ndarray = np.abs(log10 - q_log10) / span_decades
    close: np.ndarray = np.nan_to_num(np.clip(1.0 - gap, 0.0, 1.0), nan=0.0)
    return close.astype(np.float32)


def log10_budget(budget_vnd: int) -> float:
    """log10 of a positive budget in VND, NaN when unknown (<= 0)."""
    return float(np.log10(budget_vnd)) if budget_vnd > 0 else float("nan")


def combine(
    parts: dict[str, np.ndarray], applies: dict[str, np.ndarray], weights: dict[str, float]
) -> np.ndarray:
    """Weighted mean of the components a query carries (n_pairs,) in [0, 1].

    A component applies when the query has the attribute (equipment, place, area, budget,
    agency; text always), so a proposal without a budget is not pulled down by a budget score it
    cannot earn.
    """
    num = np.zeros_like(parts["text"], dtype=np.float64)
    den = np.zeros_like(num)
    for name in COMPONENTS:
        w = weights.get(name, 0.0) * applies[name].astype(np.float64)
        num += w * parts[name]
        den += w
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0).astype(np.float32)


def context_score(
    q: dict[str, Any], rows: dict[str, np.ndarray], weights: dict[str, float],
    span_decades: float,
) -> np.ndarray:
    """Weighted place + area + budget + agency of one query against candidate rows (n,): what
    candidate generation adds to the text part so rows are chosen by (nearly) the score they are
    ranked by. ``q`` holds scalar codes (province, region, area, log_budget, group) and
    ``applies`` flags."""
    out = np.zeros(rows["province"].size, np.float32)
    if q["applies"]["place"]:
        out += weights["place"] * place_score(q["province"], q["region"], rows["province"],
                                              rows["region"])
    if q["applies"]["area"]:
        out += weights["area"] * area_score(q["area"], rows["area"])
    if q["applies"]["budget"]:
        out += weights["budget"] * budget_score(q["log_budget"], rows["log_budget"], span_decades)
    if q["applies"]["agency"]:
        out += weights["agency"] * agency_score(q["group"], rows["group"])
    return out


def context_score_pairs(
    q: dict[str, np.ndarray], applies: dict[str, np.ndarray], rows: dict[str, np.ndarray],
    weights: dict[str, float], span_decades: float,
) -> np.ndarray:
    """``context_score`` for many queries at once: ``q`` and ``applies`` hold each pair's
    query values and flags (n_pairs,), ``rows`` its candidate's. A component that does not
    apply adds exactly 0, so each pair gets the float32 sum ``context_score`` gives it."""
    out = np.zeros(rows["province"].size, np.float32)
    for name in CONTEXT:
        if not applies[name].any():
            continue
        if name == "place":
            score = place_score(q["province"], q["region"], rows["province"], rows["region"])
        elif name == "area":
            score = area_score(q["area"], rows["area"])
        elif name == "budget":
            score = budget_score(q["log_budget"], rows["log_budget"], span_decades)
        else:
            score = agency_score(q["group"], rows["group"])
        out += np.where(applies[name], weights[name] * score, np.float32(0.0))
    return out
