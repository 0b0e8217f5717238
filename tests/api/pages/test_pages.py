"""The reviewer's web pages over a real (small) service: sign-in, queue, report and decision,
submission form, batch upload, portfolio clusters, public indicators, and hostile text."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import requires_pdf
from tests.demo_service import DemoService, for_cycle
from wastescreen.api.app import create_app
from wastescreen.domain.flat_format import proposal_to_flat
from wastescreen.domain.proposal import Proposal
from wastescreen.storage.tables import ProposalRow, ScreeningRow

# WeasyPrint warns at import when HarfBuzz-Subset is missing: a machine matter (see test_report).
HARFBUZZ = "ignore:HarfBuzz-Subset will be required:DeprecationWarning"
PAYLOAD = ('<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
           '<b id="injected">x</b>')


@pytest.fixture(scope="module")
def app(service: DemoService) -> Iterator[FastAPI]:
    application = create_app(service.settings)
    with TestClient(application):  # runs the lifespan: database, engine, model
        yield application


def signed_in(app: FastAPI, key: str | None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    if key is not None:
        r = client.post("/ui/login", data={"key": key})
        assert r.status_code == 303, r.text[:500]
    return client


class Page(HTMLParser):
    """Tags, attributes and text of a page, to check structure and inertness."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag
                and all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())]

    @property
    def all_text(self) -> str:
        return " ".join(self.text)


def assert_inert(html: str) -> None:
    """No script, no event handler, no element made by the payload; the payload shows as text."""
    page = Page(html)
    assert not [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed")]
    assert not [(t, k) for t, a in page.tags for k in a if k.lower().startswith("on")]
    assert not page.find("b", id="injected")
    assert not [a for t, a in page.tags if t == "img" and a.get("src") == "x"]
    assert "<script>" not in html


def links(html: str, prefix: str) -> list[str]:
    return [str(a["href"]) for a in Page(html).find("a")
            if str(a.get("href", "")).startswith(prefix)]


def screening_id_of(location: str) -> str:
    return urlsplit(location).path.rsplit("/", 1)[-1]


# --- sign-in -------------------------------------------------------------------------------

def test_pages_need_sign_in_and_login_sets_the_cookie(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, None)
    r = client.get("/ui/queue?band=high")
    assert r.status_code == 303
    target = urlsplit(r.headers["location"])
    assert target.path == "/ui/login"
    assert parse_qs(target.query)["next"] == ["/ui/queue?band=high"]

    r = client.post("/ui/login", data={"key": "ws_not-a-key"})
    assert r.status_code == 401 and 'id="login-error"' in r.text
    assert "set-cookie" not in r.headers

    r = client.post("/ui/login", data={"key": service.keys["reviewer"],
                                       "next": "/ui/queue?band=high"})
    assert r.status_code == 303 and r.headers["location"] == "/ui/queue?band=high"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("ws_session=wss_")  # a session id, not the key
    assert service.keys["reviewer"] not in cookie
    low = cookie.lower()
    assert "httponly" in low and "samesite=strict" in low and "path=/" in low
    assert "secure" not in low
    assert client.get("/ui/queue").status_code == 200

    r = client.post("/ui/logout", data={"lang": "en"})
    assert r.status_code == 303 and r.headers["location"] == "/ui/login?lang=en"
    assert ('ws_session=""' in r.headers["set-cookie"]
            or "max-age=0" in r.headers["set-cookie"].lower())
    client.cookies.clear()
    assert client.get("/ui/queue").status_code == 303


def test_login_refuses_an_outside_redirect_target(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, None)
    for target in ("https://evil.example/", "//evil.example/ui", "/v1/screenings", "javascript:x"):
        r = client.post("/ui/login", data={"key": service.keys["auditor"], "next": target})
        assert r.headers["location"] == "/ui/queue", target


def test_cross_site_form_posts_are_refused(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["reviewer"])
    sid = service.screening_ids[-1]
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                    {"Sec-Fetch-Site": "cross-site"}):
        r = client.post(f"/ui/screenings/{sid}/decision", headers=headers,
                        data={"decision": "approve", "rationale": "x"})
        assert r.status_code == 403, headers
        r = client.post("/ui/login", headers=headers, data={"key": service.keys["reviewer"]})
        assert r.status_code == 403
    r = client.post("/ui/login", headers={"Origin": "http://testserver"},
                    data={"key": service.keys["reviewer"]})
    assert r.status_code == 303


def test_pages_send_a_strict_content_security_policy(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["reviewer"])
    for path in ("/ui/queue", f"/ui/screenings/{service.screening_ids[0]}", "/ui/portfolio",
                 "/public/indicators", "/ui/login"):
        r = client.get(path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp, path
        assert re.search(r'<html lang="vi">', r.text), path
        assert 'id="synthetic-banner"' in r.text, path


# --- queue, report, decision ---------------------------------------------------------------

def test_queue_is_sorted_by_risk_and_paginated(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["reviewer"])
    r = client.get(f"/ui/queue?cycle={service.cycle}")
    assert r.status_code == 200
    with service.db.sessions() as s:
        # Final band first, then the model's score, ties by id: written out here, not read
        # from the code under test. A version superseded by a revised one is not queued.
        rows = sorted(s.execute(select(ScreeningRow).where(
            ScreeningRow.kind == "submission", ScreeningRow.cycle == service.cycle,
            ScreeningRow.status != "revised")).scalars(),
            key=lambda r: (-{"high": 2, "medium": 1, "low": 0}[r.band], -r.overall_score, r.id))
        total = len(rows)
    shown = [screening_id_of(h) for h in links(r.text, "/ui/screenings/")]
    assert shown == [row.id for row in rows][:50]
    assert total > 50
    page2 = client.get(f"/ui/queue?cycle={service.cycle}&page=2")
    assert [screening_id_of(h) for h in links(page2.text, "/ui/screenings/")] == \
        [row.id for row in rows][50:100]
    assert 'rel="next"' in r.text and 'rel="prev"' in page2.text


def test_queue_filters(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["reviewer"])
    with service.db.sessions() as s:
        some = s.get(ScreeningRow, service.screening_ids[0])
        assert some is not None
        band, agency = some.band, some.agency
        province = str(some.result["province"])
        area = str(some.result["technology_area"])
    for param, value in (("band", band), ("agency", agency), ("province", province),
                         ("area", area)):
        r = client.get("/ui/queue", params={"cycle": service.cycle, param: value})
        ids = [screening_id_of(h) for h in links(r.text, "/ui/screenings/")]
        assert ids, param
        with service.db.sessions() as s:
            for sid in ids:
                row = s.get(ScreeningRow, sid)
                assert row is not None
                got = {"band": row.band, "agency": row.agency,
                       "province": row.result["province"],
                       "area": row.result["technology_area"]}[param]
                assert got == value, param
    high = client.get("/ui/queue", params={"cycle": service.cycle, "band": "high"})
    page = Page(high.text)
    assert {a.get("data-band") for a in page.find("tr") if a.get("data-band")} <= {"high"}
    # the band is written in words, with its colour class
    assert 'class="band-badge band-high">Cao</span>' in high.text or "Không có đề xuất" in high.text


def test_reviewer_goes_from_queue_to_report_to_decision(app: FastAPI,
                                                        service: DemoService) -> None:
    client = signed_in(app, service.keys["reviewer"])
    queue = client.get(f"/ui/queue?cycle={service.cycle}&status=queued&lang=en")
    href = links(queue.text, "/ui/screenings/")[0]
    assert href.endswith("?lang=en")
    report = client.get(href)
    assert report.status_code == 200
    assert '<html lang="en">' in report.text and "Record a decision" in report.text
    page = Page(report.text)
    assert page.find("form", method="post", action=urlsplit(href).path + "/decision")
    assert page.find("textarea", name="rationale")
    assert len(page.find("input", type="radio", name="decision")) == 3
    assert len(page.find("main")) == 1  # the report is embedded, not nested as a second <main>

    sid = screening_id_of(href)
    r = client.post(f"/ui/screenings/{sid}/decision",
                    data={"decision": "reject", "rationale": "  ", "lang": "en"})
    assert r.status_code == 422 and 'id="err-rationale"' in r.text

    rationale = "Duplicates an existing lab in the same province; ask for a shared-use plan."
    r = client.post(f"/ui/screenings/{sid}/decision",
                    data={"decision": "revise", "rationale": rationale, "lang": "en"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/ui/screenings/{sid}?saved=1&lang=en#decision"
    after = client.get(r.headers["location"].split("#")[0])
    assert 'id="saved"' in after.text and rationale in after.text
    assert "Ask for revision" in after.text

    vi = client.get(f"/ui/screenings/{sid}")
    assert '<html lang="vi">' in vi.text and "Yêu cầu chỉnh sửa" in vi.text
    assert rationale in vi.text and "Ghi nhận quyết định" in vi.text

    decided = client.get(f"/ui/queue?cycle={service.cycle}&status=decided")
    assert sid in " ".join(links(decided.text, "/ui/screenings/"))
    assert "Đã quyết định" in decided.text


@requires_pdf
@pytest.mark.filterwarnings(HARFBUZZ)
def test_report_pdf_for_the_cookie_user(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["auditor"])
    r = client.get(f"/ui/screenings/{service.screening_ids[1]}/report.pdf?lang=en")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_auditor_reads_but_cannot_decide(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["auditor"])
    sid = service.screening_ids[2]
    r = client.get(f"/ui/screenings/{sid}")
    assert r.status_code == 200 and 'id="decide"' not in r.text
    r = client.post(f"/ui/screenings/{sid}/decision",
                    data={"decision": "approve", "rationale": "fine"})
    assert r.status_code == 403
    assert signed_in(app, service.keys["admin"]).get("/ui/queue").status_code == 403


def test_agency_sees_only_its_own_and_cannot_decide(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["agency_a"])
    with service.db.sessions() as s:
        rows = [s.get(ScreeningRow, i) for i in service.screening_ids]
    own = next(r.id for r in rows if r is not None and r.agency == service.agency_a)
    other = next(r.id for r in rows if r is not None and r.agency != service.agency_a)
    assert client.get(f"/ui/screenings/{own}").status_code == 200
    r = client.get(f"/ui/screenings/{other}")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert client.get(f"/ui/screenings/{other}/report.pdf").status_code == 404
    assert client.post(f"/ui/screenings/{own}/decision",
                       data={"decision": "approve", "rationale": "mine"}).status_code == 403
    assert client.post(f"/ui/screenings/{other}/decision",
                       data={"decision": "approve", "rationale": "x"}).status_code == 403
    queue = client.get("/ui/queue", params={"cycle": service.cycle, "agency": service.agency_b})
    with service.db.sessions() as s:
        for sid in (screening_id_of(h) for h in links(queue.text, "/ui/screenings/")):
            row = s.get(ScreeningRow, sid)
            assert row is not None and row.agency == service.agency_a
    portfolio = client.get("/ui/portfolio")
    assert service.agency_b not in portfolio.text


# --- submission form -----------------------------------------------------------------------

LISTS = ("equipment", "kpis", "researchers")


def _form_of(p: Proposal) -> dict[str, str]:
    """The submission form as a person fills it: fields, and one row per list item."""
    flat = proposal_to_flat(p)
    form = {k: "" if v is None else str(v) for k, v in flat.items() if k not in LISTS}
    data = p.model_dump(mode="json")
    for name in LISTS:
        for i, item in enumerate(data[name]):
            form.update({f"{name}-{i}-{k}": "" if v is None else str(v) for k, v in item.items()})
    return form


def test_submission_form_names_the_failing_fields(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["agency_a"])
    form = client.get("/ui/submit")
    assert form.status_code == 200
    agency_input = Page(form.text).find("input", name="agency")[0]
    assert "readonly" in agency_input and agency_input["value"] == service.agency_a
    data = _form_of(for_cycle(service.spare[0], agency=service.agency_a))
    data.update({"title": "", "province": "Atlantis", "trl_target": "1", "trl_start": "5",
                 "kpis-0-metric": "", "kpis-0-target": "3",
                 "equipment-0-category": "NOT_A_CATEGORY"})
    r = client.post("/ui/submit", data=data)
    assert r.status_code == 422
    page = Page(r.text)
    errors = {str(a.get("data-field")) for a in page.find("p") if a.get("class") == "field-error"}
    assert {"title", "province", "trl_target"} <= errors
    # A row's mistake is named beside its cell.
    assert {"kpis-0-metric", "equipment-0-category"} <= errors
    assert page.find("div", id="err-province") and page.find("input", name="title")
    assert "unknown_province" in r.text and "trl_target_below_start" in r.text
    # what was typed is kept
    assert 'value="Atlantis"' not in r.text  # a select: the unknown value is not an option
    assert str(data["total_budget_vnd"]) in r.text


def test_rows_are_added_and_removed_without_script_and_blank_rows_left_out(
        app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["agency_a"])
    opened = Page(client.get("/ui/submit").text)
    assert opened.find("select", name="equipment-0-category")  # categories from the table
    assert not opened.find("textarea", name="equipment")  # no JSON to write
    p = for_cycle(service.spare[4], agency=service.agency_a, title="Đề xuất theo dòng")
    data = _form_of(p)
    n = len(p.equipment)
    added = client.post("/ui/submit", data={**data, "action": "add:equipment"})
    assert added.status_code == 200 and f'name="equipment-{n}-name"' in added.text
    assert f'value="{p.equipment[0].name}"' in added.text  # what was typed stays
    removed = client.post("/ui/submit", data={**data, "action": "remove:equipment:0"})
    names = [i.get("value") for i in Page(removed.text).find("input")
             if str(i.get("name", "")).endswith("-name") and
             str(i.get("name", "")).startswith("equipment-")]
    assert names == [e.name for e in p.equipment[1:]]
    # A blank row (as "add" leaves it) is not a proposal's item: the filing goes through.
    blank = {f"equipment-{n}-{f}": "" for f in ("name", "category", "quantity")}
    filed = client.post("/ui/submit", data={**data, **blank, "action": "send",
                                             "kind": "precheck"})
    assert filed.status_code == 303, filed.text[:1500]


def test_budget_mismatch_is_shown_at_the_budget(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["agency_a"])
    data = _form_of(for_cycle(service.spare[1], agency=service.agency_a))
    data["budget_equipment_vnd"] = str(int(data["budget_equipment_vnd"] or 0) + 10**12)
    r = client.post("/ui/submit", data=data)
    assert r.status_code == 422 and 'id="err-budget"' in r.text
    assert "budget_breakdown_mismatch" in r.text


def test_submission_form_files_and_shows_the_screening(app: FastAPI,
                                                       service: DemoService) -> None:
    client = signed_in(app, service.keys["agency_a"])
    p = for_cycle(service.spare[2], agency=service.agency_a, title="Đề xuất thử qua biểu mẫu")
    data = _form_of(p)
    data["total_budget_vnd"] = f"{p.total_budget_vnd:,}".replace(",", ".")  # 1.234.000 is fine
    r = client.post("/ui/submit", data={**data, "kind": "submission"})
    assert r.status_code == 303, r.text[:2000]
    page = client.get(r.headers["location"])
    assert "Đề xuất thử qua biểu mẫu" in page.text and 'id="precheck-note"' not in page.text
    # or as a JSON file, as a pre-check
    upload = json.dumps(p.model_dump(mode="json") | {"title": "Tệp JSON thử"}).encode()
    r = client.post("/ui/submit", data={"kind": "precheck"},
                    files={"proposal_file": ("p.json", upload, "application/json")})
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Tệp JSON thử" in page.text and 'id="precheck-note"' in page.text
    other = for_cycle(service.spare[3], agency=service.agency_b)
    r = client.post("/ui/submit", data=_form_of(other))
    assert r.status_code == 403 and 'data-field="agency"' in r.text


def test_only_agencies_use_the_submission_form(app: FastAPI, service: DemoService) -> None:
    assert signed_in(app, service.keys["reviewer"]).get("/ui/submit").status_code == 403


# --- batch ---------------------------------------------------------------------------------

def _batch_rows(service: DemoService) -> list[dict[str, Any]]:
    good = [proposal_to_flat(for_cycle(p, agency=service.agency_a)) for p in service.spare[4:6]]
    bad = dict(good[0])
    bad.update({"title": "Dòng lỗi", "province": "Atlantis"})
    return [good[0], bad, good[1]]


def test_batch_upload_screens_good_rows_and_names_bad_ones(app: FastAPI,
                                                           service: DemoService) -> None:
    client = signed_in(app, service.keys["agency_a"])
    rows = _batch_rows(service)
    csv_bytes = pd.DataFrame(rows).to_csv(index=False).encode("utf-8")
    r = client.post("/ui/batch", files={"file": ("batch.csv", csv_bytes, "text/csv")})
    assert r.status_code == 200, r.text[:1000]
    page = Page(r.text)
    assert [a.get("data-ok") for a in page.find("tr") if a.get("data-ok")] == ["yes", "no", "yes"]
    bad = [a for a in page.find("li") if a.get("data-field")]
    assert [(a["data-field"], a["data-rule"]) for a in bad] == [("province", "unknown_province")]
    assert 'id="line-3"' in r.text  # line 1 is the header
    opened = links(r.text, "/ui/screenings/")
    assert len(opened) == 2
    assert client.get(opened[0]).status_code == 200

    buf = io.BytesIO()
    pd.DataFrame(rows).to_excel(buf, index=False)
    r = client.post("/ui/batch", files={"file": ("batch.xlsx", buf.getvalue(),
                                                 "application/octet-stream")})
    assert r.status_code == 200
    assert [a.get("data-ok") for a in Page(r.text).find("tr") if a.get("data-ok")] == \
        ["yes", "no", "yes"]


def test_batch_refuses_unknown_files_and_other_agencies(app: FastAPI,
                                                        service: DemoService) -> None:
    client = signed_in(app, service.keys["agency_b"])
    r = client.post("/ui/batch", files={"file": ("x.txt", b"hello", "text/plain")})
    assert r.status_code == 422 and 'id="batch-error"' in r.text
    rows = _batch_rows(service)[:1]  # agency A's row, uploaded by agency B
    r = client.post("/ui/batch", files={"file": ("b.csv", pd.DataFrame(rows).to_csv(
        index=False).encode(), "text/csv")})
    assert 'data-rule="not_your_agency"' in r.text
    assert not links(r.text, "/ui/screenings/")


# --- portfolio and public indicators -------------------------------------------------------

def test_portfolio_shows_a_cluster_of_near_identical_proposals(app: FastAPI,
                                                               service: DemoService) -> None:
    base = service.spare[6]
    first = for_cycle(base, agency=service.agency_a,
                      title="Trung tâm dữ liệu gen lúa chịu mặn đồng bằng sông Cửu Long")
    second = for_cycle(base, agency=service.agency_b,
                       title="Trung tâm dữ liệu gen lúa chịu mặn vùng đồng bằng sông Cửu Long",
                       total_budget_vnd=base.total_budget_vnd,
                       summary=base.summary + " Bổ sung.")
    for key, p in ((service.keys["agency_a"], first), (service.keys["agency_b"], second)):
        r = signed_in(app, key).post("/ui/submit", data=_form_of(p))
        assert r.status_code == 303, r.text[:1500]
    page = signed_in(app, service.keys["reviewer"]).get(f"/ui/portfolio?cycle={service.cycle}")
    assert page.status_code == 200
    clusters = page.text.split('<article class="cluster">')[1:]
    hit = [c for c in clusters if first.title in c and second.title in c]
    assert hit, "the two near-identical proposals form a cluster"
    # The first one filed was screened before its copy existed: below high, its band says so
    # beside it; the copy, filed last, was compared with it.
    row_of = {title: next(r for r in hit[0].split("<tr>") if title in r)
              for title in (first.title, second.title)}
    first_high = "band-high" in row_of[first.title]
    assert ('data-field="filed-after"' in row_of[first.title]) != first_high
    assert first_high or "Sàng lọc trước khi 1 đề xuất của nhóm" in row_of[first.title]
    assert 'data-field="filed-after"' not in row_of[second.title]
    for section in ("by-agency", "by-level", "by-province", "by-area"):
        assert f'id="{section}"' in page.text
    en = signed_in(app, service.keys["reviewer"]).get(
        f"/ui/portfolio?cycle={service.cycle}&lang=en")
    assert "Clusters of overlapping proposals" in en.text and "VND" in en.text


def test_public_indicators_name_no_proposal(app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, None)
    r = client.get(f"/public/indicators?cycle={service.cycle}")
    assert r.status_code == 200
    assert service.agency_a in r.text
    text = r.text
    for title in service.titles:
        assert title not in text
    for sid in service.screening_ids:
        assert sid not in text
    csv_r = client.get(f"/public/indicators?cycle={service.cycle}&format=csv")
    assert csv_r.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(csv_r.text))
    assert list(frame.columns) == ["cycle", "agency", "proposals_screened", "high_risk",
                                   "high_risk_share", "decided", "overrides", "override_share"]
    assert frame["proposals_screened"].sum() >= len(service.screening_ids)
    for title in service.titles:
        assert title not in csv_r.text
    en = client.get(f"/public/indicators?cycle={service.cycle}&lang=en")
    assert '<html lang="en">' in en.text and "Proposals screened" in en.text


# --- hostile text --------------------------------------------------------------------------

def test_injected_markup_is_inert_on_every_page(app: FastAPI, service: DemoService) -> None:
    hostile_agency = "Viện " + PAYLOAD
    key = service.add_agency_key(hostile_agency)
    client = signed_in(app, key)
    p = for_cycle(service.spare[7], agency=hostile_agency)
    data = p.model_dump(mode="json")
    for name in ("title", "summary", "objectives", "cofunding_sources", "shared_use_plan",
                 "reference_code"):
        data[name] = (PAYLOAD + " " + str(data[name]))[:80 if name == "reference_code" else 500]
    data["equipment"] = [e | {"name": PAYLOAD, "specification": PAYLOAD}
                         for e in data["equipment"]]
    data["kpis"] = [k | {"metric": PAYLOAD, "unit": PAYLOAD} for k in data["kpis"]] or [
        {"metric": PAYLOAD, "unit": PAYLOAD}]
    data["researchers"] = [{"name": PAYLOAD, "role": PAYLOAD}]
    hostile = Proposal.model_validate(data)
    form = _form_of(hostile)
    r = client.post("/ui/submit", data=form)
    assert r.status_code == 303, r.text[:1500]
    sid = screening_id_of(r.headers["location"])
    bad_form = dict(form, province="Atlantis")  # the form shown back with every value
    pages = {
        "form with errors": client.post("/ui/submit", data=bad_form).text,
        "report as agency": client.get(f"/ui/screenings/{sid}").text,
        "queue as agency": client.get("/ui/queue").text,
        "portfolio as agency": client.get("/ui/portfolio").text,
        "batch": client.post("/ui/batch", files={"file": ("h.csv", pd.DataFrame(
            [proposal_to_flat(hostile), dict(proposal_to_flat(hostile), province="X")]
        ).to_csv(index=False).encode(), "text/csv")}).text,
    }
    reviewer = signed_in(app, service.keys["reviewer"])
    r = reviewer.post(f"/ui/screenings/{sid}/decision",
                      data={"decision": "reject", "rationale": PAYLOAD})
    assert r.status_code == 303
    pages |= {
        "report as reviewer (vi)": reviewer.get(f"/ui/screenings/{sid}").text,
        "report as reviewer (en)": reviewer.get(f"/ui/screenings/{sid}?lang=en").text,
        "queue as reviewer": reviewer.get("/ui/queue", params={"agency": hostile_agency}).text,
        "portfolio as reviewer": reviewer.get("/ui/portfolio").text,
        "public indicators": signed_in(app, None).get("/public/indicators").text,
    }
    for name, html in pages.items():
        assert_inert(html)
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html, name
    csv_text = signed_in(app, None).get("/public/indicators?format=csv").text
    # CSV is data, not markup (served as text/csv): the name comes back exactly
    assert hostile_agency in set(pd.read_csv(io.StringIO(csv_text))["agency"])


def test_huge_numbers_in_query_strings_are_ignored_not_500(app: FastAPI) -> None:
    with TestClient(app) as c:
        r = c.get("/public/indicators?cycle=99999999999999999999999")
        assert r.status_code == 200


def test_the_model_card_is_a_page_for_every_signed_in_role(app: FastAPI,
                                                          service: DemoService) -> None:
    for who in ("agency_a", "reviewer", "auditor", "admin"):
        page = signed_in(app, service.keys[who]).get("/ui/model-card?lang=en")
        assert page.status_code == 200, who
        assert service.model_version in page.text and "Synthetic (demo) data" in page.text
        assert "World Bank" in page.text and "ROC-AUC" in page.text
    anonymous = signed_in(app, None).get("/ui/model-card", follow_redirects=False)
    assert anonymous.status_code == 303 and "/ui/login" in anonymous.headers["location"]
    report = signed_in(app, service.keys["reviewer"]).get(
        f"/ui/screenings/{service.screening_ids[0]}")
    assert 'href="/ui/model-card"' in report.text  # the report links the page, not JSON


def test_the_report_shows_the_proposal_and_the_queue_its_reference_code(
        app: FastAPI, service: DemoService) -> None:
    client = signed_in(app, service.keys["reviewer"])
    with service.db.sessions() as s:
        row = s.get(ScreeningRow, service.screening_ids[0])
        assert row is not None
        stored = s.get(ProposalRow, row.proposal_id)
        assert stored is not None
        proposal = Proposal.model_validate(stored.payload)
    page = client.get(f"/ui/screenings/{row.id}?lang=en").text
    assert "The proposal" in page and proposal.objectives.split()[0] in page
    for item in proposal.equipment:
        assert item.name in page
    for kpi in proposal.kpis:
        assert kpi.metric in page
    assert ("not measurable" in page) == any(not k.is_measurable for k in proposal.kpis)
    if proposal.reference_code:
        # params: an agency's name may hold "&" ("Sở KH&CN ..."), which a plain URL would split
        queue = client.get("/ui/queue", params={"cycle": service.cycle,
                                                "agency": proposal.agency}).text
        assert proposal.reference_code in queue
