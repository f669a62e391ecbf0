"""Questions about dアカウント and dポイント beyond the help page (actions/d_account_questions.py): told honestly
that the page does not say, with the linking page; the linking question itself keeps the page's answer."""

from __future__ import annotations

import pytest

from actions.faq_actions import ActionAnswer, ActionClarify
from actions.links import link
from tests.actions.trackers import responses, run, tracker

NOT_ON_PAGE = "utter_d_account_details_not_on_page"


def _after_the_linking_answer(typed: str) -> list[dict]:
    said = ("utter_answer_link_d_account", "utter_ask_survey")
    bot = [{"event": "bot", "metadata": {"utter_action": name}} for name in said]
    return [{"event": "user", "text": "…"}, *bot, {"event": "user", "text": typed}]


@pytest.mark.parametrize(
    "typed, intent, expected",
    [
        ("dポイントはどれくらいたまりますか", "nlu_fallback", NOT_ON_PAGE),
        ("dポイントっていつもらえるの", "link_d_account", NOT_ON_PAGE),
        ("dアカウントのパスワードを忘れました", "out_of_scope", NOT_ON_PAGE),
        ("連携を解除したい", "link_d_account", NOT_ON_PAGE),  # the link named only by 連携, right after its answer
        ("連携をやめたい", "link_d_account", NOT_ON_PAGE),
        ("連携してるのにdポイントが貯まらない", "link_d_account", NOT_ON_PAGE),  # a problem, though it names the link
        # The link itself: the help page's answer.
        ("dアカウントと連携するには？", "link_d_account", "utter_answer_link_d_account"),
        ("dアカウントとの連携方法", "link_d_account", "utter_answer_link_d_account"),
        ("OCN IDとdアカウントを連携するとパスワードは変わりますか", "link_d_account", "utter_answer_link_d_account"),
    ],
)
def test_a_question_beyond_the_linking_answer_is_told_the_page_does_not_say(
    typed: str, intent: str, expected: str
) -> None:
    """After 「dアカウントと連携すると、dポイントをためることができます…」, 「dポイントはどれくらいたまりますか」
    was given the same answer again (read as the linking topic): the page says nothing of the points."""
    t = tracker(intent, text=typed, events=_after_the_linking_answer(typed), slots={"topic": "link_d_account"})
    t.latest_message["intent"]["confidence"] = 0.7  # unsure (a sure linking reading keeps its answer: below)
    messages, _ = run(ActionClarify() if intent == "nlu_fallback" else ActionAnswer(), t)
    assert responses(messages)[0] == expected
    if expected == NOT_ON_PAGE:
        assert messages[0]["link"] == link("link_d_account")


def test_unlinking_is_read_as_such_only_right_after_the_linking_answer() -> None:
    """「連携を解除したい」 names no dアカウント: only just after the linking answer is it that link's."""
    typed = "連携を解除したい"
    t = tracker("link_d_account", text=typed, slots={"topic": "link_d_account"})
    assert NOT_ON_PAGE not in responses(run(ActionAnswer(), t)[0])


def test_in_a_procedure_the_form_asks_its_question_again() -> None:
    typed = "dポイントっていつもらえるの"
    slots = {"procedure": "login_history", "requested_slot": "account_ref"}
    t = tracker("link_d_account", text=typed, slots=slots, active_loop="procedure_form")
    t.latest_message["intent"]["confidence"] = 0.7
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == [NOT_ON_PAGE]
    assert [e["name"] for e in events if e["event"] == "followup"] == ["procedure_form"]


def test_a_sure_reading_of_the_linking_question_keeps_its_answer() -> None:
    """At 0.9 or more the classifier reads the linking question itself (the blind writers expected its answer
    there, whatever details the words name); below, the details are told the page does not say."""
    typed = "dポイントはいつもらえますか"
    for confidence, expected in ((0.95, "utter_answer_link_d_account"), (0.7, NOT_ON_PAGE)):
        t = tracker("link_d_account", text=typed)
        t.latest_message["intent"]["confidence"] = confidence
        assert responses(run(ActionAnswer(), t)[0])[0] == expected
