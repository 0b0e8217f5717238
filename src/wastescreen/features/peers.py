"""Same-cycle peers: one overlap index per budget cycle over the proposals filed in it.

The one place peer indexes are built (training, over every historical proposal at once) and
grown (serving, as each submission is filed), so both see the same documents. A peer index's
BM25 length scale is fixed (``PEER_LENGTH_SCALE``, about the mean length of a proposal's text in
distinct terms) rather than fitted: an index fitted on a cycle's proposals at once and one grown
from its first filing then give the same scores, so a screening can be reproduced from the set
of peers it saw, however its worker had built the index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex
from wastescreen.features.proposal_frame import ProposalRows

PEER_LENGTH_SCALE = 90.0


def proposal_docs(rows: ProposalRows | pd.DataFrame) -> list[OverlapDoc]:
    """Overlap documents of proposal rows made by ``proposal_rows`` (or that frame)."""
    if isinstance(rows, pd.DataFrame):
        rows = ProposalRows.from_frame(rows)
    columns = [rows[c].tolist() for c in ("text", "equipment", "province", "region",
                                           "technology_area", "budget_vnd", "year", "agency")]
    return [
        OverlapDoc(doc_id=str(pid), kind="proposal", text=str(text),
                   equipment=tuple(c for c, q in equipment.items() for _ in range(q)),
                   province=str(province), region=str(region), technology_area=str(area),
                   budget_vnd=int(budget), year=int(year), group=str(agency))
        for pid, text, equipment, province, region, area, budget, year, agency
        in zip(rows.ids, *columns, strict=True)
    ]


@dataclass
class PeerSet:
    """Indexes of the proposals of each budget cycle, and the agency of each indexed proposal."""

    indexes: dict[int, OverlapIndex] = field(default_factory=dict)
    agency_of: dict[str, str] = field(default_factory=dict)
    # cycle -> (sorted ids, SHA-256 of them one a line), made on first use after a change
    _listings: dict[int, tuple[tuple[str, ...], str]] = field(default_factory=dict,
                                                              repr=False)

    def listing(self, cycle: int) -> tuple[tuple[str, ...], str]:
        """The ids indexed for ``cycle``, sorted, and the SHA-256 (hex) of them one a line."""
        if cycle not in self._listings:
            index = self.indexes.get(cycle)
            ids = tuple(sorted(index.where_)) if index is not None else ()
            digest = hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()
            self._listings[cycle] = (ids, digest)
        return self._listings[cycle]

    @classmethod
    def of(cls, rows: ProposalRows | pd.DataFrame) -> PeerSet:
        """One overlap index per budget cycle over the proposal ``rows``."""
        if isinstance(rows, pd.DataFrame):
            rows = ProposalRows.from_frame(rows)
        docs = proposal_docs(rows)
        cycles = rows["cycle"]
        indexes = {int(c): OverlapIndex(length_scale=PEER_LENGTH_SCALE).fit(
                       [docs[int(i)] for i in np.flatnonzero(cycles == c)])
                   for c in np.unique(cycles)}
        return cls(indexes=indexes, agency_of=dict(zip(rows.ids.tolist(),
                                                       rows["agency"].tolist(), strict=True)))

    def add(self, rows: ProposalRows) -> None:
        """Index more proposals (each joins its cycle's index, made when it is the first)."""
        cycles = rows["cycle"]
        for doc, cycle, agency in zip(proposal_docs(rows), cycles.tolist(),
                                      rows["agency"].tolist(), strict=True):
            self._listings.pop(int(cycle), None)
            index = self.indexes.get(int(cycle))
            if index is None:
                self.indexes[int(cycle)] = OverlapIndex(length_scale=PEER_LENGTH_SCALE).fit([doc])
            else:
                index.add([doc])
            self.agency_of[doc.doc_id] = str(agency)

    def remove(self, ids: list[str]) -> None:
        """Take proposals out of their cycle's index (unknown ids are ignored)."""
        for doc_id in ids:
            if self.agency_of.pop(doc_id, None) is None:
                continue
            for cycle, index in self.indexes.items():
                if doc_id in index.where_:
                    index.remove([doc_id])
                    self._listings.pop(cycle, None)
