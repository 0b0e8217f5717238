"""Checking the audit trail as an auditor does: the chain and its MACs, an anchor kept outside
the system, and the stored screenings and decisions against the events that recorded them.

What each check catches (and cannot):
- the chain: an edited, deleted or reordered event; with the audit key's MACs, also a trail
  whose hashes were all recomputed after an edit. It cannot see the newest events cut off, or
  the whole trail deleted: the rest still chains.
- the anchor (``wastescreen audit anchor``, kept by the auditor): a cut tail or a deleted trail
  (the anchored event is gone), and a past rewritten up to the anchor. Events after the anchor
  are only as safe as the chain and MACs.
- the records: a screening or decision row edited in place (the trail intact). A row deleted
  together with its event shows in the chain.
None of these can tell a rewrite by someone holding the audit key from the truth: keep the key
out of the database, its backups and the hands of those who write to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wastescreen.core.labels.messages import msg
from wastescreen.core.locale_format import Lang
from wastescreen.storage.audit_log import ChainProblem, verify_anchor, verify_chain
from wastescreen.storage.audit_records import RecordProblem, verify_records
from wastescreen.storage.tables import AuditEventRow


@dataclass
class TrailCheck:
    events: int
    chain: list[ChainProblem] = field(default_factory=list)
    anchor: list[ChainProblem] = field(default_factory=list)
    records: list[RecordProblem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not (self.chain or self.anchor or self.records)

    def lines(self, lang: Lang = "en") -> list[str]:
        """Every problem, one line each in ``lang``, naming the event, screening or decision."""
        found = ([("event", str(p.seq), p.problem) for p in self.chain + self.anchor]
                 + [(p.kind, p.id, p.problem) for p in self.records])
        return [msg("problem_line", kind=msg(f"kind_{kind}"), id=id_, problem=problem).text(lang)
                for kind, id_, problem in found]


def check_trail(session: Session, kept_anchor: Mapping[str, Any] | None = None) -> TrailCheck:
    """Run every check (the anchor one only when ``kept_anchor`` is given)."""
    events = session.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()
    return TrailCheck(events=int(events), chain=verify_chain(session),
                      anchor=verify_anchor(session, kept_anchor) if kept_anchor else [],
                      records=verify_records(session))
