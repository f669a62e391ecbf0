"""やさしい日本語 mode on the running bot (REST): switched by typing and by payload, remembered by the
conversation, every reply from its twin (the standard text where a twin is missing), and offered
once to a customer writing English or learner's Japanese."""

from __future__ import annotations

from typing import Any

import yaml

from easy_japanese.inventory import domain_responses
from easy_japanese.twins import ROOT, twins
from tests.support.stack import RunningStack, buttons, new_sender, texts

OFFER = domain_responses()["utter_offer_easy_japanese"][0]["text"]
ON = domain_responses()["utter_easy_japanese_on"][0]["text"]
OFF = domain_responses()["utter_easy_japanese_off"][0]["text"]
DECLINED = domain_responses()["utter_easy_japanese_declined"][0]["text"]


def shown(name: str, easy: bool) -> str:
    """A response's first variation as the customer sees it in one mode (the twin, else the standard)."""
    standard = domain_responses()[name][0]["text"]
    twin = (twins().responses.get(name) or [{}])[0].get("text") if easy else None
    return twin or standard


def modes(messages: list[dict[str, Any]]) -> list[str]:
    return [m["custom"]["data"]["easy_japanese_mode"] for m in messages if isinstance(m.get("custom"), dict)]


def test_typed_switch_is_remembered_and_switched_back(stack: RunningStack) -> None:
    sender = new_sender()
    switched = stack.say(sender, "やさしい日本語")
    assert ON in texts(switched) and modes(switched) == ["on"]
    asked = stack.say(sender, "パスワードを忘れました")
    assert shown("utter_ask_which_password", easy=True) in texts(asked)
    assert len(buttons(asked)) == 3  # the Python-built choices stay, with their standard payloads
    back = stack.say(sender, "ふつうの日本語")
    assert OFF in texts(back) and modes(back) == ["off"]
    assert shown("utter_ask_which_password", easy=False) in texts(stack.say(sender, "パスワードを忘れました"))


def test_the_toggle_payloads_switch_it_and_no_offer_follows(stack: RunningStack) -> None:
    sender = new_sender()
    assert modes(stack.say(sender, "/easy_japanese_on")) == ["on"]
    assert OFFER not in texts(stack.say(sender, "How can I reset my OCN mail password?"))
    assert modes(stack.say(sender, "/easy_japanese_off")) == ["off"]


def test_english_is_answered_and_offered_the_mode_once(stack: RunningStack) -> None:
    sender = new_sender()
    first = stack.say(sender, "How can I reset my OCN mail password?")
    reply = texts(first)
    assert "再設定" in reply, f"the question was not answered: {reply}"
    assert reply.rstrip().endswith(OFFER.rstrip()) and reply.count(OFFER) == 1
    assert {"title": "はい", "payload": "/easy_japanese_on"} in buttons(first)
    declined = stack.say(sender, "/easy_japanese_off")
    assert DECLINED in texts(declined) and modes(declined) == ["off"]
    assert OFFER not in texts(stack.say(sender, "Where can I check my customer number?"))


def test_learners_japanese_is_offered_the_mode_and_yes_switches_it_on(stack: RunningStack) -> None:
    sender = new_sender()
    first = texts(stack.say(sender, "パスワード わすれました。 にほんご すこし わかります"))
    assert "パスワード" in first.replace(OFFER, "") and OFFER in first
    assert modes(stack.say(sender, "/easy_japanese_on")) == ["on"]
    assert OFFER not in texts(stack.say(sender, "パスワード わすれました。 にほんご すこし わかります"))


def test_a_native_customer_is_not_offered_the_mode(stack: RunningStack) -> None:
    assert OFFER not in texts(stack.say(new_sender(), "OCN IDのパスワードを忘れてしまいました"))


def test_line_greeting_has_the_easy_japanese_quick_reply() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    line = [v for v in domain["responses"]["utter_greet"] if v.get("channel") == "line"]
    assert line and {"title": "やさしい日本語", "payload": "/easy_japanese_on"} in line[0]["buttons"]
