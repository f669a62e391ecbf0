"""Answers to the help-page questions, the which-password question, survey and fallback."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import buttons, knowledge
from actions.buttons import talk_to_person
from actions.conversation_state import PROCEDURE_FORM, ask, latest_entity, latest_intent
from actions.links import contact_response, link
from actions.password_warning import warns_about_typed_password
from actions.topics import SMALL_TALK_RESPONSES, TOPICS, Topic, answer_response
from ocn_ids.normalize import MAX_MESSAGE_CHARS, has_meaningful_content

logger = logging.getLogger(__name__)
survey_log = logging.getLogger("ocn.survey")


def say_answer(intent: str, dispatcher: CollectingDispatcher) -> None:
    """The help-page answer of one topic, with its notes, without a next step."""
    topic: Topic = TOPICS[intent]
    dispatcher.utter_message(response=contact_response(answer_response(intent)), link=link(topic.link_key))
    for note in topic.notes:  # caveats in bubbles of their own (docs/style.md)
        dispatcher.utter_message(response=contact_response(note), contact_link=link("contact"))


def answer_topic(intent: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Answer one help-page topic and ask the next step: a chat procedure or the survey."""
    topic: Topic = TOPICS[intent]
    say_answer(intent, dispatcher)
    discussed = SlotSet("topic", intent)  # follow-ups are read against it (actions/follow_ups.py)
    if tracker.active_loop_name == PROCEDURE_FORM:
        dispatcher.utter_message(response="utter_back_to_procedure")
        return [discussed]
    if topic.procedure:
        dispatcher.utter_message(
            response="utter_offer_procedure",
            buttons=buttons.yes_no("offer_procedure", buttons.payload("start_procedure", procedure=topic.procedure)),
        )
        return [ask("offer_procedure"), SlotSet("offered_procedure", topic.procedure), discussed]
    if topic.survey:
        dispatcher.utter_message(response="utter_ask_survey")
        return [ask("survey"), discussed]
    return [ask(None), discussed]


class ActionAnswer(Action):
    """One action for every help-page intent, so every answer ends with a next step."""

    def name(self) -> str:
        return "action_answer"

    @warns_about_typed_password
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from actions.replies import read_in_context  # late: replies builds on this module's answers

        in_context = await read_in_context(dispatcher, tracker)
        if in_context is not None:
            return in_context
        intent = latest_intent(tracker) or "out_of_scope"
        in_form = tracker.active_loop_name == PROCEDURE_FORM
        if intent in SMALL_TALK_RESPONSES:
            dispatcher.utter_message(response=SMALL_TALK_RESPONSES[intent])
            if in_form:
                dispatcher.utter_message(response="utter_back_to_procedure")
            return []
        if intent == "request_human":
            return [FollowupAction("action_handoff")]  # a person takes over (actions/handoff_actions.py)
        if intent == "start_procedure" and in_form:
            dispatcher.utter_message(response="utter_back_to_procedure")  # already doing one
            return []
        if intent == "forgot_password":
            if in_form:
                dispatcher.utter_message(response="utter_password_difference")
                dispatcher.utter_message(response="utter_back_to_procedure")
                return []
            dispatcher.utter_message(response="utter_ask_which_password", buttons=buttons.which_password())
            return [ask("which_password")]
        if intent not in TOPICS:
            intent = "out_of_scope"
        if intent == "out_of_scope" and not in_form:
            # A confident "off-topic" that clearly names an ID or password is one the classifier
            # could not place: answer from the help page instead (issue 8).
            text = tracker.latest_message.get("text") or ""
            found = knowledge.retrieve(text, tracker.latest_message.get("intent_ranking") or [], strong=True)
            if found.section:
                knowledge.send_section(dispatcher, found, link("help_id_password"))
                return [ask(None)]
        return answer_topic(intent, dispatcher, tracker)


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
    else:
        dispatcher.utter_message(response="utter_password_difference")
    dispatcher.utter_message(response="utter_ask_which_password", buttons=buttons.which_password())
    return [ask("which_password")]


def record_survey(
    dispatcher: CollectingDispatcher, tracker: Tracker, resolved: bool | None = None
) -> list[dict[str, Any]]:
    """Records 「疑問・問題は解決しましたか？」 in the tracker (slot survey_answer) and the log."""
    resolved = latest_intent(tracker) == "affirm" if resolved is None else resolved
    answer = "resolved" if resolved else "unresolved"
    survey_log.info("survey answer=%s", answer)
    dispatcher.utter_message(response="utter_survey_thanks" if resolved else "utter_survey_unresolved")
    return [SlotSet("survey_answer", answer), ask(None)]


def ask_survey(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    dispatcher.utter_message(response="utter_ask_survey")
    return [ask("survey"), SlotSet("offered_procedure", None)]


class ActionClarify(Action):
    """Unclear message: answer from the help page when it is about IDs/passwords, else offer the
    two likeliest topics; a second miss in a row gets the second-fallback answer."""

    def name(self) -> str:
        return "action_clarify"

    @warns_about_typed_password
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from actions.replies import read_in_context  # late: replies builds on this module's answers

        in_context = await read_in_context(dispatcher, tracker)
        if in_context is not None:
            return in_context
        text = tracker.latest_message.get("text") or ""
        if len(text) > MAX_MESSAGE_CHARS:
            dispatcher.utter_message(response="utter_too_long")
            return []
        if not has_meaningful_content(text):
            dispatcher.utter_message(response="utter_unreadable")
            return []
        found = knowledge.retrieve(text, tracker.latest_message.get("intent_ranking") or [])
        if _clarified_just_before(tracker) and not found.section:
            return second_fallback(dispatcher, tracker)
        if found.section:
            knowledge.send_section(dispatcher, found, link("help_id_password"))
            return [ask(None)]
        if not found.buttons:
            return second_fallback(dispatcher, tracker)
        dispatcher.utter_message(response="utter_clarify", buttons=knowledge.topic_buttons(found.buttons))
        return [ask(None)]


def second_fallback(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Nothing to offer (or a second miss in a row): the help page and the contact page."""
    dispatcher.utter_message(
        response=contact_response("utter_fallback"),
        link=link("help_id_password"),
        contact_link=link("contact"),
        buttons=talk_to_person(),
    )
    return [ask(None)]


def _clarified_just_before(tracker: Tracker) -> bool:
    """True if the bot's previous turn was already a clarification."""
    user_turns = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_turns += 1
            if user_turns > 1:
                return False
        elif (
            user_turns == 1
            and event.get("event") == "action"
            and event.get("name")
            not in (
                "action_listen",
                None,
            )
        ):
            return event.get("name") == "action_clarify"
    return False
