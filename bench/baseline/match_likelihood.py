"""Frozen: ``features.match_likelihood`` as it was (one ``predict`` per match of each row).

Each match's duplicate likelihood, with its components read as the packaged model needs them.

A component that does not apply to the query (the proposal has no equipment, no budget ...) is
absent, not 0; so is the agency of a same-cycle proposal (peers are compared without it) and the
budget of a registry item that records none (a 0 there would read as a 100-fold mismatch).
"""

from __future__ import annotations

from collections.abc import Callable

from bench.baseline.lookups import likelihood
from wastescreen.features.duplicate_likelihood import DuplicateLikelihood, match_components
from wastescreen.features.overlap_index import OverlapDoc, OverlapMatch, applicable_components
from wastescreen.features.registry_context import RegistryContext

MatchLikelihood = Callable[[OverlapMatch], float]


def match_likelihood(model: DuplicateLikelihood, query: OverlapDoc,
                     context: RegistryContext) -> MatchLikelihood:
    """A function from one of ``query``'s matches to its likelihood (each computed once)."""
    applies = applicable_components(query)
    seen: dict[tuple[str, str], float] = {}

    def budget_known(m: OverlapMatch) -> bool:
        if m.kind == "lab":
            lab = context.lab_record(m.doc_id.removeprefix("lab:"))
            return lab is not None and int(lab["investment_vnd"]) > 0
        if m.kind == "program":
            prog = context.program_record(m.doc_id.removeprefix("program:"))
            return prog is not None and int(prog["budget_vnd"]) > 0
        return True  # a proposal always has a budget

    def of(m: OverlapMatch) -> float:
        key = (m.kind, m.doc_id)
        if key not in seen:
            components = match_components(m, applies)
            if m.kind == "proposal":
                components["agency"] = None
            if not budget_known(m):
                components["budget"] = None
            seen[key] = likelihood(model, components)
        return seen[key]

    return of
