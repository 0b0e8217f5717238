"""Red flags of a proposal and its what-if variants, and the band they leave it in.

The flags are computed from what the screening already found (matches, registry context,
same-cycle peers); a fired flag sets the lowest band (``features.red_flags.band_floor``). The
proposal gets every flag in full (sentence, values, evidence); a what-if variant only the flags
that fire on it, which is all its band needs.
"""

from __future__ import annotations

from collections.abc import Sequence

from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import FlagOutcome
from wastescreen.features.build import ProposalMatches
from wastescreen.features.flag_inputs import FlagLookups, flag_inputs
from wastescreen.features.match_likelihood import MatchLikelihood, Memo, match_likelihood
from wastescreen.features.peers import proposal_docs
from wastescreen.features.proposal_frame import ProposalRows
from wastescreen.features.red_flags import Severity, evaluate_flags, fired_flags, flag_catalogue
from wastescreen.screening.engine import ScreeningEngine

Fired = list[tuple[str, Severity]]


def likelihoods_of(engine: ScreeningEngine, rows: ProposalRows) -> list[MatchLikelihood]:
    """For each proposal row, the duplicate likelihood of its matches (the rows share what
    they compute). Call with ``engine.lock`` held (it reads the registry context)."""
    memo: Memo = {}
    return [match_likelihood(engine.likelihood, doc, engine.context, memo)
            for doc in proposal_docs(rows)]


def flags_of(engine: ScreeningEngine, proposals: Sequence[Proposal], rows: ProposalRows,
             matches: Sequence[ProposalMatches], likelihoods: Sequence[MatchLikelihood],
             lookups: FlagLookups) -> tuple[list[FlagOutcome], list[Fired]]:
    """Every catalogue flag of the proposal (row 0), and the flags that fire on each what-if
    variant (the rows after it); ``rows``, ``matches`` and ``likelihoods`` in the same order;
    ``lookups`` made for this screening from the engine's context and peers."""
    catalogue = flag_catalogue()
    below = float(catalogue.parameters["underused_below"])
    first: list[FlagOutcome] = []
    variants: list[Fired] = []
    for i, (proposal, year, found, likelihood) in enumerate(zip(
            proposals, rows["year"].tolist(), matches, likelihoods, strict=True)):
        inputs = flag_inputs(proposal, int(year), found, lookups.context, lookups.peers,
                             engine.peer_details, likelihood, underused_below=below,
                             lookups=lookups, full=i == 0)
        if i == 0:
            first = evaluate_flags(inputs.values, inputs.facts, inputs.cited, catalogue)
        else:
            variants.append(fired_flags(inputs.values, catalogue))
    return first, variants
