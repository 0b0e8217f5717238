"""Proposals + registry -> the model's feature rows and the matches behind them.

One code path for training and serving: ``build_features`` takes a frame of any number of
proposals (30,000 historical ones or the single one being screened) and works column-wise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from features.catalogue import FEATURE_NAMES
from features.overlap_index import OverlapDoc, OverlapIndex, OverlapMatch
from features.proposal_frame import proposals_to_frame
from features.regional_equipment import regional_equipment_features
from features.registry_context import RegistryContext

CLOSE_MATCH = 0.5
TOP_K = 5
PEER_K = 10


@dataclass
class PeerSet:
    """Indexes of the proposals of each budget cycle, and the agency of each indexed proposal."""

    indexes: dict[int, OverlapIndex] = field(default_factory=dict)
    agency_of: dict[str, str] = field(default_factory=dict)


@dataclass
class ProposalMatches:
    """The best registry and same-cycle matches of one proposal (for evidence)."""

    labs: list[OverlapMatch] = field(default_factory=list)
    programs: list[OverlapMatch] = field(default_factory=list)
    peers: list[OverlapMatch] = field(default_factory=list)


def proposal_docs(frame: pd.DataFrame) -> list[OverlapDoc]:
    """Overlap documents of the proposals in a frame made by ``proposals_to_frame``."""
    columns = ["text", "equipment", "province", "region", "technology_area", "budget_vnd",
               "year", "agency"]
    records = [{str(k): v for k, v in r.items()}
               for r in frame[columns].to_dict(orient="records")]
    return [
        OverlapDoc(doc_id=str(pid), kind="proposal", text=str(row["text"]),
                   equipment=tuple(c for c, q in row["equipment"].items() for _ in range(q)),
                   province=str(row["province"]), region=str(row["region"]),
                   technology_area=str(row["technology_area"]),
                   budget_vnd=int(row["budget_vnd"]), year=int(row["year"]),
                   group=str(row["agency"]))
        for pid, row in zip(frame.index, records, strict=True)
    ]


def _query_unique(index: OverlapIndex, docs: Sequence[OverlapDoc], **options: Any
                  ) -> list[list[OverlapMatch]]:
    """``index.query_many`` over the distinct contents of ``docs`` (the id aside), so that
    what-if variants that leave text, equipment, place, area and budget alone cost nothing."""
    first: dict[OverlapDoc, int] = {}
    keys = [dataclasses.replace(d, doc_id="") for d in docs]
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    unique = list(first.values())
    found = dict(zip(unique, index.query_many([docs[i] for i in unique], **options),
                     strict=True))
    return [found[first[key]] for key in keys]


def _registry_matches(frame: pd.DataFrame, docs: Sequence[OverlapDoc], index: OverlapIndex,
                      kind: str) -> list[list[OverlapMatch]]:
    out: list[list[OverlapMatch]] = [[] for _ in docs]
    if len(index) == 0:
        return out
    years = frame["year"].to_numpy()
    # Only what existed by the submission year is compared; grouping by year lets each group
    # go through the index as one batch.
    for year in np.unique(years):
        idx = [int(i) for i in np.flatnonzero(years == year)]
        found = _query_unique(index, [docs[i] for i in idx], k=TOP_K, kinds={kind},
                              max_year=int(year))
        for i, matches in zip(idx, found, strict=True):
            out[i] = matches
    return out


def _peer_matches(frame: pd.DataFrame, docs: Sequence[OverlapDoc],
                  peers: PeerSet) -> list[list[OverlapMatch]]:
    out: list[list[OverlapMatch]] = [[] for _ in docs]
    cycles = frame["cycle"].to_numpy()
    agency_of = peers.agency_of
    for cycle in np.unique(cycles):
        index = peers.indexes.get(int(cycle))
        if index is None or len(index) == 0:
            continue
        idx = [int(i) for i in np.flatnonzero(cycles == cycle)]
        found = _query_unique(index, [docs[i] for i in idx], k=PEER_K + 1)
        for i, matches in zip(idx, found, strict=True):
            own, agency = docs[i].doc_id, docs[i].group
            out[i] = [m for m in matches
                      if m.doc_id != own and agency_of.get(m.doc_id) != agency][:TOP_K]
    return out


def _best(matches: list[list[OverlapMatch]]) -> np.ndarray:
    return np.array([m[0].score if m else 0.0 for m in matches], dtype=np.float64)


def build_features(frame: pd.DataFrame, context: RegistryContext,
                   peers: PeerSet | None = None
                   ) -> tuple[pd.DataFrame, list[ProposalMatches]]:
    """Feature rows (columns = ``FEATURE_NAMES``, index = ``frame.index``) and the matches.

    ``frame`` comes from ``proposals_to_frame``;
    ``peers`` holds the proposals of each budget cycle (a proposal's own row and its own
    agency's proposals are ignored).
    """
    docs = proposal_docs(frame)
    labs = _registry_matches(frame, docs, context.index, "lab")
    programs = _registry_matches(frame, docs, context.index, "program")
    cycle = _peer_matches(frame, docs, peers or PeerSet())
    out = frame.copy()
    out["sim_lab_best"] = _best(labs)
    out["sim_program_best"] = _best(programs)
    out["sim_cycle_best"] = _best(cycle)
    out["close_match_count"] = [
        float(sum(1 for group in trio for m in group if m.score >= CLOSE_MATCH))
        for trio in zip(labs, programs, cycle, strict=True)]
    regional = regional_equipment_features(frame, context.labs)
    track = context.track_record.transform(frame)
    out = out.join(regional).join(track)
    matches = [ProposalMatches(lab, prog, peer)
               for lab, prog, peer in zip(labs, programs, cycle, strict=True)]
    return out[list(FEATURE_NAMES)], matches


def build_peer_set(frame: pd.DataFrame) -> PeerSet:
    """One overlap index per budget cycle over the proposals of ``frame``."""
    docs = proposal_docs(frame)
    cycles = frame["cycle"].to_numpy()
    indexes = {int(c): OverlapIndex().fit([docs[int(i)] for i in np.flatnonzero(cycles == c)])
               for c in np.unique(cycles)}
    return PeerSet(indexes=indexes, agency_of=dict(zip(frame.index.astype(str),
                                                       frame["agency"], strict=True)))


__all__ = ["PeerSet", "build_features", "build_peer_set", "proposals_to_frame"]
