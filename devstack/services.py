"""Start, health-check and stop the product's processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devstack.config import ROOT, Ports


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str
    process: subprocess.Popen | None = None
    log_path: Path | None = None


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def product_services(
    ports: Ports, model: Path, web: bool = True, extra_rasa_args: list[str] | None = None
) -> list[Service]:
    services = [
        Service(
            "account-api",
            python_module("account_api", "serve", "--host", "127.0.0.1", "--port", str(ports.account_api)),
            f"http://127.0.0.1:{ports.account_api}/healthz",
        ),
        Service(
            "actions",
            python_module("rasa_sdk", "--actions", "actions", "--port", str(ports.actions)),
            f"http://127.0.0.1:{ports.actions}/health",
        ),
        Service(
            "rasa",
            python_module(
                "bot_server",
                "run",
                "--enable-api",
                "--interface",
                "127.0.0.1",
                "--port",
                str(ports.rasa),
                "--model",
                str(model),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--cors",
                "*",
                *(extra_rasa_args or []),
            ),
            f"http://127.0.0.1:{ports.rasa}/",
        ),
        Service(
            "console",
            python_module("console", "serve", "--host", "127.0.0.1", "--port", str(ports.console)),
            f"http://127.0.0.1:{ports.console}/healthz",
        ),
    ]
    if web and (ROOT / "web" / "__main__.py").exists():
        services.append(
            Service(
                "web",
                python_module("web", "--host", "127.0.0.1", "--port", str(ports.web), "--rasa-port", str(ports.rasa)),
                f"http://127.0.0.1:{ports.web}/",
            )
        )
    return services


@dataclass
class Stack:
    services: list[Service]
    env: dict[str, str]
    log_dir: Path
    started: list[Service] = field(default_factory=list)

    def start(self, timeout: float = 180.0, progress: Callable[[str], None] | None = None) -> None:
        """Starts every service, then waits for each one's health; `progress` hears about each."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            service.log_path = self.log_dir / f"{service.name}.log"
            log = open(service.log_path, "ab")  # noqa: SIM115 - the child keeps it open
            service.process = subprocess.Popen(
                service.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            self.started.append(service)
        deadline = time.monotonic() + timeout
        for number, service in enumerate(self.services, 1):
            self._wait_healthy(service, deadline)
            if progress:
                progress(f"{service.name} ready ({number}/{len(self.services)})")

    def _wait_healthy(self, service: Service, deadline: float) -> None:
        while time.monotonic() < deadline:
            if service.process and service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited early; see {service.log_path}")
            try:
                with urllib.request.urlopen(service.health_url, timeout=2) as response:
                    if response.status < 500:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{service.name} not healthy in time; see {service.log_path}")

    def stop(self, grace: float = 10.0) -> None:
        for service in reversed(self.started):
            if service.process and service.process.poll() is None:
                os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for service in reversed(self.started):
            if not service.process:
                continue
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()
        self.started.clear()
