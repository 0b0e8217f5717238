"""Frozen: ``ScreeningEngine.sync`` as it was: every request counted the submissions and the
revised versions (two counts that grow with the tables) to tell whether another worker wrote
something; a function of the live engine."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import _SUPERSEDED, PEER_KINDS, ScreeningEngine, registry_context
from wastescreen.storage.tables import ProposalRow, RegistryRevisionRow, ScreeningRow

_SYNC_CHECK = select(
    select(RegistryRevisionRow.id).order_by(RegistryRevisionRow.id.desc()).limit(1)
    .scalar_subquery(),
    select(func.count()).select_from(ProposalRow).where(ProposalRow.kind.in_(PEER_KINDS))
    .scalar_subquery(),
    select(func.count()).select_from(ScreeningRow).where(ScreeningRow.revises.is_not(None))
    .scalar_subquery())


def sync(self: ScreeningEngine, session: Session) -> None:
    revision, count, superseded = session.execute(_SYNC_CHECK).one()
    if revision is not None and revision != self.context.snapshot:
        context = registry_context(session)
        with self.lock:
            self.context = context
    if count == len(self.peers.agency_of) + len(self.retired) \
            and superseded == len(self.retired):
        return
    for gone in set(session.execute(_SUPERSEDED).scalars()) - self.retired:
        self.retire_peer(gone)
    known = set(self.peers.agency_of) | self.retired
    ids = session.execute(select(ProposalRow.id).where(
        ProposalRow.kind.in_(PEER_KINDS))).scalars().all()
    missing = [i for i in ids if i not in known]
    for row in session.execute(select(ProposalRow).where(
            ProposalRow.id.in_(missing))).scalars() if missing else ():
        self.add_peer(row.id, Proposal.model_validate(row.payload))
