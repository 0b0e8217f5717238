"""The API speaks Vietnamese unless ``Accept-Language`` prefers English: error messages and
each refused field's message, while codes, fields and rules stay the same words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService
from wastescreen.api.app import create_app
from wastescreen.api.lang import accept_language


@pytest.fixture(scope="module")
def client(service: DemoService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings)) as c:
        yield c


def _proposal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    return {**data, "agency": AGENCY_A, **changes}


@pytest.mark.parametrize(("header", "lang"), [
    (None, "vi"), ("", "vi"), ("vi", "vi"), ("vi-VN,vi;q=0.9,en;q=0.8", "vi"), ("en", "en"),
    ("en-US,en;q=0.9", "en"), ("fr, en;q=0.5", "en"), ("fr", "vi"), ("en;q=0.4, vi", "vi"),
    ("en;q=0, vi;q=0.1", "vi"), ("en;q=abc", "vi"), ("*", "vi")])
def test_accept_language(header: str | None, lang: str) -> None:
    assert accept_language(header) == lang


def test_a_refused_proposal_is_explained_in_vietnamese_by_default(
        client: TestClient, service: DemoService) -> None:
    bad = _proposal(budget={**_proposal()["budget"], "equipment_vnd": 1})
    answers = {lang: client.post("/v1/prechecks", json=bad, headers={
        **service.auth("agency_a"), **({"Accept-Language": lang} if lang else {})})
        for lang in ("", "vi", "en")}
    for r in answers.values():
        assert r.status_code == 422
    vi, default, en = (answers[k].json()["error"] for k in ("vi", "", "en"))
    assert vi == default  # Vietnamese unless asked otherwise
    for err in (vi, en):  # stable for programs, whatever the language
        assert err["code"] == "validation_error" and err["field"] == "budget"
        assert err["details"][0]["rule"] == "budget_breakdown_mismatch"
    assert vi["details"][0]["message"].startswith("Tổng các khoản kinh phí")
    assert vi["message"] == "budget: " + vi["details"][0]["message"]
    assert en["details"][0]["message"].startswith("The budget lines must add up")
    assert "[budget_breakdown_mismatch]" not in vi["message"]


@pytest.mark.parametrize(("path", "method", "headers", "status", "vi", "en"), [
    ("/v1/screenings", "get", {}, 401, "Gửi khóa API", "Send an API key"),
    ("/v1/no-such-thing", "get", {}, 404, "Không có địa chỉ này", "No such address"),
    ("/v1/keys", "get", {}, 405, "không nhận phương thức GET", "does not take GET"),
])
def test_framework_errors_are_in_the_callers_language(
        client: TestClient, path: str, method: str, headers: dict[str, str], status: int,
        vi: str, en: str) -> None:
    for lang, words in (("vi", vi), ("en", en)):
        r = client.request(method, path, headers={**headers, "Accept-Language": lang})
        assert r.status_code == status
        assert words in r.json()["error"]["message"], r.text


def test_role_not_found_and_bad_key(client: TestClient, service: DemoService) -> None:
    r = client.get("/v1/audit", headers=service.auth("agency_a"))
    assert r.status_code == 403 and "không được làm việc này" in r.json()["error"]["message"]
    r = client.get("/v1/screenings/nope", headers={**service.auth("reviewer"),
                                                   "Accept-Language": "en"})
    assert r.status_code == 404 and r.json()["error"]["message"].startswith("No such screening")
    r = client.get("/v1/registry/labs/LAB-NONE", headers=service.auth("reviewer"))
    assert r.json()["error"]["message"] == "Không có phòng thí nghiệm LAB-NONE."
    r = client.get("/v1/screenings", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and "bị thu hồi" in r.json()["error"]["message"]


def test_a_body_too_large_is_refused_in_vietnamese(service: DemoService) -> None:
    app = create_app(service.settings.model_copy(update={"max_body_bytes": 1_000}))
    with TestClient(app) as small:
        body = {"x": "y" * 5_000}
        vi = small.post("/v1/prechecks", json=body, headers=service.auth("agency_a"))
        en = small.post("/v1/prechecks", json=body,
                        headers={**service.auth("agency_a"), "Accept-Language": "en"})
    assert vi.status_code == en.status_code == 413
    assert vi.json()["error"]["code"] == en.json()["error"]["code"] == "payload_too_large"
    assert vi.json()["error"]["message"] == "Nội dung gửi lên lớn hơn mức cho phép (1.000 byte)."
    assert en.json()["error"]["message"] == (
        "The request body is larger than allowed (1,000 bytes).")


def test_a_batch_file_that_is_not_utf8_says_so(client: TestClient, service: DemoService) -> None:
    data = "title,province\nPhát,Hà Nam\n".encode("cp1258")  # Excel's "ANSI"
    r = client.post("/v1/batch", files={"file": ("lô.csv", data, "text/csv")},
                    headers=service.auth("agency_a"))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_file" and "UnicodeDecodeError" not in err["message"]
    assert "không ở mã UTF-8" in err["message"] and "CSV UTF-8" in err["message"]
