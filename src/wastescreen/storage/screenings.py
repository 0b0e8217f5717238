"""Persisting screenings: the proposal as filed, the result as issued, decisions, audit events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wastescreen.core.canonical import sha256_hex
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import ScreeningResult
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.engine import JsonText, json_text
from wastescreen.storage.revisions import RevisionLink, supersede
from wastescreen.storage.tables import (
    DecisionRow,
    ProposalOverlapRow,
    ProposalRow,
    ScreeningRow,
    SubmissionFactsRow,
    table_of,
    utcnow,
)


class ScreeningKind(StrEnum):
    PRECHECK = "precheck"
    SUBMISSION = "submission"


class Decision(StrEnum):
    APPROVE = "approve"
    REVISE = "revise"
    REJECT = "reject"


class SecondReviewerNeeded(PermissionError):
    """An approval awaiting confirmation must be confirmed by another reviewer."""

    field = "decision"


class NotASubmission(ValueError):
    """Only formal submissions are decided on (a pre-check is not)."""

    field = "id"


# Built once: a statement object caches its own cache key, a new one computes it again.
_INSERT_PROPOSAL = insert(table_of(ProposalRow))
_INSERT_SCREENING = insert(table_of(ScreeningRow))
_INSERT_OVERLAP = insert(table_of(ProposalOverlapRow))
_INSERT_FACTS = insert(table_of(SubmissionFactsRow))


def overlap_rows(proposal_id: str, cycle: int, evidence: Iterable[Mapping[str, Any]]
                 ) -> list[dict[str, Any]]:
    """The ``proposal_overlaps`` rows of a result's evidence (its same-cycle proposals; the
    best score when one is listed twice). ``evidence``: the result's evidence as dicts."""
    best: dict[str, float] = {}
    for ev in evidence:
        other = str(ev.get("code") or "")
        if ev.get("kind") != "proposal" or not other or other == proposal_id:
            continue
        best[other] = max(float(ev.get("score", 0.0)), best.get(other, 0.0))
    return [{"proposal_id": proposal_id, "other_id": o, "cycle": cycle, "score": s}
            for o, s in best.items()]


def new_id() -> str:
    return str(uuid.uuid4())


def find_idempotent(session: Session, api_key_id: int, key: str) -> ScreeningRow | None:
    return session.execute(select(ScreeningRow).where(
        ScreeningRow.api_key_id == api_key_id, ScreeningRow.idempotency_key == key)
    ).scalar_one_or_none()


def save_screening(session: Session, proposal: Proposal, proposal_id: str,
                   result: ScreeningResult, kind: ScreeningKind, *, actor: str,
                   api_key_id: int | None = None, idempotency_key: str | None = None,
                   inputs: dict[str, Any] | None = None, revision: RevisionLink | None = None,
                   person: str = "", result_json: str | None = None) -> ScreeningRow:
    """Store the proposal and its result with their audit events, and commit; returns the
    screening row as written (not attached to the session). ``inputs``: what the result
    depends on besides the proposal (``screening.inputs``), kept for reproducing it.
    ``revision``: the screening this one revises (superseded in the same transaction) and
    the agency's answers to its flags, given by ``person``. ``result_json``: the result as
    ``result.model_dump_json()`` made it (the same text answers the caller), stored as it is
    rather than encoded again.

    Plain INSERTs rather than the ORM's unit of work: this runs for every screening."""
    now = utcnow()
    screening_id = new_id()
    values: dict[str, Any] = {
        "id": screening_id, "proposal_id": proposal_id, "kind": kind.value, "cycle": proposal.cycle,
        "agency": proposal.agency,
        "status": "queued" if kind is ScreeningKind.SUBMISSION else "precheck",
        "overall_score": result.overall_score, "band": result.band,
        "model_band": result.model_band,
        "fired_flags": [f.id for f in result.flags if f.status == "fired"],
        "inputs": inputs,
        "model_version": result.model_version, "registry_snapshot": result.registry_snapshot,
        "input_hash": result.input_hash, "result": result.model_dump(mode="json"),
        "api_key_id": api_key_id, "idempotency_key": idempotency_key, "created_at": now,
        "revises": None if revision is None else revision.screening_id}
    # Hashed (NaN and infinities refused, as the JSON column refuses them) before it is
    # written: the text given stands for exactly this content.
    result_sha256 = sha256_hex(values["result"], allow_nan=False)
    inputs_sha256 = sha256_hex(inputs) if inputs is not None else None
    # Everything above, and the JSON texts, made before the first INSERT, where SQLite's write
    # lock is taken: other workers wait for that lock while this transaction holds it.
    screening = {**values, "result": JsonText(result_json) if result_json is not None
                 else json_text(values["result"]),
                 "inputs": None if inputs is None else json_text(inputs)}
    # The values go as parameters of statements built once (values baked into a statement
    # would be walked for its cache key every time, the result JSON included).
    session.execute(_INSERT_PROPOSAL, {
        "id": proposal_id, "kind": kind.value, "reference_code": proposal.reference_code,
        "cycle": proposal.cycle, "agency": proposal.agency, "province": proposal.province,
        "technology_area": proposal.technology_area,
        "project_type": proposal.project_type.value, "title": proposal.title,
        "total_budget_vnd": proposal.total_budget_vnd, "submitted_on": proposal.submitted_on,
        "payload": proposal.model_dump(mode="json"), "input_hash": result.input_hash,
        "created_at": now})
    session.execute(_INSERT_SCREENING, screening)
    if revision is not None:
        supersede(session, revision, screening_id, actor=actor, answered_by=person or actor)
    if kind is ScreeningKind.SUBMISSION:  # what the portfolio reads, instead of the result
        session.execute(_INSERT_FACTS, {
            "proposal_id": proposal_id, "managing_level": proposal.managing_level.value,
            "province": proposal.province, "technology_area": proposal.technology_area,
            "total_budget_vnd": proposal.total_budget_vnd})
        edges = overlap_rows(proposal_id, proposal.cycle, (e.model_dump() for e in result.evidence
                                           if e.kind == "proposal"))
        if edges:
            session.execute(_INSERT_OVERLAP, edges)
    append_event(session, actor=actor, action=f"{kind.value}.screened", subject=screening_id,
                 details={"proposal_id": proposal_id, "agency": proposal.agency,
                          "input_hash": result.input_hash, "overall_score": result.overall_score,
                          "band": result.band, "model_band": result.model_band,
                          "fired_flags": values["fired_flags"],
                          "model_version": result.model_version,
                          "registry_snapshot": result.registry_snapshot,
                          # the stored result and inputs, checked by ``audit verify``
                          "result_sha256": result_sha256,
                          "inputs_sha256": inputs_sha256,
                          **({} if revision is None else {
                              "revises": revision.screening_id,
                              "answers_sha256": revision.answers_sha256()})})
    session.commit()
    return ScreeningRow(**values)


def is_override(decision: Decision, band: str) -> bool:
    """A decision against the (final) band: approving a high-risk or rejecting a low-risk one."""
    return (decision is Decision.APPROVE and band == "high") or (
        decision is Decision.REJECT and band == "low")


def record_decision(session: Session, screening: ScreeningRow, decision: Decision,
                    rationale: str, *, actor: str, decided_by: str,
                    needs_confirmation: bool = False, confirms: int | None = None
                    ) -> DecisionRow:
    """Record a reviewer's decision with who made it, and commit. An approval that
    ``needs_confirmation`` leaves the screening awaiting a second reviewer; one that
    ``confirms`` an earlier approval decides it."""
    row = DecisionRow(screening_id=screening.id, decision=decision.value, rationale=rationale,
                      override=is_override(decision, screening.band), decided_by=decided_by,
                      needs_confirmation=needs_confirmation, confirms=confirms)
    session.add(row)
    screening.status = "awaiting_confirmation" if needs_confirmation else "decided"
    session.flush()
    append_event(session, actor=actor, action="decision.recorded", subject=screening.id,
                 details={"decision": decision.value, "override": row.override,
                          "band": screening.band, "rationale": rationale,
                          "decided_by": decided_by, "needs_confirmation": needs_confirmation,
                          "confirms": confirms, "decision_id": row.id})
    session.commit()
    return row


def decisions_of(session: Session, screening_id: str) -> list[DecisionRow]:
    """Every decision on a screening, oldest first (its history)."""
    return list(session.execute(select(DecisionRow).where(
        DecisionRow.screening_id == screening_id).order_by(DecisionRow.id)).scalars())


def latest_decision(session: Session, screening_id: str) -> DecisionRow | None:
    return session.execute(select(DecisionRow).where(DecisionRow.screening_id == screening_id)
                           .order_by(DecisionRow.id.desc()).limit(1)).scalar_one_or_none()
