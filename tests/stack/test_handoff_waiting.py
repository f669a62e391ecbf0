"""A customer waits long (REST, the product stack with a short CONSOLE_WAIT_TIMEOUT_SECONDS): the bot
asks whether to keep waiting; typed はい keeps them queued with the timeout started again, 「連絡先を
教えて」 ends the row (timed_out) and the bot answers again; anything else goes to the operator."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import RunningStack, new_sender, start_stack, texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from console_support import Operator, add_operator  # noqa: E402

OFFER = "このままお待ちになりますか"


@pytest.fixture(scope="module")
def waiting_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(
        tmp_path_factory.mktemp("waiting"),
        extra_env={"CONSOLE_WAIT_TIMEOUT_SECONDS": "3", "CONSOLE_WAIT_ANSWER_SECONDS": "120"},
    )
    yield running
    running.stop()


def bot_lines(operator: Operator, handoff_id: str) -> list[str]:
    lines = operator.get(f"/handoffs/{handoff_id}/transcript").json()["lines"]
    return [line["text"] for line in lines if line["kind"] == "bot"]


def wait_for_offer(operator: Operator, handoff_id: str, times: int) -> None:
    """Awaits the console's sweep asking the customer (seen in the transcript) the `times`-th time."""
    deadline = time.monotonic() + 30
    while sum(OFFER in text for text in bot_lines(operator, handoff_id)) < times:
        assert time.monotonic() < deadline, (
            f"the customer was not asked whether to keep waiting: {bot_lines(operator, handoff_id)}"
        )
        time.sleep(0.2)


def test_a_customer_who_waits_long_chooses_to_wait_then_the_contact_page(waiting_stack: RunningStack) -> None:
    stack = waiting_stack
    add_operator(stack.env, "wait-op")
    operator = Operator(stack.console_url, "wait-op")
    sender = new_sender()
    before = {row["id"] for row in operator.queue()}
    assert "担当者におつなぎします" in texts(stack.say(sender, "担当者と話したい"))
    (row,) = [r for r in operator.queue() if r["id"] not in before]

    # Before the question, 「はい」 is a message for the operator like any other.
    assert stack.say(sender, "はい") == []
    wait_for_offer(operator, row["id"], 1)
    assert stack.say(sender, "IDを忘れました") == []  # not an answer: the operator's
    assert "このままお待ちください" in texts(stack.say(sender, "はい"))
    assert next(r for r in operator.queue() if r["id"] == row["id"])["status"] == "waiting"

    wait_for_offer(operator, row["id"], 2)  # the timeout started again
    answer = texts(stack.say(sender, "連絡先を教えてください。"))
    assert "担当者へのおつなぎを取りやめました" in answer and "チャットボットがお答えします" in answer
    ended = next(r for r in operator.queue() if r["id"] == row["id"])
    assert ended["status"] == "timed_out" and ended["ended"]
    assert "変更できません" in texts(stack.say(sender, "お客さま番号を変更したい"))  # the bot is back
