"""「確認」 over REST: asking twice sends the same, current connection password; the sandbox's database
holds it only encrypted. A customer whose router works today keeps their connection."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from tests.support.stack import RunningStack, new_sender, texts

TARO = {"number": "N123456789", "phone": "090-1234-5678"}
PASSWORD = re.compile(r"接続用パスワード: (\S+)")


def _sandbox(stack: RunningStack, method: str, path: str, **kwargs) -> requests.Response:
    response = requests.request(
        method,
        f"{stack.account_api_url}{path}",
        headers={"X-Service-Token": stack.env["ACCOUNT_API_TOKEN"]},
        timeout=5,
        **kwargs,
    )
    response.raise_for_status()
    return response


def _passwords_sent(stack: RunningStack) -> list[str]:
    messages = _sandbox(stack, "GET", "/dev/outbox", params={"to": TARO["phone"], "last": 200}).json()["messages"]
    return [m for message in messages for m in PASSWORD.findall(message["body"])]


def _ask_by_sms(stack: RunningStack, sender: str, verify: bool) -> str:
    asked = texts(stack.say(sender, '/start_procedure{"procedure": "send_connection_id"}'))
    if verify:
        assert "お客さま番号" in asked
        assert "確認コード" in texts(stack.say(sender, TARO["number"]))
        code = stack.latest_code(TARO["phone"])
        assert code
        assert "受け取り方法" in texts(stack.say(sender, code))
    confirm = texts(stack.say(sender, '/inform{"delivery_method": "sms"}'))
    assert "現在の" in confirm and "パスワードは変わりません" in confirm, confirm
    return texts(stack.say(sender, "はい"))


def test_asking_twice_sends_the_same_current_password_and_stores_it_only_encrypted(stack: RunningStack) -> None:
    _sandbox(stack, "POST", "/dev/clock", json={"advance_seconds": 3601})  # a fresh hour of code sends
    before = len(_passwords_sent(stack))
    sender = new_sender()
    first = _ask_by_sms(stack, sender, verify=True)
    second = _ask_by_sms(stack, sender, verify=False)  # still verified: straight to the method
    for done in (first, second):
        assert "現在の" in done and "変更していません" in done, done
    sent = _passwords_sent(stack)[before:]
    assert len(sent) == 2 and sent[0] == sent[1], "the connection password changed between two requests"

    db = Path(stack.env["ACCOUNT_API_DB"])
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists():
            assert sent[0].encode() not in path.read_bytes(), f"{path.name} holds the connection password in clear"
