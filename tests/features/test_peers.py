"""A cycle's peer index gives the same scores whether it was fitted on the cycle at once (a
worker starting up) or grown one filing at a time (a worker that took them): a screening can
be reproduced from the set of peers it saw."""

from __future__ import annotations

from wastescreen.demo_portfolio import generate_portfolio
from wastescreen.features.peers import PeerSet, proposal_docs
from wastescreen.features.proposal_frame import proposal_rows


def test_fitted_at_once_and_grown_in_place_score_alike() -> None:
    pf = generate_portfolio(57, n_labs=10, n_programs=20, n_proposals=400)
    cycle = max(p.cycle for p in pf.proposals)
    mine = [p for p in pf.proposals if p.cycle == cycle][:60]
    ids = [f"p{i}" for i in range(len(mine))]
    rows = proposal_rows(mine, ids)
    at_once = PeerSet.of(rows)
    grown = PeerSet()
    for i, p in enumerate(mine):
        grown.add(proposal_rows([p], [ids[i]]))
    queries = proposal_docs(proposal_rows(mine[:20], [f"q{i}" for i in range(20)]))
    a = at_once.indexes[cycle].query_many(queries, k=8)
    b = grown.indexes[cycle].query_many(queries, k=8)
    assert a == b  # same matches, same scores to the bit
    assert any(len(m) > 1 for m in a)
