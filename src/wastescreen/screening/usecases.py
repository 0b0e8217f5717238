"""The use cases that screen and store: one method per job, called by every entry point.

Pre-check, file (a formal submission), file a revised version, decide, screen a batch row and
change the registry. Each
one catches the engine up with what other workers wrote, screens, stores the proposal and its
result with their audit events, counts the screening for the metrics and, for a filed
submission, indexes it as a same-cycle peer. The API routes, the pages, the CLI, batch jobs,
Dask workers and the test fixtures call a ``Screener``; none of them calls the storage
functions for screenings directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wastescreen.core.agency import agency_key
from wastescreen.core.canonical import sha256_hex
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.registry import Lab, Program
from wastescreen.domain.result import ScreeningResult
from wastescreen.screening.batch import BatchRow, error_row, summarise
from wastescreen.screening.bulk import CHUNK, row_id, screen_batch_rows
from wastescreen.screening.catch_up import catch_up
from wastescreen.screening.engine import ScreeningEngine
from wastescreen.screening.issued import issue_report
from wastescreen.screening.review import filed_proposal
from wastescreen.screening.revisions import Superseded, check_revision
from wastescreen.screening.service import ModelNotReady, screen_and_record, screen_proposal
from wastescreen.storage import screenings as store
from wastescreen.storage.agencies import with_known_agency
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.registry_store import (
    UpsertResult,
    record_revision,
    upsert_lab,
    upsert_program,
)
from wastescreen.storage.revisions import REVISED, FlagAnswer, RevisionLink
from wastescreen.storage.screenings import Decision, ScreeningKind
from wastescreen.storage.tables import DecisionRow, ScreeningRow


@dataclass(frozen=True)
class Actor:
    """Who acts: the name in the audit trail (``key:3:agency``, ``cli``), the API key (if any)
    and, for an agency key, the one agency whose proposals it may file."""

    name: str
    key_id: int | None = None
    agency: str | None = None
    person: str = ""  # the holder's name and key, as a decision names who made it

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.actor, principal.key_id,
                   principal.agency if principal.role is Role.AGENCY else None,
                   principal.person)

    @property
    def signature(self) -> str:
        return self.person or self.name


CLI = Actor("cli")


def high_flag_fired(row: ScreeningRow) -> bool:
    """Whether a high red flag fired on this screening: approving it then needs a second
    reviewer, whether the flag raised the band above the model's or the model agreed."""
    result = row.result or {}
    return any(f.get("severity") == "high" and f.get("status") == "fired"
               for f in result.get("flags", []))


class NotYourAgency(PermissionError):
    """An agency key tried to file (or pre-check) another agency's proposal."""

    field = "agency"


class IdempotencyConflict(ValueError):
    """The idempotency key was used before with a different proposal."""

    field = "Idempotency-Key"


@dataclass(frozen=True)
class Screened:
    """A stored screening and its result; ``replayed`` when an earlier filing was returned."""

    row: ScreeningRow
    result: ScreeningResult
    replayed: bool = False
    result_json: str | None = None  # ``result.model_dump_json()``, as stored (a new one)


class Screener:
    """The screening service of one process (API app, CLI command, Dask worker, test fixture).

    ``engine`` is None until a model is loaded; ``on_screened(kind, band)`` is called once per
    stored screening (the API counts them for its metrics)."""

    def __init__(self, engine: ScreeningEngine | None,
                 on_screened: Callable[[str, str], None] | None = None) -> None:
        self.engine = engine
        self.on_screened = on_screened

    def ready_engine(self, session: Session | None = None) -> ScreeningEngine:
        """The engine, caught up with other processes' writes when a ``session`` is given;
        ``ModelNotReady`` before a model is loaded."""
        engine = self.engine
        if engine is None or engine.model is None:
            raise ModelNotReady("no risk model is loaded yet: run `wastescreen train` and "
                                "restart")
        if session is not None:
            catch_up(engine, session)
        return engine

    # --- screen and store -----------------------------------------------------------------

    def _store(self, session: Session, proposal: Proposal, kind: ScreeningKind, actor: Actor,
               idempotency_key: str | None = None, *, as_of: dt.date | None = None,
               revision: RevisionLink | None = None) -> Screened:
        if actor.agency is not None and agency_key(proposal.agency) != agency_key(actor.agency):
            raise NotYourAgency("an agency key may only file its own agency's proposals")
        engine = self.ready_engine(session)
        pid = store.new_id()
        result, inputs = screen_and_record(engine, proposal, pid, as_of=as_of)
        # Serialised once: the stored text is also the answer's result (``Screened``).
        text = result.model_dump_json()
        row = store.save_screening(session, proposal, pid, result, kind, actor=actor.name,
                                   api_key_id=actor.key_id, idempotency_key=idempotency_key,
                                   inputs=inputs, revision=revision, person=actor.signature,
                                   result_json=text)
        if kind is ScreeningKind.SUBMISSION:
            engine.add_peer(pid, proposal)
            issue_report(session, row, result, proposal, "filed", actor=actor.name)
        if self.on_screened is not None:
            self.on_screened(kind.value, result.band)
        return Screened(row, result, result_json=text)

    def precheck(self, session: Session, proposal: Proposal, actor: Actor, *,
                 as_of: dt.date | None = None) -> Screened:
        """Screen a proposal before it is filed; stored as a pre-check, never queued."""
        return self._store(session, with_known_agency(session, proposal),
                           ScreeningKind.PRECHECK, actor, as_of=as_of)

    def submit(self, session: Session, proposal: Proposal, actor: Actor,
               idempotency_key: str | None = None, *, as_of: dt.date | None = None
               ) -> Screened:
        """File a proposal: screened, stored, queued for review and indexed as a peer of its
        cycle. A retry with the same ``idempotency_key`` returns the first filing."""
        proposal = with_known_agency(session, proposal)
        if idempotency_key and actor.key_id is not None:
            earlier = self._replay(session, proposal, actor.key_id, idempotency_key)
            if earlier is not None:
                return earlier
        try:
            return self._store(session, proposal, ScreeningKind.SUBMISSION, actor,
                               idempotency_key, as_of=as_of)
        except IntegrityError:  # the same key raced in from a concurrent retry
            session.rollback()
            earlier = (self._replay(session, proposal, actor.key_id, idempotency_key)
                       if idempotency_key and actor.key_id is not None else None)
            if earlier is None:
                raise
            return earlier

    def revise(self, session: Session, original: ScreeningRow, proposal: Proposal,
               answers: Sequence[FlagAnswer], actor: Actor,
               idempotency_key: str | None = None, *, as_of: dt.date | None = None
               ) -> Screened:
        """File a revised version of a submission sent back for revision, with the agency's
        answers to the flags that fired on it (``revisions.check_revision`` says when one may
        be filed). The first version leaves the peers before the revised one is screened, and
        is superseded in the transaction that stores it."""
        proposal = with_known_agency(session, proposal)
        if idempotency_key and actor.key_id is not None:
            earlier = self._replay(session, proposal, actor.key_id, idempotency_key)
            if earlier is not None:
                return earlier
        link = check_revision(session, original, proposal, answers)
        engine = self.ready_engine(session)
        engine.retire_peer(original.proposal_id)
        try:
            return self._store(session, proposal, ScreeningKind.SUBMISSION, actor,
                               idempotency_key, as_of=as_of, revision=link)
        except Exception:
            session.rollback()
            engine.restore_peer(original.proposal_id, filed_proposal(session, original))
            raise

    @staticmethod
    def _replay(session: Session, proposal: Proposal, key_id: int, key: str
                ) -> Screened | None:
        existing = store.find_idempotent(session, key_id, key)
        if existing is None:
            return None
        if existing.input_hash != sha256_hex(proposal):
            raise IdempotencyConflict("this Idempotency-Key was used with a different proposal")
        return Screened(existing, ScreeningResult.model_validate(existing.result), replayed=True)

    def decide(self, session: Session, row: ScreeningRow, decision: Decision, rationale: str,
               actor: Actor) -> DecisionRow:
        """Record a reviewer's decision on a formal submission (the latest one stands).

        Approving a proposal on which a high red flag fired needs a second pair of eyes:
        the first approval leaves it awaiting confirmation, and only another reviewer's
        approval confirms it."""
        if row.kind != ScreeningKind.SUBMISSION.value:
            raise store.NotASubmission("pre-checks are not decided on")
        if row.status == REVISED:
            raise Superseded("a revised version superseded this one: decide on that")
        decided = self._record_decision(session, row, decision, rationale, actor)
        result = ScreeningResult.model_validate(row.result)
        issue_report(session, row, result, filed_proposal(session, row),
                     f"decision:{decided.id}", actor=actor.name)
        return decided

    @staticmethod
    def _record_decision(session: Session, row: ScreeningRow, decision: Decision,
                         rationale: str, actor: Actor) -> DecisionRow:
        pending = next((d for d in reversed(store.decisions_of(session, row.id))
                        if d.needs_confirmation), None) \
            if row.status == "awaiting_confirmation" else None
        if decision is Decision.APPROVE and pending is not None:
            if pending.decided_by == actor.signature:
                raise store.SecondReviewerNeeded(
                    "this approval awaits another reviewer's confirmation")
            return store.record_decision(session, row, decision, rationale, actor=actor.name,
                                         decided_by=actor.signature, confirms=pending.id)
        return store.record_decision(
            session, row, decision, rationale, actor=actor.name, decided_by=actor.signature,
            needs_confirmation=decision is Decision.APPROVE and high_flag_fired(row))

    # --- batches --------------------------------------------------------------------------

    def screen_row(self, item: BatchRow, *, session: Session | None = None,
                   actor: Actor | None = None) -> dict[str, Any]:
        """One batch row as one output row, through the whole per-proposal screening: its
        errors when it did not validate; otherwise screened, and stored as a pre-check when an
        ``actor`` (and ``session``) is given. ``screen_rows`` screens unstored rows in bulk
        instead (the same output rows)."""
        if item.proposal is None:
            return error_row(item)
        if actor is not None and session is not None:
            screened = self.precheck(session, item.proposal, actor)
            return summarise(item.row, item.proposal, screened.result, screened.row.id)
        result = screen_proposal(self.ready_engine(), item.proposal, row_id(item.row))
        return summarise(item.row, item.proposal, result)

    def screen_rows(self, rows: Sequence[BatchRow], *, session: Session | None = None,
                    actor: Actor | None = None, progress: Callable[[int], None] | None = None,
                    as_of: dt.date | None = None) -> list[dict[str, Any]]:
        """Every row of a batch, in order; ``progress(done)`` as rows are done.

        With an ``actor`` (and ``session``) each row is stored as a pre-check, and so screened
        in full one by one (``screen_row``); otherwise the rows are screened in bulk
        (``bulk.screen_batch_rows``), ``bulk.CHUNK`` at a time, all on one day (``as_of``,
        default today)."""
        if session is not None:
            self.ready_engine(session)
        out: list[dict[str, Any]] = []
        if actor is not None and session is not None:
            for item in rows:
                out.append(self.screen_row(item, session=session, actor=actor))
                if progress is not None:
                    progress(len(out))
            return out
        as_of = as_of or dt.datetime.now(dt.UTC).date()
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            # Rows that did not validate need no model (as screen_row).
            out.extend(screen_batch_rows(self.ready_engine(), chunk, as_of=as_of)
                       if any(item.proposal is not None for item in chunk)
                       else [error_row(item) for item in chunk])
            if progress is not None:
                progress(len(out))
        return out

    # --- the registry ---------------------------------------------------------------------

    def put_lab(self, session: Session, lab: Lab, actor: Actor) -> None:
        """Create or replace a lab; a change is a new registry revision, audited, and updates
        this process's overlap index (other processes rebuild on their next catch-up)."""
        if upsert_lab(session, lab) is not UpsertResult.UNCHANGED:
            revision = self._revision(session, actor, "lab", lab.lab_code)
            if self.engine is not None:
                self.engine.upsert_lab(lab, revision)

    def put_program(self, session: Session, program: Program, actor: Actor) -> None:
        """As ``put_lab``, for a program."""
        if upsert_program(session, program) is not UpsertResult.UNCHANGED:
            revision = self._revision(session, actor, "program", program.program_code)
            if self.engine is not None:
                self.engine.upsert_program(program, revision)

    @staticmethod
    def _revision(session: Session, actor: Actor, kind: str, code: str) -> int:
        revision = record_revision(session, f"api: {kind} {code}").id
        append_event(session, actor=actor.name, action=f"registry.{kind}.upsert",
                     subject=code, details={"revision": revision})
        session.commit()
        return revision
