"""Fixtures for the web chat tests: the real product stack on free loopback ports (temporary
SQLite files), the help-page server, and a headless Debian Chromium driven by Selenium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import (
    CHROMEDRIVER,
    CHROMIUM,
    CHROMIUM_FLAGS,
    ROOT,
    SCREENSHOTS,
    VENDOR_BUNDLE,
    WebStack,
    isolated_env,
    log_tails,
)

from devstack import system_packages  # noqa: E402
from devstack.config import Ports  # noqa: E402  (web_support puts the repository on sys.path)
from devstack.model import latest_model  # noqa: E402
from devstack.ports import free_ports  # noqa: E402
from devstack.services import Stack, product_services  # noqa: E402


@pytest.fixture(scope="module")
def web_stack() -> Iterator[WebStack]:
    """Account sandbox, action server, Rasa (REST + socket.io) and the help page, as `make run` starts them."""
    model = latest_model()
    if model is None:
        pytest.fail("no trained model in models/: run `make train` first")
    if not VENDOR_BUNDLE.exists():
        pytest.fail(f"{VENDOR_BUNDLE.relative_to(ROOT)} is missing: run `make web-deps` first")
    tmp = Path(tempfile.mkdtemp(prefix="ocn-web-test-"))
    rasa, actions, account_api, web, console = free_ports(5)
    ports = Ports(rasa=rasa, actions=actions, account_api=account_api, web=web, console=console)
    env = isolated_env(ports, tmp)
    env["HANDOFF_HOURS"] = "00:00-24:00"  # a person can take over whatever the time of the test run
    services = product_services(ports, model)
    assert [s.name for s in services][-1] == "web", "devstack did not pick up web/__main__.py"
    stack = Stack(services, env, tmp / "logs")
    try:
        stack.start(timeout=240)
    except (RuntimeError, TimeoutError) as error:
        stack.stop()
        pytest.fail(f"stack did not start: {error}\n{log_tails(services)}")
    try:
        yield WebStack(ports, env, tmp)
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)


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
