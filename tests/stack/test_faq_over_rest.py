"""Help-page answers through the REST channel of the running bot."""
from __future__ import annotations

from tests.support.stack import RunningStack, buttons, new_sender, texts


def test_connection_id_answer_lists_three_ways_and_offers_the_chat_procedure(stack: RunningStack) -> None:
    messages = stack.say(new_sender(), "接続用IDとパスワードがわからないです")
    reply = texts(messages)
    for way in ("マイページ", "郵送", "SMS"):
        assert way in reply
    assert any("start_procedure" in b["payload"] for b in buttons(messages))


def test_connection_id_cannot_be_changed(stack: RunningStack) -> None:
    reply = texts(stack.say(new_sender(), "認証IDを別のものに変えたいのですが"))
    assert "変更できません" in reply
    assert "疑問・問題は解決しましたか" in reply


def test_survey_no_offers_a_person(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "お客さま番号って変更できますか")
    messages = stack.say(sender, "いいえ")
    assert any(b["payload"] == "/request_human" for b in buttons(messages))
