"""Background batch jobs that survive a restart.

A job stores its validated rows (``inputs``) when it is accepted, in the same transaction, and is
held by one run (``lease_owner``, a random token) through a lease (``lease_until``) that the run
extends as it progresses. A job still queued or running whose lease has run out belongs to no
live run (the server was stopped or killed): any worker claims it — one conditional UPDATE, so
two workers never both win — and screens it again from its stored rows. Every write of a run is
conditional on its token, so a run that lost its lease (paused past it) stops and writes nothing.
Lease times come from each worker's clock: the workers are meant to share one host.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from wastescreen.core.exceptions import exception_summary
from wastescreen.core.text import without_control_characters
from wastescreen.screening.batch import BatchRow, error_row, rows_from_json, rows_to_json
from wastescreen.screening.usecases import Screener
from wastescreen.storage.screenings import new_id
from wastescreen.storage.tables import BatchJobRow

PROGRESS_EVERY = 25
OPEN_STATUSES = ("queued", "running")
log = logging.getLogger(__name__)


class LeaseLost(RuntimeError):
    """Another run holds the job now (this one's lease lapsed and the job was claimed)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def accept_job(session: Session, rows: Sequence[BatchRow], *, api_key_id: int,
               agency: str | None, filename: str, lease_seconds: float) -> BatchJobRow:
    """Store a new job with its rows, leased to a new run (``lease_owner``), and commit."""
    job = BatchJobRow(id=new_id(), api_key_id=api_key_id, agency=agency,
                      filename=without_control_characters(filename)[:300],
                      rows_total=len(rows), status="queued",
                      inputs=rows_to_json(rows), lease_owner=new_id(),
                      lease_until=_now() + dt.timedelta(seconds=lease_seconds))
    session.add(job)
    session.commit()
    return job


def _write_held(sessions: sessionmaker[Session], job_id: str, owner: str,
                **values: Any) -> bool:
    """Update the job if run ``owner`` still holds it; False when another run took it over."""
    with sessions() as s:
        done = s.execute(update(BatchJobRow).where(
            BatchJobRow.id == job_id, BatchJobRow.lease_owner == owner).values(**values))
        s.commit()
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def run_job(sessions: sessionmaker[Session], screener: Screener, job_id: str, owner: str,
            rows: Sequence[BatchRow], lease_seconds: float) -> None:
    """Screen the rows as run ``owner``, reporting progress and extending the lease (every
    ``PROGRESS_EVERY`` rows, and whenever a quarter of the lease has passed); a failure marks
    the job failed with its reason; a run that lost its lease stops and writes nothing."""
    renewed = time.monotonic()

    def progress(done: int) -> None:
        nonlocal renewed
        if done % PROGRESS_EVERY and time.monotonic() - renewed < lease_seconds / 4:
            return
        renewed = time.monotonic()
        try:
            held = _write_held(sessions, job_id, owner, rows_done=done, status="running",
                               lease_until=_now() + dt.timedelta(seconds=lease_seconds))
        except SQLAlchemyError as exc:  # a busy database: carry on; a lapsed lease is rerun
            log.warning("batch job %s: progress not saved: %s", job_id,
                        exception_summary(exc))
            return
        if not held:
            raise LeaseLost(job_id)

    values: dict[str, Any]
    try:
        results = screener.screen_rows(rows, progress=progress)
        values = {"results": results, "status": "done", "error": "", "rows_done": len(rows)}
    except LeaseLost:
        log.warning("batch job %s was taken over by another worker; this run stops", job_id)
        return
    except Exception as exc:  # the job records why it stopped
        values = {"results": [error_row(r) for r in rows if r.proposal is None],
                  "status": "failed", "error": f"{type(exc).__name__}: " + (
                      "database error" if isinstance(exc, SQLAlchemyError) else str(exc))}
        log.error("batch job %s failed: %s", job_id, exception_summary(exc))
    _write_held(sessions, job_id, owner, finished_at=_now(), lease_until=None, lease_owner=None,
                **values)


def _stale() -> tuple[Any, ...]:
    return (BatchJobRow.status.in_(OPEN_STATUSES),
            or_(BatchJobRow.lease_until.is_(None), BatchJobRow.lease_until < _now()))


def stale_job_ids(session: Session) -> list[str]:
    """Open jobs whose lease has run out, oldest first."""
    return list(session.execute(select(BatchJobRow.id).where(*_stale())
                                .order_by(BatchJobRow.created_at)).scalars().all())


def try_claim(session: Session, job_id: str, owner: str, lease_seconds: float) -> bool:
    """Take the job for run ``owner`` if its lease is still lapsed: one conditional UPDATE, so of
    several workers trying at once exactly one wins. Commits."""
    won = session.execute(update(BatchJobRow).where(BatchJobRow.id == job_id, *_stale()).values(
        lease_owner=owner, lease_until=_now() + dt.timedelta(seconds=lease_seconds),
        rows_done=0))
    session.commit()
    return bool(won.rowcount == 1)  # type: ignore[attr-defined]


def _fail(session: Session, job: BatchJobRow, error: str) -> None:
    job.status, job.error, job.finished_at = "failed", error, _now()
    job.lease_until = job.lease_owner = None
    session.commit()


def claim_stale_job(session: Session, lease_seconds: float
                    ) -> tuple[str, str, list[BatchRow]] | None:
    """Claim one open job whose lease has run out: (job id, run owner, its rows), or None.

    A job whose rows were not kept (accepted before they were) or no longer validate cannot be
    run again: it is marked failed, saying why, so that it does not stay open for ever."""
    for job_id in stale_job_ids(session):
        owner = new_id()
        if not try_claim(session, job_id, owner, lease_seconds):
            continue  # another worker claimed it between the two statements
        job = session.get(BatchJobRow, job_id)
        if job is None:
            continue
        if job.inputs is None:
            _fail(session, job, "interrupted by a restart; this job's rows were not kept: "
                                "resubmit it")
            continue
        try:
            rows = rows_from_json(job.inputs)
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            _fail(session, job, f"interrupted by a restart; its stored rows no longer validate "
                                f"({type(exc).__name__}): resubmit it")
            continue
        log.warning("batch job %s was interrupted; screening it again", job_id)
        return job_id, owner, rows
    return None


def resume_stale_jobs(sessions: sessionmaker[Session], screener: Screener,
                      lease_seconds: float) -> int:
    """Claim and run every job left open by a stopped worker; returns how many were run."""
    count = 0
    while True:
        with sessions() as session:
            screener.ready_engine(session)
            claimed = claim_stale_job(session, lease_seconds)
        if claimed is None:
            return count
        run_job(sessions, screener, claimed[0], claimed[1], claimed[2], lease_seconds)
        count += 1
