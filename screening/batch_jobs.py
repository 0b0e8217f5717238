"""Background batch jobs that survive a restart.

A job stores its validated rows (``inputs``) when it is accepted, in the same transaction, and is
held by the worker running it through a lease (``lease_until``) that the worker extends as it
progresses. A job still queued or running whose lease has run out belongs to no live worker (the
server was stopped or killed): any worker claims it — one conditional UPDATE, so two workers
never both win — and screens it again from its stored rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.proposal import Proposal
from screening.batch import BatchRow, error_row, screen_rows
from screening.engine import ScreeningEngine
from screening.store import new_id
from storage.tables import BatchJobRow

PROGRESS_EVERY = 25
OPEN_STATUSES = ("queued", "running")
log = logging.getLogger(__name__)


def rows_to_json(rows: Sequence[BatchRow]) -> list[dict[str, Any]]:
    """The validated rows as stored with the job: row number, proposal payload or errors."""
    return [{"row": r.row, "errors": r.errors,
             "proposal": None if r.proposal is None else r.proposal.model_dump(mode="json")}
            for r in rows]


def rows_from_json(data: Sequence[dict[str, Any]]) -> list[BatchRow]:
    """Inverse of ``rows_to_json``."""
    return [BatchRow(row=int(d["row"]), errors=list(d["errors"]),
                     proposal=None if d["proposal"] is None
                     else Proposal.model_validate(d["proposal"])) for d in data]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def accept_job(session: Session, rows: Sequence[BatchRow], *, api_key_id: int,
               agency: str | None, filename: str, lease_seconds: float) -> BatchJobRow:
    """Store a new job with its rows, leased to the caller's worker, and commit."""
    job = BatchJobRow(id=new_id(), api_key_id=api_key_id, agency=agency,
                      filename=filename[:300], rows_total=len(rows), status="queued",
                      inputs=rows_to_json(rows),
                      lease_until=_now() + dt.timedelta(seconds=lease_seconds))
    session.add(job)
    session.commit()
    return job


def run_job(sessions: sessionmaker[Session], engine: ScreeningEngine, job_id: str,
            rows: Sequence[BatchRow], lease_seconds: float) -> None:
    """Screen the rows, saving progress and extending the lease; a failure marks the job
    failed with its reason."""
    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            with sessions() as s:
                job = s.get(BatchJobRow, job_id)
                if job is not None:
                    job.rows_done, job.status = done, "running"
                    job.lease_until = _now() + dt.timedelta(seconds=lease_seconds)
                    s.commit()

    try:
        results = screen_rows(engine, rows, progress)
        status, error = "done", ""
    except Exception as exc:  # the job records why it stopped
        results, status, error = [error_row(r) for r in rows if r.proposal is None], "failed", (
            f"{type(exc).__name__}: {exc}")
    with sessions() as s:
        job = s.get(BatchJobRow, job_id)
        if job is not None:
            job.results, job.status, job.error = results, status, error
            job.rows_done = len(rows) if status == "done" else job.rows_done
            job.finished_at, job.lease_until = _now(), None
            s.commit()


def claim_stale_job(session: Session, lease_seconds: float
                    ) -> tuple[str, list[BatchRow]] | None:
    """Claim one open job whose lease has run out and return it with its rows (None: none).

    A job accepted before inputs were kept cannot be run again: it is marked failed, saying so.
    """
    now = _now()
    stale = (BatchJobRow.status.in_(OPEN_STATUSES),
             or_(BatchJobRow.lease_until.is_(None), BatchJobRow.lease_until < now))
    for job_id in session.execute(select(BatchJobRow.id).where(*stale)
                                  .order_by(BatchJobRow.created_at)).scalars().all():
        won = session.execute(update(BatchJobRow).where(BatchJobRow.id == job_id, *stale).values(
            lease_until=now + dt.timedelta(seconds=lease_seconds), rows_done=0))
        session.commit()
        if won.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker claimed it between the two statements
        job = session.get(BatchJobRow, job_id)
        if job is None:
            continue
        if job.inputs is None:
            job.status, job.finished_at, job.lease_until = "failed", now, None
            job.error = "interrupted by a restart; this job's rows were not kept: resubmit it"
            session.commit()
            continue
        log.warning("batch job %s was interrupted; screening it again", job_id)
        return job_id, rows_from_json(job.inputs)
    return None


def resume_stale_jobs(sessions: sessionmaker[Session], engine: ScreeningEngine,
                      lease_seconds: float) -> int:
    """Claim and run every job left open by a stopped worker; returns how many were run."""
    count = 0
    while True:
        with sessions() as session:
            engine.sync(session)
            claimed = claim_stale_job(session, lease_seconds)
        if claimed is None:
            return count
        run_job(sessions, engine, claimed[0], claimed[1], lease_seconds)
        count += 1
