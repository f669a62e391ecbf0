"""Backups of the scaled mode's PostgreSQL databases: the tracker store (Rasa's `events`, database
`SCALED_PG_DB`) and the console's store (handoff queue, operators, review queue, database
`SCALED_CONSOLE_PG_DB`), each owned by its own role (deploy/postgres_roles.py).

    .venv/bin/python -m deploy.backup backup [--out DIR]      # make scaled-backup
    .venv/bin/python -m deploy.backup restore DIR             # make scaled-restore FILE=...

`backup` runs pg_dump for each database (custom format, compressed, each one consistent snapshot: a live
bot keeps writing meanwhile) into a folder, `<state dir>/backups/<UTC time>/` by default: `tracker.dump`
and `console.dump`, folder 0700 and files 0600 (they hold conversations).
`restore` starts the cluster if it is not running (a fresh one, initdb'd with both roles and databases,
where the old one is lost) and runs pg_restore --clean into each database: what the dump holds replaces
what is there, owned by the same roles. Best done with the bot stopped (`deploy.scaled down`, then
`restore`, then `up`); a running bot reconnects by itself (pooled connections are checked before use),
and a conversation continues from the turn the backup holds. Both run as the cluster's superuser over
TCP, with its own password (deploy's, never a process's), handed to the client in its environment.
The sandbox (SQLite, `account_api.sqlite3`) and Redis (locks, rate counters) are not backed up: the
sandbox stands in for OCN's own system, and Redis holds nothing that outlives a minute.

Backups keep conversations too, so they follow the retention period: `backup` deletes the folders under
`<state dir>/backups/` older than RETENTION_DAYS, and `restore` runs the retention job right after, which
deletes what is past the period and forgets again every customer who asked to be forgotten after the
backup was taken (bot_server/retention.py, from the audit log's keyed hashes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bot_server.retention import DAY, DEFAULT_RETENTION_DAYS
from deploy.environment import process_env
from deploy.postgres import Postgres
from deploy.settings import ScaledSettings, load

SUPERUSER = "postgres"
BACKUP_NAME = "%Y%m%dT%H%M%SZ"  # a backup folder's name: its UTC time


def _client_env(s: ScaledSettings) -> dict[str, str]:
    return dict(os.environ, PGPASSWORD=s.pg_admin_password, PGCONNECT_TIMEOUT="10")


def _databases(s: ScaledSettings) -> dict[str, str]:
    """The dump file of each database in a backup folder."""
    return {"tracker.dump": s.pg_db, "console.dump": s.console_pg_db}


def _connection_args(s: ScaledSettings, db: str) -> list[str]:
    return ["-h", "127.0.0.1", "-p", str(s.ports.postgres), "-U", SUPERUSER, "-d", db]


def default_backup_path(s: ScaledSettings) -> Path:
    return s.state_dir / "backups" / datetime.now(timezone.utc).strftime(BACKUP_NAME)


def backup(s: ScaledSettings, out: Path | None = None) -> Path:
    """pg_dump of both databases into the folder `out` (0700, files 0600); returns the folder."""
    if s.pg_bin is None:
        raise FileNotFoundError("PostgreSQL binaries not found (set SCALED_PG_BIN)")
    out = out or default_backup_path(s)
    partial = out.with_name(out.name + ".partial")
    partial.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, db in _databases(s).items():
        fd = os.open(partial / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        command = [
            str(s.pg_bin / "pg_dump"),
            *_connection_args(s, db),
            "--format=custom",
            "--file",
            str(partial / name),
        ]
        subprocess.run(command, env=_client_env(s), check=True, capture_output=True, text=True)
    partial.replace(out)  # a failed dump never leaves a folder that looks complete
    prune_backups(s, time.time())
    return out


def prune_backups(s: ScaledSettings, now: float) -> list[Path]:
    """Deletes the backup folders older than the retention period (by their UTC name); returns them."""
    days = int(os.environ.get("RETENTION_DAYS", "").strip() or DEFAULT_RETENTION_DAYS)
    cutoff = datetime.fromtimestamp(now - days * DAY, timezone.utc).strftime(BACKUP_NAME)
    folder = s.state_dir / "backups"
    old = [p for p in folder.glob("*") if p.is_dir() and _is_backup_name(p.name) and p.name < cutoff]
    for path in old:
        shutil.rmtree(path)
    return old


def _is_backup_name(name: str) -> bool:
    try:
        datetime.strptime(name, BACKUP_NAME)
    except ValueError:
        return False
    return True


def restore(s: ScaledSettings, folder: Path) -> None:
    """Both dumps into the cluster's databases, replacing what is there (a fresh cluster if none runs)."""
    missing = [name for name in _databases(s) if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"no backup at {folder} (missing {', '.join(missing)})")
    Postgres(s).start()  # idempotent; initdb + roles + databases when the cluster is gone (needs pg_bin)
    if s.pg_bin is None:
        raise FileNotFoundError("PostgreSQL binaries not found (set SCALED_PG_BIN)")
    for name, db in _databases(s).items():
        command = [str(s.pg_bin / "pg_restore"), *_connection_args(s, db), "--clean", "--if-exists"]
        command += ["--single-transaction", str(folder / name)]
        subprocess.run(command, env=_client_env(s), check=True, capture_output=True, text=True)
    # What the backup held past the period, and customers forgotten since it was taken: gone again.
    job = [sys.executable, "-m", "bot_server", "retention"]
    subprocess.run(job, env=process_env(s, "retention"), check=True, capture_output=True, text=True, timeout=600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.backup", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup", help="pg_dump the tracker and console stores")
    make.add_argument("--out", type=Path, help="folder to write (default <state dir>/backups/<UTC time>/)")
    back = sub.add_parser("restore", help="pg_restore a backup into the cluster (started, or created, if needed)")
    back.add_argument("file", type=Path, help="a backup folder")
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
            print(f"Restored {args.file} into {s.pg_db} and {s.console_pg_db} (port {s.ports.postgres}).")
    except (subprocess.CalledProcessError, FileNotFoundError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        print(f"deploy.backup {args.command} failed: {detail.strip()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
