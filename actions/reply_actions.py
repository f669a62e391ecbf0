"""Short replies (はい / いいえ / a value) mean what the bot's last question asked.

One action reads `pending_question` and routes, instead of slot-conditioned rules: the
routed-to step changes that slot, which would stop such a rule from matching its own end.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_state import latest_intent
from actions.faq_actions import PROCEDURE_FORM, ask_survey, record_survey, resolve_which_password
from actions.procedure_actions import start_procedure_events


class ActionAnswerPendingQuestion(Action):
    def name(self) -> Text:
        return "action_answer_pending_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if tracker.active_loop_name == PROCEDURE_FORM:
            return []  # the form could not use the reply; it asks its question again
        question = tracker.get_slot("pending_question")
        intent = latest_intent(tracker)
        if question == "survey" and intent in ("affirm", "deny"):
            return record_survey(dispatcher, tracker)
        if question == "which_password" and intent in ("inform", "deny"):
            return resolve_which_password(dispatcher, tracker)
        if question == "offer_procedure" and intent == "deny":
            return ask_survey(dispatcher)
        if (question == "offer_procedure" and intent == "affirm") or intent == "inform":
            return start_procedure_events(tracker) + [FollowupAction(PROCEDURE_FORM)]
        dispatcher.utter_message(response="utter_anything_else")
        return []
