"""Decisions by named people, with their history and a second pair of eyes; the reports as
issued; stored rows held against the trail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.api.filing import copy_of_ongoing_program, reviewer_key
from tests.demo_service import AGENCY_A, DemoService
from wastescreen.api.app import create_app
from wastescreen.screening.audit import check_trail
from wastescreen.screening.usecases import high_flag_fired
from wastescreen.storage.tables import DecisionRow, IssuedReportRow, ScreeningRow


@pytest.fixture(scope="module")
def client(service: DemoService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings)) as c:
        yield c


def test_approving_a_proposal_a_high_flag_fired_on_needs_a_second_named_reviewer_key(
        client: TestClient, service: DemoService) -> None:
    first = reviewer_key(client, service, "Nguyễn Thị Thẩm Tra")
    second = reviewer_key(client, service, "Trần Văn Kiểm Tra")
    filed = client.post("/v1/screenings", json=copy_of_ongoing_program(service, "(hai người)"),
                        headers=service.auth("agency_a")).json()
    fired = {f["id"] for f in filed["result"]["flags"] if f["status"] == "fired"}
    assert "RF01" in fired, fired
    sid = filed["id"]
    decide = f"/v1/screenings/{sid}/decision"
    body = {"decision": "approve", "rationale": "Tiếp nối có lý do"}
    one = client.post(decide, json=body, headers=first).json()
    assert one["status"] == "awaiting_confirmation"
    assert one["decision"]["needs_confirmation"] is True
    assert one["decision"]["decided_by"].startswith("Nguyễn Thị Thẩm Tra (key:")
    again = client.post(decide, json=body, headers=first)
    assert again.status_code == 409 and again.json()["error"]["code"] == "second_reviewer_needed"
    two = client.post(decide, json={**body, "rationale": "Đồng ý"}, headers=second).json()
    assert two["status"] == "decided" and two["decision"]["confirms"] == one["decision"]["id"]
    assert [d["decided_by"].split(" (")[0] for d in two["decisions"]] == [
        "Nguyễn Thị Thẩm Tra", "Trần Văn Kiểm Tra"]
    page = client.get(f"/v1/screenings/{sid}/report?lang=en", headers=service.auth("auditor"))
    assert "Decision history" in page.text and "Trần Văn Kiểm Tra" in page.text


def test_an_override_counts_even_when_a_later_decision_goes_with_the_band(
        client: TestClient, service: DemoService) -> None:
    reviewer = reviewer_key(client, service, "Lê Thị Duyệt")
    filed = client.post("/v1/screenings", json=copy_of_ongoing_program(service, "(ghi đè)"),
                        headers=service.auth("agency_a")).json()

    def overrides() -> int:
        rows = client.get(f"/public/indicators?cycle={filed['result']['cycle']}&format=csv")
        return sum(int(line.split(",")[6]) for line in rows.text.splitlines()[1:]
                   if AGENCY_A in line)

    before = overrides()
    decide = f"/v1/screenings/{filed['id']}/decision"
    client.post(decide, json={"decision": "approve", "rationale": "ghi đè"}, headers=reviewer)
    client.post(decide, json={"decision": "reject", "rationale": "sau đó bác bỏ"},
                headers=reviewer)
    assert overrides() == before + 1  # the approval of a high-band proposal still counts


def test_reports_are_kept_as_issued_and_stored_rows_are_held_against_the_trail(
        client: TestClient, service: DemoService) -> None:
    reviewer = reviewer_key(client, service, "Phạm Văn Lưu")
    filed = client.post("/v1/screenings", json=copy_of_ongoing_program(service, "(lưu)"),
                        headers=service.auth("agency_a")).json()
    sid = filed["id"]
    client.post(f"/v1/screenings/{sid}/decision",
                json={"decision": "reject", "rationale": "Trùng chương trình"}, headers=reviewer)
    issued = client.get(f"/v1/screenings/{sid}/issued", headers=service.auth("auditor")).json()
    assert [r["occasion"].split(":")[0] for r in issued] == ["filed", "decision"]
    html = client.get(f"/v1/screenings/{sid}/issued/{issued[-1]['id']}",
                      headers=service.auth("auditor"))
    assert html.headers["X-Report-SHA256"] == issued[-1]["sha256"]
    assert "Trùng chương trình" in html.text
    assert client.get(f"/v1/screenings/{sid}/issued",
                      headers=service.auth("agency_a")).status_code == 403
    with service.db.sessions() as s:
        kept = s.get(IssuedReportRow, issued[0]["id"])
        assert kept is not None
        original = kept.html_zlib
        s.execute(update(ScreeningRow).where(ScreeningRow.id == sid).values(band="low"))
        s.execute(update(DecisionRow).where(DecisionRow.screening_id == sid)
                  .values(rationale="Đã sửa"))
        s.execute(update(IssuedReportRow).where(IssuedReportRow.id == issued[0]["id"])
                  .values(html_zlib=b"x\x9c\x03\x00\x00\x00\x00\x01"))
        s.commit()
        lines = check_trail(s).lines()
        s.execute(update(ScreeningRow).where(ScreeningRow.id == sid).values(band="high"))
        s.execute(update(DecisionRow).where(DecisionRow.screening_id == sid)
                  .values(rationale="Trùng chương trình"))
        s.execute(update(IssuedReportRow).where(IssuedReportRow.id == issued[0]["id"]).values(
            html_zlib=original))
        s.commit()
    assert any(line.startswith(f"screening {sid}: band is 'low'") for line in lines), lines
    assert any(line.startswith("decision ") and "rationale" in line for line in lines)
    assert any(line.startswith(f"issued report {issued[0]['id']}") for line in lines)



def test_a_fired_high_flag_needs_two_reviewers_even_where_the_model_agreed() -> None:
    def row(flags: list[dict[str, str]], raised_by: list[str]) -> ScreeningRow:
        return ScreeningRow(result={"flags": flags, "raised_by": raised_by})

    fired_high = {"id": "RF01", "severity": "high", "status": "fired"}
    assert high_flag_fired(row([fired_high], []))  # the model already said high
    assert high_flag_fired(row([fired_high], ["RF01"]))
    assert not high_flag_fired(row([{**fired_high, "status": "not_fired"}], []))
    assert not high_flag_fired(row([{"id": "RF05", "severity": "medium", "status": "fired"}],
                                   ["RF05"]))
