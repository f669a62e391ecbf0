"""Questions about the ways of receiving the connection ID that are not a choice (actions/receiving_questions.py):
what the help page does not say is said honestly, a choice left to the bot is handed back, and the question
that was open comes back."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction

from actions.code_step import ActionCodeNotReceived
from actions.conversation_state import PROCEDURE_FORM
from actions.faq_actions import ActionClarify
from actions.links import contact_response
from tests.actions.trackers import responses, run, tracker

NOT_ON_PAGE = contact_response("utter_receiving_details_not_on_page")
_FIRST_QUESTION = {"procedure": "send_connection_id", "requested_slot": "account_ref"}
_METHOD_QUESTION = {"procedure": "send_connection_id", "requested_slot": "delivery_method", "verified_until": 9e9}
_CODE_STEP = {**_FIRST_QUESTION, "account_ref": "N123456789", "requested_slot": "otp_code", "verification_id": "v-1"}


def _clarified(text: str, slots: dict, intent: str = "nlu_fallback") -> tuple[list[str], list[dict]]:
    t = tracker(intent, text=text, slots=slots, active_loop=PROCEDURE_FORM)
    t.latest_message["intent"]["confidence"] = 0.5
    messages, events = run(ActionClarify(), t)
    return responses(messages), events


@pytest.mark.parametrize(
    "typed",
    ["郵送って何日くらいかかりますか", "SMSってお金かかりますか", "マイページで見るのは無料？", "郵便だといつ届きますか",
     "ゆうそうだとどれくらいで着く？"],
)  # fmt: skip
@pytest.mark.parametrize("slots", [_FIRST_QUESTION, _METHOD_QUESTION], ids=["with the ID", "alone"])
def test_what_the_page_does_not_say_of_a_way_is_said_and_the_question_asked_again(typed: str, slots: dict) -> None:
    """The help page names the three ways and nothing of their cost or the post's days: the bot says so (the
    contact page) instead of 「ご質問の内容を確認させてください」, and the form asks its question again."""
    said, events = _clarified(typed, slots)
    assert said == [NOT_ON_PAGE]
    assert FollowupAction(PROCEDURE_FORM) in events


@pytest.mark.parametrize("typed", ["どっちでもいいです", "どれでもいい", "おまかせします"])
def test_a_choice_left_to_the_bot_is_handed_back(typed: str) -> None:
    said, events = _clarified(typed, _METHOD_QUESTION)
    assert said == ["utter_receiving_method_is_yours_to_choose"] and FollowupAction(PROCEDURE_FORM) in events
    # Not once a way is chosen (at the final confirmation 「どっちでもいい」 is no choice left to the bot).
    chosen = {**_METHOD_QUESTION, "delivery_method": "post", "requested_slot": "procedure_confirmed"}
    assert "utter_receiving_method_is_yours_to_choose" not in _clarified(typed, chosen)[0]


@pytest.mark.parametrize(
    "typed, slots",
    [
        ("SMSってお金かかりますか", {"procedure": "reset_ocn_password", "requested_slot": "account_ref"}),
        ("どっちでもいいです", {"procedure": "send_connection_id", "requested_slot": "procedure_confirmed",
                               "delivery_method": "sms"}),
        ("郵送でお願いします", _METHOD_QUESTION),
    ],
)  # fmt: skip
def test_other_procedures_and_choices_are_not_questions_about_the_ways(typed: str, slots: dict) -> None:
    said, _ = _clarified(typed, slots)
    assert NOT_ON_PAGE not in said and "utter_receiving_method_is_yours_to_choose" not in said


def test_at_the_code_step_a_question_about_the_post_is_not_a_missing_code() -> None:
    """「郵送ってどのくらいで届きますか」 read as 「コードが届かない」 while the code is awaited: passed on to
    action_clarify, which says what the page does not say; 「SMSが届きません」 is the code not arriving."""
    t = tracker(
        "code_not_received", text="郵送ってどのくらいで届きますか", slots=_CODE_STEP, active_loop=PROCEDURE_FORM
    )
    t.latest_message["intent"]["confidence"] = 0.41
    messages, events = run(ActionCodeNotReceived(), t)
    assert messages == [] and events == [FollowupAction("action_clarify")]
    t = tracker("code_not_received", text="SMSが届きません", slots=_CODE_STEP, active_loop=PROCEDURE_FORM)
    assert responses(run(ActionCodeNotReceived(), t)[0]) == ["utter_code_not_received"]


_ANSWERED = [
    {"event": "user", "text": "接続用IDを知りたい"},
    {"event": "bot", "metadata": {"utter_action": "utter_answer_check_connection_id"}},
]
_AFTER_THE_ANSWER = {"topic": "check_connection_id", "pending_question": "offer_procedure",
                     "offered_procedure": "send_connection_id"}  # fmt: skip


def _after_the_answer(text: str, events: list[dict], intent: str = "nlu_fallback") -> list[str]:
    t = tracker(intent, text=text, slots=_AFTER_THE_ANSWER, events=[*events, {"event": "user", "text": text}])
    t.latest_message["intent"]["confidence"] = 0.5
    return responses(run(ActionClarify(), t)[0])


def test_after_the_connection_ids_answer_the_question_is_answered_and_the_offer_made_again() -> None:
    assert _after_the_answer("郵送だと何日で届きますか", _ANSWERED) == [NOT_ON_PAGE, "utter_offer_procedure"]
    # The phone's own bill is another matter (携帯・スマホ name the phone too), and long after the answer the
    # topic is no longer the ways of receiving.
    assert NOT_ON_PAGE not in _after_the_answer("スマホの料金プランを変えたい", _ANSWERED)
    later = [*_ANSWERED, {"event": "user", "text": "はい"}, {"event": "bot", "metadata": {"utter_action": "utter_x"}},
             {"event": "user", "text": "どうも"}, {"event": "bot", "metadata": {"utter_action": "utter_y"}}]  # fmt: skip
    assert NOT_ON_PAGE not in _after_the_answer("郵送だと何日で届きますか", later)


@pytest.mark.parametrize(
    "typed", ["スマホにコードが届かない、いつ届くの", "SMSいつ届きますか", "SMSの方が早いからもう一度送って"]
)
def test_at_the_code_step_the_code_itself_is_not_a_question_about_the_ways(typed: str) -> None:
    """While the code is awaited, SMS is the code's way: 「SMSいつ届きますか」 is the code not arriving."""
    t = tracker("code_not_received", text=typed, slots=_CODE_STEP, active_loop=PROCEDURE_FORM)
    t.latest_message["intent"]["confidence"] = 0.9
    assert responses(run(ActionCodeNotReceived(), t)[0]) == ["utter_code_not_received"]


@pytest.mark.parametrize(
    "typed", ["お客さま番号とOCN IDどっちでもいいですか", "IDはどれでもいいですか", "妻に任せてるので番号がわからない"]
)
def test_an_id_left_open_or_a_family_member_is_no_choice_of_a_way(typed: str) -> None:
    said, _ = _clarified(typed, _FIRST_QUESTION)
    assert "utter_receiving_method_is_yours_to_choose" not in said
