"""A seeded, deterministic synthetic registry and proposal history for demonstrations and training.

Nothing here is real data: the labs, programs, agencies and proposals are generated from the
documented mechanisms of :mod:`demo_portfolio.mechanisms`, and every report built on them must say
so. The same seed gives the same portfolio, byte for byte.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np

from wastescreen.demo_portfolio import mechanisms
from wastescreen.demo_portfolio.mechanisms import DRIVERS, LATENT, NO_EFFECT, OUTCOMES, FloatArray
from wastescreen.demo_portfolio.proposals_gen import HistoryBuilder
from wastescreen.demo_portfolio.registry_gen import Agency, make_registry, seeded
from wastescreen.demo_portfolio.texts import GLOSS_SEPARATOR, split_gloss
from wastescreen.demo_portfolio.writer import database_is_empty, write_portfolio
from wastescreen.domain import Lab, Program, Proposal, ProposalOutcome

ID_NAMESPACE = uuid.UUID("6f1d3c52-57a0-4e0b-9a57-2b6f0d1e5757")


@dataclass(eq=False)
class DemoPortfolio:
    """The generated registry and history. ``outcomes`` and the truth columns follow
    ``proposals``; ``quantities`` holds the mechanism inputs (including the latent ones) by name,
    ``derivation`` is "", "program", "lab" or "same_cycle" and ``derived_from`` the code copied
    (program code, lab code or the other proposal's reference code)."""

    seed: int
    labs: list[Lab]
    programs: list[Program]
    proposals: list[Proposal]
    outcomes: list[ProposalOutcome]
    proposal_ids: list[str]
    agencies: list[Agency] = field(default_factory=list)
    quantities: dict[str, FloatArray] = field(default_factory=dict)
    derivation: list[str] = field(default_factory=list)
    derived_from: list[str] = field(default_factory=list)


def generate_portfolio(
    seed: int = 57, *, n_labs: int = 400, n_programs: int = 1000, n_proposals: int = 30000
) -> DemoPortfolio:
    rng, rnd = seeded(seed)
    registry = make_registry(n_labs, n_programs, rnd)
    drafts = HistoryBuilder(n_proposals, registry, rng).build()
    codes = [f"DEMO-{d.payload['cycle']}-{k + 1:05d}" for k, d in enumerate(drafts)]
    position = {d.i: k for k, d in enumerate(drafts)}
    proposals = [
        Proposal.model_validate({**d.payload, "reference_code": code})
        for d, code in zip(drafts, codes, strict=True)
    ]
    q = mechanisms.quantities(
        [d.facts for d in drafts],
        [{line["category"] for line in d.equipment} for d in drafts],
        [d.province for d in drafts],
        [d.payload["cycle"] for d in drafts],
        registry.labs,
    )
    approved = np.array([d.approved for d in drafts], dtype=np.bool_)
    flags = mechanisms.draw_outcomes(q, approved, rng)
    outcomes = [
        ProposalOutcome(
            approved=bool(approved[k]),
            observed_on=d.observed_on,
            idle_assets=bool(flags["idle_assets"][k]),
            duplication_found=bool(flags["duplication_found"][k]),
            outputs_not_delivered=bool(flags["outputs_not_delivered"][k]),
        )
        for k, d in enumerate(drafts)
    ]
    return DemoPortfolio(
        seed=seed,
        labs=registry.labs,
        programs=registry.programs,
        proposals=proposals,
        outcomes=outcomes,
        proposal_ids=[str(uuid.uuid5(ID_NAMESPACE, f"{seed}:{k}")) for k in range(len(drafts))],
        agencies=registry.agencies,
        quantities=q,
        derivation=[d.derivation for d in drafts],
        derived_from=[
            codes[position[d.source_draft]] if d.source_draft >= 0 else d.source for d in drafts
        ],
    )


__all__ = [
    "DRIVERS",
    "GLOSS_SEPARATOR",
    "LATENT",
    "NO_EFFECT",
    "OUTCOMES",
    "DemoPortfolio",
    "database_is_empty",
    "generate_portfolio",
    "split_gloss",
    "write_portfolio",
]
