"""The easy-Japanese switch (actions/easy_japanese_actions.py): a person asked for in the same message is handed
over, not answered with the mode."""

from __future__ import annotations

from rasa_sdk.events import FollowupAction

from actions.easy_japanese_actions import ActionEasyJapanese
from tests.actions.trackers import responses, run, slot_events, tracker


def test_a_person_asked_for_with_the_reply_to_the_offer_is_handed_over() -> None:
    typed = "Why?? I don't understand. 日本語 むずかしい. English の staff いますか?"
    messages, events = run(ActionEasyJapanese(), tracker("easy_japanese_off", text=typed))
    assert events == [FollowupAction("action_handoff")]
    assert responses(messages) == []


def test_a_plain_reply_to_the_offer_still_sets_the_mode() -> None:
    messages, events = run(ActionEasyJapanese(), tracker("easy_japanese_on", text="はい、やさしい日本語で"))
    assert responses(messages)[0] == "utter_easy_japanese_on"
    assert slot_events(events)["easy_japanese"] is True
