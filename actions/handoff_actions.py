"""A person takes over: queue the conversation at the desk and pause the bot, or say why not.

`action_handoff` runs for request_human (ActionAnswer hands over to it), which the customer
also reaches from the second fallback in a row and from 「いいえ」 to the survey (both offer a
「担当者と話す」 button). The console runs the other three when an operator takes the
conversation, hands it back, or closes it (Rasa HTTP API, console/handoff/rasa_api.py).
`action_handoff_cancel` runs when a paused customer asks to leave the queue (bot_server/handoff_pause.py).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, ConversationResumed, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_state import ask, is_verified, reset_procedure
from actions.handoff_desk import (
    DeskUnavailable,
    HandoffDesk,
    QueueFull,
    Ticket,
    desk_from_settings,
    within_hours,
)
from actions.links import contact_response, link
from actions.settings import HandoffSettings, load_handoff_settings
from actions.topics import TOPICS
from channels.client_ref import from_metadata
from channels.senders import is_shared_chat

logger = logging.getLogger(__name__)

CHANNELS = ("web", "line", "rest")
# Rasa input channel name -> our channel name, for sender ids without a channel prefix.
_INPUT_CHANNELS = {"socketio": "web", "line": "line", "rest": "rest"}
_NOT_TOPICS = ("request_human", "out_of_scope")


def channel_of(tracker: Tracker) -> str:
    prefix = tracker.sender_id.split(":", 1)[0] if ":" in tracker.sender_id else ""
    if prefix in CHANNELS:
        return prefix
    return _INPUT_CHANNELS.get(tracker.get_latest_input_channel() or "", "rest")


def topic_of(tracker: Tracker) -> str | None:
    """The help-page topic the customer asked about last, for the operator's queue."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent in TOPICS and intent not in _NOT_TOPICS:
                return TOPICS[intent].title
    return None


def hours_text(settings: HandoffSettings) -> str:
    start, end = settings.hours
    end_text = "24:00" if end.hour == 0 and end.minute == 0 else f"{end.hour}:{end.minute:02d}"
    return f"{start.hour}:{start.minute:02d}〜{end_text}"


def _not_queued() -> list[dict[str, Any]]:
    # No rule follows action_handoff (ActionAnswer hands over to it): wait for the customer.
    return [ask(None), FollowupAction("action_listen")]


async def _enqueue_or_withdraw(desk: HandoffDesk, tracker: Tracker) -> Ticket | None:
    """Queues the conversation. When the desk's answer is lost (a timeout after it may have queued
    it), the conversation is taken out of the queue again, so the queue never holds a conversation
    the bot still answers; if an operator has already taken it, it counts as queued after all.
    Raises DeskUnavailable when the desk cannot be asked (or the withdrawal fails: the console then
    withdraws a handoff whose conversation was never paused, console/handoff/lifecycle.py)."""
    client = from_metadata((tracker.latest_message or {}).get("metadata"))
    verified = is_verified(tracker)
    account = tracker.get_slot("verified_account") if verified else None
    try:
        return await desk.enqueue(
            tracker.sender_id, channel_of(tracker), topic_of(tracker), client, verified, verified_account=account
        )
    except DeskUnavailable as error:
        logger.warning("Handoff desk did not answer the enqueue (%s); withdrawing it", error)
        if await desk.cancel(tracker.sender_id):
            raise
        return Ticket("", None)  # taken meanwhile: an operator has the conversation


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        settings = load_handoff_settings()
        contact = link("contact")
        if is_shared_chat(tracker.sender_id):
            # Everyone in a LINE group or room reads along: a person answers one customer, one to one.
            dispatcher.utter_message(response=contact_response("utter_handoff_needs_private_chat"), link=contact)
            return _not_queued()
        if not within_hours(settings):
            dispatcher.utter_message(
                response=contact_response("utter_handoff_outside_hours"), hours=hours_text(settings), link=contact
            )
            return _not_queued()
        desk = desk_from_settings(settings)
        try:
            ticket = await _enqueue_or_withdraw(desk, tracker) if await desk.operators_available() else None
        except DeskUnavailable as error:
            logger.warning("Handoff desk unavailable: %s", error)
            dispatcher.utter_message(response=contact_response("utter_handoff_unavailable"), link=contact)
            return _not_queued()
        except QueueFull as full:
            # One answer for both limits: a client is an address several people may share (an office,
            # a mobile network), so "you are already waiting elsewhere" could be said to a stranger.
            logger.info("Handoff refused: %s", full)
            dispatcher.utter_message(response=contact_response("utter_handoff_queue_full"), link=contact)
            return _not_queued()
        if ticket is None:
            dispatcher.utter_message(response=contact_response("utter_handoff_no_operator"), link=contact)
            return _not_queued()
        if ticket.position:
            dispatcher.utter_message(response="utter_handoff_queued_position", position=ticket.position)
        else:
            dispatcher.utter_message(response="utter_handoff_queued")
        dispatcher.utter_message(json_message=handoff_marker("waiting"))
        events: list[dict[str, Any]] = [ask(None)]
        if tracker.active_loop_name:
            events += [ActiveLoop(None), *reset_procedure()]
        # From here on the customer's messages go to the operator (bot_server/handoff_pause.py).
        return [*events, ConversationPaused()]


def handoff_marker(state: str) -> dict[str, Any]:
    """Tells the web widget who answers now ("waiting", "operator", "bot"): it shows operator
    messages as such and no typing indicator while a person is to answer. Shaped as socket.io's
    emit arguments (Rasa's socket.io output emits custom JSON as `emit(**json)`); LINE ignores it."""
    return {"data": {"handoff": state}}


class _Notice:
    """Says one thing to the customer; run by the console through Rasa's HTTP API.
    (Not an Action itself, so rasa_sdk registers only the notices below.)"""

    response = ""
    action_name = ""
    state = "bot"  # who answers after this notice

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if self.state == "operator":
            dispatcher.utter_message(response=self.response)  # still from the bot
            dispatcher.utter_message(json_message=handoff_marker(self.state))
            # Normally already paused (action_handoff): a second pause would show the operator a second
            # 「担当者への引き継ぎ」 line. If that turn's answer was lost on its way to Rasa, the conversation is
            # paused now: the person who took it has it. A keep-waiting question still open
            # (actions/handoff_waiting.py) is moot: the customer's next 「はい」 is theirs.
            pause = [] if tracker.is_paused() else [ConversationPaused()]
            return [*pause, SlotSet("handoff_wait_offered", None)]
        dispatcher.utter_message(json_message=handoff_marker(self.state))
        dispatcher.utter_message(response=self.response)
        return []


class ActionHandoffTaken(_Notice, Action):
    action_name = "action_handoff_taken"
    response = "utter_handoff_taken"
    state = "operator"


class ActionHandoffReturned(_Notice, Action):
    action_name = "action_handoff_returned"
    response = "utter_handoff_returned"


class ActionHandoffClosed(_Notice, Action):
    action_name = "action_handoff_closed"
    response = "utter_handoff_closed"


class ActionHandoffCancel(Action):
    """The customer leaves the queue, unless an operator has already taken the conversation:
    then (or when the desk cannot be asked) the message stays with the operator and nothing is said."""

    def name(self) -> str:
        return "action_handoff_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            left = await desk_from_settings().cancel(tracker.sender_id)
        except DeskUnavailable as error:
            logger.warning("Handoff desk unavailable; the customer stays queued: %s", error)
            return []
        if not left:
            return []
        dispatcher.utter_message(json_message=handoff_marker("bot"))
        dispatcher.utter_message(response="utter_handoff_cancelled")
        return [ConversationResumed()]
