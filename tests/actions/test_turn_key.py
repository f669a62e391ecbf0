"""The account calls' Idempotency-Key comes from the message id (the client's `message_id` when it sent
one: channels/resends.py): the same message handled again after a crash, from the same state or with
more events stored meanwhile, makes the same calls; another message or conversation does not."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.conversation_state import turn_key
from tests.actions.trackers import tracker


def with_message_id(t: Tracker, message_id: str) -> Tracker:
    t.latest_message["message_id"] = message_id
    return t


def test_the_same_client_message_gives_the_same_key_whatever_else_was_stored() -> None:
    first = with_message_id(tracker(events=[{"event": "action"}] * 3), "client-msg-0001")
    replayed = with_message_id(tracker(events=[{"event": "action"}] * 7), "client-msg-0001")
    assert turn_key(first, "reset_ocn_password") == turn_key(replayed, "reset_ocn_password")


def test_other_messages_conversations_and_steps_get_other_keys() -> None:
    base = turn_key(with_message_id(tracker(), "client-msg-0001"), "reset_ocn_password")
    assert turn_key(with_message_id(tracker(), "client-msg-0002"), "reset_ocn_password") != base
    assert turn_key(with_message_id(tracker(sender="conv-2"), "client-msg-0001"), "reset_ocn_password") != base
    assert turn_key(with_message_id(tracker(), "client-msg-0001"), "confirm") != base
