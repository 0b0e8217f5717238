"""The queue as XLSX and CSV: every row of the filters (not one page), riskiest first, with the
scores, final band, fired flags, top reasons and latest decision, in the page's language and
formula-safe; an agency key gets its own agency's rows only."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.pages.test_pages import signed_in
from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService
from wastescreen.api.app import create_app
from wastescreen.screening.review import QueueFilter, queue

HOSTILE = '=HYPERLINK("http://example.invalid","bấm")'


@pytest.fixture(scope="module")
def app(service: DemoService) -> Iterator[FastAPI]:
    application = create_app(service.settings)
    with TestClient(application):
        yield application


@pytest.fixture(scope="module")
def hostile_and_decided(app: FastAPI, service: DemoService) -> str:
    """A submission titled like a formula, then rejected by a reviewer; its screening id."""
    api = TestClient(app)
    data: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    data.update(agency=AGENCY_A, cycle=service.cycle, title=HOSTILE, reference_code="@SUM(A1)")
    r = api.post("/v1/screenings", json=data, headers=service.auth("agency_a"))
    assert r.status_code == 201, r.text
    sid = str(r.json()["id"])
    r = api.post(f"/v1/screenings/{sid}/decision", headers=service.auth("reviewer"),
                 json={"decision": "reject", "rationale": "Trùng với chương trình đang chạy."})
    assert r.status_code == 200, r.text
    return sid


def _xlsx(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_whole_filtered_queue_in_xlsx(app: FastAPI, service: DemoService,
                                          hostile_and_decided: str) -> None:
    client = signed_in(app, service.keys["reviewer"])
    r = client.get(f"/ui/queue/export.xlsx?cycle={service.cycle}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"wastescreen-queue-{service.cycle}-vi.xlsx" in r.headers["content-disposition"]
    rows = _xlsx(r.content)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["#", "Mã hồ sơ", "Tên đề xuất", "Cơ quan đề xuất"]
    assert {"Điểm trùng lặp", "Mức rủi ro cuối cùng", "Dấu hiệu cảnh báo đã kích hoạt",
            "Lý do chính", "Quyết định gần nhất"} <= set(header)
    with service.db.sessions() as session:  # other tests add to the cycle: count it now
        _, total = queue(session, QueueFilter(cycle=service.cycle), offset=0, limit=1)
    assert len(body) == total > 50  # every row, not one page of 50
    col = {h: i for i, h in enumerate(header)}
    assert [b[0] for b in body] == list(range(1, len(body) + 1))
    bands = [b[col["Mức rủi ro cuối cùng"]] for b in body]
    order = {"Cao": 2, "Trung bình": 1, "Thấp": 0}
    assert [order[b] for b in bands] == sorted((order[b] for b in bands), reverse=True)
    score = col["Điểm rủi ro"]
    assert all(isinstance(b[score], float) and 0 <= b[score] <= 1 for b in body)
    assert isinstance(body[0][col["Tổng kinh phí (đồng)"]], int)
    assert all(b[col["Lý do chính"]] for b in body if bands[b[0] - 1] == "Cao")
    mine = next(b for b in body if b[col["Mã sàng lọc"]] == hostile_and_decided)
    # formula-safe: the title and code are text, never a formula
    assert mine[col["Tên đề xuất"]] == "'" + HOSTILE
    assert mine[col["Mã hồ sơ"]] == "'@SUM(A1)"
    assert mine[col["Quyết định gần nhất"]] == "Không chấp thuận"
    assert "(giờ Việt Nam)" in mine[col["Thời điểm quyết định"]]
    fired = [b[col["Dấu hiệu cảnh báo đã kích hoạt"]] for b in body]
    assert any(f and f.startswith("RF") for f in fired)
    book = load_workbook(io.BytesIO(r.content))
    cells = next(book.worksheets[0].iter_rows(min_row=2, max_row=2))
    assert cells[score].number_format == "0.0%"
    assert all(c.data_type != "f" for row in book.worksheets[0].iter_rows() for c in row)


def test_csv_in_english_with_the_filters_of_the_page(app: FastAPI, service: DemoService,
                                                     hostile_and_decided: str) -> None:
    client = signed_in(app, service.keys["reviewer"])
    page = client.get(f"/ui/queue?cycle={service.cycle}&band=high&lang=en")
    assert (f"/ui/queue/export.csv?cycle={service.cycle}&amp;band=high&amp;lang=en"
            in page.text)
    r = client.get(f"/ui/queue/export.csv?cycle={service.cycle}&band=high&lang=en")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # Excel reads the UTF-8 right
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["#", "Reference code", "Title"] and "Final band" in header
    col = {h: i for i, h in enumerate(header)}
    assert body and {b[col["Final band"]] for b in body} == {"High"}
    assert all(b[col["Risk score"]].endswith("%") and " %" not in b[col["Risk score"]]
               for b in body)
    assert all(b[col["Total budget (VND)"]].startswith("VND ") for b in body)
    vi = client.get(f"/ui/queue/export.csv?cycle={service.cycle}&band=high")
    vi_rows = list(csv.reader(io.StringIO(vi.content.decode("utf-8-sig"))))
    assert vi_rows[1][col["Risk score"]].endswith(" %")  # 82,3 % in Vietnamese
    assert "," in vi_rows[1][col["Risk score"]] or vi_rows[1][col["Risk score"]][:-2].isdigit()
    assert len(vi_rows) == len(rows)


def test_an_agency_exports_its_own_rows_only(app: FastAPI, service: DemoService,
                                             hostile_and_decided: str) -> None:
    client = signed_in(app, service.keys["agency_a"])
    rows = _xlsx(client.get(f"/ui/queue/export.xlsx?cycle={service.cycle}"
                            f"&agency={service.agency_b}").content)
    col = {h: i for i, h in enumerate(rows[0])}
    assert len(rows) > 2
    assert {r[col["Cơ quan đề xuất"]] for r in rows[1:]} == {AGENCY_A}
    assert signed_in(app, None).get("/ui/queue/export.csv").status_code == 303
    assert client.get("/ui/queue/export.pdf").status_code == 404
