"""A person takes over, over REST against the real stack (Rasa, actions, console): queued, paused
(no NLU, no bot answers), operator messages stored in the conversation, handed back, bot answers."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import sys
from pathlib import Path

from tests.support.stack import RunningStack, new_sender, texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "console"))
from console_support import Operator, WidgetCustomer, add_operator  # noqa: E402

QUEUED = re.compile(r"担当者におつなぎします。順番は(\d+)番目です")


def _new_row(operator: Operator, before: set[str]) -> dict:
    rows = [row for row in operator.queue() if row["id"] not in before]
    assert len(rows) == 1, rows
    return rows[0]


def _transcript(operator: Operator, handoff_id: str) -> list[dict]:
    response = operator.get(f"/handoffs/{handoff_id}/transcript")
    response.raise_for_status()
    return response.json()["lines"]


def _stored_user_events(stack: RunningStack, sender: str) -> dict[str, dict]:
    """The user events of a REST conversation as the tracker store holds them, by text."""
    db = stack.env["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (f"rest:{sender}",)
        ).fetchall()
    return {event["text"]: event for event in (json.loads(row[0]) for row in rows)}


def test_an_operator_takes_over_and_hands_back(stack: RunningStack) -> None:
    add_operator(stack.env, "olivia")
    olivia = Operator(stack.console_url, "olivia")
    assert olivia.signed_in
    before = {row["id"] for row in olivia.queue()}
    sender = new_sender()
    stack.say(sender, "OCN IDを確認したい")
    queued = texts(stack.say(sender, "担当者と話したい"))
    assert QUEUED.search(queued), queued
    row = _new_row(olivia, before)
    assert row["channel"] == "rest" and row["status"] == "waiting" and row["topic"] == "OCN IDの確認"

    # Waiting: the customer's messages reach the operator, not the NLU, and the bot stays silent.
    assert stack.say(sender, "パスワードを忘れました。090-1234-5678に連絡ください") == []
    assert olivia.post(f"/handoffs/{row['id']}/take").status_code == 200
    assert (
        olivia.post(f"/handoffs/{row['id']}/messages", {"text": "担当の山田です。ご用件を伺います。"}).status_code
        == 204
    )
    assert stack.say(sender, "ありがとうございます") == []

    lines = _transcript(olivia, row["id"])
    kinds = [(line["kind"], line["text"]) for line in lines]
    assert ("customer", "OCN IDを確認したい") in kinds
    assert ("customer", "パスワードを忘れました。[電話番号]に連絡ください") in kinds  # redacted as stored
    assert ("operator", "担当の山田です。ご用件を伺います。") in kinds
    assert (
        "bot",
        "担当者がチャットに参加しました。なお、担当者が確認コードやパスワードをお尋ねすることはありません。",
    ) in kinds
    assert kinds[-1] == ("customer", "ありがとうございます")
    assert any(line["kind"] == "pause" for line in lines)
    # No NLU while paused: what the customer said to the person was never classified (stock Rasa would).
    stored = _stored_user_events(stack, sender)
    assert stored["OCN IDを確認したい"]["parse_data"]["intent"]["name"] == "check_ocn_id"  # before the pause
    for said in ("パスワードを忘れました。[電話番号]に連絡ください", "ありがとうございます"):
        parse_data = stored[said].get("parse_data") or {}
        assert not (parse_data.get("intent") or {}).get("name"), parse_data
        assert not parse_data.get("entities"), parse_data

    assert olivia.post(f"/handoffs/{row['id']}/handback", {"outcome": "resolved"}).status_code == 200
    assert row["id"] not in {r["id"] for r in olivia.queue()}
    assert "変更できません" in texts(stack.say(sender, "お客さま番号を変更したい"))
    after = [(line["kind"], line["text"]) for line in _transcript(olivia, row["id"])]
    assert ("bot", "担当者とのチャットを終了しました。ここからはチャットボットがお答えします。") in after
    olivia.post("/signout")


def test_without_an_operator_the_contact_page_is_offered_and_nothing_queued(stack: RunningStack) -> None:
    add_operator(stack.env, "pat")
    pat = Operator(stack.console_url, "pat")
    before = {row["id"] for row in pat.queue()}
    pat.post("/signout")  # nobody signed in any more
    reply = texts(stack.say(new_sender(), "担当者と話したい"))
    # No contact page is configured on the test stack: it is named, without a link (issue 20).
    assert "担当者がおりません" in reply and "OCNのお問い合わせ窓口" in reply and "http" not in reply, reply
    assert reply.count("\n") == 0, reply  # that answer, and nothing after it
    pat = Operator(stack.console_url, "pat")
    assert {row["id"] for row in pat.queue()} <= before
    pat.post("/signout")


def test_an_operator_message_reaches_only_its_own_customer(stack: RunningStack) -> None:
    """Two web customers on the same server: what the operator writes to one never reaches the other."""
    add_operator(stack.env, "quinn")
    quinn = Operator(stack.console_url, "quinn")
    before = {row["id"] for row in quinn.queue()}

    async def scenario() -> None:
        asking, other = WidgetCustomer(), WidgetCustomer()
        await asking.connect(stack.rasa_url)
        await other.connect(stack.rasa_url)
        assert asking.session_id != other.session_id
        await asking.say("担当者と話したい")
        await asking.wait_text("担当者におつなぎします", 30)
        row = _new_row(quinn, before)
        assert quinn.post(f"/handoffs/{row['id']}/take").status_code == 200
        assert (
            quinn.post(f"/handoffs/{row['id']}/messages", {"text": "あなただけへのメッセージです"}).status_code == 204
        )
        await asking.wait_text("あなただけへのメッセージです")
        await other.say("お客さま番号を変更したい")  # the other customer's own answer comes after...
        await other.wait_text("変更できません", 30)
        seen = [message.get("text") or "" for message in other.received]
        assert not any("担当者" in text or "あなただけ" in text for text in seen), seen
        assert quinn.post(f"/handoffs/{row['id']}/close", {"outcome": "resolved"}).status_code == 200
        await asking.wait_text("ご利用ありがとうございました")
        await asking.sio.disconnect()
        await other.sio.disconnect()

    asyncio.run(scenario())
    quinn.post("/signout")


def test_a_waiting_customer_can_leave_the_queue_but_not_once_taken(stack: RunningStack) -> None:
    add_operator(stack.env, "cancel-op")
    cancel_op = Operator(stack.console_url, "cancel-op")
    before = {row["id"] for row in cancel_op.queue()}
    leaving, staying = new_sender(), new_sender()
    assert QUEUED.search(texts(stack.say(leaving, "担当者と話したい")))
    assert QUEUED.search(texts(stack.say(staying, "担当者と話したい")))
    rows = {row["id"]: row for row in cancel_op.queue() if row["id"] not in before}
    assert len(rows) == 2, rows

    # Still waiting: 「キャンセル」 (any width, with punctuation) takes it out of the queue, the bot is back.
    assert texts(stack.say(leaving, "ｷｬﾝｾﾙします。")).strip() == (
        "承知しました。担当者へのおつなぎを取りやめました。ここからはチャットボットがお答えします。"
    )
    # Shown ended for a minute (console/handoff/views.py: queue_rows), no longer waiting.
    left = {row["id"] for row in cancel_op.queue() if row["id"] in rows and row["ended"]}
    assert len(left) == 1, left
    assert {row["status"] for row in cancel_op.queue() if row["id"] in left} == {"cancelled"}
    assert "変更できません" in texts(stack.say(leaving, "お客さま番号を変更したい"))

    # Taken: the same words are for the operator; the bot stays silent and the conversation paused.
    (taken,) = set(rows) - left
    assert cancel_op.post(f"/handoffs/{taken}/take").status_code == 200
    assert stack.say(staying, "やめます") == []
    assert stack.say(staying, "お客さま番号を変更したい") == []
    kinds = [(line["kind"], line["text"]) for line in _transcript(cancel_op, taken)]
    assert kinds[-2:] == [("customer", "やめます"), ("customer", "お客さま番号を変更したい")]
    assert cancel_op.post(f"/handoffs/{taken}/close", {"outcome": "resolved"}).status_code == 200
    cancel_op.post("/signout")


def test_taking_a_queued_conversation_whose_pause_was_lost_gives_it_to_the_operator(stack: RunningStack) -> None:
    """The desk queued the conversation but action_handoff's answer never reached Rasa (a timeout):
    the conversation is not paused. When an operator takes it, it is theirs: paused, the bot silent."""
    import requests

    add_operator(stack.env, "rescue-op")
    rescue = Operator(stack.console_url, "rescue-op")
    sender = new_sender()
    assert "OCN ID" in texts(stack.say(sender, "OCN IDを確認したい"))
    queued = requests.post(
        f"{stack.console_url}/desk/v1/handoffs",
        json={"conversation_id": f"rest:{sender}", "channel": "rest", "topic": None},
        headers={"Authorization": f"Bearer {stack.env['CONSOLE_SERVICE_TOKEN']}"},
        timeout=10,
    )
    assert queued.status_code == 201, queued.text
    handoff_id = queued.json()["handoff_id"]
    assert rescue.post(f"/handoffs/{handoff_id}/take").json() == {"status": "active"}
    assert stack.say(sender, "お客さま番号を変更したい") == []  # for the operator, not the bot
    kinds = [(line["kind"], line["text"]) for line in _transcript(rescue, handoff_id)]
    assert kinds[-1] == ("customer", "お客さま番号を変更したい")
    assert rescue.post(f"/handoffs/{handoff_id}/handback", {"outcome": "resolved"}).status_code == 200
    assert "変更できません" in texts(stack.say(sender, "お客さま番号を変更したい"))
    rescue.post("/signout")
