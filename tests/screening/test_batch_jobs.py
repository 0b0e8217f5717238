"""An accepted batch job is never lost: one left open by a stopped worker is screened again."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService
from wastescreen.api.app import create_app
from wastescreen.domain.errors import FieldError
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.batch import BatchRow, rows_from_json, rows_to_json
from wastescreen.screening.batch_jobs import claim_stale_job, run_job, stale_job_ids, try_claim
from wastescreen.screening.engine import load_engine
from wastescreen.screening.usecases import Screener
from wastescreen.storage.database import open_database
from wastescreen.storage.tables import ApiKeyRow, BatchJobRow

EXAMPLE = EXAMPLES / "proposal.json"


def _rows() -> list[BatchRow]:
    proposal = Proposal.model_validate(json.loads(EXAMPLE.read_text("utf-8")))
    return [BatchRow(row=2, proposal=proposal),
            BatchRow(row=3, errors=[FieldError("title", "missing", "x")]),
            BatchRow(row=4, proposal=proposal.model_copy(update={"title": "Một đề xuất khác"}))]


def test_rows_round_trip_through_json() -> None:
    rows = _rows()
    again = rows_from_json(json.loads(json.dumps(rows_to_json(rows))))
    assert [(r.row, r.proposal, r.errors) for r in again] == [
        (r.row, r.proposal, r.errors) for r in rows]


def _job(key_id: int, lease_until: dt.datetime | None, status: str,
         inputs: list[BatchRow] | None) -> BatchJobRow:
    return BatchJobRow(id=str(uuid.uuid4()),
                       api_key_id=key_id, agency=AGENCY_A, filename="b.csv", status=status,
                       rows_total=3, rows_done=1, results=[],
                       inputs=None if inputs is None else rows_to_json(inputs),
                       lease_until=lease_until)


def test_a_job_left_open_by_a_stopped_worker_is_screened_again(service: DemoService
                                                               ) -> None:
    settings = service.settings.model_copy(update={"batch_sweep_seconds": 0.2})
    db = open_database(settings)
    now = dt.datetime.now(dt.UTC)
    with db.sessions() as s:
        key_id = s.execute(select(ApiKeyRow.id).where(ApiKeyRow.label == "agency_a")
                           ).scalar_one()
        # What a kill -9 leaves: running, its lease run out; and one a live worker still holds.
        stale = _job(key_id, now - dt.timedelta(seconds=5), "running", _rows())
        held = _job(key_id, now + dt.timedelta(hours=1), "queued", _rows())
        old = _job(key_id, None, "queued", None)  # accepted before rows were kept
        s.add_all([stale, held, old])
        s.commit()
        ids = stale.id, held.id, old.id
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            body = client.get(f"/v1/batch/{ids[0]}", headers=service.auth("agency_a")).json()
            if body["status"] == "done":
                break
            time.sleep(0.2)
        assert body["status"] == "done", body
        assert [r["status"] for r in body["results"]] == ["screened", "invalid", "screened"]
        assert body["rows_done"] == 3 and body["finished_at"]
        held_now = client.get(f"/v1/batch/{ids[1]}", headers=service.auth("agency_a")).json()
        assert held_now["status"] == "queued" and held_now["results"] == []
        old_now = client.get(f"/v1/batch/{ids[2]}", headers=service.auth("agency_a")).json()
        assert old_now["status"] == "failed" and "resubmit" in old_now["error"]
    with db.sessions() as s:
        assert s.get(BatchJobRow, ids[0]).lease_until is None  # type: ignore[union-attr]
        s.delete(s.get(BatchJobRow, ids[1]))
        s.commit()
    db.dispose()


def _stale_job(service: DemoService, **changes: object) -> tuple[Any, str]:
    db = open_database(service.settings)
    with db.sessions() as s:
        key_id = s.execute(select(ApiKeyRow.id).where(ApiKeyRow.label == "agency_a")
                           ).scalar_one()
        job = _job(key_id, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1), "queued", _rows())
        for name, value in changes.items():
            setattr(job, name, value)
        s.add(job)
        s.commit()
        return db, job.id


def test_of_two_workers_claiming_at_once_exactly_one_wins(service: DemoService) -> None:
    db, job_id = _stale_job(service)
    with db.sessions() as first, db.sessions() as second:
        # Both see the job as stale before either claims it: only the conditional UPDATE decides.
        assert job_id in stale_job_ids(first) and job_id in stale_job_ids(second)
        wins = [try_claim(first, job_id, "run-1", 60), try_claim(second, job_id, "run-2", 60)]
    assert wins == [True, False]
    with db.sessions() as s:
        job = s.get(BatchJobRow, job_id)
        assert job is not None and job.lease_owner == "run-1"
        s.delete(job)
        s.commit()
    db.dispose()


def test_a_run_that_lost_its_lease_writes_nothing(service: DemoService) -> None:
    db, job_id = _stale_job(service, lease_owner="the-new-run",
                            lease_until=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    with db.sessions() as s:
        screener = Screener(load_engine(service.settings, s))
    run_job(db.sessions, screener, job_id, "the-old-run", _rows(), lease_seconds=60)
    with db.sessions() as s:
        job = s.get(BatchJobRow, job_id)
        assert job is not None
        assert (job.status, job.results, job.lease_owner) == ("queued", [], "the-new-run")
        s.delete(job)
        s.commit()
    db.dispose()


def test_stored_rows_that_no_longer_validate_fail_the_job(service: DemoService) -> None:
    broken = rows_to_json(_rows())
    broken[0]["proposal"]["total_budget_vnd"] = -1
    db, job_id = _stale_job(service, inputs=broken)
    with db.sessions() as s:
        assert claim_stale_job(s, lease_seconds=60) is None
        job = s.get(BatchJobRow, job_id)
        assert job is not None and job.status == "failed" and "no longer validate" in job.error
        assert job.lease_owner is None
    db.dispose()
