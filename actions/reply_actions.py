"""Short replies (はい / いいえ / a value) mean what the bot's last question asked.

One action reads `pending_question` and routes, instead of slot-conditioned rules: the
routed-to step changes that slot, which would stop such a rule from matching its own end.
Typed answers (labels, numbers, 「大丈夫です」) are read first by actions.replies.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_topic, ask_survey, resolve_which_password
from actions.buttons import talk_to_person
from actions.choices import asks_to_go_ahead
from actions.conversation_state import (
    PROCEDURE_FORM,
    ask,
    bot_responses_before,
    buttons_before,
    in_procedure,
    latest_confidence,
    latest_intent,
    offered_topics_just_before,
)
from actions.faq_actions import ActionClarify, second_fallback
from actions.follow_ups import FACT_RESPONSES, TOPIC_OF_ID
from actions.password_warning import warns_about_typed_password
from actions.procedure_form import asks_rather_than_chooses, start_procedure_events
from actions.procedure_switch import asks_a_question
from actions.replies import answer_yes_no, read_in_context
from ocn_ids.answers import (
    NEGATED,
    PERMITS,
    QUESTION_WORDS,
    SURVEY_RESOLVED,
    TURNS_DOWN,
    asks_about_a_value,
    courtesy_parts,
    fold,
)
from ocn_ids.parse import ACCOUNT_ENTITIES, named_id_types


class ActionAnswerPendingQuestion(Action):
    def name(self) -> str:
        return "action_answer_pending_question"

    @warns_about_typed_password
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        in_context = await read_in_context(dispatcher, tracker)
        if in_context is not None:
            return in_context
        question = tracker.get_slot("pending_question")
        intent = latest_intent(tracker)
        yes_no = {"affirm": True, "deny": False}.get(intent or "")
        if yes_no is None and question == "offer_resend":
            # 「送ってください」 to 「新しいコードをお送りしますか？」, whatever the classifier made of it.
            yes_no = True if asks_to_go_ahead(tracker.latest_message.get("text") or "", None) else None
        if in_procedure(tracker):
            if question == "offer_resend" and yes_no is not None:
                return await answer_yes_no(question, yes_no, dispatcher, tracker) or []
            return []  # the form could not use the reply; it asks its question again
        asked_about = _look_up_of_the_id_asked_about(tracker)
        if asked_about:  # whatever the reading (an ID with 「？」 may be read as a yes)
            return answer_topic(asked_about, dispatcher, tracker)
        if question == "which_password" and intent in ("inform", "deny"):
            return resolve_which_password(dispatcher, tracker)
        answered = await _read_as_yes_or_no(question, yes_no, dispatcher, tracker, domain)
        if answered is not None:
            return answered
        if intent == "inform" and _gives_a_value(tracker):
            return start_procedure_events(tracker) + [FollowupAction(PROCEDURE_FORM)]
        if intent == "inform":
            return await ActionClarify().run(dispatcher, tracker, domain)  # looked like a value, but held none
        closed_after = _the_close_before(tracker)
        if closed_after is not None:
            # 「はい」「了解です」「大丈夫です」 to 「ほかにもご質問があれば、お気軽にお尋ねください」: nothing more
            # to ask, so the conversation ends politely instead of inviting questions a second time. After
            # the customer said it helped, a yes there says so again (「はい、解決しました」): glad, then the close.
            helped = yes_no is not False and closed_after in CLOSINGS_AFTER_HELP
            dispatcher.utter_message(response="utter_glad_it_helped" if helped else "utter_goodbye")
            return []
        said = bot_responses_before(tracker)
        if yes_no is False and "utter_none_of_the_choices" in said:
            return second_fallback(dispatcher, tracker)  # no again: the help page, the contact page, a person
        if offered_topics_just_before(tracker) and yes_no is False:
            # 「いいえ」「違います」 to 「近いものをお選びください」: none of them; the same choices again would loop.
            dispatcher.utter_message(response="utter_none_of_the_choices", buttons=talk_to_person())
            return [ask(None)]
        if offered_topics_just_before(tracker):
            # 「はい」 to 「近いものをお選びください」 chooses nothing: the same choices again, with a cushion.
            dispatcher.utter_message(response="utter_ask_choice_again")
            dispatcher.utter_message(response="utter_clarify", buttons=buttons_before(tracker))
            return []
        if yes_no is not None and _answered_without_asking(said):
            return await _after_an_answer_that_asked_nothing(yes_no, dispatcher, tracker)
        dispatcher.utter_message(response="utter_anything_else")
        return []


async def _read_as_yes_or_no(
    question: str | None, yes_no: bool | None, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
) -> list[dict[str, Any]] | None:
    """The classifier's yes or no as the answer to the open yes/no question, unless it was unsure of it."""
    if question == "offer_procedure" and _way_chosen_at_the_offer(tracker):
        # 「ゆうそうで」 to the connection ID's offer (read as an unsure yes): the yes, with its way kept.
        return start_procedure_events(tracker) + [FollowupAction(PROCEDURE_FORM)]
    if yes_no is None or question not in ("survey", "offer_procedure", "offer_resend"):
        return None
    if question == "offer_procedure" and _unsure(tracker):
        # 「いや、そうじゃなくて…」 read as a no at 0.35: asked back with the offer's buttons, not taken as
        # "no procedure" (the blind conversations' writers meant something else each time).
        return await answer_yes_no(question, None, dispatcher, tracker) or []
    if question == "survey" and _unsure(tracker) and _asks_or_names_an_id(tracker):
        # A yes or no read at 0.40, with no word of one (read_in_context found none), that asks something or
        # names an ID: a new question typed with slips, not the survey's answer; the clarification reads it.
        # (「なるほと、わかりました」「おかげさまで解決いたしました」 read as unsurely are the answer.)
        return await ActionClarify().run(dispatcher, tracker, domain)
    return await answer_yes_no(question, yes_no, dispatcher, tracker) or []


async def _after_an_answer_that_asked_nothing(
    yes_no: bool, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[dict[str, Any]]:
    """「はい」 to a help-page section or a fact that asked nothing: whether it helped (the survey); said resolved in
    words (「承知いたしました。解決いたしました」), the survey's answer given unasked, thanked for. 「いいえ」: it did
    not, so the apology and the way to a person, as when the survey is answered no (not recorded as a survey answer:
    the question was not asked)."""
    if yes_no and _says_it_is_resolved(tracker):
        return await answer_yes_no("survey", True, dispatcher, tracker) or []
    if yes_no:
        return ask_survey(dispatcher)
    dispatcher.utter_message(response="utter_survey_unresolved")
    return []


def _says_it_is_resolved(tracker: Tracker) -> bool:
    """The reply says in words that it is solved (「解決いたしました」), not a bare yes (「はい」「了解です」)."""
    parts = courtesy_parts(fold(tracker.latest_message.get("text") or "")) or []
    return any(part in SURVEY_RESOLVED for part in parts)


# The bot's replies that end a topic by inviting further questions (domain.yml): a yes or a no to them,
# with no question open, says there is nothing more.
CLOSING_RESPONSES = frozenset({"utter_thank", "utter_survey_thanks", "utter_anything_else"})
# Those said after the customer found the answer helpful (thanks, or yes to the survey).
# (Not after utter_thank: it already said 「お役に立てて何よりです」.)
CLOSINGS_AFTER_HELP = frozenset({"utter_survey_thanks"})


def _answered_without_asking(said: list[str]) -> bool:
    """The bot's last turn answered (a topic with no next step of its own, such as the lost letter's; a
    help-page section, the knowledge fallback; a follow-up's fact) and asked nothing after it."""
    answered = said and (said[0] == "utter_help_section" or said[0] in FACT_RESPONSES or _a_topics_answer(said[0]))
    return bool(answered) and not any(name.startswith("utter_ask_") or name == "utter_offer_procedure" for name in said)


def _a_topics_answer(response: str) -> bool:
    # The off-topic answer points elsewhere: a yes to it is not the customer's problem solved.
    return response.startswith("utter_answer_") and not response.startswith("utter_answer_out_of_scope")


# Below this, a yes or a no read by the classifier alone (no yes/no word: those are read by actions.replies)
# is not sure enough to decide whether a procedure starts.
_SURE_YES_OR_NO = 0.5


def _asks_or_names_an_id(tracker: Tracker) -> bool:
    text = tracker.latest_message.get("text") or ""
    return asks_a_question(text) or bool(QUESTION_WORDS.search(fold(text))) or bool(named_id_types(text))


def _unsure(tracker: Tracker) -> bool:
    return latest_confidence(tracker) < _SURE_YES_OR_NO


def _the_close_before(tracker: Tracker) -> str | None:
    """The closing response of the bot's previous turn, if it ended with one."""
    return next((name for name in bot_responses_before(tracker) if name in CLOSING_RESPONSES), None)


_VALUE_ENTITIES = ACCOUNT_ENTITIES | {"procedure", "delivery_method"}


def _look_up_of_the_id_asked_about(tracker: Tracker) -> str | None:
    """「N123456789 これがお客さま番号ですか？」 outside a procedure: a question about the ID typed, answered with
    that ID's look-up (what it is, where it is written). It once started the procedure and sent a code unasked."""
    if not asks_about_a_value(tracker.latest_message.get("text") or ""):
        return None
    kinds = {e.get("entity") for e in tracker.latest_message.get("entities") or []} & TOPIC_OF_ID.keys()
    return TOPIC_OF_ID[kinds.pop()]["check"] if len(kinds) == 1 else None  # the ID's look-up answer


def _way_chosen_at_the_offer(tracker: Tracker) -> bool:
    """A way of receiving chosen in answer to the offer of the connection ID's procedure, however the classifier
    read it; not turned down (「郵送は嫌です」)."""
    entities = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
    word = fold(tracker.latest_message.get("text") or "")
    return (
        tracker.get_slot("offered_procedure") == "send_connection_id"
        and "delivery_method" in entities
        and _gives_a_value(tracker)
        and not (NEGATED.search(word) or TURNS_DOWN.search(word))
    )


def _gives_a_value(tracker: Tracker) -> bool:
    """An ID, a procedure or a way of receiving given; a way only named in a question is none (「マイページで見れない
    の？」 after the forgotten password's answer asks whether it can be seen there: it had started the reset)."""
    entities = {e.get("entity") for e in tracker.latest_message.get("entities") or []} & _VALUE_ENTITIES
    text = tracker.latest_message.get("text") or ""
    if entities == {"delivery_method"} and asks_rather_than_chooses(text) and not PERMITS.search(fold(text)):
        return False  # 「SMSで送ってもらえますか」「SMSでもいいですか？」 choose it
    return bool(entities)
