"""Verified account procedures: start, verify by one-time code, confirm, run, cancel.

The form asks; the account API (through actions.account_client) does. Every API failure
ends in a polite message and a clean state: nothing is half-done. The client is blocking
(requests), so its calls run in a worker thread and a slow API never stalls other
conversations on the action server.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import buttons
from actions.account_client import AccountApiError, AccountApiOutcomeUnknown, AccountApiUnavailable, AccountClient
from actions.choices import is_plain_yes_no, read_choice, read_yes_no
from actions.conversation_state import (
    PROCEDURE_FORM,
    ask,
    forget_verification,
    is_verified,
    latest_entity,
    latest_intent,
    reset_procedure,
    turn_key,
)
from actions.links import link
from actions.password_warning import typed_password, warns_about_typed_password
from actions.topics import TOPICS
from channels.client_ref import from_metadata
from channels.senders import is_shared_chat
from ocn_ids.parse import CONNECTION_ID_DOMAINS, canonical_customer_number, canonical_mail, find_values, one_time_code

logger = logging.getLogger(__name__)

INVALID = "__invalid__"  # marks a typed value that is not an ID/code; never kept in a slot
JST = timezone(timedelta(hours=9))

_client: AccountClient | None = None


def account_client() -> AccountClient:
    """One client (one connection pool) per action-server process."""
    global _client
    if _client is None:
        _client = AccountClient.from_env()
    return _client


def _minutes(seconds: int | None) -> int | None:
    return None if seconds is None else max(1, round(seconds / 60))


# Each response that shows a figure from the account system, and its twin without the figure.
_UNNUMBERED: dict[str, str] = {
    "utter_too_many_codes": "utter_too_many_codes_unnumbered",
    "utter_verification_locked": "utter_verification_locked_unnumbered",
    "utter_wrong_code": "utter_wrong_code_unnumbered",
    "utter_done_connection_post": "utter_done_connection_post_unnumbered",
}


def _utter_figure(dispatcher: CollectingDispatcher, response: str, name: str, value: int | None, **fills: Any) -> None:
    """`response` with the account system's figure in `{name}`, or `<response>_unnumbered` (the same
    text without it) when the API's reply lacks it: figures the account system decides are never
    made up here (docs/style.md §6)."""
    if value is None:
        dispatcher.utter_message(response=_UNNUMBERED[response], **fills)
    else:
        dispatcher.utter_message(response=response, **{name: value}, **fills)


def describe_contact(channel: str | None, masked: str | None) -> str:
    if channel == "sms":
        return f"携帯電話（{masked}）" if masked else "携帯電話"
    return f"メールアドレス（{masked}）" if masked else "メールアドレス"


def explain_api_error(dispatcher: CollectingDispatcher, error: Exception) -> list[dict[str, Any]]:
    """Tell the customer, in their words, why the account system said no; stop the procedure."""
    if isinstance(error, AccountApiOutcomeUnknown):  # it may have been carried out: never say it was not
        dispatcher.utter_message(response="utter_api_outcome_unknown")
        return [SlotSet("procedure_halt", "outcome_unknown")]
    if isinstance(error, AccountApiUnavailable):  # known not carried out (the client asked, or nothing reached the API)
        dispatcher.utter_message(response="utter_api_unavailable")
        return [SlotSet("procedure_halt", "unavailable")]
    assert isinstance(error, AccountApiError)
    if error.code == "too_many_codes":
        _utter_figure(dispatcher, "utter_too_many_codes", "minutes", _minutes(error.retry_after))
    elif error.code == "locked":
        _utter_figure(dispatcher, "utter_verification_locked", "minutes", _minutes(error.retry_after))
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
    """A clean procedure run; what the customer already said (procedure, method) is kept. An offered
    procedure counts only while the offer is the open question: an ID typed later chooses nothing."""
    procedure = latest_entity(tracker, "procedure")
    if procedure not in PROCEDURES and tracker.get_slot("pending_question") == "offer_procedure":
        procedure = tracker.get_slot("offered_procedure")
    delivery = latest_entity(tracker, "delivery_method")
    if procedure is None and delivery:
        procedure = "send_connection_id"
    events = reset_procedure({"procedure": procedure, "delivery_method": delivery})
    if not is_verified(tracker):
        events += forget_verification()
    return events + [ask(None)]


async def start_verification(
    dispatcher: CollectingDispatcher, tracker: Tracker, account_ref: str, what: str = "start_verification"
) -> dict[str, Any]:
    """Send a one-time code for `account_ref` (canonical customer number or mail); the slots to set.

    The destination hint the API returns (masked; a stable decoy for unknown accounts) is kept so
    「コードが届きません」 can be answered with where the code went.
    """
    customer_number = canonical_customer_number(account_ref)
    # A connection ID (on the letter, under an OCN connection domain) is looked up as one, not as an OCN ID.
    connection_id = account_ref if not customer_number and is_connection_id(account_ref) else None
    try:
        started = await asyncio.to_thread(
            account_client().start_verification,
            tracker.sender_id,
            customer_number=customer_number,
            ocn_id=None if customer_number or connection_id else account_ref,
            connection_id=connection_id,
            # Who is asking, as the channel saw it (opaque): the API limits codes per account and client.
            client_ref=from_metadata((tracker.latest_message or {}).get("metadata")),
            idempotency_key=turn_key(tracker, what),
        )
    except (AccountApiError, AccountApiUnavailable) as error:
        return _slots(explain_api_error(dispatcher, error))
    destination = describe_contact(started.channel, started.destination_hint) if started.channel else None
    dispatcher.utter_message(
        response="utter_code_resent" if what == "resend_code" else "utter_code_sent",
        minutes=_minutes(started.expires_in),  # always in the reply (openapi.yaml)
        destination=destination or "ご登録の携帯電話（SMS）またはメール",
    )
    return {"verification_id": started.verification_id, "code_destination": destination, "otp_code": None}


def is_connection_id(account_ref: str) -> bool:
    """A canonical address under one of OCN's connection domains (ocn_ids/parse.py) is a connection ID."""
    return account_ref.rpartition("@")[2] in CONNECTION_ID_DOMAINS


_MISTAKE = re.compile(r"間違|まちが|違いました|ちがいました|違います|ちがいます")


class _VerificationSlots:
    """The form's slots that verify the customer: which account (account_ref) and the one-time code
    (otp_code). A code is sent only once a procedure is chosen; a second ID or 「間違えました」 while
    waiting for the code starts the verification again for the right one."""

    # --- who the customer is -------------------------------------------------
    async def extract_account_ref(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            return {}
        found = [f for f in find_values(text) if f.entity in ("customer_number", "ocn_id", "connection_id")]
        if requested == "otp_code":
            # A second ID while waiting for the code, or 「間違えました」: verify again for the right one.
            if found and found[0].value != tracker.get_slot("account_ref"):
                dispatcher.utter_message(response="utter_restart_verification")
                return {"account_ref": found[0].value}  # validated below: a new code for it
            if _MISTAKE.search(text) and "コード" not in text and not one_time_code(text):
                dispatcher.utter_message(response="utter_restart_verification")
                return {"account_ref": None}
            return {}
        if tracker.get_slot("account_ref") and requested != "account_ref":
            return {}
        if found:
            return {"account_ref": found[0].value}
        if requested == "account_ref" and (latest_intent(tracker) == "inform" or any(c.isdigit() for c in text)):
            return {"account_ref": INVALID}
        return {}

    async def validate_account_ref(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # Only what validation returns is kept (rasa_sdk drops other extracted slots), so the
        # verification of the mistyped ID is forgotten here.
        if value is None:
            return {"account_ref": None, "verification_id": None, "code_destination": None}  # 「間違えました」
        customer_number = canonical_customer_number(str(value)) if value != INVALID else None
        account_ref = customer_number or (None if value == INVALID else canonical_mail(str(value)))
        if not account_ref:
            if not typed_password(tracker):  # a password: warned once; the form asks for the ID again
                dispatcher.utter_message(response="utter_invalid_account_ref")
            return {"account_ref": None}
        if not tracker.get_slot("procedure"):
            return {"account_ref": account_ref}  # nothing is sent before the customer chose what to do
        return {"account_ref": account_ref, **await start_verification(dispatcher, tracker, account_ref)}

    # --- the one-time code (never kept: the slot only ever holds None) ---------
    async def extract_otp_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "otp_code":
            return {}
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            return {}
        if any(f.entity in ("customer_number", "ocn_id", "connection_id") for f in find_values(text)):
            return {}  # an ID, not a code: extract_account_ref starts the verification again
        code = one_time_code(text)
        if code:
            return {"otp_code": code}
        if any(c.isdigit() for c in text) or latest_intent(tracker) == "inform":
            return {"otp_code": INVALID}
        return {}

    async def validate_otp_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"otp_code": None}
        if value == INVALID:
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
                _utter_figure(dispatcher, "utter_wrong_code", "attempts_left", error.attempts_left)
                return {"otp_code": None}
            if error.code in ("expired", "not_found"):
                dispatcher.utter_message(response="utter_code_expired")
                return {"otp_code": None, "account_ref": None, "verification_id": None}
            return {"otp_code": None, **_slots(explain_api_error(dispatcher, error))}
        except AccountApiUnavailable as error:
            return {"otp_code": None, **_slots(explain_api_error(dispatcher, error))}
        dispatcher.utter_message(response="utter_verified")
        # A resend offer (「新しいコードをお送りしますか？」) is no longer open.
        return {"otp_code": None, "verified_until": confirmed.verified_until_epoch, "pending_question": None}


class ValidateProcedureForm(_VerificationSlots, FormValidationAction):
    def name(self) -> str:
        return "validate_procedure_form"

    @warns_about_typed_password
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return await super().run(dispatcher, tracker, domain)

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

    # --- what to do ------------------------------------------------------------
    async def extract_procedure(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Asked which procedure, the customer may type a button's label or number, or just say what
        they want (ログイン履歴を見たい)."""
        if tracker.get_slot("requested_slot") != "procedure" or latest_entity(tracker, "procedure"):
            return {}
        return _read_choice_slot("procedure", dispatcher, tracker) or _procedure_from_topic(tracker)

    async def validate_procedure(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An ID given before the procedure was chosen is verified now, once the customer chose.
        At the final question the choice is fixed: a procedure arriving with the answer
        (`/affirm{"procedure": ...}`) never changes what the customer was asked to confirm."""
        if tracker.get_slot("requested_slot") == "procedure_confirmed":
            return {"procedure": _value_before_this_message(tracker, "procedure")}
        if value not in PROCEDURES:
            return {"procedure": None}
        held = tracker.get_slot("account_ref")
        if held and not tracker.get_slot("verification_id") and not is_verified(tracker):
            return {"procedure": value, **await start_verification(dispatcher, tracker, held)}
        return {"procedure": value}

    # --- how to deliver, and the final yes ----------------------------------
    async def extract_delivery_method(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "delivery_method" or latest_entity(tracker, "delivery_method"):
            return {}
        return _read_choice_slot("delivery_method", dispatcher, tracker)

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

    async def extract_procedure_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """「大丈夫です」 after 「よろしいですか？」 agrees; 「結構です」 is asked back (it goes either way)."""
        if tracker.get_slot("requested_slot") != "procedure_confirmed":
            return {}
        text = tracker.latest_message.get("text") or ""
        reading = None if text.startswith("/") else read_yes_no("procedure_confirmed", text)
        if reading is None:
            reading = {"affirm": "yes", "deny": "no"}.get(latest_intent(tracker) or "")
        if reading == "unclear":
            dispatcher.utter_message(response="utter_ask_yes_no_again")
            return {"procedure_confirmed": None}
        return {"procedure_confirmed": reading == "yes"} if reading else {}

    async def validate_procedure_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"procedure_confirmed": None if value is None else bool(value)}


def _read_choice_slot(question: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """A typed answer to the form's choice question: the slot, or (when it names several) the
    candidates to pick from; {} when the text is not an answer (the form lets the rules handle it)."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return {}
    if is_plain_yes_no(question, text):
        dispatcher.utter_message(response="utter_ask_choice_again")  # the form then asks its question again
        return {question: None}
    found = read_choice(question, text)
    if len(found) == 1:
        return {question: found[0].value}
    if found:
        dispatcher.utter_message(
            response="utter_which_one", buttons=[{"title": c.title, "payload": c.payload} for c in found]
        )
        return {question: None}
    return {}


def _procedure_from_topic(tracker: Tracker) -> dict[str, Any]:
    topic = TOPICS.get(latest_intent(tracker) or "")
    return {"procedure": topic.procedure} if topic and topic.procedure else {}


def _value_before_this_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value as it was when the customer's latest message arrived."""
    before = tracker.events
    for index in range(len(before) - 1, -1, -1):
        if before[index].get("event") == "user":
            before = before[:index]
            break
    return next((e.get("value") for e in reversed(before) if e.get("event") == "slot" and e.get("name") == slot), None)


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
    """Which procedure; when the customer gave an ID first, it says that choosing one sends a code."""

    slot = "procedure"
    make_buttons = staticmethod(buttons.procedures)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("account_ref") and not tracker.get_slot("verification_id"):
            dispatcher.utter_message(response="utter_ask_procedure_for_id", buttons=buttons.procedures())
            return []
        return await super().run(dispatcher, tracker, domain)


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
                    else describe_contact(summary.contact_channel, summary.contact_masked)
                )
            except (AccountApiError, AccountApiUnavailable):
                destination = "ご住所" if method == "post" else "連絡先"  # asked anyway; running reports failures
        response = {
            "reset_ocn_password": "utter_confirm_password_reset",
            "send_customer_number": "utter_confirm_customer_number",
            "send_ocn_id": "utter_confirm_ocn_id",
            "login_history": "utter_confirm_login_history",
        }.get(procedure or "", f"utter_confirm_connection_{method}")
        dispatcher.utter_message(
            response=response, destination=destination, buttons=buttons.yes_no("procedure_confirmed")
        )
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
        run = _PROCEDURE_RUNNERS[procedure]
        run(_Run(account_client(), tracker, dispatcher, turn_key(tracker, procedure)))
        return []


@dataclass(frozen=True)
class _Run:
    """What every procedure needs: the client, the verified conversation, where to answer, the key."""

    client: AccountClient
    tracker: Tracker
    dispatcher: CollectingDispatcher
    key: str

    @property
    def ids(self) -> tuple[str, str]:
        return self.tracker.get_slot("verification_id"), self.tracker.sender_id


def _run_password_reset(r: _Run) -> None:
    sent = r.client.send_password_reset(*r.ids, idempotency_key=r.key)
    r.dispatcher.utter_message(
        response="utter_done_password_reset", destination=describe_contact(sent.channel, sent.destination_masked)
    )


def _run_connection_credentials(r: _Run) -> None:
    method = r.tracker.get_slot("delivery_method")
    sent = r.client.send_connection_credentials(*r.ids, method, idempotency_key=r.key)
    if method == "mypage":
        r.dispatcher.utter_message(response="utter_done_connection_mypage", link=link("check_connection_id"))
    elif method == "post":
        _utter_figure(
            r.dispatcher, "utter_done_connection_post", "eta_days", sent.eta_days, destination=sent.destination_masked
        )
    else:
        r.dispatcher.utter_message(
            response="utter_done_connection_sms", destination=describe_contact("sms", sent.destination_masked)
        )


def _run_customer_number(r: _Run) -> None:
    sent = r.client.send_customer_number(*r.ids, idempotency_key=r.key)
    r.dispatcher.utter_message(
        response="utter_done_customer_number",
        masked=sent.customer_number_masked,
        destination=describe_contact(sent.channel, sent.destination_masked),
    )


def _run_ocn_id(r: _Run) -> None:
    sent = r.client.send_ocn_id(*r.ids, idempotency_key=r.key)
    r.dispatcher.utter_message(
        response="utter_done_ocn_id",
        masked=sent.ocn_id_masked,
        destination=describe_contact(sent.channel, sent.destination_masked),
    )


def _run_login_history(r: _Run) -> None:
    logins = r.client.login_history(*r.ids)
    r.dispatcher.utter_message(text=format_login_history(logins))
    if any(login.unfamiliar for login in logins):
        r.dispatcher.utter_message(
            response="utter_login_history_unfamiliar",
            buttons=[buttons.start_procedure("reset_ocn_password", "パスワードを再設定する")],
        )


# One small function per procedure (the keys are the procedure slot's values).
_PROCEDURE_RUNNERS: dict[str, Callable[[_Run], None]] = {
    "reset_ocn_password": _run_password_reset,
    "send_connection_id": _run_connection_credentials,
    "send_customer_number": _run_customer_number,
    "send_ocn_id": _run_ocn_id,
    "login_history": _run_login_history,
}
PROCEDURES = tuple(_PROCEDURE_RUNNERS)


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
