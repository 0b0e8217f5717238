"""Frozen: the look-ups the red flags made per proposal row before issue 17, as functions of
the live objects: ``SharedUseLabs.holders`` and ``held_share`` (a sort per call),
``DuplicateLikelihood.likelihood`` (a one-row matrix through ``predict``) and the programs
counted with pandas (``flag_inputs._count_programs``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wastescreen.features.duplicate_likelihood import DuplicateLikelihood, component_matrix
from wastescreen.features.registry_context import RegistryContext
from wastescreen.features.shared_use import Holder, SharedUseLabs


def holders(shared: SharedUseLabs, region: str, year: int, requested: Mapping[str, int]
            ) -> list[Holder]:
    wanted = {c for c, q in requested.items() if q > 0}
    out = []
    for established, lab in shared.labs_.get(region, ()):
        held = tuple(c for c in lab.categories if c in wanted)
        if established <= year and held:
            out.append(Holder(**{**lab.__dict__, "categories": held}))
    return sorted(out, key=lambda h: (h.utilisation is None, h.utilisation or 0.0,
                                      h.lab_code))


def held_share(shared: SharedUseLabs, region: str, year: int, requested: Mapping[str, int], *,
               below: float, open_for_sharing: bool) -> tuple[float, list[Holder]]:
    total = sum(q for q in requested.values() if q > 0)
    labs = [h for h in holders(shared, region, year, requested)
            if h.underused(below) and h.open_for_shared_use == open_for_sharing]
    if not total or not labs:
        return 0.0, []
    covered = {c for h in labs for c in h.categories}
    return sum(q for c, q in requested.items() if c in covered) / total, labs


def likelihood(model: DuplicateLikelihood, components: Mapping[str, float | None]) -> float:
    return float(model.predict(component_matrix([components]))[0])


def count_programs(context: RegistryContext, statuses: Sequence[str], year: int) -> float:
    programs = context.programs
    if programs.empty:
        return 0.0
    return float(((programs["status"].isin(statuses)) & (programs["start_year"] <= year)).sum())
