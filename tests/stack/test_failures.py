"""When a service behind the bot is down, the customer gets a polite answer and can go on."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tests.support.stack import RunningStack, buttons, new_sender, start_stack, texts


@pytest.fixture(scope="module")
def fragile_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A stack of its own, because these tests stop some of its services."""
    running = start_stack(tmp_path_factory.mktemp("fragile"), extra_env={"ACCOUNT_API_RETRIES": "1"})
    yield running
    running.stop()


def _kill(stack: RunningStack, name: str) -> None:
    service = stack.service(name)
    assert service.process is not None
    os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait(timeout=10)


def test_account_api_down_apologizes_and_the_conversation_continues(fragile_stack: RunningStack) -> None:
    sender = new_sender()
    fragile_stack.say(sender, '/start_procedure{"procedure": "reset_ocn_password"}')
    _kill(fragile_stack, "account-api")
    messages = fragile_stack.say(sender, "N123456789")
    reply = texts(messages)
    assert "つながりにくく" in reply and "行われていません" in reply
    assert any(b["payload"] == "/request_human" for b in buttons(messages))
    # Not stuck in the form: an ordinary question is answered.
    assert "変更できません" in texts(fragile_stack.say(sender, "接続用IDを変更したい"))


def test_action_server_down_gets_a_reply_not_silence(fragile_stack: RunningStack) -> None:
    sender = new_sender()
    _kill(fragile_stack, "actions")
    reply = texts(fragile_stack.say(sender, "OCN IDを確認したい"))
    assert "お答えできませんでした" in reply
