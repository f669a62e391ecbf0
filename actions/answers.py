"""The answers themselves: one help-page topic with its next step, the which-password resolution and
the survey. Used by the actions that answer a new question (faq_actions.py) and by the reading of a
message in context (replies.py), so neither needs the other to answer."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import buttons
from actions.conversation_state import (
    PROCEDURE_FORM,
    ask,
    latest_entity,
    latest_intent,
    result_topic_before,
    turns_running_with,
)
from actions.knowledge import topic_buttons
from actions.links import contact_response, link
from actions.topics import TOPICS, Topic, answer_response
from ocn_ids.answers import ends_with_a_closing, password_named_by_its_use, says_goodbye

survey_log = logging.getLogger("ocn.survey")


def say_answer(intent: str, dispatcher: CollectingDispatcher) -> None:
    """The help-page answer of one topic, with its notes, without a next step."""
    topic: Topic = TOPICS[intent]
    dispatcher.utter_message(response=contact_response(answer_response(intent)), link=link(topic.link_key))
    for note in topic.notes:  # caveats in bubbles of their own (docs/style.md)
        dispatcher.utter_message(response=contact_response(note), contact_link=link("contact"))


def answer_topic(intent: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Answer one help-page topic and ask the next step: a chat procedure or the survey (not the procedure whose
    result was just shown: 「パスワードは？」 right after the reset link is answered, not offered the link again)."""
    topic: Topic = TOPICS[intent]
    say_answer(intent, dispatcher)
    discussed = SlotSet("topic", intent)  # follow-ups are read against it (actions/follow_ups.py)
    if tracker.active_loop_name == PROCEDURE_FORM:
        dispatcher.utter_message(response="utter_back_to_procedure")
        return [discussed]
    just_done = result_topic_before(tracker) == intent
    if topic.procedure and not just_done:
        dispatcher.utter_message(
            response="utter_offer_procedure",
            buttons=buttons.yes_no("offer_procedure", buttons.payload("start_procedure", procedure=topic.procedure)),
        )
        return [ask("offer_procedure"), SlotSet("offered_procedure", topic.procedure), discussed]
    if topic.survey or just_done:
        dispatcher.utter_message(response="utter_ask_survey")
        return [ask("survey"), SlotSet("offered_procedure", None), discussed]
    return [ask(None), discussed]


def resolve_which_password(
    dispatcher: CollectingDispatcher, tracker: Tracker, id_type: str | None = None
) -> list[dict[str, Any]]:
    """The customer said which password they forgot (or that they don't know)."""
    id_type = id_type or latest_entity(tracker, "id_type")
    if id_type == "ocn_id":
        return answer_topic("forgot_ocn_id_password", dispatcher, tracker)
    if id_type == "connection_id":
        return answer_topic("check_connection_id", dispatcher, tracker)
    if id_type == "customer_number":
        dispatcher.utter_message(response="utter_customer_number_has_no_password")
    elif not asked_which_password_enough(tracker):
        dispatcher.utter_message(response="utter_password_difference")  # both answers follow otherwise
    return ask_which_password(dispatcher, tracker)


def which_password_by_its_use(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """A forgotten password whose ID is unsaid: when the message says what it is used for (「メールを開こうとすると
    パスワードを入れてくださいと出て」), that ID's answer; otherwise 「どちらのパスワードでしょうか？」."""
    used_for = password_named_by_its_use(tracker.latest_message.get("text") or "")
    if used_for:
        return resolve_which_password(dispatcher, tracker, used_for)
    return ask_which_password(dispatcher, tracker)


# Asked this many times running without an answer, the question is not asked again: both answers are given.
_TIMES_TO_ASK_WHICH_PASSWORD = 2


def asked_which_password_enough(tracker: Tracker) -> bool:
    return turns_running_with(tracker, "utter_ask_which_password") >= _TIMES_TO_ASK_WHICH_PASSWORD


def ask_which_password(
    dispatcher: CollectingDispatcher, tracker: Tracker | None = None, both: bool = False
) -> list[dict[str, Any]]:
    """「どちらのパスワードでしょうか？」 with the two passwords (and "I don't know") as buttons; asked twice running
    with no answer the customer could give (「わからない」, an ID, English), both passwords' answers instead of a
    third ask: a customer who cannot tell them apart is helped by both, not by the question again. `both`: the
    customer answered 「両方」."""
    if both or (tracker is not None and asked_which_password_enough(tracker)):
        dispatcher.utter_message(response="utter_both_passwords_asked" if both else "utter_both_passwords")
        say_answer("forgot_ocn_id_password", dispatcher)
        say_answer("check_connection_id", dispatcher)
        dispatcher.utter_message(response="utter_ask_survey")
        return [ask("survey"), SlotSet("offered_procedure", None)]
    dispatcher.utter_message(response="utter_ask_which_password", buttons=buttons.which_password())
    return [ask("which_password")]


# A password's change, of either ID (in the order of the buttons).
PASSWORD_CHANGES = ("change_ocn_id_password", "change_connection_id_password")
_PASSWORD_FORGOTTEN = {"forgot_ocn_id_password", "check_connection_id"}


def ask_which_id(dispatcher: CollectingDispatcher, topics: list[str]) -> list[dict[str, Any]]:
    """「どのIDについてでしょうか？」 (「どちらのパスワード…」 for a password's change) with the topics as buttons;
    a typed answer is read like a pressed one (actions/replies.py, answer_topic_chosen_in_words)."""
    if set(topics) == _PASSWORD_FORGOTTEN:
        return ask_which_password(dispatcher)  # its own question: the two passwords, and "I don't know"
    password = set(topics) <= set(PASSWORD_CHANGES)
    response = "utter_which_password_is_it" if password else "utter_which_id_is_it"
    dispatcher.utter_message(response=response, buttons=topic_buttons(topics))
    return [ask(None)]


def record_survey(
    dispatcher: CollectingDispatcher, tracker: Tracker, resolved: bool | None = None
) -> list[dict[str, Any]]:
    """Records 「疑問・問題は解決しましたか？」 in the tracker (slot survey_answer) and the log."""
    resolved = latest_intent(tracker) == "affirm" if resolved is None else resolved
    text = tracker.latest_message.get("text") or ""
    if resolved and (says_goodbye(text) or ends_with_a_closing(text)):
        # 「はい、ありがとうございました。失礼します」「はい、それでは」: resolved, and the customer is leaving: glad it
        # helped, and the goodbye, in one.
        dispatcher.utter_message(response="utter_glad_it_helped")
    else:
        dispatcher.utter_message(response="utter_survey_thanks" if resolved else "utter_survey_unresolved")
    return [*survey_answered(resolved), ask(None)]


def survey_answered(resolved: bool) -> list[dict[str, Any]]:
    """The survey's answer in the tracker (slot survey_answer) and the log, nothing said."""
    answer = "resolved" if resolved else "unresolved"
    survey_log.info("survey answer=%s", answer)
    return [SlotSet("survey_answer", answer)]


def ask_survey(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    dispatcher.utter_message(response="utter_ask_survey")
    return [ask("survey"), SlotSet("offered_procedure", None)]
