"""Errors on the pages are pages, in the page's language: a missing page (404), a wrong
method (405), an upload too large (413), a refused parameter (422), an unreadable batch file;
``GET /`` leads to the pages and ``/docs`` is served without any CDN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.pages.test_pages import Page, signed_in
from tests.demo_service import DemoService
from wastescreen.api.app import create_app
from wastescreen.api.pages.layout import PAGE_CSP


@pytest.fixture(scope="module")
def app(service: DemoService) -> Iterator[FastAPI]:
    application = create_app(service.settings)
    with TestClient(application):
        yield application


def _error_page(html: str) -> tuple[str, str, str]:
    """(lang, the page's error sentence, its detail) of an error page."""
    page = Page(html)
    lang = next(a.get("lang") for t, a in page.tags if t == "html")
    assert page.find("p", data_field="error"), html[:300]
    text = page.all_text
    return str(lang), text, html


def test_a_missing_page_is_a_page_in_the_pages_language(app: FastAPI,
                                                        service: DemoService) -> None:
    client = signed_in(app, service.keys["reviewer"])
    for path, lang, words in (("/ui/nothing-here", "vi", "Không tìm thấy trang"),
                              ("/ui/nothing-here?lang=en", "en", "This page or record was not"),
                              ("/public/nothing", "vi", "Không tìm thấy trang")):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert r.headers["content-security-policy"] == PAGE_CSP
        got_lang, text, _ = _error_page(r.text)
        assert got_lang == lang and words in text
    # still signed in on the error page: the reviewer's navigation is there
    assert "Hàng đợi thẩm tra" in Page(client.get("/ui/nothing-here").text).all_text
    r = client.get("/ui/screenings/no-such-id?lang=en")
    assert r.status_code == 404 and "No such screening" in Page(r.text).all_text


def test_a_wrong_method_and_a_bad_parameter_are_pages(app: FastAPI,
                                                      service: DemoService) -> None:
    client = signed_in(app, service.keys["reviewer"])
    r = client.get("/ui/logout")
    assert r.status_code == 405 and "không nhận cách gửi đó" in Page(r.text).all_text
    r = client.get("/ui/queue?agency=a%00b")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    text = Page(r.text).all_text
    assert "agency: chứa ký tự điều khiển" in text and "control_character" not in text


def test_an_upload_too_large_on_the_batch_page_is_a_page(service: DemoService) -> None:
    app = create_app(service.settings.model_copy(update={"max_body_bytes": 100_000}))
    with TestClient(app):
        client = signed_in(app, service.keys["agency_a"])
        big = b"title\n" + b"x" * 300_000
        for path, words in (("/ui/batch", "Tệp hoặc biểu mẫu gửi lên quá lớn"),
                            ("/ui/batch?lang=en", "The file or form sent is too large")):
            r = client.post(path, files={"file": ("big.csv", big, "text/csv")})
            assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
            text = Page(r.text).all_text
            assert words in text and "100" in text and "payload_too_large" not in text
        # the API answers the same refusal as JSON
        r = client.post("/v1/batch", files={"file": ("big.csv", big, "text/csv")},
                        headers=service.auth("agency_a"))
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_batch_page_errors_are_in_the_pages_language(app: FastAPI,
                                                     service: DemoService) -> None:
    client = signed_in(app, service.keys["agency_a"])
    ansi = "title,province\nPhát,Hà Nam\n".encode("cp1258")
    for lang, words in (("vi", "không ở mã UTF-8"), ("en", "is not UTF-8")):
        r = client.post("/ui/batch", data={"lang": lang},
                        files={"file": ("lô.csv", ansi, "text/csv")})
        assert r.status_code == 422
        text = Page(r.text).all_text
        assert words in text and "UnicodeDecodeError" not in text


def test_the_root_leads_to_the_pages(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/ui"
    assert client.get("/?lang=en").headers["location"] == "/ui?lang=en"
    followed = TestClient(app).get("/")
    assert followed.status_code == 200 and followed.url.path == "/ui/login"


def test_api_docs_are_served_from_the_installed_package(app: FastAPI) -> None:
    client = TestClient(app)
    r = client.get("/docs")
    assert r.status_code == 200
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    page = Page(r.text)
    scripts = [a["src"] for t, a in page.tags if t == "script"]
    assert scripts == ["/docs/static/swagger-ui-bundle.js", "/docs/start.js"]
    for src in [*scripts, "/docs/static/swagger-ui.css"]:
        got = client.get(str(src))
        assert got.status_code == 200 and len(got.content) > 100, src
    assert "/openapi.json" in client.get("/docs/start.js").text
    assert client.get("/redoc").status_code == 404  # ReDoc would need a CDN
