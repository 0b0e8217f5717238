"""The append-only audit trail: each event's hash chains to the previous one, and a MAC under a
key kept outside the database seals it.

``hash = sha256(prev_hash + canonical(seq, created_at, actor, action, subject, details))``, so
editing, deleting or reordering any event breaks the chain from that event on. Recomputing every
hash after an edit would hide it from the chain alone, so each event also carries
``mac = HMAC-SHA256(key, hash)`` (``storage.audit_key``): without the key, a rewritten trail has
no valid MACs. Events written before the trail had a key are sealed by one ``audit.sealed``
event, whose MAC covers the chain up to it. An anchor (the head's seq and hash, kept by an
auditor outside the system) shows a cut tail or a deleted trail: ``verify_anchor``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from wastescreen.core.canonical import canonical_json
from wastescreen.core.labels.messages import Msg, msg
from wastescreen.storage.audit_key import mac_of
from wastescreen.storage.tables import AuditEventRow, table_of

GENESIS = "0" * 64
SEALED = "audit.sealed"
# Built once (each new statement object computes its cache key again): every screening runs
# these. _TAIL: the last event's seq, hash and MAC, locked for the appending transaction.
# Of the table's columns (not the mapped class's), as the ORM's compile and loading steps
# would double the CPU of reading the tail.
_EVENTS = table_of(AuditEventRow)
_TAIL = (select(_EVENTS.c.seq, _EVENTS.c.hash, _EVENTS.c.mac)
         .order_by(_EVENTS.c.seq.desc()).limit(1).with_for_update())
_INSERT = insert(_EVENTS)


def _event_hash(prev_hash: str, seq: int, created_at: dt.datetime, actor: str, action: str,
                subject: str, details: dict[str, Any]) -> str:
    # Hashed as naive UTC: SQLite hands the value back without a zone, PostgreSQL in the
    # session's time zone (which need not be UTC).
    if created_at.tzinfo is not None:
        created_at = created_at.astimezone(dt.UTC).replace(tzinfo=None)
    stamp = created_at.isoformat(timespec="microseconds")
    body = canonical_json([seq, stamp, actor, action, subject, details])
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _insert(session: Session, key: bytes | None, seq: int, prev: str, actor: str, action: str,
            subject: str, details: dict[str, Any]) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    digest = _event_hash(prev, seq, now, actor, action, subject, details)
    values = {"seq": seq, "created_at": now, "actor": actor, "action": action,
              "subject": subject, "details": details, "prev_hash": prev, "hash": digest,
              "mac": None if key is None else mac_of(key, digest)}
    session.execute(_INSERT, values)
    return values


def append_event(session: Session, *, actor: str, action: str, subject: str,
                 details: dict[str, Any] | None = None) -> AuditEventRow:
    """Append one event in the caller's transaction, sealed with the session's audit key
    (``session.info["audit_key"]``); returns the new row as written (not attached)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders: row locks cannot stop two writers from reading the same tail.
        session.execute(text("SELECT pg_advisory_xact_lock(5757)"))
    key: bytes | None = session.info.get("audit_key")
    # Only the tail is read, and the row is written with one INSERT rather than through the
    # ORM's unit of work: this runs for every screening.
    last = session.execute(_TAIL).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    if key is not None and last is not None and last.mac is None:
        # The first event with a key seals the events written before there was one.
        seal = _insert(session, key, seq, prev, "system", SEALED, "trail",
                       {"sealed_through": last.seq, "head_hash": last.hash})
        seq, prev = seq + 1, str(seal["hash"])
    return AuditEventRow(**_insert(session, key, seq, prev, actor, action, subject,
                                   details or {}))


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: Msg  # a key of ``core.labels.problems``


def verify_chain(session: Session) -> list[ChainProblem]:
    """Walk the trail in ``seq`` order; return every break found (empty list: intact).

    With the session's audit key, every event after the seal must carry a valid MAC: a trail
    whose hashes were recomputed after an edit shows here."""
    key: bytes | None = session.info.get("audit_key")
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    sealed = False
    for row in session.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars():
        if row.seq != expected_seq:
            problems.append(ChainProblem(row.seq, msg("chain_missing", seq=row.seq)))
        if row.prev_hash != prev:
            problems.append(ChainProblem(row.seq, msg("chain_prev_hash")))
        recomputed = _event_hash(row.prev_hash, row.seq, row.created_at, row.actor, row.action,
                                 row.subject, row.details)
        if recomputed != row.hash:
            problems.append(ChainProblem(row.seq, msg("chain_edited")))
        if key is not None:
            if row.mac is not None:
                sealed = True
                if not hmac.compare_digest(row.mac, mac_of(key, row.hash)):
                    problems.append(ChainProblem(
                        row.seq, msg("chain_bad_mac")))
            elif sealed:
                problems.append(ChainProblem(row.seq, msg("chain_no_mac")))
        prev = row.hash
        expected_seq = row.seq + 1
    return problems


def anchor(session: Session) -> dict[str, Any]:
    """The head of the trail (seq, hash, MAC, time) for an auditor to keep outside the system."""
    row = session.execute(select(AuditEventRow).order_by(AuditEventRow.seq.desc())
                          .limit(1)).scalar_one_or_none()
    if row is None:
        return {"seq": 0, "hash": GENESIS, "mac": None, "at": None}
    return {"seq": row.seq, "hash": row.hash, "mac": row.mac,
            "at": row.created_at.isoformat(timespec="seconds")}


def verify_anchor(session: Session, kept: Mapping[str, Any]) -> list[ChainProblem]:
    """What an anchor kept earlier says of the trail now: its event must still be there with
    the same hash (a cut tail, a deleted trail or a rewritten past shows here)."""
    seq = int(kept.get("seq", 0))
    if seq == 0:
        return []
    row = session.get(AuditEventRow, seq)
    if row is None:
        head = anchor(session)["seq"]
        return [ChainProblem(seq, msg("anchor_gone", head=head))]
    if row.hash != kept.get("hash"):
        return [ChainProblem(seq, msg("anchor_rewritten"))]
    return []
