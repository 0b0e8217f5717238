"""Hostile input never breaks screening, on SQLite and PostgreSQL alike: non-finite numbers and
control characters in bodies, paths and query strings are refused with a 422 that names the
field and the rule; an unexpected error still answers the JSON error shape with a request id,
and the log keeps neither the request's data nor the SQL parameters."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.test_api import proposal
from tests.demo_service import DemoService
from wastescreen.api.app import create_app
from wastescreen.api.deps import SessionDep

SECRET = "Bí mật của đề xuất 4417"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[TestClient, DemoService]]:
    """One app per backend for the module (PostgreSQL skips with the reason)."""
    demo: DemoService = request.getfixturevalue(
        "service" if request.param == "sqlite" else "pg_service")
    with TestClient(create_app(demo.settings), follow_redirects=False) as c:
        yield c, demo


@pytest.fixture
def client(backend: tuple[TestClient, DemoService]) -> TestClient:
    backend[0].cookies.clear()
    return backend[0]


@pytest.fixture
def any_service(backend: tuple[TestClient, DemoService]) -> DemoService:
    return backend[1]


def raw(body: dict[str, Any], **tokens: str) -> bytes:
    """``body`` as JSON with each ``"@name@"`` placeholder replaced by a raw token (NaN,
    Infinity, 1e999 are not JSON that ``json.dumps`` would write on purpose)."""
    out = json.dumps(body, ensure_ascii=False)
    for name, token in tokens.items():
        out = out.replace(f'"@{name}@"', token)
    return out.encode()


def assert_refused(r: Any, field: str, rule: str) -> None:
    assert r.status_code == 422, (r.status_code, r.text[:300])
    err = r.json()["error"]
    assert err["code"] == "validation_error"
    assert err["field"] == field, err
    assert rule in {d["rule"] for d in err["details"]}, err


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize("role", ["agency_a", "reviewer"])
def test_non_finite_kpi_targets_are_refused(client: TestClient, any_service: DemoService,
                                            token: str, role: str) -> None:
    body = proposal()
    body["kpis"] = [dict(body["kpis"][0], target="@t@")]
    r = client.post("/v1/prechecks", content=raw(body, t=token),
                    headers={**any_service.auth(role), "content-type": "application/json"})
    assert_refused(r, "kpis.0.target", "finite_number")


@pytest.mark.parametrize("token", ["NaN", "1e999"])
def test_non_finite_money_and_utilisation_are_refused(client: TestClient,
                                                      any_service: DemoService,
                                                      token: str) -> None:
    h = {**any_service.auth("agency_a"), "content-type": "application/json"}
    r = client.post("/v1/screenings", content=raw(proposal(total_budget_vnd="@t@"), t=token),
                    headers=h)
    assert r.status_code == 422 and r.json()["error"]["field"] == "total_budget_vnd"
    lab = {"lab_code": "LAB-NAN", "name": "Phòng thử", "host": any_service.agency_a,
           "province": "Huế", "technology_area": "SEMICONDUCTORS", "year_established": 2020,
           "utilisation": "@t@"}
    r = client.put("/v1/registry/labs/LAB-NAN", content=raw(lab, t=token),
                   headers={**any_service.auth("admin"), "content-type": "application/json"})
    assert_refused(r, "utilisation", "finite_number")


@pytest.mark.parametrize(("field", "value"), [
    ("title", "a\x00b"), ("agency", "Viện\x00 Mẫu"), ("summary", "x\x1b[31m"),
    ("shared_use_plan", "\x7f"), ("reference_code", "DX\x00"), ("title", "lone \ud800"),
])
def test_control_characters_in_proposal_texts_are_refused(client: TestClient,
                                                          any_service: DemoService,
                                                          field: str, value: str) -> None:
    body = json.dumps(proposal(**{field: value}))  # ASCII: a lone surrogate as its \u escape
    for path in ("/v1/prechecks", "/v1/screenings"):
        r = client.post(path, content=body, headers={**any_service.auth("agency_a"),
                                                     "content-type": "application/json"})
        assert_refused(r, field, "control_character")


def test_control_characters_in_nested_and_registry_texts_are_refused(
        client: TestClient, any_service: DemoService) -> None:
    body = proposal()
    body["equipment"] = [dict(body["equipment"][0], name="Máy\x00")]
    r = client.post("/v1/prechecks", json=body, headers=any_service.auth("reviewer"))
    assert_refused(r, "equipment.0.name", "control_character")
    admin = any_service.auth("admin")
    lab = {"lab_code": "LAB-NUL", "name": "Phòng\x00thử", "host": any_service.agency_a,
           "province": "Huế", "technology_area": "SEMICONDUCTORS", "year_established": 2020}
    assert_refused(client.put("/v1/registry/labs/LAB-NUL", json=lab, headers=admin), "name",
                   "control_character")
    program = {"program_code": "PRG-NUL", "title": "Chương trình", "managing_agency": "Viện\x00",
               "technology_area": "SEMICONDUCTORS", "start_year": 2020, "end_year": 2022}
    assert_refused(client.put("/v1/registry/programs/PRG-NUL", json=program, headers=admin),
                   "managing_agency", "control_character")
    r = client.post(f"/v1/screenings/{any_service.screening_ids[0]}/decision",
                    json={"decision": "revise", "rationale": "Lý do\x00"},
                    headers=any_service.auth("reviewer"))
    assert_refused(r, "rationale", "control_character")
    r = client.post("/v1/keys", json={"role": "auditor", "label": "a\x00"}, headers=admin)
    assert_refused(r, "label", "control_character")
    r = client.post("/v1/screenings", json=proposal(),
                    headers={**any_service.auth("agency_a"), "Idempotency-Key": "k\x01"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "idempotency-key"


@pytest.mark.parametrize(("path", "field"), [
    ("/v1/screenings/a%00b", "screening_id"),
    ("/v1/screenings/a%00b/report", "screening_id"),
    ("/v1/registry/labs/a%00b", "lab_code"),
    ("/v1/registry/programs/a%1Bb", "program_code"),
    ("/v1/batch/a%00b", "job_id"),
    ("/v1/screenings?agency=a%00b", "agency"),
    ("/v1/screenings?cycle=2026&agency=%00", "agency"),
    ("/v1/registry/labs?x%00=1", "query"),
])
def test_control_characters_in_paths_and_queries_are_refused(client: TestClient,
                                                             any_service: DemoService,
                                                             path: str, field: str) -> None:
    for role in ("agency_a", "reviewer"):
        assert_refused(client.get(path, headers=any_service.auth(role)), field,
                       "control_character")


@pytest.mark.parametrize("path", ["/ui/queue?agency=a%00b", "/ui/screenings/a%00b",
                                  "/ui/portfolio?cycle=%00", "/public/indicators?cycle=a%00"])
def test_pages_answer_422_pages_to_control_characters(client: TestClient,
                                                      any_service: DemoService,
                                                      path: str) -> None:
    r = client.post("/ui/login", data={"key": any_service.keys["reviewer"]})
    assert r.status_code == 303
    page = client.get(path)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    english = path + ("&" if "?" in path else "?") + "lang=en"
    assert "control character" in client.get(english).text


def _boom_route(app: FastAPI) -> None:
    """A route whose database statement fails on data that holds ``SECRET`` (the kind of
    failure a value slipping past validation used to cause: PostgreSQL quotes the refused
    JSON in its message, SQLAlchemy the parameters)."""
    def boom(session: SessionDep) -> None:
        session.execute(text("INSERT INTO audit_events (seq, actor) VALUES (:a, :b)"),
                        {"a": SECRET, "b": SECRET})

    app.add_api_route("/v1/test-boom", boom, methods=["GET"])


def test_an_unexpected_error_answers_json_with_a_request_id_and_logs_no_data(
        any_service: DemoService, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(any_service.settings)
    _boom_route(app)
    with TestClient(app) as c, caplog.at_level(logging.DEBUG):
        r = c.get("/v1/test-boom")
    assert r.status_code == 500
    err = r.json()["error"]
    assert err["code"] == "internal_error" and err["request_id"]
    assert r.headers["x-request-id"] == err["request_id"]
    assert err["request_id"] in caplog.text  # the operator finds the line by the id
    assert "IntegrityError" in caplog.text or "DataError" in caplog.text
    assert SECRET not in caplog.text and "INSERT" not in caplog.text
    assert SECRET not in r.text


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    ids = {client.get("/health").headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3
