"""Debian's real `prometheus` against the scaled mode: configuration from deploy/monitoring (targets of
the running layout, the scaled mode's metrics token, rules.yml), a free loopback port, its data in a
temporary directory; and bounded polls of its HTTP API."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from deploy.monitoring.config import render
from deploy.scaled import ScaledStack
from devstack.ports import free_port
from devstack.processes import http_ok, stop, terminate, wait_healthy

T = TypeVar("T")
SCRAPE_INTERVAL = "1s"  # the test waits for a handful of scrapes, not for minutes


@dataclass
class RunningPrometheus:
    url: str
    process: subprocess.Popen
    log_path: Path

    def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}{query}", timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, promql: str) -> list[dict[str, Any]]:
        return self.api("query", query=promql)["result"]

    def stop(self) -> None:
        stop(self.process, grace=15)


def prometheus_binary() -> str:
    found = shutil.which("prometheus") or "/usr/bin/prometheus"
    assert Path(found).exists(), "prometheus is missing: apt-get install -y --no-install-recommends prometheus"
    return found


def start_prometheus(stack: ScaledStack, n_rasa: int, m_actions: int, work_dir: Path) -> RunningPrometheus:
    config = work_dir / "prometheus.yml"
    config.write_text(render(stack.s, n_rasa, m_actions, scrape_interval=SCRAPE_INTERVAL))
    port = free_port()
    log_path = work_dir / "prometheus.log"
    command = [
        prometheus_binary(),
        f"--config.file={config}",
        f"--storage.tsdb.path={work_dir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(
            lambda: http_ok(f"{url}/-/ready"),
            name="prometheus",
            timeout=60,
            alive=lambda: process.poll() is None,
            log_path=log_path,
        )
    except Exception:
        terminate(process)
        raise
    return RunningPrometheus(url, process, log_path)


def poll_until(get: Callable[[], T], done: Callable[[T], bool], *, timeout: float, what: str) -> T:
    """`get()` again every half second until `done` says so; AssertionError with the last value after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = get()
        if done(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}; last seen: {value!r}")
        time.sleep(0.5)
