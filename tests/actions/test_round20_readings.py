"""Readings added after the fifth decision batch (issue 23, twentieth round): flick slips in short replies, the
final question settled in other words, the offer taken up as a request or declined in English, a next procedure
asked as whether it can be done, an apology that is no goodbye, the side a longer reply ends on, and passwords
stated without a separator or without the word."""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import named_procedure, read_choice, read_yes_no
from actions.faq_actions import ActionAnswer, ActionClarify
from actions.follow_ups import topic_of_the_id_in_context, topic_the_words_correct
from actions.method_change import method_changed_at_the_end
from actions.procedure_form import ValidateProcedureForm
from actions.procedure_switch import leaves_in_other_words
from ocn_ids.answers import fold, says_goodbye
from ocn_ids.parse import find_choices, named_id_types
from ocn_ids.passwords import password_spans
from tests.actions.trackers import responses, run, slot_events, tracker


@pytest.mark.parametrize(
    ("typed", "folded"),
    [("はぃ", "はい"), ("ぉk", "おk"), ("SMSこなぃてす", "smsこないてす"),
     ("ファイル", "ふぁいる"), ("ディーアカウント", "でぃーあかうんと"), ("ウィンドウズ", "うぃんどうず"), ("チェック", "ちぇっく")],
)  # fmt: skip
def test_a_small_vowel_no_kana_takes_is_read_full_size(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def _at_the_final_question(typed: str, procedure: str, intent: str = "nlu_fallback") -> object:
    slots = {"requested_slot": "procedure_confirmed", "procedure": procedure}
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    return asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))


@pytest.mark.parametrize(
    ("typed", "procedure", "confirmed"),
    [("表示してください", "login_history", True),  # 表示 is no delivery way of the login history
     ("はい、IDを教えてください", "send_ocn_id", True),
     ("ぉk", "reset_ocn_password", True),
     ("それで結構です", "send_connection_id", True),
     ("こちらでお願いします", "send_connection_id", True),
     ("表示でお願いします", "send_connection_id", None),  # My Page, the connection ID's way: asked again
     ("郵送でお願いします", "login_history", None),
     ("教えてください、パスワードは何文字ですか", "reset_ocn_password", None)],
)  # fmt: skip
def test_the_final_question_settled_in_other_words(typed: str, procedure: str, confirmed: bool | None) -> None:
    assert _at_the_final_question(typed, procedure).get("procedure_confirmed") is confirmed


def _at_the_offer(typed: str, intent: str = "nlu_fallback") -> list[dict]:
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id", "topic": "check_ocn_id"}
    events = [
        {"event": "user", "text": "私のOCN IDを知りたいのですが"},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_check_ocn_id"}},
        {"event": "bot", "metadata": {"utter_action": "utter_offer_procedure"}},
        {"event": "user", "text": typed},
    ]
    return run(ActionAnswer(), tracker(intent, text=typed, slots=slots, events=events))


@pytest.mark.parametrize(
    ("typed", "intent"),
    [("お願いできますか", "check_ocn_id"), ("さっさとやって", "nlu_fallback"), ("ぉねかいします", "nlu_fallback"),
     ("おねかい", "nlu_fallback")],
)  # fmt: skip
def test_the_offer_taken_up_as_a_request_or_with_slips_starts_it(typed: str, intent: str) -> None:
    _, events = _at_the_offer(typed, intent)
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events), typed


@pytest.mark.parametrize(
    ("typed", "intent"),
    [("あとてやります", "nlu_fallback"), ("not now", "nlu_fallback"), ("no thanks", "deny"),
     ("やってみます", "nlu_fallback"), ("自分でやってもらえますか", "nlu_fallback"), ("いや自分でマイページで見る", "affirm")],
)  # fmt: skip
def test_the_offer_declined_with_slips_or_in_english_is_not_taken_up(typed: str, intent: str) -> None:
    messages, events = _at_the_offer(typed, intent)
    assert not any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events), typed
    if typed not in ("やってみます", "自分でやってもらえますか"):
        assert responses(messages)[0] == "utter_ask_survey", typed


def test_a_way_typed_in_katakana_is_named() -> None:
    assert [f.value for f in find_choices("えーとエスエムエスで送ってもらえる")] == ["sms"]
    assert [f.value for f in find_choices("ユウビンでお願い")] == ["post"]


def test_which_password_answered_with_slips() -> None:
    assert [c.value for c in read_choice("which_password", "とっち？")] == ["unknown"]
    assert read_choice("which_password", "とち") == []  # too short to read past its slips


def test_a_flick_typed_change_of_mind_cancels_while_the_code_is_awaited() -> None:
    typed = "あ、やっはいいです 自分でまいぺーじからやる"
    slots = {"procedure": "reset_ocn_password", "requested_slot": "otp_code"}
    _, events = run(ActionClarify(), tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form"))
    assert [e["name"] for e in events if e["event"] == "followup"] == ["action_cancel_procedure"]


@pytest.mark.parametrize(
    ("typed", "starts"),
    [("ついでに ログイン履歴も 見られますか", "login_history"), ("ついてにろくいん履歴もみれる？", "login_history"),
     ("ログイン履歴ってどうやったら見られますか", None)],
)  # fmt: skip
def test_a_verified_customer_asking_if_another_procedure_can_be_done_gets_it(typed: str, starts: str | None) -> None:
    slots = {"verification_id": "v-1", "verified_until": time.time() + 600, "topic": "check_customer_number"}
    events = [
        {"event": "user", "text": "はい"},
        {"event": "bot", "metadata": {"utter_action": "utter_done_customer_number"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": typed},
    ]
    _, events = run(ActionAnswer(), tracker("check_login_history", text=typed, slots=slots, events=events))
    started = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "procedure"]
    assert (started[-1] if started else None) == starts


def test_an_apology_then_a_question_is_no_goodbye() -> None:
    assert not says_goodbye("失礼しました 変えたら スマホのメールも直すのですか")
    assert says_goodbye("失礼しました")
    assert says_goodbye("ありがとうございました、失礼しました")


def test_thanks_for_a_history_without_strange_logins_answer_the_survey() -> None:
    typed = "へんなのなくてよかったー ありがと"
    events = [
        {"event": "user", "text": "みせて"},
        {"event": "bot", "metadata": {"utter_action": "utter_login_history"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": typed},
    ]
    slots = {"pending_question": "survey", "topic": "check_login_history"}
    messages, events = run(ActionAnswer(), tracker("thank", text=typed, slots=slots, events=events))
    assert "utter_login_history_unfamiliar" not in responses(messages)
    assert slot_events(events).get("survey_answer") == "resolved"


def test_an_apology_then_how_after_a_warning_given_before_any_answer_gets_the_answer() -> None:
    first = "メールのパスワードを変えたいんだけど今のは yamada0123 なんだけど"
    typed = "あごめんなさい じゃあ変え方だけ教えて"
    events = [
        {
            "event": "user",
            "text": first,
            "parse_data": {"intent": {"name": "change_ocn_id_password", "confidence": 0.9}},
        },
        {"event": "bot", "metadata": {"utter_action": "utter_password_not_in_chat"}},
        {"event": "user", "text": typed},
    ]
    messages, _ = run(
        ActionClarify(), tracker("nlu_fallback", text=typed, slots={"password_warned": True}, events=events)
    )
    assert "utter_answer_change_ocn_id_password" in responses(messages)


def test_the_side_a_longer_reply_ends_on_answers_which_password() -> None:
    typed = "メールは携帯のしか使っていないので、インターネットにつなぐ設定の方だと思います"
    events = [
        {"event": "bot", "metadata": {"utter_action": "utter_ask_which_password"}},
        {"event": "user", "text": typed},
    ]
    slots = {"pending_question": "which_password"}
    messages, _ = run(ActionAnswer(), tracker("forgot_ocn_id_password", text=typed, slots=slots, events=events))
    assert "utter_answer_check_connection_id" in responses(messages)


def test_receiving_mail_names_the_mail_password() -> None:
    typed = "送信はできるのに受信するときだけパスワードエラーになります。パスワードはどこかにメモしたはずなんですが見つかりません"
    messages, _ = run(ActionAnswer(), tracker("forgot_password", text=typed, events=[{"event": "user", "text": typed}]))
    assert "utter_answer_forgot_ocn_id_password" in responses(messages)


@pytest.mark.parametrize(
    ("typed", "about_a_password", "secret"),
    [("パスワードabc12345で入れないんだけど！！", False, "abc12345"),
     ("メモにはxY7k29pqって書いてある", True, "xY7k29pq"),
     ("メモにはxY7k29pqって書いてある", False, None),  # no password word, nothing about one before
     ("ログインできない！パスワードtaro1234で合ってるはずなのに", False, "taro1234"),
     ("パスタ好き abc123", True, None),
     ("N12345678です", True, None)],  # a customer number with a digit missing
)  # fmt: skip
def test_a_password_glued_to_the_word_or_stated_after_an_answer_about_one(
    typed: str, about_a_password: bool, secret: str | None
) -> None:
    spans = password_spans(typed, about_a_password=about_a_password)
    assert [typed[start:end] for start, end in spans] == ([secret] if secret else [])


def test_a_yes_no_word_with_slips_is_read_only_when_long_enough() -> None:
    assert read_yes_no("offer_procedure", "いらないてす") == "no"
    assert read_yes_no("offer_procedure", "はい") == "yes"
    assert read_yes_no("offer_procedure", "ばい") is None  # 「はい」 without its slip is another word


@pytest.mark.parametrize(
    ("before", "typed", "expected"),
    [("接続用IDとは 何ですか", "それは どこで見られますか", "utter_answer_check_connection_id"),
     ("お客さま番号ってなに", "それってどこで確認できる？", "utter_answer_check_customer_number"),
     ("お客さま番号ってなに", "それってどこに書いてある？", "utter_answer_check_customer_number"),
     ("IDって何種類あるの", "それは どこで見られますか", None)],  # no one ID named before: nothing to point back to
)  # fmt: skip
def test_that_one_after_the_three_ids_answer_is_the_id_the_question_before_named(
    before: str, typed: str, expected: str | None
) -> None:
    events = [
        {"event": "user", "text": before},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_ask_id_types"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": typed},
    ]
    slots = {"topic": "ask_id_types", "pending_question": "survey"}
    t = tracker("goodbye", text=typed, slots=slots, events=events)  # as the classifier read one, at 0.36
    t.latest_message["intent"]["confidence"] = 0.36
    messages, _ = run(ActionAnswer(), t)
    answers = [name for name in responses(messages) if name.startswith("utter_answer_")]
    assert (answers[0] if answers else None) == expected


@pytest.mark.parametrize(
    ("typed", "named"),
    [("Connection ID no password wo wasureta", {"connection_id"}), ("Please tell me my internet connect ID", {"connection_id"}),
     ("my customer number wa doko?", {"customer_number"}), ("OK", set())],
)  # fmt: skip
def test_the_ids_named_in_a_learners_english(typed: str, named: set[str]) -> None:
    assert named_id_types(typed) == named


def test_a_procedure_named_in_english() -> None:
    assert named_procedure("wait, password も reset したい. password reset に かえて ください") == "reset_ocn_password"
    assert named_procedure("login history を みたい") == "login_history"


@pytest.mark.parametrize(
    ("shown", "typed", "corrected"),
    [("check_connection_id", "接続用IDというのは、変えることはできますでしょうか。近所の人に見られてしまったような気がして、落ち着かないのです。",
      "change_connection_id"),  # the change is asked; the look is told
     ("change_connection_id_password", "接続用のパスワード知りたい", "check_connection_id"),
     ("change_ocn_id_password", "OCN IDのパスワードがわからない", "forgot_ocn_id_password"),
     ("change_connection_id_password", "接続用IDのパスワードを変えたい", None)],
)  # fmt: skip
def test_a_password_topic_is_corrected_by_what_the_asking_sentence_states(
    shown: str, typed: str, corrected: str | None
) -> None:
    assert topic_the_words_correct(shown, typed) == corrected


@pytest.mark.parametrize(
    ("typed", "confirmed"),
    [("はい、結構でございます。よろしくお願いいたします。", True), ("結構です", None), ("はい、結構です。やっぱりやめます", False)],
)  # fmt: skip
def test_yes_then_fine_at_the_final_question_is_a_yes(typed: str, confirmed: bool | None) -> None:
    assert _at_the_final_question(typed, "send_connection_id").get("procedure_confirmed") is confirmed


def test_another_way_asked_for_in_a_requests_question_form_is_taken_at_the_final_question() -> None:
    typed = "あっ、申し訳ございません。考え直しまして、郵送ではなくマイページで見られるようにしていただけますか。待ちきれないものですから。"
    slots = {"requested_slot": "procedure_confirmed", "procedure": "send_connection_id", "delivery_method": "post"}
    assert method_changed_at_the_end(tracker("nlu_fallback", text=typed, slots=slots)) == "mypage"
    asked = "マイページでも見られますか"
    assert method_changed_at_the_end(tracker("nlu_fallback", text=asked, slots=slots)) is None


def test_putting_it_off_with_a_reason_declines_the_offer() -> None:
    assert read_yes_no("offer_procedure", "今日は時間がないのでまた今度で") == "no"
    assert read_yes_no("offer_procedure", "明日使うのでお願いします") is None  # a go-ahead with its reason


def test_had_enough_as_the_last_sentence_is_leaving() -> None:
    assert leaves_in_other_words("最初からそう言えよ。もういいわ")
    assert not leaves_in_other_words("パスワードはどこ？もういいです")


def test_a_way_in_romaji_is_named() -> None:
    assert [f.value for f in find_choices("yuubin de okutte kudasai")] == ["post"]


def test_an_ids_short_name_after_two_answers_asks_for_that_answer_again() -> None:
    said = ["utter_two_questions", "utter_answer_change_connection_id_password", "utter_answer_check_customer_number"]
    asked = topic_of_the_id_in_context("check_customer_number", said, "で、番号のほうは？無視すんなよ", unsure=True)
    assert asked is not None and asked.topic == "check_customer_number"
    assert topic_of_the_id_in_context("check_customer_number", said[-1:], "で、番号のほうは？", unsure=True) is None


def test_a_wish_then_whether_it_can_be_done_so_starts_it_for_a_verified_customer() -> None:
    typed = "うわ怖いので、パスワードも再設定しときたいです。このままできます？"
    slots = {"verification_id": "v-1", "verified_until": time.time() + 600, "topic": "check_login_history"}
    events = [
        {"event": "user", "text": "表示してください"},
        {"event": "bot", "metadata": {"utter_action": "utter_login_history"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
        {"event": "user", "text": typed},
    ]
    _, events = run(ActionClarify(), tracker("nlu_fallback", text=typed, slots=slots, events=events))
    assert [e["value"] for e in events if e["event"] == "slot" and e["name"] == "procedure"] == ["reset_ocn_password"]


def test_thanks_that_read_as_a_hello_after_the_bot_spoke_are_thanks() -> None:
    events = [
        {"event": "user", "text": "やっぱいいです"},
        {"event": "bot", "metadata": {"utter_action": "utter_procedure_cancelled"}},
        {"event": "user", "text": "どうも～"},
    ]
    messages, _ = run(ActionAnswer(), tracker("greet", text="どうも～", events=events))
    assert "utter_greet" not in responses(messages)
    opening = [{"event": "user", "text": "どうも～"}]
    assert responses(run(ActionAnswer(), tracker("greet", text="どうも～", events=opening))[0]) == ["utter_greet"]
