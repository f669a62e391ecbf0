"""Backups of the scaled mode's PostgreSQL database: the tracker store (Rasa's `events`) and the
console's store (handoff queue, operators, review queue) live in the one database `SCALED_PG_DB`.

    .venv/bin/python -m deploy.backup backup [--out FILE]     # make scaled-backup
    .venv/bin/python -m deploy.backup restore FILE            # make scaled-restore FILE=...

`backup` runs pg_dump (custom format, compressed, one consistent snapshot: a live bot keeps writing
meanwhile) into `<state dir>/backups/<UTC time>.dump` by default, mode 0600 (it holds conversations).
`restore` starts the cluster if it is not running (a fresh one, initdb'd with the tracker store's role
and database, where the old one is lost) and runs pg_restore --clean into the database: what the dump
holds replaces what is there. Best done with the bot stopped (`deploy.scaled down`, then `restore`, then
`up`); a running bot reconnects by itself (pooled connections are checked before use), and a
conversation continues from the turn the backup holds. Both run as the cluster's superuser over TCP.
The sandbox (SQLite, `account_api.sqlite3`) and Redis (locks, rate counters) are not backed up: the
sandbox stands in for OCN's own system, and Redis holds nothing that outlives a minute.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from deploy.postgres import Postgres
from deploy.settings import ScaledSettings, load

SUPERUSER = "postgres"


def _client_env(s: ScaledSettings) -> dict[str, str]:
    return dict(os.environ, PGPASSWORD=s.pg_password, PGCONNECT_TIMEOUT="10")


def _connection_args(s: ScaledSettings) -> list[str]:
    return ["-h", "127.0.0.1", "-p", str(s.ports.postgres), "-U", SUPERUSER, "-d", s.pg_db]


def default_backup_path(s: ScaledSettings) -> Path:
    return s.state_dir / "backups" / (datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + ".dump")


def backup(s: ScaledSettings, out: Path | None = None) -> Path:
    """pg_dump of the database into `out` (0600); returns the file."""
    if s.pg_bin is None:
        raise FileNotFoundError("PostgreSQL binaries not found (set SCALED_PG_BIN)")
    out = out or default_backup_path(s)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    command = [str(s.pg_bin / "pg_dump"), *_connection_args(s), "--format=custom", "--file", str(partial)]
    subprocess.run(command, env=_client_env(s), check=True, capture_output=True, text=True)
    partial.replace(out)  # a failed dump never leaves a file that looks complete
    return out


def restore(s: ScaledSettings, dump: Path) -> None:
    """The dump into the cluster's database, replacing what is there (a fresh cluster if none runs)."""
    if not dump.is_file():
        raise FileNotFoundError(f"no backup at {dump}")
    Postgres(s).start()  # idempotent; initdb + role + database when the cluster is gone (needs pg_bin)
    assert s.pg_bin is not None  # Postgres() refuses to start without it
    command = [str(s.pg_bin / "pg_restore"), *_connection_args(s), "--clean", "--if-exists", "--single-transaction"]
    subprocess.run([*command, str(dump)], env=_client_env(s), check=True, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.backup", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup", help="pg_dump the tracker and console stores")
    make.add_argument("--out", type=Path, help="file to write (default <state dir>/backups/<time>.dump)")
    back = sub.add_parser("restore", help="pg_restore a backup into the cluster (started, or created, if needed)")
    back.add_argument("file", type=Path)
    for command in (make, back):
        command.add_argument("--base-port", type=int, default=None)
    args = parser.parse_args(argv)
    from deploy.scaled import ScaledStack

    first = load()
    base = args.base_port or ScaledStack(first).layout().get("base_port", first.ports.base)
    s = load(base_port=base)
    try:
        if args.command == "backup":
            print(f"Backup written: {backup(s, args.out)}")
        else:
            restore(s, args.file)
            print(f"Restored {args.file} into {s.pg_db} (port {s.ports.postgres}).")
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        print(f"deploy.backup {args.command} failed: {detail.strip()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
