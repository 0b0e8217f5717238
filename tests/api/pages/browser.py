"""A real headless Chromium for tests: the app served on a loopback port, driven by Selenium.

Nothing is downloaded: the Debian packages ``chromium`` and ``chromium-driver`` provide the
browser and its driver, and Selenium is given both paths (its driver manager is never asked).
``unavailable()`` says why the browser tests cannot run on this machine, for a clear skip.
"""

from __future__ import annotations

import base64
import http.cookiejar
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from fastapi import FastAPI

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

CHROMIUM_PATHS = ("/usr/bin/chromium", "chromium", "chromium-browser")
DRIVER_PATHS = ("/usr/bin/chromedriver", "chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--force-device-scale-factor=1", "--hide-scrollbars")
MAX_SHOT_HEIGHT = 12_000


def _which(candidates: tuple[str, ...]) -> str | None:
    for c in candidates:
        found = c if os.path.isabs(c) and os.access(c, os.X_OK) else shutil.which(c)
        if found:
            return found
    return None


def chromium_path() -> str | None:
    return _which(CHROMIUM_PATHS)


def driver_path() -> str | None:
    return _which(DRIVER_PATHS)


def unavailable() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    if chromium_path() is None:
        return ("Chromium not found (/usr/bin/chromium or `chromium` on PATH): "
                "install it with `apt-get install -y chromium chromium-driver`")
    if driver_path() is None:
        return "chromedriver not found: install it with `apt-get install -y chromium-driver`"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: `pip install selenium` (a dev dependency)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a background thread; the base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none",
                            lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[WebDriver]:
    """A headless Chromium session with a throw-away profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ws-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path() or CHROMIUM_PATHS[0]
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument("--lang=vi")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, for CSP
    service = Service(executable_path=driver_path() or DRIVER_PATHS[0])
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def click_and_wait(driver: WebDriver, element: Any, timeout: float = 30) -> None:
    """Click ``element`` and wait until the browser has left the current page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, timeout).until(lambda _: _left(old))
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def _left(old: Any) -> bool:
    """Whether ``old`` (an element of the page before) is gone. Chromium says so in two ways:
    a stale element, or, while the new page is being attached, a node that "does not belong
    to the document" (``expected_conditions.staleness_of`` knows only the first)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        old.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def screenshot(driver: WebDriver, out: Path, width: int, height: int = 900) -> Path:
    """A full-page PNG of the current page laid out ``width`` CSS pixels wide (a phone when
    narrow: mobile emulation, so the page's viewport meta applies)."""
    cdp: Any = driver.execute_cdp_cmd
    cdp("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                               "deviceScaleFactor": 1, "mobile": width < 600})
    try:
        time.sleep(0.2)
        size = cdp("Page.getLayoutMetrics", {})["cssContentSize"]
        full = min(MAX_SHOT_HEIGHT, int(size["height"]) + 1)
        shot = cdp("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": full, "scale": 1}})
    finally:
        cdp("Emulation.clearDeviceMetricsOverride", {})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(base64.b64decode(shot["data"]))
    return out


def page_width(driver: WebDriver) -> tuple[int, int]:
    """(document scroll width, screen width) in CSS pixels: equal when nothing overflows.

    The screen's width is the root element's client width: on an emulated phone,
    ``window.innerWidth`` grows with content that overflows (the layout viewport widens to
    fit it), so comparing with it would never see the overflow."""
    sizes = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];")
    return int(sizes[0]), int(sizes[1])


def fetch(url: str, key: str) -> bytes:
    """GET ``url`` signed in with ``key`` (a sign-in, then the session cookie, as a browser
    would)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("only the loopback live server is fetched")
    base = "/".join(url.split("/")[:3])
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = urllib.request.Request(base + "/ui/login",
                                   data=urllib.parse.urlencode({"key": key}).encode())
    with opener.open(login, timeout=120):
        pass
    with opener.open(url, timeout=120) as response:
        data: bytes = response.read()
    return data


def pdf_to_pngs(pdf: Path, prefix: Path, dpi: int = 60) -> list[Path]:
    """Every page of ``pdf`` as ``prefix-N.png`` (poppler's pdftoppm)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise FileNotFoundError("pdftoppm (poppler-utils) is not installed")
    for old in prefix.parent.glob(prefix.name + "-*.png"):
        old.unlink()
    subprocess.run([exe, "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True,
                   capture_output=True, timeout=120)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


def sign_in(driver: WebDriver, base_url: str, key: str, then: str = "/ui/queue") -> None:
    """Sign in through the form, as a person would (cookies of an earlier user dropped), and
    land on ``then``."""
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base_url + then)
    assert "/ui/login" in driver.current_url  # redirected: not signed in
    driver.find_element(By.ID, "f-key").send_keys(key)
    click_and_wait(driver, driver.find_element(By.ID, "login-button"))
    assert driver.current_url.startswith(base_url + then.split("?")[0]), driver.current_url
