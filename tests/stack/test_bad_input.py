"""Bad input through the real REST channel of a running server: a polite answer, never a 500."""

from __future__ import annotations

import os

import pytest
import requests

from tests.support.stack import RunningStack, new_sender, texts

BAD_INPUTS = {
    "empty": "",
    "whitespace": " \u3000\t\n ",
    "very long": "パスワード" * 2500,  # 12,500 characters
    "emoji only": "😀🙏🔥",
    "control characters": "\x00\x01\x07パス\x1bワード\x7f",
    "html and script": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "random bytes": os.urandom(64).decode("latin-1"),
    "lone surrogate-like": "\ufffd\ufffe",
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_gets_a_polite_reply(stack: RunningStack, name: str) -> None:
    sender = new_sender()
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": BAD_INPUTS[name]}, timeout=30
    )
    assert response.status_code == 200
    reply = texts(response.json())
    assert reply.strip(), f"no reply to {name}"
    assert "<script>" not in reply  # never echoed back
    # The conversation is not lost: the next ordinary question is answered.
    follow_up = texts(stack.say(sender, "お客さま番号を知りたいです"))
    assert "N" in follow_up and "10桁" in follow_up


def test_invalid_json_body_is_rejected_without_a_server_error(stack: RunningStack) -> None:
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=b"\xff\xfe{not json",
        timeout=30,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"], "a JSON error the client can read"


def test_unreadable_messages_are_explained(stack: RunningStack) -> None:
    assert "読み取れませんでした" in texts(stack.say(new_sender(), "😀🙏"))
    assert "長すぎる" in texts(stack.say(new_sender(), "あ" * 3_000))  # read, then not classified
    assert "長すぎる" in texts(stack.say(new_sender(), "あ" * 10_001))  # over the request-size limit
