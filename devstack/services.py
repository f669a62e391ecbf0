"""The product's processes on one machine, and starting / stopping them together.

`product_services` is the list `make run` and the tests start, in start order. To add a service,
add its port to `devstack.config.Ports` and one `Service(name, command, health URL)` line here.
Starting and health waiting use devstack/processes.py (shared with deploy/ and the tests)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devstack.config import ROOT, Ports
from devstack.processes import spawn, stop, terminate, wait_healthy


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: str | None  # None: a background job with nothing to ask (it only has to stay running)
    process: subprocess.Popen | None = None
    log_path: Path | None = None


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def rasa_command(port: int, model: Path, *extra_args: str, interface: str = "127.0.0.1") -> list[str]:
    """How every Rasa server starts (here and in deploy/scaled.py): our entry point, HTTP API on. The
    token (RASA_API_TOKEN, bot_server/api_token.py) and the CORS origins (WEB_ORIGINS,
    bot_server/http_api.py) come from the environment: no secret on the command line, no `--cors *`."""
    return python_module(
        "bot_server",
        "run",
        "--enable-api",
        "--interface",
        interface,
        "--port",
        str(port),
        "--model",
        str(model),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        *extra_args,
    )


def actions_command(port: int) -> list[str]:
    return python_module("rasa_sdk", "--actions", "actions", "--port", str(port))


def account_api_command(port: int) -> list[str]:
    return python_module("account_api", "serve", "--host", "127.0.0.1", "--port", str(port))


def console_command(port: int) -> list[str]:
    return python_module("console", "serve", "--host", "127.0.0.1", "--port", str(port))


def retention_command() -> list[str]:
    """The data-lifecycle job: at start and every hour (devstack/retention.py)."""
    return python_module("devstack.retention")


def product_services(
    ports: Ports, model: Path, web: bool = True, extra_rasa_args: list[str] | None = None
) -> list[Service]:
    local = "http://127.0.0.1"
    services = [
        Service("account-api", account_api_command(ports.account_api), f"{local}:{ports.account_api}/healthz"),
        Service("actions", actions_command(ports.actions), f"{local}:{ports.actions}/health"),
        Service("rasa", rasa_command(ports.rasa, model, *(extra_rasa_args or [])), f"{local}:{ports.rasa}/"),
        Service("console", console_command(ports.console), f"{local}:{ports.console}/healthz"),
        Service("retention", retention_command(), None),
    ]
    if web and (ROOT / "web" / "__main__.py").exists():
        web_command = python_module(
            "web", "--host", "127.0.0.1", "--port", str(ports.web), "--rasa-port", str(ports.rasa)
        )
        services.append(Service("web", web_command, f"{local}:{ports.web}/"))
    return services


@dataclass
class Stack:
    services: list[Service]
    env: dict[str, str]
    log_dir: Path
    started: list[Service] = field(default_factory=list)

    def start(self, timeout: float = 180.0, progress: Callable[[str], None] | None = None) -> None:
        """Starts every service (all at once: they load in parallel), then waits for each one's
        health; `progress` hears about each service that is ready."""
        for service in self.services:
            service.log_path = self.log_dir / f"{service.name}.log"
            service.process = spawn(service.command, env=self.env, cwd=ROOT, log_path=service.log_path)
            self.started.append(service)
        deadline = time.monotonic() + timeout
        for number, service in enumerate(self.services, 1):
            process = service.process
            assert process is not None
            if service.health_url is None:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{service.name} exited at once (code {process.returncode}): see {service.log_path}"
                    )
                continue
            wait_healthy(
                service.health_url,
                name=service.name,
                timeout=max(0.0, deadline - time.monotonic()),
                alive=lambda process=process: process.poll() is None,
                log_path=service.log_path,
                interval=0.5,
            )
            if progress:
                progress(f"{service.name} ready ({number}/{len(self.services)})")

    def stop(self, grace: float = 10.0) -> None:
        """Asks every service to stop (newest first), then kills what is still running after `grace`."""
        processes = [service.process for service in reversed(self.started) if service.process]
        for process in processes:
            terminate(process)
        deadline = time.monotonic() + grace
        for process in processes:
            stop(process, max(0.1, deadline - time.monotonic()))
        self.started.clear()
