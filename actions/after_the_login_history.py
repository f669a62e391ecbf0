"""What a customer says right after the bot showed their login history (actions/procedure_run.py): a login they
do not recognise. The help page says only that the login history is where to check for unauthorised logins, not
what to do about one, so the bot says so honestly and points to the contact page and a person, instead of the
login history's answer again (it had answered 「見覚えのないログインがあります」 with 「…ログイン履歴をご確認ください」).
The reader that replies is `answer_after_the_login_history` in actions/replies.py."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.conversation_state import asked_in_recent_turns, latest_confidence, latest_intent
from actions.topics import TOPICS
from ocn_ids.answers import UNKNOWN_LOGIN, fold
from ocn_ids.normalize import without_slips

RESPONSE = "utter_unknown_login_not_on_page"
_HISTORY_SHOWN = "utter_login_history"
_TOPIC = "check_login_history"
# At or above this, the login history's topic read right after it was shown is about what it showed, and another
# topic read is what the customer asks for.
_SURE_OF_THE_TOPIC = 0.5


def tells_of_an_unknown_login(tracker: Tracker, text: str) -> bool:
    """Within two turns of the history shown, a login the customer does not recognise, or the login history's
    topic again (「このログインって大丈夫？」)."""
    if not asked_in_recent_turns(tracker, _HISTORY_SHOWN, turns=2):
        return False
    intent = latest_intent(tracker)
    if intent in TOPICS and intent != _TOPIC and latest_confidence(tracker) >= _SURE_OF_THE_TOPIC:
        return False  # 「知らないログインあるじゃん！すぐパスワード変えたい」: what they ask for is answered
    if UNKNOWN_LOGIN.search(without_slips(fold(text))):
        return True
    return intent == _TOPIC and latest_confidence(tracker) >= _SURE_OF_THE_TOPIC
