"""Start a process and wait for its health: the one helper devstack, deploy, the tests and the
benchmarks use (log file, own session so a stop reaches its children, a bounded wait that gives up
early when the process dies)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

# A health check is a URL (healthy: it answers 2xx/3xx) or a function returning True when healthy.
Health = str | Callable[[], bool]


def http_ok(url: str, headers: Mapping[str, str] | None = None, timeout: float = 2.0) -> bool:
    """True when `url` answers 2xx/3xx (urllib raises HTTPError, an OSError, for the rest)."""
    try:
        request = urllib.request.Request(url, headers=dict(headers or {}))
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status < 400
    except OSError:  # refused, reset, timeout, 4xx/5xx
        return False


def spawn(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
) -> subprocess.Popen:
    """Starts `command` in its own session, output appended to `log_path` (or discarded)."""
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        output = open(log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
    else:
        output = subprocess.DEVNULL
    try:
        return subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        if log_path is not None:
            output.close()  # type: ignore[union-attr]


def wait_healthy(
    health: Health,
    *,
    name: str,
    timeout: float,
    alive: Callable[[], bool] | None = None,
    log_path: Path | None = None,
    interval: float = 0.2,
) -> None:
    """Waits until `health` passes. RuntimeError as soon as `alive()` says the process died,
    TimeoutError after `timeout` seconds; both name the log to read."""
    check = (lambda: http_ok(health)) if isinstance(health, str) else health
    see = f"; see {log_path}" if log_path else ""
    deadline = time.monotonic() + timeout
    while True:
        if alive is not None and not alive():
            raise RuntimeError(f"{name} exited early{see}")
        if check():
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{name} not healthy within {timeout:.0f} s{see}")
        time.sleep(interval)


def start_and_wait(
    command: Sequence[str],
    health: Health,
    *,
    name: str,
    timeout: float = 60.0,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log_path: Path | None = None,
) -> subprocess.Popen:
    """`spawn` then `wait_healthy`; a process that does not become healthy is killed before raising."""
    process = spawn(command, env=env, cwd=cwd, log_path=log_path)
    try:
        wait_healthy(health, name=name, timeout=timeout, alive=lambda: process.poll() is None, log_path=log_path)
    except BaseException:
        stop(process)
        raise
    return process


def terminate(process: subprocess.Popen) -> None:
    """SIGTERM to the process's session (see `spawn`), without waiting."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)


def stop(process: subprocess.Popen, grace: float = 10.0) -> int:
    """`terminate`, then SIGKILL to the session after `grace` seconds; returns the exit status."""
    if process.poll() is None:
        terminate(process)
        try:
            return process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    return process.wait()
