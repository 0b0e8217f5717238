"""Property-based walk of the OpenAPI schema (schemathesis) on SQLite and PostgreSQL: no 5xx,
no response off-schema; and, explicitly, every operation's path and query parameters with a NUL
and its JSON bodies with non-finite numbers and NULs, each refused with a 422 naming the field
(schemathesis's generated strings avoid NUL, and JSON has no NaN, so a walk alone would not try
them), and its file uploads with such cells, each row refused naming the field. A body of the
schema without hostile values here fails the test."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.core.result import Ok

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService
from wastescreen.api.app import create_app

CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[FastAPI, DemoService]]:
    """The app over the demo service on each backend (PostgreSQL skips with the reason)."""
    demo: DemoService = request.getfixturevalue(
        "service" if request.param == "sqlite" else "pg_service")
    # Not started here: schemathesis starts the app's lifespan (database, index, model) for
    # each walk and ends it after; a second lifespan started beside it would leave the first
    # one's engine to the garbage collector.
    yield create_app(demo.settings.model_copy(update={"rate_limit_per_minute": 100_000})), demo


@pytest.mark.parametrize("role", ["reviewer", "agency_a", "admin"])
def test_no_server_errors_and_responses_match_the_schema(backend: tuple[FastAPI, DemoService],
                                                         role: str) -> None:
    live_app, service = backend
    schema = schemathesis.openapi.from_asgi("/openapi.json", live_app)
    failures: list[str] = []
    for operation in schema.get_all_operations():
        assert isinstance(operation, Ok), operation  # the schema itself must load cleanly
        op = operation.ok()
        if op.path.startswith("/ui") or op.path.startswith("/public"):
            continue  # HTML pages are covered by their own tests
        if op.method.upper() == "DELETE":
            continue  # would revoke the shared session's own keys; tested in test_api

        @settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=service.auth(role), checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)


# --- the hostile values, explicitly --------------------------------------------------------

NUL = "a\x00b"
# Per JSON body schema: the role allowed to send it, a valid body, and the hostile variants as
# (raw JSON text, the field the 422 must name, the rule).
PROPOSAL = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
LAB = {"lab_code": "LAB-HOSTILE", "name": "Phòng thử", "host": AGENCY_A, "province": "Huế",
       "technology_area": "SEMICONDUCTORS", "year_established": 2020, "utilisation": 0.5}
PROGRAM = {"program_code": "PRG-HOSTILE", "title": "Chương trình thử", "managing_agency": AGENCY_A,
           "technology_area": "SEMICONDUCTORS", "start_year": 2020, "end_year": 2022}


def _with(body: dict[str, Any], path: str, token: str) -> str:
    """``body`` as JSON text with the value at dotted ``path`` replaced by the raw ``token``."""
    data = json.loads(json.dumps(body))
    *head, last = path.split(".")
    target: Any = data
    for part in head:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = "@@HOSTILE@@"
    return json.dumps(data).replace('"@@HOSTILE@@"', token)


def _kpi_body() -> dict[str, Any]:
    return dict(PROPOSAL, agency=AGENCY_A, kpis=[dict(PROPOSAL["kpis"][0])])


HOSTILE_BODIES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "Proposal": ("agency_a", [
        *[(_with(_kpi_body(), "kpis.0.target", t), "kpis.0.target", "finite_number")
          for t in ("NaN", "Infinity", "-Infinity", "1e999")],
        (_with(_kpi_body(), "title", json.dumps(NUL)), "title", "control_character"),
        (_with(_kpi_body(), "agency", json.dumps(NUL)), "agency", "control_character"),
        (_with(_kpi_body(), "equipment.0.name", json.dumps(NUL)), "equipment.0.name",
         "control_character")]),
    "Lab": ("admin", [(_with(LAB, "utilisation", "NaN"), "utilisation", "finite_number"),
                      (_with(LAB, "name", json.dumps(NUL)), "name", "control_character")]),
    "Program": ("admin", [(_with(PROGRAM, "title", json.dumps(NUL)), "title",
                           "control_character")]),
    "DecisionIn": ("reviewer", [(json.dumps({"decision": "revise", "rationale": NUL}),
                                 "rationale", "control_character")]),
    "KeyIn": ("admin", [(json.dumps({"role": "auditor", "label": NUL}), "label",
                         "control_character")]),
    "RevisionIn": ("agency_a", [
        *[(_with({"proposal": _kpi_body()}, "proposal.kpis.0.target", t),
           "proposal.kpis.0.target", "finite_number") for t in ("NaN", "1e999")],
        (_with({"proposal": _kpi_body()}, "proposal.title", json.dumps(NUL)), "proposal.title",
         "control_character"),
        (json.dumps({"proposal": _kpi_body(), "answers": [
            {"flag": "RF01", "justification": "Giai đoạn tiếp nối " + NUL}]}),
         "answers.0.justification", "control_character")]),
    "AgencyIn": ("admin", [(json.dumps({"name": NUL}), "name", "control_character")]),
}


BATCH_ROW = next(csv.DictReader(io.StringIO((EXAMPLES / "proposals_batch.csv").read_text("utf-8"))))


def _batch_csv(**changes: str) -> bytes:
    """The first row of the example batch file, with ``changes`` to its cells, as a CSV."""
    row = {**BATCH_ROW, **changes}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode("utf-8")


_KPIS = json.loads(BATCH_ROW["kpis"])
# Per multipart body schema (a file upload): the role, and the hostile files as (CSV bytes, the
# field its row error must name, the rule). The upload is accepted (202); the row is refused.
HOSTILE_FILES: dict[str, tuple[str, list[tuple[bytes, str, str]]]] = {
    "Body_submit_batch_v1_batch_post": ("reviewer", [
        *[(_batch_csv(kpis=json.dumps([{**_KPIS[0], "target": "@"}]).replace('"@"', t)),
           "kpis.0.target", "finite_number") for t in ("NaN", "Infinity", "1e999")],
        (_batch_csv(title=NUL), "title", "control_character"),
        (_batch_csv(agency=NUL), "agency", "control_character")]),
}


def _refused(r: Any, field: str, rule: str, what: str) -> str | None:
    if r.status_code != 422:
        return f"{what}: {r.status_code} {r.text[:200]}"
    err = r.json()["error"]
    if err["field"] != field or rule not in {d["rule"] for d in err["details"]}:
        return f"{what}: {err}"
    return None


def test_nul_and_non_finite_values_on_every_operation(backend: tuple[FastAPI, DemoService]
                                                      ) -> None:
    app, service = backend
    with TestClient(app) as client:  # runs the lifespan for this test, and ends it
        check_every_operation(app, client, service)


def check_every_operation(app: FastAPI, client: TestClient, service: DemoService) -> None:
    sid = service.screening_ids[0]
    problems: list[str] = []
    seen_bodies: set[str] = set()
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            params = op.get("parameters", [])
            valid_path = {p["name"]: ("1" if p["name"] == "key_id" else sid)
                          for p in params if p["in"] == "path"}
            headers = service.auth("reviewer" if method == "get" else "admin")
            for p in params:
                if p["in"] not in ("path", "query"):
                    continue
                values = dict(valid_path)
                url = path
                if p["in"] == "path":
                    values[p["name"]] = "a%00b"
                for name, value in values.items():
                    url = url.replace("{" + name + "}", value)
                if p["in"] == "query":
                    url += f"?{p['name']}=a%00b"
                r = client.request(method.upper(), url, headers=headers)
                problem = _refused(r, p["name"], "control_character", f"{method} {url}")
                if problem:
                    problems.append(problem)
            url = path
            for key, value in valid_path.items():
                url = url.replace("{" + key + "}", {"lab_code": "LAB-HOSTILE",
                                                    "program_code": "PRG-HOSTILE"}.get(key, value))
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                name = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                what = f"{method.upper()} {path} ({media} {name or 'inline schema'})"
                if media == "application/json" and name in HOSTILE_BODIES:
                    problems += _try_json(client, service, method, url, HOSTILE_BODIES[name])
                elif media == "multipart/form-data" and name in HOSTILE_FILES:
                    problems += _try_files(client, service, url, HOSTILE_FILES[name])
                else:  # a new body: give it hostile values above
                    problems.append(f"{what}: no hostile values for this body")
                    continue
                seen_bodies.add(name)
    # Every body of the API was tried (above), and every body listed here is still one.
    assert seen_bodies == set(HOSTILE_BODIES) | set(HOSTILE_FILES)
    assert not problems, "\n".join(problems)


def _try_json(client: TestClient, service: DemoService, method: str, url: str,
              body: tuple[str, list[tuple[str, str, str]]]) -> list[str]:
    role, variants = body
    problems = []
    for text, field, rule in variants:
        r = client.request(method.upper(), url, content=text.encode(), headers={
            **service.auth(role), "content-type": "application/json"})
        problem = _refused(r, field, rule, f"{method} {url} {field}")
        if problem:
            problems.append(problem)
    return problems


def _try_files(client: TestClient, service: DemoService, url: str,
               body: tuple[str, list[tuple[bytes, str, str]]]) -> list[str]:
    """Each hostile file uploaded: accepted, and its row refused naming the field and rule."""
    role, variants = body
    problems = []
    for data, field, rule in variants:
        r = client.post(url, files={"file": ("hostile.csv", data, "text/csv")},
                        headers=service.auth(role))
        if r.status_code != 202:
            problems.append(f"POST {url} {field}: {r.status_code} {r.text[:200]}")
            continue
        job = client.get(f"{url}/{r.json()['job_id']}", headers=service.auth(role)).json()
        rows = job["results"]
        if [row["status"] for row in rows] != ["invalid"] or \
                f"{field}: {rule}" not in rows[0]["errors"].split("; "):
            problems.append(f"POST {url} {field}: {rows}")
    return problems
