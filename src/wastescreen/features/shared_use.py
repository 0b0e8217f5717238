"""The labs of a region that already hold what a proposal asks to buy, and how much they are used.

This is what a reviewer (and the agency) can act on: "LAB-0153 in the same region holds a
scanning electron microscope, used 31 % of its capacity (measured 2026-03 by the lab survey),
open for shared use, about 2,760 spare hours a year". A lab counts for a proposal when it is in
the same region and was established by the proposal's submission year; unknown utilisation is
never counted as under-use.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Holder:
    """One lab holding some of the requested categories."""

    lab_code: str
    name: str
    host: str
    province: str
    categories: tuple[str, ...]
    utilisation: float | None
    measured_on: str | None
    measured_by: str
    capacity_hours_per_year: int
    open_for_shared_use: bool

    @property
    def spare_hours(self) -> int | None:
        """Capacity hours a year not used (None when capacity or utilisation is unknown)."""
        if self.utilisation is None or self.capacity_hours_per_year <= 0:
            return None
        return round(self.capacity_hours_per_year * (1.0 - self.utilisation))

    def underused(self, below: float) -> bool:
        return self.utilisation is not None and self.utilisation < below

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, as stored in a result."""
        return {"lab_code": self.lab_code, "name": self.name, "host": self.host,
                "province": self.province, "categories": list(self.categories),
                "utilisation": self.utilisation, "utilisation_measured_on": self.measured_on,
                "utilisation_measured_by": self.measured_by,
                "capacity_hours_per_year": self.capacity_hours_per_year,
                "spare_hours": self.spare_hours,
                "open_for_shared_use": self.open_for_shared_use}


def _rank(h: Holder) -> tuple[bool, float, str]:
    """Lowest utilisation first (unknown last), then by lab code."""
    return (h.utilisation is None, h.utilisation or 0.0, h.lab_code)


def _date(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if isinstance(value, str) and value else None


class SharedUseLabs:
    """Labs by region with their categories (scikit-learn style: ``fit`` learns ``labs_``,
    region -> list of (year established, ``Holder`` with every category the lab holds))."""

    def fit(self, labs: pd.DataFrame) -> SharedUseLabs:
        """``labs`` as ``registry_context.labs_frame`` makes it (indexed by lab code)."""
        self.labs_: dict[str, list[tuple[int, Holder]]] = {}
        for code, row in zip(labs.index, labs.to_dict(orient="records"), strict=True):
            util = row.get("utilisation")
            known = isinstance(util, int | float) and not math.isnan(util)
            capacity = row.get("capacity_hours_per_year")
            holder = Holder(
                lab_code=str(code), name=str(row["name"]), host=str(row["host"]),
                province=str(row["province"]), categories=tuple(sorted(row["equipment"])),
                utilisation=float(util) if known and util is not None else None,
                measured_on=_date(row.get("utilisation_measured_on")),
                measured_by=str(row.get("utilisation_measured_by") or ""),
                capacity_hours_per_year=int(capacity) if capacity == capacity and capacity
                else 0,
                open_for_shared_use=bool(row["open_for_shared_use"]))
            self.labs_.setdefault(str(row["region"]), []).append(
                (int(row["year_established"]), holder))
        # Each region's labs in the order ``holders`` lists them (a stable sort: filtering
        # this order gives what sorting the filtered labs would).
        self._ranked = {region: sorted(labs, key=lambda e: _rank(e[1]))
                        for region, labs in self.labs_.items()}
        return self

    def holders(self, region: str, year: int, requested: Mapping[str, int]) -> list[Holder]:
        """Labs of ``region`` established by ``year`` holding any requested category, each
        with only the requested categories it holds; lowest utilisation first (unknown last),
        then by lab code."""
        wanted = {c for c, q in requested.items() if q > 0}
        out = []
        for established, lab in self._ranked.get(region, ()):
            if established > year or wanted.isdisjoint(lab.categories):
                continue
            held = tuple(c for c in lab.categories if c in wanted)
            out.append(lab if held == lab.categories else Holder(
                lab.lab_code, lab.name, lab.host, lab.province, held, lab.utilisation,
                lab.measured_on, lab.measured_by, lab.capacity_hours_per_year,
                lab.open_for_shared_use))
        return out

    def held_share(self, region: str, year: int, requested: Mapping[str, int], *,
                   below: float, open_for_sharing: bool,
                   holders: Sequence[Holder] | None = None) -> tuple[float, list[Holder]]:
        """Share of the requested instruments (units) whose category some lab of the region
        holds while used below ``below`` of capacity and (not) open for shared use, and those
        labs. ``holders``: what ``holders(region, year, requested)`` gave, when known."""
        total = sum(q for q in requested.values() if q > 0)
        if holders is None:
            holders = self.holders(region, year, requested)
        labs = [h for h in holders
                if h.underused(below) and h.open_for_shared_use == open_for_sharing]
        if not total or not labs:
            return 0.0, []
        covered = {c for h in labs for c in h.categories}
        return sum(q for c, q in requested.items() if c in covered) / total, labs
