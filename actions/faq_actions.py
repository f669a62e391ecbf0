"""Answers to the help-page questions, the which-password question, survey and fallback."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import knowledge
from actions.answers import PASSWORD_CHANGES, answer_topic, ask_which_id, which_password_by_its_use
from actions.buttons import talk_to_person
from actions.choices import named_procedure
from actions.conversation_state import (
    PROCEDURE_FORM,
    ask,
    asked_in_recent_turns,
    asked_which_id_just_before,
    bot_responses_before,
    latest_confidence,
    latest_entity,
    latest_intent,
)
from actions.easy_japanese_actions import offers_easy_japanese
from actions.follow_ups import (
    ID_NAMES,
    TOPIC_OF_ID,
    asked_operation,
    asked_why_not,
    bare_follow_up,
    forgotten_instead_of_change,
    id_of_topic,
    topic_asked_again,
    topic_the_words_correct,
    topics_of_an_operation_alone,
)
from actions.links import contact_response, link
from actions.password_warning import warns_about_typed_password
from actions.procedure_form import procedure_of_request, start_procedure_events
from actions.procedure_switch import asks_a_question
from actions.replies import goes_ahead_at_the_confirmation, read_in_context
from actions.topics import SMALL_TALK_RESPONSES, TOPICS, topic_of_procedure
from ocn_ids.answers import (
    CHANGE_WORDS,
    EMBEDDED_QUESTION,
    FORGOT_WORDS,
    KNOWS_CURRENT,
    ONES_OWN,
    PASSWORD_WORDS,
    THE_ID_ITSELF,
    THE_ID_SENT,
    WHAT_IT_LOOKS_LIKE,
    asks_for_chat_procedure,
    asks_for_the_chat_procedure_despite_slips,
    asks_for_the_internet_id,
    asks_or_requests,
    asks_the_bot_to_look,
    asks_the_bot_to_reset,
    asks_the_bot_to_send,
    fold,
    greets_and_asks_nothing,
    leaves_the_password_open,
    names_an_id_and_nothing_more,
    names_another_service,
    names_the_bot,
    of_another_providers_own,
    says_goodbye,
    speaks_of_other_matters,
    takes_leave_at_the_end,
    thanks_in,
)
from ocn_ids.normalize import MAX_MESSAGE_CHARS, has_meaningful_content, nfkc
from ocn_ids.parse import find_choices, named_id_types

logger = logging.getLogger(__name__)


class ActionAnswer(Action):
    """One action for every help-page intent, so every answer ends with a next step."""

    def name(self) -> str:
        return "action_answer"

    @offers_easy_japanese
    @warns_about_typed_password
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        in_context = await read_in_context(dispatcher, tracker)
        if in_context is not None:
            return in_context
        intent = latest_intent(tracker) or "out_of_scope"
        in_form = tracker.active_loop_name == PROCEDURE_FORM
        if intent == "bot_challenge" and not in_form and _unsure_it_asks_about_the_bot(tracker):
            return await clarify(dispatcher, tracker)  # 「それってどこでするんですか」: not about the bot
        if intent == "greet" and not in_form and _greets_and_names_an_id(tracker):
            return await clarify(dispatcher, tracker)  # 「こんにちは～ IDのことで」: the ID's topics asked, not a hello
        if intent == "goodbye" and not in_form and _unsure_it_takes_leave(tracker):
            # 「ちやっとでおねかいします」 read as a goodbye without a word of one: thanks are thanks, else unclear.
            if not thanks_in(fold(tracker.latest_message.get("text") or "")):
                return await clarify(dispatcher, tracker)
            intent = "thank"
        intent = _read_again(intent, tracker, in_form)
        if intent in SMALL_TALK_RESPONSES:
            dispatcher.utter_message(response=SMALL_TALK_RESPONSES[intent])
            if in_form:
                dispatcher.utter_message(response="utter_back_to_procedure")
            return []
        if intent == "request_human":
            return [FollowupAction("action_handoff")]  # a person takes over (actions/handoff_actions.py)
        if intent == "start_procedure" and in_form:
            dispatcher.utter_message(response="utter_back_to_procedure")  # already doing one
            return []
        if intent == "forgot_password":
            if in_form:
                return _password_question_in_a_procedure(dispatcher, tracker)
            if asked_operation(tracker.latest_message.get("text") or "", "") == "password_change":
                # 「パスワードの変更ってどこからできますか」: which password to change, not the forgotten ones'
                return ask_which_id(dispatcher, list(PASSWORD_CHANGES))
            return which_password_by_its_use(dispatcher, tracker)
        if intent not in TOPICS:
            intent = "out_of_scope"
        if intent != "out_of_scope" and not in_form and (_too_short_to_tell(tracker) or _says_only_an_id(tracker)):
            return _clarify_short(dispatcher, tracker)
        text = tracker.latest_message.get("text") or ""
        intent = intent if in_form else _look_up_asked_to_be_sent(intent, text)
        asked_for, procedure = _procedure_asked_for(intent, text)
        if asked_for and not in_form:
            # 「ログイン履歴をチャットで確認したい」: what the customer asked for is the procedure, not its answer.
            return start_procedure_events(tracker, procedure) + [FollowupAction(PROCEDURE_FORM)]
        if intent == "out_of_scope" and not in_form and _slipped_chat_request(tracker, text):
            # 「てつつきをちやっとてしたい」 read as off-topic at 0.57: the chat procedure, which the form asks for
            return start_procedure_events(tracker, procedure_of_request(tracker)) + [FollowupAction(PROCEDURE_FORM)]
        if intent == "out_of_scope" and not in_form and not names_another_service(text):
            # A confident "off-topic" that clearly names an ID or password is one the classifier
            # could not place: answer from the help page instead (issue 8); not when the password is
            # another service's (「楽天のパスワード」「dアカウントのID」).
            found = knowledge.retrieve(text, tracker.latest_message.get("intent_ranking") or [], strong=True)
            if found.section:
                return answer_from_section(dispatcher, tracker, found)
        # 「接続用IDというのは、変えることはできますでしょうか」 read as its look-up: the topic its words state.
        return answer_topic(topic_the_words_correct(intent, text) or intent, dispatcher, tracker)


def _procedure_asked_for(intent: str, text: str) -> tuple[bool, str | None]:
    """Whether the message asks for the topic's chat procedure rather than its answer, and which procedure (None:
    the form asks which, 「登録証の件、チャットでできることを」)."""
    procedure = TOPICS[intent].procedure
    sends_it = intent in _WHAT_THE_CHAT_CAN_SEND and not asks_a_question(text) and "再発行" not in text
    if sends_it and asks_for_chat_procedure(text):
        procedure = named_procedure(text)
    looks_it_up = intent in _LOOK_UPS and _asks_the_bot_to_do_it(text)
    asked_of_the_bot = looks_it_up or _asks_the_bot_to_reset(intent, text)
    return bool(procedure or sends_it) and (asks_for_chat_procedure(text) or asked_of_the_bot), procedure


def _asks_the_bot_to_do_it(text: str) -> bool:
    """「お客さま番号を調べてください」: the bot asked to look the ID up, not how the customer does it. Not asked in
    question form (「調べてもらえますか」), nor 「送ってほしい」: the conversation writers expected the answer, which
    names the ways and offers the chat (decision set: 「接続用IDとパスワードを送ってほしいです」)."""
    return asks_the_bot_to_look(text) and not asks_a_question(EMBEDDED_QUESTION.sub("", text))


def _asks_the_bot_to_reset(intent: str, text: str) -> bool:
    """「OCN IDのパスワードリセットしてほしい」: the reset asked of the bot (not asked whether it can be done). A
    sending asked for, even with its way (「接続用IDをSMSで送ってほしい」), is answered: its answer names the ways
    and offers the chat — the blind set's and most decision writers' call (one sixth-batch writer expected the
    procedure)."""
    return intent == "forgot_ocn_id_password" and asks_the_bot_to_reset(text)


def _look_up_asked_to_be_sent(intent: str, text: str) -> str:
    """「お客さま番号をSMSで送ってほしい」 read as its change (0.61): a request to send the one ID it names, the ID
    itself (not a password, its reset link, the way to change it, a form or the history), is that ID's look-up,
    whose procedure sends it."""
    named, word = named_id_types(text), fold(text)
    if len(named) != 1 or PASSWORD_WORDS.search(word) or CHANGE_WORDS.search(word) or not asks_the_bot_to_send(text):
        return intent
    # 「メール」 alone names the OCN ID, but 「メールで送って」 is how, not what.
    ids = [
        found
        for found in find_choices(text)
        if found.entity == "id_type" and fold(text[found.start : found.end]) != "めーる"
    ]
    if not any(THE_ID_SENT.match(fold(text[found.end :])) for found in ids):
        return intent  # 「OCN IDの手順をメールで送ってほしい」「接続用IDの申込書を郵送で」: something else sent
    return TOPIC_OF_ID[next(iter(named))]["check"]


# Actions that pass a message they have no use for on to action_clarify (a cancel with nothing running,
# actions/procedure_run.py; a code reading with no procedure running, actions/code_step.py; a procedure
# asked for of another matter, actions/procedure_form.py).
_PASSED_ON_BY = frozenset(
    {"action_cancel_procedure", "action_code_not_received", "action_resend_code", "action_start_procedure"}
)


# Topics with no procedure of their own whose contents the chat's procedures send (the lost letter held the IDs):
# asked for in the chat, the customer is asked which procedure instead of being given the answer.
_WHAT_THE_CHAT_CAN_SEND = frozenset({"lost_registration_letter"})
# Topics whose procedure looks something up for the customer: asked of the bot (「お客さま番号を調べてください」),
# the procedure starts (not the forgotten password: a password is never looked up, its answer says so).
_LOOK_UPS = frozenset({"check_customer_number", "check_ocn_id", "check_login_history", "check_connection_id"})
# Readings a password topic takes for another service's password (「楽天のパスワード忘れた」).
_PASSWORD_TOPICS = frozenset(
    {"forgot_password", "forgot_ocn_id_password", "change_ocn_id_password", "change_connection_id_password"}
)
# Below this, a request for a person about another matter (「でんわのりょうきんはいくら」) is that matter.
_SURE_IT_ASKS_FOR_A_PERSON = 0.6
# Below this, a page topic read of a message about another matter, naming none of the page's things, is that matter.
_SURE_OF_A_PAGE_TOPIC = 0.8


def _forgot_the_id(text: str) -> bool:
    """「OCN IDを忘れました」: the ID itself forgotten, not its password."""
    word = fold(text)
    return bool(FORGOT_WORDS.search(word)) and not PASSWORD_WORDS.search(word)


def _read_again(intent: str, tracker: Tracker, in_form: bool) -> str:
    """The classifier's reading, corrected by what the words say for certain."""
    text = tracker.latest_message.get("text") or ""
    confidence = latest_confidence(tracker)
    if intent == "thank" and not in_form and takes_leave_at_the_end(text):
        return "goodbye"  # 「ありがとうございます。本日はここまでといたします。ごきげんよう。」
    if intent == "request_human" and confidence < _SURE_IT_ASKS_FOR_A_PERSON and speaks_of_other_matters(text):
        return "out_of_scope"  # no word of a person (those go to one first: actions/replies.py)
    if intent in TOPICS and confidence < _SURE_OF_A_PAGE_TOPIC and speaks_of_other_matters(text):
        return "out_of_scope"  # 「毎月の料金がいくら引き落とされているのか」 read as the login history at 0.54
    if intent == "request_human" and confidence < _SURE_IT_ASKS_FOR_A_PERSON and _only_takes_leave(text):
        return "goodbye"  # 「わかりました、では失礼いたします」 read as a person at 0.31: no word of one, a leave taken
    if intent in _PASSWORD_TOPICS and names_another_service(text):
        return "out_of_scope"  # not one of OCN's two passwords
    if (
        intent == "change_ocn_id_password"
        and in_form
        and tracker.get_slot("procedure") == "reset_ocn_password"
        and not KNOWS_CURRENT.search(fold(text))  # 「今のはわかるので、変更の方法を」: the change, as asked
    ):
        # in the reset, the password is the forgotten one (「変えたらメールソフトも？」)
        return "forgot_ocn_id_password"
    if intent == "forgot_ocn_id_password" and not in_form and _which_password_unsaid(tracker):
        return "forgot_password"  # 「OCNのパスワード」: which of the two, asked
    forgotten = forgotten_instead_of_change(intent, text)
    if forgotten:
        return forgotten  # no change without the current password: the way for a forgotten one
    if intent == "ask_id_types" and asks_for_the_internet_id(text):
        return "check_connection_id"  # the one ID of the internet's settings, not the three IDs
    named = named_id_types(text)
    if (
        intent == "ask_id_types"
        and len(named) == 1
        and (
            ONES_OWN.search(nfkc(text).lower())
            or _forgot_the_id(text)
            or WHAT_IT_LOOKS_LIKE.search(fold(text))
            or asked_operation(text, "") == "check"  # 「接続用IDというものを確かめたいのですが」
        )
    ):
        # 「自分のOCN IDってなんだっけ」「OCN IDを忘れました。何でしたっけ」「お客さま番号ってどういう形の番号？」:
        # the look-up of that one, whose answer says what it looks like and where it is written
        return TOPIC_OF_ID[named.pop()]["check"]
    return intent


def _only_takes_leave(text: str) -> bool:
    """The last sentence takes leave, and nothing is asked (an opening 「失礼します、…を教えてください」 is no goodbye)."""
    return takes_leave_at_the_end(text) and not asks_or_requests(text)


def _password_question_in_a_procedure(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """「パスワードも変えたいんですけど」 during the OCN ID's look-up: that ID's password (to change or forgotten),
    answered before the form's question again; in the customer number's look-up, the two passwords told apart."""
    id_type = id_of_topic(topic_of_procedure(tracker.get_slot("procedure")))  # the customer number has no password
    operation = asked_operation(tracker.latest_message.get("text") or "", "") or "password_forgotten"
    topic = TOPIC_OF_ID[id_type].get(operation) if id_type and operation.startswith("password") else None
    if topic is None:
        dispatcher.utter_message(response="utter_password_difference")
        dispatcher.utter_message(response="utter_back_to_procedure")
        return []
    return answer_topic(topic, dispatcher, tracker)


class ActionClarify(Action):
    """Unclear message: answer from the help page when it is about IDs/passwords, else offer the
    two likeliest topics; a second miss in a row gets the second-fallback answer."""

    def name(self) -> str:
        return "action_clarify"

    @offers_easy_japanese
    @warns_about_typed_password
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        in_context = await read_in_context(dispatcher, tracker)
        answered = in_context if in_context is not None else await clarify(dispatcher, tracker)
        if tracker.latest_action_name in _PASSED_ON_BY and not _goes_on(answered):
            # Reached as the follow-up of an action that found nothing of its own to do in the message: no
            # rule follows that path, and that action's rule would run again. During a procedure the form asks
            # its question again (a yes to the answer just given must not be read as the final confirmation's).
            after = PROCEDURE_FORM if tracker.active_loop_name == PROCEDURE_FORM else "action_listen"
            return [*answered, FollowupAction(after)]
        return answered


def _goes_on(events: list[dict[str, Any]]) -> bool:
    return any(event.get("event") == "followup" for event in events)


async def clarify(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """ActionClarify's answer to a message no reader of the conversation took."""
    text = tracker.latest_message.get("text") or ""
    if goes_ahead_at_the_confirmation(tracker, text):
        return []  # the form reads it as the yes (extract_procedure_confirmed) and runs the procedure
    if len(text) > MAX_MESSAGE_CHARS:
        dispatcher.utter_message(response="utter_too_long")
        return []
    if not has_meaningful_content(text):
        dispatcher.utter_message(response="utter_unreadable")
        return []
    if speaks_of_other_matters(text) or of_another_providers_own(text):
        # bills, moving house, another provider's mail (「ソフトバンクのほうのメールも見てもらえますか」): nothing to
        # clarify
        return answer_topic("out_of_scope", dispatcher, tracker)
    if not tracker.get_slot("topic") and tracker.active_loop_name != PROCEDURE_FORM and greets_and_asks_nothing(text):
        # 「はじめまして。…宜しくお願い申し上げます」 before anything was asked: greeted back.
        dispatcher.utter_message(response="utter_greet")
        return []
    if tracker.active_loop_name != PROCEDURE_FORM and (
        (asks_for_chat_procedure(text) and not _likeliest_off_topic(tracker))
        or asks_for_the_chat_procedure_despite_slips(text)  # 「ちやっとててつつきしたいてす」: slips read off-topic
    ):
        # 「これチャットでやってもらえますか」 that the classifier could not place still asks for the chat
        # procedure: the one it names, else the one of the answer just given or of the topics the bot just
        # offered, else the bot asks which.
        procedure = named_procedure(text) or procedure_of_request(tracker)
        return start_procedure_events(tracker, procedure) + [FollowupAction(PROCEDURE_FORM)]
    ranking = tracker.latest_message.get("intent_ranking") or []
    said_before = bot_responses_before(tracker)
    topic = tracker.get_slot("topic")
    found = knowledge.retrieve(text, ranking)
    again = None
    if "utter_topic_again" not in said_before:  # an answer given again is not given a third time
        again = topic_asked_again(topic, said_before, ranking, text) or asked_why_not(topic, said_before, text)
        if not again and not found.section:
            again = bare_follow_up(topic, said_before, text, ranking)
    if again and tracker.active_loop_name != PROCEDURE_FORM:
        _introduce_again(dispatcher, again, topic)
        return answer_topic(again, dispatcher, tracker)
    if _clarified_just_before(tracker) and not found.section:
        return second_fallback(dispatcher, tracker)
    if tracker.active_loop_name != PROCEDURE_FORM and _says_only_an_id(tracker):
        return _clarify_short(dispatcher, tracker)  # not the section of the three IDs
    asked_before = tracker.active_loop_name == PROCEDURE_FORM or asked_which_id_just_before(tracker)
    alone = topics_of_an_operation_alone(text) if not asked_before else []
    if len(alone) > 1:
        return ask_which_id(dispatcher, alone)  # 「パスワードの変更方法を教えて」: not one ID's section guessed
    if tracker.active_loop_name != PROCEDURE_FORM and _likeliest_a_forgotten_password(tracker):
        # 「何回やってもログインできない！パスワード忘れたっぽい」
        return which_password_by_its_use(dispatcher, tracker)
    likeliest = _likeliest(ranking)
    forgotten = forgotten_instead_of_change(likeliest, text) if _names_the_id_of(likeliest, text) else None
    if forgotten and tracker.active_loop_name != PROCEDURE_FORM:
        return answer_topic(forgotten, dispatcher, tracker)  # the likeliest is a change, of a forgotten password
    return _answer_what_was_found(dispatcher, tracker, found)


def _introduce_again(dispatcher: CollectingDispatcher, again: str, topic: str | None) -> None:
    """The bubble before an answer given again: 「先ほどの…について、あらためて」, or, for the same ID's other topic
    (「で確認は？」 after the change's answer), which ID it took."""
    same_id = id_of_topic(again)
    if again != topic and same_id is not None and same_id == id_of_topic(topic):
        dispatcher.utter_message(response="utter_about_the_id", id_name=ID_NAMES[same_id])
    else:
        dispatcher.utter_message(response="utter_topic_again", title=TOPICS[again].title)


def _answer_what_was_found(
    dispatcher: CollectingDispatcher, tracker: Tracker, found: knowledge.Retrieval
) -> list[dict[str, Any]]:
    """The help-page section found for an unclear message (or the topic its words state, when the section is
    another topic of the same ID), else the likeliest topics as buttons, else the second fallback."""
    if found.section:
        ranking = tracker.latest_message.get("intent_ranking") or []
        text = tracker.latest_message.get("text") or ""
        corrected = topic_the_words_correct(knowledge.section_topic(found.section, ranking), text)
        if corrected:
            return answer_topic(corrected, dispatcher, tracker)  # the ID's other topic that its words state
        return answer_from_section(dispatcher, tracker, found)
    if not found.buttons:
        return second_fallback(dispatcher, tracker)
    dispatcher.utter_message(response="utter_clarify", buttons=knowledge.topic_buttons(found.buttons))
    return [ask(None)]


# A word or two (「ID」「番号」) read as a topic without much confidence says too little to answer: the bot asks
# which topic, with the likeliest ones (and the three IDs when the classifier names fewer) as buttons.
_SHORTEST_QUESTION_CHARS = 3
_SURE_OF_A_SHORT_ONE = 0.7
_ID_TOPICS = ("ask_id_types", "check_customer_number", "check_ocn_id", "check_connection_id")


def _too_short_to_tell(tracker: Tracker) -> bool:
    intent = tracker.latest_message.get("intent") or {}
    text = tracker.latest_message.get("text") or ""
    return (
        not text.startswith("/")
        and len(fold(text).strip()) < _SHORTEST_QUESTION_CHARS
        and float(intent.get("confidence") or 0.0) < _SURE_OF_A_SHORT_ONE
    )


def _says_only_an_id(tracker: Tracker) -> bool:
    """「IDのことで」「OCN IDの件なんですが」: not an answer to a question the bot asked (「お客さま番号で」 to the
    offer of a procedure), nor right after the bot asked which topic (a second miss)."""
    text = tracker.latest_message.get("text") or ""
    answering = tracker.get_slot("pending_question") not in (None, "survey")
    if latest_confidence(tracker) >= _SURE_OF_A_SHORT_ONE:
        return False  # 「IDの番号」 read surely as the three IDs is answered
    return names_an_id_and_nothing_more(text) and not answering and not _clarified_just_before(tracker)


def _clarify_short(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Which topic, asked with buttons: the named ID's topics, else the likeliest and the three IDs."""
    text = tracker.latest_message.get("text") or ""
    named = named_id_types(text)
    if len(named) == 1:
        offered = list(dict.fromkeys(TOPIC_OF_ID[named.pop()].values()))
    elif names_an_id_and_nothing_more(text):
        offered = list(_ID_TOPICS)
    else:
        ranking = tracker.latest_message.get("intent_ranking") or []
        offered = [item["name"] for item in ranking if item.get("name") in TOPICS and item["name"] != "out_of_scope"]
        offered = [*offered, *(topic for topic in _ID_TOPICS if topic not in offered)][:3]
    dispatcher.utter_message(response="utter_clarify", buttons=knowledge.topic_buttons(offered))
    return [ask(None)]


# Below this, a "are you a bot?" reading must name the bot to be one (「それって…ですか」 is not).
_SURE_IT_ASKS_ABOUT_THE_BOT = 0.9
# Below this, a goodbye reading must say goodbye (「失礼します」「じゃあね」「また今度」) to close the chat.
_SURE_IT_TAKES_LEAVE = 0.6


# At or above this, a greeting reading is a greeting even if an ID is named in it (「こんにちは、OCN IDの件で
# お世話になっております」 read surely as a hello is answered as one).
_SURE_IT_GREETS = 0.8


def _greets_and_names_an_id(tracker: Tracker) -> bool:
    """A greeting reading, unsure, of a message that also names an ID or a password: more than a hello."""
    text = tracker.latest_message.get("text") or ""
    names = named_id_types(text) or PASSWORD_WORDS.search(fold(text)) or THE_ID_ITSELF.search(fold(text))
    return latest_confidence(tracker) < _SURE_IT_GREETS and bool(names) and not text.startswith("/")


def _unsure_it_asks_about_the_bot(tracker: Tracker) -> bool:
    confidence = latest_confidence(tracker)
    text = tracker.latest_message.get("text") or ""
    return confidence < _SURE_IT_ASKS_ABOUT_THE_BOT and not names_the_bot(text)


def _unsure_it_takes_leave(tracker: Tracker) -> bool:
    confidence = latest_confidence(tracker)
    return confidence < _SURE_IT_TAKES_LEAVE and not says_goodbye(tracker.latest_message.get("text") or "")


def answer_from_section(
    dispatcher: CollectingDispatcher, tracker: Tracker, found: knowledge.Retrieval
) -> list[dict[str, Any]]:
    """The help-page section that answers an unsure message. A section whose topic the chat can carry out also
    offers that procedure among its buttons, as the topic's own answer does (「はい、お願いします」 to it
    starts the procedure; 「今はしない」 is answered like a no to the offer); not while another procedure's
    topic is discussed (a side question: 「ここでできますか」 after it still means that one)."""
    assert found.section is not None
    ranking = tracker.latest_message.get("intent_ranking") or []
    topic = TOPICS.get(knowledge.section_topic(found.section, ranking) or "")
    discussed = TOPICS.get(tracker.get_slot("topic") or "")
    procedure = topic.procedure if topic and tracker.active_loop_name != PROCEDURE_FORM else None
    if discussed and discussed.procedure not in (None, procedure):
        procedure = None
    knowledge.send_section(dispatcher, found, link("help_id_password"), procedure)
    asked = [ask("offer_procedure"), SlotSet("offered_procedure", procedure)] if procedure else [ask(None)]
    return [*asked, *_section_as_topic(tracker, found.section)]


def _section_as_topic(tracker: Tracker, section: knowledge.Section) -> list[dict[str, Any]]:
    """A help-page section shown becomes the topic what the customer says next is read against, unless
    the topic discussed has a chat procedure: a side question answered from the help page does not
    replace what the customer came to do (「ここでできますか」 after it still means that procedure)."""
    discussed = TOPICS.get(tracker.get_slot("topic") or "")
    if discussed and discussed.procedure:
        return []
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [SlotSet("topic", knowledge.section_topic(section, ranking))]


def _likeliest_a_forgotten_password(tracker: Tracker) -> bool:
    """The classifier's best guess, though unsure, is a forgotten password without saying which, and the
    message names no ID: the bot asks which (a question back) rather than quote a section for both."""
    text = tracker.latest_message.get("text") or ""
    return (
        _likeliest(tracker.latest_message.get("intent_ranking") or []) == "forgot_password"
        and not latest_entity(tracker, "id_type")
        and not names_another_service(text)  # 「楽天のパスワード忘れたっぽい」: not one of OCN's two
    )


def _which_password_unsaid(tracker: Tracker) -> bool:
    """A first question read as the OCN ID's forgotten password that names no ID: the bot asks which of the
    two passwords (after an answer, the conversation's topic says which; asked once, 「OCNのパスワードです」
    answers it as the OCN ID's)."""
    text = tracker.latest_message.get("text") or ""
    asked = tracker.get_slot("pending_question") == "which_password" or asked_in_recent_turns(
        tracker, "utter_ask_which_password", turns=3
    )
    return tracker.get_slot("topic") is None and not asked and leaves_the_password_open(text)


def _slipped_chat_request(tracker: Tracker, text: str) -> bool:
    """A flick-typed request for the chat procedure read off-topic unsurely, of no other matter."""
    unsure = latest_confidence(tracker) < _SURE_IT_IS_OFF_TOPIC
    return unsure and asks_for_the_chat_procedure_despite_slips(text) and not speaks_of_other_matters(text)


# Above this, an off-topic reading stands even when the words look like a slipped chat request.
_SURE_IT_IS_OFF_TOPIC = 0.8


def _likeliest_off_topic(tracker: Tracker) -> bool:
    """The classifier's best guess, though unsure, is off-topic (「こちらで料金の支払いはできますか」): "here"
    then asks about something this chat does not do, not for its procedure."""
    return _likeliest(tracker.latest_message.get("intent_ranking") or []) == "out_of_scope"


def _names_the_id_of(topic: str | None, text: str) -> bool:
    """The text names the ID of the topic (an unsure reading's guess of which ID is no answer to trust)."""
    return any(topic in TOPIC_OF_ID[id_type].values() for id_type in named_id_types(text))


def _likeliest(ranking: list[dict[str, Any]]) -> str | None:
    """The classifier's best guess, however unsure (the fallback left out)."""
    return next((str(r.get("name")) for r in ranking if r.get("name") != "nlu_fallback"), None)


def second_fallback(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Nothing to offer (or a second miss in a row): the help page and the contact page."""
    dispatcher.utter_message(
        response=contact_response("utter_fallback"),
        link=link("help_id_password"),
        contact_link=link("contact"),
        buttons=talk_to_person(),
    )
    return [ask(None)]


def _clarified_just_before(tracker: Tracker) -> bool:
    """True if the bot's previous turn was already a clarification."""
    user_turns = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_turns += 1
            if user_turns > 1:
                return False
        elif (
            user_turns == 1
            and event.get("event") == "action"
            and event.get("name")
            not in (
                "action_listen",
                None,
            )
        ):
            return event.get("name") == "action_clarify"
    return False
