"""The procedure form's slots that verify the customer: which account (account_ref) and the one-time code
(otp_code), and sending the code (start_verification, also used by 「コードが届きません」: code_step.py).
The client is blocking (requests), so its calls run in a worker thread and a slow API never stalls other
conversations on the action server."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.account_client import AccountApiError, AccountApiUnavailable, shared_client
from actions.account_replies import describe_contact, explain_api_error, minutes, slot_values, utter_figure
from actions.buttons import cancel, talk_to_person
from actions.choices import changes_mind, checked_final_yes, read_yes_no
from actions.conversation_state import (
    buttons_before,
    latest_confidence,
    latest_intent,
    turn_key,
)
from actions.links import contact_response, link
from actions.password_warning import typed_password
from actions.procedure_switch import switched_procedure
from channels.client_ref import from_metadata
from nlu_components.kana_reading import reading
from ocn_ids.answers import (
    ASKS_IF_IT_WILL_DO,
    CLAUSES,
    CONTACT_NO_LONGER_USABLE,
    CORRECTS_THE_READING,
    DOES_NOT_HAVE_IT,
    INSTEAD_OF,
    MUST_IT_BE,
    NAMES_AN_OPERATION,
    NOT_SO,
    NOT_THE_OCN_ADDRESS,
    UNSURE,
    asks_for_a_new_code,
    fold,
    names_another_service,
    says_the_code_did_not_come,
)
from ocn_ids.normalize import nfkc, without_slips
from ocn_ids.parse import (
    ACCOUNT_ENTITIES,
    CONNECTION_ID_DOMAINS,
    canonical_customer_number,
    canonical_mail,
    find_values,
    named_id_types,
    one_time_code,
)
from ocn_ids.spoken_mail import spelled_mail, spoken_mail

INVALID = "__invalid__"  # marks a typed value that is not an ID/code; never kept in a slot
# marks 「携帯をなくしてしまって」 at the code step: the code cannot reach the customer (never kept in a slot)
UNREACHABLE = "__unreachable__"
CONTACT_UNUSABLE = "utter_code_contact_unusable"
# Where a code went when the account API gave no masked hint.
SOMEWHERE = "ご登録の携帯電話（SMS）またはメール"


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
            shared_client().start_verification,
            tracker.sender_id,
            customer_number=customer_number,
            ocn_id=None if customer_number or connection_id else account_ref,
            connection_id=connection_id,
            # Who is asking, as the channel saw it (opaque): the API limits codes per client.
            client_ref=from_metadata((tracker.latest_message or {}).get("metadata")),
            idempotency_key=turn_key(tracker, what),
        )
    except (AccountApiError, AccountApiUnavailable) as error:
        return slot_values(explain_api_error(dispatcher, error))
    destination = describe_contact(started.channel, started.destination_hint) if started.channel else None
    dispatcher.utter_message(
        response="utter_code_resent" if what == "resend_code" else "utter_code_sent",
        minutes=minutes(started.expires_in),  # always in the reply (openapi.yaml)
        destination=destination or "ご登録の携帯電話（SMS）またはメール",
    )
    return {
        "verification_id": started.verification_id,
        "code_destination": destination,
        "code_expires_at": time.time() + started.expires_in,
        "otp_code": None,
    }


def is_connection_id(account_ref: str) -> bool:
    """A canonical address under one of OCN's connection domains (ocn_ids/parse.py) is a connection ID."""
    return account_ref.rpartition("@")[2] in CONNECTION_ID_DOMAINS


_MISTAKE = re.compile(r"間違|まちが|違いました|ちがいました|違います|ちがいます")


def looks_like_a_code_attempt(text: str) -> bool:
    """Digits typed as a code, mistyped (「12345」「４８２ ９１」): three or more digits, or digits and little else."""
    digits = sum(c.isdigit() for c in nfkc(text))
    return digits >= 3 or (digits > 0 and digits * 2 >= len(nfkc(text).strip()))


# The classifier's readings that say the message is about the code, not a code (actions/code_step.py).
_ABOUT_THE_CODE = frozenset({"resend_code", "code_not_received"})
_SURE_ENOUGH = 0.6


def asks_about_the_code(tracker: Tracker, text: str) -> bool:
    """A sentence asking for a new code or saying it did not come, digits in it or not: its words say so
    (ocn_ids/answers.py CODE_AGAIN, CODE_NOT_ARRIVED), or the classifier is sure of it."""
    if not _has_words(text):
        return False
    word = fold(text)
    if asks_for_a_new_code(word) or says_the_code_did_not_come(word):
        return True
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name") in _ABOUT_THE_CODE and float(intent.get("confidence") or 0) >= _SURE_ENOUGH


def address_offered(tracker: Tracker) -> str | None:
    """The address read aloud that the bot's question for the ID just before offered as its button
    (ActionAskAccountRef; utter_spoken_address_check said what was read)."""
    if tracker.get_slot("requested_slot") != "account_ref":
        return None
    said = [button["payload"] for button in buttons_before(tracker) if "@" in str(button.get("payload"))]
    return said[0] if len(said) == 1 else None


def address_still_offered(tracker: Tracker) -> str | None:
    """The address offered just before, when the latest message neither answered it nor turned it down: a voice
    customer who says 「SMSが来ない」 or names how to receive the ID before pressing it (nothing has been sent
    yet) is offered it again, so that a later 「はい」 still sends the code to it."""
    text = tracker.latest_message.get("text") or ""
    address = address_offered(tracker)
    typed_an_id = any(found.entity in ACCOUNT_ENTITIES for found in find_values(text))
    if not address or text.startswith("/") or typed_an_id or _address_read_aloud(text) or spelled_mail(text):
        return None  # another address said aloud: that one is read (and offered, or used when spelled)
    word = fold(text)
    if _MISTAKE.search(text) or changes_mind(text) or read_yes_no("procedure_confirmed", text) == "no":
        return None  # 「違います、もう一度言います」「いいえ」: turned down
    if asks_for_a_new_code(word) or says_the_code_did_not_come(word):
        return address  # 「もう一回送って」「SMSが来ない」: about the code, not a correction of the reading
    if CORRECTS_THE_READING.search(word) or latest_intent(tracker) == "deny":
        return None  # 「もう一度言います」, 「合ってない」「NG」 (read as a no)
    return address


def _spoken_address_confirmed(tracker: Tracker, text: str) -> str | None:
    """The address the bot read aloud and offered as a button (utter_spoken_address_check), when the reply is
    a yes in words (「はい」「それで合ってます」): customers type it as often as they press the button. The yes
    sends a code, so it is checked as the final confirmation's is (choices.checked_final_yes)."""
    address = address_offered(tracker)
    if not address or changes_mind(text):
        return None
    if CORRECTS_THE_READING.search(fold(text)):
        return None  # 「はい、一文字違います」「ほぼ合ってます」: the form asks for the ID again, nothing is sent
    reading = read_yes_no("procedure_confirmed", text)
    worded = reading == "yes"
    if not worded and not (reading is None and latest_intent(tracker) == "affirm"):
        return None
    if checked_final_yes(text, worded, latest_confidence(tracker)) != "yes":
        return None
    return address


def _address_read_aloud(text: str) -> str | None:
    """An address said aloud (ocn_ids/spoken_mail.py), also when voice input wrote the name in kanji
    (「太郎ドット山田アットマーク…」): read in kana by Sudachi first (nlu_components/kana_reading.py)."""
    address = spoken_mail(text)
    if address is None and _KANJI.search(text) and _SAID_MARK.search(text):
        address = spoken_mail(reading(text))
    return address


_KANJI = re.compile(r"[\u4e00-\u9fff]")
_SAID_MARK = re.compile(r"ドット|どっと|アット|あっと")


def which_id_verifies(text: str, tracker: Tracker | None = None) -> str | None:
    """At the ID question, the reply to 「OCN IDでもいいですか」「お客さま番号がわからないんですけど」
    「接続用IDしかわかりません」 (one ID named, whether it will do or that the customer does not have it): which
    ID verifies, as the response to say before the question is asked again; None for anything else."""
    if names_another_service(text) or ("ocn" not in fold(text) and NOT_THE_OCN_ADDRESS.search(fold(text))):
        return None  # 「ヤフーメールでも大丈夫ですか」: not a question the OCN ID answers
    word = without_slips(fold(text))
    named = named_id_types(text)
    instead = INSTEAD_OF.split(nfkc(text), maxsplit=1) if len(named) == 2 else []
    if len(instead) == 2:
        named = named_id_types(instead[1])  # 「お客さま番号じゃなくてメールアドレスで」: the one after it will do
        word = without_slips(fold(instead[1]))
    elif len(named) == 2 and (asked := _clause_asking_if_it_will_do(text)):
        named = named_id_types(asked)  # 「お客さま番号がわからないのでメールアドレスでもいいですか」
        word = without_slips(fold(asked))
    asks = len(instead) == 2 or bool(ASKS_IF_IT_WILL_DO.search(word) or MUST_IT_BE.search(word))
    # 「お客さま番号がわからない」「お客さま番号じゃないとだめ？」: the other one will do; 「…でもいい？」: that one
    other = bool(MUST_IT_BE.search(word)) or (bool(DOES_NOT_HAVE_IT.search(word)) and not asks)
    if len(named) != 1 or not (asks or other) or "パスワード" in nfkc(text):
        return None  # 「OCN IDのパスワードを忘れて…」 says again what the procedure is for
    if other and not asks and _sure_of_the_look_up(tracker, named):
        # 「お客さま番号はどこでわかりますか、わからないです」 read surely as where to find it: that answer (the
        # question after it names both IDs; the blind conversations' writers expected it there)
        return None
    if named == {"connection_id"}:
        # 「接続用IDでもいい？」「接続用IDしかわからない」 (the connection ID verifies too: find_values reads it); not
        # 「接続用IDがわからない」 (a question of its own) nor 「接続用IDじゃないとだめ？」
        return "utter_connection_id_verifies_too" if asks and not other else None
    will_do = named.pop() if not other else ({"customer_number", "ocn_id"} - named).pop()
    return "utter_ocn_id_verifies_too" if will_do == "ocn_id" else "utter_customer_number_verifies_too"


def _switches_the_procedure(tracker: Tracker, text: str) -> bool:
    """「…じゃなくてOCN IDを確認したい」 at the ID question asks for another procedure; 「…じゃなくてOCN IDにしたい」 names
    only the ID to use (which_id_verifies)."""
    return bool(switched_procedure(tracker, latest_intent(tracker) or "")) and bool(
        NAMES_AN_OPERATION.search(fold(text))
    )


def _clause_asking_if_it_will_do(text: str) -> str | None:
    """The one clause of a reply that asks whether an ID will do (「…わからないので、メールアドレスでもいいですか」)."""
    clauses = [c for c in CLAUSES.split(nfkc(text)) if ASKS_IF_IT_WILL_DO.search(without_slips(fold(c)))]
    return clauses[0] if len(clauses) == 1 else None


# The look-up topic of each ID one verifies with, and how sure the classifier must be that a customer who does not
# have it asks where to find it.
_LOOK_UP = {"customer_number": "check_customer_number", "ocn_id": "check_ocn_id"}
_SURE_OF_THE_LOOK_UP = 0.8


def _sure_of_the_look_up(tracker: Tracker | None, named: set[str]) -> bool:
    if tracker is None or len(named) != 1:
        return False
    look_up = _LOOK_UP.get(next(iter(named)))
    return (
        look_up is not None and latest_intent(tracker) == look_up and latest_confidence(tracker) >= _SURE_OF_THE_LOOK_UP
    )


def _contact_no_longer_usable(tracker: Tracker, text: str) -> bool:
    """「携帯をなくしてしまって受け取れません」 while the code is awaited, in a clause that neither negates nor doubts it
    (「変わってないのに」「番号変わったかも」: the code not arriving's reply says where it went); not read as a cancel
    (「…なくしたのでやめます」: the cancel asked for)."""
    for clause in CLAUSES.split(nfkc(text)):
        word = without_slips(fold(clause))
        found = CONTACT_NO_LONGER_USABLE.search(word)
        if found and not NOT_SO.match(word[found.end() :]) and not UNSURE.search(word[found.end() :]):
            return latest_intent(tracker) != "cancel"
    return False


def _has_words(text: str) -> bool:
    """Letters or kana beyond digits and separators: the customer wrote something, not a code."""
    return any(c.isalpha() for c in nfkc(text))


class VerificationSlots:
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
        found = [f for f in find_values(text) if f.entity in ACCOUNT_ENTITIES]
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
        if requested == "account_ref" and (address := _spoken_address_confirmed(tracker, text)):
            return {"account_ref": address}  # 「はい」 typed instead of pressing the address's button
        if requested == "account_ref" and one_time_code(text) and (address := address_offered(tracker)):
            # A code typed before the address read aloud was confirmed: none has been sent yet.
            dispatcher.utter_message(response="utter_code_waits_for_the_address", address=address)
            return {"account_ref": None}
        if requested == "account_ref" and (address := spelled_mail(text)):
            # Spelled letter by letter (「てぃーえーあーるおー…」), an address has one spelling, as if typed: used,
            # and said back so that a misheard letter is seen (the code goes only to the account's own contact).
            dispatcher.utter_message(response="utter_spelled_address_read", address=address)
            return {"account_ref": address}
        if requested == "account_ref" and (address := _address_read_aloud(text)):
            # An address said aloud (「たろうどっとやまだあっと…」): a name's kana has more than one spelling, so the
            # reading is offered to confirm, never used unseen: the form asks for the ID again with the address as
            # a button (procedure_form.ActionAskAccountRef).
            dispatcher.utter_message(response="utter_spoken_address_check", address=address)
            return {"account_ref": None}
        if requested != "account_ref":
            return {}
        if _switches_the_procedure(tracker, text):
            return {}  # the procedure-change reader switches (not 「…の形でご入力ください」)
        if reply := which_id_verifies(text, tracker):
            dispatcher.utter_message(response=reply)  # the form asks for the ID again
            return {"account_ref": None}
        if latest_intent(tracker) == "inform" or any(c.isdigit() for c in text):
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
        if any(f.entity in ACCOUNT_ENTITIES for f in find_values(text)):
            return {}  # an ID, not a code: extract_account_ref starts the verification again
        code = one_time_code(text)
        if code:
            return {"otp_code": code}
        if _contact_no_longer_usable(tracker, text):
            return {"otp_code": UNREACHABLE}
        if asks_about_the_code(tracker, text):
            return {}  # 「090…にもう一度送って」: digits, but about the code (the code step's rules answer it)
        if looks_like_a_code_attempt(text) or (latest_intent(tracker) == "inform" and not _has_words(text)):
            return {"otp_code": INVALID}
        return {}  # 「6桁のコードが届かない」「もう1回送って」: a sentence with a digit in it is no code

    async def validate_otp_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"otp_code": None}
        if value == INVALID:
            dispatcher.utter_message(response="utter_invalid_code_format")
            return {"otp_code": None}
        if value == UNREACHABLE:
            # The code goes only to the contact on record: where it went (the customer may see it is still theirs),
            # and that without it the chat cannot verify them. The procedure stays (a code typed later still
            # verifies, 「やめます」 cancels); its question is not asked again right after (ActionAskOtpCode).
            dispatcher.utter_message(
                response=contact_response(CONTACT_UNUSABLE),
                destination=tracker.get_slot("code_destination") or SOMEWHERE,
                contact_link=link("contact"),
                buttons=talk_to_person() + cancel(),
            )
            return {"otp_code": None}
        verification_id = tracker.get_slot("verification_id")
        if not verification_id:
            return {"otp_code": None, "account_ref": None}
        try:
            confirmed = await asyncio.to_thread(
                shared_client().confirm_verification,
                verification_id,
                tracker.sender_id,
                str(value),
                idempotency_key=turn_key(tracker, "confirm"),
            )
        except AccountApiError as error:
            if error.code == "invalid_code":
                utter_figure(dispatcher, "utter_wrong_code", "attempts_left", error.attempts_left)
                return {"otp_code": None}
            if error.code in ("expired", "not_found"):
                dispatcher.utter_message(response="utter_code_expired")
                return {"otp_code": None, "account_ref": None, "verification_id": None}
            return {"otp_code": None, **slot_values(explain_api_error(dispatcher, error))}
        except AccountApiUnavailable as error:
            return {"otp_code": None, **slot_values(explain_api_error(dispatcher, error))}
        dispatcher.utter_message(response="utter_verified")
        # A resend offer (「新しいコードをお送りしますか？」) is no longer open.
        return {
            "otp_code": None,
            "verified_until": confirmed.verified_until_epoch,
            "pending_question": None,
            # Which account was verified, opaque, kept with the verification (account_ref is cleared when
            # a procedure ends): the handoff desk lets each verified account wait once.
            "verified_account": shared_client().account_key(str(tracker.get_slot("account_ref") or "")),
        }
