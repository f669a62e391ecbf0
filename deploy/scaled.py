"""`python -m deploy.scaled up --rasa N --actions M [--base-port P]` | `down` | `status`.

Starts, under var/scaled/ (SCALED_STATE_DIR): a private PostgreSQL cluster (tracker store), Redis
(lock store + rate limits), the account sandbox, M action servers, N Rasa servers and nginx in front
of them, all on loopback; waits until every part is healthy and prints the URLs. `down` stops what
`up` started (pid files), newest first. Configuration comes only from environment variables
(deploy/settings.py lists them); endpoints.yml reads the same variables in every process.

Port layout from the base P (default 16000): nginx P (customers) and P+1 (action upstream),
PostgreSQL P+2, Redis P+3, sandbox P+4, action servers P+10.., Rasa servers P+20...
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from deploy import nginx
from deploy.postgres import Postgres
from deploy.procs import Managed, wait_http
from deploy.settings import ROOT, ScaledSettings, load
from devstack import system_packages

LOCK_STORE_CLASS = "bot_server.lock_store.AtomicRedisLockStore"


# The system packages the scaled mode runs on (devstack/system_packages.py names and installs them).
SCALED_NEEDS = ("postgresql", "redis", "nginx", "runuser")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class ScaledStack:
    """The scaled mode as objects: used by the CLI, the tests and the fault benchmark."""

    def __init__(self, settings: ScaledSettings) -> None:
        self.s = settings
        self.pg = Postgres(settings)
        self.state_file = settings.state_dir / "state.json"

    # -- layout -------------------------------------------------------------------------------

    def layout(self) -> dict[str, int]:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {"rasa": 0, "actions": 0, "base_port": self.s.ports.base}

    def managed(self, name: str) -> Managed:
        return Managed(name, self.s.run_dir, self.s.log_dir)

    def rasa_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.s.ports.rasa(self.layout()["rasa"])]

    # -- environment ----------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        from devstack.config import Ports as DevPorts
        from devstack.config import service_env

        s = self.s
        env = service_env(DevPorts(rasa=0, actions=0, account_api=s.ports.sandbox, web=0), var_dir=s.state_dir)
        env.update(
            ACTION_ENDPOINT_URL=s.action_endpoint_url,
            TRACKER_STORE_URL=s.tracker_store_url,
            LOCK_STORE_TYPE=os.environ.get("SCALED_LOCK_STORE_TYPE") or LOCK_STORE_CLASS,
            LOCK_STORE_HOST="127.0.0.1",
            LOCK_STORE_PORT=str(s.ports.redis),
            LOCK_STORE_DB=os.environ.get("LOCK_STORE_DB") or "1",
            LOCK_STORE_PASSWORD=s.redis_password,
            ACCOUNT_API_URL=s.sandbox_url,
            ACCOUNT_API_DB=str(s.sandbox_db),
            ACCOUNT_API_HOST="127.0.0.1",
            ACCOUNT_API_PORT=str(s.ports.sandbox),
            RASA_API_TOKEN=s.rasa_api_token,
            WEB_SESSION_SECRET=s.web_session_secret,
            # One event loop per process uses one connection at a time; keep PostgreSQL's count low.
            SQL_POOL_SIZE=os.environ.get("SQL_POOL_SIZE") or "4",
            SQL_MAX_OVERFLOW=os.environ.get("SQL_MAX_OVERFLOW") or "8",
            # A crashed instance's ticket blocks its conversation this long at most (Rasa default 60 s).
            TICKET_LOCK_LIFETIME=os.environ.get("TICKET_LOCK_LIFETIME") or "20",
            SANIC_HOST="127.0.0.1",
            # Handoff: every Rasa server emits to any web session through Redis; the console keeps its
            # queue in PostgreSQL and reaches the Rasa servers directly (the HTTP API is not public).
            SOCKETIO_MESSAGE_QUEUE=f"redis://:{s.redis_password}@127.0.0.1:{s.ports.redis}/2",
            CONSOLE_PORT=str(s.ports.console),
            CONSOLE_STORE_URL=s.tracker_store_url,
            CONSOLE_SERVICE_TOKEN=s.console_service_token,
            HANDOFF_DESK_URL=f"http://127.0.0.1:{s.ports.console}",
            RASA_URL=",".join(self.rasa_urls()),
            RASA_AUTH_TOKEN=s.rasa_api_token,
        )
        return env

    # -- parts ----------------------------------------------------------------------------------

    def _redis_conf(self) -> Path:
        s = self.s
        data = s.state_dir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        conf = data / "redis.conf"
        conf.write_text(
            "# written by deploy.scaled on every start\n"
            f"bind 127.0.0.1\nport {s.ports.redis}\nprotected-mode yes\n"
            f"requirepass {s.redis_password}\n"
            f'dir {data}\nsave ""\nappendonly no\ndaemonize no\n'
            f'logfile ""\nloglevel warning\nmaxmemory 256mb\nmaxmemory-policy volatile-ttl\n'
        )
        os.chmod(conf, 0o600)
        return conf

    def start_redis(self) -> None:
        conf = self._redis_conf()
        self.managed("redis").start(
            ["redis-server", str(conf)], self.env(), ROOT, marker=f"127.0.0.1:{self.s.ports.redis}"
        )
        self.wait_redis()

    def wait_redis(self, timeout: float = 20) -> None:
        import redis

        client = redis.Redis(
            host="127.0.0.1", port=self.s.ports.redis, password=self.s.redis_password, socket_timeout=1
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"Redis not ready; see {self.managed('redis').log_path}") from None
                time.sleep(0.1)

    def start_sandbox(self) -> Managed:
        m = self.managed("sandbox")
        m.start(
            [sys.executable, "-m", "account_api", "serve", "--host", "127.0.0.1", "--port", str(self.s.ports.sandbox)],
            self.env(),
            ROOT,
            marker=f"--port {self.s.ports.sandbox}",
        )
        return m

    def start_actions(self, i: int) -> Managed:
        port = self.s.ports.base + 10 + i
        m = self.managed(f"actions-{i}")
        m.start(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
            self.env(),
            ROOT,
            marker=f"--port {port}",
        )
        return m

    def start_rasa(self, i: int) -> Managed:
        port = self.s.ports.base + 20 + i
        m = self.managed(f"rasa-{i}")
        m.start(
            [
                sys.executable,
                "-m",
                "bot_server",
                "run",
                "--enable-api",
                "--auth-token",
                self.s.rasa_api_token,
                "--interface",
                "127.0.0.1",
                "--port",
                str(port),
                "--model",
                str(self.s.model),
                "--endpoints",
                os.environ.get("SCALED_ENDPOINTS") or "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--cors",
                "*",
            ],
            self.env(),
            ROOT,
            marker=f"--interface 127.0.0.1 --port {port}",
        )
        return m

    def start_console(self) -> Managed:
        m = self.managed("console")
        m.start(
            [sys.executable, "-m", "console", "serve", "--host", "127.0.0.1", "--port", str(self.s.ports.console)],
            self.env(),
            ROOT,
            marker=f"--port {self.s.ports.console}",
        )
        return m

    def start_nginx(self, n: int, m: int) -> Managed:
        conf = nginx.write(self.s, self.s.ports.rasa(n), self.s.ports.actions(m))
        binary = system_packages.nginx_binary()
        assert binary
        check = subprocess.run(
            [binary, "-t", "-q", "-c", str(conf), "-p", str(self.s.state_dir / "nginx")], capture_output=True, text=True
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx config invalid: {check.stderr}")
        mg = self.managed("nginx")
        mg.start(
            [binary, "-c", str(conf), "-p", str(self.s.state_dir / "nginx"), "-g", "daemon off;"],
            self.env(),
            ROOT,
            marker=str(conf),
        )
        return mg

    def wait_rasa(self, i: int, timeout: float = 240) -> None:
        port = self.s.ports.base + 20 + i
        from urllib.parse import quote

        wait_http(
            f"http://127.0.0.1:{port}/status?token={quote(self.s.rasa_api_token)}", timeout, self.managed(f"rasa-{i}")
        )

    def wait_actions(self, i: int, timeout: float = 60) -> None:
        wait_http(f"http://127.0.0.1:{self.s.ports.base + 10 + i}/health", timeout, self.managed(f"actions-{i}"))

    # -- whole stack ----------------------------------------------------------------------------

    def up(self, n: int, m: int, timeout: float = 300) -> None:
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
        busy = [p for p in self._ports(n, m) if not _port_free(p) and not self._ours(p)]
        if busy:
            raise RuntimeError(f"ports in use by something else: {busy} (choose --base-port)")
        self.s.log_dir.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps({"rasa": n, "actions": m, "base_port": self.s.ports.base}))
        deadline = time.monotonic() + timeout
        self.pg.start()
        self.start_redis()
        sandbox = self.start_sandbox()
        for i in range(m):
            self.start_actions(i)
        for i in range(n):
            self.start_rasa(i)
        self.start_nginx(n, m)
        console = self.start_console()
        wait_http(f"{self.s.sandbox_url}/healthz", deadline - time.monotonic(), sandbox)
        wait_http(f"http://127.0.0.1:{self.s.ports.console}/healthz", deadline - time.monotonic(), console)
        for i in range(m):
            self.wait_actions(i, deadline - time.monotonic())
        for i in range(n):
            self.wait_rasa(i, deadline - time.monotonic())
        wait_http(f"{self.s.rasa_url}/", deadline - time.monotonic(), self.managed("nginx"))

    def _ports(self, n: int, m: int) -> list[int]:
        p = self.s.ports
        return [p.nginx, p.nginx_actions, p.postgres, p.redis, p.sandbox, p.console, *p.actions(m), *p.rasa(n)]

    def _ours(self, port: int) -> bool:
        return any(mg.running() for mg in self.all_parts()) or self.pg.running()

    def all_parts(self) -> list[Managed]:
        from deploy.procs import all_managed

        return all_managed(self.s.run_dir, self.s.log_dir)

    def running_parts(self) -> list[str]:
        names = [mg.name for mg in self.all_parts() if mg.running()]
        if self.pg.running():
            names.append("postgres")
        return names

    def down(self) -> list[str]:
        stopped: list[str] = []
        order = {"nginx": 0, "console": 1, "rasa": 1, "actions": 2, "sandbox": 3, "redis": 4}
        for mg in sorted(self.all_parts(), key=lambda x: order.get(x.name.split("-")[0], 9)):
            if mg.stop():
                stopped.append(mg.name)
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

    def pg_connect(self):  # type: ignore[no-untyped-def]
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1",
            port=self.s.ports.postgres,
            user=self.s.pg_user,
            password=self.s.pg_password,
            dbname=self.s.pg_db,
            connect_timeout=5,
        )

    def describe(self) -> str:
        lay = self.layout()
        s = self.s
        return f"""Scaled mode is up: {lay["rasa"]} Rasa server(s), {lay["actions"]} action server(s).
  Customers (nginx):   {s.rasa_url}/webhooks/rest/webhook   socket.io: {s.rasa_url}/socket.io/
  Rasa instances:      {" ".join(self.rasa_urls())}
  Rasa HTTP API token: {s.state_dir / "secrets" / "rasa_api_token"} (or $RASA_API_TOKEN)
  Action upstream:     {s.action_endpoint_url}
  Operator console:    http://127.0.0.1:{s.ports.console}/  (queue in PostgreSQL; accounts: console/README.md)
  Account sandbox:     {s.sandbox_url}  (codes: ACCOUNT_API_DB={s.sandbox_db} .venv/bin/python -m account_api outbox --last 3)
  PostgreSQL:          postgresql://{s.pg_user}:***@127.0.0.1:{s.ports.postgres}/{s.pg_db}
  Redis:               127.0.0.1:{s.ports.redis} (password in {s.state_dir / "secrets" / "redis_password"})
  Logs:                {s.log_dir}
Try:  curl -s -XPOST {s.rasa_url}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
        -d '{{"sender":"me","message":"接続用IDを知りたい"}}'
Stop: .venv/bin/python -m deploy.scaled down"""


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
        print(stack.describe(), flush=True)
        return 0
    base = args.base_port
    if base is None:  # down/status find the layout `up` wrote
        s0 = load()
        base = ScaledStack(s0).layout().get("base_port", s0.ports.base)
    stack = ScaledStack(load(base_port=base))
    if args.command == "down":
        stopped = stack.purge() if args.purge else stack.down()
        print("Stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        return 0
    running = stack.running_parts()
    print("Running: " + (", ".join(running) if running else "nothing"))
    return 0 if running else 3


if __name__ == "__main__":
    sys.exit(main())
