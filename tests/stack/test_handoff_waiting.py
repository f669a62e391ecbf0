"""A customer waits long (REST, the product stack with a short CONSOLE_WAIT_TIMEOUT_SECONDS): the bot
asks whether to keep waiting; typed はい keeps them queued with the timeout started again, 「連絡先を
教えて」 ends the row (timed_out) and the bot answers again; anything else goes to the operator."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import SHARED_LOOPBACK, RunningStack, new_sender, start_stack, texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from console_support import Operator, add_operator  # noqa: E402

OFFER = "このままお待ちになりますか"


@pytest.fixture(scope="module")
def waiting_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(
        tmp_path_factory.mktemp("waiting"),
        extra_env={"CONSOLE_WAIT_TIMEOUT_SECONDS": "3", "CONSOLE_WAIT_ANSWER_SECONDS": "120", **SHARED_LOOPBACK},
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


def place_of(message: dict) -> int | None:
    """A place-in-the-queue marker as socket.io emits it (the action's custom JSON, unwrapped)."""
    return message.get("position") if message.get("handoff") == "waiting" else None


def test_a_web_customer_is_told_their_new_place_when_the_one_ahead_is_taken(waiting_stack: RunningStack) -> None:
    """The place reaches the widget as a marker (its status line, no bubble): 2nd, then 1st."""
    import asyncio

    from console_support import WidgetCustomer

    stack = waiting_stack
    add_operator(stack.env, "place-op")
    operator = Operator(stack.console_url, "place-op")

    async def scenario() -> list[dict]:
        ahead, behind = WidgetCustomer(), WidgetCustomer()
        for customer in (ahead, behind):
            await customer.connect(stack.rasa_url)
        before = {row["id"] for row in operator.queue()}
        await ahead.say("担当者と話したい")
        await ahead.wait_text("担当者におつなぎします")
        await behind.say("担当者と話したい")
        await behind.wait_text("順番は2番目です")
        (first,) = [r for r in operator.queue() if r["id"] not in before and r["position"] == 1]
        assert operator.post(f"/handoffs/{first['id']}/take").status_code == 200
        deadline = time.monotonic() + 15
        while not any(place_of(m) == 1 for m in behind.received):
            assert time.monotonic() < deadline, f"no new place for the customer: {behind.received}"
            await asyncio.sleep(0.1)
        for customer in (ahead, behind):
            await customer.sio.disconnect()
        return behind.received

    received = asyncio.run(scenario())
    marker = next(m for m in received if place_of(m) == 1)
    assert marker == {"handoff": "waiting", "position": 1}  # no text: the widget's status line, no bubble
