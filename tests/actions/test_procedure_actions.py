"""Procedure actions over a fake account client: what the customer is told for each result."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import account_client, buttons
from actions.account_client import (
    AccountApiError,
    AccountApiOutcomeUnknown,
    AccountApiUnavailable,
    AccountSummary,
)
from actions.code_step import ActionAskOtpCode, ActionCodeNotReceived, ActionResendCode
from actions.faq_actions import ActionAnswer
from actions.links import contact_response
from actions.procedure_form import (
    ActionAskAccountRef,
    ActionAskDeliveryMethod,
    ActionAskProcedure,
    ActionAskProcedureConfirmed,
    ActionStartProcedure,
    ValidateProcedureForm,
)
from actions.procedure_run import ActionCancelProcedure, ActionRunProcedure
from actions.verification_slots import INVALID, which_id_verifies
from tests.actions.fake_account_client import FakeClient
from tests.actions.trackers import responses, run, slot_events, tracker

DOMAIN_YML = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))


def form_domain() -> dict[str, Any]:
    """What ValidateProcedureForm.run reads of the domain: the form and the slots' mappings."""
    return {"forms": {"procedure_form": {"required_slots": []}}, "slots": DOMAIN_YML["slots"]}


VERIFIED = {"verification_id": "v-1", "verified_until": time.time() + 600}
CHOSEN = tracker(slots={"procedure": "send_ocn_id"})  # a procedure was chosen: the ID is verified now


@pytest.fixture()
def client(monkeypatch: pytest.MonkeyPatch) -> FakeClient:
    fake = FakeClient()
    monkeypatch.setattr(account_client, "_shared", fake)
    return fake


def test_start_keeps_the_chosen_procedure_and_forgets_an_expired_verification() -> None:
    t = tracker(
        "start_procedure",
        entities=[{"entity": "procedure", "value": "send_ocn_id"}],
        slots={"verification_id": "old", "verified_until": time.time() - 1},
    )
    _, events = run(ActionStartProcedure(), t)
    slots = slot_events(events)
    assert slots["procedure"] == "send_ocn_id" and slots["verification_id"] is None


def test_asking_for_the_chat_right_after_an_answer_starts_that_answers_procedure() -> None:
    # The offer was passed over (the survey came next), then 「じゃあこのチャットでやってもらえる？」.
    t = tracker(
        "start_procedure",
        text="じゃあこのチャットでやってもらえる？",
        slots={"topic": "forgot_ocn_id_password", "pending_question": "survey"},
    )
    _, events = run(ActionStartProcedure(), t)
    assert slot_events(events)["procedure"] == "reset_ocn_password"
    # A topic without a chat procedure chooses nothing: the bot asks which one.
    t = tracker("start_procedure", text="チャットで手続きしたい", slots={"topic": "change_customer_number"})
    _, events = run(ActionStartProcedure(), t)
    assert slot_events(events)["procedure"] is None


def test_an_id_typed_as_the_procedure_is_chosen_sends_one_code(client: FakeClient) -> None:
    """「N123456789」 right after an answer whose procedure the chat can do: the procedure is set before the
    form runs, the ID is read in the same run, and the customer is told once that one code was sent."""
    events = [
        {"event": "user", "text": "N123456789", "parse_data": {"intent": {"name": "inform"}}},
        {"event": "slot", "name": "procedure", "value": "send_customer_number"},
    ]
    t = tracker(
        "inform",
        text="N123456789",
        entities=[{"entity": "customer_number", "value": "N123456789"}],
        slots={"procedure": "send_customer_number"},
        active_loop="procedure_form",
        events=events,
    )
    messages, out = run(ValidateProcedureForm(), t)
    assert responses(messages) == ["utter_code_sent"]
    assert [call[0] for call in client.calls] == ["start"]
    assert slot_events(out)["account_ref"] == "N123456789"


def test_required_slots_skip_verification_while_it_is_valid() -> None:
    form = ValidateProcedureForm()
    needed = asyncio.run(
        form.required_slots(
            [], CollectingDispatcher(), tracker(slots={**VERIFIED, "procedure": "send_connection_id"}), {}
        )
    )
    assert needed == ["procedure", "delivery_method", "procedure_confirmed"]
    needed = asyncio.run(
        form.required_slots([], CollectingDispatcher(), tracker(slots={"procedure": "send_ocn_id"}), {})
    )
    assert needed == ["procedure", "account_ref", "otp_code", "procedure_confirmed"]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("Ｎ１２３-４５６-７８９です", "N123456789"),
        ("n 123 456 789", "N123456789"),
        ("TARO.Yamada@ocn.ne.jp", "taro.yamada@ocn.ne.jp"),
        ("12345", INVALID),
    ],
)
def test_account_ref_extraction_normalizes(typed: str, expected: str) -> None:
    t = tracker("inform", text=typed, slots={"requested_slot": "account_ref"})
    result = asyncio.run(ValidateProcedureForm().extract_account_ref(CollectingDispatcher(), t, {}))
    assert result == {"account_ref": expected}


def test_account_ref_starts_verification_without_revealing_whether_it_exists(client: FakeClient) -> None:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateProcedureForm().validate_account_ref("N123456789", dispatcher, CHOSEN, {}))
    assert result["verification_id"] == "v-1" and result["otp_code"] is None
    assert responses(dispatcher.messages) == ["utter_code_sent"]
    assert client.calls[0][2].get("idempotency_key")


@pytest.mark.parametrize(
    "error, response, halted",
    [
        (AccountApiError(429, "too_many_codes", retry_after=1800), "utter_too_many_codes", True),
        (AccountApiError(423, "locked", retry_after=1200), "utter_verification_locked", True),
        (AccountApiUnavailable("down"), "utter_api_unavailable", True),
        (AccountApiOutcomeUnknown("no answer"), "utter_api_outcome_unknown", True),  # a code may have gone out
    ],
)
def test_account_ref_api_errors_stop_politely(
    client: FakeClient, error: Exception, response: str, halted: bool
) -> None:
    client.fail = error
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateProcedureForm().validate_account_ref("N123456789", dispatcher, CHOSEN, {}))
    assert responses(dispatcher.messages) == [response]
    assert bool(result.get("procedure_halt")) is halted


def test_code_extraction_only_when_asked_and_never_kept(client: FakeClient) -> None:
    form = ValidateProcedureForm()
    asked = tracker("inform", text="コードは４８２ ９１３", slots={"requested_slot": "otp_code"})
    assert asyncio.run(form.extract_otp_code(CollectingDispatcher(), asked, {})) == {"otp_code": "482913"}
    not_asked = tracker("inform", text="482913", slots={"requested_slot": "account_ref"})
    assert asyncio.run(form.extract_otp_code(CollectingDispatcher(), not_asked, {})) == {}
    question = tracker("check_ocn_id", text="OCN IDって何？", slots={"requested_slot": "otp_code"})
    assert asyncio.run(form.extract_otp_code(CollectingDispatcher(), question, {})) == {}
    dispatcher = CollectingDispatcher()
    verifying = tracker(slots={"verification_id": "v-1", "account_ref": "N123456789"})
    result = asyncio.run(form.validate_otp_code("482913", dispatcher, verifying, {}))
    assert result["otp_code"] is None and result["verified_until"] > time.time()
    # The verified account, opaque, kept with the verification for the handoff desk (security review 7).
    assert result["verified_account"] == client.account_key("N123456789") and "123456789" not in str(result)
    assert client.calls[-1][1][2] == "482913"


@pytest.mark.parametrize(
    "error, response, cleared",
    [
        (AccountApiError(400, "invalid_code", attempts_left=3), "utter_wrong_code", []),
        (AccountApiError(410, "expired"), "utter_code_expired", ["account_ref", "verification_id"]),
        (AccountApiError(423, "locked", retry_after=1800), "utter_verification_locked", []),
    ],
)
def test_code_errors(client: FakeClient, error: AccountApiError, response: str, cleared: list) -> None:
    client.fail = error
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateProcedureForm().validate_otp_code("000000", dispatcher, tracker(slots={"verification_id": "v-1"}), {})
    )
    assert responses(dispatcher.messages) == [response]
    assert result["otp_code"] is None
    for slot in cleared:
        assert result[slot] is None


def test_sms_asked_for_before_the_verification_is_not_an_expired_verification(
    client: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 「接続用IDをSMSで送ってほしい」 starts the procedure: nothing is verified yet, so nothing is asked of the
    # account system (it would answer "not verified", told to the customer as an expired verification).
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateProcedureForm().validate_delivery_method("sms", dispatcher, tracker(), {}))
    assert result == {"delivery_method": "sms"} and dispatcher.messages == [] and client.calls == []
    # Once the code is right, a customer without a mobile is told so and asked how else to receive it.
    monkeypatch.setattr(
        client,
        "account_summary",
        lambda *a: AccountSummary("N", "o", None, "mail", "h***@example.jp", False, "大阪府****"),
    )
    waiting = tracker(slots={"verification_id": "v-1", "delivery_method": "sms"})
    result = asyncio.run(ValidateProcedureForm().validate_otp_code("123456", dispatcher, waiting, {}))
    assert responses(dispatcher.messages) == ["utter_verified", "utter_no_mobile"]
    assert result["delivery_method"] is None and result["verified_until"]


def test_sms_refused_without_a_mobile(client: FakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        client,
        "account_summary",
        lambda *a: AccountSummary("N", "o", None, "mail", "h***@example.jp", False, "大阪府****"),
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateProcedureForm().validate_delivery_method("sms", dispatcher, tracker(slots=VERIFIED), {})
    )
    assert result == {"delivery_method": None} and responses(dispatcher.messages) == ["utter_no_mobile"]


@pytest.mark.parametrize(
    "procedure, method, response",
    [
        ("reset_ocn_password", None, "utter_confirm_password_reset"),
        ("send_connection_id", "post", "utter_confirm_connection_post"),
        ("send_connection_id", "mypage", "utter_confirm_connection_mypage"),
        ("login_history", None, "utter_confirm_login_history"),
    ],
)
def test_confirmation_says_what_will_happen(client: FakeClient, procedure: str, method: str, response: str) -> None:
    messages, _ = run(
        ActionAskProcedureConfirmed(), tracker(slots={**VERIFIED, "procedure": procedure, "delivery_method": method})
    )
    assert responses(messages) == [response]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    if method == "post":
        assert messages[0]["destination"] == "東京都千代田区****"


@pytest.mark.parametrize(
    "procedure, method, response, call_name",
    [
        ("reset_ocn_password", None, "utter_done_password_reset", "reset"),
        ("send_connection_id", "post", "utter_done_connection_post", "connection"),
        ("send_customer_number", None, "utter_done_customer_number", "customer_number"),
        ("send_ocn_id", None, "utter_done_ocn_id", "ocn_id"),
    ],
)
def test_run_procedure_after_yes(
    client: FakeClient, procedure: str, method: str, response: str, call_name: str
) -> None:
    t = tracker(
        "affirm", slots={**VERIFIED, "procedure": procedure, "delivery_method": method, "procedure_confirmed": True}
    )
    messages, events = run(ActionRunProcedure(), t)
    assert responses(messages) == [response, "utter_ask_survey"]
    assert client.calls[-1][0] == call_name and client.calls[-1][2]["idempotency_key"]
    assert slot_events(events)["procedure"] is None and slot_events(events)["pending_question"] == "survey"


def test_login_history_flags_unfamiliar_logins(client: FakeClient) -> None:
    t = tracker("affirm", slots={**VERIFIED, "procedure": "login_history", "procedure_confirmed": True})
    messages, _ = run(ActionRunProcedure(), t)
    assert responses(messages)[:2] == ["utter_login_history", "utter_login_history_unfamiliar"]
    assert "⚠ 11/24 09:12 海外（不明） Windows 失敗" in messages[0]["logins"]  # shown in JST


def test_no_at_confirmation_does_nothing(client: FakeClient) -> None:
    messages, _ = run(
        ActionRunProcedure(),
        tracker("deny", slots={**VERIFIED, "procedure": "send_ocn_id", "procedure_confirmed": False}),
    )
    assert responses(messages) == ["utter_procedure_cancelled"] and client.calls == []


def test_api_down_at_the_last_step_apologizes_and_resets(client: FakeClient) -> None:
    client.fail = AccountApiUnavailable("timeout")
    messages, events = run(
        ActionRunProcedure(),
        tracker("affirm", slots={**VERIFIED, "procedure": "send_ocn_id", "procedure_confirmed": True}),
    )
    assert responses(messages) == ["utter_api_unavailable"]
    assert slot_events(events)["procedure"] is None


def test_cancel_deactivates_the_form() -> None:
    messages, events = run(
        ActionCancelProcedure(), tracker("cancel", active_loop="procedure_form", slots={"procedure": "send_ocn_id"})
    )
    assert responses(messages) == ["utter_procedure_cancelled"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    messages, _ = run(ActionCancelProcedure(), tracker("cancel"))
    assert responses(messages) == ["utter_no_procedure_to_cancel"]


def _cancelled(procedure: str, typed: str) -> list[dict]:
    """Events of a procedure started, cancelled by the bot's previous turn, and the customer's next message."""
    return [
        {"event": "slot", "name": "procedure", "value": procedure},
        {"event": "user", "text": "あーやっぱ後でやる"},
        {"event": "slot", "name": "procedure", "value": None},
        {"event": "bot", "metadata": {"utter_action": "utter_procedure_cancelled"}},
        {"event": "user", "text": typed},
    ]


@pytest.mark.parametrize("typed", ["ごめん やっぱ今やる", "やっぱりお願いします", "やっぱり続けます"])
def test_taking_a_cancel_back_starts_the_cancelled_procedure_again(typed: str) -> None:
    t = tracker("cancel", text=typed, events=_cancelled("reset_ocn_password", typed))
    messages, events = run(ActionCancelProcedure(), t)
    assert responses(messages) == []
    assert slot_events(events)["procedure"] == "reset_ocn_password"
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "procedure_form")


def test_taking_a_cancel_back_in_words_the_classifier_reads_as_a_topic() -> None:
    typed = "スマホを取ってきました。さっきの確認、やっぱりお願いします"
    t = tracker("check_login_history", text=typed, events=_cancelled("login_history", typed))
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == []
    assert slot_events(events)["procedure"] == "login_history"
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "procedure_form")


@pytest.mark.parametrize(
    "typed",
    [
        "後でやります",
        "ありがとう、また今度やります",
        "マイページで自分でやります",
        "続けて質問です。お客さま番号ってどこに",
    ],
)
def test_putting_it_off_is_no_taking_back(typed: str) -> None:
    t = tracker("thank", text=typed, events=_cancelled("reset_ocn_password", typed))
    messages, events = run(ActionAnswer(), t)
    assert slot_events(events).get("procedure") != "reset_ocn_password"


def test_an_apology_with_the_taking_back_is_still_one() -> None:
    typed = "すみません、やっぱりお願いします"
    t = tracker("out_of_scope", text=typed, events=_cancelled("reset_ocn_password", typed))
    _, events = run(ActionAnswer(), t)
    assert slot_events(events)["procedure"] == "reset_ocn_password"


def test_a_cancel_before_any_procedure_was_chosen_brings_back_no_earlier_one() -> None:
    typed = "やっぱりお願いします"
    events = [
        {"event": "slot", "name": "procedure", "value": "login_history"},
        {"event": "action", "name": "action_run_procedure"},  # that one ran to its end
        {"event": "user", "text": "チャットで手続きしたい"},
        {"event": "action", "name": "action_cancel_procedure"},  # cancelled at 「どのお手続きですか？」
        {"event": "bot", "metadata": {"utter_action": "utter_procedure_cancelled"}},
        {"event": "user", "text": typed},
    ]
    _, out = run(ActionAnswer(), tracker("start_procedure", text=typed, events=events))
    assert slot_events(out).get("procedure") != "login_history"


def _declined(procedure: str, typed: str, said_after_the_no: str = "utter_ask_survey") -> list[dict]:
    """Events of a procedure offered, 「いいえ」 to the offer (the bot asked the survey), the next message."""
    return [
        {"event": "slot", "name": "offered_procedure", "value": procedure},
        {"event": "bot", "metadata": {"utter_action": "utter_offer_procedure"}},
        {"event": "user", "text": "いいえ"},
        {"event": "slot", "name": "offered_procedure", "value": None},
        {"event": "bot", "metadata": {"utter_action": said_after_the_no}},
        {"event": "user", "text": typed},
    ]


@pytest.mark.parametrize(
    "typed",
    ["やっぱりお願いします", "やっぱりチャットでお願いします", "すみません、やっぱりやります", "やはりお願いします"],
)
def test_an_offer_turned_down_and_then_wanted_after_all_starts_it(typed: str) -> None:
    """「いいえ」 to 「チャットでのお手続きをご希望ですか？」, then 「やっぱりお願いします」 (read as a cancel for its
    やっぱり): the procedure offered starts (it was told 「現在進めているお手続きはありません」)."""
    t = tracker("cancel", text=typed, events=_declined("send_connection_id", typed))
    messages, events = run(ActionCancelProcedure(), t)
    assert responses(messages) == []
    assert slot_events(events)["procedure"] == "send_connection_id"
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "procedure_form")
    _, events = run(ActionAnswer(), tracker("affirm", text=typed, events=_declined("send_connection_id", typed)))
    assert slot_events(events)["procedure"] == "send_connection_id"


def test_an_offer_is_not_taken_up_after_another_answer_or_by_putting_it_off() -> None:
    typed = "やっぱりお願いします"
    after_another_answer = _declined("send_connection_id", typed, said_after_the_no="utter_answer_check_ocn_id")
    messages, _ = run(ActionCancelProcedure(), tracker("cancel", text=typed, events=after_another_answer))
    assert responses(messages) == ["utter_no_procedure_to_cancel"]
    later = "やっぱり後でお願いします"
    messages, _ = run(ActionCancelProcedure(), tracker("cancel", text=later, events=_declined("login_history", later)))
    assert responses(messages) == ["utter_no_procedure_to_cancel"]


@pytest.mark.parametrize(
    "typed",
    [
        "今やりました",
        "いまやりましたありがとう",
        "じゃあ今やります",
        "今やりたいけどまた今度",
        "やっぱりマイページでやります",
        "やっぱりサポートに電話します",
        "やっぱりお願いしなくて大丈夫です",
        "やっぱりやりますか？",
    ],
)
def test_doing_it_oneself_after_turning_the_offer_down_starts_nothing(typed: str) -> None:
    """After 「いいえ」 to the offer, 「今やりました」 (on My Page) answers the survey: no procedure starts."""
    _, events = run(ActionAnswer(), tracker("affirm", text=typed, events=_declined("send_connection_id", typed)))
    assert slot_events(events).get("procedure") is None


@pytest.mark.parametrize("typed", ["やっぱりやめます", "今やらないです", "キャンセルで"])
def test_a_second_cancel_is_no_change_of_mind(typed: str) -> None:
    t = tracker("cancel", text=typed, events=_cancelled("reset_ocn_password", typed))
    messages, _ = run(ActionCancelProcedure(), t)
    assert responses(messages) == ["utter_no_procedure_to_cancel"]


@pytest.mark.parametrize(
    "typed, confidence",
    [
        ("あ、やっぱり前に聞いた請求のことはどこへ問い合わせればいいですか", 0.9),
        ("dアカウントとつなげるとき、OCN側で準備するものはありますか", 0.3),
    ],
)
def test_a_cancel_reading_with_nothing_running_that_stops_nothing_is_clarified(typed: str, confidence: float) -> None:
    t = tracker("cancel", text=typed, ranking=[("cancel", confidence), ("out_of_scope", 0.2)])
    t.latest_message["intent"]["confidence"] = confidence
    messages, events = run(ActionCancelProcedure(), t)
    assert not messages
    assert [e["name"] for e in events if e["event"] == "followup"] == ["action_clarify"]
    # Said in words of stopping, it is still a cancel with nothing to cancel.
    messages, _ = run(ActionCancelProcedure(), tracker("cancel", text="やめます"))
    assert responses(messages) == ["utter_no_procedure_to_cancel"]


def test_asked_which_procedure_the_customer_can_just_say_it() -> None:
    t = tracker("check_login_history", text="ログイン履歴を見たい", slots={"requested_slot": "procedure"})
    result = asyncio.run(ValidateProcedureForm().extract_procedure(CollectingDispatcher(), t, {}))
    assert result == {"procedure": "login_history"}
    t = tracker("change_customer_number", text="番号は変えられる？", slots={"requested_slot": "procedure"})
    assert asyncio.run(ValidateProcedureForm().extract_procedure(CollectingDispatcher(), t, {})) == {}


@pytest.mark.parametrize(
    "typed, intent, slots",
    [
        ("SMSでお願いします", "inform", {"procedure": "send_connection_id", "delivery_method": "sms"}),
        ("ゆうびんでおくってほしい", "inform", {"procedure": "send_connection_id", "delivery_method": "post"}),
        # nothing only the connection ID is received by: still asked which procedure
        ("スマホで見たい", "inform", {}),
        ("SMSは嫌です", "deny", {}),
        ("郵送って何日かかりますか", "nlu_fallback", {}),
        ("N123456789 SMSで", "inform", {}),  # an ID in it: the form asks what to do with it
        ("郵送で", "inform", {"procedure": "send_connection_id", "delivery_method": "post"}),
        # the way is for something else it names: still asked which procedure
        ("お客さま番号をSMSで送ってください", "inform", {}),
        ("確認コードはSMSでお願いします", "inform", {}),
        ("郵便番号を変えたい", "nlu_fallback", {}),
        ("前に郵送でもらった", "inform", {}),
    ],
)
def test_asked_which_procedure_a_way_only_the_connection_id_has_chooses_it(
    typed: str, intent: str, slots: dict[str, str]
) -> None:
    """Only the connection ID is received by SMS or post (the help page's three ways): 「SMSでお願いします」 to
    「どのお手続きをご希望ですか？」 is its procedure, the way kept (the blind writers' customers went on to give
    their ID, and every turn after was 「どのお手続き…」 again)."""
    t = tracker(intent, text=typed, slots={"requested_slot": "procedure"}, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ValidateProcedureForm().extract_procedure(dispatcher, t, {})) == slots
    assert bool(dispatcher.messages) is bool(slots)  # 「承知しました。SMSでのお受け取りで承ります。」


@pytest.mark.parametrize(
    "action, response, payload",
    [
        (ActionAskProcedure(), "utter_ask_procedure", '/inform{"procedure": "login_history"}'),
        (ActionAskDeliveryMethod(), "utter_ask_delivery_method", '/inform{"delivery_method": "post"}'),
    ],
)
def test_form_questions_come_with_entity_buttons(action: Any, response: str, payload: str) -> None:
    messages, _ = run(action, tracker())
    assert responses(messages) == [response]
    assert payload in [b["payload"] for b in messages[0]["buttons"]]


# --- LINE groups and rooms: one conversation, several people ------------------------------------


@pytest.mark.parametrize("sender", ["line:group:Cabc123", "line:room:Rabc123"])
def test_a_group_or_room_never_runs_a_verified_procedure(sender: str, client: FakeClient) -> None:
    form = ValidateProcedureForm()
    t = tracker(slots={"procedure": "login_history", **VERIFIED, "procedure_confirmed": True}, sender=sender)
    assert asyncio.run(form.required_slots(["procedure"], CollectingDispatcher(), t, {})) == []
    messages, events = run(ActionRunProcedure(), t)
    assert responses(messages) == ["utter_procedure_needs_private_chat"]
    assert client.calls == []  # nothing asked of the account API: no code sent, no history shown
    assert slot_events(events)["verification_id"] is None


def test_a_one_to_one_line_chat_runs_procedures(client: FakeClient) -> None:
    t = tracker(slots={"procedure": "login_history", **VERIFIED, "procedure_confirmed": True}, sender="line:U1")
    messages, _ = run(ActionRunProcedure(), t)
    assert "utter_procedure_needs_private_chat" not in responses(messages)
    assert client.calls and client.calls[0][0] == "history"


def test_a_connection_id_typed_as_the_id_is_looked_up_as_a_connection_id(client: FakeClient) -> None:
    """Issue 21 item 7: the connection ID printed on the letter is sent as one, not as an OCN ID."""
    asyncio.run(
        ValidateProcedureForm().validate_account_ref("abc12345@one.ocn.ne.jp", CollectingDispatcher(), CHOSEN, {})
    )
    asyncio.run(
        ValidateProcedureForm().validate_account_ref("taro.yamada@ocn.ne.jp", CollectingDispatcher(), CHOSEN, {})
    )
    [(_, by_connection_id, keywords), (_, by_ocn_id, _)] = client.calls
    assert by_connection_id[1:3] == (None, None) and keywords["connection_id"] == "abc12345@one.ocn.ne.jp"
    assert by_ocn_id[1:3] == (None, "taro.yamada@ocn.ne.jp")


def test_a_procedure_arriving_with_the_confirmation_never_changes_what_runs(client: FakeClient) -> None:
    """Asked to confirm a password reset, `/affirm{"procedure":"login_history"}` confirms the reset:
    the entity (already put into the slot by Rasa's slot mapping) does not switch the procedure."""
    import yaml

    from actions.conversation_state import PROCEDURE_FORM

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
    payload = '/affirm{"procedure":"login_history"}'
    entity = {"entity": "procedure", "value": "login_history"}
    events = [
        {"event": "slot", "name": "procedure", "value": "reset_ocn_password"},
        {"event": "slot", "name": "requested_slot", "value": "procedure_confirmed"},
        {"event": "user", "text": payload, "parse_data": {"intent": {"name": "affirm"}, "entities": [entity]}},
        {"event": "slot", "name": "procedure", "value": "login_history"},  # Rasa's from_entity mapping
    ]
    slots = {**VERIFIED, "procedure": "login_history", "requested_slot": "procedure_confirmed"}
    t = tracker("affirm", payload, [entity], slots=slots, active_loop=PROCEDURE_FORM, events=events)
    _, validated = run(ValidateProcedureForm(), t, domain)
    assert slot_events(validated)["procedure"] == "reset_ocn_password"
    assert slot_events(validated)["procedure_confirmed"] is True
    ran, _ = run(ActionRunProcedure(), tracker("affirm", slots={**slots, **slot_events(validated)}))
    assert responses(ran)[0] == "utter_done_password_reset" and client.calls[-1][0] == "reset"


@pytest.mark.parametrize("typed, method", [("郵送でお願いします", "post"), ("SMSで", "sms"), ("マイページ", "mypage")])
def test_the_delivery_method_typed_while_the_id_is_asked_for_is_kept(
    client: FakeClient, typed: str, method: str
) -> None:
    """The connection ID is sent after the verification, but a customer may say how they want it first:
    「郵送で」 at 「お客さま番号またはOCN IDをご入力ください」 is kept and acknowledged (not 「…の形でご入力
    ください」), so it is not asked again once the customer is verified."""
    domain = form_domain()
    t = tracker(
        "inform",
        text=typed,
        slots={"requested_slot": "account_ref", "procedure": "send_connection_id"},
        active_loop="procedure_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateProcedureForm().run(dispatcher, t, domain))
    assert responses(dispatcher.messages) == [f"utter_delivery_noted_{method}"]
    assert f"utter_delivery_noted_{method}" in DOMAIN_YML["responses"]
    slots = slot_events(events)
    assert slots["delivery_method"] == method and slots.get("account_ref") is None
    required = asyncio.run(ValidateProcedureForm().required_slots([], dispatcher, t, domain))
    assert "delivery_method" in required  # still part of the form: filled, so the form skips its question


def _while_the_code_is_awaited(
    text: str, intent: str, procedure: str = "send_connection_id"
) -> tuple[list[str], dict[str, Any]]:
    """What the form says and sets for `text` typed while the code sent for N123456789 is awaited."""
    slots = {"requested_slot": "otp_code", "procedure": procedure, "account_ref": "N123456789"}
    t = tracker(intent, text=text, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateProcedureForm().run(dispatcher, t, form_domain()))
    return responses(dispatcher.messages), slot_events(events)


@pytest.mark.parametrize(
    "typed, method",
    [
        ("SMSで", "sms"),
        ("郵送でお願いします", "post"),
        ("郵送で送ってください", "post"),
        ("マイページで見ます", "mypage"),
    ],
)
def test_the_delivery_method_typed_while_the_code_is_awaited_is_kept(typed: str, method: str) -> None:
    """「SMSで」 typed after the ID, while the code is awaited: kept and acknowledged, so it is not asked for
    again once verified (it was asked again: the customer had already said it)."""
    said, slots = _while_the_code_is_awaited(typed, "inform")
    assert said == [f"utter_delivery_noted_{method}"]
    assert slots["delivery_method"] == method and "account_ref" not in slots and "otp_code" not in slots


@pytest.mark.parametrize(
    "typed",
    [
        "SMSが届きません",
        "SMSと郵送どっちが早いですか",
        "SMSで届くはずのコードが来ない",
        "SMSで送ってください",
        "スマホです",
    ],
)
def test_a_way_named_in_a_sentence_while_the_code_is_awaited_is_not_chosen(typed: str) -> None:
    """While the code is awaited, a sentence that names SMS is about the code's SMS: no way is chosen and the
    ID given stays (a comparison of two ways there once cleared it)."""
    said, slots = _while_the_code_is_awaited(typed, "nlu_fallback")
    assert "delivery_method" not in slots and "account_ref" not in slots
    assert not any(r.startswith("utter_delivery_noted") for r in said)


@pytest.mark.parametrize(
    "typed",
    [
        "携帯をなくしてしまって受け取れません",
        "電話番号変わったんですけど",
        "そのメアドはもう解約しました",
        "スマホが壊れてます",
        "携帯番号を変更しました",
        "番号が変わったので再送してください",  # a new code would go to the same contact: where it went, said
        "携帯をなくしてなかなか見つかりません",  # 「かな」 inside 「なかなか」 is no doubt
        "携帯が壊れたので受け取れません。どうしたらいいかな",
        "スマホを解約したので届かないはずです",
    ],
)
def test_a_contact_that_cannot_receive_the_code_is_told_where_it_went_and_what_that_means(
    client: FakeClient, typed: str
) -> None:
    """「携帯をなくしてしまって受け取れません」 while the code is awaited got the lost letter's answer: where the code
    went is said (the customer may see it is still theirs), and that without it the chat cannot verify them, with
    the contact page, a person and 「やめる」; the procedure stays (a code typed later still verifies), no code is
    counted as wrong, and the code's question is not asked again right after."""
    slots = {"requested_slot": "otp_code", "procedure": "reset_ocn_password", "account_ref": "N123456789",
             "verification_id": "v-1", "code_destination": "携帯電話（***-****-**78）"}  # fmt: skip
    t = tracker("lost_registration_letter", text=typed, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    set_now = slot_events(asyncio.run(ValidateProcedureForm().run(dispatcher, t, form_domain())))
    said = responses(dispatcher.messages)
    assert said == [contact_response("utter_code_contact_unusable")] and said[0] in DOMAIN_YML["responses"]
    assert dispatcher.messages[0]["destination"] == "携帯電話（***-****-**78）"
    assert dispatcher.messages[0]["buttons"] == buttons.talk_to_person() + buttons.cancel()
    assert set_now["otp_code"] is None and "procedure" not in set_now and client.calls == []
    told = [{"event": "user", "text": typed}, {"event": "bot", "metadata": {"utter_action": said[0]}}]
    asked, _ = run(ActionAskOtpCode(), tracker(slots=slots, events=told))
    assert asked == []
    asked, _ = run(ActionAskOtpCode(), tracker(slots=slots, events=told + [{"event": "user", "text": "123456"}]))
    assert responses(asked)[-1] == "utter_ask_otp_code"


@pytest.mark.parametrize(
    "typed, intent",
    [
        ("携帯にSMSが来ないです", "code_not_received"),
        ("機種変更したばかりです", "nlu_fallback"),
        ("お客さま番号がわからないです", "check_customer_number"),
        # the phone away for now: the cancel asked for, which can be taken back once it is at hand
        ("すみません、いまスマホが手元になくて…やっぱりやめておきます", "cancel"),
        ("携帯をなくしたので今日はやめます", "cancel"),
        # unsure: the code not arriving's reply, which says where it went
        ("電話番号が変わったかもしれないです", "nlu_fallback"),
        # negated, or a new phone with the number kept
        ("電話番号は変わってないのでもう一度送ってください", "resend_code"),
        ("番号が変わった覚えはないです", "nlu_fallback"),
        ("携帯が壊れたわけではないです", "nlu_fallback"),
        ("スマホに変えたんですけどコードが来ません", "code_not_received"),
        # a question about changing a number (a digression answered, the code still awaited), or a wish
        ("お客さま番号は変更できますか", "change_customer_number"),
        ("電話番号を変えたいです", "nlu_fallback"),
    ],
)
def test_a_code_late_or_a_new_phone_is_no_lost_contact(typed: str, intent: str) -> None:
    said, set_now = _while_the_code_is_awaited(typed, intent, procedure="reset_ocn_password")
    assert "otp_code" not in set_now and contact_response("utter_code_contact_unusable") not in said


def test_the_connection_ids_first_question_asks_the_method_and_the_id_at_once() -> None:
    """The help page offers the three ways to receive the connection ID first: the first question shows
    them as buttons and asks for the ID in the same message, so customers can answer either first."""
    messages, _ = run(ActionAskAccountRef(), tracker(slots={"procedure": "send_connection_id"}))
    assert responses(messages) == ["utter_ask_delivery_method_and_account_ref"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [b["payload"] for b in buttons.delivery_methods()] + ["/cancel"]
    # The method known (typed with the request), or another procedure: only the ID is asked.
    for slots in ({"procedure": "send_connection_id", "delivery_method": "post"}, {"procedure": "send_ocn_id"}):
        messages, _ = run(ActionAskAccountRef(), tracker(slots=slots))
        assert responses(messages) == ["utter_ask_account_ref_for"]


@pytest.mark.parametrize(
    "procedure, title",
    [("reset_ocn_password", "OCN IDのパスワード再設定"), ("send_connection_id", "接続用IDとパスワードの確認")],
)
def test_the_id_question_names_the_procedure_it_is_for(procedure: str, title: str) -> None:
    """The procedure may have been inferred from the conversation: the customer reads which one before
    giving an ID (and can press 「やめる」)."""
    slots = {"procedure": procedure, "delivery_method": "sms", "requested_slot": "account_ref"}  # as the form sets it
    messages, _ = run(ActionAskAccountRef(), tracker(slots=slots))
    assert responses(messages) == ["utter_ask_account_ref_for"] and messages[0]["procedure_title"] == title
    # Asked again right after (a mistyped ID): the question alone, not the procedure's name once more.
    asked = [
        {"event": "bot", "metadata": {"utter_action": "utter_ask_account_ref_for"}},
        {"event": "user", "text": "N12345"},
    ]
    again, _ = run(ActionAskAccountRef(), tracker(slots=slots, events=asked))
    assert responses(again) == ["utter_ask_account_ref"]


def test_a_method_button_pressed_at_the_first_question_is_kept_and_the_id_asked_next(client: FakeClient) -> None:
    domain = form_domain()
    t = tracker(
        "inform",
        text='/inform{"delivery_method": "sms"}',
        entities=[{"entity": "delivery_method", "value": "sms"}],
        slots={"requested_slot": "account_ref", "procedure": "send_connection_id"},
        active_loop="procedure_form",
    )
    dispatcher = CollectingDispatcher()
    slots = slot_events(asyncio.run(ValidateProcedureForm().run(dispatcher, t, domain)))
    assert responses(dispatcher.messages) == ["utter_delivery_noted_sms"]
    assert slots["delivery_method"] == "sms" and slots.get("account_ref") is None
    asked, _ = run(ActionAskAccountRef(), tracker(slots={"procedure": "send_connection_id", "delivery_method": "sms"}))
    assert responses(asked) == ["utter_ask_account_ref_for"]


def _at_the_first_question(text: str, intent: str = "inform") -> tuple[list[str], dict[str, Any]]:
    domain = form_domain()
    t = tracker(
        intent,
        text=text,
        slots={"requested_slot": "account_ref", "procedure": "send_connection_id"},
        active_loop="procedure_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateProcedureForm().run(dispatcher, t, domain))
    return responses(dispatcher.messages), slot_events(events)


def test_a_method_asked_for_in_a_sentence_at_the_first_question_is_kept() -> None:
    said, slots = _at_the_first_question("SMSで送ってもらえますか")
    assert said == ["utter_delivery_noted_sms"] and slots["delivery_method"] == "sms"
    # Read as something else than an answer (a question about SMS), it is left to the classifier's reading.
    said, slots = _at_the_first_question("SMSって何ですか", intent="out_of_scope")
    assert "delivery_method" not in slots


def test_two_methods_named_at_the_first_question_are_no_mistyped_id() -> None:
    """Comparing two ways is neither an ID nor a choice: what the page does not say (which is faster) is said
    honestly, a plain 「どっちがいい？」 is handed back; the question is then asked again."""
    said, slots = _at_the_first_question("SMSと郵送どっちが早いですか")
    assert said == [contact_response("utter_receiving_details_not_on_page")]
    assert slots.get("account_ref") is None and "delivery_method" not in slots
    said, slots = _at_the_first_question("SMSと郵送どっちがいいですか")
    assert said == ["utter_receiving_method_is_yours_to_choose"] and "delivery_method" not in slots


@pytest.mark.parametrize("typed", ["紙で欲しい", "郵送がほしいです"])
def test_a_short_reply_that_wants_one_way_at_the_first_question_is_kept(typed: str) -> None:
    said, slots = _at_the_first_question(typed, intent="nlu_fallback")
    assert said == ["utter_delivery_noted_post"] and slots["delivery_method"] == "post"
    said, slots = _at_the_first_question("紙では欲しくない", intent="nlu_fallback")
    assert "delivery_method" not in slots


@pytest.mark.parametrize(
    "typed",
    ["郵送で送ってもらうと何日で届きますか", "紙で送ってもらうといつ頃になりますか", "郵便で送られてきた紙に書いてあるIDですか",
     "いまスマホで見ています", "携帯で見てるんですけど", "スマホで受け取れますか", "紙で欲しいけど住所が変わった"],
)  # fmt: skip
def test_a_way_named_in_a_question_or_a_statement_at_the_first_question_is_not_chosen(typed: str) -> None:
    said, slots = _at_the_first_question(typed, intent="nlu_fallback")
    assert "delivery_method" not in slots and not any(r.startswith("utter_delivery_noted") for r in said)


@pytest.mark.parametrize("typed", ["携帯持ってないので郵送でお願いします", "SMSじゃなくて郵送で"])
def test_a_way_chosen_by_turning_the_other_down_is_not_handed_back(typed: str) -> None:
    said, _ = _at_the_first_question(typed, intent="nlu_fallback")
    assert "utter_receiving_method_is_yours_to_choose" not in said


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("ゆうそうで受け取る", {"delivery_method": "post"}),
        ("ゆうびんでお願いいたします", {"delivery_method": "post"}),
        ("SMSてうけとります", {"delivery_method": "sms"}),  # flick: で without its dakuten
        ("マイページで見たいです", {"delivery_method": "mypage"}),
        ("SMSは嫌です", {}),
        ("郵送以外で", {}),
        ("SMSと郵送どっちが早い？", {}),
        ("郵送って何日かかる？", {}),
        ("SMSって料金かかる？", {}),
        ("携帯番号変わったんだけど", {}),
        ("SMSはちょっと…", {}),
        ("紙で欲しい", {"delivery_method": "post"}),
        ("どっちでもいいです", {}),
    ],
)
def test_the_delivery_question_answered_as_people_write(typed: str, expected: dict) -> None:
    slots = {"requested_slot": "delivery_method", "procedure": "send_connection_id", **VERIFIED}
    t = tracker("inform", text=typed, slots=slots, active_loop="procedure_form")
    assert asyncio.run(ValidateProcedureForm().extract_delivery_method(CollectingDispatcher(), t, {})) == expected


def test_a_delivery_method_for_another_procedure_is_still_no_id() -> None:
    t = tracker("inform", text="郵送で", slots={"requested_slot": "account_ref", "procedure": "send_ocn_id"})
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ValidateProcedureForm().extract_delivery_method(dispatcher, t, {})) == {}
    assert asyncio.run(ValidateProcedureForm().extract_account_ref(dispatcher, t, {})) == {"account_ref": INVALID}


def test_the_id_and_a_method_in_one_message_are_both_kept(client: FakeClient) -> None:
    """「N123456789 SMSでお願いします」 answers both halves of the connection ID's first question: the method is
    kept (and not asked after the verification) and the ID is verified; a method word inside an OCN ID is none."""
    said, slots = _at_the_first_question("N123456789 SMSでお願いします")
    assert said == ["utter_delivery_noted_sms", "utter_code_sent"] and slots["delivery_method"] == "sms"
    assert slots["account_ref"] == "N123456789"
    said, slots = _at_the_first_question("web01@ocn.ne.jp")
    assert "delivery_method" not in slots and slots["account_ref"] == "web01@ocn.ne.jp"


@pytest.mark.parametrize(
    "typed, intent, reply",
    [
        ("OCN IDでもいいですか", "ask_id_types", "utter_ocn_id_verifies_too"),
        ("メールアドレスでいい？", "inform", "utter_ocn_id_verifies_too"),
        ("お客さま番号がわからないんですけど", "nlu_fallback", "utter_ocn_id_verifies_too"),
        ("お客さま番号じゃないとだめですか", "nlu_fallback", "utter_ocn_id_verifies_too"),
        ("メアド忘れました", "change_ocn_id", "utter_customer_number_verifies_too"),
        # one ID given instead of the other (「間違えました、…」 read as a section of the page)
        (
            "間違えました、お客さま番号じゃなくてメールアドレスでお願いします",
            "nlu_fallback",
            "utter_ocn_id_verifies_too",
        ),
        ("OCN IDではなくお客さま番号で", "inform", "utter_customer_number_verifies_too"),
        ("お客さま番号じゃなくてOCN IDにしたい", "check_ocn_id", "utter_ocn_id_verifies_too"),  # the ID, no switch
        ("お客さま番号がわからないのでOCN IDでもいいですか", "nlu_fallback", "utter_ocn_id_verifies_too"),
        ("普段使ってるOCN IDでもいいですか", "nlu_fallback", "utter_ocn_id_verifies_too"),  # OCN's, named
        ("お客さま番号がわからないのでメールアドレスでもいいですか", "nlu_fallback", "utter_ocn_id_verifies_too"),
        (
            "えーとお客さま番号はちょっと今わからないんですけどメールアドレスなら分かります",
            "nlu_fallback",
            "utter_ocn_id_verifies_too",
        ),  # fmt: skip
        ("接続用IDしかわかりません", "check_connection_id", "utter_connection_id_verifies_too"),
    ],
)
def test_which_id_will_do_is_answered_at_the_id_question(
    client: FakeClient, typed: str, intent: str, reply: str
) -> None:
    """「OCN IDでもいいですか」 at 「お客さま番号…またはOCN ID…をご入力ください」 got the three IDs' answer, and
    「メールアドレスでいい？」 「…の形でご入力ください」: which ID verifies is said, the form asks again, no code."""
    slots = {"requested_slot": "account_ref", "procedure": "reset_ocn_password"}
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateProcedureForm().run(dispatcher, t, form_domain()))
    assert responses(dispatcher.messages) == [reply] and reply in DOMAIN_YML["responses"]
    assert slot_events(events)["account_ref"] is None and client.calls == []


@pytest.mark.parametrize(
    "typed",
    [
        "OCN IDのパスワードを忘れました",
        "接続用IDがわからない",
        "お客さま番号とOCN IDどっちがいい",
        "たしかお客さま番号は",
        "ヤフーメールでも大丈夫ですか",  # another service's address: not answered as the OCN ID's
        "hotmailでもいいですか",
        "会社のメールでもいいですか",
    ],
)
def test_what_is_not_about_which_id_verifies_is_left_to_the_rest(typed: str) -> None:
    assert which_id_verifies(typed) is None


def test_another_procedure_asked_for_instead_at_the_id_question_is_no_question_of_which_id(client: FakeClient) -> None:
    """「お客さま番号じゃなくてOCN IDを確認したい」 at the customer number look-up's ID question switches (the
    procedure-change reader), not 「OCN IDでも、ご本人確認いただけます」."""
    typed = "お客さま番号じゃなくてOCN IDを確認したい"
    slots = {"requested_slot": "account_ref", "procedure": "send_customer_number"}
    t = tracker("check_ocn_id", text=typed, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    validated = asyncio.run(ValidateProcedureForm().run(dispatcher, t, form_domain()))
    assert responses(dispatcher.messages) == [] and "account_ref" not in slot_events(validated)
    # Read as a value (inform), it is no mistyped ID either: the form leaves it to the switch.
    as_value = tracker("inform", text=typed, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    validated = asyncio.run(ValidateProcedureForm().run(dispatcher, as_value, form_domain()))
    assert responses(dispatcher.messages) == [] and "account_ref" not in slot_events(validated)
    messages, events = run(ActionAnswer(), t)
    assert responses(messages) == ["utter_procedure_switched"] and slot_events(events)["procedure"] == "send_ocn_id"


def test_an_id_not_at_hand_read_surely_as_where_to_find_it_gets_that_answer() -> None:
    """「お客さま番号がわかりません」 read surely (0.9) as the customer number's look-up: its answer is given by the
    question-during-a-procedure rule (the ID question after it names both IDs); the blind writers expected it."""
    typed = "お客さま番号がわかりません"
    t = tracker("check_customer_number", text=typed, slots={"requested_slot": "account_ref"})
    assert which_id_verifies(typed, t) is None
    assert which_id_verifies("お客さま番号でもいいですか", t) == "utter_customer_number_verifies_too"


def _at_the_id_question(said: str) -> tuple[Any, CollectingDispatcher, list[dict[str, Any]]]:
    """The form validating `said` typed at the OCN ID look-up's ID question: (tracker, dispatcher, events)."""
    slots = {"requested_slot": "account_ref", "procedure": "send_ocn_id"}
    t = tracker("nlu_fallback", text=said, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    return t, dispatcher, asyncio.run(ValidateProcedureForm().run(dispatcher, t, form_domain()))


def test_an_address_said_aloud_is_offered_to_confirm_not_used_unseen(client: FakeClient) -> None:
    """Voice input types 「たろうどっとやまだあっと…」: the bot shows what it read as a button (the name's kana has
    other spellings) and sends nothing until the customer presses it or types the address."""
    said = "えーと たろうどっとやまだあっとおーしーえぬどっとねどっとじぇーぴー です"
    slots = {"requested_slot": "account_ref", "procedure": "send_ocn_id"}
    t, dispatcher, events = _at_the_id_question(said)
    assert responses(dispatcher.messages) == ["utter_spoken_address_check"]
    assert slot_events(events).get("account_ref") is None and client.calls == []
    # The question asked again carries the reading as its first button (LINE shows the last bubble's buttons).
    asked, _ = run(ActionAskAccountRef(), t)
    assert asked[-1]["buttons"][0] == {"title": "taro.yamada@ocn.ne.jp", "payload": "taro.yamada@ocn.ne.jp"}
    typed = tracker("inform", text="N123456789", slots=slots, active_loop="procedure_form")
    assert not run(ActionAskAccountRef(), typed)[0][-1].get("buttons")
    pressed = tracker("inform", text="taro.yamada@ocn.ne.jp", slots=slots, active_loop="procedure_form")
    slots_after = slot_events(asyncio.run(ValidateProcedureForm().run(CollectingDispatcher(), pressed, form_domain())))
    assert slots_after["account_ref"] == "taro.yamada@ocn.ne.jp" and client.calls


def _after_the_spoken_address(
    intent: str, text: str, confidence: float = 0.9, bot_turn_after: list[dict[str, Any]] | None = None
) -> Tracker:
    """The reply right after the bot showed 「taro.yamada@ocn.ne.jp」と読み取りました with the address's button
    (or, with `bot_turn_after`, after the bot's next turn: those messages as the dispatcher gave them)."""
    said = "たろうどっとやまだあっとおーしーえぬどっとねどっとじぇーぴー"
    button = {"title": "taro.yamada@ocn.ne.jp", "payload": "taro.yamada@ocn.ne.jp"}
    events = [
        {"event": "user", "text": said},
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_spoken_address_check"}},
        {
            "event": "bot",
            "text": "…",
            "metadata": {"utter_action": "utter_ask_account_ref"},
            "data": {"buttons": [button]},
        },
    ]
    if bot_turn_after is not None:
        events.append({"event": "user", "text": "SMSが来ません"})
        events += [
            {
                "event": "bot",
                "text": "…",
                "metadata": {"utter_action": m.get("response")},
                "data": {"buttons": m.get("buttons") or []},
            }
            for m in bot_turn_after
        ]
    events.append({"event": "user", "text": text})
    slots = {"requested_slot": "account_ref", "procedure": "send_ocn_id"}
    t = tracker(intent, text=text, slots=slots, active_loop="procedure_form", events=events)
    t.latest_message["intent"]["confidence"] = confidence
    return t


@pytest.mark.parametrize(
    ("intent", "text"), [("affirm", "はい"), ("affirm", "それで合ってます"), ("affirm", "はい、お願いします")]
)
def test_a_typed_yes_to_the_address_read_aloud_uses_it(client: FakeClient, intent: str, text: str) -> None:
    """Voice customers answer 「…と読み取りました」 in words as often as they press its button: a yes is the press."""
    t = _after_the_spoken_address(intent, text)
    slots_after = slot_events(asyncio.run(ValidateProcedureForm().run(CollectingDispatcher(), t, form_domain())))
    assert slots_after["account_ref"] == "taro.yamada@ocn.ne.jp" and client.calls


@pytest.mark.parametrize(
    ("intent", "text", "confidence"),
    [
        ("deny", "いいえ、違います", 0.9),
        ("affirm", "うーん", 0.5),
        ("affirm", "そうかな", 0.6),
        ("affirm", "はい、でもやっぱり違うかも", 0.9),
        ("affirm", "はい、後でお願いします", 0.9),
        # a yes that corrects the reading: nothing is sent to the address shown
        ("affirm", "はい、一文字違います", 0.9),
        ("affirm", "はい、違います", 0.9),
        ("affirm", "ちかいます", 0.9),
        ("affirm", "はい、たろうじゃなくてじろうです", 0.9),
        ("affirm", "ほぼ合ってます", 0.9),
        ("affirm", "はい、最後だけ違う", 0.9),
        ("affirm", "はい、もう一度言います", 0.9),
    ],
)
def test_no_code_is_sent_for_an_unsure_or_negative_reply_to_the_address(
    client: FakeClient, intent: str, text: str, confidence: float
) -> None:
    t = _after_the_spoken_address(intent, text, confidence)
    slots_after = slot_events(asyncio.run(ValidateProcedureForm().run(CollectingDispatcher(), t, form_domain())))
    assert not slots_after.get("account_ref") and client.calls == []


@pytest.mark.parametrize(
    "action, intent, text",
    [
        (ActionCodeNotReceived(), "code_not_received", "なんかえすえむえすが来ないんですけど"),
        (ActionResendCode(), "resend_code", "じゃあもう一回送ってください"),
    ],
)
def test_a_code_asked_for_before_the_address_is_confirmed_offers_it_again(
    client: FakeClient, action: Any, intent: str, text: str
) -> None:
    """Voice customers say the SMS did not come before they confirm the address read aloud: the bot says none has
    been sent yet, offers the same address again, and a 「はい」 after that sends the code to it."""
    t = _after_the_spoken_address(intent, text)
    messages, _ = run(action, t)
    assert responses(messages) == ["utter_code_waits_for_the_address"]
    assert messages[0]["address"] == "taro.yamada@ocn.ne.jp" and client.calls == []
    asked, _ = run(ActionAskAccountRef(), t)
    assert asked[-1]["buttons"][0] == {"title": "taro.yamada@ocn.ne.jp", "payload": "taro.yamada@ocn.ne.jp"}
    later = _after_the_spoken_address("affirm", "はい", bot_turn_after=asked)
    slots_after = slot_events(asyncio.run(ValidateProcedureForm().run(CollectingDispatcher(), later, form_domain())))
    assert slots_after["account_ref"] == "taro.yamada@ocn.ne.jp" and client.calls


def test_a_code_typed_before_the_address_is_confirmed_sends_nothing(client: FakeClient) -> None:
    t = _after_the_spoken_address("inform", "482910")
    dispatcher = CollectingDispatcher()
    slots_after = slot_events(asyncio.run(ValidateProcedureForm().run(dispatcher, t, form_domain())))
    assert responses(dispatcher.messages) == ["utter_code_waits_for_the_address"]
    assert not slots_after.get("account_ref") and client.calls == []


@pytest.mark.parametrize(
    "text, intent, offered",
    [
        ("えすえむえすで", "inform", True),  # how to receive it, named first: the address still waits for its yes
        ("あれ、まだですか", "inform", True),
        ("482910", "inform", True),  # a code typed too early: none was sent, the address is offered again
        ("なんかえすえむえすが来ないんですけど", "code_not_received", True),
        ("いいえ、違います", "deny", False),
        ("はい、一文字違います", "affirm", False),
        ("違います、もう一度言います", "inform", False),  # a correction, though 「もう一度」 also asks for a new code
        ("合ってない", "deny", False),  # turned down in words the yes/no reading does not know
        ("NG", "deny", False),
        ("No, arigatou", "deny", False),
        ("やっぱりやめます", "cancel", False),
        ("N123456789", "inform", False),  # another ID typed: that one is used
        ("じろうどっとやまだあっとおーしーえぬどっとねどっとじぇーぴー", "nlu_fallback", False),  # the new reading
        ("次郎ドット山田アットマークオーシーエヌドットエヌイードットジェイピー", "nlu_fallback", False),  # in kanji too
    ],
)
def test_the_address_read_aloud_stays_offered_until_answered(text: str, intent: str, offered: bool) -> None:
    t = _after_the_spoken_address(intent, text)
    asked, _ = run(ActionAskAccountRef(), t)
    first = (asked[-1].get("buttons") or [{}])[0]
    assert (first.get("payload") == "taro.yamada@ocn.ne.jp") is offered


@pytest.mark.parametrize(
    "typed, confidence, cancelled",
    [
        ("んーどうかな", 0.49, False),  # read as a cancel unsurely, no word that stops: asked again
        ("それで", 0.45, False),
        ("やっぱりやめます", 0.49, True),  # the words stop it
        ("キャンセルで", 0.9, True),
        ("はい、いえ、ちょっと", 0.9, True),  # read surely
        # read unsurely, but words that decline: cancelled
        ("送らないでください", 0.5, True),
        ("もう大丈夫です", 0.5, True),
        ("今回はいいや", 0.5, True),
        ("なしで", 0.5, True),
        ("しなくていいです", 0.5, True),
        ("もういっか", 0.32, True),
        # questions about stopping, or 「いいか」 inside a word: asked again, the procedure kept
        ("中断したらどうなりますか", 0.5, False),
        ("保留にできますか", 0.5, False),
        ("これでいいかな", 0.5, False),
        ("もういっかいせつめいして", 0.5, False),
    ],
)
def test_an_unsure_cancel_at_the_final_question_asks_it_again(typed: str, confidence: float, cancelled: bool) -> None:
    slots = {"procedure": "login_history", "requested_slot": "procedure_confirmed", "verification_id": "v-1"}
    t = tracker("cancel", text=typed, slots=slots, active_loop="procedure_form")
    t.latest_message["intent"]["confidence"] = confidence
    messages, events = run(ActionCancelProcedure(), t)
    assert ("utter_procedure_cancelled" in responses(messages)) is cancelled
    if not cancelled:
        # a cushion, then the form asks its question again (its loop is not ended)
        assert responses(messages) == ["utter_ask_yes_no_again"]
        assert not [e for e in events if e.get("event") == "active_loop"]
        assert {"event": "followup", "name": "procedure_form"} in [
            {k: e.get(k) for k in ("event", "name")} for e in events
        ]


@pytest.mark.parametrize(
    "typed, pending, goodbye",
    [
        ("もういいよ", "survey", True),
        ("いや、もう結構です", None, True),
        ("もういらない！", "survey", True),
        ("もういいです、やめます", "survey", True),  # the word that ends it, after the same
        ("もういいわ。おわり", None, True),
        ("じゃあいいです", None, True),
        ("もういいです、やめたらどうなりますか", None, False),  # a question
        ("キャンセルしたい", None, False),  # a cancel asked for: there is nothing to cancel, said so
        ("もういいです", "offer_procedure", False),  # the offer's no is read by its own question
    ],
)
def test_had_enough_after_an_answer_is_a_goodbye(typed: str, pending: str | None, goodbye: bool) -> None:
    t = tracker("cancel", text=typed, slots={"pending_question": pending})
    messages, _ = run(ActionCancelProcedure(), t)
    assert (responses(messages) == ["utter_goodbye"]) is goodbye


@pytest.mark.parametrize(
    "typed, confidence, expected",
    [
        ("あ、そうだ", 0.46, None),  # read as a no unsurely, no word of one: asked again
        ("ちがうちがう", 0.95, False),
        ("いいえ", 0.46, False),  # a no in words
        ("送らないでください", 0.5, False),  # declining words the yes/no reading does not know
        ("遠慮しておきます", 0.5, False),
        ("今回は見送ります", 0.5, False),
        ("メールソフトの方もやらなきゃだめ", 0.43, None),  # what must be done, asked: not a no
        ("これって後で取り消せますか", 0.9, None),  # a question read surely as a no: asked again
        ("いいえ、取り消してください", 0.9, False),
    ],
)
def test_an_unsure_no_at_the_final_question_is_asked_again(
    typed: str, confidence: float, expected: bool | None
) -> None:
    slots = {"requested_slot": "procedure_confirmed", "procedure": "login_history"}
    t = tracker("deny", text=typed, slots=slots, active_loop="procedure_form")
    t.latest_message["intent"]["confidence"] = confidence
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(CollectingDispatcher(), t, {}))
    assert result == {"procedure_confirmed": expected}


@pytest.mark.parametrize(
    "typed, intent, procedure, response",
    [
        (
            "再設定のリンクはいつまで有効ですか",
            "out_of_scope",
            "reset_ocn_password",
            "utter_procedure_details_not_on_page",
        ),
        (
            "SMSってどれくらいで届きますか",
            "code_not_received",
            "reset_ocn_password",
            "utter_procedure_details_not_on_page",
        ),
        ("料金はかかりますか", "out_of_scope", "show_customer_number", "utter_procedure_details_not_on_page"),
        ("郵送だと何日くらいかかりますか", "nlu_fallback", "send_connection_id", "utter_receiving_details_not_on_page"),
        ("いつ届きますか", "nlu_fallback", "send_connection_id", "utter_procedure_details_not_on_page"),
        ("リンクはいつ頃来ますか", "nlu_fallback", "reset_ocn_password", "utter_procedure_details_not_on_page"),
        # where it goes: the final question, asked again, says it (it had got topic buttons first)
        ("リンクってどこに届くの？", "code_not_received", "reset_ocn_password", "utter_destination_in_the_question"),
        ("どの携帯に送られますか", "nlu_fallback", "send_customer_number", "utter_destination_in_the_question"),
        # a fact the page does state, of another topic: that fact
        (
            "メールアドレスを変更したら、前のアドレスのメールはどれくらい転送されますか",
            "nlu_fallback",
            "send_ocn_id",
            "utter_fact_change_ocn_id_forwarding",
        ),
        # not a question of the procedure's details: read as before
        ("有効にしてください", "affirm", "reset_ocn_password", None),
        ("はい、お願いします", "affirm", "reset_ocn_password", None),
        ("何日も待てないのでやめます", "cancel", "reset_ocn_password", None),  # said, not asked
        ("はい、何日かかっても大丈夫です", "affirm", "reset_ocn_password", None),
        ("郵送は時間がかかるからSMSにしたい", "inform", "send_connection_id", None),
        ("どこに表示されますか", "nlu_fallback", "login_history", None),  # nothing sent: not where it goes
    ],
)
def test_a_detail_the_page_does_not_give_is_said_so_at_the_final_question(
    typed: str, intent: str, procedure: str, response: str | None
) -> None:
    """At 「…よろしいですか？」, a question on how the procedure goes that the help page does not answer is told so
    (with the contact page when one is set), never cancelled nor answered 「このチャットではIDについて…」, and the
    final question is asked again."""
    slots = {"requested_slot": "procedure_confirmed", "procedure": procedure, "delivery_method": "post"}
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(dispatcher, t, {}))
    said = [m["response"].removesuffix("_no_link") for m in dispatcher.messages]
    if response:
        assert said == [response] and result == {"procedure_confirmed": None}
    else:
        assert not {
            "utter_procedure_details_not_on_page",
            "utter_receiving_details_not_on_page",
            "utter_destination_in_the_question",
        } & set(said)


@pytest.mark.parametrize(
    "typed, intent, procedure, answer",
    [
        ("再設定したらメールソフトのほうも変えないといけないですか", "nlu_fallback", "reset_ocn_password", True),
        ("メールソフトもやらなきゃだめ？", "deny", "reset_ocn_password", True),
        ("はい、お願いします。iPhoneのメールの設定も必要ですか", "affirm", "reset_ocn_password", True),
        # The procedure's own words (SMS, 本人確認) in it: still the mail app's question.
        (
            "SMSで届いたリンクから再設定したら、メールソフトの設定も変えないといけないですか",
            "nlu_fallback",
            "reset_ocn_password",
            True,
        ),
        ("本人確認のあと、メールソフトの設定も変更が必要ですか？", "nlu_fallback", "reset_ocn_password", True),
        ("スマホに届くんですか", "affirm", "reset_ocn_password", False),  # where the link goes, not the mail app
        ("メールソフトは自分で直します", "affirm", "reset_ocn_password", False),  # states, asks nothing
        ("メールソフトの設定も変えるんですか", "nlu_fallback", "login_history", False),  # no fact of its own
    ],
)
def test_a_question_on_the_procedures_fact_at_the_final_question_is_answered(
    typed: str, intent: str, procedure: str, answer: bool
) -> None:
    """At 「…よろしいですか？」 the mail app's question is answered and the yes asked again: nothing is sent,
    nothing cancelled."""
    slots = {"requested_slot": "procedure_confirmed", "procedure": procedure}
    t = tracker(intent, text=typed, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(dispatcher, t, {}))
    answered = responses(dispatcher.messages) == ["utter_fact_mail_app_settings"]
    assert answered is answer
    if answer:
        assert result == {"procedure_confirmed": None}


@pytest.mark.parametrize(
    "typed, answered",
    [
        ("郵送に変更できますか？", False),  # the sending, not the number
        ("送り先を変えられますか？", False),
        ("お客さま番号って変わることありますか？", True),
    ],
)
def test_the_ids_own_fact_at_the_final_question_needs_the_id_named(typed: str, answered: bool) -> None:
    slots = {"requested_slot": "procedure_confirmed", "procedure": "send_customer_number"}
    t = tracker("nlu_fallback", text=typed, slots=slots, active_loop="procedure_form")
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateProcedureForm().extract_procedure_confirmed(dispatcher, t, {}))
    assert ("utter_fact_customer_number_fixed" in responses(dispatcher.messages)) is answered


def test_an_address_spelled_letter_by_letter_is_used_and_said_back(client: FakeClient) -> None:
    """Letters spelled out have one spelling, as if typed: the code is sent, and the reading is shown so that a
    misheard letter is seen."""
    said = "ティーエーアールオードットワイエーエムエーディーエーアットマークオーシーエヌドットエヌイードットジェイピー"
    _, dispatcher, events = _at_the_id_question(said)
    assert responses(dispatcher.messages)[0] == "utter_spelled_address_read"
    assert slot_events(events).get("account_ref") == "taro.yamada@ocn.ne.jp"


def test_a_name_in_kanji_said_aloud_is_read_in_kana_and_offered_to_confirm(client: FakeClient) -> None:
    said = "OCN IDは太郎ドット山田アットマークオーシーエヌドットエヌイードットジェーピーです"
    _, dispatcher, events = _at_the_id_question(said)
    assert responses(dispatcher.messages) == ["utter_spoken_address_check"]
    assert dispatcher.messages[0].get("address") == "taro.yamada@ocn.ne.jp"
    assert slot_events(events).get("account_ref") is None and client.calls == []
