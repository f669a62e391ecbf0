"""Running the confirmed procedure (one small function per procedure, in a worker thread: the client is
blocking), the login history as short lines for a phone, and cancelling. An API failure ends in a
polite message and a clean state."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account_client import AccountApiError, AccountApiUnavailable, AccountClient, shared_client
from actions.account_replies import describe_contact, explain_api_error, utter_figure
from actions.after_the_login_history import reset_button
from actions.conversation_state import (
    PROCEDURE_FORM,
    ask,
    forget_verification,
    latest_confidence,
    reset_procedure,
    turn_key,
)
from actions.links import link
from actions.method_change import method_changed_at_the_end
from actions.procedure_switch import asks_a_question, leaves_in_other_words, resume_events, resumed_procedure
from channels.senders import is_shared_chat
from ocn_ids.answers import (
    CHANGE_OF_MIND,
    STOPS_THE_PROCEDURE,
    declines_in_words,
    fold,
)

JST = timezone(timedelta(hours=9))


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
        run(_Run(shared_client(), tracker, dispatcher, turn_key(tracker, procedure)))
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
        utter_figure(
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
    if logins:
        r.dispatcher.utter_message(response="utter_login_history", count=str(len(logins)), logins=format_logins(logins))
    else:
        r.dispatcher.utter_message(response="utter_login_history_none")
    if any(login.unfamiliar for login in logins):
        r.dispatcher.utter_message(response="utter_login_history_unfamiliar", buttons=reset_button())


# One small function per procedure (the keys are the procedure slot's values).
_PROCEDURE_RUNNERS: dict[str, Callable[[_Run], None]] = {
    "reset_ocn_password": _run_password_reset,
    "send_connection_id": _run_connection_credentials,
    "send_customer_number": _run_customer_number,
    "send_ocn_id": _run_ocn_id,
    "login_history": _run_login_history,
}
PROCEDURES = tuple(_PROCEDURE_RUNNERS)

# Below this, a cancel reading with nothing running must say stop in words to be taken as one.
_SURE_IT_CANCELS = 0.6


def _unsure_cancel_at_the_end(tracker: Tracker) -> bool:
    """No word of stopping (「やめます」), declining or negating (「送らないでください」「なしで」「今回はいいや」) outside
    a question (「中断したらどうなりますか」「これでいいかな」 ask: asked again, the procedure kept)."""
    return _no_cancel_meant(tracker) and not declines_in_words(tracker.latest_message.get("text") or "")


def _had_enough(tracker: Tracker) -> bool:
    """「もういい」「もういらない」 alone, with nothing asked but whether it helped: leaving."""
    if tracker.get_slot("pending_question") not in (None, "survey"):
        return False
    return leaves_in_other_words(tracker.latest_message.get("text") or "")


def _no_cancel_meant(tracker: Tracker) -> bool:
    """A cancel reading, with nothing running, of a question or of words that stop nothing, read unsurely."""
    text = tracker.latest_message.get("text") or ""
    confidence = latest_confidence(tracker)
    stops = STOPS_THE_PROCEDURE.search(fold(text)) or CHANGE_OF_MIND.search(fold(text))
    return not text.startswith("/") and (asks_a_question(text) or confidence < _SURE_IT_CANCELS) and not stops


def format_logins(logins: list[Any]) -> str:
    """Short lines for a phone screen: 11/24 09:12 東京都 iPhone 成功 (⚠ = unfamiliar); the sentence
    around them is the domain response utter_login_history (so it has an easy-Japanese twin)."""
    lines = []
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
        resumed = None if running else resumed_procedure(tracker)
        if resumed is not None:
            # The classifier reads 「やっぱ今やる」 as another cancel: the procedure cancelled a moment ago again.
            return resume_events(resumed)
        if running and method_changed_at_the_end(tracker):
            return [FollowupAction(PROCEDURE_FORM)]  # 「やっぱりSMSにして」: another way, not a stop
        if (
            running
            and tracker.get_slot("requested_slot") == "procedure_confirmed"
            and _unsure_cancel_at_the_end(tracker)
        ):
            # At 「…よろしいですか？」 (the form could not read the reply), a cancel read unsurely with no word that
            # stops or declines: a cushion, then the form asks its question again with the buttons (a verified
            # procedure is not thrown away on a guess).
            dispatcher.utter_message(response="utter_ask_yes_no_again")
            return [FollowupAction(PROCEDURE_FORM)]
        if not running and _had_enough(tracker):
            # 「もういいよ」 after an answer, with nothing running: the customer is leaving, not cancelling anything
            # (「取り消すお手続きはありません」 would answer a question nobody asked).
            dispatcher.utter_message(response="utter_goodbye")
            return [*reset_procedure(), ask(None), FollowupAction("action_listen")]
        if not running and _no_cancel_meant(tracker):
            # 「あ、やっぱり前に聞いた請求のことはどこへ問い合わせれば」: its 「やっぱり」 read as a cancel, with
            # nothing to cancel; answered as the unclear question it is (action_clarify listens next).
            return [FollowupAction("action_clarify")]
        dispatcher.utter_message(response="utter_procedure_cancelled" if running else "utter_no_procedure_to_cancel")
        # Listen next: reached as a follow-up of another action (a stop in other words, actions/replies.py), no
        # rule follows this action, and the fallback's rule would clarify the same message again and again.
        events = [ActiveLoop(None), SlotSet("requested_slot", None), *reset_procedure(), ask(None)]
        return [*events, FollowupAction("action_listen")]
