"""The revision loop through the API: a reviewer sends a proposal back with notes, its agency
reads them, answers the flags that fired and files a revised version; the reviewer sees what
changed, the answers and how the score moved; the first version leaves the queue, the peers
and the portfolio, and the trail holds all of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.api.filing import copy_of_ongoing_program, reviewer_key
from tests.api.statements import statements_sent
from tests.demo_service import DemoService
from wastescreen.api.app import create_app
from wastescreen.screening.audit import check_trail
from wastescreen.screening.catch_up import catch_up
from wastescreen.screening.engine import load_engine
from wastescreen.screening.reproduce import reproduce
from wastescreen.storage.tables import FlagAnswerRow, SubmissionFactsRow

NOTES = "Trùng với chương trình đang thực hiện; nêu rõ phần tiếp nối và giảm kinh phí."
JUSTIFICATION = ("Giai đoạn tiếp nối của chương trình đã nghiệm thu năm 2024, được phê duyệt "
                 "theo Quyết định 123/QĐ-BKHCN")


@pytest.fixture(scope="module")
def client(service: DemoService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings)) as c:
        yield c


def _sent_back(client: TestClient, service: DemoService, suffix: str,
               reviewer: dict[str, str]) -> dict[str, Any]:
    """A filed copy of an ongoing program (RF01 fires), sent back with ``NOTES``."""
    body = copy_of_ongoing_program(service, suffix)
    filed = client.post("/v1/screenings", json=body, headers=service.auth("agency_a"))
    assert filed.status_code == 201, filed.text
    sid = filed.json()["id"]
    decided = client.post(f"/v1/screenings/{sid}/decision",
                          json={"decision": "revise", "rationale": NOTES}, headers=reviewer)
    assert decided.status_code == 200, decided.text
    return {"id": sid, "body": body, "filed": filed.json()}


def _revised(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` narrowed to a follow-on with its own objectives and a smaller budget."""
    total = body["total_budget_vnd"] // 2
    return {**body, "title": body["title"] + " — giai đoạn tiếp nối",
            "objectives": "Mở rộng kết quả đã nghiệm thu sang hai tỉnh mới; không lặp lại các "
                          "nội dung đã thực hiện.",
            "total_budget_vnd": total,
            "budget": {"equipment_vnd": 0, "construction_vnd": 0,
                       "personnel_vnd": total * 6 // 10,
                       "operations_vnd": total - total * 6 // 10, "other_vnd": 0}}


def test_a_proposal_sent_back_is_revised_and_the_reviewer_sees_what_moved(
        client: TestClient, service: DemoService) -> None:
    reviewer = reviewer_key(client, service, "Đỗ Thị Sửa")
    first = _sent_back(client, service, "(sửa đổi)", reviewer)
    sid, agency = first["id"], service.auth("agency_a")
    assert "RF01" in [f["id"] for f in first["filed"]["result"]["flags"]
                      if f["status"] == "fired"]

    # the notes reach the agency, in the screening and in its own list
    seen = client.get(f"/v1/screenings/{sid}", headers=agency).json()
    assert seen["sent_back"]["rationale"] == NOTES
    mine = client.get("/v1/screenings?status=decided&limit=200", headers=agency).json()
    assert next(i for i in mine["items"] if i["id"] == sid)["decision"] == "revise"

    revised_body = _revised(first["body"])
    r = client.post(f"/v1/screenings/{sid}/revisions", headers=agency, json={
        "proposal": revised_body, "answers": [{"flag": "RF01", "justification": JUSTIFICATION}]})
    assert r.status_code == 201, r.text
    new = r.json()
    revision = new["revision"]
    assert revision["revises"] == sid and new["status"] == "queued"
    assert revision["sent_back"]["rationale"] == NOTES
    assert {c["field"] for c in revision["changes"]} >= {"title", "objectives",
                                                         "total_budget_vnd", "budget"}
    assert {c["field"] for c in revision["changes"]}.isdisjoint({"agency", "cycle", "province"})
    rf01 = next(f for f in revision["flags"] if f["flag"] == "RF01")
    assert rf01["fired_before"] and rf01["justification"] == JUSTIFICATION
    assert rf01["answered_by"]
    assert revision["overall_score_change"] == pytest.approx(
        new["result"]["overall_score"] - first["filed"]["result"]["overall_score"])

    # the first version is superseded: out of the default queue, linked forward, not decidable
    old = client.get(f"/v1/screenings/{sid}", headers=service.auth("reviewer")).json()
    assert old["status"] == "revised" and old["revised_by"] == new["id"]
    queue = client.get("/v1/screenings?limit=200", headers=agency).json()["items"]
    assert sid not in {i["id"] for i in queue} and new["id"] in {i["id"] for i in queue}
    listed = client.get("/v1/screenings?status=revised&limit=200", headers=agency).json()
    assert sid in {i["id"] for i in listed["items"]}
    again = client.post(f"/v1/screenings/{sid}/revisions", headers=agency,
                        json={"proposal": revised_body, "answers": []})
    assert again.status_code == 409 and again.json()["error"]["code"] == "superseded"
    late = client.post(f"/v1/screenings/{sid}/decision", headers=reviewer,
                       json={"decision": "approve", "rationale": "muộn"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "superseded"

    # the report of the revised version says all of it
    report = client.get(f"/v1/screenings/{new['id']}/report?lang=en",
                        headers=service.auth("reviewer")).text
    assert NOTES in report and JUSTIFICATION in report and "Revised version" in report

    with service.db.sessions() as s:
        assert s.get(SubmissionFactsRow, first["filed"]["proposal_id"]) is None
        assert s.get(SubmissionFactsRow, new["proposal_id"]) is not None
        assert reproduce(s, service.settings.models_dir, new["id"]).identical
        assert not check_trail(s).records
        s.execute(update(FlagAnswerRow).where(FlagAnswerRow.screening_id == new["id"])
                  .values(justification="đã sửa sau"))
        s.commit()
        lines = check_trail(s).lines()
        s.execute(update(FlagAnswerRow).where(FlagAnswerRow.screening_id == new["id"])
                  .values(justification=JUSTIFICATION))
        s.commit()
    assert any(new["id"] in line and "answers" in line for line in lines), lines


def test_only_a_proposal_sent_back_is_revised_and_answers_name_fired_flags(
        client: TestClient, service: DemoService) -> None:
    agency = service.auth("agency_a")
    body = copy_of_ongoing_program(service, "(chưa trả lại)")
    queued = client.post("/v1/screenings", json=body, headers=agency).json()
    r = client.post(f"/v1/screenings/{queued['id']}/revisions", headers=agency,
                    json={"proposal": body})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_sent_back"
    assert "trả lại" in r.json()["error"]["message"]  # Vietnamese unless asked otherwise

    reviewer = reviewer_key(client, service, "Vũ Văn Kiểm")
    first = _sent_back(client, service, "(trả lời sai)", reviewer)
    url = f"/v1/screenings/{first['id']}/revisions"
    wrong = client.post(url, headers=agency, json={
        "proposal": {**_revised(first["body"]), "cycle": first["body"]["cycle"] + 1},
        "answers": [{"flag": "RF08", "justification": JUSTIFICATION},
                    {"flag": "RF01", "justification": JUSTIFICATION},
                    {"flag": "RF01", "justification": JUSTIFICATION}]})
    assert wrong.status_code == 422, wrong.text
    fired = {f["id"] for f in first["filed"]["result"]["flags"] if f["status"] == "fired"}
    details = {(d["field"], d["rule"]) for d in wrong.json()["error"]["details"]}
    assert ("proposal.cycle", "revision_other_cycle") in details
    assert ("answers.2.flag", "flag_answered_twice") in details
    assert (("answers.0.flag", "flag_not_fired") in details) == ("RF08" not in fired)
    short = client.post(url, headers=agency, json={
        "proposal": _revised(first["body"]), "answers": [{"flag": "RF01", "justification": "ok"}]})
    assert short.status_code == 422
    assert short.json()["error"]["details"][0]["field"] == "answers.0.justification"
    # another agency cannot see it, a reviewer cannot file it; nothing was superseded
    assert client.post(url, headers=service.auth("agency_b"),
                       json={"proposal": first["body"]}).status_code == 404
    assert client.post(url, headers=reviewer,
                       json={"proposal": first["body"]}).status_code == 403
    still = client.get(f"/v1/screenings/{first['id']}", headers=agency).json()
    assert still["status"] == "decided" and still["revised_by"] is None


def test_a_superseded_version_is_no_ones_peer_in_any_worker(
        client: TestClient, service: DemoService) -> None:
    reviewer = reviewer_key(client, service, "Hồ Thị Ngang")
    first = _sent_back(client, service, "(đồng cấp)", reviewer)
    with service.db.sessions() as s:  # a worker that loaded before the revision
        stale = load_engine(service.settings, s)
    old_pid = first["filed"]["proposal_id"]
    new = client.post(f"/v1/screenings/{first['id']}/revisions", headers=service.auth("agency_a"),
                      json={"proposal": _revised(first["body"])}).json()
    with service.db.sessions() as s:
        fresh = load_engine(service.settings, s)
        assert old_pid in stale.peers.agency_of
        catch_up(stale, s)
    for engine in (fresh, stale):
        assert old_pid not in engine.peers.agency_of
        assert new["proposal_id"] in engine.peers.agency_of
    # another agency filing the same copy meets the revised version, never the superseded one
    copy = {**first["body"], "agency": service.agency_b, "title": first["body"]["title"] + " B"}
    other = client.post("/v1/prechecks", json=copy, headers=service.auth("agency_b")).json()
    assert old_pid not in {e.get("code") for e in other["result"]["evidence"]}
    pre = client.get("/v1/prechecks?limit=200", headers=service.auth("agency_b")).json()
    assert pre["items"][0]["id"] == other["id"]  # newest first
    assert all(i["agency"] == service.agency_b for i in pre["items"])


def _statements(service: DemoService, run: Callable[[], object]) -> list[str]:
    """The SQL statements ``run`` sends to the service's database."""
    return statements_sent(service.db.engine, run)


def test_a_worker_that_caught_up_reads_only_what_is_new(client: TestClient,
                                                          service: DemoService) -> None:
    reviewer = reviewer_key(client, service, "Vũ Thị Theo")
    first = _sent_back(client, service, "(theo dõi)", reviewer)
    with service.db.sessions() as s:  # another worker, caught up before the revision
        worker = load_engine(service.settings, s)
        catch_up(worker, s)
        # Nothing new: one round trip, whatever the number of proposals and screenings.
        quiet = _statements(service, lambda: catch_up(worker, s))
    assert len(quiet) == 1 and "proposals" not in quiet[0] and "count" not in quiet[0].lower()
    # A pre-check elsewhere (a new event, no new peer): still one round trip.
    copy = {**first["body"], "agency": service.agency_b, "title": first["body"]["title"] + " C"}
    assert client.post("/v1/prechecks", json=copy,
                       headers=service.auth("agency_b")).status_code == 201
    with service.db.sessions() as s:
        moved = _statements(service, lambda: catch_up(worker, s))
    assert len(moved) == 1 and "proposals" not in moved[0]
    old_pid = first["filed"]["proposal_id"]
    new = client.post(f"/v1/screenings/{first['id']}/revisions", headers=service.auth("agency_a"),
                      json={"proposal": _revised(first["body"])}).json()
    with service.db.sessions() as s:
        # the events with the check, the superseded screening's proposal, the new proposal
        assert len(_statements(service, lambda: catch_up(worker, s))) == 3
    assert old_pid not in worker.peers.agency_of and old_pid in worker.retired
    assert new["proposal_id"] in worker.peers.agency_of
