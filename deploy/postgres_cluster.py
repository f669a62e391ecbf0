"""A private PostgreSQL cluster on disk: where it lives and who owns it, initdb and its configuration,
and how its server binaries run (as the `postgres` system user when we are root).

Where the cluster lives (`cluster_home`): run as ourselves, under the state directory. Run as
`postgres`, in a folder that user owns outside the clone — the clone may sit in a folder only root
can enter (root's home, a `mktemp -d` folder: mode 700), where initdb could not reach its data.
`SCALED_PG_HOME` chooses the folder explicitly; `<state dir>/pg-home` names it for people.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import subprocess
import tempfile
from pathlib import Path

from deploy.environment import server_env
from deploy.private_files import write_private
from deploy.settings import ScaledSettings

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


class PostgresCluster:
    def __init__(self, s: ScaledSettings, bin_dir: Path) -> None:
        self.s = s
        self.bin = bin_dir
        self.user = _run_as()
        self.home = cluster_home(s, self.user)
        self.data = self.home / "data"
        self.log_path = self.home / "postgres.log"

    def command(self, *args: str) -> list[str]:
        """A server binary with its arguments, run as the cluster's owner."""
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
        write_private(self.s.state_dir / "pg-home", f"{self.home}\n")
        with tempfile.NamedTemporaryFile("w", dir=self.home, delete=False) as pw:
            pw.write(self.s.pg_admin_password + "\n")
        self._chown(Path(pw.name))
        try:
            subprocess.run(
                self.command(
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
                env=server_env(),
            )
        finally:
            os.unlink(pw.name)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\ninclude_if_exists = 'scaled.conf'\n")

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
