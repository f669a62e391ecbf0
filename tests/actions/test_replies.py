"""Typed answers to the open question, follow-ups on the topic just answered, two questions in one,
and the code step (code didn't arrive, resend), over a fake account client."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import account_client, buttons
from actions.account_client import AccountApiError
from actions.choices import read_yes_no
from actions.code_step import ActionAskOtpCode, ActionCodeNotReceived, ActionResendCode
from actions.faq_actions import ActionAnswer, ActionClarify
from actions.procedure_form import ActionAskProcedure, ValidateProcedureForm
from actions.replies import reading_in_context
from actions.reply_actions import ActionAnswerPendingQuestion
from actions.topics import TOPICS
from actions.verification_slots import INVALID
from ocn_ids.answers import fold, thanks_in
from tests.actions.fake_account_client import FakeClient
from tests.actions.trackers import responses, run, slot_events, tracker


@pytest.fixture()
def client(monkeypatch: pytest.MonkeyPatch) -> FakeClient:
    fake = FakeClient()
    monkeypatch.setattr(account_client, "_shared", fake)
    return fake


WAITING = {
    "requested_slot": "otp_code",
    "account_ref": "N123456789",
    "verification_id": "v-0",
    "procedure": "send_ocn_id",
}


def test_a_typed_label_answers_which_password_whatever_the_intent() -> None:
    t = tracker("nlu_fallback", text="OCN ID", slots={"pending_question": "which_password"})
    messages, _ = run(ActionClarify(), t)
    assert responses(messages)[0] == "utter_answer_forgot_ocn_id_password"
    t = tracker("check_connection_id", text="２番", slots={"pending_question": "which_password"})
    messages, _ = run(ActionAnswer(), t)
    assert responses(messages)[0] == "utter_answer_check_connection_id"


def test_a_new_question_while_one_is_open_is_answered_as_a_question() -> None:
    t = tracker(
        "change_customer_number", text="お客さま番号は変更できますか", slots={"pending_question": "which_password"}
    )
    messages, _ = run(ActionAnswer(), t)
    assert responses(messages)[0] == "utter_answer_change_customer_number"


@pytest.mark.parametrize("typed, intent", [("大丈夫です", "affirm"), ("いいです", "affirm"), ("結構です", "deny")])
def test_polite_declines_of_the_offer(typed: str, intent: str) -> None:
    t = tracker(intent, text=typed, slots={"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"})
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages) == ["utter_ask_survey"]
    assert not [e for e in events if e["event"] == "followup"]


def test_an_unclear_reply_to_the_offer_is_asked_back_with_its_buttons() -> None:
    t = tracker(
        "nlu_fallback", text="うーん", slots={"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"}
    )
    messages, events = run(ActionClarify(), t)
    # A cushion, then the offer itself again (on LINE its buttons may have scrolled away).
    assert responses(messages) == ["utter_ask_choice_again", "utter_offer_procedure"]
    assert messages[1]["buttons"][0]["payload"] == '/start_procedure{"procedure": "send_ocn_id"}'
    assert slot_events(events)["pending_question"] == "offer_procedure"


@pytest.mark.parametrize(
    "typed, intent, action",
    [
        ("むり", "nlu_fallback", ActionClarify()),
        ("マイページとか無理です", "register_mypage", ActionAnswer()),  # read as My Page's registration at 0.69
        ("自分じゃできない", "deny", ActionAnswerPendingQuestion()),
    ],
)
def test_cannot_do_it_themselves_at_the_offer_gets_the_offer_again_with_that_reason(
    typed: str, intent: str, action: Any
) -> None:
    """After 「…OCN マイページでご確認いただけます」, 「むり」 is why the chat procedure is offered: the offer again,
    saying so, not an off-topic fallback, My Page's registration or a declined offer."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"}
    t = tracker(intent, text=typed, slots=slots)
    t.latest_message["intent"]["confidence"] = 0.69
    messages, events = run(action, t)
    assert responses(messages) == ["utter_offer_procedure_instead"]
    assert messages[0]["buttons"][0]["payload"] == '/start_procedure{"procedure": "send_ocn_id"}'
    assert slot_events(events)["pending_question"] == "offer_procedure"


@pytest.mark.parametrize(
    "typed, intent",
    [
        ("はい、自分じゃ無理なのでお願いします", "affirm"),
        ("パスワードがわからないので再設定したい", "forgot_ocn_id_password"),
        # a problem of its own, or a no / not now
        ("メールが使えない", "nlu_fallback"),
        ("ログインできない", "nlu_fallback"),
        ("お客さま番号がわからない", "check_customer_number"),
        ("いや、わからない", "deny"),
        ("今は無理", "deny"),
    ],
)
def test_a_yes_or_another_request_with_cannot_is_not_offered_again(typed: str, intent: str) -> None:
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"}
    messages, _ = run(ActionAnswerPendingQuestion(), tracker(intent, text=typed, slots=slots))
    assert "utter_offer_procedure_instead" not in responses(messages)


def test_cannot_is_offered_again_only_once() -> None:
    """「むり」 to the offer said again with its reason: not now (the survey), not the same re-offer in a loop."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"}
    events = [*_bot_turn("utter_offer_procedure_instead"), {"event": "user", "text": "むり"}]
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", text="むり", slots=slots, events=events))
    assert responses(messages) == ["utter_ask_survey"]


def test_follow_ups_are_read_against_the_topic_just_answered() -> None:
    slots = {"topic": "change_ocn_id", "pending_question": "survey"}
    messages, _ = run(
        ActionAnswer(), tracker("ask_id_types", text="それって前のアドレスに来たメールはどうなりますか", slots=slots)
    )
    assert responses(messages) == ["utter_fact_change_ocn_id_forwarding", "utter_ask_survey"]
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", text="Gmailでもいいの？", slots=slots))
    assert responses(messages) == ["utter_fact_ocn_id_other_address", "utter_ask_survey"]
    # Without that topic, the same words are an ordinary question.
    messages, _ = run(ActionAnswer(), tracker("ask_id_types", text="それって前のアドレスに来たメールはどうなりますか"))
    assert responses(messages)[0] == "utter_answer_ask_id_types"


@pytest.mark.parametrize(
    "text",
    [
        "パスワードを変更したあと、パソコンのメールソフトの設定はどうしたらいいでしょうか",  # longer, after the change
        "めーるあふりもかえるの？",  # flick: アプリ with its handakuten dropped
    ],
)
def test_the_mail_app_after_a_password_change_is_its_fact(text: str) -> None:
    slots = {"topic": "change_ocn_id_password", "pending_question": "survey"}
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", text=text, slots=slots))
    assert responses(messages) == ["utter_fact_mail_app_settings", "utter_ask_survey"]


@pytest.mark.parametrize(
    "topic, text",
    [
        ("ask_id_types", "OCN IDを変更したい"),  # names another ID than the fact's: a new question
        ("check_customer_number", "OCN IDを変更したい"),
        ("ask_id_types", "OCNメールのパスワードを忘れた"),
    ],
)
def test_a_new_question_right_after_an_answer_is_not_taken_for_a_follow_up(topic: str, text: str) -> None:
    messages, _ = run(ActionAnswer(), tracker("change_ocn_id", text=text, slots={"topic": topic}))
    assert not any(r.startswith("utter_fact_") for r in responses(messages))


def test_two_questions_in_one_message_get_both_answers() -> None:
    t = tracker("forgot_ocn_id_password", text="OCN IDもパスワードも両方わからなくなりました")
    messages, events = run(ActionAnswer(), t)
    said = responses(messages)
    assert said[0] == "utter_two_questions"
    assert said.index("utter_answer_check_ocn_id") < said.index("utter_answer_forgot_ocn_id_password")
    assert slot_events(events)["offered_procedure"] == "reset_ocn_password"


@pytest.mark.parametrize(
    "intent, typed, first, second",
    [
        (
            "change_ocn_id",
            "お客さま番号って変えられますか？あとOCN IDも変えたいんですけど",
            "change_customer_number",
            "change_ocn_id",
        ),
        (
            "nlu_fallback",
            "OCN IDを確認したい。あと接続用IDのパスワードを忘れました",
            "check_ocn_id",
            "check_connection_id",
        ),
        # the second part points back to the first one's ID, or names a topic by its own words
        ("change_customer_number", "お客さま番号はどこで見られますか？あと番号自体って変えられますか？",
         "check_customer_number", "change_customer_number"),
        ("register_mypage", "OCN IDどこで確認できる？あとマイヘージって登録いるの", "check_ocn_id", "register_mypage"),
        # a change and a look-up, 「両方」 said too: each part's own (not both looked up)
        ("check_connection_id", "接続用IDのパスワード変えたいのと、あとお客さま番号ってどこ？両方教えて",
         "change_connection_id_password", "check_customer_number"),
        # two IDs, one question
        ("ask_id_types", "お客さま番号とOCN IDってどうやって調べるの？", "check_customer_number", "check_ocn_id"),
    ],
)  # fmt: skip
def test_two_questions_in_two_parts_get_both_answers_in_order(intent: str, typed: str, first: str, second: str) -> None:
    """Each part names one ID and what of it: both answered, in the order asked (the classifier read one or neither)."""
    said = responses(run(ActionAnswer(), tracker(intent, text=typed))[0])
    assert said[0] == "utter_two_questions"
    assert said.index(f"utter_answer_{first}") < said.index(f"utter_answer_{second}")


@pytest.mark.parametrize(
    "intent, typed",
    [
        ("change_ocn_id", "OCN IDって変えられますか？変えたらメールはどうなりますか"),  # one topic, asked on
        ("check_login_history", "お客さま番号って変えられますか？あとOCN IDも変えたいんですけど"),  # a third reading
        # a part that only states what is done, known or not wanted asks nothing
        ("forgot_ocn_id_password", "OCN IDのパスワードを忘れました。お客さま番号は確認済みです"),
        ("nlu_fallback", "お客さま番号は調べました。でもOCN IDのパスワードがわかりません"),
        ("check_ocn_id", "接続IDは確認しました！OCN IDを確認したいです"),
        ("change_ocn_id", "OCN IDを変更したいです。接続用IDのパスワードは変えなくていいです"),
        ("ask_id_types", "お客さま番号とOCN IDの違いがわからない"),  # how they differ: one question
        ("ask_id_types", "OCN IDとお客さま番号と接続なんとかID、なんで3つもあんの？"),  # why three: one question
    ],
)
def test_one_question_in_two_parts_or_another_reading_is_not_two(intent: str, typed: str) -> None:
    said = responses(run(ActionAnswer(), tracker(intent, text=typed))[0])
    assert "utter_two_questions" not in said


# --- nothing is sent before a procedure is chosen -----------------------------------------------------


@pytest.mark.parametrize("typed", ["482913", "コードは４８２９１３です"])
def test_a_code_typed_before_any_was_sent_is_told_so(typed: str) -> None:
    """Asked which procedure with the ID held, the customer types a code (none was sent: nothing is sent
    before a procedure is chosen). The bot says so with the choices, not the same question again."""
    t = tracker("inform", text=typed, slots={"account_ref": "N123456789", "requested_slot": "procedure"})
    messages, _ = run(ActionAskProcedure(), t)
    assert responses(messages) == ["utter_ask_procedure_code_not_sent"] and len(messages[0]["buttons"]) == 5
    held_id = tracker("inform", text="N123456789", slots={"account_ref": "N123456789"})
    assert responses(run(ActionAskProcedure(), held_id)[0]) == ["utter_ask_procedure_for_id"]


def test_an_id_given_first_is_held_and_the_question_says_a_code_will_follow(client: FakeClient) -> None:
    dispatcher = CollectingDispatcher()
    held = asyncio.run(ValidateProcedureForm().validate_account_ref("N123456789", dispatcher, tracker(), {}))
    assert held == {"account_ref": "N123456789"} and client.calls == [] and dispatcher.messages == []
    messages, _ = run(ActionAskProcedure(), tracker(slots={"account_ref": "N123456789"}))
    assert responses(messages) == ["utter_ask_procedure_for_id"] and len(messages[0]["buttons"]) == 5
    dispatcher = CollectingDispatcher()
    chosen = tracker(text="5", slots={"account_ref": "N123456789", "procedure": "login_history"})
    result = asyncio.run(ValidateProcedureForm().validate_procedure("login_history", dispatcher, chosen, {}))
    assert result["verification_id"] == "v-1" and responses(dispatcher.messages) == ["utter_code_sent"]


# --- the code step ---------------------------------------------------------------------------------------


def test_code_not_received_says_where_it_went_and_offers_a_new_one() -> None:
    t = tracker(
        "code_not_received",
        slots={**WAITING, "code_destination": "携帯電話（***-****-**78）"},
        active_loop="procedure_form",
    )
    messages, events = run(ActionCodeNotReceived(), t)
    assert responses(messages) == ["utter_code_not_received"]
    assert messages[0]["destination"] == "携帯電話（***-****-**78）"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/resend_code", "/deny"]
    assert slot_events(events) == {"pending_question": "offer_resend"}


def test_code_not_received_with_nothing_sent() -> None:
    messages, events = run(ActionCodeNotReceived(), tracker("code_not_received"))
    assert responses(messages) == ["utter_no_code_pending"] and events == []


@pytest.mark.parametrize(
    "action, intent", [(ActionCodeNotReceived(), "code_not_received"), (ActionResendCode(), "resend_code")]
)
def test_an_unsure_code_reading_with_no_procedure_is_passed_on_to_clarify(action: Any, intent: str) -> None:
    """「郵便とショートメールならどちらが先に着きますか」 read as a code not received (0.37): a question to answer."""
    typed = "郵便とショートメールならどちらが先に着きますか"
    unsure = tracker(intent, text=typed, ranking=[(intent, 0.37), ("check_connection_id", 0.2)])
    unsure.latest_message["intent"]["confidence"] = 0.37
    messages, events = run(action, unsure)
    assert not messages and [e["name"] for e in events if e["event"] == "followup"] == ["action_clarify"]


def test_resend_sends_a_new_code_for_the_same_id_and_keeps_the_procedure(client: FakeClient) -> None:
    messages, events = run(ActionResendCode(), tracker("resend_code", slots=WAITING, active_loop="procedure_form"))
    assert responses(messages) == ["utter_code_resent"]
    assert client.calls[0][0] == "start" and client.calls[0][1][1] == "N123456789"
    slots = slot_events(events)
    assert slots["verification_id"] == "v-1" and "procedure" not in slots and "procedure_halt" not in slots


def test_a_sent_code_remembers_when_it_expires_from_the_apis_figure(client: FakeClient) -> None:
    before = time.time()
    _, events = run(ActionResendCode(), tracker("resend_code", slots=WAITING, active_loop="procedure_form"))
    expires_at = slot_events(events)["code_expires_at"]
    assert before + 600 <= expires_at <= time.time() + 600  # the fake API's expires_in, not a copy of it


def test_the_code_question_tells_the_widget_how_long_the_code_has_left() -> None:
    t = tracker("inform", slots={**WAITING, "code_expires_at": time.time() + 125.5}, active_loop="procedure_form")
    messages, events = run(ActionAskOtpCode(), t)
    assert [m.get("custom") for m in messages][0] == {"data": {"code_step": {"expires_in": 125}}}
    assert responses(messages)[1:] == ["utter_ask_otp_code"] and events == []
    expired = tracker("inform", slots={**WAITING, "code_expires_at": time.time() - 5}, active_loop="procedure_form")
    assert run(ActionAskOtpCode(), expired)[0][0]["custom"] == {"data": {"code_step": {"expires_in": 0}}}


def test_the_code_question_without_a_code_sent_is_only_the_question() -> None:
    messages, _ = run(ActionAskOtpCode(), tracker("inform", slots=WAITING, active_loop="procedure_form"))
    assert responses(messages) == ["utter_ask_otp_code"] and not messages[0]["custom"]


def test_a_code_is_asked_for_with_the_channels_client_reference(client: FakeClient) -> None:
    """The account API limits codes per account and client: the action passes the channel's opaque
    reference on (and nothing when the channel gave none)."""
    metadata = {"client_ref": "cr1_0123abcd"}
    run(ActionResendCode(), tracker("resend_code", slots=WAITING, active_loop="procedure_form", metadata=metadata))
    run(ActionResendCode(), tracker("resend_code", slots=WAITING, active_loop="procedure_form"))
    assert [call[2]["client_ref"] for call in client.calls] == ["cr1_0123abcd", None]


def test_resend_at_the_limit_says_how_long_and_the_earlier_code_still_works(client: FakeClient) -> None:
    client.fail = AccountApiError(429, "too_many_codes", retry_after=1500)
    messages, events = run(ActionResendCode(), tracker("resend_code", slots=WAITING, active_loop="procedure_form"))
    assert responses(messages) == ["utter_too_many_codes", "utter_earlier_code_still_valid"]
    assert messages[0]["minutes"] == 25
    assert "procedure_halt" not in slot_events(events)


@pytest.mark.parametrize("typed", ["いや、いらないです", "いえ、キャンセルしないで待ちます", "新しいコードは不要です"])
def test_declining_a_new_code_is_waiting_on(client: FakeClient, typed: str) -> None:
    t = tracker("deny", text=typed, slots={**WAITING, "pending_question": "offer_resend"}, active_loop="procedure_form")
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages) == ["utter_keep_waiting"]
    assert not [e for e in events if e["event"] == "followup"] and not client.calls


@pytest.mark.parametrize("typed", ["いえ、もうやめます", "いや、キャンセルで", "いえ、もういいです"])
def test_stopping_at_the_resend_offer_cancels_the_procedure(client: FakeClient, typed: str) -> None:
    t = tracker("deny", text=typed, slots={**WAITING, "pending_question": "offer_resend"}, active_loop="procedure_form")
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages) == []
    assert [e["name"] for e in events if e["event"] == "followup"] == ["action_cancel_procedure"]
    assert not client.calls  # no new code


def test_yes_to_the_resend_offer_resends(client: FakeClient) -> None:
    t = tracker(
        "affirm", text="はい", slots={**WAITING, "pending_question": "offer_resend"}, active_loop="procedure_form"
    )
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages) == ["utter_code_resent"]
    t = tracker(
        "affirm", text="大丈夫です", slots={**WAITING, "pending_question": "offer_resend"}, active_loop="procedure_form"
    )
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages) == ["utter_keep_waiting"]
    # 「送ってください」 is the yes, whatever the classifier made of it; 「送らなくていい」 is not.
    slots = {**WAITING, "pending_question": "offer_resend"}
    messages, _ = run(
        ActionAnswerPendingQuestion(),
        tracker("inform", text="送ってください", slots=slots, active_loop="procedure_form"),
    )
    assert responses(messages) == ["utter_code_resent"]
    typed = tracker("inform", text="送らなくていいです", slots=slots, active_loop="procedure_form")
    messages, _ = run(ActionAnswerPendingQuestion(), typed)
    assert "utter_code_resent" not in responses(messages)


def test_a_second_id_or_a_mistake_restarts_the_verification(client: FakeClient) -> None:
    form = ValidateProcedureForm()
    second = tracker("inform", text="N555000111でした", slots=WAITING)
    dispatcher = CollectingDispatcher()
    assert asyncio.run(form.extract_account_ref(dispatcher, second, {})) == {"account_ref": "N555000111"}
    assert asyncio.run(form.extract_otp_code(dispatcher, second, {})) == {}
    assert responses(dispatcher.messages) == ["utter_restart_verification"]
    mistake = tracker("nlu_fallback", text="間違えました", slots=WAITING)
    assert asyncio.run(form.extract_account_ref(CollectingDispatcher(), mistake, {})) == {"account_ref": None}
    cleared = asyncio.run(form.validate_account_ref(None, CollectingDispatcher(), mistake, {}))
    assert cleared == {"account_ref": None, "verification_id": None, "code_destination": None}
    code_mistake = tracker("nlu_fallback", text="コードを間違えました", slots=WAITING)
    assert asyncio.run(form.extract_account_ref(CollectingDispatcher(), code_mistake, {})) == {}


@pytest.mark.parametrize("typed", ["１２３ ４５６", "123-456", "12 34 56", "１２３ー４５６", "123―456"])
def test_a_code_with_spaces_dashes_or_full_width_is_the_code(typed: str) -> None:
    t = tracker("inform", text=typed, slots=WAITING)
    assert asyncio.run(ValidateProcedureForm().extract_otp_code(CollectingDispatcher(), t, {})) == {
        "otp_code": "123456"
    }


@pytest.mark.parametrize(
    "typed, intent, expected",
    [
        ("大丈夫です", "affirm", True),
        ("いいえ", "deny", False),
        ("はい", "affirm", True),
        ("結構です", "deny", None),
        # A change of mind is a no, and 「待って」 is asked again, though the classifier hears a yes in them.
        ("はい、やっぱりやめておきます", "affirm", False),
        ("やっぱいいや", "affirm", False),
        ("キャンセルで", "affirm", False),
        ("やっはりけっこうてす", "nlu_fallback", False),  # flick-typed: the dakuten and small kana lost
        ("はい、じゃ、メールでお願いします", "affirm", True),  # じゃ、め is no 「やめ」
        ("ちょっと待ってください", "affirm", None),
        # No longer needed, or a no in front, however surely the classifier reads a yes: asked again.
        ("もう大丈夫です", "affirm", None),
        ("いいえもう大丈夫です", "affirm", None),
        ("いえいえ、お願いします", "affirm", None),
        ("あ、いいえ大丈夫です", "affirm", None),  # a filler before the no
        ("んー、いや、いいです", "affirm", None),
        ("イエス", "affirm", True),  # folded 「いえす」: a yes
        ("じゃあいいです", "affirm", None),  # never mind as much as go ahead
        ("それならいいや", "affirm", None),
        ("嫌です", "affirm", None),
    ],
)
def test_the_final_yes_is_read_with_the_question_in_mind(typed: str, intent: str, expected: bool | None) -> None:
    t = tracker(intent, text=typed, slots={"requested_slot": "procedure_confirmed"})
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(dispatcher, t, {}))
    assert result == {"procedure_confirmed": expected}
    assert bool(dispatcher.messages) is (expected is None)  # asked back when it could go either way


# --- a yes/no word to a question with choices asks that question again ---------------------------------


@pytest.mark.parametrize(
    "typed, intent", [("はい", "affirm"), ("ハイ！", "affirm"), ("いいえ", "deny"), ("OK", "affirm")]
)
def test_yes_or_no_to_which_password_asks_it_again_with_its_choices(typed: str, intent: str) -> None:
    t = tracker(intent, text=typed, slots={"pending_question": "which_password"})
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages) == ["utter_ask_choice_again", "utter_ask_which_password"]
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "OCN IDのパスワード",
        "接続用IDのパスワード",
        "わからない",
    ]
    assert slot_events(events) == {"pending_question": "which_password"}  # still the open question


@pytest.mark.parametrize("question, asked", [("procedure", "procedure"), ("delivery_method", "delivery_method")])
def test_yes_to_the_forms_choice_questions_asks_them_again(question: str, asked: str) -> None:
    form = ValidateProcedureForm()
    t = tracker("affirm", text="はい", slots={"requested_slot": asked}, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    extract = getattr(form, f"extract_{question}")
    assert asyncio.run(extract(dispatcher, t, {})) == {question: None}  # the form asks its question again
    assert responses(dispatcher.messages) == ["utter_ask_choice_again"]


def test_a_choice_that_sounds_like_no_is_still_a_choice() -> None:
    t = tracker("inform", text="わからない", slots={"pending_question": "which_password"})
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert "utter_ask_choice_again" not in responses(messages)


# --- the order of decisions: which reader of read_in_context takes a message ------------------------------


@pytest.mark.parametrize(
    "intent, text, slots, reader",
    [
        ("affirm", "はい", {"pending_question": "survey"}, "open_question"),  # a yes to 「解決しましたか？」
        ("check_ocn_id", "OCN ID", {"pending_question": "which_password"}, "open_question"),  # a typed label
        ("ask_id_types", "それって前のアドレスに来たメールはどうなりますか", {"topic": "change_ocn_id"}, "follow_up"),
        ("forgot_ocn_id_password", "OCN IDもパスワードも両方わからなくなりました", {}, "two_questions"),
        ("check_ocn_id", "OCN IDを確認したい", {}, None),  # a new question: no reader takes it
        ("affirm", "はい、ありがとうございました", {}, "courtesy"),  # thanks, with nothing asked
        ("affirm", "はい、ありがとうございます", {"pending_question": "survey"}, "open_question"),  # resolved
    ],
)
def test_read_in_context_names_the_reader_that_took_each_message(
    intent: str, text: str, slots: dict, reader: str | None
) -> None:
    read = asyncio.run(reading_in_context(CollectingDispatcher(), tracker(intent, text=text, slots=slots)))
    assert (read[0] if read else None) == reader


# --- yes/no words wrapped in thanks and fillers, read against the open question ------------------------------


@pytest.mark.parametrize(
    "slots, typed, intent, expected",
    [
        ({"pending_question": "survey"}, "はい、ありがとうございます", "affirm", ["utter_survey_thanks"]),
        ({"pending_question": "survey"}, "ありがとうございました", "affirm", ["utter_survey_thanks"]),
        ({"pending_question": "offer_procedure"}, "いえ、大丈夫です。ありがとう", "deny", ["utter_ask_survey"]),
        ({}, "OK、ありがとう", "affirm", ["utter_thank"]),
        ({}, "はい、さようなら", "affirm", ["utter_goodbye"]),
        ({}, "はい", "affirm", ["utter_anything_else"]),  # nothing asked, nothing to thank for
        ({}, "OK！本当に助かった〜", "affirm", ["utter_thank"]),
        ({"pending_question": "survey"}, "わかった、助かったよ", "affirm", ["utter_survey_thanks"]),
        ({}, "了解でーす、ばいばーい", "deny", ["utter_goodbye"]),
        # Closings only at the end of the reply (「それではお願いします」 leads on).
        ({}, "はいわかりましたそれじゃあ", "affirm", ["utter_goodbye"]),
        ({}, "わかりました。もういいです", "affirm", ["utter_goodbye"]),
        ({}, "じゃあいいや", "deny", ["utter_goodbye"]),
        ({"pending_question": "offer_procedure"}, "それではお願いします", "affirm", []),
        ({}, "ありがとう、以上です", "thank", ["utter_goodbye"]),  # 「以上です」: nothing more, so goodbye
        ({}, "助かった、じゃあね", "thank", ["utter_goodbye"]),
        ({"pending_question": "offer_procedure"}, "はーい、お願いしまーす", "affirm", []),  # yes: the form asks next
        # Flick-typing slips of thanks, which the classifier could not place.
        ({}, "ありかとう", "nlu_fallback", ["utter_thank"]),
        ({}, "そうてすか、ありかとうこさいます", "nlu_fallback", ["utter_thank"]),
        ({"pending_question": "survey"}, "たずかりました", "nlu_fallback", ["utter_survey_thanks"]),
        ({}, "はいはい", "nlu_fallback", ["utter_anything_else"]),  # a yes, not 「ばいばい」 slipped
        # Signs with nothing asked: 👍 is satisfied, 👋 takes leave; to the offer, 👍 is its yes.
        ({}, "👍", "nlu_fallback", ["utter_thank"]),
        ({}, "👋", "nlu_fallback", ["utter_goodbye"]),
        ({"pending_question": "offer_procedure"}, "👍", "nlu_fallback", []),
    ],
)
def test_thanks_and_fillers_around_a_reply_do_not_hide_it(
    slots: dict, typed: str, intent: str, expected: list[str]
) -> None:
    slots = (
        {**slots, "offered_procedure": "send_ocn_id"} if slots.get("pending_question") == "offer_procedure" else slots
    )
    messages, _ = run(ActionAnswerPendingQuestion(), tracker(intent, text=typed, slots=slots))
    assert responses(messages) == expected


@pytest.mark.parametrize(
    "typed, intent, expected",
    [
        ("いいから早くやってくれ", "out_of_scope", True),
        ("ろぐいん履歴みせてください", "check_login_history", True),  # names the procedure being confirmed
        ("じゃあそれでおねがいしまーす", "nlu_fallback", True),
        ("やっぱり送らないでください", "nlu_fallback", None),  # negated: not a yes
        ("パスワード再設定", "nlu_fallback", None),  # another procedure than the one asked about
        ("郵送でお願いします", "inform", None),  # a delivery method: asked again, never taken as this yes
        # A question that names the procedure asks; it never runs the procedure.
        ("ログイン履歴って何日分見られますか", "check_login_history", None),
        ("履歴はどこまで見れるの", "nlu_fallback", None),
        ("ログイン履歴見せてもらえますか", "nlu_fallback", True),  # a polite request is still one
        ("何卒よろしくお願いします", "greet", True),
        ("必要なんで早く見せて", "nlu_fallback", True),
        # What would happen if, a hesitation, later: not a go-ahead.
        ("見せてもらったらすぐ見られますか？", "nlu_fallback", None),
        ("進めて大丈夫ですか", "nlu_fallback", None),
        ("お願いしようか迷ってます", "nlu_fallback", None),
        ("明日やってもらえますか", "nlu_fallback", None),
        # a request for a stop, a hold or nothing is no go-ahead (its お願い once sent the link), also flick-typed
        ("中断でお願いします", "affirm", None),
        ("ちゅうしでおねがいします", "affirm", None),
        ("なしておねかいします", "affirm", None),
        ("今日はなしておねかいします", "affirm", None),
        ("保留でお願いします", "affirm", None),
        ("手続きはなしでお願いします", "affirm", None),
    ],
)
def test_a_request_to_go_ahead_at_the_final_question_is_a_yes(typed: str, intent: str, expected: bool | None) -> None:
    """At 「…ログイン履歴を表示します。よろしいですか？」 「早くやって」 or 「履歴見せて」 agrees, whatever the
    classifier made of it; the clarification stays silent so the form runs the procedure."""
    slots = {"requested_slot": "procedure_confirmed", "procedure": "login_history"}
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert result.get("procedure_confirmed") is expected
    messages, _ = run(ActionClarify(), t)
    assert (messages == []) is (expected is True)


@pytest.mark.parametrize(
    "typed, intent, expected",
    [
        ("パスワード再設定で", "forgot_password", True),  # the procedure's name and nothing else
        ("はい、再設定です！", "affirm", True),
        # パスワードの folds to ぱすわーどの: its どの is no question word
        ("はい、パスワードの再設定をお願いします", "affirm", True),
        # a real どの question after a go-ahead word: answered, then asked again (nothing sent)
        ("はいお願いします スマホどのくらいで届く", "affirm", None),
        ("お願いします、いまどのくらいかかる", "affirm", None),
        # The short alias 「パスワード」 in a sentence that says something else is no go-ahead.
        ("OCN IDのパスワードを忘れたんです", "forgot_ocn_id_password", None),  # answered, then asked again
        ("あ、やっぱりパスワード思い出しました", "forgot_password", False),  # the need has gone: a no
        ("ログインできました！", "affirm", False),
        ("思い出したらどうすればいいですか", "forgot_password", None),  # a question, not news
    ],
)
def test_the_password_reset_is_confirmed_only_by_words_that_ask_for_it(
    typed: str, intent: str, expected: bool | None
) -> None:
    """At 「…パスワード再設定用のリンクをお送りします。よろしいですか？」 「パスワード思い出しました」 once sent the
    link: its 「パスワード」 named the procedure. Now only the name alone goes ahead, and a need gone is a no."""
    slots = {"requested_slot": "procedure_confirmed", "procedure": "reset_ocn_password"}
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    t.latest_message["intent"]["confidence"] = 0.9
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert result.get("procedure_confirmed") is expected


@pytest.mark.parametrize(
    "typed, expected",
    [("いいえ、けっこうです", False), ("いや、いいです", False), ("いやいいです", False), ("結構です", None)],
)
def test_a_no_with_the_words_that_decline_is_a_no_at_the_final_question(typed: str, expected: bool | None) -> None:
    """「いいえ、けっこうです」 is a no (not asked back because 「けっこうです」 alone goes either way); 「結構です」
    alone is still asked back."""
    t = tracker("deny", text=typed, slots={"requested_slot": "procedure_confirmed"}, active_loop="procedure_form")
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert result == {"procedure_confirmed": expected}


def test_an_unsure_yes_with_a_question_mark_does_not_run_the_procedure() -> None:
    """「それって安全ですか？」 read as a yes at 0.39: at 「よろしいですか？」 a yes acts on the account, so an unsure one
    that asks is not taken; one that asks nothing is."""
    slots = {"requested_slot": "procedure_confirmed", "procedure": "login_history"}
    for typed, confidence, expected in (("それって安全ですか？", 0.39, None), ("それでお願いします", 0.39, True)):
        t = tracker("affirm", text=typed, slots=slots, active_loop="procedure_form")
        t.latest_message["intent"]["confidence"] = confidence
        result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
        assert result.get("procedure_confirmed") is expected, typed


@pytest.mark.parametrize(
    "typed, intent, confidence, expected",
    [
        # Yeses, in words or surely read: the procedure runs.
        ("はい", "affirm", 0.98, True),
        ("じゃあお願いします", "affirm", 0.6, True),
        ("うん、頼む", "affirm", 0.6, True),
        ("何卒よろしくお願いします", "greet", 0.66, True),
        ("送ってもらえますか", "nlu_fallback", 0.5, True),
        ("おねかいします", "affirm", 0.33, True),  # flick-typed, read unsurely: still a yes in words
        ("hai", "affirm", 0.72, True),
        # Agreement in polite negative form, even read as a no.
        ("問題ありません", "deny", 0.5, True),
        ("構いません", "deny", 0.5, True),
        ("はい、それで構いません", "affirm", 0.5, True),
        ("問題ありませんが、後で", "affirm", 0.6, None),
        # Later, a mistake, a condition, a doubt, a refusal, a hedge: asked again, whatever the classifier read.
        ("後でお願いします", "affirm", 0.35, None),
        ("はい、明日お願いします", "affirm", 0.98, None),
        ("押し間違えました", "affirm", 0.44, None),
        ("確認してからお願いします", "affirm", 0.6, None),
        ("はいじゃない", "affirm", 0.6, None),
        ("頼んでねーよ", "nlu_fallback", 0.5, None),
        ("パスワードは自分で変えます", "nlu_fallback", 0.5, None),
        ("yes but wait", "affirm", 0.3, None),
        # 「それで」「それで結構です」: the way just confirmed (after a change of way, too), however it is read;
        # 「それで？」 asks what comes next.
        ("それで", "affirm", 0.5, True),
        ("それで結構です", "deny", 0.6, True),
        ("じゃあそちらでお願いします", "nlu_fallback", 0.3, True),
        ("それで？", "affirm", 0.5, "unfilled"),
        ("なんで", "affirm", 0.5, None),  # an unsure yes with no word of one
        # Questions: not filled (answered, then the confirmation asked again).
        ("はい？", "affirm", 0.9, "unfilled"),
        ("進めて大丈夫ですか", "affirm", 0.72, "unfilled"),
        ("はいって押したら送られますか", "affirm", 0.6, "unfilled"),
    ],
)
def test_only_a_yes_runs_the_procedure_at_the_final_question(
    typed: str, intent: str, confidence: float, expected: bool | str | None
) -> None:
    """At 「…よろしいですか？」 the yes sends a link or a letter: only a yes in words, a go-ahead, or a sure yes
    reading with nothing that holds it back is one (the second review's replies, with the classifier's readings)."""
    slots = {"requested_slot": "procedure_confirmed", "procedure": "reset_ocn_password"}
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    t.latest_message["intent"]["confidence"] = confidence
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert result.get("procedure_confirmed", "unfilled") == expected


@pytest.mark.parametrize("typed", ["いや、大丈夫です、ありがとう", "いいえ、いいです"])
def test_a_decline_to_the_survey_is_not_read_as_unresolved(typed: str) -> None:
    """The declining words make a no at 「よろしいですか？」; to 「解決しましたか？」 「いや、大丈夫です」 says it is
    fine, so it is asked back rather than recorded as unresolved."""
    assert read_yes_no("survey", typed) != "no"


def test_a_buttons_number_read_surely_as_a_value_is_still_the_choice() -> None:
    """「1」 is read as "inform" at 0.85: a sure reading, but of no topic, so the typed number chooses."""
    events = [*_clarified_with("ask_id_types", "check_customer_number"), {"event": "user", "text": "1"}]
    t = tracker("inform", text="1", events=events)
    t.latest_message["intent"]["confidence"] = 0.85
    read = asyncio.run(reading_in_context(CollectingDispatcher(), t))
    assert read is not None and read[0] == "topic_chosen"


def test_a_topic_chosen_in_words_is_not_another_services_nor_a_request_for_the_procedure_nor_a_sure_reading() -> None:
    ocn_id = ("check_ocn_id", "change_ocn_id", "forgot_ocn_id_password")
    three_ids = ("ask_id_types", "check_customer_number", "check_ocn_id", "check_connection_id")
    for typed, intent, confidence, offered in (
        ("楽天のパスワードを忘れました", "nlu_fallback", 0.5, ocn_id),
        ("OCN IDの確認をチャットでしたい", "nlu_fallback", 0.5, ocn_id),
        ("OCN IDってなに？", "ask_id_types", 0.84, three_ids),
        ("パスワード", "forgot_password", 0.5, three_ids),  # no button's, no ID's: which password, asked
        ("スマホのパスワード忘れた", "forgot_password", 0.63, ocn_id),  # a device's, not an ID's
        ("暗証番号忘れた", "forgot_password", 0.67, three_ids),
        ("メールのパスワード", "forgot_password", 0.5, three_ids),
        ("確認しなくていい", "deny", 0.51, ocn_id),
    ):
        t = tracker(intent, text=typed, events=[*_clarified_with(*offered), {"event": "user", "text": typed}])
        t.latest_message["intent"]["confidence"] = confidence
        read = asyncio.run(reading_in_context(CollectingDispatcher(), t))
        assert read is None or read[0] != "topic_chosen", typed


def test_the_final_yes_in_a_polite_sentence_confirms() -> None:
    t = tracker(
        "affirm", text="えーと、はい、よろしくお願いいたします", slots={"requested_slot": "procedure_confirmed"}
    )
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert result == {"procedure_confirmed": True}


@pytest.mark.parametrize("typed", ["どっち？", "違いは？"])
def test_which_one_to_which_password_explains_the_difference_and_asks_again(typed: str) -> None:
    t = tracker("nlu_fallback", text=typed, slots={"pending_question": "which_password"})
    messages, _ = run(ActionClarify(), t)
    assert responses(messages) == ["utter_password_difference", "utter_ask_which_password"]


@pytest.mark.parametrize(
    "typed, intent, expected",
    [
        ("12345", "inform", {"otp_code": INVALID}),  # a code mistyped: asked again in the right format
        ("４８２ ９１", "inform", {"otp_code": INVALID}),
        ("6桁のコードが届かないんですが", "code_not_received", {}),  # a sentence with a digit is no code
        ("もう1回送ってください", "inform", {}),
        # Digits in a sentence about the code: its words, or the classifier sure of it, say it is no code.
        ("090-1234-5678にもう一度送ってください", "inform", {}),
        ("123456じゃなくて新しいのを", "resend_code", {"otp_code": "123456"}),  # a whole code is still a code
        ("末尾5678の携帯に届いてないです", "inform", {}),
        ("電話番号の下4桁5678の方に頼む", "resend_code", {}),
        ("電話番号の下4桁5678の方に頼む", "inform", {"otp_code": INVALID}),  # unsure: a mistyped code
    ],
)
def test_only_digits_typed_as_a_code_are_a_wrong_code(typed: str, intent: str, expected: dict) -> None:
    t = tracker(intent, text=typed, slots=WAITING, active_loop="procedure_form")
    assert asyncio.run(ValidateProcedureForm().extract_otp_code(CollectingDispatcher(), t, {})) == expected


@pytest.mark.parametrize(
    "typed, intent, first",
    [
        ("SMSがまだ来ないです", "inform", "utter_code_not_received"),
        ("コード届いてないんだけど", "nlu_fallback", "utter_code_not_received"),
        ("SMSがととかないてす", "nlu_fallback", "utter_code_not_received"),  # flick: dakuten dropped
        ("まだ", "deny", "utter_code_not_received"),  # LINE: not yet
        ("SMS kimasen… nothing", "inform", "utter_code_not_received"),
        ("もう1回送ってもらえますか", "affirm", "utter_code_resent"),
        # A new code asked for with flick slips or in kana (read as a value at 0.59).
        ("もういつかいおくってくたさい", "inform", "utter_code_resent"),
        ("さいそうしてくたさい", "inform", "utter_code_resent"),
        ("あたらしいコードください", "nlu_fallback", "utter_code_resent"),
        # The code ran out: a new one is what helps (「10分過ぎちゃった」 got topic buttons).
        ("10分過ぎちゃった", "nlu_fallback", "utter_code_resent"),
        ("期限切れになっちゃいました", "nlu_fallback", "utter_code_resent"),
        ("間に合わなかったです", "deny", "utter_code_resent"),
        ("もう10分経ってる", "nlu_fallback", "utter_code_resent"),  # っ read as つ without slips: still read
        ("入力したら期限切れって出ました", "nlu_fallback", "utter_code_resent"),
        ("10分過ぎちゃったんですけどどうしたらいいですか", "nlu_fallback", "utter_code_resent"),
    ],
)
def test_the_code_step_is_read_while_the_code_is_awaited(
    client: FakeClient, typed: str, intent: str, first: str
) -> None:
    t = tracker(intent, text=typed, slots=WAITING, active_loop="procedure_form")
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages)[0] == first
    elsewhere = asyncio.run(reading_in_context(CollectingDispatcher(), tracker(intent, text=typed)))
    assert elsewhere is None or elsewhere[0] != "code_step"  # no code awaited: no code step


def _bot_turn(*said: str) -> list[dict]:
    """The events of one earlier exchange: the customer's message, then the bot's responses."""
    return [{"event": "user", "text": "…"}, *({"event": "bot", "metadata": {"utter_action": name}} for name in said)]


@pytest.mark.parametrize(
    "typed, intent, closing, expected",
    [
        ("はい", "affirm", "utter_survey_thanks", "utter_glad_it_helped"),
        ("はい、解決しました", "affirm", "utter_survey_thanks", "utter_glad_it_helped"),
        ("了解です", "affirm", "utter_thank", "utter_goodbye"),  # 「お役に立てて何よりです」 was said already
        ("いいえ、大丈夫です", "deny", "utter_survey_thanks", "utter_goodbye"),
        ("いいえ、大丈夫です", "deny", "utter_thank", "utter_goodbye"),
        # 「承知しました。ほかにご質問があれば…」 follows a declined offer: nothing helped to be glad about.
        ("はい", "affirm", "utter_anything_else", "utter_goodbye"),
        ("いいえ、大丈夫です", "deny", "utter_anything_else", "utter_goodbye"),
    ],
)
def test_a_yes_or_no_to_anything_else_ends_the_conversation(
    typed: str, intent: str, closing: str, expected: str
) -> None:
    """After 「ほかにもご質問があれば、お気軽にお尋ねください」 nothing is open: 「はい」 or 「大丈夫です」 says
    there is nothing more, so the bot closes instead of inviting questions a second time; when the customer
    had just found the answer helpful, the close is glad it helped (「お役に立てて何よりです。…」)."""
    events = [*_bot_turn(closing), {"event": "user", "text": typed}]
    t = tracker(intent, text=typed, events=events)
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages) == [expected]


@pytest.mark.parametrize(
    "typed, intent, slots",
    [
        ("いいえ、よくわからなかったので人につないで", "deny", {"pending_question": "survey"}),
        ("不安なので担当の方と直接話せますか", "check_login_history", {}),
        ("オペレーターにつないてください", "nlu_fallback", {"pending_question": "offer_procedure"}),  # flick
        # Staff asked for in a request, with no 「話す」「つなぐ」 (read as a plain no at 0.95).
        ("いいえ。オペレーターさんお願いします", "deny", {"pending_question": "survey"}),
        ("いいえ、窓口の人に聞きたいです", "deny", {"pending_question": "survey"}),
        ("いや、ちゃんとした人に対応してほしい", "deny", {"pending_question": "survey"}),
        ("係の人を呼んでください", "nlu_fallback", {}),
        # demanded, or asked after (read as "are you a bot?" at 0.47)
        ("お前ボットだろ、人間出せ", "nlu_fallback", {}),
        ("もういいから誰か人出して", "nlu_fallback", {}),
        ("担当者はいませんか", "bot_challenge", {}),
        ("むり？😭 人間で", "bot_challenge", {"pending_question": "survey"}),  # how it should be handled
        ("English の staff いますか?", "nlu_fallback", {}),  # a person asked after
        ("解決してねーよ やっぱ人に聞く", "deny", {"pending_question": "survey"}),
    ],
)
def test_a_person_asked_for_in_words_goes_to_a_person(typed: str, intent: str, slots: dict) -> None:
    action = (
        ActionAnswerPendingQuestion()
        if intent == "deny"
        else ActionClarify()
        if intent == "nlu_fallback"
        else ActionAnswer()
    )
    messages, events = run(action, tracker(intent, text=typed, slots=slots))
    assert [e["name"] for e in events if e["event"] == "followup"] == ["action_handoff"]
    assert "utter_goodbye" not in responses(messages)


@pytest.mark.parametrize(
    "typed, intent, slots",
    [
        ("人間と話してる？", "bot_challenge", {}),  # are you a bot?
        ("お客さま番号を出してください", "nlu_fallback", {}),  # a number shown, not a person
        ("本人に代わります", "nlu_fallback", {}),  # the account holder takes over the phone
        ("わかりました、家の人に聞く", "nlu_fallback", {}),  # someone of the customer's own
        (
            "主人と相談してから決めます",
            "deny",
            {"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"},
        ),
        ("はい、人に相談して解決しました", "affirm", {"pending_question": "survey"}),
        ("人につながなくていいです", "deny", {}),
        ("前回オペレーターさんに対応していただき助かりました", "thank", {}),  # thanks for a past call
        ("電話でオペレーターさんにお願いしたら、チャットでできると言われました", "nlu_fallback", {}),
        ("いいえ、スタッフに相談したいわけではないです", "deny", {"pending_question": "survey"}),
        ("会社の担当者に聞いてみます", "nlu_fallback", {}),  # the customer's own plan
        ("私は機械に弱い人間で、よくわかりません", "nlu_fallback", {}),  # said of oneself (review)
        ("会社にネットの担当者はいます", "nlu_fallback", {}),
        ("家の人に相談したいです", "nlu_fallback", {}),
        ("I don't want to talk to a human", "deny", {}),
        # someone else said to be absent, or a person in another sentence (the review's cases)
        ("会社の担当者はいないので私が代わりに問い合わせています。OCN IDを確認したいです", "check_ocn_id", {}),
        ("前の担当者はいないので、パスワードがわかりません", "nlu_fallback", {}),
        ("オペレーターいないみたいなので、チャットで再設定お願いします", "nlu_fallback", {}),
        ("パソコン担当の人出してくれた書類がない", "nlu_fallback", {}),
    ],
)
def test_what_is_no_request_for_a_person_goes_to_no_person(typed: str, intent: str, slots: dict) -> None:
    action = ActionAnswerPendingQuestion() if intent in ("affirm", "deny") else ActionAnswer()
    _, events = run(action, tracker(intent, text=typed, slots=slots))
    assert not [e for e in events if e["event"] == "followup" and e["name"] == "action_handoff"]


def test_no_and_a_person_at_the_survey_records_it_unresolved() -> None:
    t = tracker("deny", text="いいえ、よくわからなかったので人につないで", slots={"pending_question": "survey"})
    _, events = run(ActionAnswerPendingQuestion(), t)
    assert slot_events(events)["survey_answer"] == "unresolved"


def test_stopping_a_procedure_in_other_words_cancels_it() -> None:
    typed = "番号の書いた紙が見当たらないので、今日はやめておきます。また改めます"
    slots = {"procedure": "send_customer_number", "requested_slot": "account_ref"}
    _, events = run(ActionClarify(), tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form"))
    assert [e["name"] for e in events if e["event"] == "followup"] == ["action_cancel_procedure"]
    for asked in ("キャンセルしたらどうなりますか", "キャンセルできる？", "途中でやめても大丈夫？", "キャンセルはしません",
                  "やめたくないです", "SMSの受信拒否を止めてみます", "SMSはやめて郵送でお願いします"):  # fmt: skip
        t = tracker("nlu_fallback", text=asked, slots=slots, active_loop="procedure_form")
        _, events = run(ActionClarify(), t)
        assert not [e for e in events if e.get("name") == "action_cancel_procedure"], asked
    typed = "メールアドレスが分からないので今日はやめます"  # 「どれ」 inside アドレス is no question
    _, events = run(ActionClarify(), tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form"))
    assert [e["name"] for e in events if e["event"] == "followup"] == ["action_cancel_procedure"]


@pytest.mark.parametrize(
    "question, typed, reading",
    [
        ("offer_resend", "また送ってください", None),  # not put off: a request (the go-ahead reader takes it)
        ("offer_procedure", "明日使うのでお願いします", None),
        ("offer_procedure", "また後でやります", "no"),
        ("offer_procedure", "後でじゃなくて今やりたい", None),
        ("offer_procedure", "自分でやってみます", "no"),
    ],
)
def test_only_putting_the_offer_off_is_a_no(question: str, typed: str, reading: str | None) -> None:
    assert read_yes_no(question, typed) == reading


@pytest.mark.parametrize(
    "typed", ["ちなみにその番号って自分で好きなのに変えたりできますか？", "この番号はあとでかえられますか"]
)
def test_a_question_with_later_or_myself_in_it_is_still_a_question(typed: str) -> None:
    """Asked while the offer is open, it is a question about the answer, not the offer put off."""
    slots = {
        "pending_question": "offer_procedure",
        "offered_procedure": "send_customer_number",
        "topic": "check_customer_number",
    }
    messages, _ = run(ActionAnswer(), tracker("change_customer_number", text=typed, slots=slots))
    assert "utter_answer_change_customer_number" in responses(messages)


def test_a_late_answer_to_which_password_is_still_read() -> None:
    """「どちらのパスワードでしょうか？」, then a question about the IDs, then the answer to the first question."""
    events = [
        *_bot_turn("utter_ask_which_password"),
        *_bot_turn("utter_answer_ask_id_types", "utter_ask_survey"),
        {"event": "user", "text": "あ、さっきのは接続用のほうです"},
    ]
    t = tracker("inform", text="あ、さっきのは接続用のほうです", slots={"pending_question": "survey"}, events=events)
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert responses(messages)[0] == "utter_answer_check_connection_id"
    # Long after the question, the same words are no answer to it.
    old = [*_bot_turn("utter_ask_which_password"), *[e for _ in range(3) for e in _bot_turn("utter_anything_else")]]
    t = tracker("inform", text="あ、さっきのは接続用のほうです", events=[*old, {"event": "user"}])
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert "utter_answer_check_connection_id" not in responses(messages)


def test_putting_the_offer_off_is_no_procedure_now() -> None:
    t = tracker(
        "affirm",
        text="また後でやります、では",
        slots={"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"},
    )
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert "procedure" not in slot_events(events) or slot_events(events)["procedure"] is None
    assert responses(messages) == ["utter_ask_survey"]


def test_doumo_after_an_answer_is_thanks_and_at_the_start_a_hello() -> None:
    after = tracker(
        "greet", text="どうも", events=[*_bot_turn("utter_answer_check_customer_number"), {"event": "user"}]
    )
    messages, _ = run(ActionAnswer(), after)
    assert responses(messages) == ["utter_thank"]
    start = [{"event": "session_started"}, *_bot_turn("utter_greet"), {"event": "user", "text": "どうも"}]
    messages, _ = run(ActionAnswer(), tracker("greet", text="どうも", events=start))
    assert responses(messages) == ["utter_greet"]
    # After an apology nothing helped, and a hello in words is a hello (a customer coming back).
    for before, typed in (("utter_survey_unresolved", "どうも"), ("utter_goodbye", "どうも、こんにちは")):
        events = [*_bot_turn(before), {"event": "user", "text": typed}]
        messages, _ = run(ActionAnswer(), tracker("greet", text=typed, events=events))
        assert responses(messages) == ["utter_greet"], before
    # With the survey open, a greeting that announces a new question records nothing.
    events = [*_bot_turn("utter_answer_check_ocn_id", "utter_ask_survey"), {"event": "user"}]
    t = tracker("greet", text="どうもです、また質問なんですが", slots={"pending_question": "survey"}, events=events)
    messages, out = run(ActionAnswer(), t)
    assert "survey_answer" not in slot_events(out)


def test_a_yes_with_nothing_asked_and_no_close_before_is_acknowledged() -> None:
    events = [*_bot_turn("utter_answer_out_of_scope"), {"event": "user", "text": "はい"}]
    messages, _ = run(ActionAnswerPendingQuestion(), tracker("affirm", text="はい", events=events))
    assert responses(messages) == ["utter_anything_else"]


@pytest.mark.parametrize(
    "shown",
    [
        ["utter_help_section", "utter_help_section_other"],
        ["utter_fact_connection_id_not_mail"],
        ["utter_answer_lost_registration_letter", "utter_note_what_to_check"],
    ],
)
def test_a_yes_to_an_answer_that_asked_nothing_asks_whether_it_helped(shown: list[str]) -> None:
    """A help-page section, a fact or the lost letter's answer asks no question after it: 「はい」 then is the
    customer taking it in, so the bot asks whether it solved the problem (the survey) rather than inviting
    another question."""
    events = [*_bot_turn(*shown), {"event": "user", "text": "はい"}]
    messages, events_out = run(ActionAnswerPendingQuestion(), tracker("affirm", text="はい", events=events))
    assert responses(messages) == ["utter_ask_survey"]
    assert slot_events(events_out)["pending_question"] == "survey"


def test_a_yes_to_a_clarification_gets_its_choices_again() -> None:
    topics = [
        {"title": "OCN IDの確認", "payload": "/check_ocn_id"},
        {"title": "どれでもない", "payload": "/out_of_scope"},
    ]
    events = [
        {"event": "user", "text": "…"},
        {"event": "bot", "metadata": {"utter_action": "utter_clarify"}, "data": {"buttons": topics}},
        {"event": "user", "text": "はい"},
    ]
    messages, _ = run(ActionAnswerPendingQuestion(), tracker("affirm", text="はい", events=events))
    assert responses(messages) == ["utter_ask_choice_again", "utter_clarify"]
    assert messages[1]["buttons"] == topics
    # 「いいえ、違います」: none of them; asked to say it in other words, with the way to a person, not the same choices.
    events[-1] = {"event": "user", "text": "いいえ、違います"}
    messages, _ = run(ActionAnswerPendingQuestion(), tracker("deny", text="いいえ、違います", events=events))
    assert responses(messages) == ["utter_none_of_the_choices"]
    assert messages[0]["buttons"][0]["payload"].startswith("/request_human")
    # And 「いいえ」 once more: the help page, the contact page and a person, not 「承知しました」.
    again = [*events, {"event": "bot", "metadata": {"utter_action": "utter_none_of_the_choices"}}]
    again.append({"event": "user", "text": "いいえ"})
    messages, _ = run(ActionAnswerPendingQuestion(), tracker("deny", text="いいえ", events=again))
    assert responses(messages) == ["utter_fallback_no_link"]


@pytest.mark.parametrize(
    "text, topic, procedure",
    [
        ("これってチャットでやってもらえますか", "forgot_ocn_id_password", "reset_ocn_password"),
        ("ログイン履歴の確認をここでお願いしたい", None, "login_history"),
        ("手続きをお願いしたいのですが", None, None),
        ("なにか手続きできますか", None, None),
        ("本人確認をお願いします", None, None),
    ],
)
def test_a_request_for_the_chat_procedure_the_classifier_could_not_place_starts_it(
    text: str, topic: str | None, procedure: str | None
) -> None:
    """Unsure of the intent, the bot still sees a request to do it in the chat: the procedure it names or the
    one of the answer just given starts (verification first); with neither, the form asks which one."""
    t = tracker("nlu_fallback", text=text, slots={"topic": topic}, ranking=[("start_procedure", 0.3)])
    messages, events = run(ActionClarify(), t)
    assert "utter_clarify" not in responses(messages)
    assert slot_events(events)["procedure"] == procedure
    assert {"event": "followup", "name": "procedure_form"} in [
        {"event": e.get("event"), "name": e.get("name")} for e in events
    ]


def test_here_in_an_off_topic_question_starts_no_procedure() -> None:
    t = tracker("nlu_fallback", text="こちらでWi-Fiのパスワードも教えてもらえますか", ranking=[("out_of_scope", 0.4)])
    messages, events = run(ActionClarify(), t)
    assert "procedure" not in slot_events(events)


def test_a_new_question_at_the_final_question_is_no_change_of_mind() -> None:
    """「dアカウントの連携を取り消したい」 at 「…よろしいですか？」 asks about another topic: the classifier reads it
    as one, so it is left to be answered (the form asks its question again), never taken as a no."""
    t = tracker(
        "link_d_account", text="dアカウントの連携を取り消したいです", slots={"requested_slot": "procedure_confirmed"}
    )
    assert asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {})) == {}


@pytest.mark.parametrize(
    "typed, intent, expected",
    [
        ("解決しました！", "nlu_fallback", "utter_survey_thanks"),
        ("はい、解決です", "affirm", "utter_survey_thanks"),
        ("まだ解決してないです", "out_of_scope", "utter_survey_unresolved"),
        ("全然わからない", "nlu_fallback", "utter_survey_unresolved"),
        ("使えない", "out_of_scope", "utter_survey_unresolved"),
        ("よくわかりました！", "nlu_fallback", "utter_survey_thanks"),
        ("イマイチです", "out_of_scope", "utter_survey_unresolved"),
        ("いいえ、違います", "deny", "utter_survey_unresolved"),
    ],
)
def test_the_survey_answered_in_words_is_read_whatever_the_classifier_made_of_it(
    typed: str, intent: str, expected: str
) -> None:
    """「疑問・問題は解決しましたか？」 answered 「まだ解決してないです」「使えない」: unresolved (the apology and the way
    to a person), not an off-topic answer or a clarification; 「解決しました」 is resolved."""
    action = {"nlu_fallback": ActionClarify(), "out_of_scope": ActionAnswer()}.get(
        intent, ActionAnswerPendingQuestion()
    )
    messages, events = run(action, tracker(intent, text=typed, slots={"pending_question": "survey"}))
    assert responses(messages) == [expected]
    assert slot_events(events)["survey_answer"] == ("resolved" if expected == "utter_survey_thanks" else "unresolved")


def test_a_no_to_an_answer_that_asked_nothing_gets_the_apology_and_the_way_to_a_person() -> None:
    """「いいえ」 to a help-page section shown unasked: it did not help, so 「お役に立てず申し訳ございません」 with the
    person's button, not 「承知しました」; nothing is recorded as a survey answer (the survey was not asked)."""
    events = [*_bot_turn("utter_help_section", "utter_help_section_other"), {"event": "user", "text": "いいえ"}]
    messages, events_out = run(ActionAnswerPendingQuestion(), tracker("deny", text="いいえ", events=events))
    assert responses(messages) == ["utter_survey_unresolved"]
    assert "survey_answer" not in slot_events(events_out)


@pytest.mark.parametrize(
    "typed, slots, expected",
    [
        ("👍", {"pending_question": "survey"}, ["utter_survey_thanks"]),
        ("👍🏻", {"pending_question": "survey"}, ["utter_survey_thanks"]),
        ("🙅‍♀️", {"pending_question": "survey"}, ["utter_survey_unresolved"]),
        ("〇", {"pending_question": "survey"}, ["utter_survey_thanks"]),
        ("🙏", {"pending_question": "survey"}, ["utter_survey_thanks"]),
        ("×", {"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"}, ["utter_ask_survey"]),
        ("🙏", {}, ["utter_thank"]),
        ("😀🙏", {}, ["utter_unreadable"]),  # a row of pictures, not a reply
        (
            "🙏",
            {"pending_question": "offer_procedure", "offered_procedure": "send_ocn_id"},
            [],
        ),  # お願いします: the form
    ],
)
def test_an_emoji_or_a_circle_answers_like_the_word(typed: str, slots: dict, expected: list[str]) -> None:
    """On LINE 👍, 🙆, ○ or × answer a yes/no question as often as a word, and 🙏 thanks: read as such, not
    as an unreadable message (MessageGuard routes emoji-only messages to the fallback)."""
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", text=typed, slots=slots))
    assert responses(messages) == expected


def test_an_unsure_yes_or_no_to_the_offer_is_asked_back() -> None:
    """「お手続きしますか？」 answered with words the classifier reads as a no at 0.36 (no yes/no word in them):
    the offer is asked again with its buttons rather than dropped; a sure no goes on to the survey."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_customer_number"}
    unsure = tracker("deny", text="そういうことじゃなくて", slots=slots)
    unsure.latest_message["intent"]["confidence"] = 0.36
    messages, events = run(ActionAnswerPendingQuestion(), unsure)
    assert responses(messages) == ["utter_ask_choice_again", "utter_offer_procedure"]
    assert slot_events(events)["pending_question"] == "offer_procedure"
    sure = tracker("deny", text="そういうことじゃなくて", slots=slots)
    sure.latest_message["intent"]["confidence"] = 0.9
    assert responses(run(ActionAnswerPendingQuestion(), sure)[0]) == ["utter_ask_survey"]


@pytest.mark.parametrize(
    "text", ["パスワードは8文字以上ですか", "手続きはいつ終わりますか", "12文字以上ですか？", "お疲れさまです"]
)
def test_a_question_with_a_closing_word_inside_is_not_a_goodbye(text: str) -> None:
    """「以上です」 closes the chat only as a whole reply of courtesy words; inside a question it is the question
    (and 「お疲れさまです」 greets at work)."""
    read = asyncio.run(reading_in_context(CollectingDispatcher(), tracker("greet", text=text)))
    assert read is None or read[0] != "courtesy"


@pytest.mark.parametrize(
    "typed, pending, expected",
    [
        ("わかりました、引き出しの中をもう一度見てみます", None, "utter_ask_survey"),
        ("了解です。あとで自分で確認しておきます", None, "utter_ask_survey"),
        ("なるほど、じゃあマイページで調べてみます", "survey", "utter_survey_thanks"),
    ],
)
def test_an_acknowledgement_with_what_the_customer_will_try(typed: str, pending: str | None, expected: str) -> None:
    """The answer taken in, and the customer's own next step said: the survey asked (or answered yes), not
    the answer given again nor a procedure started by the 「マイページ」 in it."""
    events = [*_bot_turn("utter_answer_lost_registration_letter"), {"event": "user", "text": typed}]
    slots = {"pending_question": pending, "topic": "lost_registration_letter"}
    # 「マイページで」 read as a delivery method by the entity extractor still is no request.
    said = [{"entity": "delivery_method", "value": "mypage"}] if "マイページ" in typed else []
    for intent in ("nlu_fallback", "inform"):
        ranking = [("lost_registration_letter", 0.3)]
        t = tracker(intent, text=typed, events=events, slots=slots, ranking=ranking, entities=said)
        assert responses(run(ActionClarify(), t)[0]) == [expected]
    # A question after the acknowledgement is a question.
    asked = "わかりました、それってどこで見てみればいいですか"
    t = tracker("nlu_fallback", text=asked, events=events, slots=slots, ranking=[("lost_registration_letter", 0.3)])
    assert expected not in responses(run(ActionClarify(), t)[0])


def _clarified_with(*topics: str) -> list[dict]:
    buttons = [{"title": TOPICS[topic].title, "payload": f"/{topic}"} for topic in (*topics, "out_of_scope")]
    bot = {"event": "bot", "metadata": {"utter_action": "utter_clarify"}, "data": {"buttons": buttons}}
    return [{"event": "user", "text": "…"}, bot]


@pytest.mark.parametrize(
    "typed, offered, answered",
    [
        ("確認したいです", ("check_ocn_id", "change_ocn_id", "forgot_ocn_id_password"), "utter_answer_check_ocn_id"),
        ("パスワード忘れちゃって", ("check_ocn_id", "change_ocn_id", "forgot_ocn_id_password"), "utter_answer_forgot_ocn_id_password"),
        ("OCN IDのほう", ("ask_id_types", "check_customer_number", "check_ocn_id", "check_connection_id"), "utter_answer_check_ocn_id"),
        ("変えたいんです", ("check_customer_number", "change_customer_number"), "utter_answer_change_customer_number"),
        ("違い", ("ask_id_types", "check_customer_number", "check_ocn_id"), "utter_answer_ask_id_types"),
        ("2番で", ("forgot_ocn_id_password", "check_login_history"), "utter_answer_check_login_history"),
        ("1", ("ask_id_types", "check_customer_number"), "utter_answer_ask_id_types"),
    ],
)  # fmt: skip
def test_a_topic_chosen_in_words_after_the_topic_buttons(typed: str, offered: tuple[str, ...], answered: str) -> None:
    """The bot asked which topic with buttons; the customer typed a button's number or words, or what they want
    of the ID, instead of pressing one: the one offered topic it fits is answered, not a second
    「近いものをお選びください」 (nor 「違い」 taken for a no)."""
    events = [*_clarified_with(*offered), {"event": "user", "text": typed}]
    t = tracker("nlu_fallback", text=typed, events=events)
    t.latest_message["intent"]["confidence"] = 0.5
    read = asyncio.run(reading_in_context(CollectingDispatcher(), t))
    assert read is not None and read[0] == "topic_chosen"
    assert answered in responses(run(ActionClarify(), t)[0])


def test_words_that_fit_no_offered_topic_are_not_a_choice() -> None:
    offered = ("forgot_ocn_id_password", "check_connection_id")
    for typed in ("ログイン履歴を見たい", "お客さま番号を確認したい"):
        events = [*_clarified_with(*offered), {"event": "user", "text": typed}]
        read = asyncio.run(
            reading_in_context(CollectingDispatcher(), tracker("nlu_fallback", text=typed, events=events))
        )
        assert read is None or read[0] != "topic_chosen"


@pytest.mark.parametrize(
    "typed, offered, asked, buttons_offered",
    [
        ("確認したいです", ("ask_id_types", "check_customer_number", "check_ocn_id", "check_connection_id"),
         "utter_which_id_is_it", ["/check_customer_number", "/check_ocn_id", "/check_connection_id"]),
        ("変えたいです", ("change_customer_number", "change_ocn_id", "check_ocn_id"),
         "utter_which_id_is_it", ["/change_customer_number", "/change_ocn_id"]),
        ("パスワード忘れました", ("forgot_ocn_id_password", "check_connection_id"),
         "utter_ask_which_password", ["/forgot_ocn_id_password", "/check_connection_id", '/inform{"id_type": "unknown"}']),
    ],
)  # fmt: skip
def test_words_that_fit_several_offered_topics_ask_which_id(
    typed: str, offered: tuple[str, ...], asked: str, buttons_offered: list[str]
) -> None:
    """「確認したいです」 to the three IDs' look-ups fits three buttons: the bot asks which ID in its own words
    with those topics (not a second 「近いものをお選びください」); a forgotten password gets its own question."""
    events = [*_clarified_with(*offered), {"event": "user", "text": typed}]
    t = tracker("nlu_fallback", text=typed, events=events)
    t.latest_message["intent"]["confidence"] = 0.5
    dispatcher = CollectingDispatcher()
    read = asyncio.run(reading_in_context(dispatcher, t))
    assert read is not None and read[0] == "topic_chosen"
    assert [m["response"] for m in dispatcher.messages] == [asked]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert [p for p in payloads if p != "/out_of_scope"] == buttons_offered


def test_the_same_operation_again_after_which_id_is_not_asked_a_third_time() -> None:
    """「確認したいです」 again after 「どのIDについてでしょうか？」 narrows nothing: not the same question again."""
    events = [
        *_clarified_with("check_customer_number", "check_ocn_id", "check_connection_id"),
        {"event": "user", "text": "確認したいです"},
    ]
    events[-2]["metadata"] = {"utter_action": "utter_which_id_is_it"}
    t = tracker("nlu_fallback", text="確認したいです", events=events)
    t.latest_message["intent"]["confidence"] = 0.5
    said = responses(run(ActionClarify(), t)[0])
    assert said and "utter_which_id_is_it" not in said


def test_a_typed_answer_to_which_id_is_read_like_its_button() -> None:
    """After 「どのIDについてでしょうか？」 with the look-ups as buttons, 「OCN IDのほう」 answers the OCN ID's look-up."""
    events = [
        *_clarified_with("check_customer_number", "check_ocn_id", "check_connection_id"),
        {"event": "user", "text": "OCN IDのほう"},
    ]
    events[-2]["metadata"] = {"utter_action": "utter_which_id_is_it"}
    t = tracker("inform", text="OCN IDのほう", events=events)
    t.latest_message["intent"]["confidence"] = 0.7
    assert "utter_answer_check_ocn_id" in responses(run(ActionClarify(), t)[0])


@pytest.mark.parametrize("confidence, acknowledged", [(0.62, True), (0.9, False)])
def test_an_acknowledgement_read_unsurely_as_a_topic_is_still_the_customers_next_step(
    confidence: float, acknowledged: bool
) -> None:
    """「マイページで自分で確認してみます」 after the off-topic answer was read as the OCN ID's look-up (its
    「マイページ」「確認」): unless the classifier is sure of the topic, it is the customer's own plan, not a
    question to answer with the OCN ID's page."""
    typed = "わかりました、マイページで自分で確認してみます"
    events = [*_bot_turn("utter_answer_out_of_scope_no_link"), {"event": "user", "text": typed}]
    t = tracker("check_ocn_id", text=typed, events=events, ranking=[("check_ocn_id", confidence)])
    t.latest_message["intent"]["confidence"] = confidence
    said = responses(run(ActionAnswer(), t)[0])
    assert (said == ["utter_ask_survey"]) is acknowledged
    assert ("utter_answer_check_ocn_id" in said) is not acknowledged


@pytest.mark.parametrize(
    "typed, answered",
    [
        (
            "すみません、どれのことかよく存じませんが、メールを読むときに打ち込むものだと思います",
            "utter_answer_forgot_ocn_id_password",
        ),
        ("たぶんですけど、ルーターの接続の設定で使ったものです", "utter_answer_check_connection_id"),
    ],
)
def test_which_password_answered_in_a_long_reply_that_names_one_id(typed: str, answered: str) -> None:
    slots = {"pending_question": "which_password"}
    messages, _ = run(ActionAnswer(), tracker("ask_id_types", text=typed, slots=slots))
    assert responses(messages)[0] == answered


def test_another_services_password_is_not_one_of_ocns() -> None:
    for intent in ("forgot_password", "forgot_ocn_id_password"):
        messages, _ = run(ActionAnswer(), tracker(intent, text="ソフトハンクのメールのはすわーどを忘れました"))
        assert responses(messages)[0].startswith("utter_answer_out_of_scope")


@pytest.mark.parametrize(
    "typed",
    [
        "わかりました、お客さま番号を入れるのでお願いします",
        "わかりましたが、まだうまくいかないので、もう一度やってみます",
        "了解しました、チャットで手続きします",
    ],
)
def test_an_acknowledgement_that_asks_or_is_still_stuck_is_not_taken_as_done(typed: str) -> None:
    events = [*_bot_turn("utter_answer_lost_registration_letter"), {"event": "user", "text": typed}]
    slots = {"pending_question": "survey", "topic": "lost_registration_letter"}
    t = tracker("nlu_fallback", text=typed, events=events, slots=slots, ranking=[("lost_registration_letter", 0.3)])
    _, out = run(ActionClarify(), t)
    assert "survey_answer" not in slot_events(out)


def test_ocn_password_said_in_reply_to_which_password_answers_it() -> None:
    """「OCNのパスワードです」 to 「どちらのパスワードでしょうか？」: the OCN ID's, not the question again."""
    t = tracker("forgot_ocn_id_password", text="OCNのパスワードです", slots={"pending_question": "which_password"})
    assert responses(run(ActionAnswer(), t)[0])[0] == "utter_answer_forgot_ocn_id_password"


@pytest.mark.parametrize("typed", ["確認コードがぜんぜん来ないんですが", "コードをもう一回ください"])
def test_an_unsure_code_reading_in_words_of_a_code_is_still_about_the_code(typed: str) -> None:
    t = tracker("code_not_received", text=typed)
    t.latest_message["intent"]["confidence"] = 0.45
    assert responses(run(ActionCodeNotReceived(), t)[0]) == ["utter_no_code_pending"]


def _after_a_section(topic_set_in_that_turn: bool) -> list[dict]:
    topic = {"event": "slot", "name": "topic", "value": "change_connection_id"}
    section = {"event": "bot", "metadata": {"utter_action": "utter_help_section"}}
    earlier = [{"event": "user", "text": "…"}, topic, {"event": "bot", "metadata": {"utter_action": "utter_x"}}]
    if topic_set_in_that_turn:
        return [{"event": "user", "text": "接続用IDを短くできませんか"}, topic, section]
    return [*earlier, {"event": "user", "text": "…"}, section]


@pytest.mark.parametrize("topic_set_in_that_turn", [True, False])
def test_a_help_page_section_shown_is_the_topic_a_follow_up_asks_about(topic_set_in_that_turn: bool) -> None:
    """「それではせめてパスワードのほうを変えたいのですが」 after the section 「接続用IDは変更できません」 (shown for an
    unsure message) asks about the connection ID's password, as after the topic's own answer; a topic left from
    an earlier turn is not what the section was about."""
    typed = "それではせめてパスワードのほうを変えたいのですが。今のパスワードはわかっております。"
    events = [*_after_a_section(topic_set_in_that_turn), {"event": "user", "text": typed}]
    t = tracker("nlu_fallback", text=typed, events=events, slots={"topic": "change_connection_id"})
    t.latest_message["intent"]["confidence"] = 0.5
    said = responses(run(ActionClarify(), t)[0])
    assert ("utter_answer_change_connection_id_password" in said) is topic_set_in_that_turn


@pytest.mark.parametrize(
    "topic, typed, answered",
    [
        ("change_connection_id_password", "IDは？", "utter_answer_change_connection_id"),
        ("change_connection_id_password", "ID は？", "utter_answer_change_connection_id"),
        ("forgot_ocn_id_password", "IDのほうは？", "utter_answer_check_ocn_id"),
    ],
)
def test_a_bare_question_of_the_id_after_its_passwords_answer_asks_the_same_of_the_id(
    topic: str, typed: str, answered: str
) -> None:
    """「IDは？」 right after the connection ID's password change: whether the ID itself can be changed, not the
    three IDs' overview the classifier reads (ask_id_types)."""
    events = [
        {"event": "user", "text": "…"},
        {"event": "slot", "name": "topic", "value": topic},
        {"event": "bot", "metadata": {"utter_action": f"utter_answer_{topic}"}},
        {"event": "user", "text": typed},
    ]
    t = tracker("ask_id_types", text=typed, events=events, slots={"topic": topic})
    t.latest_message["intent"]["confidence"] = 0.66
    assert answered in responses(run(ActionAnswer(), t)[0])


@pytest.mark.parametrize("typed, asks_survey", [("わかりましたー", True), ("わかりました", True), ("なるほど😊", True), ("了解しました！", False),
                                                ("なるほど", True), ("はい", False), ("お願いします", False),
                                                ("あ、見つかりました", True), ("思い出しました！", True),
                                                ("はい、見てみます", True), ("調べてみます", True),
                                                ("見てもらえますか", False), ("はい、わかりました", True),
                                                ("はい、よくわかりました", True), ("なるほど、わかりました", True),
                                                ("はい、理解しました", True), ("はい、マイページで見ます", True),
                                                ("自分で登録証から探します", True), ("はい、チャットで確認します", False)])  # fmt: skip
def test_an_acknowledgement_to_the_offer_of_a_procedure_takes_the_answer_not_the_procedure(
    typed: str, asks_survey: bool
) -> None:
    """「わかりました」 after an answer that offered its procedure (「チャットでのお手続きをご希望ですか？」) takes the
    answer, and 「あ、見つかりました」 needs the procedure no more: the bot asks whether it helped instead of starting
    it; 「はい」「了解しました」 (consent) still start it. 「はい、わかりました」 says yes to the answer, and 「はい、マイ
    ページで見ます」 will look it up: the survey too."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_customer_number"}
    t = tracker("affirm", text=typed, slots=slots)
    said = responses(run(ActionAnswerPendingQuestion(), t)[0])
    assert (said == ["utter_ask_survey"]) is asks_survey


@pytest.mark.parametrize(
    "typed, intent, starts",
    [
        ("ちやっとておねかいします", "nlu_fallback", True),  # チャットでお願いします, flick-typed
        ("てつつきしたいてす", "out_of_scope", True),  # 手続きしたいです
        ("ここてやってくたさい", "nlu_fallback", True),
        ("てつつきはしないてす", "nlu_fallback", False),  # declined, slips and all
        ("あとてちやっとてやります", "nlu_fallback", False),  # later
        ("それと、ひっこしの手続きもここてきますか？", "nlu_fallback", False),  # a question of another matter
    ],
)
def test_a_flick_typed_request_for_the_offered_procedure_starts_it(typed: str, intent: str, starts: bool) -> None:
    """「チャットでのお手続きをご希望ですか？」 answered with flick slips the classifier cannot place (it read
    「てつつきしたいてす」 as out of scope): the request is read despite the slips and the form starts."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_customer_number"}
    t = tracker(intent, text=typed, slots=slots)
    t.latest_message["intent"]["confidence"] = 0.5
    _, events = run(ActionClarify(), t)
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events) is starts


@pytest.mark.parametrize(
    "typed, starts",
    [
        ("はいどうも", False),
        ("うん、ありがと", False),
        ("はい、お願いします、どうも", True),
        ("はい、助かります", True),
        ("ぜひ！ありがとう", True),
        ("はい、感謝です", False),
        ("はい、恐れ入ります", False),
        ("はい、お手数おかけしました", False),
        ("はい thank u", False),
    ],  # that would help, gladly: yeses
)
def test_a_bare_yes_with_thanks_to_the_offer_closes_the_answer(typed: str, starts: bool) -> None:
    """「はいどうも」 (read as a hello) to 「チャットでのお手続きをご希望ですか？」 thanks for the answer, as the
    classifier reads 「はい、ありがとう」; it once started the procedure. A yes that asks (「お願いします」) still does."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_customer_number"}
    answered = [
        *_bot_turn("utter_answer_check_customer_number", "utter_offer_procedure"),
        {"event": "user", "text": typed},
    ]
    messages, events = run(ActionAnswer(), tracker("greet", text=typed, slots=slots, events=answered))
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events) is starts
    assert (responses(messages) == ["utter_thank"]) is not starts


@pytest.mark.parametrize(
    "typed, entity, value, answered",
    [
        ("N123456789 これがお客さま番号ですか？", "customer_number", "N123456789", "check_customer_number"),
        ("taro@ocn.ne.jp これで合ってますか", "ocn_id", "taro@ocn.ne.jp", "check_ocn_id"),
        ("N123456789で確認できますか？", "customer_number", "N123456789", None),  # a request: the procedure starts
        ("N123456789", "customer_number", "N123456789", None),
        # The question mark goes with folding: it is looked for in the text (the second review).
        ("N123456789 これってお客さま番号？", "customer_number", "N123456789", "check_customer_number"),
        ("N123456789 正しい番号です", "customer_number", "N123456789", None),  # said, not asked
        ("合ってるはずなのでN123456789で確認お願いします", "customer_number", "N123456789", None),
    ],
)
@pytest.mark.parametrize("intent", ["inform", "affirm"])  # an ID with 「？」 may be read as a yes
def test_a_question_about_an_id_typed_is_answered_not_verified(
    client: FakeClient, typed: str, entity: str, value: str, answered: str | None, intent: str
) -> None:
    """「N123456789 これがお客さま番号ですか？」 to the offer of a procedure asks what the number is: the ID's look-up
    is answered, and no procedure starts (it once sent a code unasked); an ID given plainly starts it."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_customer_number"}
    found = [{"entity": entity, "value": value}]
    t = tracker(intent, text=typed, slots=slots, entities=found)
    t.latest_message["intent"]["confidence"] = 0.6
    messages, events = run(ActionAnswerPendingQuestion(), t)
    started = any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events)
    assert started is (answered is None)
    if answered:
        assert responses(messages)[0] == f"utter_answer_{answered}"


@pytest.mark.parametrize("typed", ["IDってなに", "IDはわかる", "IDはいらない", "IDは何文字？"])
def test_more_than_a_bare_question_of_the_id_is_not_read_as_the_same_of_the_id(typed: str) -> None:
    events = [
        {"event": "user", "text": "…"},
        {"event": "bot", "metadata": {"utter_action": "utter_answer_change_connection_id_password"}},
        {"event": "user", "text": typed},
    ]
    t = tracker("ask_id_types", text=typed, events=events, slots={"topic": "change_connection_id_password"})
    t.latest_message["intent"]["confidence"] = 0.66
    assert "utter_answer_change_connection_id" not in responses(run(ActionAnswer(), t)[0])


@pytest.mark.parametrize(
    "result, answered",
    [
        ("utter_login_history", "utter_answer_change_ocn_id_password"),  # the login history is the OCN ID's
        ("utter_done_password_reset", "utter_answer_change_ocn_id_password"),
        ("utter_done_customer_number", None),  # the customer number has no password: which one is asked
    ],
)
def test_a_password_question_after_a_procedure_is_read_against_its_id(result: str, answered: str | None) -> None:
    """「パスワードも変えたほうがいいですか」 right after the login history shown: the OCN ID's password, as after
    the login history's answer, not 「どちらのパスワードでしょうか？」."""
    typed = "パスワードも変えたほうがいいですか"
    events = [*_bot_turn(result, "utter_ask_survey"), {"event": "user", "text": typed}]
    t = tracker("forgot_password", text=typed, events=events, slots={"pending_question": "survey"})
    t.latest_message["intent"]["confidence"] = 0.79
    said = responses(run(ActionAnswer(), t)[0])
    assert (answered in said) if answered else ("utter_answer_change_ocn_id_password" not in said)


@pytest.mark.parametrize(
    "typed, intent, takes_it",
    [
        ("なるほど、できないんですね。わかりました", "nlu_fallback", True),
        ("左様でございますか。仕方ありませんね", "nlu_fallback", True),
        ("そうですか、変えられないのですね。承知いたしました", "affirm", True),
        ("わかりましたけど、まだログインできないんです", "nlu_fallback", False),  # still stuck
        ("なるほど、できないんですね。じゃあどうすればいいですか", "nlu_fallback", False),  # a question
        (
            "なるほど変えられないんですねそれなら番号の確認方法を",
            "check_customer_number",
            False,
        ),  # a topic read: asks on
    ],
)
def test_an_answer_said_back_and_taken_in_answers_the_survey(typed: str, intent: str, takes_it: bool) -> None:
    """「お客さま番号は変更できません…解決しましたか？」 answered 「なるほど、できないんですね。わかりました」: the bad
    news taken in, a yes to the survey; it had been asked to choose a topic (「ご質問の内容を確認させてください」)."""
    events = [*_bot_turn("utter_answer_change_customer_number", "utter_ask_survey"), {"event": "user", "text": typed}]
    slots = {"pending_question": "survey", "topic": "change_customer_number"}
    t = tracker(intent, text=typed, events=events, slots=slots, ranking=[("change_customer_number", 0.3)])
    t.latest_message["intent"]["confidence"] = 0.5 if intent != "check_customer_number" else 0.7
    action = ActionClarify() if intent == "nlu_fallback" else ActionAnswerPendingQuestion()
    said = responses(run(action, t)[0])
    assert (said == ["utter_survey_thanks"]) is takes_it


@pytest.mark.parametrize(
    "typed, intent",
    [
        ("あたらしいのが届いたので入れます", "inform"),  # the new one came: no other is sent
        ("新しいの送らないでください", "nlu_fallback"),
        ("さいそうしないでください", "nlu_fallback"),
        ("もっかい見てみます", "nlu_fallback"),
        ("もっかい説明して", "nlu_fallback"),
    ],
)
def test_words_near_a_resend_request_send_no_new_code(client: FakeClient, typed: str, intent: str) -> None:
    """A new code makes the one just sent useless and counts against the limit: only a request sends one."""
    t = tracker(intent, text=typed, slots=WAITING, active_loop="procedure_form")
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert "utter_code_resent" not in responses(messages) and not client.calls


@pytest.mark.parametrize("typed", ["もっかい", "もっかいお願い"])
def test_once_more_alone_while_the_code_is_awaited_sends_a_new_one(client: FakeClient, typed: str) -> None:
    """「もっかい」 after 「届かない」: a new code (read as nothing at all)."""
    t = tracker("nlu_fallback", text=typed, slots=WAITING, active_loop="procedure_form")
    assert responses(run(ActionAnswerPendingQuestion(), t)[0])[0] == "utter_code_resent"


@pytest.mark.parametrize("typed", ["もういいから再送して", "待つのはもういいので新しいコード送って"])
def test_enough_said_on_the_way_to_a_request_does_not_cancel(client: FakeClient, typed: str) -> None:
    """「もういい」 stops a procedure only alone (「いや、もういいです」); 「もういいから再送して」 pushes it on."""
    t = tracker("nlu_fallback", text=typed, slots=WAITING, active_loop="procedure_form")
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert "action_cancel_procedure" not in [e.get("name") for e in events]
    assert responses(messages)[0] == "utter_code_resent"


@pytest.mark.parametrize(
    "typed, intent, confidence",
    [
        ("パスワード再設定の手続きをしたい", "forgot_ocn_id_password", 0.9),  # another procedure than the offered
        ("解約の手続きをしたい", "out_of_scope", 0.95),  # another matter
        ("引っ越しの手続きをしたいです", "out_of_scope", 0.6),
    ],
)
def test_a_request_of_another_procedure_or_matter_is_not_the_offers_yes(
    typed: str, intent: str, confidence: float
) -> None:
    """The flick-slip reading of a request at the offer applies only to the offered procedure, unsure readings
    and nothing else asked (the second review: 「解約の手続きをしたい」 started the customer number's look-up)."""
    slots = {"pending_question": "offer_procedure", "offered_procedure": "send_customer_number"}
    t = tracker(intent, text=typed, slots=slots)
    t.latest_message["intent"]["confidence"] = confidence
    _, events = run(ActionAnswer(), t)
    started = [e for e in events if e["event"] == "slot" and e["name"] == "procedure"]
    assert not any(e["value"] == "send_customer_number" for e in started)


@pytest.mark.parametrize(
    "slots, typed, intent",
    [
        ({"pending_question": "survey"}, "もういいです", "deny"),  # a no to the survey, recorded as such
        ({"requested_slot": "procedure_confirmed", "procedure": "login_history"}, "はい、それでは", "affirm"),
    ],
)
def test_a_closing_at_the_end_is_no_goodbye_while_a_question_is_open(slots: dict, typed: str, intent: str) -> None:
    loop = "procedure_form" if "requested_slot" in slots else None
    messages, _ = run(ActionAnswerPendingQuestion(), tracker(intent, text=typed, slots=slots, active_loop=loop))
    assert "utter_goodbye" not in responses(messages)


@pytest.mark.parametrize(
    "pending, typed, intent, not_expected",
    [
        ("offer_procedure", "知らないログインがありました", "check_login_history", "utter_ask_survey"),  # a report
        ("offer_procedure", "じゃあチャットで確認してみます", "affirm", "utter_ask_survey"),  # takes the offer
    ],
)
def test_reports_and_chat_requests_at_the_offer_do_not_decline_it(
    pending: str, typed: str, intent: str, not_expected: str
) -> None:
    slots = {"pending_question": pending, "offered_procedure": "login_history"}
    t = tracker(intent, text=typed, slots=slots)
    t.latest_message["intent"]["confidence"] = 0.6
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert not_expected not in responses(messages)


@pytest.mark.parametrize(
    "typed, intent, expected",
    [
        ("パスワードは思い出しましたが、念のため再設定したい", "forgot_ocn_id_password", None),  # not a no
        ("いや、再設定はしなくていい", "deny", False),  # a clear no, not asked again
    ],
)
def test_the_final_confirmation_reads_qualified_news_and_clear_noes(
    typed: str, intent: str, expected: bool | None
) -> None:
    slots = {"requested_slot": "procedure_confirmed", "procedure": "reset_ocn_password"}
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert result.get("procedure_confirmed") is expected


def test_the_password_right_after_the_reset_link_is_answered_without_offering_it_again() -> None:
    typed = "パスワードは？"
    events = [*_bot_turn("utter_done_password_reset", "utter_ask_survey"), {"event": "user", "text": typed}]
    t = tracker("forgot_password", text=typed, events=events, slots={"pending_question": "survey"})
    t.latest_message["intent"]["confidence"] = 0.7
    said = responses(run(ActionAnswer(), t)[0])
    assert "utter_answer_forgot_ocn_id_password" in said and "utter_offer_procedure" not in said


@pytest.mark.parametrize(
    "procedure, typed, answered",
    [
        ("send_ocn_id", "パスワードも変えたいんですけど", "utter_answer_change_ocn_id_password"),
        ("reset_ocn_password", "パスワードを忘れたときはどうするの", "utter_answer_forgot_ocn_id_password"),
        ("send_connection_id", "パスワードを変えるには", "utter_answer_change_connection_id_password"),
        ("send_customer_number", "パスワードも忘れました", "utter_password_difference"),  # no password of its own
    ],
)
def test_a_password_question_in_a_procedure_is_of_the_procedures_id(procedure: str, typed: str, answered: str) -> None:
    """During the OCN ID's look-up, 「パスワードも変えたいんですけど」 (read as a forgotten password) is that ID's
    password: its answer, then the form's question again; it had the two passwords told apart."""
    slots = {"procedure": procedure, "requested_slot": "procedure_confirmed"}
    t = tracker("forgot_password", text=typed, slots=slots, active_loop="procedure_form")
    said = responses(run(ActionAnswer(), t)[0])
    assert said[0] == answered and said[-1] == "utter_back_to_procedure"


@pytest.mark.parametrize(
    "typed, intent, starts",
    [
        ("お客さま番号を調べてください", "check_customer_number", True),
        ("ログイン履歴みせて", "check_login_history", True),
        ("OCN IDを確認してほしい", "check_ocn_id", True),
        ("私のお客さま番号を教えて", "check_customer_number", False),  # 「教えて」 asks as much for the way
        ("お客さま番号はどこで確認してもらえますか", "check_customer_number", False),  # where: a question
        ("パスワードを調べてください", "forgot_ocn_id_password", False),  # a password is never looked up
        # Asked in question form or to be sent: the answer, which names the ways and offers the chat.
        ("お客さま番号を調べてもらえますか", "check_customer_number", False),
        ("接続用IDを郵送で送ってください", "check_connection_id", False),
    ],
)
def test_a_look_up_asked_of_the_bot_starts_its_procedure(typed: str, intent: str, starts: bool) -> None:
    """「お客さま番号を調べてください」 asks the bot to look it up: the look-up procedure starts (its first question
    names it), instead of the answer where to find it and the offer."""
    _, events = run(ActionAnswer(), tracker(intent, text=typed))
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events) is starts


@pytest.mark.parametrize(
    "typed, method",
    [("接続用IDを郵送で受け取りたい、チャットで", "post"), ("チャットで接続用IDをSMSで送ってほしい", "sms")],
)
def test_the_way_named_with_the_request_for_the_connection_ids_procedure_is_kept(typed: str, method: str) -> None:
    """「チャットで接続用IDをSMSで送ってほしい」: the procedure starts with the way it names, not asked again."""
    _, events = run(ActionAnswer(), tracker("check_connection_id", text=typed))
    assert slot_events(events)["delivery_method"] == method


@pytest.mark.parametrize(
    "typed, intent, answered",
    [
        ("お客さま番号をSMSで送ってほしい", "change_customer_number", "check_customer_number"),  # misread as its change
        ("OCN IDのパスワードの再設定リンクを送ってください", "forgot_ocn_id_password", "forgot_ocn_id_password"),
        ("お客さま番号って送ってもらえないんですか", "change_customer_number", "change_customer_number"),
        # Something else to be sent: the way to change it, a form, the history.
        ("OCN IDの変更方法をメールで送ってほしい", "change_ocn_id", "change_ocn_id"),
        ("接続用IDの変更申込書を郵送で送ってください", "change_connection_id", "change_connection_id"),
        ("ログイン履歴をメールで送ってほしい、OCN ID宛てに", "check_login_history", "check_login_history"),
    ],
)
def test_an_id_asked_to_be_sent_is_its_look_up(typed: str, intent: str, answered: str) -> None:
    said = responses(run(ActionAnswer(), tracker(intent, text=typed))[0])
    assert said[0] == f"utter_answer_{answered}"


def _asked_which_password(times: int) -> list[dict]:
    """The events of `times` exchanges in a row that each ended with 「どちらのパスワードでしょうか？」, then the
    customer's latest message."""
    asked = [e for _ in range(times) for e in _bot_turn("utter_password_difference", "utter_ask_which_password")]
    return [*asked, {"event": "user", "text": "…"}]


@pytest.mark.parametrize(
    "action, intent, typed",
    [
        (ActionAnswerPendingQuestion(), "inform", "N123456789"),  # an ID: the customer wants it done
        (ActionAnswerPendingQuestion(), "inform", "わからない"),
        (ActionClarify(), "nlu_fallback", "どっち？"),
        (ActionAnswerPendingQuestion(), "affirm", "はい"),  # a plain yes, a third time
    ],
)
def test_which_password_is_not_asked_a_third_time_running_both_answers_are_given(
    action: Any, intent: str, typed: str
) -> None:
    """A customer who could not say which password after two asks is helped by both answers, not a third ask."""
    slots = {"pending_question": "which_password"}
    t = tracker(intent, text=typed, slots=slots, events=_asked_which_password(2))
    messages, events = run(action, t)
    said = responses(messages)
    assert said[0] == "utter_both_passwords" and said[-1] == "utter_ask_survey"
    assert {"utter_answer_forgot_ocn_id_password", "utter_answer_check_connection_id"} <= set(said)
    assert "utter_ask_which_password" not in said
    assert slot_events(events)["pending_question"] == "survey"
    # Asked once so far: asked again, as before.
    t = tracker(intent, text=typed, slots=slots, events=_asked_which_password(1))
    assert responses(run(action, t)[0])[-1] == "utter_ask_which_password"


@pytest.mark.parametrize(
    "topic, typed, intent",
    [
        ("check_customer_number", "マイページ以外で調べる方法ってないですか", "register_mypage"),
        ("check_ocn_id", "ほかの方法はありますか", "nlu_fallback"),
        ("check_ocn_id", "ネット以外で調べる方法は？", "nlu_fallback"),  # katakana, folded to hiragana
        ("check_connection_id", "マイページを使わずに確認する方法は？", "check_connection_id"),
    ],
)
def test_another_way_right_after_an_answer_gets_that_answer_again(topic: str, typed: str, intent: str) -> None:
    """「マイページ以外で調べる方法ってないですか」 after the customer number's answer: that answer again (the letter,
    the chat procedure), not My Page's registration."""
    events = [*_bot_turn(f"utter_answer_{topic}", "utter_offer_procedure"), {"event": "user", "text": typed}]
    slots = {"topic": topic, "pending_question": "offer_procedure", "offered_procedure": TOPICS[topic].procedure}
    t = tracker(intent, text=typed, slots=slots, events=events)
    t.latest_message["intent"]["confidence"] = 0.51
    messages, _ = run(ActionAnswer(), t)
    assert responses(messages)[:2] == ["utter_other_ways", f"utter_answer_{topic}"]


@pytest.mark.parametrize(
    "topic, typed",
    [
        ("change_ocn_id", "ほかの方法はありますか"),  # no other way the page names
        ("check_customer_number", "OCN IDをマイページ以外で調べる方法は？"),  # another ID
        ("check_customer_number", "お客さま番号はどこに書いてありますか"),  # no other way asked
    ],
)
def test_another_way_is_not_read_without_one_or_for_another_id(topic: str, typed: str) -> None:
    events = [*_bot_turn(f"utter_answer_{topic}"), {"event": "user", "text": typed}]
    t = tracker("nlu_fallback", text=typed, slots={"topic": topic}, events=events)
    assert "utter_other_ways" not in responses(run(ActionAnswer(), t)[0])


@pytest.mark.parametrize("typed", ["一応ね", "まあ一応", "いちおう", "もう大丈夫です"])
def test_sort_of_to_did_it_help_is_a_yes(typed: str) -> None:
    t = tracker("goodbye", text=typed, slots={"pending_question": "survey"})
    t.latest_message["intent"]["confidence"] = 0.33
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_survey_thanks"]
    assert slot_events(events)["survey_answer"] == "resolved"


@pytest.mark.parametrize(
    "topic, intent, typed",
    [
        ("check_ocn_id", "check_ocn_id", "OCN IDを確認したいです"),
        ("forgot_ocn_id_password", "forgot_ocn_id_password", "パスワードの再設定お願いします"),
        ("check_customer_number", "check_customer_number", "お客さま番号を調べてもらえますか"),
    ],
)
def test_the_topic_wished_for_again_at_its_offer_takes_the_offer(topic: str, intent: str, typed: str) -> None:
    """Right after the answer and 「チャットでのお手続きをご希望ですか？」, the same thing asked for in wish or request
    form: the customer wants it done here (the procedure starts), not the answer a second time."""
    slots = {"topic": topic, "pending_question": "offer_procedure", "offered_procedure": TOPICS[topic].procedure}
    t = tracker(intent, text=typed, slots=slots, ranking=[(intent, 0.59), ("check_login_history", 0.1)])
    messages, events = run(ActionAnswer(), t)
    assert {"event": "followup", "name": "procedure_form"} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert not [m for m in responses(messages) if m.startswith("utter_answer_")]


@pytest.mark.parametrize(
    "topic, intent, typed",
    [
        ("check_ocn_id", "check_ocn_id", "OCN IDはどこで確認したらいいですか"),  # a question: answered
        ("check_ocn_id", "check_ocn_id", "OCN IDを調べなくていいです"),
        ("check_ocn_id", "forgot_ocn_id_password", "パスワードを再設定したいです"),  # another topic
        # themselves, on My Page, later: a no to the chat, whatever the wish
        ("check_ocn_id", "check_ocn_id", "自分で確認したいです"),
        ("check_ocn_id", "check_ocn_id", "マイページで確認したいです"),
        ("check_ocn_id", "check_ocn_id", "後で確認したい"),
        ("check_ocn_id", "check_ocn_id", "まずはマイページで確認してみたいと思います"),
        ("check_ocn_id", "check_ocn_id", "IDを確認したいのですが、書類を探してからにします"),
    ],
)
def test_a_question_or_another_topic_at_the_offer_does_not_take_it(topic: str, intent: str, typed: str) -> None:
    slots = {"topic": topic, "pending_question": "offer_procedure", "offered_procedure": TOPICS[topic].procedure}
    t = tracker(intent, text=typed, slots=slots, ranking=[(intent, 0.59)])
    _, events = run(ActionAnswer(), t)
    started = [e for e in events if e.get("event") == "slot" and e.get("name") == "procedure"]
    assert not [e for e in started if e.get("value") == TOPICS[topic].procedure]


@pytest.mark.parametrize(
    "intent, typed",
    [("affirm", "せつそくようのIDてなに"), ("deny", "お客さま番号は？"), ("affirm", "それってとこにあるの")],
)
def test_an_unsure_yes_or_no_that_asks_is_not_the_surveys_answer(intent: str, typed: str) -> None:
    """A flick-typed question read as a yes at 0.40 at 「解決しましたか？」: clarified, not recorded."""
    t = tracker(intent, text=typed, slots={"pending_question": "survey", "topic": "ask_id_types"})
    t.latest_message["intent"]["confidence"] = 0.40
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert "survey_answer" not in slot_events(events)
    assert not {"utter_survey_thanks", "utter_survey_unresolved"} & set(responses(messages))


@pytest.mark.parametrize("typed", ["なるほと、わかりました", "わがりました", "おかげさまで解決いたしました"])
def test_an_unsure_yes_that_asks_nothing_is_still_the_surveys_answer(typed: str) -> None:
    t = tracker("affirm", text=typed, slots={"pending_question": "survey", "topic": "ask_id_types"})
    t.latest_message["intent"]["confidence"] = 0.42
    messages, events = run(ActionAnswerPendingQuestion(), t)
    assert slot_events(events)["survey_answer"] == "resolved"


@pytest.mark.parametrize(
    "typed, fact_said",
    [
        ("転送されるのですね。ご丁寧にありがとうございます", False),  # the fact taken in, with thanks
        ("ありがとう。それって転送はいつまでですか", True),  # thanks, and a question on the fact
        ("前のアドレスに来たメールはどうなりますか", True),
    ],
)
def test_thanks_that_say_the_fact_back_are_not_asked_about_it(typed: str, fact_said: bool) -> None:
    events = [*_bot_turn("utter_answer_change_ocn_id", "utter_ask_survey"), {"event": "user", "text": typed}]
    t = tracker(
        "nlu_fallback", text=typed, slots={"topic": "change_ocn_id", "pending_question": "survey"}, events=events
    )
    said = responses(run(ActionAnswer(), t)[0])
    assert ("utter_fact_change_ocn_id_forwarding" in said) is fact_said


@pytest.mark.parametrize(
    "typed, intent, recorded",
    [
        # thanks around 「it did not work」: no yes recorded, the goodbye said
        ("解決しなかったけどありがとう、失礼します", "goodbye", None),
        ("まだできないけど、ありがとう。さようなら", "goodbye", None),
        # plain thanks with 「そうですか」 or 「パスワードの件」 are thanks, not a question
        ("そうですか、ありがとうございます", "nlu_fallback", "resolved"),
        ("パスワードの件ありがとうございました", "nlu_fallback", "resolved"),
    ],
)
def test_thanks_at_the_survey_are_read_with_what_they_say(typed: str, intent: str, recorded: str | None) -> None:
    t = tracker(intent, text=typed, slots={"pending_question": "survey", "topic": "forgot_ocn_id_password"})
    messages, events = run(ActionAnswer(), t)
    assert slot_events(events).get("survey_answer") == recorded
    assert not [m for m in responses(messages) if m.startswith("utter_answer_")]


@pytest.mark.parametrize(("text", "confidence"), [("リンクってどこに届くの", 0.63), ("これってどうなるの", 0.7)])
def test_a_question_read_as_the_code_at_the_confirmation_is_passed_on(text: str, confidence: float) -> None:
    """No code is awaited at 「…よろしいですか？」: a where/what question read as the code not arriving is a question."""
    slots = {"procedure": "reset_ocn_password", "requested_slot": "procedure_confirmed"}
    t = tracker("code_not_received", text=text, slots=slots, active_loop="procedure_form")
    t.latest_message["intent"]["confidence"] = confidence
    messages, events = run(ActionCodeNotReceived(), t)
    assert messages == [] and [e["name"] for e in events if e["event"] == "followup"] == ["action_clarify"]


def test_an_unsure_code_reading_at_the_confirmation_is_answered_and_the_confirmation_asked_again() -> None:
    """「パスワードってメールのアプリのほうも変えないといけないんですよね」 read as the code not arriving at 0.31, at
    「…よろしいですか？」 (no code awaited): answered as a question, then the form asks its confirmation again, so
    a 「はい」 to the answer is not taken as the final yes unseen."""
    slots = {"procedure": "reset_ocn_password", "requested_slot": "procedure_confirmed"}
    text = "えーとパスワードってメールのアプリのほうも変えないといけないんですよね"
    t = tracker("code_not_received", text=text, slots=slots, active_loop="procedure_form")
    t.latest_message["intent"]["confidence"] = 0.31
    messages, events = run(ActionCodeNotReceived(), t)
    assert messages == [] and [e["name"] for e in events if e["event"] == "followup"] == ["action_clarify"]
    passed_on = tracker("code_not_received", text=text, slots=slots, active_loop="procedure_form")
    passed_on.latest_message["intent"]["confidence"] = 0.31
    passed_on.latest_action_name = "action_code_not_received"
    messages, events = run(ActionClarify(), passed_on)
    assert "utter_no_code_pending" not in responses(messages)
    assert [e["name"] for e in events if e["event"] == "followup"][-1] == "procedure_form"


@pytest.mark.parametrize(
    "typed",
    [
        "後でやります。いったん保留で",
        "また今度にします、今日は中断で",
        "明日やります、今日は見送りで",
        "自分で確認したいです",
    ],
)
def test_later_with_a_hold_declines_the_offer(typed: str) -> None:
    """A hold or stop word does not undo putting it off (it once made 「後でやります。いったん保留で」 start the form)."""
    assert read_yes_no("offer_procedure", typed) == "no"


@pytest.mark.parametrize(
    "typed, goodbye", [("じゃあいいです", True), ("それならいいや", True), ("じゃあいいですか", False)]
)
def test_never_mind_after_an_answer_that_the_classifier_could_not_place_is_a_goodbye(typed: str, goodbye: bool) -> None:
    """「じゃあいいです」 after the off-topic answer (nothing asked), read as nothing at all: the customer is leaving, not
    a question to clarify."""
    events = [*_bot_turn("utter_answer_out_of_scope_no_link"), {"event": "user", "text": typed}]
    t = tracker("nlu_fallback", text=typed, slots={"topic": "out_of_scope"}, events=events)
    assert (responses(run(ActionClarify(), t)[0]) == ["utter_goodbye"]) is goodbye


@pytest.mark.parametrize(
    ("typed", "intent"), [("どーも", "greet"), ("sankyu", "nlu_fallback"), ("arigatou", "nlu_fallback")]
)
def test_thanks_in_a_long_vowel_or_romaji_to_did_it_help_say_it_did(typed: str, intent: str) -> None:
    """「どーも」 (read as a hello) and 「sankyu」 to 「解決しましたか？」 after an answer: thanks, recorded as resolved —
    not a hello in the middle of the chat, nor a clarification."""
    events = [*_bot_turn("utter_answer_change_ocn_id", "utter_ask_survey"), {"event": "user", "text": typed}]
    t = tracker(intent, text=typed, slots={"topic": "change_ocn_id", "pending_question": "survey"}, events=events)
    messages, events_out = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_survey_thanks"]
    assert slot_events(events_out)["survey_answer"] == "resolved"


def test_the_do_mo_of_a_child_is_no_thanks() -> None:
    assert not thanks_in(fold("子どものOCN IDを確認したい"))


@pytest.mark.parametrize(
    ("typed", "intent", "fact"),
    [
        ("家族が設定してくれたパソコンのメールソフトにも、何かしないといけないのでしょうか", "ask_id_types", True),
        ("新しいパスワードにしたら、スマホに入れてあるメールアプリのほうはどうなりますか", "nlu_fallback", True),
        ("スマホのアプリでログイン履歴は見られますか", "check_login_history", False),  # a question of its own
    ],
)
def test_a_long_question_on_the_answers_fact_right_after_it_gets_the_fact(typed: str, intent: str, fact: bool) -> None:
    """Right after the answer on changing the OCN ID's password, a question about the mail app however long and
    however the classifier reads it: the help page's note on mail apps, then the open question again."""
    events = [*_bot_turn("utter_answer_change_ocn_id_password", "utter_ask_survey"), {"event": "user", "text": typed}]
    slots = {"topic": "change_ocn_id_password", "pending_question": "survey"}
    t = tracker(intent, text=typed, slots=slots, events=events, ranking=[(intent, 0.6)])
    t.latest_message["intent"]["confidence"] = 0.6
    said = responses(run(ActionAnswer(), t)[0])
    assert (said[:1] == ["utter_fact_mail_app_settings"]) is fact


def test_a_long_question_the_classifier_places_surely_is_not_taken_for_a_fact_in_a_side_clause() -> None:
    """「引っ越しで住所が変わったのですが、お客さま番号の確認はどうすればいいですか」 right after the customer number's
    answer, read surely as that topic: its 「変わった」 is no question about changing the number."""
    typed = "引っ越しで住所が変わったのですが、お客さま番号の確認はどうすればいいですか"
    events = [
        *_bot_turn("utter_answer_check_customer_number", "utter_offer_procedure"),
        {"event": "user", "text": typed},
    ]
    slots = {"topic": "check_customer_number", "pending_question": "offer_procedure"}
    t = tracker(
        "check_customer_number", text=typed, slots=slots, events=events, ranking=[("check_customer_number", 0.92)]
    )
    t.latest_message["intent"]["confidence"] = 0.92
    said = responses(run(ActionAnswer(), t)[0])
    assert "utter_answer_change_customer_number" not in said and "utter_fact_customer_number_fixed" not in said


def _after_the_history(typed: str, turns_between: int = 0) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "はい"},
        {"event": "bot", "metadata": {"utter_action": "utter_login_history"}},
        {"event": "bot", "metadata": {"utter_action": "utter_ask_survey"}},
    ]
    for _ in range(turns_between):
        events += [
            {"event": "user", "text": "ふむ"},
            {"event": "bot", "metadata": {"utter_action": "utter_anything_else"}},
        ]
    return [*events, {"event": "user", "text": typed}]


@pytest.mark.parametrize(
    "typed, intent",
    [
        ("見覚えのないログインがあります", "check_login_history"),
        ("⚠のやつ私じゃないです", "nlu_fallback"),
        ("知らない場所からログインされてる", "check_login_history"),
        ("このログインは私ではないです", "check_login_history"),
        ("ログインした覚えがない", "nlu_fallback"),
        ("不正ログインされてる", "check_login_history"),
    ],
)
def test_an_unknown_login_after_the_history_gets_the_advice_for_one(typed: str, intent: str) -> None:
    """「見覚えのないログインがあります」 right after the login history got the login history's answer again
    (「…ログイン履歴をご確認ください」): the advice the history gives for an unfamiliar login, with the reset's
    button, as when the history itself marks one."""
    messages, events = run(
        ActionAnswer(),
        tracker(intent, text=typed, slots={"pending_question": "survey"}, events=_after_the_history(typed)),
    )
    assert responses(messages) == ["utter_login_history_unfamiliar"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ['/start_procedure{"procedure": "reset_ocn_password"}', "/request_human"]
    assert slot_events(events)["pending_question"] is None


@pytest.mark.parametrize(
    "typed, intent",
    [
        ("見覚えのないログインはなかったです", "check_login_history"),
        ("見覚えのないログインは特にありませんでした", "check_login_history"),
        ("見覚えのないログインなかったです", "check_login_history"),  # voice input: the particle dropped
        ("見覚えのないログインはなさそうです", "check_login_history"),
        ("不正ログインはなかったですか？", "check_login_history"),  # a question, answered as one
        ("はい、解決しました。知らないログインはありませんでした", "affirm"),
        ("いいえ、心当たりはあります", "deny"),
        ("もう一つのアカウントのログイン履歴も見たいです", "check_login_history"),
        (
            "ほら知らないログインあるじゃん！すぐパスワード変えたい、今のパスワードはわかってる",
            "change_ocn_id_password",
        ),
    ],
)
def test_no_unknown_login_or_another_question_after_the_history_is_no_such_report(typed: str, intent: str) -> None:
    t = tracker(intent, text=typed, slots={"pending_question": "survey"}, events=_after_the_history(typed))
    messages, _ = run(ActionAnswer(), t)
    assert "utter_login_history_unfamiliar" not in responses(messages)


def test_the_login_history_asked_long_after_it_was_shown_is_its_answer() -> None:
    typed = "知らないログインがあるか見たいです"
    t = tracker("check_login_history", text=typed, events=_after_the_history(typed, turns_between=2))
    messages, _ = run(ActionAnswer(), t)
    assert responses(messages)[0] == "utter_answer_check_login_history"


@pytest.mark.parametrize("typed", ["両方", "どっちもです", "両方忘れました", "りょうほう"])
def test_both_to_which_password_gets_both_answers(typed: str) -> None:
    """「両方」 to 「どちらのパスワードでしょうか？」 got 「理解できませんでした」: both passwords' answers."""
    t = tracker("nlu_fallback", text=typed, slots={"pending_question": "which_password"})
    messages, events = run(ActionAnswerPendingQuestion(), t)
    said = responses(messages)
    assert said[0] == "utter_both_passwords_asked" and said[-1] == "utter_ask_survey"
    assert "utter_answer_forgot_ocn_id_password" in said and "utter_answer_check_connection_id" in said
    assert slot_events(events)["pending_question"] == "survey"


@pytest.mark.parametrize("typed", ["両方のIDを変えたい", "どちらも変更できますか"])
def test_both_inside_a_question_is_no_answer_to_which_password(typed: str) -> None:
    t = tracker("nlu_fallback", text=typed, slots={"pending_question": "which_password"})
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert "utter_both_passwords_asked" not in responses(messages)


def test_none_seen_after_the_history_answers_the_survey_as_resolved() -> None:
    """「見覚えのないログインはなかったです」 right after the history (its survey open) got the login history's answer
    again: it says the history settled the worry."""
    typed = "見覚えのないログインはなかったです"
    t = tracker(
        "check_login_history", text=typed, slots={"pending_question": "survey"}, events=_after_the_history(typed)
    )
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_survey_thanks"]
    assert slot_events(events)["survey_answer"] == "resolved"


@pytest.mark.parametrize("typed", ["パスワードを再設定する", "パスワードを再設定するでお願いします"])
def test_a_procedure_button_typed_instead_of_pressed_starts_it(typed: str) -> None:
    """「パスワードを再設定する」 typed under the advice whose button says it got the forgotten password's answer."""
    events = [
        {"event": "user", "text": "知らない場所からのログインがあります"},
        {
            "event": "bot",
            "metadata": {"utter_action": "utter_login_history_unfamiliar"},
            "data": {"buttons": [buttons.start_procedure("reset_ocn_password", "パスワードを再設定する")]},
        },
        {"event": "user", "text": typed},
    ]
    _, out = run(ActionAnswer(), tracker("forgot_password", text=typed, events=events))
    assert slot_events(out)["procedure"] == "reset_ocn_password" and out[-1]["name"] == "procedure_form"
    # The same words with no such button before them: the forgotten password's question, no procedure.
    _, out = run(ActionAnswer(), tracker("forgot_password", text=typed, events=events[-1:]))
    assert slot_events(out).get("procedure") is None


@pytest.mark.parametrize(
    "typed",
    [
        "10分過ぎたらどうなりますか",
        "期限が切れる前に入力します",
        "まだ10分過ぎてません",
        "急がないと10分過ぎちゃう",
        "10分過ぎてしまいそうです",
        "有効期限が過ぎたらどうすればいいですか",
        "期限切れになったらどうなりますか",
        "期限切れって何分ですか",
        "時間切れになりそう",
        "間に合わなかったときはどうなりますか",
        "10分過ぎた後でも使えますか",
    ],
)
def test_the_code_running_out_asked_about_or_ahead_of_it_sends_no_new_code(client: FakeClient, typed: str) -> None:
    """A new code makes the one in hand useless (and counts toward the hourly limit): only a code that ran out gets
    one, not a question about it, a worry ahead of it or a 「まだ」."""
    t = tracker("nlu_fallback", text=typed, slots=WAITING, active_loop="procedure_form")
    messages, _ = run(ActionAnswerPendingQuestion(), t)
    assert "utter_code_resent" not in responses(messages) and not any(call[0] == "start" for call in client.calls)


@pytest.mark.parametrize(
    "typed",
    ["知らないログインがあります。ほかのはないです", "見覚えのないログインはなかったけど、まだ不安です"],
)
def test_an_unknown_login_or_a_worry_beside_a_none_seen_gets_the_advice(typed: str) -> None:
    t = tracker(
        "check_login_history", text=typed, slots={"pending_question": "survey"}, events=_after_the_history(typed)
    )
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_login_history_unfamiliar"] and "survey_answer" not in slot_events(events)


@pytest.mark.parametrize("typed", ["パスワードを再設定するの？", "パスワードを再設定する？", "パスワードを再設定する…"])
def test_a_question_about_a_procedure_button_is_no_press(typed: str) -> None:
    events = [
        {"event": "bot", "metadata": {"utter_action": "utter_login_history_unfamiliar"},
         "data": {"buttons": [buttons.start_procedure("reset_ocn_password", "パスワードを再設定する")]}},
        {"event": "user", "text": typed},
    ]  # fmt: skip
    _, out = run(ActionAnswer(), tracker("forgot_password", text=typed, events=events))
    assert slot_events(out).get("procedure") is None


@pytest.mark.parametrize(
    "typed, intent, starts",
    [
        ("やる", "nlu_fallback", True),
        ("それやって", "nlu_fallback", True),
        ("見たい", "nlu_fallback", True),
        ("うん、知りたい", "affirm", True),
        ("まあしょうがねえな、やるよ", "out_of_scope", True),
        ("じゃあそれで", "nlu_fallback", True),
        ("hai, chat de onegai", "greet", True),
        ("ありがとうございます。機械は苦手なので、こちらでやっていただけると助かります", "thank", True),
        ("やってみます", "nlu_fallback", False),  # tries it alone
        ("あとでやる", "nlu_fallback", False),
        ("自分でやるからいい", "deny", False),
        ("やらない", "deny", False),
        ("チャットではなく電話で", "nlu_fallback", False),  # the chat declined (review)
        ("チャットでは無理です", "deny", False),
        ("chat de wa naku, denwa de", "nlu_fallback", False),
        ("履歴って何日分見られますか", "check_login_history", False),  # a question about it
        ("引っ越しの手続きもやってほしい", "out_of_scope", False),  # another matter
    ],
)
def test_the_offer_taken_up_in_other_words_starts_the_offered_procedure(typed: str, intent: str, starts: bool) -> None:
    """「やる」「見たい」「それやって」 to 「チャットでのお手続きをご希望ですか？」, whatever the classifier made of
    them: the offered procedure (the new conversation writers' customers went on to give their ID)."""
    slots = {
        "pending_question": "offer_procedure",
        "offered_procedure": "login_history",
        "topic": "check_login_history",
    }
    answered = [
        *_bot_turn("utter_answer_check_login_history", "utter_offer_procedure"),
        {"event": "user", "text": typed},
    ]
    messages, events = run(ActionAnswer(), tracker(intent, text=typed, slots=slots, events=answered))
    assert any(e["event"] == "followup" and e["name"] == "procedure_form" for e in events) is starts


@pytest.mark.parametrize(
    "typed, intent, pending, expected",
    [
        # which password, by what it is used for, also in a longer reply or after another question came between
        ("それで、さきほどのパスワードのことですが、インターネットをつなぐ時に使うほうです。", "nlu_fallback",
         "which_password", "utter_answer_check_connection_id"),
        ("Ah, I see. internet の ほう です", "nlu_fallback", "which_password", "utter_answer_check_connection_id"),
        ("メールを見るときの", "nlu_fallback", "which_password", "utter_answer_forgot_ocn_id_password"),
        ("ええと… the one for email, I think? メール の ほう", "nlu_fallback", "which_password",
         "utter_answer_forgot_ocn_id_password"),
        ("さっきのはネットの設定のほうのパスワードな", "change_connection_id_password", None,
         "utter_answer_check_connection_id"),
        # 「あとで」 read as a goodbye, to the offer: not now (the survey)
        ("あとで", "goodbye", "offer_procedure", "utter_ask_survey"),
        ("また今度で", "goodbye", "offer_procedure", "utter_ask_survey"),
        # 「した👍」 to 「解決しましたか？」: it did
        ("した👍", "nlu_fallback", "survey", "utter_survey_thanks"),
    ],
)  # fmt: skip
def test_replies_in_their_own_words_answer_the_question_asked(
    typed: str, intent: str, pending: str | None, expected: str
) -> None:
    events = [*_bot_turn("utter_ask_which_password"), *_bot_turn("utter_answer_lost_registration_letter")]
    slots = {"pending_question": pending, "offered_procedure": "send_connection_id", "topic": "check_connection_id"}
    if pending == "which_password":
        slots["topic"] = None
    said = responses(run(ActionAnswer(), tracker(intent, text=typed, slots=slots, events=events))[0])
    assert expected in said


@pytest.mark.parametrize(
    "before, typed, expected",
    [
        ("change_connection_id_password", "今の わすれた", "check_connection_id"),
        ("change_ocn_id_password", "いまのパス覚えてない", "forgot_ocn_id_password"),
        ("change_ocn_id_password", "今のは忘れてないです", None),
        ("change_connection_id_password", "今のOCN IDのパスワード忘れた", None),  # another ID: the classifier's
        ("change_ocn_id_password", "今の説明がよくわからない", None),  # the answer not understood (review)
    ],
)
def test_the_current_password_forgotten_after_the_answer_on_changing_it(
    before: str, typed: str, expected: str | None
) -> None:
    """Changing a password needs the current one: 「今の わすれた」 (read as off-topic) gets the same ID's answer
    for a forgotten one, saying which ID the bot took."""
    slots = {"pending_question": "survey", "topic": before}
    answered = [*_bot_turn(f"utter_answer_{before}", "utter_ask_survey"), {"event": "user", "text": typed}]
    t = tracker("out_of_scope", text=typed, slots=slots, events=answered)
    said = responses(run(ActionAnswer(), t)[0])
    if expected is None:
        assert "utter_password_of_the_id" not in said
    else:
        assert said[:2] == ["utter_password_of_the_id", f"utter_answer_{expected}"]


@pytest.mark.parametrize(
    "typed, goodbye",
    [("おせーよ じゃあな", True), ("じゃあなんでできないの", False), ("これパスワード違うんじゃね？", False)],
)
def test_a_goodbye_at_the_end_of_the_message_takes_leave(typed: str, goodbye: bool) -> None:
    said = responses(
        run(ActionAnswer(), tracker("nlu_fallback", text=typed, slots={"pending_question": "which_password"}))[0]
    )
    assert ("utter_goodbye" in said) is goodbye


@pytest.mark.parametrize(
    "typed, intent",
    [
        ("へんなのない 安心した", "deny"),
        ("変なのはなかったです", "nlu_fallback"),
        ("知らないのなかった よかった あさす", "thank"),
    ],
)
def test_nothing_strange_in_the_login_history_says_it_helped(typed: str, intent: str) -> None:
    events = [*_bot_turn("utter_login_history", "utter_ask_survey"), {"event": "user", "text": typed}]
    t = tracker(intent, text=typed, slots={"pending_question": "survey", "topic": "check_login_history"}, events=events)
    assert responses(run(ActionAnswer(), t)[0]) == ["utter_survey_thanks"]


def test_the_letter_asked_to_be_sent_again_with_no_code_awaited_gets_the_letters_answer() -> None:
    """「あのお手紙を、もう一度送っていただけませんか」 read as a new code: no code is awaited, and it names the letter."""
    typed = "あのお手紙を、もう一度送っていただくことはできないのでしょうか。"
    t = tracker("resend_code", text=typed, slots={"topic": "lost_registration_letter"})
    said = responses(run(ActionResendCode(), t)[0])
    assert said[0] == "utter_answer_lost_registration_letter" and "utter_no_code_pending" not in said


def test_a_long_message_that_stops_the_procedure_is_no_hello() -> None:
    """Read as a hello (0.49) with no greeting in it: 「…ですので、今日のところはやめておきます」 stops it."""
    typed = (
        "あ、ちょっとお待ちください。息子が今夜来てやってくれると言うのです。ですので、今日のところはやめておきます。"
    )
    t = tracker("greet", text=typed, slots=WAITING, active_loop="procedure_form")
    _, events = run(ActionAnswer(), t)
    assert [e["name"] for e in events if e["event"] == "followup"] == ["action_cancel_procedure"]


@pytest.mark.parametrize(
    "typed, verified, starts",
    [
        ("ついでにパスワード再設定もお願いできますか", True, "reset_ocn_password"),
        ("ログイン履歴も見せてください", True, "login_history"),
        ("ついでにパスワード再設定もお願いできますか", False, None),  # not verified: the answer and its offer
        ("パスワード再設定ってどうやるんですか", True, None),  # how: its answer
        ("パスワードの変え方を教えてください", True, None),  # the review's: how, not a request
        ("パスワード再設定はまた今度お願いします", True, None),  # put off
        ("確認できました。ありがとうございました。今後ともよろしくお願いします", True, None),  # a closing
    ],
)
def test_a_verified_customer_asking_for_another_procedure_gets_it(
    typed: str, verified: bool, starts: str | None
) -> None:
    slots = {
        "verification_id": "v-1",
        "verified_until": time.time() + (600 if verified else -1),
        "topic": "check_ocn_id",
    }
    events = [*_bot_turn("utter_done_ocn_id", "utter_ask_survey"), {"event": "user", "text": typed}]
    _, events = run(ActionAnswer(), tracker("forgot_ocn_id_password", text=typed, slots=slots, events=events))
    started = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "procedure"]
    assert (started[-1] if started else None) == starts


@pytest.mark.parametrize(
    "typed, intent",
    [("恐れ入りますが、まだ解決していません", "deny"), ("ありがとう、でもまだ解決していません", "affirm")],
)
def test_thanks_or_a_cushion_before_still_unresolved_is_not_resolved(typed: str, intent: str) -> None:
    """To 「解決しましたか？」: 「恐れ入りますが」 cushions and thanks are courtesy; 「まだ解決していません」 decides."""
    events = [*_bot_turn("utter_answer_check_ocn_id", "utter_ask_survey"), {"event": "user", "text": typed}]
    t = tracker(intent, text=typed, slots={"pending_question": "survey", "topic": "check_ocn_id"}, events=events)
    _, done = run(ActionAnswer(), t)
    assert slot_events(done).get("survey_answer") != "resolved"


@pytest.mark.parametrize("typed", ["じゃあどうすりゃいいんだよ", "じゃあどうすればいいですか"])
def test_what_to_do_then_after_the_password_warning_gets_the_answer_again(typed: str) -> None:
    """A password typed in reply to the change's answer got the warning; 「じゃあどうすりゃいいんだよ」 asks that
    answer again (introduced as such), not the fallback."""
    events = [*_bot_turn("utter_password_not_in_chat", "utter_ask_survey"), {"event": "user", "text": typed}]
    slots = {"topic": "change_ocn_id_password", "pending_question": "survey", "password_warned": True}
    ranking = [("nlu_fallback", 0.5), ("change_ocn_id_password", 0.3)]
    t = tracker("nlu_fallback", text=typed, slots=slots, events=events, ranking=ranking)
    assert responses(run(ActionClarify(), t)[0])[:2] == ["utter_topic_again", "utter_answer_change_ocn_id_password"]
