"""Shared pieces of the web chat tests (a uniquely named module: conftest.py is not importable
reliably when the whole suite runs, since every test directory has one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devstack.config import Ports, service_env  # noqa: E402
from devstack.services import Service  # noqa: E402
from devstack.system_packages import CHROMEDRIVER, CHROMIUM  # noqa: E402,F401  (one place for system paths)

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
