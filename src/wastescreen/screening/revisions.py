"""The revision loop: what may be revised, and what a reviewer sees of a revised version.

A reviewer sends a formal submission back ("revise", with notes); its agency files a revised
version, answering the red flags that fired on it, each with a justification. The revised
version is screened like any submission (the first one leaves the peers, the queue and the
portfolio) and its reviewer sees the notes it answers, what changed in the proposal, the
agency's answers beside the flags as they fired before and now, and how the score moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from wastescreen.core.agency import agency_key
from wastescreen.core.canonical import canonical_json
from wastescreen.domain.errors import FieldError
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import ScreeningResult
from wastescreen.reporting.revision_view import RevisionNote
from wastescreen.storage.revisions import REVISED, FlagAnswer, RevisionLink, answers_of, revised_by
from wastescreen.storage.screenings import Decision, decisions_of
from wastescreen.storage.tables import DecisionRow, ProposalRow, ScreeningRow, as_utc

# Lists are compared item by item (what was removed, what was added), other fields as values.
LIST_FIELDS = ("equipment", "kpis", "researchers")


class NotSentBack(ValueError):
    """Only a formal submission whose latest decision is "revise" may be revised."""

    field = "id"


class Superseded(ValueError):
    """A revised version superseded this screening: decide on that one."""

    field = "id"


class RevisionRefused(ValueError):
    """The revised version or its answers break a rule (``errors`` name field and rule)."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.detail}" for e in errors))
        self.errors = list(errors)


def fired(result: dict[str, Any] | ScreeningResult) -> list[str]:
    """The ids of the red flags that fired on a result (stored dict or model), in order."""
    flags = result.flags if isinstance(result, ScreeningResult) else result.get("flags", [])
    return [f.id if not isinstance(f, dict) else str(f.get("id"))
            for f in flags if (f.status if not isinstance(f, dict) else f.get("status"))
            == "fired"]


def sent_back(session: Session, row: ScreeningRow) -> DecisionRow | None:
    """The decision that sent ``row`` back for revision, when its latest decision is one."""
    history = decisions_of(session, row.id)
    last = history[-1] if history else None
    return last if last is not None and last.decision == Decision.REVISE.value else None


def check_revision(session: Session, original: ScreeningRow, proposal: Proposal,
                   answers: Sequence[FlagAnswer]) -> RevisionLink:
    """What a revised version of ``original`` supersedes, once the rules hold: ``original`` is
    a submission sent back for revision and not revised yet (``NotSentBack``,
    ``Superseded``); the revision is the same agency's, in the same cycle, and answers only
    flags that fired on ``original``, each once (``RevisionRefused`` naming each field)."""
    if original.status == REVISED:
        raise Superseded(f"screening {original.id} was revised already")
    if original.kind != "submission" or original.status != "decided" or \
            sent_back(session, original) is None:
        raise NotSentBack(f"screening {original.id} was not sent back for revision")
    errors = []
    if agency_key(proposal.agency) != agency_key(original.agency):
        errors.append(FieldError("proposal.agency", "revision_other_agency",
                                 "a revised version is filed by the same agency"))
    if proposal.cycle != original.cycle:
        errors.append(FieldError("proposal.cycle", "revision_other_cycle",
                                 f"a revised version stays in cycle {original.cycle}"))
    flags, seen = set(fired(original.result)), set()
    for i, answer in enumerate(answers):
        if answer.flag_id not in flags:
            errors.append(FieldError(f"answers.{i}.flag", "flag_not_fired",
                                     f"{answer.flag_id} did not fire on the version revised "
                                     f"(fired: {', '.join(sorted(flags)) or 'none'})"))
        elif answer.flag_id in seen:
            errors.append(FieldError(f"answers.{i}.flag", "flag_answered_twice",
                                     f"{answer.flag_id} is answered more than once"))
        seen.add(answer.flag_id)
    if errors:
        raise RevisionRefused(errors)
    return RevisionLink(original.id, original.proposal_id, tuple(answers))


@dataclass(frozen=True)
class Change:
    """One field of the proposal that changed: its value before and after; for a list
    (``LIST_FIELDS``) the items removed (``before``) and added (``after``)."""

    field: str
    before: Any
    after: Any


def proposal_changes(before: Proposal, after: Proposal) -> list[Change]:
    """The fields that differ between two versions of a proposal, in the proposal's order."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    out = []
    for name in Proposal.model_fields:
        a, b = old.get(name), new.get(name)
        if canonical_json(a) == canonical_json(b):
            continue
        if name in LIST_FIELDS:
            keys_a = [canonical_json(x) for x in a or []]
            keys_b = [canonical_json(x) for x in b or []]
            a = [x for x, k in zip(a or [], keys_a, strict=True) if k not in keys_b]
            b = [x for x, k in zip(b or [], keys_b, strict=True) if k not in keys_a]
        out.append(Change(name, a, b))
    return out


@dataclass(frozen=True)
class FlagMove:
    """A red flag across the two versions, with the agency's answer to it (if any)."""

    flag_id: str
    fired_before: bool
    fires_now: bool
    justification: str | None
    answered_by: str = ""


@dataclass(frozen=True)
class RevisionView:
    """What a reviewer reads of a revised version: the version it revises (its screening id,
    score, band, per-kind scores), the decision that sent it back, the changes, the flags
    with the agency's answers, and this version's score."""

    previous_id: str
    previous_score: float
    previous_band: str
    previous_scores: dict[str, float]
    sent_back: DecisionRow | None
    changes: list[Change]
    flags: list[FlagMove]
    score: float
    band: str


def revision_view(session: Session, row: ScreeningRow, result: ScreeningResult
                  ) -> RevisionView | None:
    """``row`` against the version it revises, or None when it revises none."""
    previous = session.get(ScreeningRow, row.revises) if row.revises else None
    if previous is None:
        return None
    before, after = (session.get(ProposalRow, i) for i in (previous.proposal_id,
                                                           row.proposal_id))
    changes = ([] if before is None or after is None else proposal_changes(
        Proposal.model_validate(before.payload), Proposal.model_validate(after.payload)))
    given = {a.flag_id: a for a in answers_of(session, row.id)}
    was, now = fired(previous.result), fired(result)
    flags = [FlagMove(f, f in was, f in now,
                      given[f].justification if f in given else None,
                      given[f].answered_by if f in given else "")
             for f in dict.fromkeys([*was, *now])]
    history = decisions_of(session, previous.id)
    back = next((d for d in reversed(history) if d.decision == Decision.REVISE.value), None)
    return RevisionView(previous.id, previous.overall_score, previous.band,
                        dict(previous.result.get("scores", {})), back, changes, flags,
                        result.overall_score, result.band)


def successor(session: Session, row: ScreeningRow) -> str | None:
    """The id of the revised version that superseded ``row``, if one did."""
    if row.status != REVISED:
        return None
    found = revised_by(session, row.id)
    return None if found is None else found.id


def note_of(view: RevisionView | None) -> RevisionNote | None:
    """What the report shows of a revision view."""
    if view is None:
        return None
    back = view.sent_back
    return RevisionNote(
        previous_id=view.previous_id, previous_score=view.previous_score,
        previous_band=view.previous_band, score=view.score, band=view.band,
        sent_back=None if back is None else (as_utc(back.created_at), back.decided_by,
                                             back.rationale),
        changes=[(c.field, c.before, c.after) for c in view.changes],
        flags=[(f.flag_id, f.fired_before, f.fires_now, f.justification) for f in view.flags])
