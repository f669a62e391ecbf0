"""What a customer asks of the ways to receive the connection ID and its password (OCN マイページ, post, SMS)
that is not a choice: what the help page does not say (what a way costs, how many days the post takes), said
honestly, and a choice left to the bot (「どっちでもいいです」), handed back. The reader that replies to them is
`answer_receiving_question` in actions/replies.py; the code step passes such a question on to it."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.choices import MAX_ANSWER_CHARS
from actions.conversation_state import in_procedure
from ocn_ids.answers import ANY_WILL_DO, RECEIVING_DETAILS, fold
from ocn_ids.parse import find_choices

# The connection ID's procedure, and the topic whose answer lists the three ways (actions/topics.py).
_PROCEDURE = "send_connection_id"
_TOPIC = "check_connection_id"


def receiving_reply(tracker: Tracker, text: str) -> str | None:
    """The response for a question about the ways of receiving or a choice left to the bot, while the
    connection ID is what the customer is receiving; None for anything else (a choice, the code, another matter)."""
    if text.startswith("/") or not _receiving_the_connection_id(tracker):
        return None
    folded = fold(text)
    if asks_what_the_page_does_not_say(text):
        return "utter_receiving_details_not_on_page"
    if _method_asked(tracker) and len(folded) <= MAX_ANSWER_CHARS and ANY_WILL_DO.search(folded):
        return "utter_receiving_method_is_yours_to_choose"
    return None


def asks_what_the_page_does_not_say(text: str) -> bool:
    """「郵送って何日くらいかかりますか」「SMSってお金かかりますか」: a way named, and its cost or the post's days."""
    names_a_way = any(found.entity == "delivery_method" for found in find_choices(text))
    return names_a_way and bool(RECEIVING_DETAILS.search(fold(text)))


def _receiving_the_connection_id(tracker: Tracker) -> bool:
    if in_procedure(tracker):
        return tracker.get_slot("procedure") == _PROCEDURE
    return tracker.get_slot("topic") == _TOPIC


def _method_asked(tracker: Tracker) -> bool:
    """The form asks how to receive it: alone, or with the ID to verify (the connection ID's first question)."""
    if not in_procedure(tracker) or tracker.get_slot("delivery_method"):
        return False
    return tracker.get_slot("requested_slot") in ("delivery_method", "account_ref")
