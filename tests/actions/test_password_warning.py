"""A password typed into the chat anyway: the customer is asked, once per conversation, not to send
passwords; ordinary questions about passwords are simply answered."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_state import bot_responses_before
from actions.faq_actions import ActionAnswer, ActionClarify
from actions.procedure_form import ValidateProcedureForm
from actions.reply_actions import ActionAnswerPendingQuestion
from tests.actions.trackers import responses, run, slot_events, tracker

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
AT_ID_PROMPT = {"requested_slot": "account_ref", "procedure": "send_ocn_id"}


@pytest.mark.parametrize("action", [ActionAnswer(), ActionClarify(), ActionAnswerPendingQuestion()])
def test_a_password_after_a_password_word_is_warned_about_first(action) -> None:
    messages, events = run(action, tracker("forgot_ocn_id_password", text="パスワードは Abc12345 なのに入れません"))
    assert responses(messages)[0] == "utter_password_not_in_chat" and len(messages) > 1  # and still answered
    assert slot_events(events)["password_warned"] is True


def test_the_warning_is_given_once_per_conversation() -> None:
    t = tracker("forgot_ocn_id_password", text="PW：abc123", slots={"password_warned": True})
    messages, _ = run(ActionAnswer(), t)
    assert "utter_password_not_in_chat" not in responses(messages)


@pytest.mark.parametrize(
    "question",
    [
        "パスワードを忘れました",
        "パスワードはどこで確認できますか",
        "パスワードを変更したい",
        "パスワードは何文字ですか",
    ],
)
def test_ordinary_questions_get_no_warning(question: str) -> None:
    messages, events = run(ActionAnswer(), tracker("forgot_password", text=question))
    assert "utter_password_not_in_chat" not in responses(messages) and "password_warned" not in slot_events(events)


def test_a_password_typed_at_the_id_prompt_is_warned_about_and_the_id_asked_again() -> None:
    form = ValidateProcedureForm()
    t = tracker("inform", text="Abc123!x", slots=AT_ID_PROMPT, active_loop="procedure_form")
    domain = {"forms": {"procedure_form": {"required_slots": ["account_ref"]}}, "slots": DOMAIN["slots"]}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(form.run(dispatcher, t, domain))
    assert responses(dispatcher.messages) == ["utter_password_not_in_chat"]  # not also 「…の形でご入力ください」
    assert slot_events(events)["password_warned"] is True and slot_events(events)["account_ref"] is None
    # A second time in the conversation: no lecture again; the form's own question (which says
    # ※パスワードは入力しないでください) comes back.
    again = tracker(
        "inform", text="Xyz789!a", slots={**AT_ID_PROMPT, "password_warned": True}, active_loop="procedure_form"
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(form.run(dispatcher, again, domain))
    assert responses(dispatcher.messages) == []


def test_a_mistyped_id_at_the_prompt_is_no_password() -> None:
    form = ValidateProcedureForm()
    t = tracker("inform", text="N12345678", slots=AT_ID_PROMPT, active_loop="procedure_form")
    domain = {"forms": {"procedure_form": {"required_slots": ["account_ref"]}}, "slots": DOMAIN["slots"]}
    dispatcher = CollectingDispatcher()
    asyncio.run(form.run(dispatcher, t, domain))
    assert responses(dispatcher.messages) == ["utter_invalid_account_ref"]


def test_the_warning_is_short_and_polite() -> None:
    text = DOMAIN["responses"]["utter_password_not_in_chat"][0]["text"]
    assert text.startswith("恐れ入りますが") and "入力しないでください" in text and len(text) <= 120


def test_one_warning_when_one_action_runs_another() -> None:
    """A typed value that is none (intent inform) goes on to the clarification: still one warning."""
    t = tracker("inform", text="パスワードは abc123 です", slots={"pending_question": "survey"})
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages).count("utter_password_not_in_chat") == 1


@pytest.mark.parametrize("action", [ActionAnswer(), ActionClarify(), ActionAnswerPendingQuestion()])
@pytest.mark.parametrize(
    "typed, only_warned",
    [
        ("今のパスワードはabc12345です", True),
        ("パスワードはえーとたろういちにさんよんです", True),  # spelled aloud
        ("パスワードはsakura2020だったと思うんですが", True),
        ("abc12345", True),  # alone, right after a password's answer: the password itself
        ("パスワードはabc12345なのにログインできない", False),  # a problem: answered too
        ("パスワードはabc12345ですがロックされました", False),
        ("はい、新しいパスワードはabc12345です", False),  # the survey answered beside it
        ("パスワードはabc12345です。OCN IDはどこで確認できますか", False),  # a question beside it
        ("今のはyamada1948なのですが", True),  # the current one, the word said in the turn before
        ("今 の は sakura1234 です", True),  # with spaces between the words
        ("今のやつ ocn2024abc だけど", True),
        ("今のabc12345 これ弱い？", False),  # and a question beside it
        ("今のは abcd5678 なんだけどこれで合ってる？", False),
    ],
)
def test_a_password_told_and_nothing_asked_gets_the_warning_and_the_open_question(
    action, typed: str, only_warned: bool
) -> None:
    """After the answer and 「解決しましたか？」, a password told with nothing asked beside it: the warning is the
    reply and the survey is asked again, not a help-page section nobody asked for."""
    events = [{"event": "bot", "metadata": {"utter_action": "utter_answer_change_ocn_id_password"}}]
    slots = {"topic": "change_ocn_id_password", "pending_question": "survey"}
    messages, _ = run(action, tracker("inform", text=typed, slots=slots, events=events))
    said = responses(messages)
    assert said[0] == "utter_password_not_in_chat"
    assert (said == ["utter_password_not_in_chat", "utter_ask_survey"]) is only_warned


def test_the_turn_that_only_warned_keeps_the_answer_before_it_in_view() -> None:
    """After the answer, 「今のパスワードはabc12345です」 (warned, the survey again), then a question that only
    follows the answer: it is read against that answer, as if the warning had not come between."""

    def bot(name: str) -> dict:
        return {"event": "bot", "metadata": {"utter_action": name}}

    events = [
        {"event": "user", "text": "パスワードを変えたい"},
        bot("utter_answer_change_ocn_id_password"),
        bot("utter_ask_survey"),
        {"event": "user", "text": "今のパスワードは[パスワード]です"},
        bot("utter_password_not_in_chat"),
        bot("utter_ask_survey"),
        {"event": "user", "text": "じゃあどうすれば"},
    ]
    said = bot_responses_before(tracker("nlu_fallback", text="じゃあどうすれば", events=events))
    assert said[0] == "utter_answer_change_ocn_id_password" and said[-2:] == [
        "utter_password_not_in_chat",
        "utter_ask_survey",
    ]
    # A warning given with an answer is an answer's turn of its own: nothing before it counts.
    events[4:6] = [bot("utter_password_not_in_chat"), bot("utter_help_section")]
    said = bot_responses_before(tracker("nlu_fallback", text="じゃあどうすれば", events=events))
    assert said == ["utter_password_not_in_chat", "utter_help_section"]


@pytest.mark.parametrize("typed", ["abc12345", "パスワードはabc12345です"])
def test_a_password_typed_to_the_which_password_question_gets_the_warning_and_the_question_again(typed: str) -> None:
    t = tracker("inform", text=typed, slots={"pending_question": "which_password"})
    said = responses(run(ActionAnswerPendingQuestion(), t)[0])
    assert said == ["utter_password_not_in_chat", "utter_ask_which_password"]


@pytest.mark.parametrize(
    ("typed", "intent", "thanked"),
    [
        ("すみません、気をつけます", "greet", True),  # read as a hello
        ("失礼しました。以後気をつけます", "goodbye", True),  # read as a goodbye: the customer is not leaving
        ("ごめんなさい", "greet", True),
        # a promise to take care, or an acknowledgement with an apology, says the same
        ("はい、以後気をつけます", "goodbye", True),
        ("承知いたしました。失礼いたしました", "goodbye", True),
        ("sorry, I understand", "nlu_fallback", True),
        ("わかりました", "affirm", False),  # only understood: the survey's reader answers it
        ("今後のために教えてください", "nlu_fallback", False),
        ("すみません、パスワードの変え方をもう一度教えてください", "change_ocn_id_password", False),  # a question
    ],
)
def test_an_apology_after_the_password_warning_is_thanked_and_the_question_asked_again(
    typed: str, intent: str, thanked: bool
) -> None:
    events = [
        {"event": "user", "text": "OCN IDのパスワードを変えたい"},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_change_ocn_id_password"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": "今のパスワードは[パスワード]です"},
        {"event": "bot", "metadata": {"utter_action": "utter_password_not_in_chat"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": typed},
    ]
    slots = {"topic": "change_ocn_id_password", "pending_question": "survey", "password_warned": True}
    said = responses(run(ActionAnswer(), tracker(intent, text=typed, slots=slots, events=events))[0])
    assert (said == ["utter_thanks_for_understanding", "utter_ask_survey"]) is thanked
