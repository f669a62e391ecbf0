"""A REST client that sends a message again (same message_id: it timed out, or the server crashed and
it does not know whether the message arrived) runs no procedure twice (issue 21 item 8)."""

from __future__ import annotations

from tests.support.stack import RunningStack, new_sender, texts

TARO = {"number": "N123456789", "phone": "090-1234-5678"}


def test_the_same_message_sent_twice_sends_one_code_and_one_reset_link(stack: RunningStack) -> None:
    stack.advance_clock(24 * 3600 + 1)  # code limits start afresh (per hour and per day)
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "reset_ocn_password"}', message_id=f"{sender}-1")
    before = len(stack.outbox(TARO["phone"]))
    sent = stack.say(sender, TARO["number"], message_id=f"{sender}-2")
    assert "確認コードをお送りしました" in texts(sent)
    resent = stack.say(sender, TARO["number"], message_id=f"{sender}-2")
    assert len(stack.outbox(TARO["phone"])) == before + 1  # one verification started, one code
    assert resent == sent  # the stored answer

    code = stack.latest_code(TARO["phone"])
    assert code
    confirmed = stack.say(sender, code, message_id=f"{sender}-3")
    assert stack.say(sender, code, message_id=f"{sender}-3") == confirmed
    done = stack.say(sender, "はい", message_id=f"{sender}-4")
    assert "再設定用のリンクをお送りしました" in texts(done)
    assert stack.say(sender, "はい", message_id=f"{sender}-4") == done
    links = [m for m in stack.outbox(TARO["phone"])[before:] if "password-reset" in m.get("body", "")]
    assert len(links) == 1
