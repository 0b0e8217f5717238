"""Frozen: ``screening.what_if`` as it was (each variant a whole proposal dumped to JSON and
validated again).

What-if: changes an agency can make to its proposal, as modified copies to re-score.

Every variant is a valid ``Proposal`` (budget lines and total adjusted together), scored by the
same feature and model path as the original; the service keeps the three that lower the
overall score most.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from wastescreen.core.locale_format import percent, vnd_exact
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import SharedUseOption, WhatIf
from wastescreen.features.shared_use import Holder

COFUNDING_TARGET = 0.20
SMALL_LINE_VND = 500_000_000
SHARED_USE_OPTIONS = 3


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
                  holders: Sequence[Holder] = ()) -> list[Variant]:
    """Changes that apply to ``p``: shared-use plan, O&M budget, co-funding, KPI targets,
    using a named lab's equipment instead of buying it, dropping small equipment lines.

    ``om_ratio_target``: yearly O&M / capital cost of comparable projects without waste (the
    median), or None; ``holders``: labs of the region holding requested categories, best
    candidates first (``features.shared_use``): the first ``SHARED_USE_OPTIONS`` become
    variants "use LAB-0153's equipment instead".
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
            "raise_om_budget",
            f"Nâng kinh phí vận hành, bảo trì lên {vnd_exact(target, 'vi')}/năm",
            f"Raise the O&M budget to {vnd_exact(target, 'en')} a year", _rebuilt(
                p, om_budget_vnd_per_year=target)))
    if p.cofunding_vnd < COFUNDING_TARGET * p.total_budget_vnd:
        out.append(Variant(
            "raise_cofunding",
            f"Huy động vốn đối ứng {percent(COFUNDING_TARGET, 'vi')} tổng kinh phí",
            f"Raise co-funding to {percent(COFUNDING_TARGET, 'en')} of the budget", _rebuilt(
                p, cofunding_vnd=int(COFUNDING_TARGET * p.total_budget_vnd))))
    if any(not k.is_measurable for k in p.kpis):
        end = (pd.Timestamp(p.start_date) + pd.DateOffset(months=p.duration_months)).date()
        kpis = [k.model_dump(mode="json") | {
            "target": k.target if k.target is not None else 1.0,
            "deadline": (k.deadline or end).isoformat()} for k in p.kpis]
        out.append(Variant(
            "measurable_kpis", "Đặt giá trị định lượng và thời hạn cho mọi chỉ tiêu đầu ra",
            "Give every KPI a numeric target and a deadline", _rebuilt(p, kpis=kpis)))
    out.extend(shared_use_variants(p, holders))
    small = _without_equipment(p, lambda i: p.equipment[i].total_vnd >= SMALL_LINE_VND)
    if small is not None and small.equipment:
        out.append(Variant(
            "drop_small_lines", "Bỏ các hạng mục thiết bị nhỏ lẻ dưới 500 triệu đồng",
            "Drop the small equipment lines under VND 500 million", small))
    return out


def _keeps_all_but(p: Proposal, held: frozenset[str]) -> Callable[[int], bool]:
    """Whether item i of ``p`` stays when the categories ``held`` come from a lab instead."""
    return lambda i: p.equipment[i].category not in held


def shared_use_variants(p: Proposal, holders: Sequence[Holder]) -> list[Variant]:
    """One variant per candidate lab (open for shared use first): the proposal without the
    instruments of the categories that lab holds. Change code ``use_lab:<lab code>``."""
    out: list[Variant] = []
    ranked = sorted(holders, key=lambda h: not h.open_for_shared_use)  # stable: keeps order
    for lab in ranked[:SHARED_USE_OPTIONS]:
        held = frozenset(lab.categories)
        variant = _without_equipment(p, _keeps_all_but(p, held))
        if variant is None:
            continue
        names = ", ".join(dict.fromkeys(e.name for e in p.equipment if e.category in held))
        out.append(Variant(
            f"use_lab:{lab.lab_code}",
            f"Dùng chung {names} của {lab.lab_code} ({lab.name}) thay vì mua mới",
            f"Use {lab.lab_code}'s {names} ({lab.name}) instead of buying them", variant))
    return out


def om_target(ranges: Mapping[str, Mapping[str, float]]) -> float | None:
    rng = ranges.get("om_ratio")
    return float(rng["median"]) if rng and rng.get("median") else None




def requested_units(p: Proposal) -> dict[str, int]:
    """Equipment category -> units the proposal asks to buy."""
    out: dict[str, int] = {}
    for item in p.equipment:
        out[item.category] = out.get(item.category, 0) + item.quantity
    return out


def shared_use_options(holders: Sequence[Holder], what_if: Sequence[WhatIf],
                       shown: int = 5) -> list[SharedUseOption]:
    """The labs holding requested equipment, each with the score of using theirs instead where
    it was scored; most saving first, then the least used (``shown`` at most)."""
    scored = {w.change.removeprefix("use_lab:"): w for w in what_if
              if w.change.startswith("use_lab:")}
    options = []
    for h in holders:
        w = scored.get(h.lab_code)
        options.append(SharedUseOption(
            lab_code=h.lab_code, name=h.name, host=h.host, province=h.province,
            categories=list(h.categories), utilisation=h.utilisation,
            utilisation_measured_on=h.measured_on, utilisation_measured_by=h.measured_by,
            spare_hours=h.spare_hours, open_for_shared_use=h.open_for_shared_use,
            new_overall_score=None if w is None else w.new_overall_score,
            new_band=None if w is None else w.new_band, delta=None if w is None else w.delta))
    options.sort(key=lambda o: (o.delta is None, o.delta or 0.0, not o.open_for_shared_use,
                                o.utilisation is None, o.utilisation or 0.0, o.lab_code))
    return options[:shown]
