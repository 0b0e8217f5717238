"""Property-based walk of the OpenAPI schema (schemathesis): no 5xx, no response off-schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.core.result import Ok

from tests.demo_service import DemoService
from wastescreen.api.app import create_app

CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


@pytest.fixture(scope="module")
def live_app(service: DemoService) -> Iterator[FastAPI]:
    app = create_app(service.settings.model_copy(update={"rate_limit_per_minute": 100_000}))
    with TestClient(app):  # runs the lifespan: database, index and model are loaded
        yield app


@pytest.mark.parametrize("role", ["reviewer", "agency_a", "admin"])
def test_no_server_errors_and_responses_match_the_schema(live_app: FastAPI,
                                                         service: DemoService,
                                                         role: str) -> None:
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
