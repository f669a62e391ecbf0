"""Detached processes tracked by pid files, so `up` can return and `down` (another process) stops them.

Each pid file records the pid and a marker string that must appear in the process's command line;
a pid is only ever signalled when its /proc cmdline still carries that marker (no stale-pid kills).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from deploy.private_files import write_private
from devstack.processes import spawn


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (exited child not yet reaped) is not alive
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return False


class Managed:
    """One named process: started detached (own session), logged to a file, known by its pid file."""

    def __init__(self, name: str, run_dir: Path, log_dir: Path) -> None:
        self.name = name
        self.pid_file = run_dir / f"{name}.json"
        self.log_path = log_dir / f"{name}.log"
        self._popen: subprocess.Popen | None = None

    def record(self) -> dict | None:
        try:
            return json.loads(self.pid_file.read_text())
        except (OSError, ValueError):
            return None

    def pid(self) -> int | None:
        rec = self.record()
        if not rec:
            return None
        pid = int(rec["pid"])
        if alive(pid) and rec["marker"] in cmdline(pid):
            return pid
        return None

    def running(self) -> bool:
        if self._popen is not None and self._popen.poll() is not None:
            return False
        return self.pid() is not None

    def start(
        self, command: Sequence[str], env: dict[str, str], cwd: Path, marker: str, user: str | None = None
    ) -> int:
        if self.running():
            return self.pid()  # type: ignore[return-value]
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        full = list(command)
        if user:
            full = ["runuser", "-u", user, "--", *full]
        self._popen = spawn(full, env=env, cwd=cwd, log_path=self.log_path)
        pid = self._popen.pid
        if user:  # runuser forks the real process; record the child so signals reach it
            pid = _child_of(pid, marker) or pid
        deadline = time.monotonic() + 5  # between fork and exec the cmdline is still ours
        while marker not in cmdline(pid) and alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        write_private(self.pid_file, json.dumps({"pid": pid, "marker": marker, "command": full}))
        return pid

    def stop(self, grace: float = 15.0, sig: int = signal.SIGTERM) -> bool:
        """SIGTERM (or `sig`), wait `grace` s, then SIGKILL. Returns whether something was running."""
        pid = self.pid()
        was_running = pid is not None
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and alive(pid):
                self._reap()
                time.sleep(0.1)
            if alive(pid) and self.record() and self.record()["marker"] in cmdline(pid):
                os.kill(pid, signal.SIGKILL)
                while alive(pid):
                    self._reap()
                    time.sleep(0.05)
        self._reap()
        self.pid_file.unlink(missing_ok=True)
        return was_running

    def kill(self) -> bool:
        """SIGKILL now (fault injection)."""
        return self.stop(grace=0.0, sig=signal.SIGKILL)

    def _reap(self) -> None:
        if self._popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=0)


def _child_of(parent: int, marker: str, timeout: float = 5.0) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            children = []
        for child in children:
            if marker in cmdline(int(child)):
                return int(child)
        if marker in cmdline(parent) and "runuser" not in cmdline(parent).split(" ")[0]:
            return parent
        time.sleep(0.05)
    return None


def all_managed(run_dir: Path, log_dir: Path) -> list[Managed]:
    if not run_dir.exists():
        return []
    return [Managed(p.stem, run_dir, log_dir) for p in sorted(run_dir.glob("*.json"))]
