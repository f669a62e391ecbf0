"""Verified account procedures: start, verify by one-time code, confirm, run, cancel.

The form asks; the account API (through actions.account_client) does. Every API failure
ends in a polite message and a clean state: nothing is half-done. The client is blocking
(requests), so its calls run in a worker thread and a slow API never stalls other
conversations on the action server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import buttons
from actions.account_client import AccountApiError, AccountApiUnavailable, AccountClient
from actions.conversation_state import (
    ask,
    forget_verification,
    is_verified,
    latest_entity,
    latest_intent,
    reset_procedure,
    turn_key,
)
from actions.faq_actions import PROCEDURE_FORM
from actions.links import link
from actions.topics import TOPICS
from channels.senders import is_shared_chat
from ocn_ids.parse import canonical_customer_number, canonical_mail, find_values, one_time_code

logger = logging.getLogger(__name__)

INVALID = "__invalid__"  # marks a typed value that is not an ID/code; never kept in a slot
PROCEDURES = ("reset_ocn_password", "send_connection_id", "send_customer_number", "send_ocn_id", "login_history")
JST = timezone(timedelta(hours=9))

_client: AccountClient | None = None


def account_client() -> AccountClient:
    """One client (one connection pool) per action-server process."""
    global _client
    if _client is None:
        _client = AccountClient.from_env()
    return _client


def _minutes(seconds: float | None, default: int) -> int:
    return max(1, int(round((seconds or default * 60) / 60)))


def _describe_contact(channel: str | None, masked: str | None) -> str:
    if channel == "sms":
        return f"携帯電話（{masked}）" if masked else "携帯電話"
    return f"メールアドレス（{masked}）" if masked else "メールアドレス"


def explain_api_error(dispatcher: CollectingDispatcher, error: Exception) -> list[dict[str, Any]]:
    """Tell the customer, in their words, why the account system said no; stop the procedure."""
    if isinstance(error, AccountApiUnavailable):
        dispatcher.utter_message(response="utter_api_unavailable")
        return [SlotSet("procedure_halt", "unavailable")]
    assert isinstance(error, AccountApiError)
    if error.code == "too_many_codes":
        dispatcher.utter_message(response="utter_too_many_codes", minutes=_minutes(error.retry_after, 60))
    elif error.code == "locked":
        dispatcher.utter_message(response="utter_verification_locked", minutes=_minutes(error.retry_after, 30))
    elif error.code == "not_verified":
        dispatcher.utter_message(response="utter_verification_expired")
        return [SlotSet("procedure_halt", error.code), *forget_verification()]
    else:
        dispatcher.utter_message(response="utter_api_rejected")
    return [SlotSet("procedure_halt", error.code)]


class ActionStartProcedure(Action):
    def name(self) -> str:
        return "action_start_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return start_procedure_events(tracker)


def start_procedure_events(tracker: Tracker) -> list[dict[str, Any]]:
    """A clean procedure run; what the customer already said (procedure, method) is kept."""
    procedure = latest_entity(tracker, "procedure")
    if procedure not in PROCEDURES:
        procedure = tracker.get_slot("offered_procedure")
    delivery = latest_entity(tracker, "delivery_method")
    if procedure is None and delivery:
        procedure = "send_connection_id"
    events = reset_procedure({"procedure": procedure, "delivery_method": delivery})
    if not is_verified(tracker):
        events += forget_verification()
    return events + [ask(None)]


class ValidateProcedureForm(FormValidationAction):
    def name(self) -> str:
        return "validate_procedure_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot("procedure_halt") or is_shared_chat(tracker.sender_id):
            return []  # a group chat is not one person: nothing to ask (ActionRunProcedure explains)
        slots = ["procedure"]
        if not is_verified(tracker):
            slots += ["account_ref", "otp_code"]
        if tracker.get_slot("procedure") == "send_connection_id":
            slots.append("delivery_method")
        return slots + ["procedure_confirmed"]

    async def extract_procedure(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Asked which procedure, the customer may just say what they want (ログイン履歴を見たい)."""
        if tracker.get_slot("requested_slot") != "procedure" or latest_entity(tracker, "procedure"):
            return {}
        topic = TOPICS.get(latest_intent(tracker) or "")
        return {"procedure": topic.procedure} if topic and topic.procedure else {}

    # --- who the customer is -------------------------------------------------
    async def extract_account_ref(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("account_ref") and tracker.get_slot("requested_slot") != "account_ref":
            return {}
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            return {}
        found = [f for f in find_values(text) if f.entity in ("customer_number", "ocn_id", "connection_id")]
        if found:
            return {"account_ref": found[0].value}
        requested = tracker.get_slot("requested_slot") == "account_ref"
        if requested and latest_intent(tracker) == "inform" or requested and any(c.isdigit() for c in text):
            return {"account_ref": INVALID}
        return {}

    async def validate_account_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        customer_number = canonical_customer_number(str(value)) if value != INVALID else None
        ocn_id = None if customer_number or value == INVALID else canonical_mail(str(value))
        if not customer_number and not ocn_id:
            dispatcher.utter_message(response="utter_invalid_account_ref")
            return {"account_ref": None}
        try:
            started = await asyncio.to_thread(
                account_client().start_verification,
                tracker.sender_id,
                customer_number=customer_number,
                ocn_id=ocn_id,
                idempotency_key=turn_key(tracker, "start_verification"),
            )
        except (AccountApiError, AccountApiUnavailable) as error:
            return {"account_ref": value, **_slots(explain_api_error(dispatcher, error))}
        dispatcher.utter_message(response="utter_code_sent", minutes=_minutes(started.expires_in, 10))
        return {"account_ref": customer_number or ocn_id, "verification_id": started.verification_id, "otp_code": None}

    # --- the one-time code (never kept: the slot only ever holds None) ---------
    async def extract_otp_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "otp_code":
            return {}
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            return {}
        code = one_time_code(text)
        if code:
            return {"otp_code": code}
        if any(c.isdigit() for c in text) or latest_intent(tracker) == "inform":
            return {"otp_code": INVALID}
        return {}

    async def validate_otp_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == INVALID or not value:
            dispatcher.utter_message(response="utter_invalid_code_format")
            return {"otp_code": None}
        verification_id = tracker.get_slot("verification_id")
        if not verification_id:
            return {"otp_code": None, "account_ref": None}
        try:
            confirmed = await asyncio.to_thread(
                account_client().confirm_verification,
                verification_id,
                tracker.sender_id,
                str(value),
                idempotency_key=turn_key(tracker, "confirm"),
            )
        except AccountApiError as error:
            if error.code == "invalid_code":
                dispatcher.utter_message(response="utter_wrong_code", attempts_left=error.attempts_left or 0)
                return {"otp_code": None}
            if error.code in ("expired", "not_found"):
                dispatcher.utter_message(response="utter_code_expired")
                return {"otp_code": None, "account_ref": None, "verification_id": None}
            return {"otp_code": None, **_slots(explain_api_error(dispatcher, error))}
        except AccountApiUnavailable as error:
            return {"otp_code": None, **_slots(explain_api_error(dispatcher, error))}
        dispatcher.utter_message(response="utter_verified")
        return {"otp_code": None, "verified_until": confirmed.verified_until_epoch}

    # --- how to deliver, and the final yes ----------------------------------
    async def validate_delivery_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value not in ("sms", "post", "mypage"):
            return {"delivery_method": None}
        if value == "sms":
            try:
                summary = await asyncio.to_thread(
                    account_client().account_summary, tracker.get_slot("verification_id"), tracker.sender_id
                )
            except (AccountApiError, AccountApiUnavailable) as error:
                return {"delivery_method": value, **_slots(explain_api_error(dispatcher, error))}
            if summary.contact_channel != "sms":
                dispatcher.utter_message(response="utter_no_mobile")
                return {"delivery_method": None}
        return {"delivery_method": value}

    async def validate_procedure_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"procedure_confirmed": bool(value)}


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


class _AskWithButtons(Action):
    """The form's question for a slot, with buttons whose payloads carry entities."""

    slot = ""
    make_buttons: Callable[[], list[dict[str, str]]]

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response=f"utter_ask_{self.slot}", buttons=type(self).make_buttons())
        return []


class ActionAskProcedure(_AskWithButtons):
    slot = "procedure"
    make_buttons = staticmethod(buttons.procedures)


class ActionAskDeliveryMethod(_AskWithButtons):
    slot = "delivery_method"
    make_buttons = staticmethod(buttons.delivery_methods)


class ActionAskProcedureConfirmed(Action):
    """Says exactly what will happen, with the masked destination, before anything is sent."""

    def name(self) -> str:
        return "action_ask_procedure_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        procedure = tracker.get_slot("procedure")
        method = tracker.get_slot("delivery_method")
        destination = ""
        if procedure != "login_history" and method != "mypage":
            try:
                summary = await asyncio.to_thread(
                    account_client().account_summary, tracker.get_slot("verification_id"), tracker.sender_id
                )
                destination = (
                    summary.address_masked or "ご住所"
                    if method == "post"
                    else _describe_contact(summary.contact_channel, summary.contact_masked)
                )
            except (AccountApiError, AccountApiUnavailable):
                destination = "ご住所" if method == "post" else "連絡先"  # asked anyway; running reports failures
        response = {
            "reset_ocn_password": "utter_confirm_password_reset",
            "send_customer_number": "utter_confirm_customer_number",
            "send_ocn_id": "utter_confirm_ocn_id",
            "login_history": "utter_confirm_login_history",
        }.get(procedure or "", f"utter_confirm_connection_{method}")
        dispatcher.utter_message(response=response, destination=destination, buttons=buttons.yes_no())
        return []


class ActionRunProcedure(Action):
    def name(self) -> str:
        return "action_run_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if is_shared_chat(tracker.sender_id):
            # Everyone in a LINE group or room shares this conversation: no verification, no account data.
            dispatcher.utter_message(response="utter_procedure_needs_private_chat")
            return reset_procedure() + forget_verification() + [ask(None)]
        if tracker.get_slot("procedure_halt"):
            return reset_procedure() + [ask(None)]  # the reason was already explained
        if not tracker.get_slot("procedure_confirmed"):
            dispatcher.utter_message(response="utter_procedure_cancelled")
            return reset_procedure() + [ask(None)]
        try:
            events = await asyncio.to_thread(self._run, tracker.get_slot("procedure"), tracker, dispatcher)
        except (AccountApiError, AccountApiUnavailable) as error:
            halt = explain_api_error(dispatcher, error)
            return reset_procedure() + [e for e in halt if e["name"] != "procedure_halt"] + [ask(None)]
        dispatcher.utter_message(response="utter_ask_survey")
        return reset_procedure() + events + [ask("survey")]

    def _run(self, procedure: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        client = account_client()
        verification_id, conversation = tracker.get_slot("verification_id"), tracker.sender_id
        key = turn_key(tracker, procedure)
        if procedure == "reset_ocn_password":
            sent = client.send_password_reset(verification_id, conversation, idempotency_key=key)
            dispatcher.utter_message(
                response="utter_done_password_reset",
                destination=_describe_contact(sent.channel, sent.destination_masked),
            )
        elif procedure == "send_connection_id":
            method = tracker.get_slot("delivery_method")
            sent = client.send_connection_credentials(verification_id, conversation, method, idempotency_key=key)
            if method == "mypage":
                dispatcher.utter_message(response="utter_done_connection_mypage", link=link("check_connection_id"))
            elif method == "post":
                dispatcher.utter_message(
                    response="utter_done_connection_post",
                    destination=sent.destination_masked,
                    eta_days=sent.eta_days or 5,
                )
            else:
                dispatcher.utter_message(
                    response="utter_done_connection_sms", destination=_describe_contact("sms", sent.destination_masked)
                )
        elif procedure == "send_customer_number":
            sent = client.send_customer_number(verification_id, conversation, idempotency_key=key)
            dispatcher.utter_message(
                response="utter_done_customer_number",
                masked=sent.customer_number_masked,
                destination=_describe_contact(sent.channel, sent.destination_masked),
            )
        elif procedure == "send_ocn_id":
            sent = client.send_ocn_id(verification_id, conversation, idempotency_key=key)
            dispatcher.utter_message(
                response="utter_done_ocn_id",
                masked=sent.ocn_id_masked,
                destination=_describe_contact(sent.channel, sent.destination_masked),
            )
        elif procedure == "login_history":
            logins = client.login_history(verification_id, conversation)
            dispatcher.utter_message(text=format_login_history(logins))
            if any(login.unfamiliar for login in logins):
                dispatcher.utter_message(
                    response="utter_login_history_unfamiliar",
                    buttons=[buttons.start_procedure("reset_ocn_password", "パスワードを再設定する")],
                )
        return []


def format_login_history(logins: list[Any]) -> str:
    """Short lines for a phone screen: 11/24 09:12 東京都 iPhone 成功 (⚠ = unfamiliar)."""
    if not logins:
        return "直近のログイン履歴はありません。"
    lines = [f"直近{len(logins)}件のログイン履歴です（⚠は普段と違うログイン）。"]
    for login in logins:
        when = datetime.fromisoformat(str(login.time).replace("Z", "+00:00")).astimezone(JST)
        mark = "⚠ " if login.unfamiliar else ""
        result = "成功" if login.success else "失敗"
        lines.append(f"{mark}{when:%m/%d %H:%M} {login.region} {login.device} {result}")
    return "\n".join(lines)


class ActionCancelProcedure(Action):
    def name(self) -> str:
        return "action_cancel_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        running = tracker.active_loop_name == PROCEDURE_FORM or tracker.get_slot("procedure")
        dispatcher.utter_message(response="utter_procedure_cancelled" if running else "utter_no_procedure_to_cancel")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_procedure(), ask(None)]
