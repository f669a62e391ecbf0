"""Readings added after the sixth decision batch (issue 23, twenty-first round): another ID's look-up or a way
named while a procedure runs, a reset or a sending asked of the bot in the first message, a reason before the
request, a stop put off to another time, a cancelled procedure asked for again from the start, and a question
about the bill read as a page topic."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import read_yes_no
from actions.code_step import resend_code
from actions.faq_actions import ActionAnswer, ActionClarify
from actions.follow_ups import fact_asked_outright, follow_up_fact, one_of_two_topics_again, topics_clause_by_clause
from actions.procedure_form import ValidateProcedureForm, start_procedure_events
from actions.procedure_switch import resumed_procedure
from actions.reply_actions import ActionAnswerPendingQuestion
from ocn_ids.answers import asks_the_bot_to_look, takes_up_the_offer_in_words
from tests.actions.trackers import responses, run, slot_events, tracker


def _at_the_final_question(typed: str, procedure: str, intent: str) -> tuple[list[dict], list[dict]]:
    slots = {"procedure": procedure, "requested_slot": "procedure_confirmed", "verified_until": 9e9}
    return run(ActionAnswer(), tracker(intent, text=typed, slots=slots, active_loop="procedure_form"))


@pytest.mark.parametrize(
    ("running", "typed", "switched"),
    [("send_customer_number", "やっぱOCN IDのほう", "send_ocn_id"),
     ("send_ocn_id", "あ、やっぱり接続用IDのほうにして", "send_connection_id"),
     ("reset_ocn_password", "やっぱ接続用IDのほう", None)],  # not a look-up running: which procedure is asked
)  # fmt: skip
def test_another_id_turned_to_while_a_look_up_runs_is_that_ids_look_up(
    running: str, typed: str, switched: str | None
) -> None:
    messages, events = _at_the_final_question(typed, running, "nlu_fallback")
    assert slot_events(events)["procedure"] == switched
    assert ("utter_procedure_switched" in responses(messages)) is (switched is not None)


def test_the_connection_id_asked_to_be_sent_a_way_switches_to_its_sending_whatever_the_topic_read() -> None:
    typed = "やっぱ接続用IDをSMSで送ってもらうほうにしたい"
    messages, events = _at_the_final_question(typed, "send_ocn_id", "change_connection_id")
    assert responses(messages) == ["utter_procedure_switched"]
    assert slot_events(events)["procedure"] == "send_connection_id"
    assert slot_events(events)["delivery_method"] == "sms"
    # Changing the connection ID, which the chat does not do, is no sending.
    messages, _ = _at_the_final_question("やっぱり接続用IDを変えたいです", "send_ocn_id", "change_connection_id")
    assert "utter_procedure_switched" not in responses(messages)


@pytest.mark.parametrize(
    ("typed", "intent", "procedure"),
    [("OCN IDのパスワードリセットしてほしい", "forgot_ocn_id_password", "reset_ocn_password"),
     ("接続用IDとパス郵送で送ってほしいんだけど", "check_connection_id", None),  # a sending: answered, ways named
     ("OCN IDのパスワードを再設定したいです", "forgot_ocn_id_password", None),  # a wish: the answer, with the offer
     ("接続用IDとパスワードを送ってほしいです", "check_connection_id", None),  # no way named: the answer names them
     ("OCN IDのパスワードのリセットのやり方を教えてください", "forgot_ocn_id_password", None)],
)  # fmt: skip
def test_a_reset_asked_of_the_bot_starts_its_procedure_a_sending_is_answered(
    typed: str, intent: str, procedure: str | None
) -> None:
    messages, events = run(ActionAnswer(), tracker(intent, text=typed))
    started = slot_events(events).get("procedure")
    assert started == procedure, typed
    if procedure is None:
        assert responses(messages)[0] == f"utter_answer_{intent}"


@pytest.mark.parametrize(
    ("typed", "takes_it"),
    [("自分ではうまくできそうにございませんので、こちらでお願いできますでしょうか", True),
     ("チャットは不安なので結構です", False),
     ("今日は時間がないのでチャットはまた今度", False)],
)  # fmt: skip
def test_a_reason_before_the_request_negates_nothing_at_the_offer(typed: str, takes_it: bool) -> None:
    assert takes_up_the_offer_in_words(typed) is takes_it
    slots = {"pending_question": "offer_procedure", "offered_procedure": "reset_ocn_password"}
    events = [
        {"event": "bot", "metadata": {"utter_action": "utter_offer_procedure"}},
        {"event": "user", "text": typed},
    ]
    _, started = run(ActionAnswer(), tracker("deny", text=typed, slots=slots, events=events))
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in started) is takes_it


@pytest.mark.parametrize(
    ("typed", "stops"),
    [("きた！けどもう出なきゃだからまた今度にするわ", True),
     ("今度にします", True),
     ("またコードお願いします", False),
     ("後でコード入れます", False)],
)  # fmt: skip
def test_a_procedure_put_off_to_another_time_while_the_code_is_awaited_stops(typed: str, stops: bool) -> None:
    slots = {"procedure": "send_customer_number", "requested_slot": "otp_code"}
    _, events = run(ActionClarify(), tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form"))
    followed = [e["name"] for e in events if e["event"] == "followup"]
    assert ("action_cancel_procedure" in followed) is stops


def _after_a_cancel(typed: str, intent: str) -> object:
    events = [
        {"event": "slot", "name": "procedure", "value": "reset_ocn_password"},
        {"event": "user", "text": "すみません、ちょっと今バタバタしてるのでやっぱりやめます"},
        {"event": "action", "name": "action_cancel_procedure"},
        {"event": "bot", "metadata": {"utter_action": "utter_procedure_cancelled"}},
        {"event": "slot", "name": "procedure", "value": None},
        {"event": "user", "text": typed},
    ]
    return tracker(intent, text=typed, events=events)


def test_a_cancelled_procedure_asked_for_again_from_the_start_resumes_even_read_as_a_new_code() -> None:
    typed = "落ち着きました。さっきの再設定、もう一回最初からお願いできますか"
    t = _after_a_cancel(typed, "resend_code")
    assert resumed_procedure(t) == "reset_ocn_password"
    dispatcher = CollectingDispatcher()
    events = asyncio.run(resend_code(dispatcher, t))
    assert slot_events(events)["procedure"] == "reset_ocn_password"
    assert events[-1]["name"] == "procedure_form"
    assert responses(dispatcher.messages) == []  # not 「確認コードはありません」
    assert resumed_procedure(_after_a_cancel("最初からって何のことですか", "resend_code")) is None


def test_the_offer_declined_then_asked_to_look_after_all_resumes_it() -> None:
    typed = "あーやっぱ調べてほしい"
    events = [
        {"event": "slot", "name": "offered_procedure", "value": "send_customer_number"},
        {"event": "bot", "metadata": {"utter_action": "utter_offer_procedure"}},
        {"event": "user", "text": "いいです"},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": typed},
    ]
    assert resumed_procedure(tracker("cancel", text=typed, events=events)) == "send_customer_number"


def test_a_question_about_the_bill_read_unsure_as_a_page_topic_is_another_matter() -> None:
    typed = "それから、毎月OCNの料金がいくら引き落とされているのか、こちらで教えていただけますか"
    t = tracker("check_login_history", text=typed)
    t.latest_message["intent"]["confidence"] = 0.54
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_answer_out_of_scope_no_link"]
    assert "procedure" not in slot_events(events)
    # Sure of the page's topic, the classifier is left its reading.
    t.latest_message["intent"]["confidence"] = 0.9
    assert responses(run(ActionAnswer(), t)[0]) != ["utter_answer_out_of_scope_no_link"]


@pytest.mark.parametrize(("typed", "confirmed"), [("それで結構でございます", True), ("それで結構でございますか", None)])
def test_settled_on_in_the_most_polite_words_at_the_final_question(typed: str, confirmed: bool | None) -> None:
    slots = {"requested_slot": "procedure_confirmed", "procedure": "send_connection_id", "delivery_method": "mypage"}
    t = tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form")
    extracted = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert extracted.get("procedure_confirmed") is confirmed


@pytest.mark.parametrize(
    ("typed", "topics"),
    [("お客さま番号変えれる？あとログイン履歴みれる？", ["change_customer_number", "check_login_history"]),
     ("OCNのメアドを変更したいのと、dポイントと連携するやり方も知りたいです", ["change_ocn_id", "link_d_account"]),
     ("お客さま番号はどちらを見れば分かりますでしょうか。それと、その番号を別のものに変えることはできますか",
      ["check_customer_number", "change_customer_number"]),
     ("お客さま番号は知ってます。OCN IDはどこで見れますか", [])],  # a statement, then one question
)  # fmt: skip
def test_two_questions_asked_part_by_part_are_both_answered_the_first_first(typed: str, topics: list[str]) -> None:
    assert topics_clause_by_clause(typed) == topics


def test_an_apology_in_the_politest_words_then_how_gets_the_answer_warned_about() -> None:
    first = "電子メールの暗証番号を忘れてしまいました。以前は hanako1950 だったと思うのですが"
    typed = "まあ、大変失礼いたしました。ではどのようにすればよろしいのでしょうか"
    events = [
        {
            "event": "user",
            "text": first,
            "parse_data": {"intent": {"name": "forgot_ocn_id_password", "confidence": 0.9}},
        },
        {"event": "bot", "metadata": {"utter_action": "utter_password_not_in_chat"}},
        {"event": "user", "text": typed},
    ]
    t = tracker("nlu_fallback", text=typed, slots={"password_warned": True}, events=events)
    assert "utter_answer_forgot_ocn_id_password" in responses(run(ActionClarify(), t)[0])


@pytest.mark.parametrize(
    ("topic", "typed", "fact"),
    [("change_ocn_id", "かえたらまえのあとれすにきたメールってとうなるの", "utter_fact_change_ocn_id_forwarding"),
     ("change_ocn_id_password", "変えましたら、パソコンに入っているメールの画面のほうも、何かしなければならないのでしょうか",
      "utter_fact_mail_app_settings")],
)  # fmt: skip
def test_a_fact_asked_with_slips_or_in_an_older_customers_words(topic: str, typed: str, fact: str) -> None:
    found = follow_up_fact(topic, typed) or fact_asked_outright(topic, typed)
    assert found is not None and found.response == fact


@pytest.mark.parametrize(
    ("typed", "asks"),
    [("書類はどこかにしまい込んでしまって出てこないのです。そちらで調べていただくことはできませんか", True),
     ("調べてもらえませんか", True),
     ("調べてもらえないんですよ", False),  # a complaint, no request
     ("どこで調べてもらえますか", False)],  # where: a question
)  # fmt: skip
def test_a_polite_request_in_the_negative_asks_the_bot_to_look(typed: str, asks: bool) -> None:
    assert asks_the_bot_to_look(typed) is asks


@pytest.mark.parametrize(
    ("typed", "asked_again"), [("あ待って、やっぱほかのにする", True), ("別の方法ってありますか", False)]
)
def test_another_way_unnamed_at_the_final_question_asks_the_way_again(typed: str, asked_again: bool) -> None:
    slots = {
        "requested_slot": "procedure_confirmed",
        "procedure": "send_connection_id",
        "delivery_method": "mypage",
        "verified_until": 9e9,
    }
    t = tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form")
    form = ValidateProcedureForm()
    read = asyncio.run(form.extract_delivery_method(CollectingDispatcher(), t, {}))
    assert ("delivery_method" in read and read["delivery_method"] is None) is asked_again


def test_whether_the_bot_can_send_it_asked_as_a_question_gets_the_answer() -> None:
    typed = "えーと接続様IDのパスワードをスマホに送ってもらうことってできますか"
    messages, events = run(ActionAnswer(), tracker("check_connection_id", text=typed))
    assert "procedure" not in slot_events(events)
    assert responses(messages)[:2] == ["utter_answer_check_connection_id", "utter_offer_procedure"]


def test_another_way_unnamed_is_no_unclear_yes_once_the_way_is_cleared() -> None:
    """The form extracts the way first: with it cleared, the final question's reading must still not be asked
    again as an unclear yes or no (「下のボタンから、どちらかを」 before the way's question)."""
    slots = {"requested_slot": "procedure_confirmed", "procedure": "send_connection_id", "delivery_method": None}
    t = tracker("nlu_fallback", text="あ待って、やっぱほかのにする", slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    read = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(dispatcher, t, {}))
    assert read == {"procedure_confirmed": None} and dispatcher.messages == []


@pytest.mark.parametrize(
    ("typed", "way"), [("もうチャットで接続用ID送って。SMSで", "sms"), ("接続用IDをチャットで", None)]
)
def test_a_way_said_alone_after_the_request_is_kept(typed: str, way: str | None) -> None:
    events = start_procedure_events(tracker("nlu_fallback", text=typed), "send_connection_id")
    assert slot_events(events)["delivery_method"] == way


@pytest.mark.parametrize(
    ("typed", "reading"),
    [("今週末に娘が来てくれますので、そのときに一緒にやってみようと思います。今日のところは結構です", "no"),
     ("今日のところは遠慮しておきます", "no"),
     ("今はいいですか？", None)],  # asks: no decline
)  # fmt: skip
def test_not_today_as_the_last_sentence_declines_the_offer(typed: str, reading: str | None) -> None:
    assert read_yes_no("offer_procedure", typed) == reading


def test_resolved_in_the_politest_words_answers_the_survey() -> None:
    assert read_yes_no("survey", "承知いたしました。解決いたしました") == "yes"


def test_settled_on_with_yoroshiku_at_the_final_question_is_a_yes() -> None:
    slots = {"requested_slot": "procedure_confirmed", "procedure": "send_connection_id", "delivery_method": "sms"}
    t = tracker("nlu_fallback", text="それでよろしく", slots=slots, active_loop="procedure_form")
    extracted = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert extracted.get("procedure_confirmed") is True


@pytest.mark.parametrize(
    ("said", "typed", "again"),
    [(["utter_two_questions", "utter_answer_change_ocn_id", "utter_answer_link_d_account", "utter_ask_survey"],
      "dポイントの方はどうなりますか？", "link_d_account"),
     (["utter_answer_link_d_account", "utter_ask_survey"], "dポイントの方はどうなりますか？", None),  # one answer only
     (["utter_answer_change_ocn_id", "utter_answer_check_login_history"], "dポイントの方はどうなりますか？", None)],
)  # fmt: skip
def test_one_of_two_answers_named_by_its_words_is_answered_again(
    said: list[str], typed: str, again: str | None
) -> None:
    assert one_of_two_topics_again(said, typed) == again


@pytest.mark.parametrize(("typed", "resolved"), [("承知いたしました。解決いたしました", True), ("はい", False)])
def test_resolved_said_after_a_fact_that_asked_nothing_is_thanked_not_asked(typed: str, resolved: bool) -> None:
    events = [
        {"event": "user", "text": "変えたらメールソフトも何かするんですか"},
        {"event": "bot", "metadata": {"utter_action": "utter_fact_mail_app_settings"}},
        {"event": "user", "text": typed},
    ]
    t = tracker("affirm", text=typed, slots={"topic": "change_ocn_id_password"}, events=events)
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert ("utter_ask_survey" in responses(messages)) is not resolved
    assert (slot_events(events).get("survey_answer") == "resolved") is resolved
