"""Whose conversation is it? Over the running product with a fake LINE API:

- a LINE group (or room) is one conversation for all its members, so no verified procedure runs there
  (FAQ answers do), and the bot asks for a one-to-one chat;
- a REST client naming a LINE user's id reaches `rest:<id>`, never that customer's verified conversation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests
import yaml

from tests.channels.line_fakes import FakeLineApi, sign, text_event
from tests.stack.test_channels_same_answer import line_texts
from tests.support.stack import RunningStack, new_sender, texts

ROOT = Path(__file__).resolve().parents[2]

# The refusal as the operators wrote it (domain.yml), so rewording it does not break this test.
PRIVATE_CHAT = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"][
    "utter_procedure_needs_private_chat"
][0]["text"].split("。")[0]
TARO = {"number": "N123456789", "phone": "090-1234-5678"}


def say_in(stack: RunningStack, fake: FakeLineApi, source: dict[str, str], text: str) -> list[dict[str, Any]]:
    """Post a signed text event from `source`; wait until the bot's answer was sent (reply or push)."""
    before = len(fake.calls)
    body = json.dumps({"destination": "Ubot", "events": [text_event(text, source)]}).encode()
    response = requests.post(
        f"{stack.rasa_url}/webhooks/line/webhook",
        data=body,
        headers={"X-Line-Signature": sign(body), "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200

    def answered(calls: list[dict[str, Any]]) -> bool:
        return any(c["kind"] in ("reply", "push") for c in calls[before:])

    assert fake.wait_for(answered, 30), "no LINE answer"
    sent = [c for c in fake.calls[before:] if c["kind"] in ("reply", "push")]
    return [m for call in sent for m in call["body"]["messages"]]


def codes_sent(stack: RunningStack) -> int:
    return len(stack.outbox(TARO["phone"]))


def test_a_group_member_cannot_run_a_procedure(line_stack: tuple[RunningStack, FakeLineApi]) -> None:  # noqa: F811
    stack, fake = line_stack
    for source in (
        {"type": "group", "groupId": "C" + new_sender(), "userId": "U" + new_sender()},
        {"type": "room", "roomId": "R" + new_sender(), "userId": "U" + new_sender()},
    ):
        before = codes_sent(stack)
        refused = line_texts(say_in(stack, fake, source, '/start_procedure{"procedure": "login_history"}'))
        assert PRIVATE_CHAT in refused and "お客さま番号" not in refused
        say_in(stack, fake, source, TARO["number"])  # typed anyway: no code is sent to the customer
        assert codes_sent(stack) == before
        faq = line_texts(say_in(stack, fake, source, "接続用IDを変更したいです"))
        assert faq.strip() and PRIVATE_CHAT not in faq  # FAQ answers still work in the group


def test_rest_cannot_reach_a_line_customers_verified_conversation(
    line_stack: tuple[RunningStack, FakeLineApi],  # noqa: F811
) -> None:
    stack, fake = line_stack
    user = "U" + new_sender()
    me = {"type": "user", "userId": user}
    stack.start_a_new_day()
    say_in(stack, fake, me, '/start_procedure{"procedure": "login_history"}')
    say_in(stack, fake, me, TARO["number"])
    code = stack.latest_code(TARO["phone"])
    assert code
    verified = line_texts(say_in(stack, fake, me, code))
    assert "ご本人確認ができました" in verified
    # A REST client names the LINE user's id: it gets a fresh, unverified conversation of its own.
    reply = texts(stack.say(user, '/start_procedure{"procedure": "login_history"}'))
    assert "お客さま番号" in reply and "ログイン履歴です" not in reply
