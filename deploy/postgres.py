"""A private PostgreSQL cluster for the scaled mode: initdb on first use, pg_ctl start/stop.

Runs as the `postgres` system user when we are root (PostgreSQL refuses to run as root), TCP on
127.0.0.1 only (no Unix socket), scram-sha-256 passwords, with the tracker-store role and database
created on first start.

Where the cluster lives (`cluster_home`): run as ourselves, under the state directory. Run as
`postgres`, in a folder that user owns outside the clone — the clone may sit in a folder only root
can enter (root's home, a `mktemp -d` folder: mode 700), where initdb could not reach its data.
`SCALED_PG_HOME` chooses the folder explicitly; `<state dir>/pg-home` names it for people.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from deploy.settings import ScaledSettings
from devstack.processes import wait_healthy

SYSTEM_USER = "postgres"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError as error:
        raise RuntimeError(
            "running as root needs the 'postgres' system user (apt-get install postgresql-15)"
        ) from error
    return SYSTEM_USER


def cluster_home(s: ScaledSettings, run_as: str | None) -> Path:
    """The folder for the cluster's data, log and password file (see the module docstring).

    One folder per state directory, so two clones (or the tests and `make scaled-up`) never share one."""
    if s.pg_home is not None:
        return s.pg_home
    if run_as is None:
        return s.state_dir / "pg"
    owner_home = Path(pwd.getpwnam(run_as).pw_dir)
    base = owner_home if owner_home.is_dir() else Path("/var/tmp")
    key = hashlib.sha256(str(s.state_dir).encode()).hexdigest()[:16]
    return base / "ocn-bot-scaled" / key


class Postgres:
    def __init__(self, s: ScaledSettings) -> None:
        if s.pg_bin is None:
            raise RuntimeError("PostgreSQL server binaries not found (set SCALED_PG_BIN)")
        self.s = s
        self.bin = s.pg_bin
        self.user = _run_as()
        self.home = cluster_home(s, self.user)
        self.data = self.home / "data"
        self.log_path = self.home / "postgres.log"

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        return ["runuser", "-u", self.user, "--", *cmd] if self.user else cmd

    def _chown(self, path: Path) -> None:
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(path, info.pw_uid, info.pw_gid)

    def initialized(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def init(self) -> None:
        if self.initialized():
            return
        self.home.mkdir(parents=True, exist_ok=True)
        if self.home.parent.name == "ocn-bot-scaled":
            self._chown(self.home.parent)
        os.chmod(self.home, 0o700)
        self._chown(self.home)
        (self.s.state_dir / "pg-home").write_text(f"{self.home}\n")
        with tempfile.NamedTemporaryFile("w", dir=self.home, delete=False) as pw:
            pw.write(self.s.pg_password + "\n")
        self._chown(Path(pw.name))
        try:
            subprocess.run(
                self._cmd(
                    "initdb",
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--pwfile",
                    pw.name,
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                ),
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        finally:
            os.unlink(pw.name)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\ninclude_if_exists = 'scaled.conf'\n")
        self._first_start = True

    def write_conf(self) -> None:
        conf = self.data / "scaled.conf"
        conf.write_text(
            "# written by deploy.scaled on every start\n"
            f"port = {self.s.ports.postgres}\n"
            "listen_addresses = '127.0.0.1'\n"
            "unix_socket_directories = ''\n"
            "max_connections = 200\n"
            "shared_buffers = 128MB\n"
            "log_min_messages = warning\n"
            "log_connections = off\n"
        )
        self._chown(conf)

    def running(self) -> bool:
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, 0)
            return True
        except (ValueError, IndexError, ProcessLookupError):
            return False

    def start(self, timeout: float = 60) -> None:
        fresh = not self.initialized()
        self.init()
        self.write_conf()
        if not self.running():
            subprocess.run(
                self._cmd(
                    "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", str(int(timeout)), "start"
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self.wait_ready(timeout)
        if fresh or not self._has_role():
            self._create_role_and_db()

    def stop(self, mode: str = "fast") -> bool:
        if not self.initialized() or not self.running():
            return False
        subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"),
            check=False,
            stdout=subprocess.DEVNULL,
        )
        return True

    def connect(self):  # type: ignore[no-untyped-def]
        """A psycopg2 connection as the tracker store's role (tests and benchmarks read the events)."""
        import psycopg2

        return psycopg2.connect(
            host="127.0.0.1",
            port=self.s.ports.postgres,
            user=self.s.pg_user,
            password=self.s.pg_password,
            dbname=self.s.pg_db,
            connect_timeout=5,
        )

    def remove(self) -> None:
        """Stops the cluster and deletes its data (`deploy.scaled down --purge`)."""
        self.stop(mode="immediate")
        shutil.rmtree(self.home, ignore_errors=True)

    def restart(self) -> None:
        self.stop()
        self.start()

    def accepts_connections(self) -> bool:
        command = [str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.s.ports.postgres)]
        return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def wait_ready(self, timeout: float = 60) -> None:
        wait_healthy(self.accepts_connections, name="PostgreSQL", timeout=timeout, log_path=self.log_path)

    # -- SQL as the superuser over TCP ------------------------------------------------------------

    def psql(self, sql: str, db: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        env = dict(os.environ, PGPASSWORD=password or self.s.pg_password, PGCONNECT_TIMEOUT="5")
        r = subprocess.run(
            [
                str(self.bin / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.s.ports.postgres),
                "-U",
                user,
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
                "-c",
                sql,
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return r.stdout

    def _has_role(self) -> bool:
        return self.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{self.s.pg_user}'").strip() == "1"

    def _create_role_and_db(self) -> None:
        user, db = self.s.pg_user, self.s.pg_db
        if not self._has_role():
            pw = self.s.pg_password.replace("'", "''")
            self.psql(f"CREATE ROLE \"{user}\" LOGIN PASSWORD '{pw}'")
        if self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'").strip() != "1":
            self.psql(f'CREATE DATABASE "{db}" OWNER "{user}"')
