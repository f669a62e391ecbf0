"""A password typed into the chat anyway: the customer is asked, once per conversation, not to.

The bot never asks for a password. What counts as one typed is ocn_ids/passwords.py (the same
recognizer that bot_server/redaction.py masks with, so what the customer is told was masked was).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_state import PROCEDURE_FORM
from ocn_ids.answers import (
    ANSWERS_TOO,
    ASKS_SOMETHING,
    CHANGE_WORDS,
    FORGOT_WORDS,
    LOOK_UP_WORDS,
    PASSWORD_PROBLEM,
    asks_or_requests,
    fold,
)
from ocn_ids.passwords import SecretPrompt, at_secret_prompt, contains_password, looks_like_password, password_spans

Events = list[dict[str, Any]]
Run = Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], Awaitable[Events]]

WARNED_SLOT = "password_warned"


def at_id_prompt(tracker: Tracker) -> SecretPrompt:
    """Where a whole secret-looking message is a password (ocn_ids.passwords.at_secret_prompt, the rule the tracker
    store's redaction follows): the form waiting for an ID, the which-password question, a password's answer."""
    requested = tracker.get_slot("requested_slot") if tracker.active_loop_name == PROCEDURE_FORM else None
    return at_secret_prompt(requested, tracker.get_slot("pending_question"), tracker.get_slot("topic"))


def typed_password(tracker: Tracker) -> bool:
    text = tracker.latest_message.get("text") or ""
    return not text.startswith("/") and contains_password(text, at_id_prompt=at_id_prompt(tracker))


def shares_only_a_password(text: str, *, at_prompt: SecretPrompt | bool = False) -> bool:
    """「今のパスワードはabc12345です」「パスワードはsakura2020だったと思うんですが」: a password told, and nothing
    asked, requested or said of changing, forgetting or looking anything up beside it. `at_prompt`: where a whole
    secret-looking message is one (at_id_prompt), 「abc12345」 alone is."""
    if at_prompt and looks_like_password(text, at_prompt):
        return True
    spans = password_spans(text, about_a_password=bool(at_prompt))
    if not spans:
        return False
    starts, ends = [start for start, _ in spans], [end for _, end in spans]
    rest = "".join(text[after:before] for after, before in zip([0, *ends], [*starts, len(text)], strict=True))
    word = fold(rest)
    said = (ASKS_SOMETHING, CHANGE_WORDS, FORGOT_WORDS, LOOK_UP_WORDS, PASSWORD_PROBLEM, ANSWERS_TOO)
    return not asks_or_requests(rest) and not any(pattern.search(word) for pattern in said)


def warn_once(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    if tracker.get_slot(WARNED_SLOT) or not typed_password(tracker):
        return []
    if any(m.get("response") == "utter_password_not_in_chat" for m in dispatcher.messages):
        return []  # an action running another one (ActionAnswerPendingQuestion -> ActionClarify) warns once
    dispatcher.utter_message(response="utter_password_not_in_chat")
    return [SlotSet(WARNED_SLOT, True)]


def warns_about_typed_password(run: Run) -> Run:
    """For an action that reads the customer's message: the warning first, then what it says."""

    @functools.wraps(run)
    async def wrapped(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> Events:
        warning = warn_once(dispatcher, tracker)
        return warning + await run(self, dispatcher, tracker, domain)

    return wrapped
