"""The sealed trail: each tampering an auditor fears is caught by the check meant for it.

Before the seal and the anchor, a cut tail, a deleted trail and a chain recomputed after an edit
all verified as "intact"."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from wastescreen.screening.audit import check_trail
from wastescreen.storage.audit_log import (
    SEALED,
    _event_hash,
    anchor,
    append_event,
    verify_anchor,
    verify_chain,
)
from wastescreen.storage.database import Database
from wastescreen.storage.tables import AuditEventRow


def _events(db: Database, n: int, start: int = 0) -> None:
    with db.sessions() as s:
        for i in range(start, start + n):
            append_event(s, actor="tester", action="test.event", subject=f"s{i}",
                         details={"i": i, "text": "Phòng thí nghiệm"})
        s.commit()


def test_every_event_carries_a_mac_and_the_trail_verifies(db: Database) -> None:
    _events(db, 5)
    with db.sessions() as s:
        rows = list(s.execute(select(AuditEventRow)).scalars())
        assert rows and all(r.mac for r in rows)
        assert verify_chain(s) == [] and check_trail(s).intact


def test_a_cut_tail_and_a_deleted_trail_are_caught_by_the_anchor(db: Database) -> None:
    _events(db, 12)
    with db.sessions() as s:
        kept = anchor(s)
        s.execute(delete(AuditEventRow).where(AuditEventRow.seq > kept["seq"] - 5))
        s.commit()
        assert verify_chain(s) == []  # what is left still chains: the chain alone is blind
        assert verify_anchor(s, kept)  # the anchored event is gone
        s.execute(delete(AuditEventRow))
        s.commit()
        problems = verify_anchor(s, kept)
    assert problems and problems[0].problem.key == "anchor_gone"


def test_a_chain_recomputed_after_an_edit_is_caught_by_the_macs(db: Database) -> None:
    _events(db, 10)
    with db.sessions() as s:
        rows = list(s.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars())
        # Edit event 4, then recompute every hash after it with the project's own function.
        prev = rows[2].hash
        for row in rows[3:]:
            details = {**row.details, "i": 999} if row.seq == 4 else row.details
            digest = _event_hash(prev, row.seq, row.created_at, row.actor, row.action,
                                 row.subject, details)
            s.execute(update(AuditEventRow).where(AuditEventRow.seq == row.seq).values(
                details=details, prev_hash=prev, hash=digest))
            prev = digest
        s.commit()
        problems = verify_chain(s)
    assert {p.seq for p in problems} == {r.seq for r in rows[3:]}
    assert all(p.problem.key in ("chain_bad_mac", "chain_no_mac") for p in problems)


def test_events_written_before_the_key_are_sealed_once(db: Database) -> None:
    unsealed = db.sessions(info={"audit_key": None})
    with unsealed as s:
        for i in range(3):
            append_event(s, actor="old", action="test.event", subject=f"o{i}", details={})
        s.commit()
    _events(db, 2)
    with db.sessions() as s:
        rows = list(s.execute(select(AuditEventRow).order_by(AuditEventRow.seq)).scalars())
        assert [r.action for r in rows].count(SEALED) == 1
        assert rows[3].action == SEALED and rows[3].details["sealed_through"] == 3
        assert [r.mac is None for r in rows] == [True, True, True, False, False, False]
        assert verify_chain(s) == []
    with unsealed as s:  # an event without the key after the seal is named
        append_event(s, actor="intruder", action="test.event", subject="x", details={})
        s.commit()
    with db.sessions() as s:
        assert [p.seq for p in verify_chain(s)] == [len(rows) + 1]
