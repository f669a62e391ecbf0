"""action_answer, the pending-question router and action_clarify."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import knowledge
from actions.faq_actions import ActionAnswer, ActionClarify
from actions.links import contact_response
from actions.procedure_form import ActionStartProcedure, ValidateProcedureForm
from actions.procedure_switch import switched_procedure
from actions.reply_actions import ActionAnswerPendingQuestion
from actions.settings import VERIFIED_HELP_PAGE_URL
from actions.topics import TOPICS
from tests.actions.trackers import responses, run, slot_events, tracker


@pytest.mark.parametrize("intent", sorted(i for i in TOPICS if i not in ("forgot_password", "request_human")))
def test_every_topic_is_answered_with_its_response_and_a_next_step(intent: str) -> None:
    messages, events = run(ActionAnswer(), tracker(intent))
    assert responses(messages)[0] == contact_response(f"utter_answer_{intent}")
    topic = TOPICS[intent]
    if topic.link_key:
        assert messages[0]["link"].startswith("https://")
    pending = slot_events(events).get("pending_question")
    if topic.procedure:
        assert pending == "offer_procedure"
        assert topic.procedure in messages[-1]["buttons"][0]["payload"]
    elif topic.survey:
        assert pending == "survey" and responses(messages)[-1] == "utter_ask_survey"


def test_an_answer_links_to_its_deep_link_once_an_operator_sets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCN_LINK_CHECK_CONNECTION_ID", raising=False)
    messages, _ = run(ActionAnswer(), tracker("check_connection_id"))
    assert messages[0]["link"] == VERIFIED_HELP_PAGE_URL  # unset: the verified help page
    monkeypatch.setenv("OCN_LINK_CHECK_CONNECTION_ID", "https://mypage.example.test/connection")
    messages, _ = run(ActionAnswer(), tracker("check_connection_id"))
    assert messages[0]["link"] == "https://mypage.example.test/connection"


def test_forgot_password_asks_which_one() -> None:
    messages, events = run(ActionAnswer(), tracker("forgot_password"))
    assert responses(messages) == ["utter_ask_which_password"]
    assert slot_events(events)["pending_question"] == "which_password"


@pytest.mark.parametrize(
    "typed, which",
    [
        ("OCNのパスワードがどうしても思い出せません", "utter_ask_which_password"),
        ("Sorry, OCN の password を おもいだせない", "utter_ask_which_password"),
        ("OCN IDのパスワードを忘れました", "utter_answer_forgot_ocn_id_password"),
        ("メールのパスワード忘れた", "utter_answer_forgot_ocn_id_password"),
        ("OCNのログイン画面で入れるパスワード、忘れちゃった", "utter_answer_forgot_ocn_id_password"),
    ],
)
def test_a_first_forgotten_ocn_password_that_names_no_id_asks_which_one(typed: str, which: str) -> None:
    """OCN has two passwords; 「OCNのパスワード」 says neither, unless the message says what it is for."""
    messages, _ = run(ActionAnswer(), tracker("forgot_ocn_id_password", text=typed))
    assert responses(messages)[0] == which
    # After an answer about the OCN ID, the same words mean its password.
    later = tracker("forgot_ocn_id_password", text=typed, slots={"topic": "check_ocn_id"})
    assert responses(run(ActionAnswer(), later)[0])[0] == "utter_answer_forgot_ocn_id_password"


@pytest.mark.parametrize(
    "typed",
    [
        "来月のしはらいはいつになりますか",
        "ashita no tenki oshiete",
        "ほかの会社にのりかえる相談はとこにすれはいい",
    ],
)
def test_an_unclear_message_about_another_matter_gets_the_off_topic_answer(typed: str) -> None:
    unsure = [("nlu_fallback", 0.5), ("out_of_scope", 0.47), ("start_procedure", 0.2)]
    messages, events = run(ActionClarify(), tracker("nlu_fallback", text=typed, ranking=unsure))
    assert responses(messages) == [contact_response("utter_answer_out_of_scope")]
    assert "followup" not in [e["event"] for e in events]  # no procedure started for 「ここでできます？」
    # Naming one of the page's things, it is about them: not the off-topic answer.
    typed = "引っ越してもお客さま番号は同じですか"
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", text=typed, ranking=unsure))
    assert contact_response("utter_answer_out_of_scope") not in responses(messages)


def test_an_unsure_forgotten_password_that_names_no_id_asks_which_one() -> None:
    typed = "ずっとログインに失敗する、パスワードを忘れたのかも。どうしたらいい？"
    unsure = [("nlu_fallback", 0.5), ("forgot_password", 0.47), ("out_of_scope", 0.17)]
    messages, events = run(ActionClarify(), tracker("nlu_fallback", text=typed, ranking=unsure))
    assert responses(messages) == ["utter_ask_which_password"]
    assert slot_events(events)["pending_question"] == "which_password"
    # The OCN ID's password likelier: the help-page section on it, not the question.
    mail = [("nlu_fallback", 0.5), ("forgot_ocn_id_password", 0.44), ("forgot_password", 0.4)]
    typed = "息子が設定したメールが見られなくなりました。パスワードは存じません"
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", text=typed, ranking=mail))
    assert responses(messages)[0] == "utter_help_section"


@pytest.mark.parametrize(
    "typed, intent, requested",
    [
        ("あ、やっぱりログイン履歴のほうが見たい", "check_login_history", "account_ref"),
        ("IDの確認じゃなくてログイン履歴の確認にしてもらえますか", "check_login_history", "procedure_confirmed"),
        ("やっぱりログイン履歴を確認するほうで", "check_login_history", "account_ref"),  # the button's words, ほうで
    ],
)
def test_another_procedure_asked_for_instead_replaces_the_one_running(typed: str, intent: str, requested: str) -> None:
    slots = {
        "procedure": "send_ocn_id" if requested != "account_ref" else "reset_ocn_password",
        "requested_slot": requested,
    }
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_procedure_switched"]
    assert messages[0]["procedure_title"] == TOPICS["check_login_history"].title
    assert slot_events(events)["procedure"] == "login_history"
    assert slot_events(events)["requested_slot"] is None  # the new procedure's questions from the start
    assert events[-1]["name"] == "procedure_form"


def test_a_change_of_mind_the_classifier_could_not_place_switches_at_the_final_question() -> None:
    """「ちょっと待って、やっぱりパスワードの再設定にしたい」 at the OCN ID look-up's 「よろしいですか？」 was asked
    again: the form leaves it, and the reset (among the classifier's likeliest readings) replaces the look-up."""
    typed = "ちょっと待って、やっぱりパスワードの再設定にしたい"
    slots = {"procedure": "send_ocn_id", "requested_slot": "procedure_confirmed"}
    ranking = [("nlu_fallback", 0.5), ("forgot_ocn_id_password", 0.4), ("change_ocn_id_password", 0.2)]
    t = tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form", ranking=ranking)
    dispatcher = CollectingDispatcher()
    validated = asyncio.run(ValidateProcedureForm().run(dispatcher, t, {"forms": {}}))
    assert dispatcher.messages == [] and "procedure_confirmed" not in slot_events(validated)
    messages, events = run(ActionClarify(), t)
    assert responses(messages) == ["utter_procedure_switched"]
    assert slot_events(events)["procedure"] == "reset_ocn_password"
    # Unplaced, with the reset not its likeliest reading: not switched on the words' loose aliases alone.
    elsewhere = [("nlu_fallback", 0.5), ("out_of_scope", 0.4), ("forgot_ocn_id_password", 0.3)]
    t = tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form", ranking=elsewhere)
    messages, _ = run(ActionClarify(), t)
    assert "utter_procedure_switched" not in responses(messages)


def test_an_unplaced_change_of_way_at_the_final_question_that_names_no_procedure_is_no_switch() -> None:
    """「やはり郵送のほうがよいかもしれません…紙で送っていただけますか」 at the connection ID's final question, unplaced
    with out of scope likeliest: no procedure named, none switched (the check had failed on it and lost the
    verification)."""
    typed = "やはり郵送のほうがよいかもしれません。携帯はあまり見ませんので、紙で送っていただけますか"
    slots = {"procedure": "send_connection_id", "requested_slot": "procedure_confirmed", "delivery_method": "sms"}
    ranking = [("nlu_fallback", 0.5), ("out_of_scope", 0.4), ("check_connection_id", 0.2)]
    t = tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form", ranking=ranking)
    assert switched_procedure(t, "nlu_fallback") is None


@pytest.mark.parametrize(
    "typed",
    [
        "はい、やっぱりログインできないのでお願いします",
        "やっぱりログインできるか試してみたい",
        "やっぱりログインできないので早めにしてください",
    ],
)
def test_an_unplaced_yes_naming_a_loose_alias_switches_nothing_at_the_final_question(typed: str) -> None:
    slots = {"procedure": "reset_ocn_password", "requested_slot": "procedure_confirmed"}
    ranking = [("nlu_fallback", 0.5), ("check_login_history", 0.4), ("forgot_ocn_id_password", 0.3)]
    t = tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form", ranking=ranking)
    messages, events = run(ActionClarify(), t)
    assert "utter_procedure_switched" not in responses(messages)
    assert slot_events(events).get("procedure", "reset_ocn_password") == "reset_ocn_password"


@pytest.mark.parametrize(
    "typed, intent, requested",
    [
        ("やっぱりOCN IDでお願いします", "check_ocn_id", "account_ref"),  # the ID to be identified with
        ("お客さま番号じゃなくてOCN IDでもいい？", "check_ocn_id", "account_ref"),
        ("やっぱりログイン履歴って何日分見られますか", "check_login_history", "account_ref"),  # a question
        ("やっぱりメールアドレスを変更したいです", "change_ocn_id", "otp_code"),  # no chat procedure of its own
        ("やっぱりログインできない", "forgot_password", "account_ref"),
        ("やっぱりお客さま番号で本人確認したいです", "check_customer_number", "account_ref"),  # the ID to identify with
    ],
)
def test_what_is_no_other_procedure_instead_switches_nothing(typed: str, intent: str, requested: str) -> None:
    slots = {"procedure": "reset_ocn_password", "requested_slot": requested}
    messages, events = run(ActionAnswer(), tracker(intent, text=typed, slots=slots, active_loop="procedure_form"))
    assert "utter_procedure_switched" not in responses(messages)
    assert slot_events(events).get("procedure", "reset_ocn_password") == "reset_ocn_password"


@pytest.mark.parametrize(
    "typed, requested, asked",
    [
        ("やっぱり接続用IDのほうを先にお願いしたいです", "otp_code", True),
        ("あ、やっぱりお客さま番号のほうにしたいです", "procedure_confirmed", True),
        ("やっぱりOCN IDのほうで", "account_ref", False),  # the ID to identify with, chosen
        ("やっぱり接続用IDのほうを先にお願いしたいです", "account_ref", False),
        ("やっぱり接続用IDってどこで見られますか", "otp_code", False),  # a question: answered, the procedure kept
    ],
)
def test_turning_to_another_id_while_a_procedure_runs_asks_which_of_its_procedures(
    typed: str, requested: str, asked: bool
) -> None:
    """「やっぱり接続用IDのほうを先に…」 while the password reset waits for its code: the bot asks which procedure (the
    blind writers expected 「どのお手続き…」), keeping the ID and the code already sent."""
    slots = {"procedure": "reset_ocn_password", "requested_slot": requested, "account_ref": "N123456789"}
    slots |= {"verification_id": "v-1"}
    t = tracker("inform", text=typed, slots=slots, active_loop="procedure_form")
    _, events = run(ActionAnswer(), t)
    changed = slot_events(events)
    assert (changed.get("procedure", "reset_ocn_password") is None) is asked
    if asked:
        assert not {"account_ref", "verification_id"} & set(changed) and events[-1]["name"] == "procedure_form"


def test_switching_at_the_code_step_keeps_the_code_already_sent() -> None:
    """The verification is the customer's: the code sent for the first procedure still identifies them."""
    slots = {
        "procedure": "reset_ocn_password",
        "requested_slot": "otp_code",
        "account_ref": "N123456789",
        "verification_id": "v-1",
        "code_destination": "携帯電話",
    }
    typed = "パスワード再設定じゃなくてログイン履歴にしてください"
    t = tracker("forgot_ocn_id_password", text=typed, slots=slots, active_loop="procedure_form")
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_procedure_switched"]
    changed = slot_events(events)
    assert changed["procedure"] == "login_history"
    assert not {"account_ref", "verification_id", "code_destination", "code_expires_at"} & set(changed)


def test_a_question_about_another_topic_during_a_procedure_switches_nothing() -> None:
    t = tracker("check_login_history", text="ログイン履歴って何日分見られますか", slots={"procedure": "reset_ocn_password"},
                active_loop="procedure_form")  # fmt: skip
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_answer_check_login_history", "utter_back_to_procedure"]
    assert "procedure" not in slot_events(events)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("光回線の設定で入れるIDってどこに書いてありますか", "utter_answer_check_connection_id"),
        ("ルーターにIDを入れろと出ます。何を入れたらいい？", "utter_answer_check_connection_id"),
        ("インターネットのIDとOCN IDの違いは？", "utter_answer_ask_id_types"),  # the IDs compared
        ("ネットのIDとお客さま番号って別？", "utter_answer_ask_id_types"),  # another ID named
    ],
)
def test_the_ids_question_that_asks_for_the_internets_id_gets_the_connection_id(typed: str, expected: str) -> None:
    messages, _ = run(ActionAnswer(), tracker("ask_id_types", text=typed))
    assert responses(messages)[0] == expected


def test_answer_during_a_procedure_returns_to_it_without_survey() -> None:
    messages, events = run(ActionAnswer(), tracker("change_customer_number", active_loop="procedure_form"))
    assert responses(messages) == ["utter_answer_change_customer_number", "utter_back_to_procedure"]
    assert slot_events(events) == {"topic": "change_customer_number"}  # no new question while the form asks


@pytest.mark.parametrize(
    "entities, expected",
    [
        ([{"entity": "id_type", "value": "ocn_id"}], "utter_answer_forgot_ocn_id_password"),
        ([{"entity": "id_type", "value": "connection_id"}], "utter_answer_check_connection_id"),
        ([{"entity": "id_type", "value": "customer_number"}], "utter_customer_number_has_no_password"),
        ([{"entity": "id_type", "value": "unknown"}], "utter_password_difference"),
    ],
)
def test_which_password_reply(entities: list, expected: str) -> None:
    t = tracker("inform", entities=entities, slots={"pending_question": "which_password"})
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages)[0] == contact_response(expected)


def test_i_dont_know_explains_the_difference_and_asks_again() -> None:
    t = tracker("deny", text="わからない", slots={"pending_question": "which_password"})
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages) == ["utter_password_difference", "utter_ask_which_password"]
    assert slot_events(events)["pending_question"] == "which_password"


@pytest.mark.parametrize(
    "intent, answer, response",
    [("affirm", "resolved", "utter_survey_thanks"), ("deny", "unresolved", "utter_survey_unresolved")],
)
def test_survey_answer_is_recorded(intent: str, answer: str, response: str) -> None:
    messages, events = run(ActionAnswerPendingQuestion(), tracker(intent, slots={"pending_question": "survey"}))
    assert responses(messages) == [response]
    assert slot_events(events)["survey_answer"] == answer
    assert slot_events(events)["pending_question"] is None


@pytest.mark.parametrize(
    "typed, started",
    [
        ("マイページで見れないの？", False),
        ("マイページで見られますか", False),
        ("マイページでお願いします", True),
        ("マイページで送ってもらえますか", True),  # a request put as a question
        ("マイページでもいいですか？", True),  # leave asked: it chooses the way
    ],
)
def test_a_way_named_in_a_question_at_the_offer_starts_nothing(typed: str, started: bool) -> None:
    """「マイページで見れないの？」 after the forgotten password's answer asks whether it can be seen there: it had
    started the reset (the way read as a value given)."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_connection_id"}
    entities = [{"entity": "delivery_method", "value": "mypage"}]
    _, events = run(ActionAnswerPendingQuestion(), tracker("inform", text=typed, entities=entities, slots=slots))
    followups = [e.get("name") for e in events if e["event"] == "followup"]
    assert ("procedure_form" in followups) is started


@pytest.mark.parametrize(
    "typed, intent, way",
    [("ゆうそうで", "affirm", "post"), ("SMSでお願いします", "inform", "sms"), ("郵送は嫌です", "deny", None)],
)
def test_a_way_chosen_at_the_connection_ids_offer_starts_it_with_that_way(
    typed: str, intent: str, way: str | None
) -> None:
    """「ゆうそうで」 to 「チャットでのお手続きをご希望ですか？」 after the connection ID's answer, read as a yes at 0.36:
    the procedure, its way kept (it had asked the offer again)."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_connection_id"}
    entities = [{"entity": "delivery_method", "value": way or "post"}]
    t = tracker(intent, text=typed, entities=entities, slots=slots)
    t.latest_message["intent"]["confidence"] = 0.36
    _, events = run(ActionAnswerPendingQuestion(), t)
    started = "procedure_form" in [e.get("name") for e in events if e["event"] == "followup"]
    assert started is bool(way) and slot_events(events).get("delivery_method") == way


def test_yes_to_the_offer_starts_the_procedure_form() -> None:
    t = tracker("affirm", slots={"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"})
    _, events = run(ActionAnswerPendingQuestion(), t)
    assert slot_events(events)["procedure"] == "send_ocn_id"
    assert {"event": "followup", "name": "procedure_form"} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "followup"
    ]


def test_no_to_the_offer_asks_the_survey() -> None:
    messages, events = run(
        ActionAnswerPendingQuestion(), tracker("deny", slots={"pending_question": "offer_procedure"})
    )
    assert responses(messages) == ["utter_ask_survey"]
    assert slot_events(events)["pending_question"] == "survey"


def test_yes_without_a_question_is_acknowledged() -> None:
    messages, events = run(ActionAnswerPendingQuestion(), tracker("affirm"))
    assert responses(messages) == ["utter_anything_else"] and events == []


def test_clarify_offers_the_two_likeliest_topics() -> None:
    t = tracker(
        "nlu_fallback",
        text="あれってどうなってるの",
        ranking=[("nlu_fallback", 0.5), ("check_ocn_id", 0.3), ("affirm", 0.1), ("ask_id_types", 0.05)],
    )
    messages, _ = run(ActionClarify(), t)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ["/check_ocn_id", "/ask_id_types", "/out_of_scope"]


def test_second_unclear_message_gets_the_help_links() -> None:
    earlier = [
        {"event": "user", "text": "???"},
        {"event": "action", "name": "action_clarify"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "ほげ"},
    ]
    t = tracker("nlu_fallback", text="ほげ", ranking=[("check_ocn_id", 0.3)], events=earlier)
    messages, _ = run(ActionClarify(), t)
    assert responses(messages) == [contact_response("utter_fallback")]
    assert messages[0]["link"].startswith("https://") and messages[0]["contact_link"].startswith("https://")


def test_unclear_message_about_an_id_is_answered_from_the_help_page() -> None:
    t = tracker(
        "nlu_fallback",
        text="ルーターに入れるIDとパスワードってどこでわかりますか",
        ranking=[("check_connection_id", 0.4), ("ask_id_types", 0.3), ("greet", 0.1), ("check_ocn_id", 0.1)],
    )
    messages, events = run(ActionClarify(), t)
    assert messages[0]["section_title"] == "OCN接続用ID（認証ID）とパスワードを確認したい"
    assert "SMS" in messages[0]["section_text"] and messages[0]["link"].startswith("https://")
    # The chat can send the connection ID: its procedure is the first button, and a yes to it starts it.
    assert responses(messages) == ["utter_help_section", "utter_help_section_procedure"]
    payloads = [b["payload"] for b in messages[1]["buttons"]]
    assert payloads == [
        '/start_procedure{"procedure": "send_connection_id"}',
        "/check_connection_id",
        "/ask_id_types",
        "/out_of_scope",
    ]
    assert slot_events(events)["pending_question"] == "offer_procedure"
    assert slot_events(events)["offered_procedure"] == "send_connection_id"
    # A section the chat has no procedure for: the likeliest topics only.
    t = tracker(
        "nlu_fallback",
        text="接続用IDを自分で決めた文字列にできますか",
        ranking=[("change_connection_id", 0.4), ("ask_id_types", 0.3), ("greet", 0.1)],
    )
    messages, _ = run(ActionClarify(), t)
    assert responses(messages) == ["utter_help_section", "utter_help_section_other"]
    # While another procedure's topic is discussed (the login history), the section offers none.
    t = tracker(
        "nlu_fallback",
        text="ルーターに入れるIDとパスワードってどこでわかりますか",
        ranking=[("check_connection_id", 0.4), ("ask_id_types", 0.3)],
        slots={"topic": "check_login_history"},
    )
    messages, events = run(ActionClarify(), t)
    assert responses(messages) == ["utter_help_section", "utter_help_section_other"]
    assert "offered_procedure" not in slot_events(events)


def test_a_second_unclear_message_about_an_id_still_gets_a_section() -> None:
    earlier = [
        {"event": "user", "text": "???"},
        {"event": "action", "name": "action_clarify"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "お客さま番号って変えられるの"},
    ]
    t = tracker(
        "nlu_fallback", text="お客さま番号って変えられるの", ranking=[("check_customer_number", 0.3)], events=earlier
    )
    messages, _ = run(ActionClarify(), t)
    # The change its words state is answered (the customer number cannot be changed), not the second fallback.
    assert responses(messages)[0] == "utter_answer_change_customer_number"


@pytest.mark.parametrize(
    "typed, answered",
    [
        ("接続用IDのパスワードも同じにしていた気がするんですが、そっちも変えた方がいいですか？変えるならどうやるんでしょう",
         "utter_answer_change_connection_id_password"),
        ("お客さま番号って変えられるの", "utter_answer_change_customer_number"),
    ],
)  # fmt: skip
def test_a_section_of_another_topic_of_the_same_id_gives_way_to_what_the_words_state(typed: str, answered: str) -> None:
    """The section found for an unsure message is about the connection ID's change, but the customer names the
    connection ID's password and its change: that topic is answered."""
    t = tracker("nlu_fallback", text=typed, ranking=[("change_connection_id", 0.4), ("check_customer_number", 0.3)])
    t.latest_message["intent"]["confidence"] = 0.5
    assert answered in responses(run(ActionClarify(), t)[0])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ぱすわーどをわすれてめーるがよめない", "utter_help_section"),
        ("今日の天気は？", "utter_answer_out_of_scope"),
        ("今月の料金をマイページで確認したい", "utter_answer_out_of_scope"),
        ("引っ越し先でもネットを使いたい", "utter_answer_out_of_scope"),
        # Another service's own password or ID is not an OCN question the classifier missed.
        ("楽天のパスワードを再設定したい", "utter_answer_out_of_scope"),
        # dアカウント's own ID: what the help page does not say of it, with the linking page (not the contact page).
        ("dアカウントのIDがわからない", "utter_d_account_details_not_on_page"),
        ("Wi-Fiのパスワードってどこ？", "utter_answer_out_of_scope"),
    ],
)
def test_off_topic_answer_only_for_messages_not_about_ids(text: str, expected: str) -> None:
    messages, _ = run(ActionAnswer(), tracker("out_of_scope", text=text, ranking=[("out_of_scope", 0.8)]))
    assert responses(messages)[0] == contact_response(expected)


@pytest.mark.parametrize("text, response", [("😀😀", "utter_unreadable"), ("あ" * 2001, "utter_too_long")])
def test_unreadable_input(text: str, response: str) -> None:
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", text=text))
    assert responses(messages) == [response]


def test_a_customer_number_out_of_the_blue_starts_a_procedure() -> None:
    t = tracker("inform", text="N123456789", entities=[{"entity": "customer_number", "value": "N123456789"}])
    _, events = run(ActionAnswerPendingQuestion(), t)
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events)


@pytest.mark.parametrize(
    "topic, pending, procedure",
    [
        ("forgot_ocn_id_password", None, "reset_ocn_password"),
        ("check_connection_id", "survey", "send_connection_id"),
        ("check_customer_number", None, "send_customer_number"),
        ("change_ocn_id", None, None),  # no chat procedure for that answer: the form asks which
    ],
)
def test_an_id_typed_after_an_answer_starts_that_answers_procedure(
    topic: str, pending: str | None, procedure: str | None
) -> None:
    """「N123456789」 right after the password-reset answer means that procedure: asking 「どのお手続きですか？」
    would have the customer type the ID again, then a code that was never sent."""
    t = tracker(
        "inform",
        text="N123456789です",
        entities=[{"entity": "customer_number", "value": "N123456789"}],
        slots={"topic": topic, "pending_question": pending},
    )
    _, events = run(ActionAnswerPendingQuestion(), t)
    assert slot_events(events)["procedure"] == procedure
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events)


def test_inform_without_any_value_is_clarified_not_a_procedure() -> None:
    t = tracker(
        "inform",
        text="<img src=x onerror=alert(1)>",
        ranking=[("inform", 0.4), ("check_ocn_id", 0.2), ("ask_id_types", 0.1)],
    )
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert not any(e["event"] == "followup" for e in events)
    assert responses(messages) == ["utter_clarify"]


def test_asking_for_a_procedure_while_one_runs_continues_it() -> None:
    messages, events = run(ActionAnswer(), tracker("start_procedure", active_loop="procedure_form"))
    assert responses(messages) == ["utter_back_to_procedure"] and events == []


# --- a question that asks for the chat procedure starts it (issue 23) ------------------------------------------


@pytest.mark.parametrize(
    "intent, text, procedure",
    [
        ("check_login_history", "チャットでログイン履歴を確認したい", "login_history"),
        ("forgot_ocn_id_password", "OCN IDのパスワード、ここで再設定できますか", "reset_ocn_password"),
        ("check_customer_number", "お客さま番号を確認する手続きをお願いします", "send_customer_number"),
    ],
)
def test_a_question_asking_for_the_chat_procedure_starts_it(intent: str, text: str, procedure: str) -> None:
    messages, events = run(ActionAnswer(), tracker(intent, text=text))
    assert not messages  # the form asks for the ID next
    assert {"event": "slot", "name": "procedure", "value": procedure} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events)


def test_a_question_about_a_procedure_gets_the_answer_and_the_offer() -> None:
    messages, events = run(ActionAnswer(), tracker("check_login_history", text="ログイン履歴はどこで見られますか"))
    assert responses(messages) == ["utter_answer_check_login_history", "utter_offer_procedure"]
    assert not any(e["event"] == "followup" for e in events)


def test_a_request_to_start_names_its_procedure_in_words() -> None:
    _, events = run(
        ActionStartProcedure(), tracker("start_procedure", text="ここでお客さま番号を確認する手続きをしたい")
    )
    assert slot_events(events)["procedure"] == "send_customer_number"
    _, events = run(ActionStartProcedure(), tracker("start_procedure", text="チャットで手続きしたい"))
    assert slot_events(events)["procedure"] is None  # named none: the form asks which


def test_a_help_page_section_shown_is_the_topic_a_request_to_do_it_here_refers_to() -> None:
    """After the knowledge fallback showed the section on a forgotten OCN ID password, 「ここでできますか」
    starts the password reset (not 「どのお手続きをご希望ですか？」): the section is what was just answered."""
    t = tracker(
        "nlu_fallback",
        text="めーるのぱすわーどをわすれてよめない",
        ranking=[("forgot_ocn_id_password", 0.4), ("forgot_password", 0.3)],
        slots={"topic": "change_customer_number"},  # an earlier answer: no longer what is discussed
    )
    messages, events = run(ActionClarify(), t)
    assert responses(messages)[0] == "utter_help_section"
    topic = slot_events(events)["topic"]
    assert topic == "forgot_ocn_id_password"
    _, events = run(ActionStartProcedure(), tracker("start_procedure", text="ここでできますか", slots={"topic": topic}))
    assert slot_events(events)["procedure"] == "reset_ocn_password"


def test_a_section_on_two_topics_with_procedures_names_the_one_the_classifier_clearly_leads_with() -> None:
    section = next(s for s in knowledge.sections() if set(s.intents) == {"check_ocn_id", "check_login_history"})
    assert knowledge.section_topic(section) is None
    close = [{"name": "check_login_history", "confidence": 0.3}, {"name": "check_ocn_id", "confidence": 0.2}]
    assert knowledge.section_topic(section, close) is None
    leads = [{"name": "check_ocn_id", "confidence": 0.4}, {"name": "check_login_history", "confidence": 0.1}]
    assert knowledge.section_topic(section, leads) == "check_ocn_id"
    section = next(s for s in knowledge.sections() if "change_customer_number" in s.intents)
    assert knowledge.section_topic(section) == "check_customer_number"


def test_a_side_question_answered_from_the_help_page_keeps_the_topic_with_a_procedure() -> None:
    t = tracker(
        "nlu_fallback",
        text="めーるのぱすわーどをわすれてよめない",
        ranking=[("forgot_ocn_id_password", 0.4), ("forgot_password", 0.3)],
        slots={"topic": "check_customer_number"},  # its procedure was offered: still what the customer came for
    )
    messages, events = run(ActionClarify(), t)
    assert responses(messages)[0] == "utter_help_section" and "topic" not in slot_events(events)


def _clarified(*offered: str) -> list[dict]:
    """The bot's previous turn: a clarification offering these topics as buttons."""
    buttons = knowledge.topic_buttons(list(offered))
    return [
        {"event": "user", "text": "…"},
        {"event": "bot", "metadata": {"utter_action": "utter_clarify"}, "data": {"buttons": buttons}},
        {"event": "user", "text": "ここでできますか"},
    ]


@pytest.mark.parametrize(
    "offered, procedure",
    [
        (("check_connection_id",), "send_connection_id"),
        (("ask_id_types", "forgot_ocn_id_password"), "reset_ocn_password"),
        (("check_connection_id", "check_login_history"), None),  # two chat procedures: the form asks which
        (("ask_id_types", "register_mypage"), None),  # none the chat does
    ],
)
def test_a_request_to_do_it_here_after_a_clarification_takes_its_one_chat_procedure(
    offered: tuple[str, ...], procedure: str | None
) -> None:
    """The bot offered 「接続用IDとパスワードの確認」「どれでもない」 and the customer, instead of pressing, asks
    「ここでできますか」: of the topics offered, only one can be done in the chat, so that is what is meant."""
    t = tracker("start_procedure", text="ここでできますか", events=_clarified(*offered))
    _, events = run(ActionStartProcedure(), t)
    assert slot_events(events)["procedure"] == procedure
    unplaced = tracker(
        "nlu_fallback", text="ここでできますか", ranking=[("start_procedure", 0.4)], events=_clarified(*offered)
    )
    _, events = run(ActionClarify(), unplaced)
    assert slot_events(events)["procedure"] == procedure


def _unplaced_messages(*rankings: list[tuple[str, float]]) -> list[dict]:
    """Earlier customer messages the bot could not place (each with the classifier's ranking), each answered
    with a second-try fallback, then the request itself."""
    events: list[dict] = []
    for ranking in rankings:
        parse_data = {
            "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        }
        events += [
            {"event": "user", "text": "えっと、あれです", "parse_data": parse_data},
            {"event": "bot", "metadata": {"utter_action": "utter_fallback_no_link"}},
        ]
    return events + [{"event": "user", "text": "チャットで手続きしたい"}]


@pytest.mark.parametrize(
    "rankings, procedure",
    [
        # Neither message was sure enough to answer, but both lean to the OCN ID's password.
        (([("nlu_fallback", 0.5), ("forgot_ocn_id_password", 0.32), ("ask_id_types", 0.2)],
          [("nlu_fallback", 0.5), ("forgot_ocn_id_password", 0.25), ("deny", 0.1)]), "reset_ocn_password"),
        # Two procedures about as likely: the form asks which.
        (([("nlu_fallback", 0.5), ("check_connection_id", 0.3), ("check_ocn_id", 0.28)],), None),
        # Too little to go on.
        (([("nlu_fallback", 0.5), ("deny", 0.3), ("check_ocn_id", 0.12)],), None),
    ],
)  # fmt: skip
def test_a_request_after_messages_the_bot_could_not_place_takes_the_procedure_they_lean_to(
    rankings: tuple[list[tuple[str, float]], ...], procedure: str | None
) -> None:
    t = tracker("start_procedure", text="チャットで手続きしたい", events=_unplaced_messages(*rankings))
    _, events = run(ActionStartProcedure(), t)
    assert slot_events(events)["procedure"] == procedure


def test_the_thread_is_only_the_messages_the_bot_could_not_place() -> None:
    """「OCN IDのパスワードを忘れた」 was answered, then 「いいえ」 declined its procedure: a later request to do
    something in the chat does not reach back to it; the form asks which."""
    answered = _unplaced_messages([("forgot_ocn_id_password", 0.93), ("forgot_password", 0.04)])[:-1]
    declined = _unplaced_messages([("deny", 0.95), ("forgot_ocn_id_password", 0.02)])[:-1]
    request = _unplaced_messages()
    events = [*answered, *declined, *request]
    _, started = run(ActionStartProcedure(), tracker("start_procedure", text="チャットで手続きしたい", events=events))
    assert slot_events(started)["procedure"] is None


def test_a_yes_or_no_sign_ends_the_thread() -> None:
    """🙅 to an offer is a no (the classifier cannot read it, so it is 'unplaced'): what came before it is not
    what a later request asks for."""
    before = _unplaced_messages([("nlu_fallback", 0.5), ("check_login_history", 0.45)])[:-1]
    no_sign = [{"event": "user", "text": "🙅", "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 1.0}}}]
    events = [*before, *no_sign, {"event": "user", "text": "手続きしたい"}]
    _, started = run(ActionStartProcedure(), tracker("start_procedure", text="手続きしたい", events=events))
    assert slot_events(started)["procedure"] is None
    _, without = run(
        ActionStartProcedure(), tracker("start_procedure", text="手続きしたい", events=[*before, events[-1]])
    )
    assert slot_events(without)["procedure"] == "login_history"


def test_the_thread_starts_after_the_last_procedure() -> None:
    """What the customer asked before a procedure the chat already ran is not what they ask for now."""
    before = _unplaced_messages([("nlu_fallback", 0.5), ("forgot_ocn_id_password", 0.45)])[:-1]
    events = [*before, {"event": "action", "name": "action_run_procedure"}, {"event": "user", "text": "手続きしたい"}]
    _, started = run(ActionStartProcedure(), tracker("start_procedure", text="手続きしたい", events=events))
    assert slot_events(started)["procedure"] is None


def test_a_word_or_two_read_without_much_confidence_is_asked_back() -> None:
    """「ID」 alone says too little: the bot asks which topic (the likeliest first, then the IDs) instead
    of answering the one the classifier leans to; a sure reading, or a longer question, is answered."""
    short = tracker("ask_id_types", text="ID", ranking=[("ask_id_types", 0.56), ("inform", 0.07)])
    short.latest_message["intent"]["confidence"] = 0.56
    messages, _ = run(ActionAnswer(), short)
    assert responses(messages) == ["utter_clarify"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/ask_id_types",
        "/check_customer_number",
        "/check_ocn_id",
        "/out_of_scope",
    ]
    longer = tracker("ask_id_types", text="IDの種類", ranking=[("ask_id_types", 0.56)])
    longer.latest_message["intent"]["confidence"] = 0.56
    assert responses(run(ActionAnswer(), longer)[0])[0] == "utter_answer_ask_id_types"
    sure = tracker("ask_id_types", text="ID", ranking=[("ask_id_types", 0.9)])
    assert responses(run(ActionAnswer(), sure)[0])[0] == "utter_answer_ask_id_types"


@pytest.mark.parametrize(
    "typed, intent, offered",
    [
        ("IDのことで", "ask_id_types", ["ask_id_types", "check_customer_number", "check_ocn_id", "check_connection_id"]),
        ("OCN IDの件なんですが", "check_ocn_id", ["check_ocn_id", "change_ocn_id", "forgot_ocn_id_password", "change_ocn_id_password"]),
        ("ちょっと接続用IDのことで聞きたいんですが", "check_connection_id", ["check_connection_id", "change_connection_id", "change_connection_id_password"]),
    ],
)  # fmt: skip
def test_an_id_named_with_nothing_of_what_about_it_is_asked_back(typed: str, intent: str, offered: list[str]) -> None:
    """「IDのことで」 is where a customer starts, not a question: the bot asks which of the named ID's topics (of
    the IDs, when none is named) instead of answering the three IDs or one topic it guesses."""
    for action in (ActionAnswer(), ActionClarify()):
        t = tracker(intent, text=typed, ranking=[(intent, 0.54), ("ask_id_types", 0.3)])
        t.latest_message["intent"]["confidence"] = 0.54
        messages, _ = run(action, t)
        assert responses(messages) == ["utter_clarify"]
        assert [b["payload"] for b in messages[0]["buttons"]] == [*(f"/{o}" for o in offered), "/out_of_scope"]
    unplaced = tracker("inform", text=typed, ranking=[("inform", 0.4), ("ask_id_types", 0.3)])
    unplaced.latest_message["intent"]["confidence"] = 0.4
    assert responses(run(ActionClarify(), unplaced)[0]) == ["utter_clarify"]
    # What it wants said, it is answered; so is a reading the classifier is sure of.
    asked = tracker("ask_id_types", text="IDの違いについて教えて", ranking=[("ask_id_types", 0.54)])
    assert responses(run(ActionAnswer(), asked)[0])[0] == "utter_answer_ask_id_types"
    sure = tracker(intent, text=typed, ranking=[(intent, 0.9)])
    assert responses(run(ActionAnswer(), sure)[0])[0] == f"utter_answer_{intent}"


@pytest.mark.parametrize("typed", ["お客様番号を聞きたいんですが", "お客さま番号を伺いたいのですが", "お客さま番号を"])
def test_an_id_asked_for_is_not_a_vague_mention(typed: str) -> None:
    """「…を聞きたい」 asks for the number itself: answered, even read unsurely."""
    t = tracker("check_customer_number", text=typed, ranking=[("check_customer_number", 0.6)])
    t.latest_message["intent"]["confidence"] = 0.6
    assert responses(run(ActionAnswer(), t)[0])[0] == "utter_answer_check_customer_number"


def test_an_id_named_to_a_question_the_bot_asked_is_an_answer_not_a_new_matter() -> None:
    """「お客さま番号で」 to the offer of a procedure, or after the bot already asked which topic, is not asked
    back again with the same buttons."""
    typed = "お客さま番号のことで"
    clarified = [
        {"event": "user", "text": "…"},
        {"event": "action", "name": "action_clarify"},
        {"event": "bot", "metadata": {"utter_action": "utter_clarify"}},
        {"event": "user", "text": typed},
    ]
    for slots, events in (({"pending_question": "offer_procedure"}, None), ({}, clarified)):
        t = tracker("inform", text=typed, slots=slots, events=events)
        t.latest_message["intent"]["confidence"] = 0.4  # unsure: a sure reading is answered anyway
        messages, _ = run(ActionClarify(), t)
        buttons = [b.get("payload") for m in messages for b in m.get("buttons") or []]
        assert "/change_customer_number" not in buttons, slots


def _after_answering(topic: str) -> list[dict]:
    return [
        {"event": "user", "text": "…"},
        {"event": "bot", "metadata": {"utter_action": f"utter_answer_{topic}"}},
        {"event": "user", "text": "…"},
    ]


def test_a_password_question_after_a_fact_on_the_topic_is_about_the_topics_id() -> None:
    """After the OCN ID password's answer and a fact on it (the mail app's settings), 「もし新しいパスワード忘れちゃっ
    たら？」 is the OCN ID's forgotten password, not 「どちらのパスワードでしょうか？」."""
    typed = "もし新しいパスワード忘れちゃったらどうなります？"
    fact = {"event": "bot", "metadata": {"utter_action": "utter_fact_mail_app_settings"}}
    events = [{"event": "user", "text": "…"}, fact, {"event": "user", "text": typed}]
    t = tracker("forgot_password", text=typed, slots={"topic": "change_ocn_id_password"}, events=events)
    t.latest_message["intent"]["confidence"] = 0.85
    said = responses(run(ActionAnswer(), t)[0])
    assert said[:2] == ["utter_password_of_the_id", "utter_answer_forgot_ocn_id_password"]


@pytest.mark.parametrize(
    ("before", "text", "read_as", "expected", "bubble"),
    [
        ("check_customer_number", "接続のほう", "inform", "check_connection_id", "utter_about_the_id"),
        ("check_connection_id", "OCN IDは？", "nlu_fallback", "check_ocn_id", "utter_about_the_id"),
        ("change_ocn_id_password", "接続用IDのほうです", "inform", "change_connection_id_password", "utter_password_of_the_id"),
        # After an acknowledgement, and with 「どうなりますか」: the same question still.
        ("change_customer_number", "了解です。OCN IDの方はどうなりますか", "nlu_fallback", "change_ocn_id", "utter_about_the_id"),
        # After the three IDs' answer, one of them named alone: where that one is found.
        ("ask_id_types", "認証IDは？", "nlu_fallback", "check_connection_id", "utter_about_the_id"),
        ("ask_id_types", "接続用IDのほう", "inform", "check_connection_id", "utter_about_the_id"),
        ("ask_id_types", "OCN IDも？", "nlu_fallback", "check_ocn_id", "utter_about_the_id"),
    ],
)  # fmt: skip
def test_a_bare_reply_naming_another_id_asks_the_same_of_it(
    before: str, text: str, read_as: str, expected: str, bubble: str
) -> None:
    """「接続のほう」 right after the customer number's answer (its procedure offered): the same question of the
    ID it names, with a bubble saying which, not a clarification nor the offer's yes."""
    slots = {"topic": before, "pending_question": "offer_procedure" if TOPICS[before].procedure else None}
    t = tracker(read_as, text=text, slots=slots, ranking=[(read_as, 0.59)], events=_after_answering(before))
    t.latest_message["intent"]["confidence"] = 0.59
    messages, _ = run(ActionClarify(), t)
    assert responses(messages)[:2] == [bubble, f"utter_answer_{expected}"]
    # Not after an answer about no one ID (dアカウント): nothing to ask the same of.
    t = tracker(read_as, text=text, slots={"topic": "link_d_account"}, events=_after_answering("link_d_account"))
    assert bubble not in responses(run(ActionClarify(), t)[0])


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("了解です。OCN IDの方はどうなりますか", "change_ocn_id"),
        ("お客さま番号のほうは？", "change_customer_number"),
        ("OCN IDの変更はマイページでできますか？", None),  # a question of its own: the classifier's
    ],
)
def test_a_how_about_one_of_two_answers_just_given_gets_that_answer_again(typed: str, expected: str | None) -> None:
    """After the two answers of a two-part question (the customer number's change and the OCN ID's), 「OCN IDの方は
    どうなりますか」 asks the part about that ID again: its answer, not the help-page section of its look-up."""
    events = [
        {"event": "user", "text": "…"},
        {"event": "bot", "metadata": {"utter_action": "utter_two_questions"}},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_change_customer_number"}},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_change_ocn_id"}},
        {"event": "user", "text": typed},
    ]
    slots = {"topic": "change_ocn_id", "pending_question": "survey"}
    t = tracker("nlu_fallback", text=typed, slots=slots, ranking=[("check_ocn_id", 0.4)], events=events)
    said = responses(run(ActionClarify(), t)[0])
    if expected:
        assert said[:2] == ["utter_about_the_id", f"utter_answer_{expected}"]
    else:
        assert "utter_about_the_id" not in said


@pytest.mark.parametrize("typed", ["接続用IDは必要？", "認証IDは何桁？", "お客さま番号は不要？"])
def test_one_id_named_with_a_question_of_its_own_after_the_three_ids_is_not_its_look_up(typed: str) -> None:
    t = tracker("nlu_fallback", text=typed, slots={"topic": "ask_id_types"}, events=_after_answering("ask_id_types"))
    said = responses(run(ActionClarify(), t)[0])
    assert "utter_about_the_id" not in said and not any(name.startswith("utter_answer_check_") for name in said)


@pytest.mark.parametrize(
    "before, typed", [("ask_id_types", "お客さま番号 変更可？"), ("check_customer_number", "それって変えられますか")]
)
def test_the_customer_numbers_change_asked_as_a_follow_up_gets_its_answer(before: str, typed: str) -> None:
    """The fact 「お客さま番号は変更できません」 is that topic's answer, which also says where the number is found: the
    answer is given, not the fact alone."""
    t = tracker("change_customer_number", text=typed, slots={"topic": before}, events=_after_answering(before))
    said = responses(run(ActionAnswer(), t)[0])
    assert said[0] == "utter_answer_change_customer_number" and "utter_fact_customer_number_fixed" not in said


def test_one_id_named_after_a_fact_on_the_three_ids_is_not_its_look_up() -> None:
    """「お客さま番号は変更できません」 (a fact after the three IDs' answer), then 「接続用IDも？」: the fact's question
    of that ID, not where it is found."""
    fact = {"event": "bot", "metadata": {"utter_action": "utter_fact_customer_number_fixed"}}
    events = [{"event": "user", "text": "…"}, fact, {"event": "user", "text": "接続用IDも？"}]
    t = tracker("nlu_fallback", text="接続用IDも？", slots={"topic": "ask_id_types"}, events=events)
    assert "utter_answer_check_connection_id" not in responses(run(ActionClarify(), t)[0])


@pytest.mark.parametrize(
    ("before", "text", "read_as", "expected", "bubble", "id_name"),
    [
        # The connection ID cannot be changed; 「パスワードは？」 then asks about changing its password.
        ("change_connection_id", "パスワードは？", "check_connection_id", "change_connection_id_password",
         "utter_password_of_the_id", "OCN接続用ID（認証ID）"),
        # Right after a password's answer, whether the current one is known decides: changed or looked up.
        ("change_connection_id_password", "今の不明", "nlu_fallback", "check_connection_id",
         "utter_password_of_the_id", "OCN接続用ID（認証ID）"),
        ("forgot_ocn_id_password", "今の わかる", "nlu_fallback", "change_ocn_id_password",
         "utter_password_of_the_id", "OCN ID（OCNメールアドレス）"),
        # The classifier guessed the OCN ID, the likelier password; the connection ID was being discussed.
        ("change_connection_id", "じゃあパスワードだけ変えるのは？今のはわかってます", "change_ocn_id_password",
         "change_connection_id_password", "utter_password_of_the_id", "OCN接続用ID（認証ID）"),
        ("check_customer_number", "あのそれってなんか偏向とかできるんですか", "nlu_fallback", "change_customer_number",
         "utter_about_the_id", "お客さま番号"),
        # Read as "are you a bot?" (「それって…ですか」) without a word of the bot: the same question.
        ("check_customer_number", "あのそれってなんか偏向とかできるんですか", "bot_challenge", "change_customer_number",
         "utter_about_the_id", "お客さま番号"),
        ("change_ocn_id", "パスワード忘れちゃったんだけど", "forgot_password", "forgot_ocn_id_password",
         "utter_password_of_the_id", "OCN ID（OCNメールアドレス）"),
        ("change_customer_number", "変えらんないとか不便すぎだろ。じゃあどこで確認すんの", "nlu_fallback",
         "check_customer_number", "utter_about_the_id", "お客さま番号"),
        ("change_customer_number", "さようでございますか。では番号はどちらで確かめればよろしいのでしょう", "nlu_fallback",
         "check_customer_number", "utter_about_the_id", "お客さま番号"),
        # Not knowing the current password wins over 「今の…分か」 and over changing.
        ("change_connection_id_password", "今のパス分かんなかったら変えらんないじゃん", "nlu_fallback",
         "check_connection_id", "utter_password_of_the_id", "OCN接続用ID（認証ID）"),
        ("change_ocn_id_password", "よく考えたら今のパスワードを覚えていませんでした", "forgot_password",
         "forgot_ocn_id_password", "utter_password_of_the_id", "OCN ID（OCNメールアドレス）"),
        # A longer password question that says neither asks to receive it.
        ("change_connection_id", "それでは、今のIDとパスワードを紙で送っていただくことはできますか", "nlu_fallback",
         "check_connection_id", "utter_password_of_the_id", "OCN接続用ID（認証ID）"),
        ("check_login_history", "パスワードも忘れたんだけど", "forgot_password", "forgot_ocn_id_password",
         "utter_password_of_the_id", "OCN ID（OCNメールアドレス）"),
        ("change_ocn_id_password", "あごめん で、変え方は？", "nlu_fallback", "change_ocn_id_password",
         "utter_password_of_the_id", "OCN ID（OCNメールアドレス）"),
        # It names an ID, but the classifier could not place it: the ID it names.
        ("ask_id_types", "じゃあメールの設定に使うのはOCN IDですね。自分のはどこで見られますか", "nlu_fallback",
         "check_ocn_id", "utter_about_the_id", "OCN ID（OCNメールアドレス）"),
    ],
)  # fmt: skip
def test_a_question_that_names_no_id_right_after_an_answer_about_one_asks_about_that_id(
    before: str, text: str, read_as: str, expected: str, bubble: str, id_name: str
) -> None:
    """What it asks (look up, change, the password forgotten or to change) with the ID just discussed is the
    topic, said with which ID the bot took, so a customer who meant another can say so."""
    t = tracker(read_as, text=text, slots={"topic": before}, ranking=[(read_as, 0.5)], events=_after_answering(before))
    t.latest_message["intent"]["confidence"] = 0.5
    action = ActionClarify() if read_as == "nlu_fallback" else ActionAnswer()
    messages, _ = run(action, t)
    assert responses(messages)[:2] == [bubble, f"utter_answer_{expected}"]
    assert messages[0]["id_name"] == id_name


@pytest.mark.parametrize(
    ("before", "text", "read_as", "events"),
    [
        # It names an ID: the classifier's reading stands.
        ("change_connection_id", "OCN IDのパスワードを変えたい", "change_ocn_id_password", None),
        # A confident other topic is its own question.
        ("check_ocn_id", "それってどこで連携するんですか", "link_d_account", None),
        # 「よくわからない」 after an answer says it was not understood, not "where do I look it up".
        ("change_customer_number", "よくわからない", "nlu_fallback", None),
        # No answer about one ID just before.
        ("check_ocn_id", "パスワードは？", "forgot_password", [{"event": "user", "text": "…"}]),
        # After the login history, 「見れる？」 is the history again, not the OCN ID.
        ("check_login_history", "履歴 見れる？", "nlu_fallback", None),
        # The classifier's own reading of the same ID stands when the message says it is the ID itself.
        ("change_connection_id_password", "ついでにIDのほうも変えられたりしますか", "change_connection_id", None),
        # 「メール」 of 「メールソフト」 names no ID to take over from the classifier.
        ("change_ocn_id_password", "変えたあとってメールソフトの方はどうすればいいですか", "nlu_fallback", None),
        # A password typed in: the warning is the reply.
        ("check_login_history", "念のため、パスワードは hanako0312 でございます", "nlu_fallback", None),
    ],
)
def test_a_question_about_another_id_or_topic_or_out_of_context_is_read_as_it_is(
    before: str, text: str, read_as: str, events: list | None
) -> None:
    t = tracker(
        read_as, text=text, slots={"topic": before}, ranking=[(read_as, 0.5)], events=events or _after_answering(before)
    )
    action = ActionClarify() if read_as == "nlu_fallback" else ActionAnswer()
    said = responses(run(action, t)[0])
    assert "utter_about_the_id" not in said and "utter_password_of_the_id" not in said


def test_an_unclear_follow_up_with_the_topic_just_answered_near_the_top_gets_that_topic_again() -> None:
    """Right after 「OCN IDの変更」, an unsure reading that still has it among the two likeliest is a question
    about it again: its answer, introduced as such, rather than a choice among the classifier's guesses."""
    ranking = [("nlu_fallback", 0.5), ("check_ocn_id", 0.23), ("change_ocn_id", 0.22), ("out_of_scope", 0.1)]
    t = tracker(
        "nlu_fallback",
        text="それってどこからするんですか",
        slots={"topic": "change_ocn_id"},
        ranking=ranking,
        events=_after_answering("change_ocn_id"),
    )
    messages, _ = run(ActionClarify(), t)
    assert responses(messages)[:2] == ["utter_topic_again", "utter_answer_change_ocn_id"]
    assert messages[0]["title"] == TOPICS["change_ocn_id"].title
    # Not among the likeliest, or not the answer just given: the usual clarification (for a message that
    # names something of its own: a bare one is read against the answer anyway, see the next test).
    far = [("nlu_fallback", 0.5), ("check_ocn_id", 0.3), ("out_of_scope", 0.2), ("change_ocn_id", 0.15)]
    unlikely = [("nlu_fallback", 0.5), ("inform", 0.58), ("change_ocn_id", 0.04)]
    cases = (
        (far, _after_answering("change_ocn_id")),
        (unlikely, _after_answering("change_ocn_id")),
        (ranking, _after_answering("check_ocn_id")),
    )
    for ranked, events in cases:
        t = tracker(
            "nlu_fallback",
            text="それってマイページのどこからするんですか",
            slots={"topic": "change_ocn_id"},
            ranking=ranked,
            events=events,
        )
        assert "utter_topic_again" not in responses(run(ActionClarify(), t)[0])
    # Naming another ID and not the topic's, it asks about that ID (晩号: a homophone of 番号 typed by voice).
    near = [("nlu_fallback", 0.5), ("change_ocn_id", 0.3), ("change_customer_number", 0.25)]
    t = tracker(
        "nlu_fallback",
        text="じゃあお客さま晩号のほうは変えられますか",
        slots={"topic": "change_ocn_id"},
        ranking=near,
        events=_after_answering("change_ocn_id"),
    )
    assert "utter_topic_again" not in responses(run(ActionClarify(), t)[0])


@pytest.mark.parametrize(
    "topic, text, ranking, again",
    [
        # Short, naming nothing of its own, right after the answer: about that answer.
        ("register_mypage", "何がいるの？", [("nlu_fallback", 0.5), ("bot_challenge", 0.26), ("out_of_scope", 0.2)], True),
        ("lost_registration_letter", "再発行は？", [("nlu_fallback", 0.5), ("goodbye", 0.12)], True),
        # Names another ID, says it understood, turns to something else, or is likely off-topic: not read so.
        ("register_mypage", "お客さま番号はいるの？", [("nlu_fallback", 0.5), ("check_customer_number", 0.3)], False),
        ("lost_registration_letter", "わかりまじた、探します", [("nlu_fallback", 0.5), ("thank", 0.2)], False),
        ("change_connection_id", "やっぱりさっきの件は？", [("nlu_fallback", 0.5), ("cancel", 0.3)], False),
        ("register_mypage", "それはいくらかかる？", [("nlu_fallback", 0.5), ("out_of_scope", 0.4)], False),
        # After the three IDs' answer a follow-up asks about one of them: the usual clarification.
        ("ask_id_types", "どこで見るの？", [("nlu_fallback", 0.5), ("check_customer_number", 0.3)], False),
        # Not a question about the answer: distress, a complaint, done, later, a mistyped ID, not a question.
        ("register_mypage", "助けて", [("nlu_fallback", 0.5), ("deny", 0.2)], False),
        ("register_mypage", "同じ答えなんだけど？", [("nlu_fallback", 0.5), ("deny", 0.2)], False),
        ("check_ocn_id", "見れた！", [("nlu_fallback", 0.5), ("affirm", 0.3)], False),
        ("register_mypage", "あとでやってみます", [("nlu_fallback", 0.5), ("affirm", 0.2)], False),
        ("check_ocn_id", "N12345678", [("nlu_fallback", 0.5), ("inform", 0.4)], False),
        ("register_mypage", "会員番号は？", [("nlu_fallback", 0.5), ("check_customer_number", 0.3)], False),
        ("register_mypage", "asdfgh", [("nlu_fallback", 0.5), ("greet", 0.2)], False),
        ("register_mypage", "人と話せますか？", [("nlu_fallback", 0.5), ("deny", 0.2)], False),
        ("register_mypage", "どういう意味？", [("nlu_fallback", 0.5), ("deny", 0.2)], False),
        ("register_mypage", "他に方法は？", [("nlu_fallback", 0.5), ("deny", 0.2)], False),
        ("register_mypage", "ボットなの？", [("nlu_fallback", 0.5), ("bot_challenge", 0.45)], False),
        ("register_mypage", "担当者につないでもらえますか", [("nlu_fallback", 0.5), ("request_human", 0.45)], False),
    ],
)  # fmt: skip
def test_a_bare_follow_up_right_after_an_answer_gets_that_answer_again(
    topic: str, text: str, ranking: list[tuple[str, float]], again: bool
) -> None:
    """「何がいるの？」 right after the answer about My Page's registration can only be about it: its answer again,
    introduced as such (「別のご質問でしたら…」), rather than a choice of the classifier's unrelated guesses."""
    t = tracker("nlu_fallback", text=text, slots={"topic": topic}, ranking=ranking, events=_after_answering(topic))
    said = responses(run(ActionClarify(), t)[0])
    assert (said[:2] == ["utter_topic_again", f"utter_answer_{topic}"]) is again, said


@pytest.mark.parametrize(
    "ranking",
    [
        [("nlu_fallback", 0.5), ("deny", 0.2), ("greet", 0.1)],  # a bare question
        [("nlu_fallback", 0.5), ("register_mypage", 0.2), ("deny", 0.15)],  # the topic still among the likeliest
    ],
)
def test_an_answer_given_again_is_not_given_a_third_time(ranking: list[tuple[str, float]]) -> None:
    """After 「…について、あらためてご案内します」 and the answer, another unclear message gets the contact
    links and the button to a person: the customer is never sent the same answer round and round."""
    again = [
        {"event": "user", "text": "何いる？"},
        {"event": "action", "name": "action_clarify"},
        {"event": "bot", "metadata": {"utter_action": "utter_topic_again"}},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_register_mypage"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": "どこで？"},
    ]
    t = tracker("nlu_fallback", text="どこで？", slots={"topic": "register_mypage"}, ranking=ranking, events=again)
    said = responses(run(ActionClarify(), t)[0])
    assert "utter_topic_again" not in said and said[0].startswith("utter_fallback"), said


def test_a_forgotten_password_right_after_an_answer_about_one_id_is_that_ids_password() -> None:
    """「パスワード忘れちゃった」 right after the connection ID's answer is its password (that answer covers it);
    after an OCN ID topic, the OCN ID's password reset. Said with which password the bot took, so a customer
    who meant the other can say so. With no answer about one ID just before, the bot asks which password."""
    cases = (
        ("change_connection_id_password", "check_connection_id", "OCN接続用ID（認証ID）"),
        ("check_ocn_id", "forgot_ocn_id_password", "OCN ID（OCNメールアドレス）"),
    )
    for before, expected, id_name in cases:
        t = tracker(
            "forgot_password",
            text="パスワード忘れちゃった",
            slots={"topic": before},
            ranking=[("forgot_password", 0.84)],
            events=_after_answering(before),
        )
        messages, _ = run(ActionAnswer(), t)
        assert responses(messages)[:2] == ["utter_password_of_the_id", f"utter_answer_{expected}"]
        assert messages[0]["id_name"] == id_name
    unrelated = (
        ("check_customer_number", _after_answering("check_customer_number")),  # no password of its own
        (
            "check_ocn_id",
            [{"event": "user", "text": "…"}, {"event": "bot", "metadata": {"utter_action": "utter_greet"}}],
        ),
        (None, []),
        # Both IDs answered at once (「接続用IDとOCN IDの両方」): their passwords differ, so the bot asks which.
        (
            "check_ocn_id",
            [
                {"event": "user", "text": "…"},
                {"event": "bot", "metadata": {"utter_action": "utter_answer_check_connection_id"}},
                {"event": "bot", "metadata": {"utter_action": "utter_answer_check_ocn_id"}},
            ],
        ),
    )
    for topic, events in unrelated:
        t = tracker(
            "forgot_password",
            text="パスワード忘れちゃった",
            slots={"topic": topic},
            ranking=[("forgot_password", 0.84)],
            events=events,
        )
        assert responses(run(ActionAnswer(), t)[0]) == ["utter_ask_which_password"]


@pytest.mark.parametrize(
    "text",
    ["ありがとうございました。失礼いたします。", "ありがとうございました。ごきげんよう",
     "ありがとうございます。本日はここまでといたします。ごきげんよう。",
     "ありがとう ございました。bye bye", "ありがとうございました。おやすみなさいませ"],
)  # fmt: skip
def test_thanks_that_also_say_goodbye_close_the_chat(text: str) -> None:
    messages, _ = run(ActionAnswer(), tracker("thank", text=text))
    assert responses(messages) == ["utter_goodbye"]


def test_thanks_read_as_thanks_are_answered_as_thanks_and_leave_did_it_help_open() -> None:
    # The customer may still answer 「はい」 to 「解決しましたか？」 after thanking (the blind writers did).
    t = tracker("thank", text="ありがとうございます", slots={"pending_question": "survey"})
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_thank"]
    assert not [e for e in events if e.get("name") in ("survey_answer", "pending_question")]


def test_are_you_a_bot_is_answered_only_when_it_names_the_bot() -> None:
    for text in ("あなたはロボットですか", "AIですか", "人間と話してる？", "ちなみにこれってろほっとが返事してる？"):
        t = tracker("bot_challenge", text=text, ranking=[("bot_challenge", 0.6)])
        t.latest_message["intent"]["confidence"] = 0.6
        assert responses(run(ActionAnswer(), t)[0]) == ["utter_bot_challenge"]
    # Read so surely, it is answered in words the list does not know (「あなたは何者？」).
    assert responses(run(ActionAnswer(), tracker("bot_challenge", text="あなたは何者？"))[0]) == ["utter_bot_challenge"]
    # 「それって…ですか」 without a bot word is a question the classifier could not place: clarified.
    t = tracker(
        "bot_challenge",
        text="それってどこで連携するんですか",
        ranking=[("bot_challenge", 0.6), ("link_d_account", 0.2), ("check_ocn_id", 0.1)],
    )
    t.latest_message["intent"]["confidence"] = 0.6
    said = responses(run(ActionAnswer(), t)[0])
    assert "utter_bot_challenge" not in said
    assert said[0] in ("utter_clarify", "utter_help_section")


@pytest.mark.parametrize(
    "typed, intent, action",
    [
        ("了解 じゃあね", "affirm", ActionAnswerPendingQuestion()),
        ("はい、それでは", "affirm", ActionAnswerPendingQuestion()),
        ("はい、ありがとうございました。失礼します", "thank", ActionAnswer()),
    ],
)
def test_yes_to_did_it_help_with_a_goodbye_records_it_glad_and_goodbye(typed: str, intent: str, action: Any) -> None:
    """「お役に立てて何よりです。またのご利用をお待ちしております。」: the yes taken and the goodbye said, in one."""
    t = tracker(intent, text=typed, slots={"pending_question": "survey"})
    messages, events = run(action, t)
    assert responses(messages) == ["utter_glad_it_helped"]
    assert {"event": "slot", "name": "survey_answer", "value": "resolved"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_ok_thanks_to_the_offer_of_the_chat_procedure_are_thanks_not_a_yes() -> None:
    t = tracker("thank", text="ok thanks", slots={"pending_question": "offer_procedure"})
    assert responses(run(ActionAnswer(), t)[0]) == ["utter_thank"]


def test_a_goodbye_to_the_offer_of_the_chat_procedure_is_a_goodbye_not_a_yes() -> None:
    t = tracker("goodbye", text="了解です、失礼します", slots={"pending_question": "offer_procedure"})
    assert responses(run(ActionAnswer(), t)[0]) == ["utter_goodbye"]


@pytest.mark.parametrize(
    ("before", "text", "read_as", "confidence", "pending"),
    [
        # Read surely as another ID's topic: it stands.
        ("check_customer_number", "ログインIDを確認したい", "check_ocn_id", 0.95, None),
        ("check_connection_id", "ocnのパスワードを変更したい", "change_ocn_id_password", 0.95, None),
        # It answers the open question: the offer of the look-up procedure, 「解決しましたか？」.
        ("check_customer_number", "はい、確認したいです", "nlu_fallback", 0.5, "offer_procedure"),
        ("change_ocn_id", "変更できました", "nlu_fallback", 0.5, "survey"),
        # It denies the operation, or names another thing.
        ("change_ocn_id", "変更はしたくないです", "nlu_fallback", 0.5, None),
        ("check_ocn_id", "ログイン履歴ってどこで見れますか", "nlu_fallback", 0.5, None),
        ("check_ocn_id", "確認コードが来ない", "nlu_fallback", 0.5, None),
        ("check_ocn_id", "スマホでもつかえますか", "nlu_fallback", 0.5, None),
        ("check_connection_id", "Wi-Fiのパスワードがわからない", "forgot_password", 0.8, None),
    ],
)
def test_an_answer_to_the_open_question_a_denial_or_a_sure_reading_is_not_taken_for_an_id_question(
    before: str, text: str, read_as: str, confidence: float, pending: str | None
) -> None:
    slots = {"topic": before, "pending_question": pending}
    t = tracker(read_as, text=text, slots=slots, ranking=[(read_as, confidence)], events=_after_answering(before))
    t.latest_message["intent"]["confidence"] = confidence
    action = ActionClarify() if read_as == "nlu_fallback" else ActionAnswer()
    said = responses(run(action, t)[0])
    assert "utter_about_the_id" not in said and "utter_password_of_the_id" not in said


def test_a_forgotten_password_in_other_words_right_after_an_ocn_id_answer_is_its_password() -> None:
    t = tracker(
        "forgot_password", text="忘れちゃった", slots={"topic": "check_ocn_id"}, events=_after_answering("check_ocn_id")
    )
    t.latest_message["intent"]["confidence"] = 0.7
    assert responses(run(ActionAnswer(), t)[0])[:2] == [
        "utter_password_of_the_id",
        "utter_answer_forgot_ocn_id_password",
    ]


def test_thanks_that_answer_did_it_help_in_words_record_the_answer() -> None:
    t = tracker("thank", text="はい、解決しました。ありがとうございます", slots={"pending_question": "survey"})
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_survey_thanks"]
    assert any(e.get("name") == "survey_answer" and e.get("value") == "resolved" for e in events)
    # To the offer, 「今はいいです、ありがとうございました」 is thanks, as before; the offer stays open.
    for text in ("今はいいですありがとうございました", "ありがとうございます"):
        t = tracker("thank", text=text, slots={"pending_question": "offer_procedure"})
        assert responses(run(ActionAnswer(), t)[0]) == ["utter_thank"], text


def test_a_closing_word_inside_a_question_is_no_goodbye() -> None:
    t = tracker("nlu_fallback", text="窓口は土日おやすみですか")
    assert "utter_goodbye" not in responses(run(ActionClarify(), t)[0])


def test_are_you_a_person_is_answered_as_are_you_a_bot() -> None:
    for text in ("あなたは誰ですか", "人が対応してますか", "オペレーターさんですか"):
        t = tracker("bot_challenge", text=text)
        t.latest_message["intent"]["confidence"] = 0.6
        assert responses(run(ActionAnswer(), t)[0]) == ["utter_bot_challenge"]


@pytest.mark.parametrize("text", ["なんで？", "むり？", "本当に？", "どうしてですか"])
def test_why_right_after_a_refusal_gets_the_refusal_again(text: str) -> None:
    """「なんで？」 after 「接続用IDは変更できません」 asks why or whether it is so: the same answer, introduced as such."""
    t = tracker(
        "nlu_fallback",
        text=text,
        slots={"topic": "change_connection_id"},
        ranking=[("nlu_fallback", 0.5), ("greet", 0.2), ("bot_challenge", 0.15)],
        events=_after_answering("change_connection_id"),
    )
    assert responses(run(ActionClarify(), t)[0])[:2] == ["utter_topic_again", "utter_answer_change_connection_id"]


def test_why_after_an_answer_that_refused_nothing_is_clarified_as_before() -> None:
    t = tracker(
        "nlu_fallback",
        text="なんで？",
        slots={"topic": "check_ocn_id"},
        ranking=[("nlu_fallback", 0.5), ("greet", 0.2), ("bot_challenge", 0.15)],
        events=_after_answering("check_ocn_id"),
    )
    assert "utter_topic_again" not in responses(run(ActionClarify(), t)[0])


# --- a goodbye reading without a word of one ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, confidence, expected",
    [
        ("了解です、失礼します", 0.5, "utter_goodbye"),
        ("また今度", 0.5, "utter_goodbye"),
        ("ほな", 0.59, "utter_goodbye"),
        ("ありかとうこさいました", 0.34, "utter_thank"),  # thanks typed with slips: thanks, not leave-taking
        ("どこで？", 0.45, "utter_clarify"),
        ("よくわからない", 0.9, "utter_goodbye"),  # a sure reading stands
    ],
)
def test_an_unsure_goodbye_reading_closes_the_chat_only_when_the_customer_takes_leave(
    text: str, confidence: float, expected: str
) -> None:
    t = tracker("goodbye", text=text, ranking=[("goodbye", confidence), ("check_ocn_id", 0.2), ("ask_id_types", 0.1)])
    t.latest_message["intent"]["confidence"] = confidence
    assert responses(run(ActionAnswer(), t)[0])[0] == expected


def test_a_request_for_the_chat_read_as_a_goodbye_starts_the_procedure_offered() -> None:
    """「ちやっとでおねかいします」 (チャットでお願いします, slipped) to the offer of the password reset."""
    t = tracker(
        "goodbye",
        text="ちやっとでおねかいします",
        slots={"pending_question": "offer_procedure", "offered_procedure": "reset_ocn_password",
               "topic": "forgot_ocn_id_password"},
        ranking=[("goodbye", 0.49), ("start_procedure", 0.2)],
        events=_after_answering("forgot_ocn_id_password"),
    )  # fmt: skip
    t.latest_message["intent"]["confidence"] = 0.49
    _, events = run(ActionAnswer(), t)
    assert slot_events(events)["procedure"] == "reset_ocn_password"


def test_a_request_for_the_chat_after_a_follow_up_takes_the_earlier_answers_procedure() -> None:
    """「さっきの確認の件、チャットでお願いします」 after the customer number's answer and a follow-up about
    changing it (no procedure): the customer number's."""
    events = [
        {"event": "user", "text": "お客さま番号を確認したい"},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_check_customer_number"}},
        {"event": "user", "text": "番号は変えられますか"},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_change_customer_number"}},
        {"event": "user", "text": "さっきの確認の件、チャットでお願いします"},
    ]
    t = tracker("start_procedure", text="さっきの確認の件、チャットでお願いします", slots={"topic": "change_customer_number"},
                events=events)  # fmt: skip
    _, started = run(ActionStartProcedure(), t)
    assert slot_events(started)["procedure"] == "send_customer_number"


def test_the_lost_letter_asked_for_in_the_chat_asks_which_procedure() -> None:
    """The letter held the IDs the chat can send: asked for here, the bot asks which one (or starts the one named)."""
    typed = "登録証が見つからないので、チャットで代わりにできることをお願いします"
    _, events = run(ActionAnswer(), tracker("lost_registration_letter", text=typed))
    assert [e["name"] for e in events if e["event"] == "followup"] == ["procedure_form"]
    assert "procedure" not in slot_events(events) or slot_events(events)["procedure"] is None
    typed = "登録証をなくしたので、接続用IDとパスワードをチャットで受け取りたい"
    _, events = run(ActionAnswer(), tracker("lost_registration_letter", text=typed))
    assert slot_events(events)["procedure"] == "send_connection_id"
    # Asking about the letter itself is answered.
    messages, _ = run(ActionAnswer(), tracker("lost_registration_letter", text="登録証をなくしてしまいました"))
    assert responses(messages)[0] == "utter_answer_lost_registration_letter"


def test_a_question_about_the_lost_letter_in_the_chat_is_answered() -> None:
    """「チャットで再発行できますか」 asks about the letter: its answer (the page is silent on reissuing), no form."""
    typed = "登録証をなくしたのですが、チャットで再発行できますか"
    messages, events = run(ActionAnswer(), tracker("lost_registration_letter", text=typed))
    assert responses(messages)[0] == "utter_answer_lost_registration_letter"
    assert "procedure_form" not in [e.get("name") for e in events if e["event"] == "followup"]


def test_a_long_greeting_that_asks_nothing_is_greeted_back_at_the_start() -> None:
    """An older customer's 「はじめまして。…宜しくお願い申し上げます。」, unplaced by the classifier: greeted back
    (not 「ご質問の内容を確認させてください」); after a topic was discussed, or with a question in it, it is not."""
    typed = "はじめまして。七十を過ぎた者でございます。不慣れでございますが、どうぞ宜しくお願い申し上げます。"
    t = tracker("nlu_fallback", text=typed, ranking=[("nlu_fallback", 0.5), ("greet", 0.28)])
    assert responses(run(ActionClarify(), t)[0]) == ["utter_greet"]
    later = tracker("nlu_fallback", text=typed, slots={"topic": "check_ocn_id"}, ranking=[("greet", 0.28)])
    assert "utter_greet" not in responses(run(ActionClarify(), later)[0])
    for asking in ("はじめまして。OCN IDを忘れてしまいました", "こんにちは、ちょっとお聞きしたいことがあるのですが"):
        asked = tracker("nlu_fallback", text=asking, ranking=[("greet", 0.28)])
        assert "utter_greet" not in responses(run(ActionClarify(), asked)[0])


@pytest.mark.parametrize(
    "typed, read_as, answered",
    [
        ("メールのパスワードを変えたいんだけど今のがなんだったか忘れちゃって", "change_ocn_id_password",
         "utter_answer_forgot_ocn_id_password"),
        ("接続用IDのパスワードを新しくしたいのですが、今のパスワードがわかりません", "change_connection_id_password",
         "utter_answer_check_connection_id"),
        ("OCN IDのパスワードを変えたいです。今のパスワードはわかっています", "change_ocn_id_password",
         "utter_answer_change_ocn_id_password"),
        ("パスワードは忘れてませんが、変更したいです", "change_ocn_id_password", "utter_answer_change_ocn_id_password"),
        # 「知らない」 of a login, the password known: still its change.
        ("ほら知らないログインあるじゃん！すぐパスワード変えたい、今のパスワードはわかってる", "change_ocn_id_password",
         "utter_answer_change_ocn_id_password"),
        # A password said with no word of forgetting it is no forgotten one.
        ("念のためお伝えしますと、パスワードの変更をしたいのです", "change_ocn_id_password",
         "utter_answer_change_ocn_id_password"),
    ],
)  # fmt: skip
def test_a_password_change_asked_for_without_the_current_one_gets_the_way_for_a_forgotten_one(
    typed: str, read_as: str, answered: str
) -> None:
    """The page: a password is changed with the current one; forgotten, the OCN ID's is reset and the connection
    ID's looked up. Read surely as the change, or unsurely (the classifier's likeliest), it is answered so."""
    sure = tracker(read_as, text=typed, ranking=[(read_as, 0.9)])
    assert responses(run(ActionAnswer(), sure)[0])[0] == answered
    unsure = tracker("nlu_fallback", text=typed, ranking=[("nlu_fallback", 0.5), (read_as, 0.48)])
    said = responses(run(ActionClarify(), unsure)[0])
    if answered.startswith("utter_answer_change"):  # the current one known: the clarification's own answer stands
        assert not {"utter_answer_forgot_ocn_id_password", "utter_answer_check_connection_id"} & set(said)
    else:
        assert said[0] == answered


@pytest.mark.parametrize(
    "typed, answered",
    [
        ("あそっかじゃあえーとおーしーえぬのあいでぃーってなんだっけ自分の", "utter_answer_check_ocn_id"),
        ("私のお客さま番号って何でしたっけ", "utter_answer_check_customer_number"),
        ("OCN IDって何ですか", "utter_answer_ask_id_types"),  # what it is, not the customer's own
    ],
)
def test_the_customers_own_id_read_as_the_three_ids_is_its_look_up(typed: str, answered: str) -> None:
    t = tracker("ask_id_types", text=typed, ranking=[("ask_id_types", 0.51), ("check_ocn_id", 0.4)])
    assert responses(run(ActionAnswer(), t)[0])[0] == answered


def test_an_unsure_change_of_a_forgotten_password_naming_no_id_is_not_given_a_guessed_ids_way() -> None:
    """Read unsurely as the connection ID's password change, 「今のパスワードがわからないので変更したい」 names no
    ID: the bot does not answer the connection ID's look-up on the classifier's guess."""
    typed = "今のパスワードがわからないので変更したい"
    t = tracker("nlu_fallback", text=typed, ranking=[("nlu_fallback", 0.5), ("change_connection_id_password", 0.47)])
    assert "utter_answer_check_connection_id" not in responses(run(ActionClarify(), t)[0])


@pytest.mark.parametrize(
    "typed, asked, offered",
    [
        ("パスワードの変更方法を教えてください", "utter_which_password_is_it",
         ["/change_ocn_id_password", "/change_connection_id_password"]),
        ("パスワードを変えたい", "utter_which_password_is_it",
         ["/change_ocn_id_password", "/change_connection_id_password"]),
        ("確認方法を教えてください", "utter_which_id_is_it",
         ["/check_customer_number", "/check_ocn_id", "/check_connection_id"]),
        ("変更したいです", "utter_which_id_is_it", ["/change_customer_number", "/change_ocn_id", "/change_connection_id"]),
    ],
)  # fmt: skip
def test_an_operation_asked_of_no_id_asks_which_id(typed: str, asked: str, offered: list[str]) -> None:
    """「パスワードの変更方法を教えて」 names no ID: the bot asks which, with that operation's topics as buttons,
    instead of answering the section of one ID it guessed (or a forgotten password's question for a change)."""
    t = tracker("nlu_fallback", text=typed, ranking=[("change_connection_id_password", 0.3)])
    t.latest_message["intent"]["confidence"] = 0.5
    messages, _ = run(ActionClarify(), t)
    assert responses(messages) == [asked]
    assert [b["payload"] for b in messages[0]["buttons"]] == [*offered, "/out_of_scope"]


@pytest.mark.parametrize(
    "typed",
    ["パスワード忘れたので変えたい", "ログイン履歴を確認したい", "OCN IDを確認したい", "契約内容を確認したい",
     "連絡先を変更したい", "届いたか確認したい", "確認したいことがあります"],
)  # fmt: skip
def test_an_operation_of_a_named_thing_or_a_forgotten_password_is_not_asked_which_id(typed: str) -> None:
    t = tracker("nlu_fallback", text=typed, ranking=[("check_ocn_id", 0.3)])
    t.latest_message["intent"]["confidence"] = 0.5
    said = responses(run(ActionClarify(), t)[0])
    assert "utter_which_id_is_it" not in said and "utter_which_password_is_it" not in said


def test_a_change_read_as_a_forgotten_password_asks_which_password_to_change() -> None:
    """「パスワードの変更ってどこからできますか」 read as forgot_password: which password to change, not the
    forgotten passwords' question (whose buttons lead to the reset)."""
    t = tracker("forgot_password", text="パスワードの変更ってどこからできますか")
    messages, _ = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_which_password_is_it"]
    assert [b["payload"] for b in messages[0]["buttons"]][:2] == [
        "/change_ocn_id_password",
        "/change_connection_id_password",
    ]
    assert responses(run(ActionAnswer(), tracker("forgot_password", text="パスワード忘れた"))[0]) == [
        "utter_ask_which_password"
    ]


@pytest.mark.parametrize(
    "typed, confidence, greeted",
    [("こんにちは～ IDのことで", 0.65, False), ("こんにちは、パスワードの件で", 0.6, False),
     ("こんにちは", 0.99, True), ("こんにちは、OCN IDの件でお世話になっております", 0.9, True)],
)  # fmt: skip
def test_an_unsure_greeting_that_names_an_id_is_asked_about_the_id(
    typed: str, confidence: float, greeted: bool
) -> None:
    """「こんにちは～ IDのことで」 read unsurely as a hello names what the customer came for: asked about it (the
    ID's topics), not only greeted, so the question does not wait for the next message."""
    t = tracker("greet", text=typed, ranking=[("greet", confidence), ("ask_id_types", 0.2)])
    t.latest_message["intent"]["confidence"] = confidence
    said = responses(run(ActionAnswer(), t)[0])
    assert (said == ["utter_greet"]) is greeted


@pytest.mark.parametrize(
    "typed",
    [
        "接続用IDの確認はどこでできますか、パスワードはわかっています",
        "接続用IDを変えたいのではなくパスワードを確認したいのです",
    ],
)
def test_a_password_only_mentioned_does_not_state_the_topic_over_the_section(typed: str) -> None:
    t = tracker("nlu_fallback", text=typed, ranking=[("check_connection_id", 0.4)])
    t.latest_message["intent"]["confidence"] = 0.5
    assert "utter_answer_change_connection_id_password" not in responses(run(ActionClarify(), t)[0])


@pytest.mark.parametrize("confidence, handed_over", [(0.31, False), (0.7, True)])
def test_a_goodbye_read_unsurely_as_a_person_is_a_goodbye(confidence: float, handed_over: bool) -> None:
    """「わかりました、では失礼いたします」 read as a request for a person at 0.31 (goodbye 0.31): no word of a
    person, a leave taken; the goodbye, not the handoff. Read surely, the person still comes."""
    t = tracker("request_human", text="わかりました、では失礼いたします")
    t.latest_message["intent"]["confidence"] = confidence
    messages, events = run(ActionAnswer(), t)
    followups = [e.get("name") for e in events if e.get("event") == "followup"]
    assert ("action_handoff" in followups) is handed_over
    assert (responses(messages) == ["utter_goodbye"]) is not handed_over


@pytest.mark.parametrize(
    "typed, off_topic",
    [
        ("えーとあのあとソフトバンクのほうのメールも見てもらえますか", True),  # another provider's mail
        ("ソフトバンク光のID忘れた", True),  # its fibre service's name
        ("OCNのメールをGmailで見たいんですけど", False),  # OCN's, in another app: not off-topic
        ("わたし は dアカウント を まだ もって いません。だいじょうぶ ですか", False),  # linking it is the page's
        ("dホイントためたい", False),
        # an app, a device or a provider come from: OCN's own question (the review's cases)
        ("Wi-Fiルーターの初期設定でIDとパスワードを入れろと出る", False),
        ("Gmailアプリに設定してるメールのパスワード忘れた", False),
        ("ソフトバンクから乗り換えたんですがメールアドレスがわかりません", False),
    ],
)
def test_an_unplaced_message_of_another_service_only_gets_the_off_topic_answer(typed: str, off_topic: bool) -> None:
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", text=typed))
    assert responses(messages)[0].startswith("utter_answer_out_of_scope") is off_topic


def test_a_change_question_during_the_reset_is_about_the_forgotten_password() -> None:
    """「パスワード変えるとメールソフトも設定しなおしですか」 at the reset's confirmation: the forgotten password's
    answer (its mail app note), not 「現在のパスワードがおわかりであれば…」, then the confirmation again."""
    slots = {"procedure": "reset_ocn_password", "requested_slot": "procedure_confirmed"}
    text = "あのパスワード変えるとメールソフトも設定しなおしですか"
    t = tracker("change_ocn_id_password", text=text, slots=slots, active_loop="procedure_form")
    said = responses(run(ActionAnswer(), t)[0])
    assert "utter_answer_forgot_ocn_id_password" in said and "utter_answer_change_ocn_id_password" not in said


@pytest.mark.parametrize(
    "intent, confidence, typed, starts",
    [
        ("nlu_fallback", 0.5, "ちやっとててつつきしたいてす", True),
        ("out_of_scope", 0.57, "てつつきをちやっとてしたい", True),
        ("out_of_scope", 0.57, "ひっこしのてつつきをちやっとてしたい", False),  # another matter
        ("out_of_scope", 0.9, "てつつきをちやっとてしたい", False),  # read surely as off-topic
    ],
)
def test_a_flick_typed_request_for_the_chat_procedure_read_off_topic_starts_it(
    intent: str, confidence: float, typed: str, starts: bool
) -> None:
    t = tracker(intent, text=typed)
    t.latest_message["intent"]["confidence"] = confidence
    action = ActionClarify() if intent == "nlu_fallback" else ActionAnswer()
    _, events = run(action, t)
    assert ("procedure_form" in [e.get("name") for e in events if e.get("event") == "followup"]) is starts


@pytest.mark.parametrize(
    "typed", ["失礼します、サポートの電話番号を教えてください", "夜分に失礼します。直接相談できるところはありますか"]
)
def test_an_opening_excuse_me_is_no_goodbye(typed: str) -> None:
    t = tracker("request_human", text=typed)
    t.latest_message["intent"]["confidence"] = 0.5
    assert "utter_goodbye" not in responses(run(ActionAnswer(), t)[0])


def test_a_change_asked_in_the_reset_by_one_who_knows_the_password_is_the_change() -> None:
    slots = {"procedure": "reset_ocn_password", "requested_slot": "procedure_confirmed"}
    text = "今のパスワードはわかるので、再設定じゃなくて変更の方法を教えてください"
    t = tracker("change_ocn_id_password", text=text, slots=slots, active_loop="procedure_form")
    assert "utter_answer_change_ocn_id_password" in responses(run(ActionAnswer(), t)[0])


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("OCN IDを忘れました。何でしたっけ", "check_ocn_id"),  # the ID itself forgotten: where to look it up
        ("自分の接続用IDってなんだっけ", "check_connection_id"),
        ("OCN IDとは何ですか", "ask_id_types"),  # what it is
        ("OCN IDのパスワードを忘れました。何でしたっけ", "ask_id_types"),  # its password: not the look-up
    ],
)
def test_one_id_forgotten_or_ones_own_read_as_the_three_ids_is_its_look_up(typed: str, expected: str) -> None:
    assert responses(run(ActionAnswer(), tracker("ask_id_types", text=typed))[0])[0] == f"utter_answer_{expected}"
