"""Fixtures for the web chat tests: the real product stack on free loopback ports (temporary
SQLite files), the help-page server, and a headless Debian Chromium driven by Selenium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import pytest
from web_support import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, SCREENSHOTS, WebStack, running_web_stack

from devstack import system_packages  # noqa: E402


@pytest.fixture(scope="module")
def web_stack() -> Iterator[WebStack]:
    with running_web_stack() as stack:
        yield stack


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    missing = system_packages.require("chromium", "chromedriver", "fonts")
    if missing:
        pytest.fail(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service as DriverService

    profile = tempfile.mkdtemp(prefix="ocn-web-chromium-")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager never runs, nothing is downloaded.
    service = DriverService(executable_path=str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
