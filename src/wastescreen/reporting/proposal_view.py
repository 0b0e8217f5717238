"""The proposal itself, as the report shows it: what was asked for, in the reader's words."""

from __future__ import annotations

from typing import Any

from wastescreen.core import reference
from wastescreen.core.labels.proposal import TEXT as P
from wastescreen.core.locale_format import Lang, date_text, number, percent, vnd
from wastescreen.domain.proposal import Proposal

BUDGET_LINES = ("equipment_vnd", "construction_vnd", "personnel_vnd", "operations_vnd",
                "other_vnd")


def proposal_view(p: Proposal, lang: Lang) -> dict[str, Any]:
    """Every part of the proposal a reviewer reads before the scores (plain strings)."""
    total = max(p.total_budget_vnd, 1)
    return {
        "reference_code": p.reference_code or "—",
        "summary": p.summary, "objectives": p.objectives,
        "managing_level": P[f"level_{p.managing_level.value}"][lang],
        "period": f"{date_text(p.start_date, lang)} → {date_text(p.end_date, lang)} "
                  f"({number(p.duration_months, lang)} {P['months'][lang]})",
        "trl": f"TRL {p.trl_start} → {p.trl_target}",
        "budget": [{"label": P[f"line_{line}"][lang],
                    "amount": vnd(getattr(p.budget, line), lang),
                    "share": percent(getattr(p.budget, line) / total, lang)}
                   for line in BUDGET_LINES],
        "cofunding": vnd(p.cofunding_vnd, lang) + (f" · {p.cofunding_sources}"
                                                   if p.cofunding_sources else ""),
        "om": vnd(p.om_budget_vnd_per_year, lang) + " " + P["per_year"][lang],
        "shared_use_plan": p.shared_use_plan or P["none"][lang],
        "equipment": [{"name": e.name, "category": reference.equipment_name(e.category, lang),
                       "quantity": number(e.quantity, lang), "unit": vnd(e.unit_cost_vnd, lang),
                       "total": vnd(e.total_vnd, lang), "spec": e.specification}
                      for e in p.equipment],
        "kpis": [{"metric": k.metric,
                  "target": "—" if k.target is None else
                  f"{number(k.target, lang, 0 if float(k.target).is_integer() else 2)} {k.unit}"
                  .strip(),
                  "deadline": date_text(k.deadline, lang), "measurable": k.is_measurable,
                  "measurable_label": P["measurable" if k.is_measurable else "not_measurable"][
                      lang]} for k in p.kpis],
        "researchers": [f"{r.name}" + (f" ({r.role})" if r.role else "") for r in p.researchers],
    }
