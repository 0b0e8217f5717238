"""Requested equipment against labs of the same region: existing and under-used capacity.

Equipment categories are bit positions (fewer than 64 categories in the reference table), so a
lab's or a proposal's set of categories is one int64 and overlaps are popcounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from wastescreen.reference import equipment_categories

CATEGORY_BIT: dict[str, int] = {c.code: i for i, c in enumerate(equipment_categories())}
assert len(CATEGORY_BIT) < 63, "category sets are int64 bitmasks"


def category_mask(categories: Sequence[str]) -> int:
    """Bitmask of a collection of category codes (unknown codes ignored)."""
    mask = 0
    for code in categories:
        bit = CATEGORY_BIT.get(code)
        if bit is not None:
            mask |= 1 << bit
    return mask


def quantity_matrix(requests: Sequence[Mapping[str, int]]) -> npt.NDArray[np.float64]:
    """(n_queries, n_categories) matrix of requested quantities per category."""
    out = np.zeros((len(requests), len(CATEGORY_BIT)), dtype=np.float64)
    for i, req in enumerate(requests):
        for code, qty in req.items():
            bit = CATEGORY_BIT.get(code)
            if bit is not None:
                out[i, bit] += qty
    return out


def regional_equipment_features(queries: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """``underused_capacity_nearby`` and ``equipment_in_region_share`` for each query row.

    ``queries``: columns ``region`` (str), ``year`` (int, submission year), ``equipment``
    (mapping category -> quantity requested). ``labs``: columns ``region``, ``year_established``,
    ``utilisation`` (0–1 or NaN: unknown utilisation is never counted as under-use),
    ``category_mask`` (int). Only labs established by the query's year count.
    """
    n = len(queries)
    underused = np.zeros(n)
    in_region = np.zeros(n)
    qty = quantity_matrix(list(queries["equipment"]))
    total_qty = qty.sum(axis=1)
    qmask = np.array([category_mask(list(r)) for r in queries["equipment"]], dtype=np.int64)
    qyear = queries["year"].to_numpy(dtype=np.int64)
    positions = pd.Series(np.arange(n), index=queries.index)
    bits = np.int64(1) << np.arange(len(CATEGORY_BIT), dtype=np.int64)
    for region, rows in queries.groupby("region", sort=False):
        lab_rows = labs[labs["region"] == region]
        if lab_rows.empty:
            continue
        idx = positions.loc[rows.index].to_numpy()
        lmask = lab_rows["category_mask"].to_numpy(dtype=np.int64)
        lyear = lab_rows["year_established"].to_numpy(dtype=np.int64)
        idle = 1.0 - lab_rows["utilisation"].to_numpy(dtype=np.float64)
        eligible = lyear[None, :] <= qyear[idx, None]                       # (q, labs)
        shared = np.bitwise_count(qmask[idx, None] & lmask[None, :]).astype(np.float64)
        wanted = np.maximum(np.bitwise_count(qmask[idx]).astype(np.float64), 1.0)
        score = np.where(eligible & ~np.isnan(idle)[None, :],
                         np.nan_to_num(idle)[None, :] * shared / wanted[:, None], 0.0)
        underused[idx] = score.max(axis=1)
        union = np.bitwise_or.reduce(np.where(eligible, lmask[None, :], 0), axis=1)
        present = (union[:, None] & bits[None, :]) != 0                     # (q, categories)
        covered = (qty[idx] * present).sum(axis=1)
        in_region[idx] = np.where(total_qty[idx] > 0, covered / np.maximum(total_qty[idx], 1), 0)
    return pd.DataFrame({"underused_capacity_nearby": underused,
                         "equipment_in_region_share": in_region}, index=queries.index)
