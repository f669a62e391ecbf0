"""Shared pieces of the web chat tests (a uniquely named module: conftest.py is not importable
reliably when the whole suite runs, since every test directory has one)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devstack import system_packages  # noqa: E402
from devstack.config import Ports, service_env  # noqa: E402
from devstack.model import latest_model  # noqa: E402
from devstack.ports import free_ports  # noqa: E402
from devstack.services import Service, Stack, product_services  # noqa: E402
from devstack.system_packages import CHROMEDRIVER, CHROMIUM  # noqa: E402  (one place for system paths)

SCREENSHOTS = ROOT / "var" / "screenshots"
VENDOR_BUNDLE = ROOT / "web" / "static" / "vendor" / "socket.io.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=ja-JP",
    "--window-size=1280,900",
]


def isolated_env(ports: Ports, var_dir: Path) -> dict[str, str]:
    """service_env for our ports and temp files; values from the caller's shell for the same
    settings (e.g. a running stack's TRACKER_STORE_URL) must not leak into the test stack."""
    ours = service_env(ports, base={}, var_dir=var_dir)
    base = {k: v for k, v in os.environ.items() if k not in ours}
    return service_env(ports, base=base, var_dir=var_dir)


def log_tails(services: list[Service], lines: int = 30) -> str:
    out = []
    for service in services:
        if service.log_path and service.log_path.exists():
            tail = service.log_path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {service.name} ({service.log_path}) ---\n" + "\n".join(tail))
    return "\n".join(out)


class WebStack:
    def __init__(self, ports: Ports, env: dict[str, str], tmp: Path):
        self.ports = ports
        self.env = env
        self.tmp = tmp
        self.url = f"http://127.0.0.1:{ports.web}/"
        self.rasa_url = f"http://127.0.0.1:{ports.rasa}"
        self.console_url = f"http://127.0.0.1:{ports.console}"


def start_stack(services: list[Service], env: dict[str, str], log_dir: Path) -> Stack:
    """The services started (failing the test, with their log tails, if they do not come up)."""
    stack = Stack(services, env, log_dir)
    try:
        stack.start(timeout=240)
    except (RuntimeError, TimeoutError) as error:
        stack.stop()
        pytest.fail(f"stack did not start: {error}\n{log_tails(services)}")
    return stack


@contextmanager
def chromium(name: str) -> Iterator[object]:
    """A headless Chromium with its own profile (own cookies) and the browser console log kept."""
    missing = system_packages.require("chromium", "chromedriver", "fonts")
    if missing:
        pytest.fail(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service as DriverService

    profile = tempfile.mkdtemp(prefix=f"ocn-{name}-chromium-")
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
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def running_web_stack(**extra_env: str) -> Iterator[WebStack]:
    """Account sandbox, action server, Rasa (REST + socket.io) and the help page, as `make run` starts
    them, with `extra_env` on top (e.g. a short code life for the time-left notice)."""
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
    env.update(extra_env)
    services = product_services(ports, model)
    assert [s.name for s in services][-1] == "web", "devstack did not pick up web/__main__.py"
    stack = start_stack(services, env, tmp / "logs")
    try:
        yield WebStack(ports, env, tmp)
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)
