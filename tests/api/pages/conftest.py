"""What the browser tests share: the app served on a loopback port and one headless Chromium
per test module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.api.pages import browser
from tests.demo_service import DemoService
from wastescreen.api.app import create_app

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver


@pytest.fixture(scope="module")
def base_url(service: DemoService) -> Iterator[str]:
    with browser.live_server(create_app(service.settings)) as url:
        yield url


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with browser.chromium() as d:
        yield d
