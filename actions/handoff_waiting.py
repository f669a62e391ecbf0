"""A queued customer while they wait: their place in the queue, the waiting timeout, a transfer.

The console runs these through Rasa's HTTP API (console/waiting.py, console/routing.py), except
`action_handoff_wait_answer`, which runs when a paused customer answers the keep-waiting question
(bot_server/handoff_pause.py reads はい／いいえ／「待ちます」／「連絡先を教えて」 from the text).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationResumed, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff_actions import channel_of, handoff_marker
from actions.handoff_desk import DeskUnavailable, desk_from_settings
from actions.links import contact_response, link
from ocn_ids.answers import read_wait_answer

logger = logging.getLogger(__name__)

OFFERED = "handoff_wait_offered"  # the slot: the keep-waiting question is open


def _just_said(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


class ActionHandoffWaitOffer(Action):
    """The waiting timeout passed: asked whether to keep waiting or to get the contact page."""

    def name(self) -> str:
        return "action_handoff_wait_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_handoff_wait_offer")
        return [SlotSet(OFFERED, True)]


class ActionHandoffWaitAnswer(Action):
    """The customer's answer to the keep-waiting question: wait on (the timeout starts again), or
    leave the queue with the contact page. Taken meanwhile: the message is the operator's."""

    def name(self) -> str:
        return "action_handoff_wait_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        answer = read_wait_answer(_just_said(tracker))
        desk = desk_from_settings()
        try:
            if answer == "wait":
                if await desk.keep_waiting(tracker.sender_id):
                    dispatcher.utter_message(response="utter_handoff_wait_continue")
                return [SlotSet(OFFERED, None)]
            if answer == "contact":
                if not await desk.cancel(tracker.sender_id, reason="timeout"):
                    return [SlotSet(OFFERED, None)]  # an operator has it now
                dispatcher.utter_message(json_message=handoff_marker("bot"))
                dispatcher.utter_message(response=contact_response("utter_handoff_wait_contact"), link=link("contact"))
                return [SlotSet(OFFERED, None), ConversationResumed()]
        except DeskUnavailable as error:
            logger.warning("Handoff desk unavailable; the customer stays queued: %s", error)
        return []


class ActionHandoffTimedOut(Action):
    """No answer to the keep-waiting question in time: the console ended the handoff and resumed
    the conversation (console/waiting.py); the customer gets the contact page."""

    def name(self) -> str:
        return "action_handoff_timed_out"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(json_message=handoff_marker("bot"))
        dispatcher.utter_message(response=contact_response("utter_handoff_timed_out"), link=link("contact"))
        return [SlotSet(OFFERED, None)]


class ActionHandoffTransferred(Action):
    """An operator passed the conversation to another (console/routing.py): the customer is told."""

    def name(self) -> str:
        return "action_handoff_transferred"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # From the bot, between the two people (the widget draws it on the bot's side), then a person again.
        dispatcher.utter_message(json_message=handoff_marker("waiting"))
        dispatcher.utter_message(response="utter_handoff_transferred")
        dispatcher.utter_message(json_message=handoff_marker("operator"))
        return []


class ActionHandoffPosition(Action):
    """The customer's place in the queue changed. The web widget shows it in its status line (a
    marker, no bubble); LINE gets a short message (the console runs this for LINE only on a
    meaningful change: console/waiting.py)."""

    def name(self) -> str:
        return "action_handoff_position"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            position = await desk_from_settings().position(tracker.sender_id)
        except DeskUnavailable as error:
            logger.warning("Handoff desk unavailable; position not told: %s", error)
            return []
        if position is None:
            return []
        if channel_of(tracker) == "web":
            dispatcher.utter_message(json_message={"data": {"handoff": "waiting", "position": position}})
        else:
            dispatcher.utter_message(response="utter_handoff_position", position=position)
        return []
