"""Frozen: ``features.flag_inputs`` as it was (per row, every look-up made again).

The quantities the red flags read, with the facts their sentences cite and their evidence.

Computed for one proposal from what its screening already has: the proposal, its matches in the
registry and its cycle (``ProposalMatches``), the registry context and the same-cycle peers. A
match's ``likelihood`` (the chance it is the same or overlapping work) comes from the duplicate
likelihood learned on real labelled pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.baseline.lookups import count_programs, held_share
from bench.baseline.match_likelihood import MatchLikelihood
from wastescreen.core.reference import region_of
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import FlagEvidence
from wastescreen.features.build import ProposalMatches
from wastescreen.features.overlap_index import OverlapMatch
from wastescreen.features.peers import PeerSet
from wastescreen.features.registry_context import RegistryContext
from wastescreen.features.shared_use import Holder

ACTIVE = ("planned", "ongoing")


@dataclass
class FlagInputs:
    """``values``: quantity -> value; ``facts``: quantity -> placeholders of the sentence of
    the flag about it; ``cited``: quantity -> the evidence that flag shows."""

    values: dict[str, float | None] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    cited: dict[str, list[FlagEvidence]] = field(default_factory=dict)


def _best_program(matches: Sequence[OverlapMatch], context: RegistryContext,
                  statuses: Sequence[str], likelihood: MatchLikelihood
                  ) -> tuple[float, dict[str, Any], list[FlagEvidence]]:
    best, facts, cited = 0.0, {}, []
    for m in matches:
        code = m.doc_id.removeprefix("program:")
        prog = context.program_record(code)
        if prog is None or prog["status"] not in statuses:
            continue
        p = likelihood(m)
        if p > best:
            best = p
            facts = {"item": f"{code} «{prog['title']}»", "status": prog["status"],
                     "outcome": prog["outcome"], "agency": prog["managing_agency"],
                     "likelihood": p}
            cited = [FlagEvidence(kind="program", code=code, name=str(prog["title"]),
                                  agency=str(prog["managing_agency"]),
                                  status=str(prog["status"]), outcome=str(prog["outcome"]),
                                  likelihood=p)]
    return best, facts, cited


def _peers(matches: Sequence[OverlapMatch], details: Mapping[str, Mapping[str, Any]],
           likelihood: MatchLikelihood) -> tuple[float, dict[str, Any], list[FlagEvidence]]:
    best, facts, cited = 0.0, {}, []
    for m in matches:
        p = likelihood(m)
        if p > best:
            row = details.get(m.doc_id, {})
            best, facts = p, {"likelihood": p}
            cited = [FlagEvidence(kind="proposal", code=m.doc_id, name=str(row.get("title", "")),
                                  agency=str(row.get("agency", "")), likelihood=p)]
    return best, facts, cited


def _other_peers(peers: PeerSet, cycle: int, agency: str) -> float:
    index = peers.indexes.get(cycle)
    if index is None:
        return 0.0
    return float(sum(1 for doc_id in index.where_ if peers.agency_of.get(doc_id) != agency))


def _lab_evidence(holders: Sequence[Holder]) -> list[FlagEvidence]:
    return [FlagEvidence(kind="lab", code=h.lab_code, name=h.name, agency=h.host,
                         utilisation=h.utilisation, utilisation_measured_on=h.measured_on,
                         utilisation_measured_by=h.measured_by, spare_hours=h.spare_hours,
                         open_for_shared_use=h.open_for_shared_use,
                         categories=list(h.categories)) for h in holders]


def flag_inputs(proposal: Proposal, year: int, matches: ProposalMatches,
                context: RegistryContext, peers: PeerSet,
                peer_details: Mapping[str, Mapping[str, Any]], likelihood: MatchLikelihood, *,
                underused_below: float) -> FlagInputs:
    """The red-flag quantities of ``proposal`` (``year``: the year whose registry counts)."""
    out = FlagInputs()

    def put(quantity: str, value: float | None, facts: dict[str, Any] | None = None,
            cited: list[FlagEvidence] | None = None) -> None:
        out.values[quantity] = value
        out.facts[quantity] = facts or {}
        out.cited[quantity] = cited or []

    put("copy_of_active_program", *_best_program(matches.programs, context, ACTIVE, likelihood))
    put("copy_of_completed_program",
        *_best_program(matches.programs, context, ("completed",), likelihood))
    put("active_programs", count_programs(context, ACTIVE, year))
    put("completed_programs", count_programs(context, ("completed",), year))
    put("copy_of_peer", *_peers(matches.peers, peer_details, likelihood))
    put("peers_in_cycle", _other_peers(peers, proposal.cycle, proposal.agency))

    requested: dict[str, int] = {}
    for item in proposal.equipment:
        requested[item.category] = requested.get(item.category, 0) + item.quantity
    put("requested_instruments", float(sum(requested.values())))
    region = region_of(proposal.province)
    for quantity, is_open in (("held_by_open_underused_share", True),
                              ("held_by_closed_underused_share", False)):
        share, labs = held_share(context.shared_use, region, year, requested,
                                 below=underused_below, open_for_sharing=is_open)
        named = f"{labs[0].lab_code} «{labs[0].name}»" if labs else ""
        put(quantity, share, {"share": share, "threshold": underused_below, "item": named},
            _lab_evidence(labs))

    capital = proposal.budget.equipment_vnd + proposal.budget.construction_vnd
    share = proposal.budget.equipment_vnd / max(proposal.total_budget_vnd, 1)
    put("capital_vnd", float(capital))
    put("equipment_share", share, {"share": share})
    put("om_budget_vnd_per_year", float(proposal.om_budget_vnd_per_year))
    measurable = sum(1 for k in proposal.kpis if k.is_measurable)
    put("kpi_measurable_share", measurable / len(proposal.kpis) if proposal.kpis else 0.0,
        {"count": len(proposal.kpis)})
    put("trl_jump", float(proposal.trl_target - proposal.trl_start),
        {"jump": proposal.trl_target - proposal.trl_start, "start": proposal.trl_start,
         "target": proposal.trl_target})
    return out
