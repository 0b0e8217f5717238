"""What-if: changes an agency can make to its proposal, as modified copies to re-score.

Every variant is a valid ``Proposal`` (budget lines and total adjusted together), scored by the
same feature and model path as the original; the service keeps the three that lower the
overall score most.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from wastescreen.domain.proposal import Proposal

COFUNDING_TARGET = 0.20
SMALL_LINE_VND = 500_000_000


@dataclass(frozen=True)
class Variant:
    change: str
    description_vi: str
    description_en: str
    proposal: Proposal


def _rebuilt(p: Proposal, **changes: Any) -> Proposal:
    data = p.model_dump(mode="json")
    data.update(changes)
    return Proposal.model_validate(data)


def _without_equipment(p: Proposal, keep: Callable[[int], bool]) -> Proposal | None:
    items = [e for i, e in enumerate(p.equipment) if keep(i)]
    if len(items) == len(p.equipment):
        return None
    removed = p.equipment_total_vnd - sum(e.total_vnd for e in items)
    budget = p.budget.model_dump()
    cut = min(removed, budget["equipment_vnd"])
    budget["equipment_vnd"] -= cut
    return _rebuilt(p, equipment=[e.model_dump(mode="json") for e in items], budget=budget,
                    total_budget_vnd=p.total_budget_vnd - cut)


def make_variants(p: Proposal, *, om_ratio_target: float | None,
                  regional_categories: frozenset[str]) -> list[Variant]:
    """Changes that apply to ``p``: shared-use plan, O&M budget, co-funding, KPI targets,
    dropping equipment already held in the region, dropping small equipment lines.

    ``om_ratio_target``: yearly O&M / capital cost of comparable projects without waste (the
    median), or None; ``regional_categories``: equipment categories labs of the region hold.
    """
    out: list[Variant] = []
    if not p.shared_use_plan:
        out.append(Variant(
            "add_shared_use_plan", "Bổ sung kế hoạch chia sẻ thiết bị cho đơn vị ngoài",
            "Add a plan to share the facilities with outside users",
            _rebuilt(p, shared_use_plan="Kế hoạch chia sẻ sử dụng (giả định của what-if)")))
    capital = p.budget.equipment_vnd + p.budget.construction_vnd
    if om_ratio_target and capital and p.om_budget_vnd_per_year < om_ratio_target * capital:
        target = int(round(om_ratio_target * capital, -6))
        out.append(Variant(
            "raise_om_budget", f"Nâng kinh phí vận hành, bảo trì lên {target:,} đồng/năm",
            f"Raise the O&M budget to VND {target:,} a year", _rebuilt(
                p, om_budget_vnd_per_year=target)))
    if p.cofunding_vnd < COFUNDING_TARGET * p.total_budget_vnd:
        share = int(COFUNDING_TARGET * 100)
        out.append(Variant(
            "raise_cofunding", f"Huy động vốn đối ứng {share} % tổng kinh phí",
            f"Raise co-funding to {share}% of the budget", _rebuilt(
                p, cofunding_vnd=int(COFUNDING_TARGET * p.total_budget_vnd))))
    if any(not k.is_measurable for k in p.kpis):
        end = (pd.Timestamp(p.start_date) + pd.DateOffset(months=p.duration_months)).date()
        kpis = [k.model_dump(mode="json") | {
            "target": k.target if k.target is not None else 1.0,
            "deadline": (k.deadline or end).isoformat()} for k in p.kpis]
        out.append(Variant(
            "measurable_kpis", "Đặt giá trị định lượng và thời hạn cho mọi chỉ tiêu đầu ra",
            "Give every KPI a numeric target and a deadline", _rebuilt(p, kpis=kpis)))
    dropped = _without_equipment(p, lambda i: p.equipment[i].category not in regional_categories)
    if dropped is not None and dropped.equipment:  # dropping everything is not a fix
        out.append(Variant(
            "drop_equipment_held_in_region",
            "Bỏ các thiết bị mà phòng thí nghiệm trong vùng đã có, dùng chung thay vì mua mới",
            "Drop equipment that labs of the region already hold; share theirs instead",
            dropped))
    small = _without_equipment(p, lambda i: p.equipment[i].total_vnd >= SMALL_LINE_VND)
    if small is not None and small.equipment:
        out.append(Variant(
            "drop_small_lines", "Bỏ các hạng mục thiết bị nhỏ lẻ dưới 500 triệu đồng",
            "Drop the small equipment lines under VND 500 million", small))
    return out


def om_target(ranges: Mapping[str, Mapping[str, float]]) -> float | None:
    rng = ranges.get("om_ratio")
    return float(rng["median"]) if rng and rng.get("median") else None


