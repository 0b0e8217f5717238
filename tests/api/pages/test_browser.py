"""The pages in a real headless Chromium: sign in, click from the queue to a report to a decision,
hostile text stays inert, every page at 1366 and 390 px (none scrolls sideways on the phone),
offline API docs, one badge style, and screenshots plus the PDF as PNG pages are
saved under ``tests/artifacts/`` for a person to look at.

Skipped, with the reason, when Chromium, chromedriver or Selenium is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.api.pages import browser
from tests.conftest import requires_pdf
from tests.demo_service import DemoService, for_cycle

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

REASON = browser.unavailable()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(REASON is not None, reason=REASON or "")]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
HARFBUZZ = "ignore:HarfBuzz-Subset will be required:DeprecationWarning"
PAYLOAD = ('<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
           '<b id="injected">x</b>')


def test_reviewer_clicks_from_queue_to_report_to_decision(driver: WebDriver, base_url: str,
                                                          service: DemoService) -> None:
    from selenium.webdriver.common.by import By

    browser.sign_in(driver, base_url, service.keys["reviewer"], f"/ui/queue?cycle={service.cycle}")
    cookie = driver.get_cookie("ws_session")
    assert cookie is not None and cookie["httpOnly"] and cookie.get("sameSite") == "Strict"
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    browser.screenshot(driver, ARTIFACTS / "pages_queue_1366.png", 1366)
    browser.screenshot(driver, ARTIFACTS / "pages_queue_390.png", 390)

    # the status filter, then the riskiest queued proposal
    from selenium.webdriver.support.select import Select

    Select(driver.find_element(By.NAME, "status")).select_by_value("queued")
    browser.click_and_wait(driver, driver.find_element(
        By.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert "status=queued" in driver.current_url
    first = driver.find_element(By.CSS_SELECTOR, "#queue tbody tr td.title a")
    title = first.text
    browser.click_and_wait(driver, first)
    assert "/ui/screenings/" in driver.current_url
    assert driver.find_element(By.CSS_SELECTOR, "h1").text == title
    browser.screenshot(driver, ARTIFACTS / "pages_report_vi_1366.png", 1366)
    browser.screenshot(driver, ARTIFACTS / "pages_report_vi_390.png", 390)

    browser.click_and_wait(driver, driver.find_element(By.ID, "lang-switch"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.screenshot(driver, ARTIFACTS / "pages_report_en_1366.png", 1366)
    browser.screenshot(driver, ARTIFACTS / "pages_report_en_390.png", 390)

    driver.find_element(By.ID, "d-reject").click()
    rationale = "Duplicates a same-province lab that is half idle; share it instead."
    driver.find_element(By.ID, "f-rationale").send_keys(rationale)
    browser.click_and_wait(driver, driver.find_element(By.ID, "decide-button"))
    assert driver.find_element(By.ID, "saved").is_displayed()
    decision = driver.find_element(By.ID, "decision").text
    assert "Reject" in decision and rationale in decision
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"

    browser.click_and_wait(driver, driver.find_element(By.ID, "lang-switch"))
    assert "Không chấp thuận" in driver.find_element(By.ID, "decision").text


def _at_phone_width(driver: WebDriver, url: str) -> tuple[int, int]:
    """Load ``url`` laid out as a 390 px phone; (document width, viewport width)."""
    cdp = driver.execute_cdp_cmd
    cdp("Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        driver.get(url)
        return browser.page_width(driver)
    finally:
        cdp("Emulation.clearDeviceMetricsOverride", {})


def test_every_page_at_1366_and_390_px(driver: WebDriver, base_url: str,
                                       service: DemoService, tmp_path: Path) -> None:
    """Each page as a reviewer, an agency and a visitor see it, at a laptop's and a phone's
    width (screenshots kept), and none scrolls sideways on the phone."""
    import pandas as pd
    from selenium.webdriver.common.by import By

    from wastescreen.domain.flat_format import proposal_to_flat

    sid = service.screening_ids[0]
    pages = {
        None: [("login", "/ui/login"), ("public", "/public/indicators"),
               ("public_en", "/public/indicators?lang=en"), ("flags", "/public/flags")],
        "reviewer": [("queue", f"/ui/queue?cycle={service.cycle}"),
                     ("report_vi", f"/ui/screenings/{sid}"),
                     ("report_en", f"/ui/screenings/{sid}?lang=en"),
                     ("portfolio", f"/ui/portfolio?cycle={service.cycle}"),
                     ("model_card", "/ui/model-card"), ("batch_reviewer", "/ui/batch"),
                     ("error_404", "/ui/no-such-page")],
        "agency_a": [("submit", "/ui/submit"), ("batch", "/ui/batch"),
                     ("queue_agency", "/ui/queue"), ("mine", "/ui/mine")],
    }
    wide: list[str] = []
    for who, items in pages.items():
        if who is None:
            driver.delete_all_cookies()
        else:
            browser.sign_in(driver, base_url, service.keys[who], items[0][1])
        for name, path in items:
            driver.get(base_url + path)
            assert driver.find_element(By.TAG_NAME, "main"), path
            browser.screenshot(driver, ARTIFACTS / f"page_{name}_1366.png", 1366)
            browser.screenshot(driver, ARTIFACTS / f"page_{name}_390.png", 390)
            scroll, view = _at_phone_width(driver, base_url + path)
            if scroll > view + 1:
                wide.append(f"{path}: {scroll}px wide in a {view}px phone")
    # the submission form with its errors and the batch page with its results, on the phone
    browser.sign_in(driver, base_url, service.keys["agency_a"], "/ui/submit")
    browser.click_and_wait(driver, driver.find_element(By.ID, "submit-button"))
    assert driver.find_element(By.ID, "form-errors").is_displayed()
    browser.screenshot(driver, ARTIFACTS / "page_submit_errors_390.png", 390)
    scroll, view = _width_now(driver)
    if scroll > view + 1:
        wide.append(f"/ui/submit with errors: {scroll}px wide")
    good = proposal_to_flat(for_cycle(service.spare[12], agency=service.agency_a))
    upload = tmp_path / "batch.csv"
    pd.DataFrame([good, dict(good, title="Dòng lỗi", trl_start=7, trl_target=3)]).to_csv(
        upload, index=False)
    driver.get(base_url + "/ui/batch")
    driver.find_element(By.ID, "f-file").send_keys(str(upload))
    browser.click_and_wait(driver, driver.find_element(By.ID, "batch-button"))
    browser.screenshot(driver, ARTIFACTS / "page_batch_results_390.png", 390)
    browser.screenshot(driver, ARTIFACTS / "page_batch_results_1366.png", 1366)
    scroll, view = _width_now(driver)
    if scroll > view + 1:
        wide.append(f"/ui/batch with results: {scroll}px wide")
    assert not wide, "pages scroll sideways at 390 px: " + "; ".join(wide)


def _width_now(driver: WebDriver) -> tuple[int, int]:
    """The current page's (document width, viewport width) laid out as a 390 px phone."""
    cdp = driver.execute_cdp_cmd
    cdp("Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        import time

        time.sleep(0.2)
        return browser.page_width(driver)
    finally:
        cdp("Emulation.clearDeviceMetricsOverride", {})


def test_one_badge_style_on_the_queue_and_in_the_report(driver: WebDriver, base_url: str,
                                                        service: DemoService) -> None:
    from selenium.webdriver.common.by import By

    browser.sign_in(driver, base_url, service.keys["reviewer"],
            f"/ui/queue?cycle={service.cycle}&band=high")
    style = "var s = getComputedStyle(arguments[0]); return [s.backgroundColor, s.color];"
    badge = driver.find_element(By.CSS_SELECTOR, "#queue .band-badge.band-high")
    in_queue = driver.execute_script(style, badge)
    driver.find_element(By.CSS_SELECTOR, "#queue td.title a").click()
    in_report = [driver.execute_script(style, b) for b in driver.find_elements(
        By.CSS_SELECTOR, ".report .band-badge.band-high")]
    assert in_report and all(s == in_queue for s in in_report)
    assert in_queue == ["rgb(140, 29, 24)", "rgb(255, 255, 255)"]


def test_api_docs_render_offline(driver: WebDriver, base_url: str) -> None:
    """Swagger UI from the installed package draws the operations (no network needed)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    driver.get(base_url + "/docs")
    WebDriverWait(driver, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock-summary"))
    assert len(driver.find_elements(By.CSS_SELECTOR, ".opblock-summary")) > 10
    assert "/v1/prechecks" in driver.find_element(By.TAG_NAME, "body").text
    browser.screenshot(driver, ARTIFACTS / "page_docs_1366.png", 1366)
    console: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
    refused = [e["message"] for e in console if "Content Security Policy" in e["message"]]
    assert not refused, refused


def test_injected_script_does_not_run(driver: WebDriver, base_url: str, service: DemoService,
                                      tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    agency = "Viện " + PAYLOAD
    key = service.add_agency_key(agency)
    data = for_cycle(service.spare[10], agency=agency).model_dump(mode="json")
    for name in ("title", "summary", "objectives", "shared_use_plan", "cofunding_sources"):
        data[name] = (PAYLOAD + " " + str(data[name]))[:500]
    data["researchers"] = [{"name": PAYLOAD, "role": PAYLOAD}]
    data["kpis"] = [{"metric": PAYLOAD, "unit": PAYLOAD}]
    upload = tmp_path / "hostile.json"
    upload.write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    browser.sign_in(driver, base_url, key, "/ui/submit")
    driver.find_element(By.ID, "f-proposal_file").send_keys(str(upload))
    browser.click_and_wait(driver, driver.find_element(By.ID, "submit-button"))
    assert "/ui/screenings/" in driver.current_url, driver.page_source[:2000]
    report_url = driver.current_url
    for url in (report_url, base_url + "/ui/queue", base_url + "/ui/portfolio",
                base_url + "/public/indicators"):
        driver.get(url)
        assert driver.execute_script("return window.__xss === undefined"), url
        assert driver.find_elements(By.ID, "injected") == [], url
        assert driver.execute_script("return document.querySelectorAll('img[src=\"x\"]').length"
                                     ) == 0, url
        assert "<script>window.__xss=1</script>" in driver.find_element(
            By.TAG_NAME, "body").text, url
    driver.get(report_url)
    assert driver.title.startswith("<script>window.__xss=1</script>")  # text, not markup
    browser.screenshot(driver, ARTIFACTS / "pages_hostile_report_1366.png", 1366)


def test_submission_errors_and_batch_upload_in_the_browser(
        driver: WebDriver, base_url: str, service: DemoService, tmp_path: Path) -> None:
    import pandas as pd
    from selenium.webdriver.common.by import By

    from wastescreen.domain.flat_format import proposal_to_flat

    browser.sign_in(driver, base_url, service.keys["agency_a"], "/ui/submit")
    driver.find_element(By.ID, "f-title").send_keys("Đề xuất thiếu trường")
    browser.click_and_wait(driver, driver.find_element(By.ID, "submit-button"))
    assert driver.find_element(By.ID, "form-errors").is_displayed()
    assert driver.find_elements(By.ID, "err-province")  # named at the field
    browser.screenshot(driver, ARTIFACTS / "pages_submit_errors_390.png", 390)

    good = proposal_to_flat(for_cycle(service.spare[11], agency=service.agency_a))
    bad = dict(good, title="Dòng lỗi", trl_start=7, trl_target=3)
    upload = tmp_path / "batch.csv"
    pd.DataFrame([good, bad]).to_csv(upload, index=False)
    driver.get(base_url + "/ui/batch")
    driver.find_element(By.ID, "f-file").send_keys(str(upload))
    browser.click_and_wait(driver, driver.find_element(By.ID, "batch-button"))
    assert driver.find_element(By.ID, "line-2").get_attribute("data-ok") == "yes"
    line3 = driver.find_element(By.ID, "line-3")
    error = line3.find_element(By.CSS_SELECTOR, "li.field-error")
    assert error.get_attribute("data-rule") == "trl_target_below_start"
    assert "TRL mục tiêu không được thấp hơn TRL ban đầu" in line3.text
    assert "trl_target_below_start" not in line3.text  # the rule's words, not its code
    browser.screenshot(driver, ARTIFACTS / "pages_batch_1366.png", 1366)


@requires_pdf
@pytest.mark.filterwarnings(HARFBUZZ)
def test_report_pdf_as_png_pages(base_url: str, service: DemoService) -> None:
    sid = service.screening_ids[0]
    for lang in ("vi", "en"):
        pdf = browser.fetch(f"{base_url}/ui/screenings/{sid}/report.pdf?lang={lang}",
                            service.keys["auditor"])
        assert pdf.startswith(b"%PDF")
        out = ARTIFACTS / f"pages_report_{lang}.pdf"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pdf)
        try:
            pngs = browser.pdf_to_pngs(out, ARTIFACTS / f"pages_report_pdf_{lang}")
        except FileNotFoundError as exc:
            pytest.skip(str(exc))
        assert len(pngs) >= 3
        # no near-empty page: every page but the last at least half filled; the last more
        # than a heading or the footer's id line alone (those fill 2-5 % of a page)
        filled = [_filled(png) for png in pngs]
        assert all(f >= 0.5 for f in filled[:-1]) and filled[-1] >= 0.08, (lang, filled)


def _filled(png: Path) -> float:
    """How far down a PDF page's body its content reaches (0–1), between the running header
    and the page number."""
    from PIL import Image

    with Image.open(png) as image:
        gray = image.convert("L")
    width, height = gray.size
    top, bottom = int(height * 0.06), int(height * 0.94)
    for y in range(bottom - 1, top, -1):
        darkest = gray.crop((0, y, width, y + 1)).getextrema()[0]
        if isinstance(darkest, (int, float)) and darkest < 200:
            return (y - top) / (bottom - top)
    return 0.0
