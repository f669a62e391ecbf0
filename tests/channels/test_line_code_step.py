"""The one-time code didn't arrive, over LINE (fake LINE API, real product stack): where it went,
where to look, a new code from a quick reply, and the code typed in full width with a space."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from line_fakes import FakeLineApi, sign, text_event

from tests.support.stack import RunningStack, new_sender

pytestmark = [pytest.mark.stack]

TARO = {"number": "N123456789", "phone": "090-1234-5678"}


def line_say(line_stack: tuple[RunningStack, FakeLineApi], user: str, text: str, expect: str) -> list[dict[str, Any]]:
    """Send a signed text event; wait until the bot's LINE messages (reply or push) contain `expect`."""
    stack, fake = line_stack
    before = len(fake.calls)
    body = json.dumps({"destination": "Uxxxxxxxx", "events": [text_event(text, {"type": "user", "userId": user})]})
    response = requests.post(
        f"{stack.rasa_url}/webhooks/line/webhook",
        data=body.encode(),
        headers={"X-Line-Signature": sign(body.encode()), "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200
    sent: list[dict[str, Any]] = []

    def said(calls: list[dict[str, Any]]) -> bool:
        sent[:] = [m for c in calls[before:] if c["kind"] in ("reply", "push") for m in c["body"]["messages"]]
        return expect in "\n".join(m.get("text", "") for m in sent)

    assert fake.wait_for(said, 30), f"no LINE message containing {expect!r}; got {fake.calls[before:]}"
    return sent


def test_code_not_received_over_line(line_stack: tuple[RunningStack, FakeLineApi]) -> None:
    stack, _ = line_stack
    user = "U" + new_sender().replace("-", "")
    line_say(line_stack, user, "ログイン履歴を確認したい", "お手続きをご希望ですか")
    line_say(line_stack, user, "チャットで手続きする", "お客さま番号")
    line_say(line_stack, user, TARO["number"], "確認コードをお送りしました")

    sent = line_say(line_stack, user, "コードが届きません", "新しいコードをお送りしますか")
    said = "\n".join(m.get("text", "") for m in sent)
    assert "***-****-**78" in said and "迷惑メール" in said and "5678" not in said
    items = [i["action"] for m in sent for i in (m.get("quickReply") or {}).get("items", [])]
    resend = [a for a in items if a.get("label") == "新しいコードを送る"]
    assert resend, items

    line_say(line_stack, user, "はい", "新しい確認コード")
    code = stack.latest_code(TARO["phone"])
    assert code
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    line_say(line_stack, user, f"{full_width[:3]}　{full_width[3:]}", "ご本人確認ができました")
