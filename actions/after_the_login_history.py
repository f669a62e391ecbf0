"""What a customer says right after the bot showed their login history (actions/procedure_run.py): a login they do
not recognise (「見覚えのないログインがあります」「⚠のやつ私じゃないです」). The bot gives the same advice it gives
when the history itself marks a login as unfamiliar (`utter_login_history_unfamiliar`: reset the OCN ID's password
now, with its button, and tell the contact page), instead of the login history's answer again (it had answered
「…ログイン履歴をご確認ください」). Saying there was none (「見覚えのないログインはなかったです」) is not it. The
reader that replies is `answer_after_the_login_history` in actions/replies.py."""

from __future__ import annotations

from typing import Literal

from rasa_sdk import Tracker

from actions import buttons
from actions.conversation_state import asked_in_recent_turns, latest_confidence, latest_intent
from actions.topics import TOPICS
from ocn_ids.answers import NONE_OF_THEM, QUESTION_FORM, STILL_WORRIED, UNKNOWN_LOGIN, fold
from ocn_ids.normalize import without_slips

RESPONSE = "utter_login_history_unfamiliar"
_HISTORY_SHOWN = ("utter_login_history", RESPONSE)
# At or above this, another topic the classifier reads is what the customer asks for (「知らないログインあるじゃん！
# すぐパスワード変えたい、今のパスワードはわかってる」: the password's change).
_SURE_OF_ANOTHER_TOPIC = 0.5


def what_the_history_showed(tracker: Tracker, text: str) -> Literal["unknown", "none"] | None:
    """Within two turns of the history shown, what the customer says it showed: a login they do not recognise
    ("unknown"), or none such (「見覚えのないログインはなかったです」: "none"); None for anything else."""
    if not any(asked_in_recent_turns(tracker, shown, turns=2) for shown in _HISTORY_SHOWN):
        return None
    intent = latest_intent(tracker)
    if intent in TOPICS and intent != "check_login_history" and latest_confidence(tracker) >= _SURE_OF_ANOTHER_TOPIC:
        return None
    word = without_slips(fold(text))
    if not UNKNOWN_LOGIN.search(word) or "?" in text or "？" in text or QUESTION_FORM.search(fold(text)):
        return None  # 「不正ログインはなかったですか？」: a question, answered as one
    return "none" if NONE_OF_THEM.search(word) and not STILL_WORRIED.search(word) else "unknown"


def reset_button() -> list[dict[str, str]]:
    """The OCN ID's password reset and a person, offered with the advice (here and under the history itself): it
    also says to tell OCN's contact desk."""
    return [buttons.start_procedure("reset_ocn_password", "パスワードを再設定する"), *buttons.talk_to_person()]
