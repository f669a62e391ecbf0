"""`python -m deploy.scaled up --rasa N --actions M [--base-port P]` | `down [--purge]` | `status`.

Starts, under var/scaled/ (SCALED_STATE_DIR): a private PostgreSQL cluster (tracker store), Redis
(lock store + rate limits), the account sandbox, M action servers, N Rasa servers and nginx in front
of them, all on loopback; waits until every part is healthy and prints the URLs. `down` stops what
`up` started (pid files), newest first. Configuration comes only from environment variables
(deploy/settings.py lists them; deploy/environment.py hands them to the processes).

The rooms: deploy/settings.py (settings, port layout `Ports`), deploy/environment.py (the processes'
environment), deploy/postgres.py, deploy/redis_server.py, deploy/nginx.py (each part's own files),
deploy/procs.py (detached processes with pid files), deploy/scaled_parts.py (how each part starts and
is known to be healthy), and here `ScaledStack` (which part starts when) and the command line (all
console output).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

from deploy.environment import process_env
from deploy.postgres import Postgres
from deploy.private_files import UMASK, write_private
from deploy.procs import Managed, all_managed
from deploy.scaled_parts import ScaledParts
from deploy.settings import ScaledSettings, load
from devstack import system_packages
from devstack.ports import port_is_free

# The system packages the scaled mode runs on (devstack/system_packages.py names and installs them).
SCALED_NEEDS = ("postgresql", "redis", "nginx", "runuser")
# `down` stops the entry first and the stores last.
STOP_ORDER = {"nginx": 0, "console": 1, "retention": 1, "rasa": 1, "actions": 2, "sandbox": 3, "redis": 4}


class ScaledStack:
    """Which part starts when (how each starts and is known healthy: `parts`). Used by the CLI, the
    tests and the fault benchmark; prints nothing."""

    def __init__(self, settings: ScaledSettings) -> None:
        self.s = settings
        self.pg = Postgres(settings)
        self.state_file = settings.state_dir / "state.json"
        self.parts = ScaledParts(settings, self.env)

    # -- layout -------------------------------------------------------------------------------

    def layout(self) -> dict[str, int]:
        """What `up` started last: {"rasa": N, "actions": M, "base_port": P}."""
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {"rasa": 0, "actions": 0, "base_port": self.s.ports.base}

    def managed(self, name: str) -> Managed:
        return self.parts.managed(name)

    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.s.ports.rasa(self.layout()["rasa"])]

    def env(self, part: str) -> dict[str, str]:
        """What one part's processes get (deploy/environment.py): its own settings and secrets only."""
        return process_env(self.s, part, self.rasa_urls())

    # -- whole stack ----------------------------------------------------------------------------

    def check_can_start(self, n: int, m: int) -> None:
        if n < 1 or m < 1:
            raise ValueError("--rasa and --actions must be at least 1")
        missing = system_packages.require(*SCALED_NEEDS)
        if missing:
            raise RuntimeError(missing)
        if not self.s.model.exists():
            raise RuntimeError(f"no trained model at {self.s.model} (run `make train`)")
        old = self.layout()
        if old.get("rasa") and (old["rasa"], old["actions"]) != (n, m) and self.running_parts():
            raise RuntimeError(f"already up with --rasa {old['rasa']} --actions {old['actions']}; run down first")
        busy = [
            port for port, part in self.s.ports.by_part(n, m).items() if not port_is_free(port) and not self._ours(part)
        ]
        if busy:
            raise RuntimeError(f"ports in use by something else: {busy} (choose --base-port)")

    def up(self, n: int, m: int, timeout: float = 300) -> None:
        """Starts what is not running yet (all processes first, so they load in parallel), then waits."""
        self.check_can_start(n, m)
        self.s.log_dir.mkdir(parents=True, exist_ok=True)
        write_private(self.state_file, json.dumps({"rasa": n, "actions": m, "base_port": self.s.ports.base}))
        deadline = time.monotonic() + timeout

        def left() -> float:
            return max(0.0, deadline - time.monotonic())

        parts = self.parts
        self.pg.start()
        parts.start_redis()
        parts.start_sandbox()
        for i in range(m):
            parts.start_actions(i)
        for i in range(n):
            parts.start_rasa(i)
        parts.start_nginx(n, m)
        parts.start_console()
        parts.start_retention()
        parts.wait_sandbox(left())
        parts.wait_console(left())
        for i in range(m):
            parts.wait_actions(i, left())
        for i in range(n):
            parts.wait_rasa(i, left())
        self.pg.create_tracker_indexes()  # the report's, by the table's owner (the console may only read)
        parts.wait_nginx(left())

    def _ours(self, part: str) -> bool:
        """Whether the part that listens on a port (by the layout) is one we started and is running."""
        return self.pg.running() if part == "postgres" else self.managed(part).running()

    def all_parts(self) -> list[Managed]:
        return all_managed(self.s.run_dir, self.s.log_dir)

    def running_parts(self) -> list[str]:
        names = [part.name for part in self.all_parts() if part.running()]
        if self.pg.running():
            names.append("postgres")
        return names

    def down(self) -> list[str]:
        stopped: list[str] = []
        for part in sorted(self.all_parts(), key=lambda p: STOP_ORDER.get(p.name.split("-")[0], 9)):
            if part.stop():
                stopped.append(part.name)
        if self.pg.stop():
            stopped.append("postgres")
        return stopped

    def purge(self) -> list[str]:
        """`down`, then delete the PostgreSQL cluster and the state directory (data, secrets, logs)."""
        stopped = self.down()
        self.pg.remove()
        shutil.rmtree(self.s.state_dir, ignore_errors=True)
        return stopped

    # -- helpers for tests and benchmarks -------------------------------------------------------

    def pg_connect(self, as_console: bool = False):  # type: ignore[no-untyped-def]
        return self.pg.connect(as_console)


# -- the command line: everything printed ---------------------------------------------------------


def describe(stack: ScaledStack) -> str:
    lay = stack.layout()
    s = stack.s
    return f"""Scaled mode is up: {lay["rasa"]} Rasa server(s), {lay["actions"]} action server(s).
  Customers (nginx):   {s.rasa_url}/webhooks/rest/webhook   socket.io: {s.rasa_url}/socket.io/
  Rasa instances:      {" ".join(stack.rasa_urls())}
  Rasa HTTP API token: {s.state_dir / "secrets" / "rasa_api_token"} (or $RASA_API_TOKEN)
  Action upstream:     {s.action_endpoint_url}
  Operator console:    http://127.0.0.1:{s.ports.console}/  (queue in PostgreSQL; accounts: console/README.md)
  Account sandbox:     {s.sandbox_url}  (codes: ACCOUNT_API_DB={s.sandbox_db} .venv/bin/python -m account_api outbox --last 3)
  PostgreSQL:          {s.tracker_store_url} (Rasa), {s.console_store_url} (console); passwords in {s.secrets_dir}/  (data: {stack.pg.home})
  Redis:               127.0.0.1:{s.ports.redis} (password in {s.state_dir / "secrets" / "redis_password"})
  Retention:           RETENTION_DAYS (default 90), applied at start and hourly; audit: {s.state_dir / "retention-audit.log"}
  Logs:                {s.log_dir}
Try:  curl -s -XPOST {s.rasa_url}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
        -d '{{"sender":"me","message":"接続用IDを知りたい"}}'
Stop: .venv/bin/python -m deploy.scaled down"""


def _stack_for(base_port: int | None) -> ScaledStack:
    if base_port is None:  # down/status find the layout `up` wrote
        first = load()
        base_port = ScaledStack(first).layout().get("base_port", first.ports.base)
    return ScaledStack(load(base_port=base_port))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.scaled", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start (or complete) the scaled mode and wait until healthy")
    up.add_argument("--rasa", type=int, default=int(os.environ.get("SCALED_RASA", 2)), help="Rasa servers (N)")
    up.add_argument("--actions", type=int, default=int(os.environ.get("SCALED_ACTIONS", 1)), help="action servers (M)")
    up.add_argument("--base-port", type=int, default=None, help="first port (default $SCALED_BASE_PORT or 16000)")
    up.add_argument("--timeout", type=float, default=300)
    down = sub.add_parser("down", help="stop everything `up` started")
    down.add_argument("--base-port", type=int, default=None)
    down.add_argument("--purge", action="store_true", help="also delete the data: PostgreSQL cluster, state dir")
    status = sub.add_parser("status", help="what is running")
    status.add_argument("--base-port", type=int, default=None)
    args = parser.parse_args(argv)

    if args.command == "up":
        os.umask(UMASK)  # whatever the parts create (logs, databases, temp files) is theirs alone
        stack = ScaledStack(load(base_port=args.base_port))
        print(
            f"Starting the scaled mode: {args.rasa} Rasa, {args.actions} action server(s) "
            f"(about {15 + 8 * args.rasa} s)...",
            flush=True,
        )
        try:
            stack.up(args.rasa, args.actions, timeout=args.timeout)
        except (RuntimeError, TimeoutError, ValueError, subprocess.CalledProcessError) as error:
            print(f"Could not start: {error}", file=sys.stderr)
            print("Stopping what was started...", file=sys.stderr)
            stack.down()
            return 1
        print(describe(stack), flush=True)
        return 0
    stack = _stack_for(args.base_port)
    if args.command == "down":
        stopped = stack.purge() if args.purge else stack.down()
        print("Stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        return 0
    running = stack.running_parts()
    print("Running: " + (", ".join(running) if running else "nothing"))
    return 0 if running else 3


if __name__ == "__main__":
    sys.exit(main())
