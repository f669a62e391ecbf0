"""The verified procedures' form: starting it clean, reading and validating what to do, how to deliver
and the final yes (the verification slots are verification_slots.py), and the form's questions. The
form asks; running the confirmed procedure is procedure_run.py. Every API failure ends in a polite
message and a clean state: nothing is half-done."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import buttons
from actions.account_client import AccountApiError, AccountApiUnavailable, shared_client
from actions.account_replies import describe_contact, explain_api_error, slot_values
from actions.choices import (
    MAX_ANSWER_CHARS,
    asks_to_go_ahead,
    changes_mind,
    checked_final_yes,
    is_plain_yes_no,
    named_procedure,
    no_longer_needed,
    read_choice,
    read_yes_no,
)
from actions.conversation_state import (
    ask,
    bot_responses_before,
    buttons_before,
    forget_verification,
    is_verified,
    latest_confidence,
    latest_entity,
    latest_intent,
    offered_topics_just_before,
    reset_procedure,
)
from actions.conversation_thread import procedure_of_recent_answers, procedure_of_the_thread
from actions.easy_japanese_actions import SLOT as EASY_JAPANESE_SLOT
from actions.follow_ups import fact_asked_outright, fact_of_any_topic
from actions.links import contact_response, link
from actions.method_change import another_way_unnamed, method_changed_at_the_end, way_requested
from actions.password_warning import warns_about_typed_password
from actions.procedure_run import PROCEDURES
from actions.procedure_switch import asks_a_question, switched_procedure
from actions.receiving_questions import YOURS_TO_CHOOSE, asks_of_a_way, receiving_reply
from actions.topics import TOPICS, procedure_title, topic_of_procedure
from actions.verification_slots import VerificationSlots, address_still_offered, start_verification
from channels.senders import is_shared_chat
from easy_japanese.twins import twins
from ocn_ids.answers import (
    ASKS_WHERE_IT_GOES,
    BARE_WAY,
    CHOOSES,
    COMPARES_WAYS,
    NAMES_ANOTHER_THING,
    NEGATED,
    NOT_CHOOSING_IT,
    ONLY_THE_CONNECTION_IDS_WAY,
    PROCEDURE_DETAILS,
    QUESTION_FORM,
    QUESTION_MARK,
    REQUEST_FORM,
    SETTLES_ON_IT,
    TURNS_DOWN,
    WHATEVER_IT_TAKES,
    YES_THEN_FINE,
    declines_in_words,
    fold,
    last_sentence,
    speaks_of_other_matters,
)
from ocn_ids.normalize import without_slips
from ocn_ids.parse import ACCOUNT_ENTITIES, Found, find_choices, find_values, one_time_code
from ocn_ids.spoken_mail import spoken_mail


class ActionStartProcedure(Action):
    def name(self) -> str:
        return "action_start_procedure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if _about_another_matter(tracker):
            # 「引っ越しの手続きってここでできますか」: a procedure this chat does not do; answered by
            # action_clarify as the other matter it is (it listens next).
            return [FollowupAction("action_clarify")]
        return start_procedure_events(tracker)


def _about_another_matter(tracker: Tracker) -> bool:
    text = tracker.latest_message.get("text") or ""
    return (
        not text.startswith("/")
        and not latest_entity(tracker, "procedure")
        and tracker.get_slot("pending_question") != "offer_procedure"
        and speaks_of_other_matters(text)
    )


def start_procedure_events(tracker: Tracker, procedure: str | None = None) -> list[dict[str, Any]]:
    """A clean procedure run; what the customer already said (procedure, method) is kept. An offered
    procedure counts only while the offer is the open question: an ID typed later chooses nothing. A
    request to start one may name it in its words (「ログイン履歴をチャットで確認したい」)."""
    procedure = procedure or latest_entity(tracker, "procedure")
    if procedure not in PROCEDURES and tracker.get_slot("pending_question") == "offer_procedure":
        procedure = tracker.get_slot("offered_procedure")
    if procedure not in PROCEDURES and latest_intent(tracker) == "start_procedure":
        procedure = named_procedure(tracker.latest_message.get("text") or "") or procedure_of_request(tracker)
    if procedure not in PROCEDURES and gives_an_account(tracker):
        # An ID typed right after an answer whose procedure the chat can do (「N123456789」 after the
        # password-reset answer) asks for that procedure: asking 「どのお手続きですか？」 would loop.
        procedure = procedure_of_topic(tracker)
    delivery = latest_entity(tracker, "delivery_method")
    if procedure == "send_connection_id" and not delivery:
        # 「接続用IDを郵送で送ってください」「郵送で送ってもらうことはできますか」 (a request put as a question)
        text = tracker.latest_message.get("text") or ""
        delivery = _one_method_named(text) or way_requested(text) or _way_said_last(text)
    if procedure is None and delivery:
        procedure = "send_connection_id"
    events = reset_procedure({"procedure": procedure, "delivery_method": delivery})
    if not is_verified(tracker):
        events += forget_verification()
    return events + [ask(None)]


# Below this, the classifier's no with no word of one is asked again at the final confirmation.
_SURE_OF_A_NO = 0.6
# What the help page does not say of how a procedure goes (its link's validity, the time to arrive, a fee).
PROCEDURE_NOT_ON_PAGE = "utter_procedure_details_not_on_page"


class ValidateProcedureForm(VerificationSlots, FormValidationAction):
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
        return (
            _read_choice_slot("procedure", dispatcher, tracker)
            or _procedure_from_topic(tracker)
            or _connection_id_by_its_way(dispatcher, tracker)
        )

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
        if tracker.slots_to_validate().get("account_ref"):
            # Typed in this very message (「N123456789」 as the procedure is chosen): not validated yet, and
            # validate_account_ref sends its code; sending here too told the customer twice.
            return {"procedure": value}
        if held and not tracker.get_slot("verification_id") and not is_verified(tracker):
            return {"procedure": value, **await start_verification(dispatcher, tracker, held)}
        return {"procedure": value}

    # --- how to deliver, and the final yes ----------------------------------
    async def extract_delivery_method(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _delivery_method_read(dispatcher, tracker)

    async def extract_account_ref(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _ids_in(tracker):
            if _delivery_method_given_early(tracker):
                return {}  # a delivery method, not a mistyped ID (extract_delivery_method keeps it)
            if len(_delivery_methods_named(tracker)) > 1:
                # 「SMSと郵送どっちが…」: not a mistyped ID; asked again, after what the page does not say (which
                # is faster) or, to 「どっちがいい？」, that the customer chooses.
                text = tracker.latest_message.get("text") or ""
                compares = COMPARES_WAYS.search(fold(text))
                response = receiving_reply(tracker, text) or (YOURS_TO_CHOOSE if compares else None)
                if response:
                    dispatcher.utter_message(response=contact_response(response), contact_link=link("contact"))
                return {"account_ref": None}
        return await super().extract_account_ref(dispatcher, tracker, domain)

    async def validate_delivery_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value not in ("sms", "post", "mypage"):
            return {"delivery_method": None}
        if value == "sms" and is_verified(tracker):
            return await _sms_reachable(dispatcher, tracker)
        # 「SMSで送って」 with the start request, before the verification: whether the account has a mobile
        # is asked once verified (validate_otp_code), not now (the account system would say "not verified").
        return {"delivery_method": value}

    async def validate_otp_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        result = await super().validate_otp_code(value, dispatcher, tracker, domain)
        if result.get("verified_until") and tracker.get_slot("delivery_method") == "sms":
            result.update(await _sms_reachable(dispatcher, tracker))
        return result

    async def extract_procedure_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """「大丈夫です」 after 「よろしいですか？」 agrees; 「結構です」 is asked back (it goes either way)."""
        if tracker.get_slot("requested_slot") != "procedure_confirmed":
            return {}
        text = tracker.latest_message.get("text") or ""
        typed = not text.startswith("/")
        procedure = tracker.get_slot("procedure")
        if typed and (method_changed_at_the_end(tracker) or another_way_unnamed(tracker)):
            return {"procedure_confirmed": None}  # another way chosen (extract_delivery_method): no yes or no yet
        if typed and (fact := fact_asked_outright(topic_of_procedure(procedure), text)):
            # 「再設定したらメールソフトも変えないといけないですか」: its answer, then 「よろしいですか？」 again.
            dispatcher.utter_message(response=fact.response)
            return {"procedure_confirmed": None}
        if typed and switched_procedure(tracker, latest_intent(tracker) or ""):
            return {}  # 「ちょっと待って、やっぱりパスワードの再設定にしたい」: switched (actions/replies.py), not asked again
        reading = _reading_in_words(tracker, text, procedure) if typed else None
        if typed and reading in (None, "unclear") and (said := _answer_before_asking_again(tracker, text, procedure)):
            # 「リンクってどこに届くの？」「再設定のリンクはいつまで有効ですか」: answered, then 「よろしいですか？」 again.
            dispatcher.utter_message(response=contact_response(said), contact_link=link("contact"))
            return {"procedure_confirmed": None}
        worded = reading is not None
        if reading is None:
            reading = {"affirm": "yes", "deny": "no"}.get(latest_intent(tracker) or "")
        if (
            reading == "no"
            and not worded
            and (latest_confidence(tracker) < _SURE_OF_A_NO or asks_a_question(text))
            and not declines_in_words(text)
        ):
            # 「あ、そうだ」 read as a no at 0.46, 「これって後で取り消せますか」 as a sure one: asked again, the
            # verified procedure kept.
            reading = "unclear"
        if reading == "yes":
            # This yes acts on the account: 「はい？」「後でお願いします」 and an unsure yes reading are none.
            reading = checked_final_yes(text, worded, latest_confidence(tracker))
        if reading == "unclear":
            dispatcher.utter_message(response="utter_ask_yes_no_again")
            return {"procedure_confirmed": None}
        return {"procedure_confirmed": reading == "yes"} if reading else {}

    async def validate_procedure_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"procedure_confirmed": None if value is None else bool(value)}


# The procedures that send something: their final question names where it goes.
_SENDING = frozenset({"reset_ocn_password", "send_connection_id", "send_customer_number", "send_ocn_id"})


def _answer_before_asking_again(tracker: Tracker, text: str, procedure: str | None) -> str | None:
    """A question at the final question answered before it is asked again: where it goes (the question asked again
    says it: it had got topic buttons first), or a detail the help page does not give."""
    if procedure in _SENDING and asks_a_question(text) and ASKS_WHERE_IT_GOES.search(fold(text)):
        return "utter_destination_in_the_question"
    return _detail_not_on_the_page(tracker, text)


def _detail_not_on_the_page(tracker: Tracker, text: str) -> str | None:
    """A question at the final question on how the procedure goes that the help page does not answer: its link's
    validity, the time to arrive, a fee (「料金はかかりますか」, read as out of scope, had been told the chat covers
    only IDs); for the connection ID's post and SMS, the receiving ways' own reply; a fact the page does state, of
    any topic (「前のアドレスのメールはどれくらい転送されますか」: 約2日間), is that fact."""
    if changes_mind(text) or not asks_a_question(text) or WHATEVER_IT_TAKES.search(fold(text)):
        return None  # 「何日も待てないのでやめます」「何日かかっても大丈夫です」: said, not asked
    if receiving := receiving_reply(tracker, text):
        return receiving
    if not PROCEDURE_DETAILS.search(fold(text)):
        return None
    fact = fact_of_any_topic(text)
    return fact.response if fact else PROCEDURE_NOT_ON_PAGE


def _reading_in_words(tracker: Tracker, text: str, procedure: str | None) -> str | None:
    """ "yes", "no" or "unclear" as the typed reply's words say it, whatever the classifier read; None when the
    words say neither."""
    reading = read_yes_no("procedure_confirmed", text)
    settles = SETTLES_ON_IT.fullmatch(fold(text)) or YES_THEN_FINE.match(fold(text))
    if settles and not QUESTION_MARK.search(text) and changes_mind(text) is None:
        reading = "yes"  # 「それで結構です」「はい、結構でございます」: not 「結構です」 alone (asked back)
    if reading is None and no_longer_needed(text):
        reading = "no"  # 「パスワード思い出しました」: the classifier reads the topic
    if reading is None and latest_intent(tracker) in _YES_NO_READINGS:
        reading = changes_mind(text)  # only a reply: 「dアカウントの連携を取り消したい」 is a new question
    if reading is None and asks_to_go_ahead(text, procedure):
        reading = "yes"  # 「早くやってください」: the classifier may call it anything
    elif reading is None and latest_intent(tracker) in ("affirm", "nlu_fallback") and _names(text, procedure):
        reading = "unclear"  # 「パスワードは自分で変えます」 names it, neither yes nor a question: asked again
    return reading


def _names(text: str, procedure: str | None) -> bool:
    """The text names the procedure being confirmed (「パスワードも変えたい」 at the OCN ID's look-up names another:
    a question of its own, answered)."""
    return procedure is not None and named_procedure(text) == procedure


# The classifier's readings of a reply to 「…よろしいですか？」 (not a new question on a topic).
_YES_NO_READINGS = frozenset({"affirm", "deny", "cancel", "nlu_fallback"})


async def _sms_reachable(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """SMS chosen by a verified customer: kept when the account has a mobile, else asked again."""
    try:
        summary = await asyncio.to_thread(
            shared_client().account_summary, tracker.get_slot("verification_id"), tracker.sender_id
        )
    except (AccountApiError, AccountApiUnavailable) as error:
        return {"delivery_method": "sms", **slot_values(explain_api_error(dispatcher, error))}
    if summary.contact_channel != "sms":
        dispatcher.utter_message(response="utter_no_mobile")
        return {"delivery_method": None}
    return {"delivery_method": "sms"}


# What the bot says when it keeps a delivery method typed before the verification (domain.yml).
DELIVERY_NOTED = {
    "sms": "utter_delivery_noted_sms",
    "post": "utter_delivery_noted_post",
    "mypage": "utter_delivery_noted_mypage",
}


def _delivery_method_read(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """The way to receive the connection ID the latest message chooses: at its question, typed early while the
    verification runs, or another one at the final question."""
    if changed := method_changed_at_the_end(tracker):
        return {"delivery_method": changed}  # 「やっぱりSMSにして」 at the final question: asked again with it
    if another_way_unnamed(tracker):
        return {"delivery_method": None}  # 「やっぱほかのにする」: which way, asked again
    method = _delivery_method_given_early(tracker)
    if method:
        # 「SMSで」 typed while the ID is asked for: kept, and not asked again once verified.
        dispatcher.utter_message(response=DELIVERY_NOTED[method])
        return {"delivery_method": method}
    if tracker.get_slot("requested_slot") != "delivery_method" or latest_entity(tracker, "delivery_method"):
        return {}
    read = _read_choice_slot("delivery_method", dispatcher, tracker)
    if read:
        return read
    method = _one_method_named(tracker.latest_message.get("text") or "")
    return {"delivery_method": method} if method else {}


def _delivery_method_given_early(tracker: Tracker) -> str | None:
    """The delivery method the customer typed while the bot asks for the ID to verify (the connection ID
    is sent after the verification, but people say how they want it first): one choice, or None."""
    text = tracker.latest_message.get("text") or ""
    if not _method_still_open(tracker):
        return None
    if text.startswith("/"):  # a button of the question that asks both (ActionAskAccountRef)
        return latest_entity(tracker, "delivery_method")
    found = read_choice("delivery_method", text)
    if len(found) == 1 and (found[0].value != "sms" or not _at_the_code_step(tracker) or _bare_way(text)):
        return found[0].value  # while the code is awaited, 「SMSで送ってください」「スマホです」 are about the code
    if _at_the_code_step(tracker):
        method = _one_method_named(text)  # 「受け取りは郵送で」; not a question, a refusal or two ways
        return method if method in ("post", "mypage") else None
    # Not a bare choice: one method named in what the classifier reads as an answer (「SMSで送ってもらえますか」),
    # next to the ID (「N123456789 SMSで」: both answers at once), or in a short reply that chooses it (「紙で欲しい」).
    named = _delivery_methods_named(tracker)
    chosen = latest_intent(tracker) == "inform" or _ids_in(tracker) or _one_method_named(text)
    if not found and len(named) == 1 and chosen:
        return named.pop()
    return None


def _method_still_open(tracker: Tracker) -> bool:
    """The connection ID's delivery method is not chosen yet and the verification is under way: the ID or the
    code is asked for (「SMSで」 typed while the code is awaited is kept too, not asked for again once verified)."""
    return (
        tracker.get_slot("requested_slot") in ("account_ref", "otp_code")
        and tracker.get_slot("procedure") == "send_connection_id"
        and not tracker.get_slot("delivery_method")
    )


def _ids_in(tracker: Tracker) -> list[Found]:
    return [f for f in find_values(tracker.latest_message.get("text") or "") if f.entity in ACCOUNT_ENTITIES]


def _delivery_methods_named(tracker: Tracker) -> set[str]:
    """The delivery methods a message names outside any ID in it (「web01@ocn.ne.jp」 names no web page), while
    the connection ID's first question is open (the ID asked for, no method chosen yet)."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/") or not _method_still_open(tracker) or _at_the_code_step(tracker):
        return set()
    ids = [range(f.start, f.end) for f in find_values(text)]
    return {
        found.value
        for found in find_choices(text)
        if found.entity == "delivery_method" and not any(found.start in span for span in ids)
    }


def _at_the_code_step(tracker: Tracker) -> bool:
    return tracker.get_slot("requested_slot") == "otp_code"


def _bare_way(text: str) -> bool:
    return bool(BARE_WAY.fullmatch(without_slips(fold(text))))


def _way_said_last(text: str) -> str | None:
    """「もうチャットで接続用ID送って。SMSで」: a way alone as the request's last sentence."""
    said = fold(last_sentence(text))
    if len(said) > _A_WAY_ALONE or not said.endswith("で") or NEGATED.search(said):
        return None
    named = {found.value for found in find_choices(said) if found.entity == "delivery_method"}
    return named.pop() if len(named) == 1 else None


# The longest last sentence read as a way alone (「マイページで」).
_A_WAY_ALONE = 10


def _one_method_named(text: str) -> str | None:
    """「マイページで見たいです」 at the delivery question: the one method a short reply names, unless it turns
    it down (「SMSは嫌です」) or holds an ID."""
    word = fold(text)
    if text.startswith("/") or len(word) > MAX_ANSWER_CHARS or NEGATED.search(word) or TURNS_DOWN.search(word):
        return None
    if not CHOOSES.search(word) or NOT_CHOOSING_IT.search(word) or asks_rather_than_chooses(text):
        # 「郵送って何日かかる？」「携帯番号変わったんだけど」「郵送で送ってもらうといつ届く？」「スマホで見ています」:
        # about a method, or saying something with it, not choosing it
        return None
    if find_values(text):
        return None
    named = {found.value for found in find_choices(text) if found.entity == "delivery_method"}
    return named.pop() if len(named) == 1 else None


def asks_rather_than_chooses(text: str) -> bool:
    """「スマホで受け取れますか」「郵便で送られてきた紙のIDですか」: a question, not a request put as one
    (「SMSで送ってもらえますか」)."""
    word = fold(text)
    asks = QUESTION_MARK.search(text) or QUESTION_FORM.search(word)
    return bool(asks and not REQUEST_FORM.search(word)) or asks_of_a_way(text)


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


def spoken_procedure_title(tracker: Tracker, procedure: str | None) -> str | None:
    """The procedure's name in a sentence; in easy mode the easy title (the one its button showed)."""
    title = procedure_title(procedure)
    if title and tracker.get_slot(EASY_JAPANESE_SLOT):
        return twins().button_title(title)
    return title


def gives_an_account(tracker: Tracker) -> bool:
    """The latest message names an account (お客さま番号, OCN ID or connection ID)."""
    return any(e.get("entity") in ACCOUNT_ENTITIES for e in tracker.latest_message.get("entities") or [])


def procedure_of_topic(tracker: Tracker) -> str | None:
    """「チャットでできますか？」 right after an answer asks for that answer's procedure (the offer may
    have been answered or passed over already)."""
    topic = TOPICS.get(tracker.get_slot("topic") or "")
    return topic.procedure if topic else None


def procedure_of_clarification(tracker: Tracker) -> str | None:
    """「ここで手続きできますか」 right after the bot offered topics to choose from (a clarification): the one
    chat procedure among the offered topics; None when they have none, or several (the form asks which)."""
    if not offered_topics_just_before(tracker):
        return None
    offered = [TOPICS.get(str(button.get("payload") or "").removeprefix("/")) for button in buttons_before(tracker)]
    procedures = {topic.procedure for topic in offered if topic and topic.procedure}
    return procedures.pop() if len(procedures) == 1 else None


def procedure_of_request(tracker: Tracker) -> str | None:
    """The procedure a request to do it in the chat that names none asks for: the answer's just given, else
    the one the bot's clarification just offered, else the one of the bot's last two answers, else the one
    the customer's recent messages lean to."""
    return (
        procedure_of_topic(tracker)
        or procedure_of_clarification(tracker)
        or procedure_of_recent_answers(tracker)
        or procedure_of_the_thread(tracker)
    )


def _connection_id_by_its_way(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """「SMSでお願いします」「郵送で」 to 「どのお手続きをご希望ですか？」: only the connection ID is received by SMS or
    post (the help page's three ways), so that is the procedure, and the way is kept (not asked again)."""
    text = tracker.latest_message.get("text") or ""
    word = fold(text)
    if any(found.entity == "id_type" for found in find_choices(text)) or NAMES_ANOTHER_THING.search(word):
        return {}  # 「お客さま番号をSMSで」「確認コードはSMSで」「郵便番号」: not the connection ID's way
    # a bare choice (「郵送で」「SMS」), or a short reply that chooses one way (no ID, no question, no negation)
    chosen = read_choice("delivery_method", text)
    method = chosen[0].value if len(chosen) == 1 else _one_method_named(text)
    if method not in ("sms", "post") or not ONLY_THE_CONNECTION_IDS_WAY.search(word):
        return {}
    dispatcher.utter_message(response=DELIVERY_NOTED[method])
    return {"procedure": "send_connection_id", "delivery_method": method}


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


class _AskWithButtons(Action, ABC):
    """The form's question for a slot, with buttons whose payloads carry entities. Abstract: rasa_sdk
    registers every concrete Action subclass, and this base would be served as a bare "action_ask_"."""

    slot = ""

    @staticmethod
    @abstractmethod
    def make_buttons() -> list[dict[str, str]]:
        """The question's buttons (each subclass names its function in actions/buttons.py)."""

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
            # A code typed here was never sent (nothing is sent before a procedure is chosen): say so, rather
            # than ask the same question as if it had not been read.
            response = "utter_ask_procedure_code_not_sent" if _typed_a_code(tracker) else "utter_ask_procedure_for_id"
            dispatcher.utter_message(response=response, buttons=buttons.procedures())
            return []
        return await super().run(dispatcher, tracker, domain)


def _typed_a_code(tracker: Tracker) -> bool:
    text = tracker.latest_message.get("text") or ""
    return not text.startswith("/") and one_time_code(text) is not None


class ActionAskDeliveryMethod(_AskWithButtons):
    slot = "delivery_method"
    make_buttons = staticmethod(buttons.delivery_methods)


_ID_ASKED = {"utter_ask_account_ref", "utter_ask_account_ref_for", "utter_ask_delivery_method_and_account_ref"}


class ActionAskAccountRef(Action):
    """The ID to verify. For the connection ID with no delivery method yet, the method is asked in the
    same message (the help page offers the three ways first): customers answer either first, and the
    form asks for whichever is still missing (extract_delivery_method keeps a method given now)."""

    def name(self) -> str:
        return "action_ask_account_ref"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # An address said aloud is offered to confirm as a button of this question (LINE shows the last bubble's
        # buttons only): verification_slots.py said what it read.
        said_aloud = _address_said_aloud(tracker) or address_still_offered(tracker)
        confirm = [{"title": said_aloud, "payload": said_aloud}] if said_aloud else []
        if tracker.get_slot("procedure") == "send_connection_id" and not tracker.get_slot("delivery_method"):
            dispatcher.utter_message(
                response="utter_ask_delivery_method_and_account_ref",
                buttons=confirm + buttons.delivery_methods() + buttons.cancel(),
            )
        elif not _ID_ASKED & set(bot_responses_before(tracker)) and (
            title := spoken_procedure_title(tracker, tracker.get_slot("procedure"))
        ):
            # Named on the first ask (the procedure may have been inferred: an answer's, a clarification's, the
            # thread's); asked again right after it (a mistyped ID), the question alone. (The form has set
            # requested_slot by now on every ask.)
            dispatcher.utter_message(response="utter_ask_account_ref_for", procedure_title=title, buttons=confirm)
        else:
            dispatcher.utter_message(response="utter_ask_account_ref", buttons=confirm)
        return []


def _address_said_aloud(tracker: Tracker) -> str | None:
    """The address the customer's latest message says aloud (ocn_ids/spoken_mail.py), when it holds no typed ID."""
    text = tracker.latest_message.get("text") or ""
    return None if text.startswith("/") or _ids_in(tracker) else spoken_mail(text)


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
                    shared_client().account_summary, tracker.get_slot("verification_id"), tracker.sender_id
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
