"""A private PostgreSQL server for the scaled mode: pg_ctl start/stop, readiness, and on every start the
roles, databases and grants of deploy/postgres_roles.py and each role's PGPASSFILE.

TCP on 127.0.0.1 only (no Unix socket), scram-sha-256 passwords; the superuser's password is deploy's
alone. The cluster on disk (where it lives,
initdb, its configuration, running as the `postgres` user when we are root): deploy/postgres_cluster.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from deploy.environment import server_env, write_pgpass_files
from deploy.postgres_cluster import PostgresCluster
from deploy.postgres_roles import ensure_roles
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
        self.cluster.init()
        self.cluster.write_conf()
        if not self.running():
            subprocess.run(
                self.cluster.command(
                    "pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", str(int(timeout)), "start"
                ),
                check=True,
                stdout=subprocess.DEVNULL,
                env=server_env(),
            )
        self.wait_ready(timeout)
        ensure_roles(self.s, self.admin_connect)
        write_pgpass_files(self.s)

    def stop(self, mode: str = "fast") -> bool:
        if not self.cluster.initialized() or not self.running():
            return False
        subprocess.run(
            self.cluster.command("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"),
            check=False,
            stdout=subprocess.DEVNULL,
            env=server_env(),
        )
        return True

    def connect(self, as_console: bool = False):  # type: ignore[no-untyped-def]
        """A psycopg2 connection as the tracker store's role to its database (or as the console's role to the
        console's database): tests and benchmarks read what the parts stored."""
        import psycopg2

        s = self.s
        user, password, db = (
            (s.console_pg_user, s.console_pg_password, s.console_pg_db)
            if as_console
            else (s.pg_user, s.pg_password, s.pg_db)
        )
        return psycopg2.connect(
            host="127.0.0.1", port=s.ports.postgres, user=user, password=password, dbname=db, connect_timeout=5
        )

    def admin_connect(self, db: str = "postgres"):  # type: ignore[no-untyped-def]
        """The superuser, for deploy itself (roles, databases, grants), with autocommit. A cluster made
        before the superuser had its own password (it had the tracker role's) gets its own one now."""
        import psycopg2

        def connect(password: str):  # type: ignore[no-untyped-def]
            connection = psycopg2.connect(
                host="127.0.0.1",
                port=self.s.ports.postgres,
                user="postgres",
                password=password,
                dbname=db,
                connect_timeout=5,
            )
            connection.autocommit = True
            return connection

        try:
            return connect(self.s.pg_admin_password)
        except psycopg2.OperationalError as error:
            if "password authentication failed" not in str(error):
                raise
            connection = connect(self.s.pg_password)
            with connection.cursor() as cur:
                cur.execute("ALTER ROLE postgres PASSWORD %s", (self.s.pg_admin_password,))
            return connection

    def create_tracker_indexes(self) -> list[str]:
        """The console report's indexes on the tracker's `events` table, made by its owner (the console's
        role may only read it). Once Rasa has created the table, i.e. after a Rasa server started."""
        import sqlalchemy as sa

        from console.insight.indexes import ensure_indexes

        engine = sa.create_engine(self.s.tracker_store_url, connect_args={"password": self.s.pg_password})
        try:
            return ensure_indexes(engine)
        finally:
            engine.dispose()

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
