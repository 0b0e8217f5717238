"""What the overlap search indexes and queries (:class:`OverlapDoc`) and what it answers
(:class:`OverlapMatch`), with the components a query carries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OverlapDoc:
    """What is indexed and what is queried.

    ``equipment`` repeats a category code once per unit (("MASS_SPECTROMETER",) * 2 = two units).
    ``year`` is when the item started / was approved / was submitted (0 = unknown); ``group`` is
    the agency (a proposal's agency, a program's managing agency, a lab's host; "" unknown), the
    ``agency`` component; ``budget_vnd`` 0 = unknown. ``title`` repeats the part of
    ``text`` that names the item (it stays in ``text``): its terms count ``title_boost`` more.
    """

    doc_id: str
    kind: str
    text: str
    equipment: tuple[str, ...] = ()
    province: str = ""
    region: str = ""
    technology_area: str = ""
    budget_vnd: int = 0
    year: int = 0
    group: str = ""
    title: str = ""


@dataclass(frozen=True)
class OverlapMatch:
    """One match: ``score`` and every component in [0, 1]; shared equipment units per category."""

    doc_id: str
    kind: str
    score: float
    components: dict[str, float]
    shared_equipment: dict[str, int]


def applicable_components(q: OverlapDoc) -> dict[str, bool]:
    """Which components apply to a query: those whose attribute it carries (text always). A
    component that does not apply scores 0 in a match and is left out of its ``score``; the
    duplicate likelihood reads it as absent (None), not as 0."""
    return {"text": True, "equipment": any(q.equipment), "place": bool(q.province or q.region),
            "area": bool(q.technology_area), "budget": q.budget_vnd > 0, "agency": bool(q.group)}
