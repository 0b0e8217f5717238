"""The append-only audit trail: each event's hash chains to the previous one.

``hash = sha256(prev_hash + canonical(seq, created_at, actor, action, subject, details))``, so
editing, deleting or reordering any event breaks the chain from that event on, and
``verify_chain`` says which event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from wastescreen.core.canonical import canonical_json
from wastescreen.storage.tables import AuditEventRow, table_of

GENESIS = "0" * 64
# Built once (each new statement object computes its cache key again): every screening runs
# these. _TAIL: the last event's seq and hash, locked for the appending transaction.
_TAIL = (select(AuditEventRow.seq, AuditEventRow.hash).order_by(AuditEventRow.seq.desc())
         .limit(1).with_for_update())
_INSERT = insert(table_of(AuditEventRow))


def _event_hash(prev_hash: str, seq: int, created_at: dt.datetime, actor: str, action: str,
                subject: str, details: dict[str, Any]) -> str:
    # Hashed as naive UTC: SQLite hands the value back without a zone, PostgreSQL in the
    # session's time zone (which need not be UTC).
    if created_at.tzinfo is not None:
        created_at = created_at.astimezone(dt.UTC).replace(tzinfo=None)
    stamp = created_at.isoformat(timespec="microseconds")
    body = canonical_json([seq, stamp, actor, action, subject, details])
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append_event(session: Session, *, actor: str, action: str, subject: str,
                 details: dict[str, Any] | None = None) -> AuditEventRow:
    """Append one event in the caller's transaction; returns the new row as written (not
    attached to the session)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders: row locks cannot stop two writers from reading the same tail.
        session.execute(text("SELECT pg_advisory_xact_lock(5757)"))
    # Only the tail's seq and hash are read, and the row is written with one INSERT rather
    # than through the ORM's unit of work: this runs for every screening.
    last = session.execute(_TAIL).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    now = dt.datetime.now(dt.UTC)
    payload = details or {}
    values = {"seq": seq, "created_at": now, "actor": actor, "action": action,
              "subject": subject, "details": payload, "prev_hash": prev,
              "hash": _event_hash(prev, seq, now, actor, action, subject, payload)}
    session.execute(_INSERT, values)
    return AuditEventRow(**values)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(session: Session) -> list[ChainProblem]:
    """Walk the trail in ``seq`` order; return every break found (empty list: intact)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    for row in session.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars():
        if row.seq != expected_seq:
            problems.append(ChainProblem(row.seq, f"missing event(s) before seq {row.seq}"))
        if row.prev_hash != prev:
            problems.append(ChainProblem(row.seq, "prev_hash does not match the previous event "
                                                  "(deleted or reordered)"))
        recomputed = _event_hash(row.prev_hash, row.seq, row.created_at, row.actor, row.action,
                                 row.subject, row.details)
        if recomputed != row.hash:
            problems.append(ChainProblem(row.seq, "content does not match its hash (edited)"))
        prev = row.hash
        expected_seq = row.seq + 1
    return problems
