"""The sandbox keeps what it sent and its verifications for RETENTION_DAYS, then `python -m account_api
purge` (run by `make run` every hour, devstack/retention.py) deletes them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from account_api.cli import main
from account_api.records import Verification
from account_api.store import Store

DAY = 86400


def verification(vid: str, created_at: float, verified_until: float | None = None) -> Verification:
    return Verification(
        id=vid,
        conversation_id=f"line:U{vid}",
        subject="s",
        client="c",
        client_group="c",
        client_block="c",
        named="n",
        customer_number=None,
        code_hash=None,
        status="verified" if verified_until else "pending",
        created_at=created_at,
        expires_at=created_at + 600,
        verified_until=verified_until,
    )


def fill(path: Path, now: float) -> None:
    store = Store(path)
    store.create_schema()
    with store.transaction():
        for age_days, destination in ((100, "09011110000"), (91, "09022220000"), (3, "09033330000")):
            store.outbox.add(
                now=now - age_days * DAY,
                channel="sms",
                destination=destination,
                customer_number=None,
                kind="code",
                subject="",
                body="token",
            )
            store.verifications.add(verification(f"v{age_days}", now - age_days * DAY))
    store.close()


def remaining(path: Path) -> tuple[list[str], list[str]]:
    store = Store(path)
    destinations = [row["destination"] for row in store.outbox.latest(None, 100)]
    ids = [row[0] for row in store.conn.execute("SELECT id FROM verifications ORDER BY id")]
    store.close()
    return destinations, ids


def test_purge_deletes_sent_messages_and_verifications_older_than_the_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sandbox.sqlite3"
    fill(path, time.time())
    monkeypatch.setenv("ACCOUNT_API_DB", str(path))
    monkeypatch.setenv("RETENTION_DAYS", "90")

    assert main(["purge"]) == 0

    assert json.loads(capsys.readouterr().out)["deleted"] == {"outbox": 2, "verifications": 2}
    destinations, ids = remaining(path)
    assert "09033330000" in destinations and "09011110000" not in destinations and "09022220000" not in destinations
    assert ids == ["v3"]


def test_purge_keeps_a_verification_still_valid_and_refuses_a_period_under_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sandbox.sqlite3"
    now = time.time()
    store = Store(path)
    store.create_schema()
    with store.transaction():
        store.verifications.add(verification("long", now - 10 * DAY, verified_until=now + 600))
    store.close()
    monkeypatch.setenv("ACCOUNT_API_DB", str(path))

    assert main(["purge", "--days", "1"]) == 0
    assert remaining(path)[1] == ["long"]
    assert main(["purge", "--days", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err


def test_forget_unlinks_a_conversations_verifications_and_keeps_them_counting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deletion request: the sandbox's rows no longer name the conversation (a LINE user id), but they
    still count for the code limits, so a forget never resets a budget."""
    from in_process import InProcess, new_conversation, wrong

    sandbox = InProcess(tmp_path)
    customer = sandbox.customer()
    conversation = "line:U4af4980629" + "a" * 17
    started = sandbox.start(conversation, "client-1", customer_number=customer.customer_number)
    sandbox.confirm(started.body["verification_id"], conversation, wrong(sandbox.latest_code(customer)))
    sandbox.start(new_conversation(), "client-2", customer_number=customer.customer_number)
    sandbox.close()
    monkeypatch.setenv("ACCOUNT_API_DB", str(tmp_path / "sandbox.sqlite3"))

    assert main(["forget", "--conversation", conversation]) == 0
    assert json.loads(capsys.readouterr().out)["unlinked"]["verifications"] == 1

    store = Store(tmp_path / "sandbox.sqlite3")
    rows = [
        row[0]
        for table in ("verifications", "wrong_codes", "audit_log")
        for row in store.conn.execute(f"SELECT conversation_id FROM {table}")
    ]
    assert conversation not in rows and "forgotten" in rows
    assert store.conn.execute("SELECT count(*) FROM verifications").fetchone()[0] == 2  # still counted
    store.close()
