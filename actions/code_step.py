"""The one-time code step as it really goes: the code did not arrive, or the customer wants a new one.

Both keep the procedure where it was. Where the code went is the masked hint the account API gave
when it was sent (a decoy of the same shape for unknown accounts, so nothing tells who exists).

The form's question for the code (action_ask_otp_code) comes after a marker that tells the web widget
how long the code is still valid, so it can show the time left and offer a new code before and after it
runs out (web/static/chat.js, codeStep). The figure is the account API's `expires_in` (its settings are
the one source); LINE and REST clients ignore the marker, and the code-sent reply states the minutes.
"""

from __future__ import annotations

import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import buttons
from actions.answers import answer_topic
from actions.conversation_state import ask, in_procedure, latest_confidence
from actions.procedure_switch import resume_events, resumed_procedure
from actions.receiving_questions import receiving_reply
from actions.verification_slots import CONTACT_UNUSABLE, SOMEWHERE, address_offered, start_verification
from ocn_ids.answers import QUESTION_WORDS, asks_for_a_new_code, fold, names_the_letter, says_the_code_did_not_come

Events = list[dict[str, Any]]
# Below this, a code reading with no procedure running is likelier a question the classifier could not place
# (「郵便とショートメールならどちらが先に着きますか」): action_clarify answers it (and listens next) instead of
# 「確認コードをお送りしているお手続きはありません」.
_SURE_IT_IS_ABOUT_A_CODE = 0.6


def _passed_on(tracker: Tracker) -> bool:
    """A message action_clarify answers instead: unsure with no code awaited (no procedure running, or a question
    at another step: 「パスワードってメールのアプリのほうも変えないと…」 at the confirmation), or a question about the
    ways of receiving the connection ID (「郵送って何日かかりますか」 read as the code not arriving)."""
    return (
        _unsure_with_no_code_awaited(tracker)
        or receiving_reply(tracker, tracker.latest_message.get("text") or "") is not None
    )


def _unsure_with_no_code_awaited(tracker: Tracker) -> bool:
    """Unsure (or a where/what question: 「リンクってどこに届くの」 at the reset's confirmation), and the words do not
    say a code did not come or is wanted again (「確認コードが届きません」)."""
    confidence = latest_confidence(tracker)
    word = fold(tracker.latest_message.get("text") or "")
    about_a_code = says_the_code_did_not_come(word) or asks_for_a_new_code(word) or "こーど" in word
    unsure = confidence < _SURE_IT_IS_ABOUT_A_CODE or bool(QUESTION_WORDS.search(word))
    return not waiting_for_code(tracker) and unsure and not about_a_code


def waiting_for_code(tracker: Tracker) -> bool:
    return (
        in_procedure(tracker)
        and tracker.get_slot("requested_slot") == "otp_code"
        and bool(tracker.get_slot("account_ref"))
    )


def code_step_marker(seconds_left: int) -> dict[str, Any]:
    """Custom JSON for the web widget, like handoff_marker: Rasa's socket.io output emits it as the
    `bot_uttered` data {"code_step": {"expires_in": seconds}}; LINE ignores it (no "line" key)."""
    return {"data": {"code_step": {"expires_in": seconds_left}}}


def no_code_pending(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """No code has been sent: where the address read aloud still waits for the customer's yes (voice customers
    often say the SMS did not come before confirming it), that it is what sends the code; 「あのお手紙を、もう一度
    送っていただけませんか」 asks for the registration letter, not a code (its answer); otherwise how a code is
    sent at all."""
    if address := address_offered(tracker):
        dispatcher.utter_message(response="utter_code_waits_for_the_address", address=address)
    elif names_the_letter(fold(tracker.latest_message.get("text") or "")):
        return answer_topic("lost_registration_letter", dispatcher, tracker)
    else:
        dispatcher.utter_message(response="utter_no_code_pending")
    return []


async def resend_code(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """A new code for the same ID, within the account API's limits (it says how long to wait)."""
    if not waiting_for_code(tracker):
        resumed = None if in_procedure(tracker) else resumed_procedure(tracker)
        if resumed is not None:
            # 「さっきの再設定、もう一回最初からお願いできますか」 right after a cancel, read as a new code asked for
            return resume_events(resumed)
        return [ask(None), *no_code_pending(dispatcher, tracker)]
    slots = await start_verification(dispatcher, tracker, tracker.get_slot("account_ref"), "resend_code")
    if slots.get("procedure_halt") in ("too_many_codes", "unavailable"):
        # The code already sent is still valid: the procedure goes on; the reason was explained.
        slots.pop("procedure_halt")
        dispatcher.utter_message(response="utter_earlier_code_still_valid")
    return [SlotSet(name, value) for name, value in slots.items()] + [ask(None)]


def code_not_received(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """Where the code went, where to look, and a new one offered (the code is being awaited)."""
    dispatcher.utter_message(
        response="utter_code_not_received",
        destination=tracker.get_slot("code_destination") or SOMEWHERE,
        buttons=buttons.yes_no("offer_resend", "/resend_code"),
    )
    return [ask("offer_resend")]


class ActionCodeNotReceived(Action):
    """「コードが届きません」: where it went, where to look, and a new one offered."""

    def name(self) -> str:
        return "action_code_not_received"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        if _passed_on(tracker):
            return [FollowupAction("action_clarify")]
        if not waiting_for_code(tracker):
            return no_code_pending(dispatcher, tracker)
        return code_not_received(dispatcher, tracker)


class ActionResendCode(Action):
    def name(self) -> str:
        return "action_resend_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        if _passed_on(tracker):
            return [FollowupAction("action_clarify")]
        return await resend_code(dispatcher, tracker)


class ActionAskOtpCode(Action):
    """The form's question for the code, after the widget's marker with the seconds the code has left."""

    def name(self) -> str:
        return "action_ask_otp_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        if _said_this_turn(tracker, CONTACT_UNUSABLE):
            return []  # 「携帯をなくして…」: just told the code cannot reach them; not 「届いた…コードを」 again
        expires_at = tracker.get_slot("code_expires_at")
        if expires_at is not None:
            dispatcher.utter_message(json_message=code_step_marker(max(0, int(float(expires_at) - time.time()))))
        dispatcher.utter_message(response="utter_ask_otp_code")
        return []


def _said_this_turn(tracker: Tracker, response: str) -> bool:
    """The bot already sent `response` (or its `_no_link` twin) since the customer's latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and ((event.get("metadata") or {}).get("utter_action") or "").startswith(
            response
        ):
            return True
    return False
