"""The catch-up's one round trip (screening/catch_up.py) on each backend: the newest registry
revision and audit event, with the peer events after the last one read."""

from __future__ import annotations

from wastescreen.screening.catch_up import _HEADS, _HEADS_AND_PEER_CHANGES, FILED
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.database import Database
from wastescreen.storage.revisions import SUPERSEDED


def test_the_heads_come_with_the_peer_events_since_the_last_read(db: Database) -> None:
    with db.sessions() as s:
        assert tuple(s.execute(_HEADS).one()) == (None, None)
        assert [tuple(r) for r in s.execute(_HEADS_AND_PEER_CHANGES, {"after": 0})] == [
            (None, None, None, None, None)]
        for action, subject in (("precheck.screened", "a"), (FILED, "b"),
                                ("decision.recorded", "c"), (SUPERSEDED, "d"),
                                ("precheck.screened", "e")):
            append_event(s, actor="test", action=action, subject=subject,
                         details={"proposal_id": f"p-{subject}"})
        s.commit()
        rows = s.execute(_HEADS_AND_PEER_CHANGES, {"after": 0}).all()
        assert [(r.head, r.action, r.subject) for r in rows] == [
            (5, FILED, "b"), (5, SUPERSEDED, "d")]
        assert rows[0].details == {"proposal_id": "p-b"}
        after = s.execute(_HEADS_AND_PEER_CHANGES, {"after": 2}).all()
        assert [(r.head, r.action, r.subject) for r in after] == [(5, SUPERSEDED, "d")]
        # Nothing new: one row of the heads, no event.
        assert [tuple(r)[1:3] for r in s.execute(_HEADS_AND_PEER_CHANGES, {"after": 5})] == [
            (5, None)]
