"""One client cannot flood the operators' queue: 50 REST sessions asking for a person from one address
used to queue 50 conversations. With the per-client limit (CONSOLE_QUEUE_MAX_WAITING_PER_CLIENT, 2
here) the third gets a polite answer, is not paused (the bot still answers it), and nothing more is
queued. The whole product on its own ports, with its own console store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.links import link
from tests.support.stack import RunningStack, new_sender, start_stack, texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from console_support import Operator, add_operator  # noqa: E402


@pytest.fixture(scope="module")
def limited_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(
        tmp_path_factory.mktemp("limited"),
        extra_env={
            "CONSOLE_QUEUE_MAX_WAITING": "10",
            "CONSOLE_QUEUE_MAX_WAITING_PER_CLIENT": "2",
            "CONSOLE_QUEUE_MAX_WAITING_UNVERIFIED_PER_CLIENT": "2",  # 1 by default (tests/console)
        },
    )
    yield running
    running.stop()


def test_one_client_gets_its_share_of_the_queue_and_a_polite_answer_after(limited_stack: RunningStack) -> None:
    stack = limited_stack
    add_operator(stack.env, "limit-op")
    operator = Operator(stack.console_url, "limit-op")
    senders = [new_sender() for _ in range(4)]
    answers = [texts(stack.say(sender, "担当者と話したい")) for sender in senders]
    assert all("担当者におつなぎします" in answer for answer in answers[:2]), answers
    for refused, sender in zip(answers[2:], senders[2:], strict=True):
        # No contact page is configured on the test stack: the answer names it without a (fake) link.
        assert "担当者に新たにおつなぎできません" in refused and "OCNのお問い合わせ窓口" in refused, refused
        assert link("contact", stack.env) not in refused
        assert "変更できません" in texts(stack.say(sender, "お客さま番号を変更したい"))  # not paused
    assert [row["status"] for row in operator.queue()] == ["waiting", "waiting"]
    operator.post("/signout")
