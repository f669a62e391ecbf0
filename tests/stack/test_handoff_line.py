"""A person takes over on LINE (fake LINE API): queued, the operator's messages and the notices
arrive as pushes (the reply token has expired by then), handed back, the bot answers by reply."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import requests

from tests.channels.line_fakes import FakeLineApi, sign, text_event
from tests.stack.test_channels_same_answer import line_say, line_texts
from tests.support.stack import RunningStack, new_sender

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from console_support import Operator, add_operator  # noqa: E402


def _pushed_to(fake: FakeLineApi, user: str, containing: str, timeout: float = 10) -> str:
    """Waits (on the fake LINE API's own condition) for a push to `user` containing `containing`."""
    found: list[str] = []

    def pushed(calls: list[dict]) -> bool:
        for call in calls:
            if call["kind"] == "push" and call["body"]["to"] == user:
                text = "\n".join(m.get("text", "") for m in call["body"]["messages"])
                if containing in text:
                    found.append(text)
                    return True
        return False

    assert fake.wait_for(pushed, timeout), f"no push to {user} containing {containing!r}: {fake.of('push')}"
    return found[-1]


def test_line_customer_is_handed_to_an_operator_and_back(line_stack: tuple[RunningStack, FakeLineApi]) -> None:
    stack, fake = line_stack
    add_operator(stack.env, "line-op")
    operator = Operator(stack.console_url, "line-op")
    before = {row["id"] for row in operator.queue()}
    user = "U" + new_sender().replace("-", "")
    assert "担当者におつなぎします" in line_texts(line_say(stack, fake, user, "担当者と話したい"))
    row = next(r for r in operator.queue() if r["id"] not in before)
    assert row["channel"] == "line"

    assert operator.post(f"/handoffs/{row['id']}/take").status_code == 200
    _pushed_to(fake, user, "担当者がチャットに参加しました")
    note = "社内メモ：LINEのお客さまには見せない"
    assert operator.post(f"/handoffs/{row['id']}/notes", {"text": note}).status_code == 201
    assert operator.post(f"/handoffs/{row['id']}/messages", {"text": "担当の佐藤です。"}).status_code == 204
    _pushed_to(fake, user, "担当の佐藤です。")  # sent after the note

    # The customer's answer goes to the operator; the bot does not answer it.
    calls = len(fake.calls)
    post_line_text(stack, user, "はい、お願いします")
    operator.wait_for_customer_line(row["id"], "はい、お願いします")
    assert [c for c in fake.calls[calls:] if c["kind"] in ("reply", "push")] == []

    assert operator.post(f"/handoffs/{row['id']}/handback", {"outcome": "resolved"}).status_code == 200
    _pushed_to(fake, user, "ここからはチャットボットがお答えします")
    assert "変更できません" in line_texts(line_say(stack, fake, user, "お客さま番号を変更したい"))
    # The internal note reached LINE in no push or reply (issue 24).
    assert not any("社内メモ" in json.dumps(call["body"], ensure_ascii=False) for call in fake.calls)
    operator.post("/signout")


def post_line_text(stack: RunningStack, user: str, text: str) -> None:
    body = json.dumps({"destination": "Uxxxxxxxx", "events": [text_event(text, {"type": "user", "userId": user})]})
    response = requests.post(
        f"{stack.rasa_url}/webhooks/line/webhook",
        data=body.encode(),
        headers={"X-Line-Signature": sign(body.encode()), "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200


def test_no_loading_animation_while_queued_and_the_customer_can_leave(
    line_stack: tuple[RunningStack, FakeLineApi],
) -> None:
    stack, fake = line_stack
    add_operator(stack.env, "line-queue-op")
    operator = Operator(stack.console_url, "line-queue-op")
    user = "U" + new_sender().replace("-", "")

    def loading_calls() -> int:
        return sum(1 for call in fake.of("loading") if call["body"]["chatId"] == user)

    assert "担当者におつなぎします" in line_texts(line_say(stack, fake, user, "担当者と話したい"))
    assert loading_calls() == 1  # the bot answered that one

    # Waiting for a person: no bot answer, so no animation spinning for nothing.
    assert line_say(stack, fake, user, "まだですか") == []
    assert loading_calls() == 1

    # Leaving the queue: the bot answers at once (still without the animation) and is back.
    left = line_texts(line_say(stack, fake, user, "キャンセル"))
    assert "担当者へのおつなぎを取りやめました" in left, left
    assert "変更できません" in line_texts(line_say(stack, fake, user, "お客さま番号を変更したい"))
    assert loading_calls() == 2
    operator.post("/signout")


def test_a_line_group_or_room_is_not_handed_to_an_operator(line_stack: tuple[RunningStack, FakeLineApi]) -> None:
    """Everyone in a group reads along: like the procedures, a person answers only one to one."""
    from tests.stack.test_shared_chats import say_in

    stack, fake = line_stack
    add_operator(stack.env, "line-group-op")
    operator = Operator(stack.console_url, "line-group-op")
    before = {row["id"] for row in operator.queue()}
    for source in (
        {"type": "group", "groupId": "C" + new_sender().replace("-", ""), "userId": "U" + new_sender()[:8]},
        {"type": "room", "roomId": "R" + new_sender().replace("-", ""), "userId": "U" + new_sender()[:8]},
    ):
        reply = line_texts(say_in(stack, fake, source, "担当者と話したい"))
        assert "グループやトークルームでは担当者におつなぎできません" in reply, reply
        # Not paused: the bot still answers the group.
        assert "変更できません" in line_texts(say_in(stack, fake, source, "お客さま番号を変更したい"))
    assert {row["id"] for row in operator.queue()} <= before
    operator.post("/signout")
