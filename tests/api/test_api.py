"""API v1 end to end on a real database and model: roles, isolation, idempotency, errors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, AGENCY_B, DemoService
from wastescreen.api.app import create_app
from wastescreen.core.reference import region_of
from wastescreen.storage.api_keys import Role, create_key
from wastescreen.storage.database import open_database
from wastescreen.storage.tables import AuditEventRow


def proposal(agency: str = AGENCY_A, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    data["agency"] = agency
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def client(service: DemoService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings)) as c:
        yield c


@pytest.fixture(scope="module")
def submitted(client: TestClient, service: DemoService) -> str:
    r = client.post("/v1/screenings", json=proposal(), headers=service.auth("agency_a"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_health_ready_metrics(client: TestClient, service: DemoService) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["model_version"] == service.model_version
    assert ready.json()["model_features_match"] is True
    assert "wastescreen_http_requests_total" in client.get("/metrics").text


def test_a_model_trained_with_other_feature_settings_is_recognised(client: TestClient) -> None:
    model = client.app.state.screener.engine.model  # type: ignore[attr-defined]
    saved = dict(model.bundle.training["feature_fingerprint"])
    try:
        model.bundle.training["feature_fingerprint"] = {**saved, "text_version": "0: older"}
        assert not model.features_match
        assert client.get("/ready").json()["model_features_match"] is False
    finally:
        model.bundle.training["feature_fingerprint"] = saved
    assert model.features_match


# --- who may call what: every route of the app, every role ---------------------------------

WHO = ("agency_a", "agency_b", "reviewer", "auditor", "admin", "no_key")
PUBLIC = dict.fromkeys(WHO, 200)
# Pages sign in with a session cookie, not a key: their roles are tested in tests/api/pages.
COOKIE_PAGES = "/ui"


def expect(no_key: int = 401, **allowed: int) -> dict[str, int]:
    """Status per caller: ``allowed`` roles as given, every other role 403."""
    assert set(allowed) <= set(WHO), allowed
    return {who: allowed.get(who, 403) for who in WHO[:-1]} | {"no_key": no_key}


@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the route's path as the app declares it
    url: str
    status: dict[str, int]
    json: Any = None
    files: dict[str, tuple[str, bytes, str]] | None = None


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route of ``app`` (its included routers' too), HEAD left out."""
    return {(method, ctx.path) for ctx in iter_route_contexts(app.routes)
            if ctx.path is not None for method in (ctx.methods or ()) if method != "HEAD"}


def test_role_matrix(client: TestClient, service: DemoService, submitted: str) -> None:
    admin, reviewer, agency = (service.auth(w) for w in ("admin", "reviewer", "agency_a"))
    lab = client.get("/v1/registry/labs?limit=1", headers=admin).json()[0]
    prog = client.get("/v1/registry/programs?limit=1", headers=admin).json()[0]
    report_id = client.get(f"/v1/screenings/{submitted}/issued", headers=reviewer).json()[0]["id"]
    # One screening of agency A is sent back (the decision below) and revised (after it).
    to_revise = client.post("/v1/screenings", json=proposal(title="Đề xuất của ma trận quyền"),
                            headers=agency).json()["id"]
    lines = (EXAMPLES / "proposals_batch.csv").read_bytes().splitlines()
    one_row = ("one.csv", b"\n".join([lines[0], lines[-1]]), "text/csv")  # invalid: no screening
    job = client.post("/v1/batch", files={"file": one_row}, headers=agency)
    assert job.status_code == 202, job.text
    key_id = client.post("/v1/keys", json={"role": "auditor", "label": "to revoke"},
                         headers=admin).json()["id"]
    sid, rid = f"/v1/screenings/{submitted}", f"/v1/screenings/{to_revise}"
    readers = {"agency_a": 200, "agency_b": 404, "reviewer": 200, "auditor": 200}
    checkers = {"reviewer": 200, "auditor": 200}
    everyone = dict.fromkeys(WHO[:-1], 200)
    calls = [
        Call("POST", "/v1/prechecks", "/v1/prechecks", expect(agency_a=201, reviewer=201),
             json=proposal()),
        Call("GET", "/v1/prechecks", "/v1/prechecks",
             expect(agency_a=200, agency_b=200, reviewer=200)),
        Call("POST", "/v1/screenings", "/v1/screenings", expect(agency_a=201),
             json=proposal(title="Một đề xuất khác")),
        Call("GET", "/v1/screenings", "/v1/screenings",
             expect(agency_a=200, agency_b=200, reviewer=200, auditor=200)),
        Call("GET", "/v1/screenings/{screening_id}", sid, expect(**readers)),
        Call("GET", "/v1/screenings/{screening_id}/report", sid + "/report", expect(**readers)),
        Call("GET", "/v1/screenings/{screening_id}/proposal", sid + "/proposal",
             expect(**readers)),
        Call("GET", "/v1/screenings/{screening_id}/reproduction", sid + "/reproduction",
             expect(**checkers)),
        Call("GET", "/v1/screenings/{screening_id}/issued", sid + "/issued", expect(**checkers)),
        Call("GET", "/v1/screenings/{screening_id}/issued/{report_id}",
             f"{sid}/issued/{report_id}", expect(**checkers)),
        Call("POST", "/v1/screenings/{screening_id}/decision", rid + "/decision",
             expect(reviewer=200),
             json={"decision": "revise", "rationale": "Cần làm rõ kế hoạch chia sẻ."}),
        Call("POST", "/v1/screenings/{screening_id}/revisions", rid + "/revisions",
             expect(agency_a=201, agency_b=404),
             json={"proposal": proposal(title="Đề xuất của ma trận quyền, bản sửa")}),
        Call("GET", "/v1/registry/labs", "/v1/registry/labs", expect(**everyone)),
        Call("GET", "/v1/registry/labs/{lab_code}", f"/v1/registry/labs/{lab['lab_code']}",
             expect(**everyone)),
        Call("PUT", "/v1/registry/labs/{lab_code}", f"/v1/registry/labs/{lab['lab_code']}",
             expect(admin=200), json=lab),
        Call("GET", "/v1/registry/programs", "/v1/registry/programs", expect(**everyone)),
        Call("GET", "/v1/registry/programs/{program_code}",
             f"/v1/registry/programs/{prog['program_code']}", expect(**everyone)),
        Call("PUT", "/v1/registry/programs/{program_code}",
             f"/v1/registry/programs/{prog['program_code']}", expect(admin=200), json=prog),
        Call("POST", "/v1/batch", "/v1/batch", expect(agency_a=202, agency_b=202, reviewer=202),
             files={"file": one_row}),
        Call("GET", "/v1/batch/{job_id}", f"/v1/batch/{job.json()['job_id']}",
             expect(agency_a=200, agency_b=404, reviewer=200, auditor=200)),
        Call("GET", "/v1/models/current", "/v1/models/current", expect(**everyone)),
        Call("GET", "/v1/audit", "/v1/audit", expect(auditor=200, admin=200)),
        Call("POST", "/v1/keys", "/v1/keys", expect(admin=201),
             json={"role": "auditor", "label": "matrix"}),
        Call("DELETE", "/v1/keys/{key_id}", f"/v1/keys/{key_id}", expect(admin=204)),
        Call("GET", "/v1/agencies", "/v1/agencies", expect(admin=200)),
        Call("POST", "/v1/agencies", "/v1/agencies", expect(admin=201),
             json={"name": "Sở Khoa học Ma trận Quyền"}),
        # Public: no key needed, and a key changes nothing.
        Call("GET", "/v1/flags", "/v1/flags", PUBLIC),
        Call("GET", "/public/flags", "/public/flags", PUBLIC),
        Call("GET", "/public/indicators", "/public/indicators", PUBLIC),
        Call("GET", "/health", "/health", PUBLIC),
        Call("GET", "/ready", "/ready", PUBLIC),
        Call("GET", "/metrics", "/metrics", PUBLIC),
        Call("GET", "/openapi.json", "/openapi.json", PUBLIC),
        Call("GET", "/docs", "/docs", PUBLIC),
        Call("GET", "/docs/start.js", "/docs/start.js", PUBLIC),
        Call("GET", "/", "/", dict.fromkeys(WHO, 303)),  # to the pages
    ]
    # Every route is in the matrix, and the matrix names no route the app does not have: a
    # new route fails here until its roles are written down.
    assert isinstance(client.app, FastAPI)
    routes = {r for r in app_routes(client.app) if not r[1].startswith(COOKIE_PAGES)}
    assert {(c.method, c.route) for c in calls} == routes
    assert len(calls) == len(routes)  # each route once

    wrong: list[str] = []
    for call in calls:
        for who in WHO:
            headers = {} if who == "no_key" else service.auth(who)
            r = client.request(call.method, call.url, json=call.json, files=call.files,
                               headers=headers, follow_redirects=False)
            want = call.status[who]
            code = {401: "unauthorized", 403: "forbidden", 404: "not_found"}.get(want)
            if r.status_code != want or (code and r.json()["error"]["code"] != code):
                wrong.append(f"{call.method} {call.url} as {who}: {r.status_code} "
                             f"(expected {want}) {r.text[:160]}")
    assert not wrong, "\n".join(wrong)


def test_agency_never_sees_another_agency(client: TestClient, service: DemoService,
                                          submitted: str) -> None:
    other = service.auth("agency_b")
    for path in (f"/v1/screenings/{submitted}", f"/v1/screenings/{submitted}/report"):
        r = client.get(path, headers=other)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    listed = client.get("/v1/screenings", headers=other).json()
    assert all(item["agency"] == AGENCY_B for item in listed["items"])
    assert client.get(f"/v1/screenings?agency={AGENCY_A}", headers=other).json()["total"] == 0
    own = client.get("/v1/screenings", headers=service.auth("agency_a")).json()
    assert submitted in {i["id"] for i in own["items"]}
    r = client.post("/v1/prechecks", json=proposal(), headers=other)
    assert r.status_code == 403 and r.json()["error"]["field"] == "agency"
    # Nor its pre-checks, nor the proposal as filed.
    pre = client.post("/v1/prechecks", json=proposal(title="Kiểm tra trước của cơ quan A"),
                      headers=service.auth("agency_a")).json()["id"]
    theirs = client.get("/v1/prechecks?limit=200", headers=other).json()["items"]
    assert pre not in {i["id"] for i in theirs}
    assert all(i["agency"] == AGENCY_B for i in theirs)
    ours = client.get("/v1/prechecks?limit=200", headers=service.auth("agency_a")).json()
    assert pre in {i["id"] for i in ours["items"]}
    for sid in (submitted, pre):
        r = client.get(f"/v1/screenings/{sid}/proposal", headers=other)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_idempotent_retry(client: TestClient, service: DemoService) -> None:
    headers = {**service.auth("agency_a"), "Idempotency-Key": "retry-1"}
    body = proposal(title="Đề xuất gửi lại")
    first = client.post("/v1/screenings", json=body, headers=headers)
    again = client.post("/v1/screenings", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    total = client.get("/v1/screenings", headers=service.auth("reviewer")).json()["items"]
    assert sum(1 for i in total if i["title"] == "Đề xuất gửi lại") == 1
    clash = client.post("/v1/screenings", json=proposal(title="Khác"), headers=headers)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "idempotency_conflict"


def test_same_input_gives_the_same_result(client: TestClient, service: DemoService) -> None:
    h = service.auth("agency_a")
    a = client.post("/v1/prechecks", json=proposal(), headers=h).json()["result"]
    b = client.post("/v1/prechecks", json=proposal(), headers=h).json()["result"]
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a["model_trained_on_synthetic_data"] is True
    assert len(a["what_if"]) <= 3 and all(w["delta"] < 0 for w in a["what_if"])
    assert a["reasons"] and a["evidence"]


def test_queue_is_sorted_by_risk_and_filters(client: TestClient, service: DemoService
                                             ) -> None:
    h = service.auth("agency_a")
    for om in (0, 9_000_000_000):
        client.post("/v1/screenings", json=proposal(om_budget_vnd_per_year=om, shared_use_plan="",
                                                    title=f"Hàng đợi {om}"), headers=h)
    page = client.get("/v1/screenings?cycle=2026&limit=200",
                      headers=service.auth("reviewer")).json()
    # The final band first (a band raised by a red flag sits with its band), then the score.
    rank = {"high": 2, "medium": 1, "low": 0}
    order = [(rank[i["band"]], i["overall_score"]) for i in page["items"]]
    assert order == sorted(order, reverse=True) and page["total"] >= 2
    band = page["items"][0]["band"]
    only = client.get(f"/v1/screenings?band={band}", headers=service.auth("reviewer")).json()
    assert only["items"] and {i["band"] for i in only["items"]} == {band}


def test_decision_against_band_is_an_override(client: TestClient, service: DemoService
                                              ) -> None:
    h = service.auth("agency_a")
    body = proposal(title="Quyết định", om_budget_vnd_per_year=0, shared_use_plan="")
    sid = client.post("/v1/screenings", json=body, headers=h).json()["id"]
    band = client.get(f"/v1/screenings/{sid}", headers=h).json()["result"]["band"]
    decision = "approve" if band == "high" else "reject" if band == "low" else "revise"
    r = client.post(f"/v1/screenings/{sid}/decision", headers=service.auth("reviewer"),
                    json={"decision": decision, "rationale": "Lý do"})
    assert r.status_code == 200
    assert r.json()["decision"]["override"] is (band != "medium")
    blank = client.post(f"/v1/screenings/{sid}/decision", headers=service.auth("reviewer"),
                        json={"decision": "approve", "rationale": "   "})
    assert blank.status_code == 422 and blank.json()["error"]["field"] == "rationale"


@pytest.mark.parametrize(("body", "field", "rule"), [
    (proposal(extra_field=1), "extra_field", "extra_forbidden"),
    (proposal(trl_target=1), "trl_target", "trl_target_below_start"),
    (proposal(province="Atlantis"), "province", "unknown_province"),
    ({**proposal(), "budget": {"equipment_vnd": 1}}, "budget", "budget_breakdown_mismatch"),
])
def test_bad_input_names_field_and_rule(client: TestClient, service: DemoService,
                                        body: dict[str, Any], field: str, rule: str) -> None:
    r = client.post("/v1/prechecks", json=body, headers=service.auth("agency_a"))
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "validation_error" and err["field"] == field
    assert err["details"][0]["rule"] == rule


def test_oversized_and_malformed_bodies(client: TestClient, service: DemoService) -> None:
    h = {**service.auth("agency_a"), "content-type": "application/json"}
    big = client.post("/v1/prechecks", content=b" " * 1_100_000, headers=h)
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"
    broken = client.post("/v1/prechecks", content=b"{not json", headers=h)
    assert broken.status_code == 422


def test_rate_limit_answers_429_with_retry_after(tmp_path: Any,
                                                 service: DemoService) -> None:
    from tests.api.pages.test_sessions import fresh_window

    settings = service.settings.model_copy(update={"rate_limit_per_minute": 3})
    fresh_window()
    with service.db.sessions() as s:  # a fresh key: the counters are kept in the database
        key, _ = create_key(s, Role.AUDITOR, label="rate limit")
    with TestClient(create_app(settings)) as c:
        codes = [c.get("/v1/registry/labs?limit=1", headers={"Authorization": f"Bearer {key}"})
                 for _ in range(5)]
    assert [r.status_code for r in codes[:3]] == [200, 200, 200]
    assert codes[4].status_code == 429 and int(codes[4].headers["Retry-After"]) >= 1


def test_registry_write_reaches_the_live_index(client: TestClient, service: DemoService
                                               ) -> None:
    lab = {"lab_code": "LAB-NEW-API", "name": "Phòng thí nghiệm vi mạch thử nghiệm API",
           "host": "Viện Minh họa", "province": "Hà Nội", "technology_area": "SEMICONDUCTORS",
           "year_established": 2020, "utilisation": 0.1, "open_for_shared_use": False,
           "equipment": [{"name": "SEM", "category": "ELECTRON_MICROSCOPE", "quantity": 1},
                         {"name": "PECVD", "category": "DEPOSITION", "quantity": 1},
                         {"name": "XRD", "category": "XRAY_DIFFRACTOMETER", "quantity": 1}]}
    engine = client.app.state.screener.engine  # type: ignore[attr-defined]
    region = region_of("Hà Nội")
    before = len(engine.context.regional_labs.masks_.get(region, ()))  # builds the cache
    r = client.put("/v1/registry/labs/LAB-NEW-API", json=lab, headers=service.auth("admin"))
    assert r.status_code == 200
    result = client.post("/v1/prechecks", json=proposal(),
                         headers=service.auth("agency_a")).json()["result"]
    assert "LAB-NEW-API" in {e["code"] for e in result["evidence"] if e["kind"] == "lab"}
    assert result["registry_snapshot"] >= 2
    # The regional-equipment table was rebuilt with the new lab, not served from the old cache.
    assert len(engine.context.regional_labs.masks_[region]) == before + 1


def test_audit_paging_refuses_numbers_beyond_the_column(client: TestClient,
                                                       service: DemoService) -> None:
    # Found by the schemathesis walk: a 21-digit after_seq reached the database and gave a 500.
    r = client.get("/v1/audit?after_seq=99999999999999999999", headers=service.auth("auditor"))
    assert r.status_code == 422, r.text
    assert "after_seq" in r.text


def test_audit_trail_is_readable_and_detects_tampering(client: TestClient,
                                                       service: DemoService) -> None:
    page = client.get("/v1/audit?limit=1000", headers=service.auth("auditor")).json()
    assert page["chain_intact"] is True
    actions = {e["action"] for e in page["items"]}
    assert {"submission.screened", "precheck.screened", "decision.recorded", "key.create",
            "model.train", "model.promote", "registry.lab.upsert"} <= actions
    victim = page["items"][len(page["items"]) // 2]["seq"]
    db = open_database(service.settings, migrate=False)
    with db.sessions() as s:
        s.execute(update(AuditEventRow).where(AuditEventRow.seq == victim)
                  .values(actor="someone-else"))
        s.commit()
    broken = client.get("/v1/audit", headers=service.auth("auditor")).json()
    assert broken["chain_intact"] is False
    # Vietnamese by default, English when asked; both name the event and what broke.
    assert broken["problems"][0].startswith(f"sự kiện {victim}:")
    assert "đã bị sửa" in broken["problems"][0]
    english = client.get("/v1/audit", headers={**service.auth("auditor"),
                                               "Accept-Language": "en"}).json()
    assert english["problems"][0] == f"event {victim}: content does not match its hash (edited)"
    with db.sessions() as s:  # put it back for the other tests of the session
        original = next(e for e in page["items"] if e["seq"] == victim)["actor"]
        s.execute(update(AuditEventRow).where(AuditEventRow.seq == victim)
                  .values(actor=original))
        s.commit()
    db.dispose()


def test_batch_job_screens_good_rows_and_lists_bad_ones(client: TestClient,
                                                        service: DemoService) -> None:
    content = (EXAMPLES / "proposals_batch.csv").read_bytes()
    r = client.post("/v1/batch", files={"file": ("batch.csv", content, "text/csv")},
                    headers=service.auth("reviewer"))
    assert r.status_code == 202, r.text
    assert (r.json()["rows_total"], r.json()["invalid_rows"]) == (4, 1)
    job = client.get(f"/v1/batch/{r.json()['job_id']}", headers=service.auth("reviewer"))
    body = job.json()  # TestClient runs background tasks before returning the response
    assert body["status"] == "done"
    assert [row["status"] for row in body["results"]] == ["screened"] * 3 + ["invalid"]
    assert body["errors"][0]["row"] == 5 and "province: unknown_province" in body["errors"][0][
        "errors"]
    as_csv = client.get(f"/v1/batch/{r.json()['job_id']}?format=csv",
                        headers=service.auth("reviewer")).text
    assert as_csv.splitlines()[0].startswith("row,status,")
    # An agency key: the rows of other agencies become row errors; others cannot read the job.
    mine = client.post("/v1/batch", files={"file": ("b.csv", content, "text/csv")},
                       headers=service.auth("agency_a")).json()
    assert mine["invalid_rows"] == 3
    hidden = client.get(f"/v1/batch/{mine['job_id']}", headers=service.auth("agency_b"))
    assert hidden.status_code == 404
    bad = client.post("/v1/batch", files={"file": ("x.txt", b"hello", "text/plain")},
                      headers=service.auth("reviewer"))
    assert bad.status_code == 415 and bad.json()["error"]["field"] == "file"


def test_key_revocation(client: TestClient, service: DemoService) -> None:
    admin = service.auth("admin")
    created = client.post("/v1/keys", json={"role": "agency", "agency": AGENCY_B},
                          headers=admin).json()
    new = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/v1/screenings", headers=new).status_code == 200
    assert client.delete(f"/v1/keys/{created['id']}", headers=admin).status_code == 204
    assert client.get("/v1/screenings", headers=new).status_code == 401
    assert client.delete(f"/v1/keys/{created['id']}", headers=admin).status_code == 404
    huge = client.delete(f"/v1/keys/{2**70}", headers=admin)
    assert huge.status_code == 422 and huge.json()["error"]["field"] == "key_id"
    bad = client.post("/v1/keys", json={"role": "agency"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "agency"


def test_backdating_does_not_hide_what_exists_today(client: TestClient,
                                                    service: DemoService) -> None:
    h = service.auth("agency_a")
    now = client.post("/v1/prechecks", json=proposal(), headers=h).json()["result"]
    old = client.post("/v1/prechecks", json=proposal(cycle=2001, submitted_on="2000-01-01",
                                                     start_date="2001-01-01",
                                                     end_date="2003-06-30"),
                      headers=h).json()["result"]
    for f in ("sim_lab_best", "sim_program_best", "underused_capacity_nearby",
              "equipment_in_region_share", "agency_past_projects"):
        assert old["features"][f] == now["features"][f], f
    assert old["as_of"] == now["as_of"] and now["as_of"] >= "2026-01-01"


def test_agencies_do_not_see_other_agencies_proposals_in_evidence(
        client: TestClient, service: DemoService) -> None:
    twin = proposal(AGENCY_B, title="Phòng thí nghiệm bán dẫn song sinh",
                    province="Hồ Chí Minh")
    r = client.post("/v1/screenings", json=twin, headers=service.auth("agency_b"))
    assert r.status_code == 201
    mine = client.post("/v1/prechecks", json=proposal(title="Phòng thí nghiệm bán dẫn song sinh"),
                       headers=service.auth("agency_a")).json()
    peers = [e for e in mine["result"]["evidence"] if e["kind"] == "proposal"]
    assert peers, "the twin should be found"
    assert all(e["host"] in ("", AGENCY_A) for e in peers)
    assert "Phòng thí nghiệm bán dẫn song sinh" not in {e["name"] for e in peers
                                                       if e["host"] != AGENCY_A}
    # A reviewer reading the same screening sees the other agency's proposal in full.
    full = client.get(f"/v1/screenings/{mine['id']}", headers=service.auth("reviewer"))
    assert AGENCY_B in {e["host"] for e in full.json()["result"]["evidence"]}


def test_chunked_oversized_body_is_413(client: TestClient, service: DemoService) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(12):
            yield b" " * 100_000

    r = client.post("/v1/prechecks", content=chunks(),
                    headers={**service.auth("agency_a"), "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_broken_spreadsheet_and_formula_cells(client: TestClient, service: DemoService
                                              ) -> None:
    bad = client.post("/v1/batch", files={"file": ("x.xlsx", b"not a zip", "application/zip")},
                      headers=service.auth("reviewer"))
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "file"
    lines = (EXAMPLES / "proposals_batch.csv").read_text("utf-8").splitlines()
    evil = lines[1].replace("DX-2026-HN-014", "=HYPERLINK(1)", 1)
    job = client.post("/v1/batch", files={"file": ("b.csv", "\n".join([lines[0], evil]),
                                                    "text/csv")},
                      headers=service.auth("reviewer")).json()
    text = client.get(f"/v1/batch/{job['job_id']}?format=csv",
                      headers=service.auth("reviewer")).text
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_a_second_worker_catches_up_with_the_first(service: DemoService) -> None:
    """Two app instances over one database stand for two uvicorn workers."""
    twin_title = "Trung tâm dữ liệu lượng tử dùng chung thí điểm tại Huế"
    body = proposal(AGENCY_B, title=twin_title, province="Huế",
                    objectives="Trọng tâm là nền tảng tính toán lượng tử dùng chung tại Huế.")
    with TestClient(create_app(service.settings)) as one, \
            TestClient(create_app(service.settings)) as two:
        assert one.post("/v1/screenings", json=body,
                        headers=service.auth("agency_b")).status_code == 201
        seen = two.post("/v1/prechecks", json=proposal(title=twin_title, province="Huế",
                                                       objectives=body["objectives"]),
                        headers=service.auth("reviewer")).json()["result"]
        assert twin_title in {e["name"] for e in seen["evidence"] if e["kind"] == "proposal"}
        lab = {"lab_code": "LAB-WORKER-ONE", "name": "Phòng thí nghiệm lượng tử Huế",
               "host": "Viện Minh họa", "province": "Huế", "technology_area":
               "CLOUD_QUANTUM_DATA", "year_established": 2021, "utilisation": 0.2,
               "equipment": [{"name": "QPU", "category": "QUANTUM_DEVICE", "quantity": 1}]}
        assert one.put("/v1/registry/labs/LAB-WORKER-ONE", json=lab,
                       headers=service.auth("admin")).status_code == 200
        after = two.post("/v1/prechecks", json=proposal(
            title="Phòng thí nghiệm lượng tử Huế", province="Huế",
            technology_area="CLOUD_QUANTUM_DATA"), headers=service.auth("reviewer")).json()
        assert "LAB-WORKER-ONE" in {e["code"] for e in after["result"]["evidence"]}


def test_the_flag_catalogue_is_public(client: TestClient) -> None:
    body = client.get("/v1/flags").json()  # no key: agencies read the rules before they file
    assert body["version"] and len(body["flags"]) >= 8
    rf01 = next(f for f in body["flags"] if f["id"] == "RF01")
    assert rf01["severity"] == "high" and rf01["basis_en"] and rf01["rule"]
    page = client.get("/public/flags?lang=en")
    assert page.status_code == 200 and "RF01" in page.text and body["version"] in page.text


def test_every_screening_lists_every_flag_and_its_final_band(client: TestClient,
                                                            service: DemoService) -> None:
    out = client.post("/v1/prechecks", json=proposal(om_budget_vnd_per_year=0),
                      headers=service.auth("agency_a")).json()["result"]
    statuses = {f["id"]: f["status"] for f in out["flags"]}
    assert len(statuses) == len(client.get("/v1/flags").json()["flags"])
    assert statuses["RF06"] == "fired"  # 65 % equipment and no O&M budget
    assert out["band"] in ("medium", "high") and out["model_band"] in ("low", "medium", "high")
    assert out["flag_catalogue_version"] == client.get("/v1/flags").json()["version"]


def test_the_model_card_says_which_parts_rest_on_real_data(client: TestClient,
                                                          service: DemoService) -> None:
    card = client.get("/v1/models/current", headers=service.auth("auditor")).json()
    sources = card["evidence_sources"]
    assert "synthetic" in sources["risk_scores"]  # the test service trains on the demo data
    assert sources["red_flags"]["catalogue_version"] == client.get("/v1/flags").json()["version"]
    assert "World Bank" in sources["duplicate_likelihood"]["what"]
    assert sources["duplicate_likelihood"]["data"]  # the real files it was fitted on (hashes)


def test_the_filed_proposal_and_its_reproduction(client: TestClient, service: DemoService,
                                                 submitted: str) -> None:
    body = client.get(f"/v1/screenings/{submitted}/proposal",
                      headers=service.auth("agency_a")).json()
    stored = client.get(f"/v1/screenings/{submitted}", headers=service.auth("auditor")).json()
    # Anyone can recompute the input hash: SHA-256 of the canonical JSON (sorted keys, no
    # spaces, UTF-8 kept) of the proposal as filed.
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == \
        stored["result"]["input_hash"]
    assert client.get(f"/v1/screenings/{submitted}/proposal",
                      headers=service.auth("agency_b")).status_code == 404
    done = client.get(f"/v1/screenings/{submitted}/reproduction",
                      headers=service.auth("auditor"))
    assert done.status_code == 200 and done.json()["identical"] is True, done.text[:600]
    assert client.get(f"/v1/screenings/{submitted}/reproduction",
                      headers=service.auth("agency_a")).status_code == 403
