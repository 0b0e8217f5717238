"""Each match's duplicate likelihood, with its components read as the packaged model needs them.

A component that does not apply to the query (the proposal has no equipment, no budget ...) is
absent, not 0; so is the agency of a same-cycle proposal (peers are compared without it) and the
budget of a registry item that records none (a 0 there would read as a 100-fold mismatch).
"""

from __future__ import annotations

from collections.abc import Callable

from wastescreen.features.duplicate_likelihood import DuplicateLikelihood, match_components
from wastescreen.features.overlap_index import OverlapDoc, OverlapMatch, applicable_components
from wastescreen.features.registry_context import RegistryContext

MatchLikelihood = Callable[[OverlapMatch], float]
Memo = dict[tuple[float | None, ...], float]


def match_likelihood(model: DuplicateLikelihood, query: OverlapDoc,
                     context: RegistryContext, memo: Memo | None = None) -> MatchLikelihood:
    """A function from one of ``query``'s matches to its likelihood (each computed once).

    ``memo``: likelihoods by the components they were computed from, shared by the queries of
    one screening (a what-if variant's matches mostly have its proposal's components)."""
    known: Memo = {} if memo is None else memo
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
            values = tuple(components.values())
            if values not in known:
                known[values] = model.likelihood(components)
            seen[key] = known[values]
        return seen[key]

    return of
