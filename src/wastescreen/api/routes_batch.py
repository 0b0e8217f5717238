"""Batch upload: a CSV/XLSX of proposals in, a job id out; results as JSON or CSV.

Jobs are kept with their rows and survive a restart (``screening.batch_jobs``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, File, Request, Response, UploadFile

from wastescreen.api.deps import ScreenerDep, SessionDep, require
from wastescreen.api.errors import ERROR_RESPONSES, ApiError
from wastescreen.core.labels.messages import msg
from wastescreen.screening.batch import file_message, only_agency, read_batch, results_csv
from wastescreen.screening.batch_jobs import accept_job, run_job
from wastescreen.screening.review import agency_scope
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.registry_import import ImportFileError
from wastescreen.storage.tables import BatchJobRow, as_utc

router = APIRouter(prefix="/v1", tags=["batch"], responses=ERROR_RESPONSES)
Submitter = Annotated[Principal, Depends(require(Role.AGENCY, Role.REVIEWER))]
Reader = Annotated[Principal, Depends(require(Role.AGENCY, Role.REVIEWER, Role.AUDITOR))]


@router.post("/batch", status_code=202)
def submit_batch(principal: Submitter, session: SessionDep, screener: ScreenerDep,
                 request: Request, background: BackgroundTasks,
                 file: Annotated[UploadFile, File(description="CSV or XLSX, flat format")]
                 ) -> dict[str, Any]:
    """Validate the file now, screen its rows in the background; poll ``/v1/batch/{id}``."""
    screener.ready_engine(session)
    filename = file.filename or "upload.csv"
    if Path(filename).suffix.lower() not in (".csv", ".xlsx"):
        raise ApiError(415, "unsupported_media_type", msg("unsupported_file"), field="file")
    settings = request.app.state.settings
    try:
        rows = read_batch(filename, file.file.read(), max_rows=settings.batch_max_rows)
    except ImportFileError as exc:
        raise ApiError(422, "invalid_file", file_message(exc), field="file") from exc
    only_agency(rows, agency_scope(principal))
    lease = settings.batch_lease_seconds
    job = accept_job(session, rows, api_key_id=principal.key_id, agency=principal.agency,
                     filename=file.filename or "", lease_seconds=lease)
    background.add_task(run_job, request.app.state.db.sessions, screener, job.id,
                        job.lease_owner or "", rows, lease)
    return {"job_id": job.id, "status": job.status, "rows_total": len(rows),
            "invalid_rows": sum(1 for r in rows if r.proposal is None)}


@router.get("/batch/{job_id}", responses={200: {"content": {"application/json": {},
                                                            "text/csv": {}}}})
def batch_result(job_id: str, principal: Reader, session: SessionDep,
                 format: Literal["json", "csv"] = "json") -> Any:
    """Job status and, once done, one result per row (errors for the invalid rows)."""
    job = session.get(BatchJobRow, job_id)
    if job is None or (principal.role is Role.AGENCY and job.agency != principal.agency):
        raise ApiError(404, "not_found", msg("not_found_job", id=job_id[:100]),
                       field="job_id")
    if format == "csv":
        return Response(results_csv(job.results), media_type="text/csv; charset=utf-8")
    return {"job_id": job.id, "status": job.status, "rows_total": job.rows_total,
            "rows_done": job.rows_done, "error": job.error,
            "created_at": as_utc(job.created_at).isoformat(),
            "finished_at": as_utc(job.finished_at).isoformat() if job.finished_at else None,
            "errors": [{"row": r["row"], "errors": r["errors"]} for r in job.results
                       if r.get("status") == "invalid"],
            "results": job.results}
