"""Backups of the scaled mode (deploy/backup.py, `make scaled-backup` / `scaled-restore`): a backup
taken mid-conversation, restored into a fresh PostgreSQL cluster (the old one deleted), lets the
conversation continue where it was, and the console's store comes back with it. Also: the scaled mode
runs the retention job (devstack/retention.py) next to the servers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa
from scaled_chat import ROOT, Reply, say, user_texts

from console.handoff_queue import HandoffQueue
from console.retention import forget_handoffs
from deploy.scaled import ScaledStack

pytestmark = pytest.mark.scaled


async def chat(url: str, sender: str, *texts: str) -> list[Reply]:
    async with aiohttp.ClientSession() as session:
        return [await say(session, url, sender, text) for text in texts]


def backup_command(env: dict, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "deploy.backup", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_conversation_continues_after_a_restore_into_a_fresh_cluster(
    scaled: ScaledStack, scaled_env: dict, tmp_path: Path
) -> None:
    url = scaled.s.rasa_url
    customer = f"backup-{uuid.uuid4().hex[:8]}"
    [asked] = asyncio.run(chat(url, customer, "接続用IDを知りたい"))
    assert asked.status == 200 and asked.texts
    # The console's own database, as its own role (deploy/postgres_roles.py).
    console = sa.create_engine("postgresql://", creator=lambda: scaled.pg_connect(as_console=True), pool_pre_ping=True)
    HandoffQueue(console).enqueue(f"rest:{customer}", "rest", "check_connection_id")

    dump = tmp_path / "mid-conversation.dump"
    made = backup_command(scaled_env, "backup", "--out", str(dump))
    assert made.returncode == 0, made.stderr
    scaled.pg.remove()  # the cluster is lost: data folder and all
    restored = backup_command(scaled_env, "restore", str(dump))
    assert restored.returncode == 0, restored.stderr

    [answer] = asyncio.run(chat(url, customer, "いいえ"))
    twin = asyncio.run(chat(url, f"twin-{uuid.uuid4().hex[:8]}", "接続用IDを知りたい", "いいえ"))
    [out_of_context] = asyncio.run(chat(url, f"fresh-{uuid.uuid4().hex[:8]}", "いいえ"))
    # The answer is the one given in context (as to a conversation never interrupted), not to a bare 「いいえ」.
    assert answer.status == 200 and answer.texts == twin[1].texts != out_of_context.texts
    with scaled.pg_connect() as connection:
        assert user_texts(connection, customer) == ["接続用IDを知りたい", "いいえ"]  # once each
    assert [h.conversation_id for h in HandoffQueue(console).open()].count(f"rest:{customer}") == 1
    forget_handoffs(console, f"rest:{customer}")  # leave the queue as the other tests expect it
    console.dispose()


def test_a_backup_that_cannot_be_read_fails_politely(scaled: ScaledStack, scaled_env: dict, tmp_path: Path) -> None:
    missing = backup_command(scaled_env, "restore", str(tmp_path / "no-such.dump"))
    assert missing.returncode == 1 and "no backup at" in missing.stderr and "Traceback" not in missing.stderr


def test_the_scaled_mode_runs_the_retention_job(scaled: ScaledStack) -> None:
    assert "retention" in scaled.running_parts()
    audit = scaled.s.state_dir / "retention-audit.log"
    deadline = time.monotonic() + 120  # its first run starts with the stack
    while not (audit.exists() and '"event": "retention"' in audit.read_text()):
        assert time.monotonic() < deadline, "the retention job never ran"
        time.sleep(0.5)
