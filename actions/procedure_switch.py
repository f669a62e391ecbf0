"""A customer changing their mind about the procedure: another one instead while it runs, or the one just
cancelled taken back.

「あ、やっぱりログイン履歴のほうが見たい」 during the password reset replaces it; 「スマホ取ってきました、やっぱり
お願いします」 right after 「お手続きを中止しました」 starts the cancelled one again. The vocabulary is in
ocn_ids/answers.py (INSTEAD_OF, CHANGE_TO, SWITCH_REQUEST, RESUMES …).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet

from actions.choices import QUESTIONS, named_procedure
from actions.conversation_state import PROCEDURE_FORM, PROCEDURE_SLOTS, ask, bot_responses_before, reset_procedure
from actions.topics import TOPICS
from ocn_ids.answers import (
    APOLOGY,
    CHANGE_TO,
    CHANGE_WORDS,
    CHOOSES_AN_ID,
    HAD_ENOUGH,
    IDENTIFIES_WITH,
    INSTEAD_OF,
    NEGATED,
    PUTS_OFF,
    QUESTION_FORM,
    RESUMES,
    SWITCH_REQUEST,
    TAKES_UP_THE_OFFER,
    TURNS_TO,
    fold,
    last_sentence,
)
from ocn_ids.parse import find_choices, named_id_types

_PROCEDURES = frozenset(choice.value for choice in QUESTIONS["procedure"])
# What ends the search for the procedure a cancel stopped: an earlier procedure's end or a new session.
_EARLIER_END = frozenset({"action_run_procedure", "action_cancel_procedure"})


def switched_procedure(tracker: Tracker, intent: str) -> str | None:
    """During a procedure, the other one the customer asks for instead, or None.

    「パスワード再設定じゃなくてログイン履歴にして」 names it after the "not"; 「やっぱりログイン履歴のほうが見たい」
    names it with a change of mind, and the classifier's topic must agree (its loose aliases alone would take
    「やっぱりメールアドレスを変更したい」 for the OCN ID's look-up). A question, or an ID chosen to be identified
    with (「OCN IDでもいい？」), switches nothing."""
    text = tracker.latest_message.get("text") or ""
    word = fold(text)
    running = tracker.get_slot("procedure")
    if not running or asks_a_question(text) or CHOOSES_AN_ID.search(word) or IDENTIFIES_WITH.search(word):
        # none chosen yet (the form reads its own question), a question, an ID to identify with (「やっぱりお客さま番号で
        # 本人確認したい」 had switched to the customer number's look-up)
        return None
    instead = list(INSTEAD_OF.finditer(word))
    if instead:
        after = word[instead[-1].end() :]
        wanted = named_procedure(after) if SWITCH_REQUEST.search(after) else None
    elif CHANGE_TO.search(word) and SWITCH_REQUEST.search(word):
        named = named_procedure(word)
        agrees = (
            intent == "start_procedure" or _a_likely_topic_of(tracker, intent, named) or _sent_a_way_named(text, named)
        )
        wanted = named if agrees else None
    else:
        return None
    return wanted if wanted in _PROCEDURES and wanted != running else None


def _a_likely_topic_of(tracker: Tracker, intent: str, procedure: str | None) -> bool:
    """The classifier's topic is that procedure's, or, when it could not place the message, its likeliest topic is
    and the words name the procedure plainly (「ログイン履歴が見たい」) or turn to it (「パスワードの再設定にしたい」):
    「はい、やっぱりログインできないのでお願いします」 names the login history by a loose alias only."""
    if procedure not in _PROCEDURES:
        return False  # nothing named (an off-topic reading has no procedure either)
    if intent != "nlu_fallback":
        topic = TOPICS.get(_AS_A_TOPIC.get(intent, intent))
        return topic is not None and topic.procedure == procedure
    text = fold(tracker.latest_message.get("text") or "")
    ranking = [r.get("name") for r in (tracker.latest_message.get("intent_ranking") or []) if r.get("name") != intent]
    likeliest = TOPICS.get(_AS_A_TOPIC.get(ranking[0] or "", ranking[0] or "")) if ranking else None
    if likeliest is None or likeliest.procedure != procedure:
        return False
    return bool(TURNS_TO.search(text)) or _names_plainly(text, procedure)


def _sent_a_way_named(text: str, procedure: str | None) -> bool:
    """「やっぱ接続用IDをSMSで送ってもらうほうにしたい」: the connection ID named plainly with a way to receive it is
    its sending, whatever topic the classifier gave the words (it read a change of the ID)."""
    if procedure != "send_connection_id" or not _names_plainly(fold(text), procedure):
        return False
    return any(found.entity == "delivery_method" for found in find_choices(text))


# A reading of no one topic that agrees with the procedure its words name: a forgotten password whose ID is unsaid
# (「やっぱパスワードの再設定のほうにして」) agrees with the one password the chat resets.
_AS_A_TOPIC = {"forgot_password": "forgot_ocn_id_password"}


# Aliases of a procedure that name other things too (「ログインできない」「パスワードを忘れた」「接続できない」).
_LOOSE_ALIASES = frozenset(
    fold(a) for a in ("パスワード", "ログイン", "ocn", "接続", "接続用", "メールアドレス", "リセット")
)


def _names_plainly(text: str, procedure: str) -> bool:
    choice = next((c for c in QUESTIONS["procedure"] if c.value == procedure), None)
    if choice is None:
        return False
    keys = {fold(choice.title), *(fold(a) for a in choice.aliases)} - _LOOSE_ALIASES
    return any(key in text for key in keys if len(key) >= 2)


# The ID each procedure is about: turning to another ID while one runs has not said which of its procedures.
_ID_OF_PROCEDURE = {
    "reset_ocn_password": "ocn_id",
    "send_ocn_id": "ocn_id",
    "login_history": "ocn_id",
    "send_customer_number": "customer_number",
    "send_connection_id": "connection_id",
}


def turns_to_another_id(tracker: Tracker) -> bool:
    """「やっぱり接続用IDのほうを先に…」 while the password reset runs: another ID, with a change of mind, and none of
    its procedures named (switched_procedure found none): which one is asked. Not while the ID to identify with is
    asked for (「やっぱりOCN IDのほうで」 chooses it), not an ID to be identified with (「やっぱりお客さま番号で」), nor
    a question."""
    text = tracker.latest_message.get("text") or ""
    word = fold(text)
    running = tracker.get_slot("procedure")
    if not running or tracker.get_slot("requested_slot") in (None, "account_ref") or text.startswith("/"):
        return False
    if asks_a_question(text) or CHOOSES_AN_ID.search(word) or _ASKS_IF_IT_CAN_BE_CHANGED.search(word):
        return False  # 「ちなみにOCN IDって別のアドレスに変えられますか？」: a question about the ID, answered
    if not (INSTEAD_OF.search(word) or CHANGE_TO.search(word)) or IDENTIFIES_WITH.search(word):
        return False
    named = named_id_types(text)
    return len(named) == 1 and _ID_OF_PROCEDURE.get(running) not in named


# Whether an ID can be changed, asked (folded: 「…に変えられますか」「変更できる？」); its 「に変え」 turns to nothing.
_ASKS_IF_IT_CAN_BE_CHANGED = re.compile(r"(変え|かえ)(られ|れ)(ます|る)(か|の)$|(変更|へんこう)(でき)(ます|る)(か|の)$")


# The look-up of each ID: 「やっぱOCN IDのほう」 while one ID's look-up runs asks for the other's.
_LOOK_UP_OF = {
    "customer_number": "send_customer_number",
    "ocn_id": "send_ocn_id",
    "connection_id": "send_connection_id",
}


def look_up_turned_to(tracker: Tracker) -> str | None:
    """While an ID's look-up runs, a turn to another ID (`turns_to_another_id`) asks for that ID's look-up
    (「お客さま番号を確認」, then 「やっぱOCN IDのほう」); while any other procedure runs, which one is left open."""
    text = tracker.latest_message.get("text") or ""
    if tracker.get_slot("procedure") not in _LOOK_UP_OF.values() or not turns_to_another_id(tracker):
        return None
    if CHANGE_WORDS.search(fold(text)):
        return None  # 「やっぱり接続用IDを変えたい」: a change, which no look-up is (which procedure is asked)
    named = named_id_types(text)
    return _LOOK_UP_OF.get(next(iter(named)))


def asks_a_question(text: str) -> bool:
    """A question rather than a request (「やっぱり履歴って何日分見られますか」「キャンセルできる？」; 「…にして
    もらえますか」 is a request). The question mark is looked for before folding, which drops it."""
    word = fold(text)
    questioned = "?" in text or "？" in text or bool(QUESTION_FORM.search(word))
    return questioned and not SWITCH_REQUEST.search(word)


def leaves_in_other_words(text: str) -> bool:
    """「もういいよ」「じゃあいいです」「もういいです、やめます」 as the typed reply's last sentence (「最初からそう言え
    よ。もういいわ」), asking nothing (`ocn_ids.answers.HAD_ENOUGH`): the customer is leaving. Where that holds (what
    is open) is the caller's."""
    enough = HAD_ENOUGH.fullmatch(fold(text)) or HAD_ENOUGH.fullmatch(fold(last_sentence(text)))
    return not text.startswith("/") and not asks_a_question(text) and bool(enough)


def switch_events(procedure: str | None, way: str | None = None) -> list[dict[str, Any]]:
    """The new procedure (None: the form asks which) from its first question, keeping the ID and a code already
    sent: the verification is the customer's, not the procedure's (a second code would count against the limit).
    A way named with the switch (「接続用IDを郵送で送ってください」) is kept for the connection ID (the form
    validates it as a way chosen)."""
    kept = ("account_ref",)
    chosen = [SlotSet("delivery_method", way)] if way and procedure == "send_connection_id" else []
    return [
        *(SlotSet(slot, None) for slot in PROCEDURE_SLOTS if slot not in kept),
        SlotSet("procedure", procedure),
        SlotSet("requested_slot", None),
        *chosen,
    ]


def resume_events(procedure: str) -> list[dict[str, Any]]:
    """The cancelled (or declined) procedure from its first question again, however the taking back was read
    (another cancel, a new code asked for)."""
    return [*reset_procedure({"procedure": procedure}), ask(None), FollowupAction(PROCEDURE_FORM)]


def resumed_procedure(tracker: Tracker) -> str | None:
    """The procedure the bot's previous turn cancelled, or whose offer the customer's previous message turned
    down, when the customer now takes it back (「やっぱりお願いします」「今やる」; not 「後でやります」)."""
    # 「いや やっぱやる🙏」: the 「いや」 before a change of mind takes back the earlier no, it says none.
    word = _NO_BEFORE_A_CHANGE_OF_MIND.sub(r"\2", fold(tracker.latest_message.get("text") or ""))
    said = bot_responses_before(tracker)
    after_a_cancel = "utter_procedure_cancelled" in said
    if not after_a_cancel and said != ["utter_ask_survey"]:
        return None
    # After the offer turned down, only wanting it after all (「やっぱりお願いします」): 「今やりました」 (done on My
    # Page) answers the survey.
    takes_back = RESUMES if after_a_cancel else TAKES_UP_THE_OFFER
    if not takes_back.search(word) or PUTS_OFF.search(word) or NEGATED.search(APOLOGY.sub("", word)):
        return None
    cancelled = _cancelled_procedure(tracker) if after_a_cancel else _declined_offer(tracker)
    named = named_procedure(word)
    return cancelled if named in (None, cancelled) else None


_NO_BEFORE_A_CHANGE_OF_MIND = re.compile(r"^(いや|いえ)+(やっぱ|やはり)")


def _declined_offer(tracker: Tracker) -> str | None:
    """The procedure offered just before the customer's previous message, which declined it (the bot then asked
    only the survey): 「いいえ」 to 「チャットでのお手続きをご希望ですか？」, then 「やっぱりお願いします」."""
    messages = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            return None
        if kind == "user":
            messages += 1
            if messages > 2:
                return None
        elif kind == "slot" and event.get("name") == "offered_procedure" and messages == 2:
            value = event.get("value")
            return str(value) if value in _PROCEDURES else None
    return None


def _cancelled_procedure(tracker: Tracker) -> str | None:
    """The procedure that was running when the last cancel came: the latest one set before it, not one
    from an earlier procedure that had ended (a cancel at 「どのお手続きですか？」 stopped none)."""
    cancels_seen = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            return None
        if kind == "action" and event.get("name") in _EARLIER_END:
            cancels_seen += 1
            if cancels_seen > 1 or event.get("name") == "action_run_procedure":
                return None
        if kind == "slot" and event.get("name") == "procedure" and event.get("value") in _PROCEDURES:
            return str(event["value"])
    return None
