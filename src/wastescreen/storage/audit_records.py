"""Stored screenings and decisions held against the audit events that recorded them.

A row edited in place (a band lowered, a rationale rewritten) leaves the trail intact; this
check compares every screening with its ``*.screened`` event (band, score, input hash, model,
the hash of the stored result and inputs) and every decision with its ``decision.recorded``
event, and names each field that differs.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wastescreen.core.canonical import sha256_hex
from wastescreen.core.labels.messages import Msg, msg
from wastescreen.storage.revisions import answers_sha256
from wastescreen.storage.tables import (
    AuditEventRow,
    DecisionRow,
    FlagAnswerRow,
    IssuedReportRow,
    ScreeningRow,
)

SCREENED = ("precheck.screened", "submission.screened")


@dataclass(frozen=True)
class RecordProblem:
    kind: str  # "screening", "decision" or "issued report"
    id: str
    problem: Msg  # a key of ``core.labels.problems``


def _screening_fields(row: ScreeningRow) -> dict[str, Any]:
    return {"band": row.band, "overall_score": row.overall_score, "input_hash": row.input_hash,
            "model_version": row.model_version, "model_band": row.model_band,
            "result_sha256": sha256_hex(row.result),
            "inputs_sha256": None if row.inputs is None else sha256_hex(row.inputs)}


def _differs(name: str, value: Any, recorded: Any) -> Msg:
    return msg("record_differs", name=name, value=repr(value), recorded=repr(recorded))


def verify_records(session: Session) -> list[RecordProblem]:
    """Every stored screening and decision that does not match the event that recorded it."""
    events: dict[str, dict[str, Any]] = {}
    decided: dict[str, list[AuditEventRow]] = defaultdict(list)
    for e in session.execute(select(AuditEventRow).where(AuditEventRow.action.in_(
            (*SCREENED, "decision.recorded"))).order_by(AuditEventRow.seq)).scalars():
        if e.action == "decision.recorded":
            decided[e.subject].append(e)
        else:
            events[e.subject] = dict(e.details)
    problems: list[RecordProblem] = []
    answers: dict[str, list[FlagAnswerRow]] = defaultdict(list)
    for a in session.execute(select(FlagAnswerRow).order_by(FlagAnswerRow.id)).scalars():
        answers[a.screening_id].append(a)
    for row in session.execute(select(ScreeningRow)).scalars():
        recorded = events.get(row.id)
        if recorded is None:
            problems.append(RecordProblem("screening", row.id, msg("record_unlogged")))
            continue
        for name, value in _screening_fields(row).items():
            if name in recorded and recorded[name] != value:
                problems.append(RecordProblem("screening", row.id,
                                              _differs(name, value, recorded[name])))
        # Events before the revision loop carry neither: nothing was revised then.
        if recorded.get("revises") != row.revises:
            problems.append(RecordProblem(
                "screening", row.id, _differs("revises", row.revises, recorded.get("revises"))))
        given = answers.pop(row.id, [])
        if (row.revises is not None or given) and \
                recorded.get("answers_sha256") != answers_sha256(given):
            problems.append(RecordProblem("screening", row.id, msg("record_answers")))
    for sid in answers:
        problems.append(RecordProblem("screening", sid, msg("record_orphan_answers")))
    by_screening: dict[str, list[DecisionRow]] = defaultdict(list)
    for d in session.execute(select(DecisionRow).order_by(DecisionRow.id)).scalars():
        by_screening[d.screening_id].append(d)
    for sid, rows in by_screening.items():
        logged = decided.get(sid, [])
        for i, d in enumerate(rows):
            if i >= len(logged):
                problems.append(RecordProblem("decision", str(d.id), msg("record_unlogged")))
                continue
            e = logged[i]
            stored = {"decision": d.decision, "rationale": d.rationale, "override": d.override}
            for name, value in stored.items():
                if e.details.get(name) != value:
                    problems.append(RecordProblem(
                        "decision", str(d.id), _differs(name, value, e.details.get(name))))
            if d.decided_by != e.details.get("decided_by", d.decided_by):
                problems.append(RecordProblem("decision", str(d.id), msg("record_decider")))
        if len(logged) > len(rows):
            problems.append(RecordProblem("decision", sid, msg("record_deleted_decisions",
                                                               n=len(logged) - len(rows))))
    problems.extend(_issued_reports(session))
    return problems


def _issued_reports(session: Session) -> list[RecordProblem]:
    """Each issued report's HTML against its stored hash and the hash its event recorded."""
    recorded = {e.details.get("report_id"): e.details.get("sha256") for e in session.execute(
        select(AuditEventRow).where(AuditEventRow.action == "report.issued")).scalars()}
    problems = []
    for r in session.execute(select(IssuedReportRow)).scalars():
        actual = hashlib.sha256(zlib.decompress(r.html_zlib)).hexdigest()
        if actual != r.sha256 or recorded.get(r.id) != r.sha256:
            problems.append(RecordProblem("issued report", str(r.id), msg("record_report_hash")))
    return problems
