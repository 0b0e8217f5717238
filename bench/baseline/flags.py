"""Frozen: ``screening.flags`` as it was (every flag of every row in full).

Red flags of a proposal and its what-if variants, and the band they leave it in.

The flags are computed from what the screening already found (matches, registry context,
same-cycle peers); a fired flag sets the lowest band (``features.red_flags.band_floor``).
"""

from __future__ import annotations

from collections.abc import Sequence

from bench.baseline.flag_inputs import flag_inputs
from bench.baseline.match_likelihood import MatchLikelihood, match_likelihood
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import FlagOutcome
from wastescreen.features.build import ProposalMatches
from wastescreen.features.peers import proposal_docs
from wastescreen.features.proposal_frame import ProposalRows
from wastescreen.features.red_flags import evaluate_flags, flag_catalogue
from wastescreen.screening.engine import ScreeningEngine


def likelihoods_of(engine: ScreeningEngine, rows: ProposalRows) -> list[MatchLikelihood]:
    """For each proposal row, the duplicate likelihood of its matches. Call with
    ``engine.lock`` held (it reads the registry context)."""
    return [match_likelihood(engine.likelihood, doc, engine.context)
            for doc in proposal_docs(rows)]


def flags_of(engine: ScreeningEngine, proposals: Sequence[Proposal], rows: ProposalRows,
             matches: Sequence[ProposalMatches], likelihoods: Sequence[MatchLikelihood]
             ) -> list[list[FlagOutcome]]:
    """Every catalogue flag for each proposal (``rows``, ``matches`` and ``likelihoods`` in the
    same order). Call with ``engine.lock`` held: it reads the registry context and the peers."""
    catalogue = flag_catalogue()
    below = float(catalogue.parameters["underused_below"])
    out = []
    for proposal, year, found, likelihood in zip(proposals, rows["year"].tolist(), matches,
                                                 likelihoods, strict=True):
        inputs = flag_inputs(proposal, int(year), found, engine.context, engine.peers,
                             engine.peer_details, likelihood, underused_below=below)
        out.append(evaluate_flags(inputs.values, inputs.facts, inputs.cited, catalogue))
    return out
