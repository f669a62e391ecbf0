"""A private PostgreSQL server for the scaled mode: pg_ctl start/stop, readiness, and the tracker
store's role and database, created on first start.

TCP on 127.0.0.1 only (no Unix socket), scram-sha-256 passwords. The cluster on disk (where it lives,
initdb, its configuration, running as the `postgres` user when we are root): deploy/postgres_cluster.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from deploy.postgres_cluster import PostgresCluster
from deploy.settings import ScaledSettings
from devstack.processes import wait_healthy


class Postgres:
    def __init__(self, s: ScaledSettings) -> None:
        if s.pg_bin is None:
            raise RuntimeError("PostgreSQL server binaries not found (set SCALED_PG_BIN)")
        self.s = s
        self.bin = s.pg_bin
        self.cluster = PostgresCluster(s, s.pg_bin)
        self.home = self.cluster.home
        self.data = self.cluster.data
        self.log_path = self.cluster.log_path

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
        fresh = not self.cluster.initialized()
        self.cluster.init()
        self.cluster.write_conf()
        if not self.running():
            subprocess.run(
                self.cluster.command(
                    "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", str(int(timeout)), "start"
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self.wait_ready(timeout)
        if fresh or not self._has_role():
            self._create_role_and_db()

    def stop(self, mode: str = "fast") -> bool:
        if not self.cluster.initialized() or not self.running():
            return False
        subprocess.run(
            self.cluster.command("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"),
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
