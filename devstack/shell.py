"""A terminal chat over the REST channel, with numbered buttons."""

from __future__ import annotations

import json
import sys
import urllib.request
import uuid
from typing import Any


def send(rasa_url: str, sender: str, text: str) -> list[dict[str, Any]]:
    # A message id of its own (channels/resends.py): a resend could never run a procedure twice.
    body = json.dumps({"sender": sender, "message": text, "message_id": uuid.uuid4().hex}).encode()
    request = urllib.request.Request(f"{rasa_url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def chat(rasa_url: str) -> None:
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    buttons: list[dict[str, Any]] = []
    print("OCN ID・パスワードのチャット（終了: Ctrl-D）。ボタンは番号で選べます。")
    while True:
        try:
            text = input("あなた> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        buttons = []
        for message in send(rasa_url, sender, text):
            if message.get("text"):
                print("ボット> " + message["text"].replace("\n", "\n       "))
            for button in message.get("buttons") or []:
                buttons.append(button)
                print(f"   [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    chat(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5005")
