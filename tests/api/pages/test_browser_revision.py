"""The revision loop walked in a real headless Chromium: a reviewer sends a proposal back, its
agency finds the notes on its own page, answers the red flag, fixes a too-short answer, changes
the proposal and files the revised version; the reviewer reads what changed, the answers and
how the score moved. Each page fits a 390 px phone; screenshots go to ``tests/artifacts/``.

Skipped, with the reason, when Chromium, chromedriver or Selenium is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from tests.api.filing import copy_of_ongoing_program, reviewer_key
from tests.api.pages import browser
from tests.demo_service import DemoService
from wastescreen.api.app import create_app

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

pytestmark = pytest.mark.skipif(browser.unavailable() is not None,
                                reason=browser.unavailable() or "")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
NOTES = "Nêu rõ phần khác với chương trình đang thực hiện và giảm kinh phí nhân lực."
ANSWER = "Tiếp nối chương trình đã nghiệm thu năm 2024 theo Quyết định 88/QĐ-UBND"


def _fits_a_phone(driver: WebDriver, name: str) -> None:
    """Screenshots at 1366 and 390 px, and nothing wider than the phone."""
    browser.screenshot(driver, ARTIFACTS / f"revision_{name}_1366.png", 1366)
    browser.screenshot(driver, ARTIFACTS / f"revision_{name}_390.png", 390)
    cdp = driver.execute_cdp_cmd
    cdp("Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        driver.refresh()
        scroll, view = browser.page_width(driver)
    finally:
        cdp("Emulation.clearDeviceMetricsOverride", {})
    assert scroll <= view + 1, f"{name}: {scroll}px wide in a {view}px phone"


def test_the_revision_loop_in_the_browser(driver: WebDriver, base_url: str,
                                          service: DemoService) -> None:
    from selenium.webdriver.common.by import By

    with TestClient(create_app(service.settings)) as api:
        reviewer = reviewer_key(api, service, "Ngô Thị Trả Lại")
        body = copy_of_ongoing_program(service, "(trình duyệt sửa đổi)")
        filed = api.post("/v1/screenings", json=body, headers=service.auth("agency_a")).json()
        sid = filed["id"]
        assert api.post(f"/v1/screenings/{sid}/decision", headers=reviewer, json={
            "decision": "revise", "rationale": NOTES}).status_code == 200
    assert "RF01" in {f["id"] for f in filed["result"]["flags"] if f["status"] == "fired"}

    # the agency's own page: the proposal sent back, with a button to revise it
    browser.sign_in(driver, base_url, service.keys["agency_a"], "/ui/mine")
    row = driver.find_element(By.XPATH, f"//table[@id='mine-filed']//a[@href='/ui/screenings/"
                                        f"{sid}']/ancestor::tr")
    assert "Trả lại để sửa đổi" in row.find_element(By.CSS_SELECTOR,
                                                     "[data-field=status]").text
    _fits_a_phone(driver, "mine")
    driver.get(f"{base_url}/ui/screenings/{sid}")
    assert NOTES in driver.find_element(By.ID, "sent-back").text
    browser.click_and_wait(driver, driver.find_element(By.ID, "revise-link"))
    assert NOTES in driver.find_element(By.ID, "sent-back-notes").text
    assert driver.find_element(By.ID, "f-title").get_attribute("value") == body["title"]
    _fits_a_phone(driver, "form")

    # a too-short answer is refused beside its flag, the rest of the form kept
    driver.find_element(By.ID, "f-answer-RF01").send_keys("ngắn")
    title = driver.find_element(By.ID, "f-title")
    title.clear()
    title.send_keys(body["title"] + " — giai đoạn tiếp nối")
    browser.click_and_wait(driver, driver.find_element(By.ID, "submit-button"))
    error = driver.find_element(By.CSS_SELECTOR, "[data-field='answer-RF01']")
    assert error.text == "Quá ngắn."
    assert (driver.find_element(By.ID, "f-title").get_attribute("value") or "").endswith(
        "tiếp nối")
    answer = driver.find_element(By.ID, "f-answer-RF01")
    answer.clear()
    answer.send_keys(ANSWER)
    personnel = driver.find_element(By.ID, "f-budget_personnel_vnd")
    cut = int(body["budget"]["personnel_vnd"]) // 2
    personnel.clear()
    personnel.send_keys(str(cut))
    total = driver.find_element(By.ID, "f-total_budget_vnd")
    total.clear()
    total.send_keys(str(int(body["total_budget_vnd"]) - int(body["budget"]["personnel_vnd"])
                        + cut))
    browser.click_and_wait(driver, driver.find_element(By.ID, "submit-button"))
    assert "/ui/screenings/" in driver.current_url and sid not in driver.current_url
    new_id = driver.current_url.split("/ui/screenings/")[1].split("?")[0]
    section = driver.find_element(By.ID, "revision")
    assert ANSWER in driver.find_element(By.ID, "flag-answers").text
    assert NOTES in section.text
    assert (driver.find_element(By.ID, "previous-version").get_attribute("href") or ""
            ).endswith(sid)
    _fits_a_phone(driver, "revised_agency")

    # the reviewer reads the changes and the answers; the first version left the queue
    browser.sign_in(driver, base_url, service.keys["reviewer"], f"/ui/screenings/{new_id}")
    changes = driver.find_element(By.ID, "changes").text
    assert "giai đoạn tiếp nối" in changes and "Nhân lực" in changes
    assert driver.find_element(By.CSS_SELECTOR, "[data-field=score_delta]").text
    assert driver.find_element(By.ID, "decide")  # the revised version is decided on
    _fits_a_phone(driver, "revised_reviewer")
    pdf = ARTIFACTS / "revision_report.pdf"
    pdf.write_bytes(browser.fetch(f"{base_url}/ui/screenings/{new_id}/report.pdf",
                                  service.keys["reviewer"]))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert browser.pdf_to_pngs(pdf, ARTIFACTS / "revision_report_pdf", dpi=70)
    driver.get(f"{base_url}/ui/screenings/{sid}")
    assert driver.find_elements(By.ID, "decide") == []
    assert (driver.find_element(By.ID, "latest-version").get_attribute("href") or ""
            ).endswith(new_id)
    driver.get(f"{base_url}/ui/queue?cycle={body['cycle']}&agency={service.agency_a}")
    links = {(a.get_attribute("href") or "").rsplit("/", 1)[-1]
             for a in driver.find_elements(By.CSS_SELECTOR, "#queue td.title a")}
    assert new_id in links and sid not in links
