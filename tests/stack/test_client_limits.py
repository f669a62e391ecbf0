"""Code limits per client, end to end: the REST channel's client reference reaches the account sandbox
(account_api/README.md "Lockout"), so one client gets 3 codes an hour for an account however many
conversations it opens, and the reference is stored only hashed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from channels.client_ref import client_ref
from tests.support.stack import RunningStack, new_sender, texts

TARO = {"number": "N123456789", "phone": "090-1234-5678"}


@pytest.fixture
def fresh_days(stack: RunningStack) -> Iterator[None]:
    """A new day on the sandbox clock before (a clean budget) and after (the next tests get theirs)."""
    advance_a_day(stack)
    yield
    advance_a_day(stack)


def advance_a_day(stack: RunningStack) -> None:
    stack.start_a_new_day()


def start_code(stack: RunningStack) -> str:
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "send_ocn_id"}')
    return texts(stack.say(sender, TARO["number"]))


def test_one_client_gets_three_codes_an_hour_whatever_its_conversations(stack: RunningStack, fresh_days: None) -> None:
    for _ in range(3):
        assert "確認コードをお送りしました" in start_code(stack)
    assert "確認コードの送信を一時的に制限しております" in start_code(stack)

    db = stack.env["ACCOUNT_API_DB"]
    with sqlite3.connect(db) as connection:
        clients = [row[0] for row in connection.execute("SELECT client FROM verifications ORDER BY created_at")]
        dump = "\n".join(connection.iterdump())
    assert len(set(clients[-3:])) == 1  # one client, three conversations: the reference was passed on
    # The bot's references (cr1_…, channels/client_ref.py) are stored only re-hashed with the pepper.
    assert (client_ref("address", "127.0.0.1") or "").startswith("cr1_") and "cr1_" not in dump
