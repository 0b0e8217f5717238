"""Frozen: ``storage.screenings.save_screening`` as it was (the result dumped to a dict, then
encoded by the JSON column and again, canonically, for its hash)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wastescreen.core.canonical import sha256_hex
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.result import ScreeningResult
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.revisions import RevisionLink, supersede
from wastescreen.storage.screenings import (
    _INSERT_FACTS,
    _INSERT_OVERLAP,
    _INSERT_PROPOSAL,
    _INSERT_SCREENING,
    ScreeningKind,
    new_id,
    overlap_rows,
)
from wastescreen.storage.tables import ScreeningRow, utcnow


def save_screening(session: Session, proposal: Proposal, proposal_id: str,
                   result: ScreeningResult, kind: ScreeningKind, *, actor: str,
                   api_key_id: int | None = None, idempotency_key: str | None = None,
                   inputs: dict[str, Any] | None = None, revision: RevisionLink | None = None,
                   person: str = "") -> ScreeningRow:
    """Store the proposal and its result with their audit events, and commit; returns the
    screening row as written (not attached to the session). ``inputs``: what the result
    depends on besides the proposal (``screening.inputs``), kept for reproducing it.
    ``revision``: the screening this one revises (superseded in the same transaction) and
    the agency's answers to its flags, given by ``person``.

    Plain INSERTs rather than the ORM's unit of work: this runs for every screening."""
    now = utcnow()
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
    session.execute(_INSERT_SCREENING, values)
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
                          "result_sha256": sha256_hex(values["result"]),
                          "inputs_sha256": sha256_hex(inputs) if inputs is not None else None,
                          **({} if revision is None else {
                              "revises": revision.screening_id,
                              "answers_sha256": revision.answers_sha256()})})
    session.commit()
    return ScreeningRow(**values)
