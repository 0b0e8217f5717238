"""A worker catching up with what the others wrote: a registry revision newer than its own,
submissions filed elsewhere (new same-cycle peers) and submissions superseded by a revised
version (no longer anyone's peer).

Every screening request asks, so the question costs one round trip whatever the size of the
tables: the newest registry revision and the newest audit event, each the end of a primary-key
index. What changes the peers is in the audit trail, whose events are numbered in commit order
(one appender at a time, ``storage.audit_log``): when the newest event moved, only the peer
events since the last one read are fetched (a range of the primary key). The first call of an
engine compares every submission with its peers instead (it may have been loaded from older
data).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import (
    _SUPERSEDED,
    PEER_KINDS,
    ScreeningEngine,
    registry_context,
)
from wastescreen.storage.revisions import SUPERSEDED
from wastescreen.storage.tables import (
    AuditEventRow,
    ProposalRow,
    RegistryRevisionRow,
    ScreeningRow,
)

FILED = "submission.screened"  # details: the proposal_id (``storage.screenings``)
PEER_EVENTS = (FILED, SUPERSEDED)
# (newest registry revision id or None, newest audit event or None); built once.
_CHECK = select(
    select(RegistryRevisionRow.id).order_by(RegistryRevisionRow.id.desc()).limit(1)
    .scalar_subquery(),
    select(AuditEventRow.seq).order_by(AuditEventRow.seq.desc()).limit(1).scalar_subquery())
_PEER_CHANGES = (select(AuditEventRow.action, AuditEventRow.subject, AuditEventRow.details)
                 .where(AuditEventRow.seq > bindparam("after"),
                        AuditEventRow.seq <= bindparam("upto"),
                        AuditEventRow.action.in_(PEER_EVENTS))
                 .order_by(AuditEventRow.seq))


def catch_up(engine: ScreeningEngine, session: Session) -> None:
    """Bring ``engine`` up to what the database holds now (``ScreeningEngine.sync``)."""
    revision, head = session.execute(_CHECK).one()
    if revision is not None and revision != engine.context.snapshot:
        context = registry_context(session)
        with engine.lock:
            engine.context = context
    if engine.seen_event is not None and head == engine.seen_event:
        return
    if engine.seen_event is None or head is None:
        _all(engine, session)
    else:
        _since(engine, session, engine.seen_event, head)
    # Read before the changes were: one written meanwhile is read again next time (each
    # step below does nothing for what the engine already holds).
    engine.seen_event = head


def _all(engine: ScreeningEngine, session: Session) -> None:
    for gone in set(session.execute(_SUPERSEDED).scalars()) - engine.retired:
        engine.retire_peer(gone)
    known = set(engine.peers.agency_of) | engine.retired
    ids = session.execute(select(ProposalRow.id).where(
        ProposalRow.kind.in_(PEER_KINDS))).scalars().all()
    _add(engine, session, [i for i in ids if i not in known])


def _since(engine: ScreeningEngine, session: Session, after: int, upto: int) -> None:
    """The peer events in (``after``, ``upto``], in the order they were written."""
    changes = session.execute(_PEER_CHANGES, {"after": after, "upto": upto}).all()
    superseded = [c.subject for c in changes if c.action == SUPERSEDED]
    proposal_of = {row.id: row.proposal_id for row in session.execute(
        select(ScreeningRow.id, ScreeningRow.proposal_id)
        .where(ScreeningRow.id.in_(superseded)))} if superseded else {}
    for change in changes:
        if change.action == SUPERSEDED:
            gone = proposal_of.get(change.subject)
            if gone is not None and gone not in engine.retired:
                engine.retire_peer(gone)
        else:
            filed = str((change.details or {}).get("proposal_id", ""))
            if filed not in engine.peers.agency_of and filed not in engine.retired:
                _add(engine, session, [filed])


def _add(engine: ScreeningEngine, session: Session, ids: list[str]) -> None:
    if not ids:
        return
    for row in session.execute(select(ProposalRow).where(
            ProposalRow.id.in_(ids), ProposalRow.kind.in_(PEER_KINDS))).scalars():
        engine.add_peer(row.id, Proposal.model_validate(row.payload))
