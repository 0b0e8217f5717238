"""Frozen: ``features.build.build_feature_columns`` as it was (the registry's and the peers'
queries through the frozen ``query_many``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.baseline.overlap import query_many
from wastescreen.features.build import PEER_K, TOP_K, ProposalMatches, match_features
from wastescreen.features.catalogue import FEATURE_NAMES
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex, OverlapMatch
from wastescreen.features.peers import PeerSet, proposal_docs
from wastescreen.features.proposal_frame import ProposalRows
from wastescreen.features.registry_context import RegistryContext


def _query_unique(index: OverlapIndex, docs: Sequence[OverlapDoc], **options: Any
                  ) -> list[list[OverlapMatch]]:
    """``index.query_many`` over the distinct contents of ``docs`` (the id aside), so that
    what-if variants that leave text, equipment, place, area, budget and agency alone cost
    nothing."""
    first: dict[OverlapDoc, int] = {}
    keys = [dataclasses.replace(d, doc_id="") for d in docs]
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    unique = list(first.values())
    found = dict(zip(unique, query_many(index, [docs[i] for i in unique], **options),
                     strict=True))
    return [found[first[key]] for key in keys]


def _registry_matches(rows: ProposalRows, docs: Sequence[OverlapDoc], index: OverlapIndex
                      ) -> tuple[list[list[OverlapMatch]], list[list[OverlapMatch]]]:
    """The ``TOP_K`` best labs and the ``TOP_K`` best programs of each proposal row."""
    labs: list[list[OverlapMatch]] = [[] for _ in docs]
    programs: list[list[OverlapMatch]] = [[] for _ in docs]
    if len(index) == 0:
        return labs, programs
    years = rows["year"]
    # Only what existed by the submission year is compared; grouping by year lets each group
    # go through the index as one batch.
    for year in np.unique(years):
        idx = [int(i) for i in np.flatnonzero(years == year)]
        found = _query_unique(index, [docs[i] for i in idx], k=TOP_K, kinds={"lab", "program"},
                              max_year=int(year), per_kind=True)
        for i, matches in zip(idx, found, strict=True):
            labs[i] = [m for m in matches if m.kind == "lab"]
            programs[i] = [m for m in matches if m.kind == "program"]
    return labs, programs


def _peer_matches(rows: ProposalRows, docs: Sequence[OverlapDoc],
                  peers: PeerSet) -> list[list[OverlapMatch]]:
    out: list[list[OverlapMatch]] = [[] for _ in docs]
    cycles = rows["cycle"]
    agency_of = peers.agency_of
    for cycle in np.unique(cycles):
        index = peers.indexes.get(int(cycle))
        if index is None or len(index) == 0:
            continue
        idx = [int(i) for i in np.flatnonzero(cycles == cycle)]
        # Without the agency: the proposal's own agency's are dropped below, so the agency
        # component could only lift them into the window and scale everyone else's down.
        found = _query_unique(index, [dataclasses.replace(docs[i], group="") for i in idx],
                              k=PEER_K + 1)
        for i, matches in zip(idx, found, strict=True):
            own, agency = docs[i].doc_id, docs[i].group
            out[i] = [m for m in matches
                      if m.doc_id != own and agency_of.get(m.doc_id) != agency][:TOP_K]
    return out


def build_feature_columns(rows: ProposalRows, context: RegistryContext,
                          peers: PeerSet | None = None
                          ) -> tuple[dict[str, npt.NDArray[Any]], list[ProposalMatches]]:
    """The one feature code path: ``FEATURE_NAMES`` -> (n,) array for n proposal rows, and the
    matches behind them. Categorical features are object arrays of str, the others float64.

    ``peers`` holds the proposals of each budget cycle (a proposal's own row and its own
    agency's proposals are ignored).
    """
    docs = proposal_docs(rows)
    labs, programs = _registry_matches(rows, docs, context.index)
    cycle = _peer_matches(rows, docs, peers or PeerSet())
    out: dict[str, npt.NDArray[Any]] = dict(rows.columns)
    out.update(match_features(labs, programs, cycle))
    out["underused_capacity_nearby"], out["equipment_in_region_share"] = (
        context.regional_labs.transform(rows["region"], rows["year"], list(rows["equipment"])))
    out.update(context.track_record.transform_arrays(rows["agency"], rows["submitted_on"]))
    matches = [ProposalMatches(lab, prog, peer)
               for lab, prog, peer in zip(labs, programs, cycle, strict=True)]
    return {name: out[name] for name in FEATURE_NAMES}, matches
