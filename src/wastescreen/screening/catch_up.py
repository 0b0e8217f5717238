"""A worker catching up with what the others wrote: a registry revision newer than its own,
submissions filed elsewhere (new same-cycle peers) and submissions superseded by a revised
version (no longer anyone's peer).

Every screening request asks, so the question costs one round trip whatever the size of the
tables: the newest registry revision and the newest audit event, each the end of a primary-key
index. What changes the peers is in the audit trail, whose events are numbered in commit order
(one appender at a time, ``storage.audit_log``): the peer events since the last one read come
in the same round trip (a range of the primary key). The first call of an engine compares
every submission with its peers instead (it may have been loaded from older data).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, and_, bindparam, select
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
    table_of,
)

FILED = "submission.screened"  # details: the proposal_id (``storage.screenings``)
PEER_EVENTS = (FILED, SUPERSEDED)
AnyRow = Row[*tuple[Any, ...]]  # a row of any columns
# (newest registry revision id or None, newest audit event or None); built once, of the
# tables' columns rather than the mapped classes' (the ORM's compile and loading steps would
# double the CPU of this small query, which every screening runs).
_REVISIONS, _EVENTS = table_of(RegistryRevisionRow), table_of(AuditEventRow)
_HEADS = select(
    select(_REVISIONS.c.id).order_by(_REVISIONS.c.id.desc()).limit(1)
    .scalar_subquery().label("revision"),
    select(_EVENTS.c.seq).order_by(_EVENTS.c.seq.desc()).limit(1).scalar_subquery()
    .label("head"))
_HEADS_TABLE = _HEADS.subquery("heads")
# The same, with the peer events after ``after`` up to that newest event, in one round trip
# (a range of the primary key): one row of NULL events when there are none. Every call after
# an engine's first asks this; the head has usually moved (every screening appends an event).
_HEADS_AND_PEER_CHANGES = (
    select(_HEADS_TABLE.c.revision, _HEADS_TABLE.c.head, _EVENTS.c.action,
           _EVENTS.c.subject, _EVENTS.c.details)
    .select_from(_HEADS_TABLE.outerjoin(_EVENTS, and_(
        _EVENTS.c.seq > bindparam("after"), _EVENTS.c.seq <= _HEADS_TABLE.c.head,
        _EVENTS.c.action.in_(PEER_EVENTS))))
    .order_by(_EVENTS.c.seq))


def catch_up(engine: ScreeningEngine, session: Session) -> None:
    """Bring ``engine`` up to what the database holds now (``ScreeningEngine.sync``)."""
    seen = engine.seen_event
    if seen is None:
        revision, head = session.execute(_HEADS).one()
        changes: list[AnyRow] = []
    else:
        rows = session.execute(_HEADS_AND_PEER_CHANGES, {"after": seen}).all()
        revision, head = rows[0].revision, rows[0].head
        changes = [row for row in rows if row.action is not None]
    if revision is not None and revision != engine.context.snapshot:
        context = registry_context(session)
        with engine.lock:
            engine.context = context
    if seen is not None and head == seen:
        return
    if seen is None or head is None:
        _all(engine, session)
    else:
        _apply(engine, session, changes)
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


def _apply(engine: ScreeningEngine, session: Session, changes: list[AnyRow]) -> None:
    """The peer events read (action, subject, details), in the order they were written."""
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
