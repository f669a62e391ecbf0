"""Verified procedures end to end: REST channel -> Rasa -> action server -> account sandbox."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest

from tests.support.stack import RunningStack, new_sender, texts

TARO = {"number": "N123456789", "phone": "090-1234-5678"}
HANAKO = {"number": "N987654321", "mail": "hanako.sato@example.jp"}


@pytest.fixture(autouse=True)
def fresh_hour(stack: RunningStack) -> Iterator[None]:
    """Each test gets a new day on the sandbox clock, so the code limits and wrong-code budgets reset."""
    stack.start_a_new_day()
    yield


def verify(stack: RunningStack, sender: str, start: str, number: str, destination: str) -> str:
    """Start a procedure, give the customer number, type the code from the outbox."""
    asked = texts(stack.say(sender, start))
    assert "お客さま番号" in asked
    sent = texts(stack.say(sender, number))
    assert "確認コードをお送りしました" in sent
    code = stack.latest_code(destination)
    assert code
    return texts(stack.say(sender, code))


def test_password_reset_happy_path(stack: RunningStack) -> None:
    sender = new_sender()
    after_code = verify(
        stack, sender, '/start_procedure{"procedure": "reset_ocn_password"}', TARO["number"], TARO["phone"]
    )
    assert "ご本人確認ができました" in after_code
    assert "090-****-5678" in after_code and "よろしいですか" in after_code
    done = texts(stack.say(sender, "はい"))
    assert "再設定用のリンクをお送りしました" in done and "アプリ" in done
    assert "疑問・問題は解決しましたか" in done


def test_connection_credentials_by_post_with_full_width_number(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, "接続用IDを確認したい")
    asked = texts(stack.say(sender, "はい"))  # accepts the offered chat procedure
    assert "お客さま番号" in asked
    assert "確認コード" in texts(stack.say(sender, "ｎ１２３－４５６－７８９"))
    after_code = texts(stack.say(sender, stack.latest_code(TARO["phone"]) or ""))
    assert "受け取り方法" in after_code
    confirm = texts(stack.say(sender, '/inform{"delivery_method": "post"}'))
    assert "東京都千代田区****" in confirm
    done = texts(stack.say(sender, "はい"))
    assert "郵送を手配しました" in done and "日ほど" in done


def test_connection_credentials_method_first_then_the_id(stack: RunningStack) -> None:
    """The first question asks how to receive them and the ID at once; the method pressed first is kept,
    the ID is asked next, and after the code the bot goes straight to the final question."""
    sender = new_sender()
    asked = texts(stack.say(sender, '/start_procedure{"procedure": "send_connection_id"}'))
    assert "受け取り方法" in asked and "お客さま番号" in asked
    noted = texts(stack.say(sender, '/inform{"delivery_method": "sms"}'))
    assert "SMSでのお受け取りで承ります" in noted and "お客さま番号" in noted
    assert "確認コード" in texts(stack.say(sender, TARO["number"]))
    confirm = texts(stack.say(sender, stack.latest_code(TARO["phone"]) or ""))
    assert "ご本人確認ができました" in confirm and "SMSで現在の" in confirm and "受け取り方法" not in confirm
    assert "SMSで現在の" in texts(stack.say(sender, "はい"))


def test_connection_credentials_by_sms_needs_a_mobile(stack: RunningStack) -> None:
    sender = new_sender()
    verify(stack, sender, '/start_procedure{"procedure": "send_connection_id"}', HANAKO["number"], HANAKO["mail"])
    refused = texts(stack.say(sender, "SMSでお願いします"))
    assert "携帯電話がないため" in refused
    assert "マイページ" in texts(stack.say(sender, '/inform{"delivery_method": "mypage"}'))
    done = texts(stack.say(sender, "はい"))
    assert "https://" in done


def test_customer_number_is_masked_in_chat(stack: RunningStack) -> None:
    sender = new_sender()
    verify(
        stack, sender, '/start_procedure{"procedure": "send_customer_number"}', "taro.yamada@ocn.ne.jp", TARO["phone"]
    )
    done = texts(stack.say(sender, "はい"))
    assert "N12*****89" in done and "N123456789" not in done


def test_ocn_id_masked_and_second_procedure_reuses_verification(stack: RunningStack) -> None:
    sender = new_sender()
    verify(stack, sender, '/start_procedure{"procedure": "send_ocn_id"}', TARO["number"], TARO["phone"])
    done = texts(stack.say(sender, "はい"))
    assert "@ocn.ne.jp" in done and "taro.yamada@ocn.ne.jp" not in done
    # Still verified (15 minutes): the next procedure goes straight to its confirmation.
    again = texts(stack.say(sender, '/start_procedure{"procedure": "login_history"}'))
    assert "よろしいですか" in again and "お客さま番号" not in again
    history = texts(stack.say(sender, "はい"))
    assert "ログイン履歴" in history
    # The sentence (domain response utter_login_history) and one line per login (actions/procedure_run.py).
    assert re.search(r"直近\d+件のログイン履歴です.*\n(⚠ )?\d\d/\d\d \d\d:\d\d ", history), history


def test_wrong_code_then_lockout(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "send_ocn_id"}')
    stack.say(sender, "N555000111")
    code = stack.latest_code("080-5555-6666")
    wrong = "000000" if code != "000000" else "111111"
    first = texts(stack.say(sender, wrong))
    assert "正しくありません" in first and "あと4回" in first
    for _ in range(3):
        stack.say(sender, wrong)
    locked = texts(stack.say(sender, wrong))
    assert "一時停止" in locked
    # The conversation goes on.
    assert "変更できません" in texts(stack.say(sender, "接続用IDを変更したいです"))


def test_expired_code_asks_for_the_number_again(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "reset_ocn_password"}')
    stack.say(sender, TARO["number"])
    code = stack.latest_code(TARO["phone"])
    stack.advance_clock(601)
    assert "有効期限が切れました" in texts(stack.say(sender, code or "123456"))


def test_cancel_midway_and_nothing_is_sent(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "reset_ocn_password"}')
    assert "中止しました" in texts(stack.say(sender, "やっぱりやめます"))
    assert "再設定" in texts(stack.say(sender, "OCNメールのパスワードを忘れた"))


def test_faq_digression_mid_form_then_back(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "reset_ocn_password"}')
    stack.say(sender, TARO["number"])
    digression = texts(stack.say(sender, "お客さま番号は変更できますか"))
    assert "変更できません" in digression and "続き" in digression
    assert "確認コード" in digression  # asks for the code again
    after_code = texts(stack.say(sender, stack.latest_code(TARO["phone"]) or ""))
    assert "ご本人確認ができました" in after_code


def test_code_is_not_stored_in_the_tracker(stack: RunningStack) -> None:
    sender = new_sender()
    stack.say(sender, '/start_procedure{"procedure": "send_ocn_id"}')
    stack.say(sender, TARO["number"])
    code = stack.latest_code(TARO["phone"])
    assert code
    reply = texts(stack.say(sender, f"コードは{code}です。電話は090-1234-5678です"))
    assert code not in reply
    db = stack.env["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as connection:
        rows = [
            row[0] for row in connection.execute("SELECT data FROM events WHERE sender_id = ?", (f"rest:{sender}",))
        ]
    assert rows
    stored = "\n".join(rows)
    assert code not in stored
    assert "090-1234-5678" not in stored and "09012345678" not in stored
    logs = "\n".join(path.read_text(errors="replace") for path in (stack.var_dir / "logs").glob("*.log"))
    assert "コードは[確認コード]です" in logs, "the stack logs message texts (DEBUG), redacted"
    assert code not in logs


def test_a_typed_password_is_warned_about_once_and_never_stored(stack: RunningStack) -> None:
    sender = new_sender()
    started = texts(stack.say(sender, '/start_procedure{"procedure": "send_ocn_id"}'))
    assert "「OCN IDの確認」のお手続きを承ります" in started and "ご本人確認をいたします" in started
    first = texts(stack.say(sender, "Wx93!pp7"))  # typed where the bot asked for the customer number
    assert "パスワードはチャットに入力しないでください" in first and "ご本人確認をいたします" in first
    assert "お手続きを承ります" not in first  # asked again: the question alone
    second = texts(stack.say(sender, "パスワードは Qz81kk!x です"))
    assert "パスワードはチャットに入力しないでください" not in second  # once per conversation
    db = stack.env["TRACKER_STORE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as connection:
        stored = "\n".join(
            row[0] for row in connection.execute("SELECT data FROM events WHERE sender_id = ?", (f"rest:{sender}",))
        )
    assert "Wx93!pp7" not in stored and "Qz81kk!x" not in stored
    logs = "\n".join(path.read_text(errors="replace") for path in (stack.var_dir / "logs").glob("*.log"))
    assert "Wx93!pp7" not in logs and "Qz81kk!x" not in logs
