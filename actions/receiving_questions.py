"""What a customer asks of the ways to receive the connection ID and its password (OCN マイページ, post, SMS)
that is not a choice: what the help page does not say (what a way costs, how many days the post takes), said
honestly, and a choice left to the bot (「どっちでもいいです」), handed back. The reader that replies to them is
`answer_receiving_question` in actions/replies.py; the code step passes such a question on to it."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.choices import MAX_ANSWER_CHARS
from actions.conversation_state import asked_in_recent_turns, in_procedure
from ocn_ids.answers import (
    ANY_WILL_DO,
    RECEIVING_DETAILS,
    THE_ID_ITSELF,
    asks_for_a_new_code,
    fold,
    says_the_code_did_not_come,
)
from ocn_ids.parse import find_choices, named_id_types

# The connection ID's procedure, and the topic whose answer lists the three ways (actions/topics.py).
_PROCEDURE = "send_connection_id"
_TOPIC = "check_connection_id"
NOT_ON_PAGE = "utter_receiving_details_not_on_page"
YOURS_TO_CHOOSE = "utter_receiving_method_is_yours_to_choose"
# The ways named plainly (on the folded text). 携帯・スマホ・画面 also name the phone or the screen the customer
# uses (「スマホの料金プラン」): outside the procedure only these count.
_PLAIN_WAYS = re.compile(r"郵送|郵便|ゆうそう|ゆうびん|sms|えすえむえす|しょーとめ|まいぺーじ|mypage")
# While the code is awaited, SMS is the code's own way (「SMSいつ届きますか」 is the code): only these count.
_POST_OR_MYPAGE = re.compile(r"郵送|郵便|ゆうそう|ゆうびん|書面|手紙|紙で|まいぺーじ|mypage")


def receiving_reply(tracker: Tracker, text: str) -> str | None:
    """The response for a question about the ways of receiving or a choice left to the bot, while the
    connection ID is what the customer is receiving; None for anything else (a choice, the code, another matter)."""
    if text.startswith("/") or not _receiving_the_connection_id(tracker):
        return None
    folded = fold(text)
    if says_the_code_did_not_come(folded) or asks_for_a_new_code(folded):
        return None  # 「スマホにコードが届かない、いつ届くの」: the code step's
    if _asks_of_a_way(tracker, text):
        return NOT_ON_PAGE
    if _method_asked(tracker) and len(folded) <= MAX_ANSWER_CHARS and leaves_the_choice(text):
        return YOURS_TO_CHOOSE
    return None


def asks_of_a_way(text: str) -> bool:
    """「郵送って何日くらいかかりますか」「SMSってお金かかりますか」: a way named, and its cost or the post's days."""
    names_a_way = any(found.entity == "delivery_method" for found in find_choices(text))
    return names_a_way and bool(RECEIVING_DETAILS.search(fold(text)))


def leaves_the_choice(text: str) -> bool:
    """「どっちでもいいです」「お任せします」, not of an ID (「お客さま番号とOCN IDどっちでもいいですか」) nor
    「妻に任せてるので」."""
    folded = fold(text)
    return bool(ANY_WILL_DO.search(folded)) and not named_id_types(text) and not THE_ID_ITSELF.search(folded)


def _asks_of_a_way(tracker: Tracker, text: str) -> bool:
    if not asks_of_a_way(text):
        return False
    folded = fold(text)
    if not in_procedure(tracker):
        return bool(_PLAIN_WAYS.search(folded))
    if tracker.get_slot("requested_slot") == "otp_code":
        return bool(_POST_OR_MYPAGE.search(folded))
    return True


def _receiving_the_connection_id(tracker: Tracker) -> bool:
    """In its procedure, or right after its answer (the topic stays set long after: not 「携帯の料金は？」 later)."""
    if in_procedure(tracker):
        return tracker.get_slot("procedure") == _PROCEDURE
    return tracker.get_slot("topic") == _TOPIC and asked_in_recent_turns(tracker, f"utter_answer_{_TOPIC}", turns=2)


def _method_asked(tracker: Tracker) -> bool:
    """The form asks how to receive it: alone, or with the ID to verify (the connection ID's first question)."""
    if not in_procedure(tracker) or tracker.get_slot("delivery_method"):
        return False
    return tracker.get_slot("requested_slot") in ("delivery_method", "account_ref")
