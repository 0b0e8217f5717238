"""Requested equipment against labs of the same region: existing and under-used capacity.

Equipment categories are bit positions (fewer than 64 categories in the reference table), so a
lab's or a proposal's set of categories is one int64 and overlaps are popcounts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wastescreen.core.reference import equipment_categories

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


class RegionalLabs:
    """Labs grouped by region for the regional-equipment features (scikit-learn style).

    ``fit(labs)`` learns, per region, ``masks_`` (int64 category bitmasks), ``years_`` (year
    established) and ``idle_`` (1 - utilisation, NaN when unknown), each of shape (n_labs,).
    """

    def fit(self, labs: pd.DataFrame) -> RegionalLabs:
        """``labs``: columns ``region``, ``year_established``, ``utilisation`` (0–1 or NaN),
        ``category_mask`` (int)."""
        self.masks_: dict[str, npt.NDArray[np.int64]] = {}
        self.years_: dict[str, npt.NDArray[np.int64]] = {}
        self.idle_: dict[str, npt.NDArray[np.float64]] = {}
        regions = labs["region"].to_numpy(dtype=object)
        masks = labs["category_mask"].to_numpy(dtype=np.int64)
        years = labs["year_established"].to_numpy(dtype=np.int64)
        idle = 1.0 - labs["utilisation"].to_numpy(dtype=np.float64)
        for region in dict.fromkeys(regions):
            at = regions == region
            self.masks_[str(region)], self.years_[str(region)] = masks[at], years[at]
            self.idle_[str(region)] = idle[at]
        return self

    def categories_held(self, region: str, year: int) -> frozenset[str]:
        """Equipment categories held by labs of ``region`` established by ``year``."""
        if region not in self.masks_:
            return frozenset()
        union = int(np.bitwise_or.reduce(self.masks_[region][self.years_[region] <= year],
                                         initial=0))
        return frozenset(c for c, bit in CATEGORY_BIT.items() if union >> bit & 1)

    def transform(self, region: npt.NDArray[Any], year: npt.NDArray[np.int64],
                  equipment: Sequence[Mapping[str, int]]
                  ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(underused_capacity_nearby, equipment_in_region_share), each (n,), for n queries.

        ``region`` (n,) str, ``year`` (n,) submission year, ``equipment`` category -> quantity
        requested. Only labs established by the query's year count; unknown utilisation is never
        counted as under-use.
        """
        n = len(region)
        underused = np.zeros(n)
        in_region = np.zeros(n)
        qty = quantity_matrix(equipment)
        total_qty = qty.sum(axis=1)
        qmask = np.array([category_mask(list(r)) for r in equipment], dtype=np.int64)
        qyear = np.asarray(year, dtype=np.int64)
        bits = np.int64(1) << np.arange(len(CATEGORY_BIT), dtype=np.int64)
        for reg in dict.fromkeys(region):
            if reg not in self.masks_:
                continue
            idx = np.flatnonzero(region == reg)
            lmask, lyear, idle = self.masks_[reg], self.years_[reg], self.idle_[reg]
            eligible = lyear[None, :] <= qyear[idx, None]                       # (q, labs)
            shared = np.bitwise_count(qmask[idx, None] & lmask[None, :]).astype(np.float64)
            wanted = np.maximum(np.bitwise_count(qmask[idx]).astype(np.float64), 1.0)
            score = np.where(eligible & ~np.isnan(idle)[None, :],
                             np.nan_to_num(idle)[None, :] * shared / wanted[:, None], 0.0)
            underused[idx] = score.max(axis=1)
            union = np.bitwise_or.reduce(np.where(eligible, lmask[None, :], 0), axis=1)
            present = (union[:, None] & bits[None, :]) != 0                 # (q, categories)
            covered = (qty[idx] * present).sum(axis=1)
            in_region[idx] = np.where(total_qty[idx] > 0,
                                      covered / np.maximum(total_qty[idx], 1), 0)
        return underused, in_region


def regional_equipment_features(queries: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """``underused_capacity_nearby`` and ``equipment_in_region_share`` for each query row.

    ``queries``: columns ``region`` (str), ``year`` (int, submission year), ``equipment``
    (mapping category -> quantity requested); ``labs`` as ``RegionalLabs.fit`` takes them.
    """
    underused, in_region = RegionalLabs().fit(labs).transform(
        queries["region"].to_numpy(dtype=object), queries["year"].to_numpy(dtype=np.int64),
        list(queries["equipment"]))
    return pd.DataFrame({"underused_capacity_nearby": underused,
                         "equipment_in_region_share": in_region}, index=queries.index)
