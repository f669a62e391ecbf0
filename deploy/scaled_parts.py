"""How each part of the scaled mode starts (a detached process with a pid file) and how it is known to
be healthy: Redis, the account sandbox, the action servers, the Rasa servers, the console, nginx and
the retention job.
Which part starts when is deploy/scaled.py's `ScaledStack`; PostgreSQL is deploy/postgres.py."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from deploy import nginx, redis_server
from deploy.private_files import touch_private
from deploy.procs import Managed
from deploy.settings import ROOT, ScaledSettings
from devstack import system_packages
from devstack.processes import Health, http_ok, wait_healthy
from devstack.services import (
    account_api_command,
    actions_command,
    console_command,
    rasa_command,
    retention_command,
)


class ScaledParts:
    def __init__(self, settings: ScaledSettings, env: Callable[[str], dict[str, str]]) -> None:
        self.s = settings
        self.env = env  # a part's environment (deploy/environment.py), read when it starts

    @staticmethod
    def kind(name: str) -> str:
        """ "rasa-1" -> "rasa": the part whose environment a process gets."""
        return name.split("-")[0]

    def managed(self, name: str) -> Managed:
        return Managed(name, self.s.run_dir, self.s.log_dir)

    def _start(self, name: str, command: list[str], marker: str) -> Managed:
        part = self.managed(name)
        touch_private(part.log_path)
        part.start(command, self.env(self.kind(name)), ROOT, marker=marker)
        return part

    def _wait(self, name: str, health: Health, timeout: float) -> None:
        part = self.managed(name)
        wait_healthy(health, name=name, timeout=timeout, alive=part.running, log_path=part.log_path, interval=0.3)

    def start_redis(self, timeout: float = 20) -> None:
        conf = redis_server.write_conf(self.s)
        self._start("redis", redis_server.command(conf), marker=f"127.0.0.1:{self.s.ports.redis}")
        self._wait("redis", lambda: redis_server.answers_ping(self.s), timeout)

    def start_sandbox(self) -> Managed:
        port = self.s.ports.sandbox
        touch_private(self.s.sandbox_db)  # customers, codes (encrypted): our user only; SQLite keeps the mode
        return self._start("sandbox", account_api_command(port), marker=f"--port {port}")

    def start_actions(self, i: int) -> Managed:
        port = self.s.ports.action_server(i)
        return self._start(f"actions-{i}", actions_command(port), marker=f"--port {port}")

    def start_rasa(self, i: int) -> Managed:
        port = self.s.ports.rasa_server(i)
        # No token here: it is in the environment (RASA_API_TOKEN, bot_server/api_token.py), not in argv.
        command = rasa_command(port, self.s.model)
        command[command.index("endpoints.yml")] = self.s.endpoints_file
        return self._start(f"rasa-{i}", command, marker=f"--interface 127.0.0.1 --port {port}")

    def start_console(self) -> Managed:
        port = self.s.ports.console
        return self._start("console", console_command(port), marker=f"--port {port}")

    def start_retention(self) -> Managed:
        """The data-lifecycle job (devstack/retention.py): at start and every hour; nothing to wait for."""
        return self._start("retention", retention_command(), marker="devstack.retention")

    def start_nginx(self, n: int, m: int) -> Managed:
        conf = nginx.write(self.s, self.s.ports.rasa(n), self.s.ports.actions(m))
        binary = system_packages.nginx_binary()
        assert binary
        prefix = str(self.s.state_dir / "nginx")
        check = subprocess.run([binary, "-t", "-q", "-c", str(conf), "-p", prefix], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx config invalid: {check.stderr}")
        return self._start("nginx", [binary, "-c", str(conf), "-p", prefix, "-g", "daemon off;"], marker=str(conf))

    def wait_sandbox(self, timeout: float = 60) -> None:
        self._wait("sandbox", f"{self.s.sandbox_url}/healthz", timeout)

    def wait_actions(self, i: int, timeout: float = 60) -> None:
        self._wait(f"actions-{i}", f"http://127.0.0.1:{self.s.ports.action_server(i)}/health", timeout)

    def wait_rasa(self, i: int, timeout: float = 240) -> None:
        # /status needs the token (in a header, not the URL) and answers once the model is loaded.
        url = f"http://127.0.0.1:{self.s.ports.rasa_server(i)}/status"
        headers = {"X-Rasa-Token": self.s.rasa_api_token}
        self._wait(f"rasa-{i}", lambda: http_ok(url, headers=headers), timeout)

    def wait_console(self, timeout: float = 60) -> None:
        self._wait("console", f"http://127.0.0.1:{self.s.ports.console}/healthz", timeout)

    def wait_nginx(self, timeout: float = 30) -> None:
        self._wait("nginx", lambda: http_ok(f"{self.s.rasa_url}/"), timeout)
