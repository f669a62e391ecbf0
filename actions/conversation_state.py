"""Reading and resetting the slots that carry the conversation's state."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

# The form that runs the verified procedures (data/rules/procedures.yml, domain.yml `forms:`).
PROCEDURE_FORM = "procedure_form"

# Slots of one procedure run; cleared when it ends so the next run starts clean.
PROCEDURE_SLOTS = (
    "procedure",
    "account_ref",
    "otp_code",
    "delivery_method",
    "procedure_confirmed",
    "procedure_halt",
    "offered_procedure",
)


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_confidence(tracker: Tracker) -> float:
    """The classifier's confidence in the latest message's intent (0 when there is none)."""
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def bot_messages_before(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot's messages (tracker `bot` events) of its turn before the customer's latest message, in
    order; [] at the start."""
    return [event for event in _events_of_the_turn_before(tracker) if event.get("event") == "bot"]


def _events_of_the_turn_before(tracker: Tracker) -> list[dict[str, Any]]:
    """The tracker's events between the customer's two latest messages (the bot's turn before the latest). A turn
    that only warned about a password typed and asked its question again (actions/replies.py, password shared)
    moved nothing: the turn before it counts with it (「じゃあどうすれば」 then follows the answer before)."""
    turns: list[list[dict[str, Any]]] = [[]]
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user and not _only_warned(turns[-1]):
                break
            if seen_user:
                turns.append([])
            seen_user = True
        elif seen_user:
            turns[-1].append(event)
    return [event for turn in reversed(turns) for event in reversed(turn)]


# What a turn that only warned about a password says: the warning, and the open question again.
_WARNING_TURN = frozenset(
    {"utter_password_not_in_chat", "utter_ask_survey", "utter_offer_procedure", "utter_ask_which_password"}
)


def _only_warned(events: list[dict[str, Any]]) -> bool:
    said = {(event.get("metadata") or {}).get("utter_action") for event in events if event.get("event") == "bot"}
    return "utter_password_not_in_chat" in said and said <= _WARNING_TURN


# A procedure's result, and the topic whose answer it stands for: after the login history, 「パスワードも変えた
# ほうがいいですか」 is the OCN ID's password, as after that topic's answer (actions/procedure_run.py sends them).
_RESULT_TOPICS = {
    "utter_done_password_reset": "forgot_ocn_id_password",
    "utter_done_customer_number": "check_customer_number",
    "utter_done_ocn_id": "check_ocn_id",
    "utter_done_connection_mypage": "check_connection_id",
    "utter_done_connection_post": "check_connection_id",
    "utter_done_connection_post_unnumbered": "check_connection_id",
    "utter_done_connection_sms": "check_connection_id",
    "utter_login_history": "check_login_history",
    "utter_login_history_none": "check_login_history",
    "utter_login_history_unfamiliar": "check_login_history",
}


def result_topic_before(tracker: Tracker) -> str | None:
    """The topic of a procedure's result shown in the bot's turn before the latest message, if any."""
    results = [_RESULT_TOPICS[name] for name in bot_responses_before(tracker) if name in _RESULT_TOPICS]
    return results[-1] if results else None


def topic_discussed(tracker: Tracker) -> str | None:
    """The topic a follow-up is read against: that of a procedure's result just shown (the procedure may have
    been asked for without its answer), else the topic slot (the last answer's)."""
    return result_topic_before(tracker) or tracker.get_slot("topic")


def answers_before(tracker: Tracker) -> list[str]:
    """bot_responses_before, where a help-page section shown with the topic it set in the same turn
    (actions/faq_actions.py, answer_from_section) and a procedure's result also count as that topic's answer
    (utter_answer_<topic>): what the customer says next is read against it as against the topic's own answer."""
    said = bot_responses_before(tracker)
    said = [*said, *(f"utter_answer_{_RESULT_TOPICS[name]}" for name in said if name in _RESULT_TOPICS)]
    if "utter_help_section" not in said:
        return said
    topics = [
        e.get("value")
        for e in _events_of_the_turn_before(tracker)
        if e.get("event") == "slot" and e.get("name") == "topic"
    ]
    return [*said, f"utter_answer_{topics[-1]}"] if topics and topics[-1] else said


def bot_responses_before(tracker: Tracker) -> list[str]:
    """The names of the responses the bot sent in its turn before the customer's latest message (the
    `utter_action` Rasa records with each bot message), in order; [] at the start."""
    return [(event.get("metadata") or {}).get("utter_action") or "" for event in bot_messages_before(tracker)]


# The bot's questions that offer help-page topics as buttons: a clarification (「近いものをお選びください」), and
# which ID an operation asked of no ID is of (actions/answers.py, ask_which_id).
WHICH_ID_RESPONSES = frozenset({"utter_which_id_is_it", "utter_which_password_is_it"})
TOPIC_CHOICE_RESPONSES = WHICH_ID_RESPONSES | {"utter_clarify"}


def offered_topics_just_before(tracker: Tracker) -> bool:
    """The bot's turn before the customer's latest message asked them to choose a topic with buttons."""
    return not TOPIC_CHOICE_RESPONSES.isdisjoint(bot_responses_before(tracker))


def asked_which_id_just_before(tracker: Tracker) -> bool:
    """The bot's turn before asked which ID an operation is of: asking it again would go round in circles."""
    return not WHICH_ID_RESPONSES.isdisjoint(bot_responses_before(tracker))


def asked_in_recent_turns(tracker: Tracker, response: str, turns: int) -> bool:
    """The bot sent `response` in one of its last `turns` turns before the customer's latest message."""
    seen_users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_users += 1
            if seen_users > turns:
                return False
        elif event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == response:
            return seen_users >= 1
    return False


def said_in_this_session(tracker: Tracker, response: str) -> bool:
    """The bot sent that response since the session started (an earlier answer of this chat)."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == response:
            return True
    return False


def turns_running_with(tracker: Tracker, response: str) -> int:
    """How many of the bot's turns in a row, counting back from its turn before the customer's latest message,
    sent `response` (2: the question was asked twice running and not answered)."""
    running, seen_latest, turn_had_it = 0, False, False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest and not turn_had_it:
                return running
            running += 1 if seen_latest else 0
            seen_latest, turn_had_it = True, False
        elif seen_latest and event.get("event") == "bot":
            turn_had_it = turn_had_it or (event.get("metadata") or {}).get("utter_action") == response
    return running + (1 if turn_had_it else 0)


def buttons_before(tracker: Tracker) -> list[dict[str, Any]]:
    """The buttons of the bot's messages of its turn before the customer's latest message, in order."""
    return [
        button
        for message in bot_messages_before(tracker)
        for button in (message.get("data") or {}).get("buttons") or []
    ]


def latest_entity(tracker: Tracker, entity: str) -> Any | None:
    return next(tracker.get_latest_entity_values(entity), None)


def is_verified(tracker: Tracker, now: float | None = None) -> bool:
    """A verification of this conversation that has not expired (the API checks it too)."""
    until = tracker.get_slot("verified_until")
    return (
        bool(tracker.get_slot("verification_id"))
        and until is not None
        and float(until) > (now if now is not None else time.time())
    )


def reset_procedure(keep: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    keep = keep or {}
    return [SlotSet(slot, keep.get(slot)) for slot in PROCEDURE_SLOTS]


def forget_verification() -> list[dict[str, Any]]:
    return [
        SlotSet("verification_id", None),
        SlotSet("verified_until", None),
        SlotSet("verified_account", None),
        SlotSet("code_destination", None),
        SlotSet("code_expires_at", None),
    ]


def in_procedure(tracker: Tracker) -> bool:
    return tracker.active_loop_name == PROCEDURE_FORM


def ask(question: str | None) -> dict[str, Any]:
    """Which question the bot is now waiting on (see pending_question in domain.yml)."""
    return SlotSet("pending_question", question)


def turn_key(tracker: Tracker, what: str) -> str:
    """Idempotency key for one state change in one customer turn: if the same turn is
    processed again, the account API returns the first result instead of acting twice.
    The message id is the client's own `message_id` when it sent one (channels/resends.py), so a
    message resent after a crash, handled again from the same state, makes the same calls."""
    message_id = tracker.latest_message.get("message_id") or str(len(tracker.events))
    return hashlib.sha256(f"{tracker.sender_id}|{message_id}|{what}".encode()).hexdigest()
