"""How a waiting customer's answer to 「このままお待ちになりますか？」 is read (ocn_ids.answers), and that
only such an answer, only while the question is open, runs the answer action (bot_server.handoff_pause)."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ConversationPaused, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.handoff_pause import _paused_customer_action
from ocn_ids.answers import read_wait_answer


@pytest.mark.parametrize("text", ["はい", "待ちます", "「待ちます」", "このまま待つ", "ﾏﾁﾏｽ", "はい、待ちます"])
def test_keep_waiting(text: str) -> None:
    assert read_wait_answer(text) == "wait"


@pytest.mark.parametrize("text", ["いいえ", "連絡先を教えて", "連絡先を教えてください。", "連絡先を見る", "待ちません"])
def test_contact_page(text: str) -> None:
    assert read_wait_answer(text) == "contact"


@pytest.mark.parametrize("text", ["", "IDを忘れました", "連絡先を変更したい", "はい、パスワードを忘れました"])
def test_anything_else_is_for_the_operator(text: str) -> None:
    assert read_wait_answer(text) is None


def _paused(text: str, offered: bool) -> DialogueStateTracker:
    events = [ConversationPaused(), SlotSet("handoff_wait_offered", True if offered else None), UserUttered(text)]
    return DialogueStateTracker.from_events("rest:someone", events)


def test_only_an_open_question_makes_a_yes_the_customers_answer() -> None:
    assert _paused_customer_action(_paused("はい", offered=True)) == "action_handoff_wait_answer"
    assert _paused_customer_action(_paused("連絡先を教えて", offered=True)) == "action_handoff_wait_answer"
    assert _paused_customer_action(_paused("はい", offered=False)) is None  # for the operator
    assert _paused_customer_action(_paused("IDを忘れました", offered=True)) is None
    assert _paused_customer_action(_paused("キャンセル", offered=True)) == "action_handoff_cancel"
