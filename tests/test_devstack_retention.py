"""`make run` applies the retention period at start and then on a schedule (devstack/retention.py):
old conversations disappear from the tracker store and old sent messages from the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from account_api.store import Store
from benchmarks.synthetic_store import Conversation, events_table
from devstack.config import Ports, service_env
from devstack.processes import stop, terminate
from devstack.services import product_services

ROOT = Path(__file__).resolve().parents[1]
DAY = 86400


def add_old_conversation(url: str, sender: str) -> None:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    table = events_table(metadata)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), Conversation(sender, time.time() - 100 * DAY).miss("古い質問").rows)
    engine.dispose()


def senders(url: str) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = set(connection.execute(sa.text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    return found


def audit_lines(var_dir: Path) -> int:
    path = var_dir / "retention-audit.log"
    return path.read_text().count('"event": "retention"') if path.exists() else 0


def wait_until(condition, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the retention job did not run in time"
        time.sleep(0.2)


def test_make_run_starts_the_retention_job() -> None:
    names = [service.name for service in product_services(Ports(), ROOT / "models" / "m.tar.gz", web=False)]
    assert "retention" in names


def test_the_job_runs_at_start_and_again_every_interval(tmp_path: Path) -> None:
    env = service_env(Ports(), base={k: v for k, v in os.environ.items() if "STORE_URL" not in k}, var_dir=tmp_path)
    env["RETENTION_DAYS"] = "90"
    url = env["TRACKER_STORE_URL"]
    add_old_conversation(url, "web:first000")
    sandbox = Store(Path(env["ACCOUNT_API_DB"]))
    sandbox.create_schema()
    with sandbox.transaction():
        sandbox.outbox.add(
            now=time.time() - 100 * DAY,
            channel="sms",
            destination="09011112222",
            customer_number=None,
            kind="code",
            subject="",
            body="token",
        )
    log = (tmp_path / "retention.log").open("w")
    job = subprocess.Popen(
        [sys.executable, "-m", "devstack.retention", "--every", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        wait_until(lambda: "web:first000" not in senders(url))  # at start
        wait_until(lambda: not sandbox.outbox.latest(None, 10))
        add_old_conversation(url, "web:second00")
        wait_until(lambda: "web:second00" not in senders(url))  # and again at the next interval
        wait_until(lambda: audit_lines(tmp_path) >= 2)  # each run leaves its audit line
        assert job.poll() is None  # the schedule goes on
    finally:
        terminate(job)
        stop(job, 10)
        sandbox.close()
        log.close()
