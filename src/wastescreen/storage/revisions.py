"""Revised versions: which screening a revision supersedes, and the agency's answers to flags.

A formal submission sent back for revision ("revise") is superseded when its agency files a
revised version: in the same transaction as the new screening, the first one's status becomes
"revised" and its copies for the portfolio (``submission_facts``, ``proposal_overlaps``) are
dropped, so a cycle counts each proposal once; the proposal and its screening stay as filed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from wastescreen.core.canonical import sha256_hex
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.tables import (
    FlagAnswerRow,
    ProposalOverlapRow,
    ScreeningRow,
    SubmissionFactsRow,
)

REVISED = "revised"
# The audit event of a supersession (subject: the superseded screening); with a submission's
# "submission.screened" (details: its proposal_id), what tells a worker its peers changed.
SUPERSEDED = "submission.superseded"


class AlreadyRevised(ValueError):
    """A revised version of this screening was filed already (or it is no longer decided)."""

    field = "id"


@dataclass(frozen=True)
class FlagAnswer:
    """An agency's justification for one red flag (``flag_id``, e.g. "RF03")."""

    flag_id: str
    justification: str


@dataclass(frozen=True)
class RevisionLink:
    """What a revised version supersedes: the screening and its proposal, and the answers
    filed with it."""

    screening_id: str
    proposal_id: str
    answers: tuple[FlagAnswer, ...] = ()

    def answers_sha256(self) -> str:
        return sha256_hex([[a.flag_id, a.justification] for a in self.answers])


def supersede(session: Session, link: RevisionLink, new_screening_id: str, *,
              actor: str, answered_by: str) -> None:
    """Mark ``link.screening_id`` revised by ``new_screening_id`` and store the answers (no
    commit: part of the transaction that stores the revised version). ``AlreadyRevised``
    when it is not a decided screening any more (a concurrent revision won)."""
    done = session.execute(update(ScreeningRow).where(
        ScreeningRow.id == link.screening_id, ScreeningRow.status == "decided")
        .values(status=REVISED).execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        raise AlreadyRevised(f"screening {link.screening_id} was revised already")
    old = link.proposal_id
    session.execute(delete(SubmissionFactsRow).where(SubmissionFactsRow.proposal_id == old))
    session.execute(delete(ProposalOverlapRow).where(or_(
        ProposalOverlapRow.proposal_id == old, ProposalOverlapRow.other_id == old)))
    session.add_all(FlagAnswerRow(screening_id=new_screening_id, flag_id=a.flag_id,
                                  justification=a.justification, answered_by=answered_by)
                    for a in link.answers)
    append_event(session, actor=actor, action=SUPERSEDED,
                 subject=link.screening_id, details={"by": new_screening_id})


def answers_of(session: Session, screening_id: str) -> list[FlagAnswerRow]:
    """The answers filed with a revised version, in the order given."""
    return list(session.execute(select(FlagAnswerRow).where(
        FlagAnswerRow.screening_id == screening_id).order_by(FlagAnswerRow.id)).scalars())


def revised_by(session: Session, screening_id: str) -> ScreeningRow | None:
    """The revised version that superseded a screening, if one did."""
    return session.execute(select(ScreeningRow).where(ScreeningRow.revises == screening_id)
                           .limit(1)).scalar_one_or_none()


def answers_sha256(rows: Sequence[FlagAnswerRow]) -> str:
    """What ``RevisionLink.answers_sha256`` recorded, from the stored answers."""
    return sha256_hex([[r.flag_id, r.justification] for r in rows])
