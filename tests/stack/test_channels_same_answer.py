"""One conversation engine: the same answer on REST and LINE, and verified procedures over LINE."""

from __future__ import annotations

import json
from typing import Any

import requests

from tests.channels.line_fakes import (
    FakeLineApi,
    sign,
    sticker_event,
    text_event,
)
from tests.support.stack import RunningStack, new_sender, texts


def line_say(stack: RunningStack, fake: FakeLineApi, user: str, text: str, timeout: float = 30) -> list[dict[str, Any]]:
    """Post a signed text event for `user`; return the LINE messages the bot sent back.

    A sticker follows the text in the same webhook call. The channel handles one chat's events in
    order and answers a sticker itself (without the bot), so once the sticker's notice arrives every
    reply and push for the text has been sent."""
    before = len(fake.calls)
    source = {"type": "user", "userId": user}
    event, barrier = text_event(text, source), sticker_event(source)
    body = json.dumps({"destination": "Uxxxxxxxx", "events": [event, barrier]}).encode()
    response = requests.post(
        f"{stack.rasa_url}/webhooks/line/webhook",
        data=body,
        headers={"X-Line-Signature": sign(body), "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200

    def answered(calls: list[dict[str, Any]]) -> bool:
        return any(call["body"].get("replyToken") == barrier["replyToken"] for call in calls[before:])

    assert fake.wait_for(answered, timeout), "no LINE reply"
    sent = [
        call
        for call in fake.calls[before:]
        if call["kind"] in ("reply", "push") and call["body"].get("replyToken") != barrier["replyToken"]
    ]
    return [message for call in sent for message in call["body"]["messages"]]


def line_texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_same_answer_on_rest_and_line(line_stack: tuple[RunningStack, FakeLineApi]) -> None:
    stack, fake = line_stack
    question = "接続用IDを変更したいです"
    rest = texts(stack.say(new_sender(), question))
    line = line_texts(line_say(stack, fake, "U" + new_sender(), question))
    assert rest.strip() and rest.replace("\n", "") == line.replace("\n", "")


def test_buttons_become_quick_replies(line_stack: tuple[RunningStack, FakeLineApi]) -> None:
    stack, fake = line_stack
    messages = line_say(stack, fake, "U" + new_sender(), "パスワードを忘れました")
    items = messages[-1]["quickReply"]["items"]
    assert [i["action"]["data"] for i in items][0] == "/forgot_ocn_id_password"
    assert all(len(i["action"]["label"]) <= 20 for i in items)


def test_verified_procedure_over_line(line_stack: tuple[RunningStack, FakeLineApi]) -> None:
    stack, fake = line_stack
    user = "U" + new_sender()
    stack.start_a_new_day()
    assert "お客さま番号" in line_texts(
        line_say(stack, fake, user, '/start_procedure{"procedure": "send_customer_number"}')
    )
    assert "確認コード" in line_texts(line_say(stack, fake, user, "N123456789"))
    code = stack.latest_code("090-1234-5678")
    assert "よろしいですか" in line_texts(line_say(stack, fake, user, code or ""))
    done = line_texts(line_say(stack, fake, user, "はい"))
    assert "N12*****89" in done
    assert fake.of("loading"), "LINE's loading animation was not shown"


def test_easy_japanese_on_line_reads_harder_words_in_parentheses(line_stack: tuple[RunningStack, FakeLineApi]) -> None:
    """LINE has no ruby: in the easy mode a word with kanji beyond grade 2 gets its reading after it."""
    import re

    stack, fake = line_stack
    user = "U" + new_sender()
    reading = re.compile(r"[\u4e00-\u9fff][\u3040-\u309f]*\([\u3041-\u3096]+\)")
    assert not reading.search(line_texts(line_say(stack, fake, user, "パスワードを忘れました")))
    assert "やさしい日本語" in line_texts(line_say(stack, fake, user, "やさしい日本語"))
    easy = line_texts(line_say(stack, fake, user, "パスワードを忘れました"))
    assert reading.search(easy), easy
