"""The quantities the red flags read, with the facts their sentences cite and their evidence.

Computed for one proposal from what its screening already has: the proposal, its matches in the
registry and its cycle (``ProposalMatches``), the registry context and the same-cycle peers. A
match's ``likelihood`` (the chance it is the same or overlapping work) comes from the duplicate
likelihood learned on real labelled pairs.

A screening computes them for its proposal and for each what-if variant; ``FlagLookups`` keeps
what they share (the programs counted, the cycle's other agencies, the labs holding requested
equipment), and a variant needs only the ``values`` (``full=False``): its band, not the
sentences or the evidence.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wastescreen.core.reference import region_of
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import FlagEvidence
from wastescreen.features.build import ProposalMatches
from wastescreen.features.match_likelihood import MatchLikelihood
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


class FlagLookups:
    """What the flags of one screening's rows (its proposal and its variants) look up alike,
    each looked up once: the registry context and the same-cycle peers as they are for it."""

    def __init__(self, context: RegistryContext, peers: PeerSet) -> None:
        self.context, self.peers = context, peers
        self._others: dict[tuple[int, str], float] = {}
        # (region, year) -> the categories asked for -> holders: a bulk screening's rows
        # each look up the entries of their own region and year, not every entry made.
        self._holders: dict[tuple[str, int], dict[frozenset[str], list[Holder]]] = {}
        self._held: dict[tuple[Any, ...], tuple[float, list[Holder]]] = {}

    def programs(self, statuses: Sequence[str], year: int) -> float:
        return float(self.context.programs_started(statuses, year))

    def other_peers(self, cycle: int, agency: str) -> float:
        """The cycle's indexed proposals of other agencies."""
        key = (cycle, agency)
        if key not in self._others:
            self._others[key] = _other_peers(self.peers, cycle, agency)
        return self._others[key]

    def holders(self, region: str, year: int, requested: Mapping[str, int]) -> list[Holder]:
        """``SharedUseLabs.holders`` (the list is shared: do not change it). A variant asks
        for part of what its proposal asks for: its holders are the proposal's, each with only
        the categories the variant still asks for, in the same order."""
        wanted = frozenset(c for c, q in requested.items() if q > 0)
        known = self._holders.setdefault((region, year), {})
        if wanted not in known:
            wider = next((found for w, found in known.items() if wanted <= w), None)
            known[wanted] = (
                self.context.shared_use.holders(region, year, requested) if wider is None
                else [h if held == h.categories else dataclasses.replace(h, categories=held)
                      for h in wider
                      if (held := tuple(c for c in h.categories if c in wanted))])
        return known[wanted]

    def held_share(self, region: str, year: int, requested: Mapping[str, int], *,
                   below: float, open_for_sharing: bool) -> tuple[float, list[Holder]]:
        key = (region, year, tuple(requested.items()), below, open_for_sharing)
        if key not in self._held:
            self._held[key] = self.context.shared_use.held_share(
                region, year, requested, below=below, open_for_sharing=open_for_sharing,
                holders=self.holders(region, year, requested))
        return self._held[key]


def _best_program(matches: Sequence[OverlapMatch], context: RegistryContext,
                  statuses: Sequence[str], likelihood: MatchLikelihood, full: bool
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
            if not full:
                continue
            facts = {"item": f"{code} «{prog['title']}»", "status": prog["status"],
                     "outcome": prog["outcome"], "agency": prog["managing_agency"],
                     "likelihood": p}
            cited = [FlagEvidence(kind="program", code=code, name=str(prog["title"]),
                                  agency=str(prog["managing_agency"]),
                                  status=str(prog["status"]), outcome=str(prog["outcome"]),
                                  likelihood=p)]
    return best, facts, cited


def _peers(matches: Sequence[OverlapMatch], details: Mapping[str, Mapping[str, Any]],
           likelihood: MatchLikelihood, full: bool
           ) -> tuple[float, dict[str, Any], list[FlagEvidence]]:
    best, facts, cited = 0.0, {}, []
    for m in matches:
        p = likelihood(m)
        if p > best:
            if not full:
                best = p
                continue
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
                underused_below: float, lookups: FlagLookups | None = None,
                full: bool = True) -> FlagInputs:
    """The red-flag quantities of ``proposal`` (``year``: the year whose registry counts).

    ``lookups``: shared with the other rows of the same screening (made here when None);
    ``full=False``: the values only (no facts, no evidence)."""
    out = FlagInputs()
    look = lookups or FlagLookups(context, peers)

    def put(quantity: str, value: float | None, facts: dict[str, Any] | None = None,
            cited: list[FlagEvidence] | None = None) -> None:
        out.values[quantity] = value
        out.facts[quantity] = facts or {}
        out.cited[quantity] = cited or []

    put("copy_of_active_program",
        *_best_program(matches.programs, context, ACTIVE, likelihood, full))
    put("copy_of_completed_program",
        *_best_program(matches.programs, context, ("completed",), likelihood, full))
    put("active_programs", look.programs(ACTIVE, year))
    put("completed_programs", look.programs(("completed",), year))
    put("copy_of_peer", *_peers(matches.peers, peer_details, likelihood, full))
    put("peers_in_cycle", look.other_peers(proposal.cycle, proposal.agency))

    requested: dict[str, int] = {}
    for item in proposal.equipment:
        requested[item.category] = requested.get(item.category, 0) + item.quantity
    put("requested_instruments", float(sum(requested.values())))
    region = region_of(proposal.province)
    for quantity, is_open in (("held_by_open_underused_share", True),
                              ("held_by_closed_underused_share", False)):
        share, labs = look.held_share(region, year, requested, below=underused_below,
                                      open_for_sharing=is_open)
        if not full:
            put(quantity, share)
            continue
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
