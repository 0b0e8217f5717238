"""Proposals + registry -> the model's feature rows and the matches behind them.

One code path for training and serving: ``build_feature_columns`` takes the rows of any number
of proposals (30,000 historical ones or the single one being screened, with its what-if
variants) as numpy columns and works column-wise; ``build_features`` is the same as a frame.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wastescreen.features.catalogue import CATALOGUE, FEATURE_NAMES
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex, OverlapMatch, TextMemo
from wastescreen.features.overlap_text import TEXT_VERSION
from wastescreen.features.peers import PeerSet, proposal_docs
from wastescreen.features.proposal_frame import ProposalRows, proposals_to_frame
from wastescreen.features.registry_context import RegistryContext

CLOSE_MATCH = 0.5
TOP_K = 5
PEER_K = 10
# Raised whenever what a feature means changes without a parameter changing (it is part of the
# fingerprint a model is trained with): 2 = same-cycle peers are compared without the agency;
# 3 = peer indexes use a fixed BM25 length scale (features.peers.PEER_LENGTH_SCALE).
FEATURES_VERSION = 3


@dataclass
class ProposalMatches:
    """The best registry and same-cycle matches of one proposal (for evidence)."""

    labs: list[OverlapMatch] = field(default_factory=list)
    programs: list[OverlapMatch] = field(default_factory=list)
    peers: list[OverlapMatch] = field(default_factory=list)


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
    found = dict(zip(unique, index.query_many([docs[i] for i in unique], **options),
                     strict=True))
    return [found[first[key]] for key in keys]


def _registry_matches(rows: ProposalRows, docs: Sequence[OverlapDoc], index: OverlapIndex,
                      memo: TextMemo) -> tuple[list[list[OverlapMatch]], list[list[OverlapMatch]]]:
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
                              max_year=int(year), per_kind=True, text_memo=memo)
        for i, matches in zip(idx, found, strict=True):
            labs[i] = [m for m in matches if m.kind == "lab"]
            programs[i] = [m for m in matches if m.kind == "program"]
    return labs, programs


def _peer_matches(rows: ProposalRows, docs: Sequence[OverlapDoc],
                  peers: PeerSet, memo: TextMemo) -> list[list[OverlapMatch]]:
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
                              k=PEER_K + 1, text_memo=memo)
        for i, matches in zip(idx, found, strict=True):
            own, agency = docs[i].doc_id, docs[i].group
            out[i] = [m for m in matches
                      if m.doc_id != own and agency_of.get(m.doc_id) != agency][:TOP_K]
    return out


def _best(matches: list[list[OverlapMatch]]) -> np.ndarray:
    return np.array([m[0].score if m else 0.0 for m in matches], dtype=np.float64)


def match_features(labs: list[list[OverlapMatch]], programs: list[list[OverlapMatch]],
                   cycle: list[list[OverlapMatch]]) -> dict[str, npt.NDArray[np.float64]]:
    """The overlap features of n proposals from their matches (each list (n,), best first):
    ``sim_lab_best``, ``sim_program_best``, ``sim_cycle_best``, ``close_match_count``."""
    return {
        "sim_lab_best": _best(labs), "sim_program_best": _best(programs),
        "sim_cycle_best": _best(cycle),
        "close_match_count": np.array([
            float(sum(1 for group in trio for m in group if m.score >= CLOSE_MATCH))
            for trio in zip(labs, programs, cycle, strict=True)], dtype=np.float64)}


def build_feature_columns(rows: ProposalRows, context: RegistryContext,
                          peers: PeerSet | None = None
                          ) -> tuple[dict[str, npt.NDArray[Any]], list[ProposalMatches]]:
    """The one feature code path: ``FEATURE_NAMES`` -> (n,) array for n proposal rows, and the
    matches behind them. Categorical features are object arrays of str, the others float64.

    ``peers`` holds the proposals of each budget cycle (a proposal's own row and its own
    agency's proposals are ignored).
    """
    docs = proposal_docs(rows)
    memo: TextMemo = {}  # the registry's and the peers' queries hash the same texts
    labs, programs = _registry_matches(rows, docs, context.index, memo)
    cycle = _peer_matches(rows, docs, peers or PeerSet(), memo)
    out: dict[str, npt.NDArray[Any]] = dict(rows.columns)
    out.update(match_features(labs, programs, cycle))
    out["underused_capacity_nearby"], out["equipment_in_region_share"] = (
        context.regional_labs.transform(rows["region"], rows["year"], list(rows["equipment"])))
    out.update(context.track_record.transform_arrays(rows["agency"], rows["submitted_on"]))
    matches = [ProposalMatches(lab, prog, peer)
               for lab, prog, peer in zip(labs, programs, cycle, strict=True)]
    return {name: out[name] for name in FEATURE_NAMES}, matches


def build_features(frame: pd.DataFrame | ProposalRows, context: RegistryContext,
                   peers: PeerSet | None = None
                   ) -> tuple[pd.DataFrame, list[ProposalMatches]]:
    """``build_feature_columns`` as a frame (columns = ``FEATURE_NAMES``, index = the ids).

    ``frame`` comes from ``proposals_to_frame`` (or is the ``ProposalRows`` behind it).
    """
    rows = ProposalRows.from_frame(frame) if isinstance(frame, pd.DataFrame) else frame
    columns, matches = build_feature_columns(rows, context, peers)
    return pd.DataFrame(columns, index=pd.Index(list(rows.ids), name="proposal_id")), matches


def feature_fingerprint() -> dict[str, Any]:
    """What the similarity features depend on besides the data: the overlap index's parameters,
    the tokenizer's version and the monotone constraints the models are trained under
    (JSON-able). Stored with a trained model and compared when it is
    served: a model is only valid with the feature code it was trained with."""
    index = OverlapIndex()
    params = json.loads(json.dumps(index.get_params(), default=str))
    # The effective weights too: ``weights`` None stands for defaults that can change.
    return {"overlap_params": params, "overlap_weights": index.component_weights(),
            "text_version": TEXT_VERSION, "features_version": FEATURES_VERSION,
            # The catalogue's monotone constraints: a model trained under others is retrained.
            "monotone": {f.name: dict(sorted(f.monotone.items())) for f in CATALOGUE
                         if f.monotone}}


__all__ = ["build_feature_columns", "build_features", "feature_fingerprint",
           "proposals_to_frame"]
