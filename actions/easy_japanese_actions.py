"""やさしい日本語 mode: switching it (widget toggle, LINE quick reply, typed 「やさしい日本語」) and offering
it once to a customer who writes in English or learner's Japanese (easy_japanese/learner.py).

The texts themselves are swapped on the Rasa server (bot_server/easy_mode.py); here only the slots.
Each reply names its own mode (`easy_japanese=`): it is rendered before the slot event is applied.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from easy_japanese.learner import reads_as_learner
from ocn_ids.answers import asks_for_a_person

SLOT = "easy_japanese"
OFFERED_SLOT = "easy_japanese_offered"
# The widget follows the mode from this marker (web/static/chat.js), whoever switched it.
MODE_MARKER = "easy_japanese_mode"

Events = list[dict[str, Any]]
Run = Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], Awaitable[Events]]


def mode_marker(on: bool) -> dict[str, Any]:
    """Shaped as socket.io's emit arguments, like actions.handoff_actions.handoff_marker; LINE ignores it."""
    return {"data": {MODE_MARKER: "on" if on else "off"}}


class ActionEasyJapanese(Action):
    """/easy_japanese_on and /easy_japanese_off (buttons, the widget's toggle, typed phrases)."""

    def name(self) -> str:
        return "action_easy_japanese"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and asks_for_a_person(text):
            # 「日本語 むずかしい. English の staff いますか?」: a person asked for, whatever mode it was read as
            return [FollowupAction("action_handoff")]
        on = (tracker.latest_message.get("intent") or {}).get("name") == "easy_japanese_on"
        was_on = bool(tracker.get_slot(SLOT))
        if on:
            response = "utter_easy_japanese_on"
        elif was_on:
            response = "utter_easy_japanese_off"
        else:
            response = "utter_easy_japanese_declined"  # いいえ to the offer: nothing changes
        dispatcher.utter_message(response=response, easy_japanese=on or response == "utter_easy_japanese_declined")
        dispatcher.utter_message(json_message=mode_marker(on))
        return [SlotSet(SLOT, on), SlotSet(OFFERED_SLOT, True)]


def should_offer(tracker: Tracker) -> bool:
    if tracker.get_slot(SLOT) or tracker.get_slot(OFFERED_SLOT):
        return False
    text = tracker.latest_message.get("text") or ""
    return not text.startswith("/") and reads_as_learner(text)


def offers_easy_japanese(run: Run) -> Run:
    """For an action that answers the customer's message: the answer, then (once) the offer."""

    @functools.wraps(run)
    async def wrapped(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        events = await run(self, dispatcher, tracker, domain)
        if not should_offer(tracker):
            return events
        dispatcher.utter_message(response="utter_offer_easy_japanese", easy_japanese=True)
        return [*events, SlotSet(OFFERED_SLOT, True)]

    return wrapped
