"""What a message means in this conversation, before it is read as a new question.

While a question is open (which password, do you want to do it in the chat, did it help, shall I
send a new code), a typed button label, a choice's number or a yes/no word is its answer, whatever
intent the classifier gave it. Right after an answer, a short follow-up is read against that topic,
and a message that asks two things gets both answers. Only what is none of these is a new question.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import buttons, choices
from actions.after_the_login_history import RESPONSE as UNFAMILIAR_LOGIN_ADVICE
from actions.after_the_login_history import reset_button, what_the_history_showed
from actions.answers import (
    answer_topic,
    ask_survey,
    ask_which_id,
    ask_which_password,
    asked_which_password_enough,
    record_survey,
    resolve_which_password,
    say_answer,
    survey_answered,
)
from actions.choices import (
    QUESTIONS,
    Choice,
    is_plain_yes_no,
    named_procedure,
    no_longer_needed,
    read_choice,
    read_yes_no,
)
from actions.code_step import code_not_received, resend_code, waiting_for_code
from actions.conversation_state import (
    PROCEDURE_FORM,
    answers_before,
    ask,
    asked_in_recent_turns,
    asked_which_id_just_before,
    bot_responses_before,
    buttons_before,
    in_procedure,
    is_verified,
    latest_confidence,
    latest_intent,
    offered_topics_just_before,
    said_in_this_session,
    topic_discussed,
)
from actions.d_account_questions import NOT_ON_PAGE as D_ACCOUNT_NOT_ON_PAGE
from actions.d_account_questions import asks_beyond_the_link, asks_which_id_links
from actions.follow_ups import (
    ID_NAMES,
    another_way_asked,
    bare_follow_up,
    fact_asked_outright,
    follow_up_fact,
    forgotten_instead_of_change,
    id_of_topic,
    id_question_in_context,
    offered_topics_that_fit,
    one_of_two_topics_again,
    topic_named_by_its_words,
    topics_clause_by_clause,
    two_topics,
)
from actions.links import contact_response, link
from actions.method_change import method_changed_at_the_end, way_named, way_requested
from actions.password_warning import WARNED_SLOT, at_id_prompt, shares_only_a_password, typed_password, warn_once
from actions.procedure_form import spoken_procedure_title, start_procedure_events
from actions.procedure_switch import (
    asks_a_question,
    leaves_in_other_words,
    look_up_turned_to,
    resumed_procedure,
    switch_events,
    switched_procedure,
    turns_to_another_id,
)
from actions.receiving_questions import receiving_reply
from actions.topics import TOPICS
from ocn_ids.answers import (
    ACKNOWLEDGES,
    ACKNOWLEDGES_ANYWHERE,
    ALSO_IF_IT_CAN_BE_DONE,
    ANOTHER_TIME,
    ASKS_HOW_TO,
    ASKS_OR_STILL_STUCK,
    ASKS_THE_WAY,
    BY_ONESELF,
    CHANGE_OF_MIND_SLIPPED,
    DECLINES_A_PERSON,
    GO_AHEAD,
    GREETS_OR_ASKS,
    KEEPS_ON,
    LATER_ALONE,
    NEGATED,
    NO_IDEA_WHICH,
    ONCE_MORE,
    OTHER_THINGS,
    POINTS_BACK,
    POINTS_BACK_TO_IT,
    PUTS_OFF,
    QUESTION_MARK,
    QUESTION_WORDS,
    REQUEST_FORM,
    RESTATES_THE_ANSWER,
    SAME_OR_DIFFERENT,
    STOPS_THE_PROCEDURE,
    UNDERSTOOD_WELL,
    WILL_TRY,
    WISHES_IT_DONE_FOR_ME,
    after_the_reason,
    answers_in_words,
    apologizes_only,
    asks_for_a_new_code,
    asks_for_a_person,
    asks_for_chat_procedure,
    asks_for_chat_procedure_despite_slips,
    asks_the_bot_to_look,
    cannot_do_it_themselves,
    closes_with_thanks,
    courtesy_parts,
    ends_with_a_closing,
    fold,
    last_sentence,
    means_both,
    names_another_service,
    only_acknowledges,
    password_named_by_its_use,
    says_goodbye,
    says_the_code_did_not_come,
    speaks_of_other_matters,
    still_unresolved,
    takes_up_the_offer_in_words,
    thanks_in,
    wishes_it_done,
)
from ocn_ids.normalize import MAX_MESSAGE_CHARS, nfkc, without_slips
from ocn_ids.parse import ACCOUNT_ENTITIES, find_choices, named_id_types

Events = list[dict[str, Any]]
# What the classifier may call a thank-you it could not place (a yes, a no, a fallback); a longer
# message with thanks in it asks something more and is read as a question.
SMALL_TALK_READINGS = frozenset({"affirm", "deny", "thank", "goodbye", "greet", "nlu_fallback"})
MAX_COURTESY_CHARS = 25
Reader = Callable[[CollectingDispatcher, Tracker, str], Awaitable[Events | None]]


async def read_in_context(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events | None:
    """The reply when the message answers the open question, follows up on the topic just answered,
    or asks two things; None when it is simply a new question."""
    read = await reading_in_context(dispatcher, tracker)
    return read[1] if read else None


# After these, a hello is a hello: the chat's opening, and a customer coming back after an apology nothing
# helped or a goodbye.
_HELLO_MAY_FOLLOW = frozenset({"utter_greet", "utter_survey_unresolved", "utter_goodbye"})
# 「お世話になっております。よろしくお願いいたします」 (folded): longer, a message is more than a hello.
_LONGEST_HELLO = 24


async def reading_in_context(dispatcher: CollectingDispatcher, tracker: Tracker) -> tuple[str, Events] | None:
    """Which reader took the message (its name in READERS) and its reply; None for a new question.
    The readers are asked in the order of READERS: the first that recognises the message answers it."""
    text = tracker.latest_message.get("text") or ""
    if not text or text.startswith("/") or len(text) > MAX_MESSAGE_CHARS:
        return None  # a button carries its own meaning
    if goes_ahead_at_the_confirmation(tracker, text):
        return "go_ahead", []  # 「はよ」 read as a hello: the form reads the yes (extract_procedure_confirmed)
    greeting = latest_intent(tracker) == "greet" and not apologizes_only(text)  # 「すみません」 alone is no hello
    # A reply to an open question is no opening hello (「どちらなのか、私には見当もつきません」 read as a hello).
    replies = bool(tracker.get_slot("pending_question"))
    opens = not _answered_just_before(tracker) and not replies and len(fold(text)) <= _LONGEST_HELLO
    # 「どうも～」 after the bot said something (a procedure stopped) thanks it; only to open the chat is it a hello.
    opens = opens and not (thanks_in(fold(text)) and set(bot_responses_before(tracker)) - _HELLO_MAY_FOLLOW)
    if greeting and (GREETS_OR_ASKS.search(fold(text)) or opens):
        # 「こんにちは、また質問なんですが」 and a hello to open the chat are greetings, read as such; a long
        # message read as a hello with no greeting in it (「…今日のところはやめておきます」) is read on.
        return None
    for name, reader in READERS:
        events = await reader(dispatcher, tracker, text)
        if events is not None:
            return name, events
    return None


def goes_ahead_at_the_confirmation(tracker: Tracker, text: str) -> bool:
    """「早くやって」「はよ」 at 「…よろしいですか？」, whatever the classifier made of it: the form's yes."""
    return (
        tracker.active_loop_name == PROCEDURE_FORM
        and tracker.get_slot("requested_slot") == "procedure_confirmed"
        and choices.asks_to_go_ahead(text, tracker.get_slot("procedure"))
    )


async def answer_code_step(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """While the code is awaited, 「SMSが来ないです」 is the code not arriving and 「もう1回送って」 a new code,
    whatever the classifier made of them."""
    if not waiting_for_code(tracker):
        return None
    word = fold(text)
    if asks_for_a_new_code(word):
        return await resend_code(dispatcher, tracker)
    if says_the_code_did_not_come(word):
        return code_not_received(dispatcher, tracker)
    return None


async def answer_person_asked_for(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「いいえ、よくわからなかったので人につないで」: a person asked for in words goes to a person, whatever the
    classifier read and whatever question is open (a 「いいえ」 in front was read as an answer and closed the chat)."""
    word = fold(text)
    if not asks_for_a_person(text) or DECLINES_A_PERSON.search(word):
        return None
    recorded: Events = []
    first_words = re.split(r"[、。,.!！\s]", text.strip())[0]
    if tracker.get_slot("pending_question") == "survey" and read_yes_no("survey", first_words) == "no":
        # 「いいえ、…人につないで」 to 「解決しましたか？」: not resolved, recorded as such, then the person.
        recorded = survey_answered(resolved=False)
    return [*recorded, FollowupAction("action_handoff")]


async def answer_password_shared(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「今のパスワードはabc12345です」 and nothing asked: the warning is the whole reply (a help-page section again
    would answer a question nobody asked), then the open question again. In a procedure the form reads it; once
    warned in the conversation, the message is read as any other (the warning is given once)."""
    if in_procedure(tracker) or tracker.get_slot(WARNED_SLOT):
        return None
    if not shares_only_a_password(text, at_prompt=at_id_prompt(tracker)):
        return None
    warned = warn_once(dispatcher, tracker)
    if tracker.get_slot("pending_question") == "which_password":
        return [*warned, *ask_which_password(dispatcher)]  # the question the password was typed to, again
    return [*warned, *_ask_again(dispatcher, tracker)]


async def answer_apology_after_the_warning(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> Events | None:
    """「すみません、気をつけます」「ごめんなさい」 right after the bot asked not to type a password: thanked for it, then
    the open question again (a hello or a goodbye had answered it)."""
    said = bot_responses_before(tracker)
    if "utter_password_not_in_chat" not in said:
        return None
    if apologizes_only(text):
        dispatcher.utter_message(response="utter_thanks_for_understanding")
        return _ask_again(dispatcher, tracker)
    topic = tracker.get_slot("topic") or _topic_of_the_message_warned_about(tracker)
    asked = _after_an_apology(text)
    if topic not in TOPICS or in_procedure(tracker) or not asked or named_id_types(asked) - {id_of_topic(topic)}:
        return None
    if bare_follow_up(topic, said, asked, []) or ASKS_THE_WAY.search(fold(asked)):
        # 「ごめん😅 で どうやる？」「失礼しました。変更の方法を教えてください」: the answer the password was typed to
        dispatcher.utter_message(response="utter_topic_again", title=TOPICS[topic].title)
        return answer_topic(topic, dispatcher, tracker)
    return None


def _topic_of_the_message_warned_about(tracker: Tracker) -> str | None:
    """The topic the classifier read in the message before the latest (「パスワードを変えたいんだけど今のは…」: warned
    about before any answer), when it was sure of it."""
    messages = [event for event in tracker.events if event.get("event") == "user"][-2:]
    if len(messages) < 2:
        return None
    intent = (messages[0].get("parse_data") or {}).get("intent") or {}
    sure = float(intent.get("confidence") or 0.0) >= _SURE_OF_THE_TOPIC
    return str(intent.get("name")) if sure and intent.get("name") in TOPICS else None


def _after_an_apology(text: str) -> str | None:
    """What a message says after the apology it opens with (「ごめん😅 で どうやる？」 -> 「で どうやる？」), or None."""
    opening = re.match(
        r"\s*(あ|あっ|あー|えっと|まあ|まぁ|)\W*(大変|たいへん|)(すみません|すいません|ごめんなさい|ごめん|"
        r"申し訳(ありません|ございません)|"
        r"失礼(しました|いたしました))\W*",
        text,
    )
    if not opening:
        return None
    rest = text[opening.end() :].strip()
    return rest or None


async def answer_procedure_change(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """During a procedure, a message its form could not use that asks for another procedure instead
    (「やっぱりログイン履歴のほうが見たい」: switched, keeping the verification) or stops it in words the
    classifier did not read as a cancel (「番号の紙が見当たらないので、今日はやめておきます」)."""
    if not in_procedure(tracker):
        return None
    if method_changed_at_the_end(tracker):
        return [FollowupAction(PROCEDURE_FORM)]  # 「やっぱりSMSにして」: the form takes the new way and asks again
    switched = switched_procedure(tracker, latest_intent(tracker) or "") or look_up_turned_to(tracker)
    if switched:
        title = spoken_procedure_title(tracker, switched)
        dispatcher.utter_message(response="utter_procedure_switched", procedure_title=title)
        return [*switch_events(switched, way_named(text)), FollowupAction(PROCEDURE_FORM)]
    if turns_to_another_id(tracker):
        # 「やっぱり接続用IDのほうを…」: which of its procedures is asked (the ID and a code already sent are kept).
        return [*switch_events(None), FollowupAction(PROCEDURE_FORM)]
    if _stops_the_procedure(text) and not asks_a_question(text):
        return [FollowupAction("action_cancel_procedure")]
    return None


async def answer_next_procedure_asked(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「ついでにパスワード再設定もお願いできますか」 from a customer still verified after a procedure: the procedure it
    names starts (the form asks only its confirmation), rather than its answer and the offer again. A request
    (お願い・ください・もらえ…), not a question of how (「再設定ってどうやるの」)."""
    asked = last_sentence(text)  # 「ありがとうございます。じゃあお客さま番号のほうも教えてください」
    if _CAN_IT_BE_DONE_SO.fullmatch(fold(asked)):
        asked = last_sentence(text.removesuffix(asked).rstrip("？?"))  # 「…再設定しときたいです。このままできます？」
    word = fold(asked)
    if in_procedure(tracker) or not is_verified(tracker) or QUESTION_WORDS.search(word):
        return None
    if thanks_in(word) or says_goodbye(asked) or PUTS_OFF.search(word) or LATER_ALONE.fullmatch(word):
        return None  # 「…できました。ありがとうございました。よろしくお願いします」「また今度お願いします」
    procedure = named_procedure(asked)
    # 「お客さま番号も教えてください」 asks for the number; 「再設定も教えて」 how to do it.
    asks_how = ASKS_THE_WAY.search(word) or (ASKS_HOW_TO.search(word) and procedure == "reset_ocn_password")
    requested = REQUEST_FORM.search(word) or GO_AHEAD.search(word) or WISHES_IT_DONE_FOR_ME.search(word)
    requested = requested or ALSO_IF_IT_CAN_BE_DONE.search(word)
    if procedure is None or asks_how or not requested or NEGATED.search(word):
        return None
    if f"utter_done_{procedure}" in bot_responses_before(tracker) or procedure == tracker.get_slot("procedure"):
        return None  # the procedure just done: said of it, not asked again
    return [*start_procedure_events(tracker, procedure), FollowupAction(PROCEDURE_FORM)]


# 「このままできます？」 after the wish it asks about: the wish is the request.
_CAN_IT_BE_DONE_SO = re.compile(r"(この|その|)(まま|ここで|こちらで|)(でき|いけ|やれ|頼め|たのめ)(ます|る)(か|)")


async def answer_cancel_taken_back(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """Right after a cancel, 「スマホ取ってきました、さっきの確認やっぱりお願いできますか」: that procedure again,
    whatever topic the classifier read in the words that recall it."""
    procedure = resumed_procedure(tracker)
    if procedure is None or in_procedure(tracker):
        return None
    return [*start_procedure_events(tracker, procedure), FollowupAction(PROCEDURE_FORM)]


async def answer_courtesy(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """Thanks or a goodbye that no open question took (「はい、ありがとうございました」「OK助かった」): the
    classifier may call it a yes or a no, but with nothing asked it is small talk; while 「解決しましたか？」
    is open, thanks say it was resolved."""
    word = fold(text)
    intent = latest_intent(tracker)
    surveyed = tracker.get_slot("pending_question") == "survey"
    said_more = courtesy_parts(word) is None and intent != "thank"  # thanks alone leave the survey open
    if surveyed and said_more and closes_with_thanks(text) and not still_unresolved(word) and not asks_a_question(text):
        return record_survey(dispatcher, tracker, resolved=True)  # 「…めんどくさ…まあわかったよ、どーも」
    nothing_asked = not tracker.get_slot("pending_question") and not in_procedure(tracker)
    if nothing_asked and leaves_in_other_words(text):
        dispatcher.utter_message(response="utter_goodbye")  # 「じゃあいいです」 read as nothing at all: leaving
        return []
    if intent not in SMALL_TALK_READINGS or len(word) > MAX_COURTESY_CHARS:
        return None
    if not says_goodbye(text) and (QUESTION_MARK.search(text) or QUESTION_WORDS.search(word)):
        return None  # 「ありがとう。それって転送はいつまでですか」: thanks, and a question that is read on
    if says_goodbye(text) or (nothing_asked and ends_with_a_closing(text)):
        if tracker.get_slot("pending_question") == "survey" and thanks_in(word) and not still_unresolved(word):
            return record_survey(dispatcher, tracker, resolved=True)  # thanks and leave: glad it helped, goodbye
        dispatcher.utter_message(response="utter_goodbye")
    elif intent == "thank":
        return None  # read as thanks: answered as thanks (faq_actions.py), an open question stays open
    elif thanks_in(word):
        if tracker.get_slot("pending_question") == "survey" and still_unresolved(word):
            return None  # 「ありがとう、でもまだ解決していません」: read as the survey's no
        if tracker.get_slot("pending_question") == "survey":
            return record_survey(dispatcher, tracker, resolved=True)
        dispatcher.utter_message(response="utter_thank")
    else:
        return None
    if in_procedure(tracker):
        dispatcher.utter_message(response="utter_back_to_procedure")
    return []


async def answer_acknowledgement(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「わかりました、家の中をもう一度探してみます」 right after an answer, which the classifier could not place:
    the customer takes it from here. To 「解決しましたか？」 it says yes; otherwise the bot asks the survey
    (the offer of a procedure is declined: the customer will do it themselves)."""
    word = without_slips(fold(text))
    surveyed = tracker.get_slot("pending_question") == "survey"
    if in_procedure(tracker) or not (surveyed or _answered_just_before(tracker)) or asks_a_question(text):
        return None
    if surveyed and UNDERSTOOD_WELL.search(fold(text)) and not still_unresolved(fold(text)):
        return record_survey(dispatcher, tracker, resolved=True)  # 「…申し訳ございません。大変よく分かりました」
    # The answer said back: not when the classifier reads a topic in it at all surely (「なるほど三つあるんですね、
    # それぞれの違いは」 asks on).
    topical = latest_intent(tracker) in TOPICS and latest_confidence(tracker) >= _TOPIC_IN_A_RESTATEMENT
    restated = ACKNOWLEDGES_ANYWHERE.search(word) and RESTATES_THE_ANSWER.search(word) and not topical
    if not ((ACKNOWLEDGES.search(word) and WILL_TRY.search(word)) or restated) or _sure_of_a_topic(tracker):
        return None
    values = {e.get("entity") for e in tracker.latest_message.get("entities") or []} & {*ACCOUNT_ENTITIES, "procedure"}
    said = RESTATES_THE_ANSWER.sub("", without_slips(nfkc(text)))  # 「できないんですね」 says the answer back
    if ASKS_OR_STILL_STUCK.search(said) or values:
        return None  # 「わかりましたが、まだログインできません…やってみます」「…郵送でお願いします」
    if surveyed:
        return record_survey(dispatcher, tracker, resolved=True)
    return ask_survey(dispatcher)


# At or above this, a topic the classifier reads in an acknowledgement is what the customer asks about; below it,
# 「わかりました、マイページで自分で確認してみます」 (read as the OCN ID's look-up for its 「マイページ」「確認」) is the
# customer's own next step.
_SURE_OF_THE_TOPIC = 0.8


# At or above this, a topic read in an answer said back (「…ないんですね」) is a question on.
_TOPIC_IN_A_RESTATEMENT = 0.5


def _sure_of_a_topic(tracker: Tracker) -> bool:
    return latest_intent(tracker) in TOPICS and latest_confidence(tracker) >= _SURE_OF_THE_TOPIC


# The bot's responses that answer or finish something: 「どうも」 after them is thanks.
_HELPFUL = (
    "utter_answer_",
    "utter_done_",
    "utter_fact_",
    "utter_help_section",
    "utter_login_history",
    "utter_topic_again",
)


def _answered_just_before(tracker: Tracker) -> bool:
    """The bot's previous turn answered (a topic, a fact, a help-page section) or finished a procedure."""
    return any(name.startswith(_HELPFUL) for name in bot_responses_before(tracker))


async def answer_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """A short follow-up on the topic just answered (「それって無料？」): its fact, then the open question again;
    another way to it (「マイページ以外で調べる方法は？」): its answer again, which lists them and offers the chat."""
    topic = tracker.get_slot("topic")
    with_procedure = topic in TOPICS and bool(TOPICS[topic].procedure)
    if other := another_way_asked(topic, bot_responses_before(tracker), text, with_procedure):
        dispatcher.utter_message(response="utter_other_ways")
        return answer_topic(other, dispatcher, tracker)
    fact = follow_up_fact(topic, text)
    discussed = topic_discussed(tracker)
    if fact is None and f"utter_answer_{discussed}" in answers_before(tracker) and _unplaced_of_its_own(tracker):
        fact = fact_asked_outright(discussed, text)  # a long question on the answer's fact, right after it
    if fact is None:
        return None
    if fact.topic:
        return answer_topic(fact.topic, dispatcher, tracker)  # 「お客さま番号 変更可？」: its own topic's answer
    dispatcher.utter_message(response=fact.response)
    return _ask_again(dispatcher, tracker)


# Below this, the classifier has not placed a message (a long question on a fact, read as the three IDs at 0.63).
_PLACED = 0.8


def _unplaced_of_its_own(tracker: Tracker) -> bool:
    """The classifier could not place the message surely, and it names no other thing (「引っ越しで住所が変わった
    のですが、お客さま番号の確認は…」 read surely, 「アプリでログイン履歴は見られますか」): a fact's words in it may
    be what it asks about."""
    text = tracker.latest_message.get("text") or ""
    return latest_confidence(tracker) < _PLACED and not OTHER_THINGS.search(fold(text))


async def answer_receiving_question(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「郵送って何日かかりますか」 (the help page does not say: the contact page) or 「どっちでもいいです」 (the
    customer chooses) about receiving the connection ID: said, then the open question or the form's again."""
    response = receiving_reply(tracker, text)
    if response is None:
        return None
    dispatcher.utter_message(response=contact_response(response), contact_link=link("contact"))
    if in_procedure(tracker):
        # Reached also from the code step's action (actions/code_step.py): the form asks its question again.
        return [FollowupAction(PROCEDURE_FORM)]
    return _ask_again(dispatcher, tracker)


async def answer_d_account_question(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「dポイントってどれくらいたまるの」「連携を解除したい」: what the help page does not say of dアカウント,
    said honestly with the linking page (actions/d_account_questions.py); then the form's question, if any."""
    if asks_which_id_links(tracker, text):
        dispatcher.utter_message(response="utter_topic_again", title=TOPICS["link_d_account"].title)
        return answer_topic("link_d_account", dispatcher, tracker)
    if not asks_beyond_the_link(tracker, text):
        return None
    dispatcher.utter_message(response=D_ACCOUNT_NOT_ON_PAGE, link=link("link_d_account"))
    return [FollowupAction(PROCEDURE_FORM)] if in_procedure(tracker) else []


async def answer_earlier_topic_again(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「で、さっきのdアカウントのやつもう一回」: an answer given earlier in the chat, named by its words and asked for
    once more (another came between, so it is no follow-up of the last), given again as such."""
    word = fold(text)
    if in_procedure(tracker) or not (ONCE_MORE.search(word) and POINTS_BACK.search(word)):
        return None
    topic = topic_named_by_its_words(text)
    if topic is None or not said_in_this_session(tracker, f"utter_answer_{topic}"):
        return None
    dispatcher.utter_message(response="utter_topic_again", title=TOPICS[topic].title)
    return answer_topic(topic, dispatcher, tracker)


async def answer_after_the_login_history(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> Events | None:
    """「見覚えのないログインがあります」 right after the history was shown: the advice for an unfamiliar login, with
    the reset's button (actions/after_the_login_history.py), not the login history's answer again."""
    told = None if in_procedure(tracker) else what_the_history_showed(tracker, text)
    if told == "none" and tracker.get_slot("pending_question") == "survey":
        return record_survey(dispatcher, tracker, resolved=True)  # 「見覚えのないログインはなかったです」
    if told != "unknown":
        return None
    dispatcher.utter_message(response=UNFAMILIAR_LOGIN_ADVICE, buttons=reset_button())
    return [ask(None)]


async def answer_about_the_id(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """Another question about the ID just discussed that names no ID (「パスワードは？」「じゃあ変えられる？」
    after the answer about the connection ID): that ID's topic, saying which ID the bot took it for."""
    if in_procedure(tracker) or typed_password(tracker):
        return None  # a password typed in: the warning is the reply (actions/password_warning.py)
    pending = tracker.get_slot("pending_question")
    if asks_for_chat_procedure(text) or (pending == "offer_procedure" and GO_AHEAD.search(fold(text))):
        return None  # 「チャットで確認お願いします」: the procedure, not another question (faq_actions.py)
    if again := one_of_two_topics_again(answers_before(tracker), text):
        return answer_topic(again, dispatcher, tracker)  # 「dポイントの方はどうなりますか？」 after two answers
    intent = tracker.latest_message.get("intent") or {}
    asked = id_question_in_context(
        intent.get("name"),
        float(intent.get("confidence") or 0.0),
        pending,
        topic_discussed(tracker),
        answers_before(tracker),
        _with_the_id_pointed_back_to(tracker, text),
    )
    if asked is None:
        return None
    password = asked.operation.startswith("password")
    response = "utter_password_of_the_id" if password else "utter_about_the_id"
    dispatcher.utter_message(response=response, id_name=ID_NAMES[asked.id_type])
    return answer_topic(asked.topic, dispatcher, tracker)


def _with_the_id_pointed_back_to(tracker: Tracker, text: str) -> str:
    """「それは どこで見られますか」 after the three IDs' answer to 「接続用IDとは 何ですか」: read with the one ID the
    customer's question before named in place of 「それ」."""
    if topic_discussed(tracker) != "ask_id_types" or named_id_types(text) or not POINTS_BACK_TO_IT.search(fold(text)):
        return text
    before = [event.get("text") or "" for event in tracker.events if event.get("event") == "user"][-2:-1]
    named = named_id_types(before[0]) if before else set()
    return f"{ID_NAMES[named.pop()]}は、{text}" if len(named) == 1 else text


# Longer than this, a message after the topic buttons is a question of its own, not the choice put in words.
_CHOICE_IN_WORDS_CHARS = 40


async def answer_topic_chosen_in_words(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「2番」「違い」「確認したいです」 right after 「近いものをお選びください」 offered topics with buttons: the
    button typed by its number or label's words, else the one offered topic the message's ID and operation
    fit, answered as if its button was pressed."""
    if in_procedure(tracker) or not offered_topics_just_before(tracker):
        return None
    if len(fold(text)) > _CHOICE_IN_WORDS_CHARS or _sure_of_a_topic(tracker):
        return None  # a sure topic reading is the classifier's to answer (「OCN IDってなに？」; 「1」 is no topic)
    if names_another_service(text) or asks_for_chat_procedure(text):
        return None  # 「楽天のパスワード」 is off-topic; 「チャットで確認したい」 starts the procedure
    offered = [
        (str(button.get("payload") or "").removeprefix("/"), str(button.get("title") or ""))
        for button in buttons_before(tracker)
    ]
    every_title = [topic.title for topic in TOPICS.values()]
    topic = choices.read_offered_topic(text, offered, every_title)
    fits = [topic] if topic else offered_topics_that_fit(text, [intent for intent, _ in offered])
    if len(fits) > 1:
        if asked_which_id_just_before(tracker):
            return None  # nothing narrowed down since the bot asked which ID: not asked a third time
        return ask_which_id(dispatcher, fits)  # 「確認したいです」 to the three IDs: which ID, in its own words
    return answer_topic(fits[0], dispatcher, tracker) if fits and fits[0] in TOPICS else None


async def answer_procedure_button_typed(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「パスワードを再設定する」 typed under the login history's advice, whose button says the same: that procedure
    starts, as the button would (it got the forgotten password's answer and the offer)."""
    procedure = None if in_procedure(tracker) else choices.typed_procedure_button(text, buttons_before(tracker))
    if procedure is None:
        return None
    return [*start_procedure_events(tracker, procedure), FollowupAction(PROCEDURE_FORM)]


async def answer_same_or_different(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「それは、メールを見るときのパスワードとは別のものなのですか」「「認証ID」と「接続用ID」は same thing?」:
    whether two IDs (or their passwords) are the same, named, by their use or as the one just answered: the three
    IDs' answer, which tells them apart."""
    word = fold(text)
    if in_procedure(tracker) or not SAME_OR_DIFFERENT.search(word) or not asks_a_question(text):
        return None  # 「メールのと同じにしたい」 is no question
    names = [found.value for found in find_choices(text) if found.entity == "id_type"]
    if (used_for := password_named_by_its_use(text)) is not None:
        names.append(used_for)
    if POINTS_BACK_TO_IT.search(word) and (earlier := id_of_topic(tracker.get_slot("topic"))):
        names.append(earlier)
    if len(names) < 2:
        return None
    return answer_topic("ask_id_types", dispatcher, tracker)


async def answer_two_topics(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """One message that asks two help-page questions: both answers, the second with its next step."""
    # 「お客さま番号って変えられますか？あとOCN IDも変えたい」: a part for each, read as one of the two or neither;
    # else two IDs not known at once (「OCN IDもパスワードも両方わからない」).
    asked, both = topics_clause_by_clause(text), two_topics(text)
    # Both readings found two: each part's own operation is the more precise (「…変えたいのと、あと…どこ？両方」).
    topics = asked if asked and (latest_intent(tracker) in (*asked, "nlu_fallback") or both) else both
    if not topics or in_procedure(tracker):
        return None
    first, second = topics
    dispatcher.utter_message(response="utter_two_questions", first=TOPICS[first].title, second=TOPICS[second].title)
    say_answer(first, dispatcher)
    return answer_topic(second, dispatcher, tracker)


async def answer_open_question(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    question = tracker.get_slot("pending_question")
    if not question:
        return None
    way_chosen = question in ("offer_procedure", "survey") and _way_chosen_after_the_answer(tracker, text)
    if question == "offer_procedure" and (_takes_up_the_offer(tracker, text) or way_chosen):
        return await answer_yes_no(question, True, dispatcher, tracker)  # whatever the classifier made of it
    if way_chosen:  # the connection ID's answer, then 「解決しましたか？」: 「じゃあ郵送で送ってもらえますか」
        return [*start_procedure_events(tracker, "send_connection_id"), FollowupAction(PROCEDURE_FORM)]
    courteous = _courtesy_only(tracker, text)
    # 「お返事ありがとうございます…メールを読むときに入れるほう」: thanks around the answer to which password
    says_which = question == "which_password" and _the_one_id_named(text) is not None
    if courteous and not (question == "survey" and answers_in_words(text)) and not says_which:
        # 「OK、ありがとう」「了解、失礼します」: small talk (answer_courtesy), the question stays open; only
        # 「はい、解決しました。ありがとう」 to 「解決しましたか？」 is recorded as its answer. Read as thanks or a
        # goodbye without a word of either (「あとで」), it is read as the reply it may be.
        return None
    if question in QUESTIONS and not in_procedure(tracker):
        if question == "which_password" and means_both(text):
            return ask_which_password(dispatcher, tracker, both=True)  # 「両方」: both answers, not the fallback
        if is_plain_yes_no(question, text):
            return ask_choice_again(question, dispatcher, tracker)
        found = read_choice(question, text)
        if len(found) == 1:
            return _chosen(question, found[0], dispatcher, tracker)
        if found:
            dispatcher.utter_message(
                response="utter_which_one", buttons=[{"title": c.title, "payload": c.payload} for c in found]
            )
            return [ask(question)]
        named = _side_stated_last(text) if question == "which_password" else None
        if named is None and question == "which_password" and _may_say_which(tracker, text):
            named = _the_one_id_named(text)
        if named:
            # 「よくわかりませんが…メールを見るときに入れるものだと思います」: longer than a choice's words, but it
            # says which ID the password is for.
            return resolve_which_password(dispatcher, tracker, named)
        if question == "which_password" and NO_IDEA_WHICH.search(fold(text)) and not named_id_types(text):
            # 「どちらなのか、私には見当もつきません」: the 「わからない」 button in a sentence
            return _chosen(question, choices.choice_of(question, "unknown"), dispatcher, tracker)
    if question == "offer_procedure" and (only_acknowledges(text) or no_longer_needed(text)):
        # 「わかりました」 takes the answer, 「あ、思い出しました」 needs it no more: neither asks for the procedure.
        return ask_survey(dispatcher)
    reading = read_yes_no(question, text)
    if question == "offer_procedure" and reading != "yes" and cannot_do_it_themselves(text):
        if "utter_offer_procedure_instead" in bot_responses_before(tracker):
            reading = reading or "no"  # 「むり」 again, after the offer said it with its reason: not now
        else:
            # 「むり」「マイページとか無理です」: what the chat procedure is for; the offer again, with that reason.
            offer = _yes_no_buttons(question, tracker)
            dispatcher.utter_message(response="utter_offer_procedure_instead", buttons=offer)
            return [ask(question)]
    if reading is None and question == "offer_procedure" and _slipped_request_for_the_offer(tracker, text):
        reading = "yes"  # 「ちやっとておねかいします」: the classifier could not place its slips
    if reading is None and question == "offer_procedure" and _asks_again_for_the_offered(tracker, text):
        reading = "yes"  # 「OCN IDを確認したいです」 right after that answer and its offer: do it
    if reading is None:
        return None
    return await answer_yes_no(question, reading == "yes" if reading != "unclear" else None, dispatcher, tracker)


def _courtesy_only(tracker: Tracker, text: str) -> bool:
    """Thanks or a goodbye read as such, also declining with thanks (「今はいいです、ありがとうございました」「no thank
    you」: thanked back, the offer left open; the first writers' customers closed so)."""
    return latest_intent(tracker) in ("thank", "goodbye") and (thanks_in(fold(text)) or says_goodbye(text))


def _a_reason_before(text: str) -> bool:
    """「自分ではできそうにございませんので、こちらでお願いできますか」: the classifier's no read in the reason."""
    word = fold(text)
    return after_the_reason(word) != word


def _takes_up_the_offer(tracker: Tracker, text: str) -> bool:
    """「やる」「見たい」「hai, chat de」, 「…このままこちらでやっていただけると助かるのですが、お願いできますでしょうか」
    (read as thanks, a hello or nothing) to the offer: its yes, unless it asks a question, speaks of another
    matter or names another procedure than the one offered."""
    if (
        in_procedure(tracker)
        or (asks_a_question(text) and not asks_the_bot_to_look(text))  # 「そちらで調べていただけませんか」 asks it
        or speaks_of_other_matters(text)
        or (latest_intent(tracker) == "deny" and not _a_reason_before(text))
    ):
        return False
    if read_yes_no("offer_procedure", text) == "no":
        return False  # 「チャットではなく電話で」
    if named_procedure(text) not in (None, tracker.get_slot("offered_procedure")):
        return False
    # 「さっさとやって」「お願いできますか」: asked to go ahead, as at the final question; not how it is done.
    word = fold(text)
    tries_alone = "やってみ" in word or BY_ONESELF.search(word)  # 「やってみます」: tries it alone
    asked_to = choices.asks_to_go_ahead(text, None) and not (ASKS_THE_WAY.search(word) or tries_alone)
    return takes_up_the_offer_in_words(text) or asked_to


_ALREADY = re.compile(r"(ました|った|いた|てます|ています|てる)$")


def _way_chosen_after_the_answer(tracker: Tracker, text: str) -> bool:
    """「郵送で送って 説明はいいから」 at the connection ID's offer, 「じゃあ郵送で送ってもらえますか」 right after its
    answer, 「あーやっぱ待って、SMSで送ってもらえる？」 after its offer was declined: SMS or the post chosen (not asked
    about) asks for the procedure; the form keeps the way (start_procedure_events). Not My Page: 「いや自分でマイページで
    見る」 declines the chat."""
    offered = tracker.get_slot("offered_procedure") == "send_connection_id"
    answered = "utter_answer_check_connection_id" in bot_responses_before(tracker)
    if not (offered or answered or tracker.get_slot("topic") == "check_connection_id") or in_procedure(tracker):
        return False
    word = fold(text)
    if asks_a_question(text) or speaks_of_other_matters(text) or BY_ONESELF.search(word) or _ALREADY.search(word):
        return False  # 「もう郵送で受け取りました」: done, not asked for
    if named_procedure(text) not in (None, "send_connection_id"):
        return False
    return way_requested(text) in ("sms", "post")


def _slipped_request_for_the_offer(tracker: Tracker, text: str) -> bool:
    """A flick-typed request for the chat procedure (asks_for_chat_procedure_despite_slips) the classifier was
    unsure of, asking nothing, of no other matter and of no other procedure than the one offered (「ひっこしの
    手続きもここてきますか？」「パスワード再設定の手続きをしたい」 at the look-up's offer are not its yes)."""
    if latest_confidence(tracker) >= _SURE_OF_THE_TOPIC or asks_a_question(text) or speaks_of_other_matters(text):
        return False
    named = named_procedure(text)
    return named in (None, tracker.get_slot("offered_procedure")) and asks_for_chat_procedure_despite_slips(text)


def _asks_again_for_the_offered(tracker: Tracker, text: str) -> bool:
    """At the offer of a topic's chat procedure, that topic wished for again (「OCN IDを確認したいです」「パスワード
    再設定お願いします」: read as the topic, likeliest): the customer wants it done, here."""
    topic = tracker.get_slot("topic")
    ranking = tracker.latest_message.get("intent_ranking") or [tracker.latest_message.get("intent") or {}]
    likeliest = next((item.get("name") for item in ranking if item.get("name") != "nlu_fallback"), None)
    if topic not in TOPICS or likeliest != topic or TOPICS[topic].procedure != tracker.get_slot("offered_procedure"):
        return False
    return wishes_it_done(text) and named_procedure(text) in (None, TOPICS[topic].procedure)


# Readings of a reply to 「どちらのパスワードでしょうか？」 that may say which (a new question about changing
# the customer number, read as such, does not).
_READINGS_OF_WHICH = frozenset(
    {"ask_id_types", "forgot_password", "forgot_ocn_id_password", "check_connection_id", "inform", "deny", "affirm"}
)


def _may_say_which(tracker: Tracker, text: str) -> bool:
    """Not a question (a question mark or ending, 「…のことですか」; 「どちらのことか私にはわかりません」 is
    none), and read as something a reply to the question may be."""
    intent = latest_intent(tracker)
    return not _asks_last(text) and (intent in _READINGS_OF_WHICH or intent not in TOPICS)


def _asks_last(text: str) -> bool:
    """The reply ends on a question (「the one for email, I think? メールのほう」 ends on what it says)."""
    said_last = fold(re.split(r"[?？]", text)[-1])
    if said_last.endswith(("ときの", "時の")):
        return False  # 「メールを見るときの」: which password, by its use
    if said_last.endswith("の") and _STATED.search(said_last) and not QUESTION_WORDS.search(said_last):
        return False  # 「ネットの設定のほうですね光回線の」: said, then a word added after it
    return not said_last or said_last.endswith(("か", "かな", "の", "っけ"))


# A statement's ending, before a word a voice customer adds after it (not 「ですか」).
_STATED = re.compile("ですね|ですよ|でした|です$|です[^か]")


def _the_one_id_named(text: str) -> str | None:
    """The one ID the reply names, by name or by what its password is used for (「ネットの設定のほう」)."""
    named = named_id_types(text)
    return named.pop() if len(named) == 1 else password_named_by_its_use(text)


def _side_stated_last(text: str) -> str | None:
    """The ID a longer reply ends by stating as its side (「メールは携帯のしか使っていないので、インターネットにつなぐ
    設定の方だと思います」), whatever its earlier clauses name and the classifier made of the whole."""
    clauses = [clause for clause in _CLAUSE_BREAKS.split(nfkc(text)) if clause.strip()]
    if not clauses or not _SIDE_STATED.search(fold(clauses[-1])):
        return None
    return _the_one_id_named(clauses[-1])


_CLAUSE_BREAKS = re.compile(r"ので|から|けど|けれど|[。、,\n]")
_SIDE_STATED = re.compile(r"(のほう|の方)(だと思います|だと思う|だとおもいます|かと思います|と思います|です|)$")


# A short reply naming one side (「じゃあメールのほう」「ネットの方で」), folded.
_ONE_SIDE_NAMED = re.compile(r"(じゃあ|では|なら|えっと|).{1,10}(のほう|の方)(で|です|)")


async def answer_late_choice(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「あ、さっきのは接続用のほうです」 after another question came between: the answer to 「どちらのパスワード
    でしょうか？」 asked a turn or two before, when the reply points back and names one of its choices."""
    word = fold(text)
    if tracker.get_slot("pending_question") == "which_password" or not (
        POINTS_BACK.search(word) or _ONE_SIDE_NAMED.fullmatch(word)
    ):
        return None  # 「じゃあメールのほう」: one side named alone answers it too
    if not asked_in_recent_turns(tracker, "utter_ask_which_password", turns=3):
        return None
    found = read_choice("which_password", text)
    if len(found) == 1:
        return _chosen("which_password", found[0], dispatcher, tracker)
    named = None if _asks_last(text) else _the_one_id_named(text)  # a longer reply that says which
    return resolve_which_password(dispatcher, tracker, named) if named in ("ocn_id", "connection_id") else None


async def answer_current_one_forgotten(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> Events | None:
    """「今の わすれた」 right after the answer on changing a password, read as nothing of the page's (an ID
    question the classifier placed is answer_about_the_id's): the answer for a forgotten one of the same ID
    (follow_ups.forgotten_instead_of_change), saying which ID it took; not in a procedure, nor naming another ID."""
    topic = tracker.get_slot("topic")
    forgotten = forgotten_instead_of_change(topic, text)
    the_id = id_of_topic(topic)
    if forgotten is None or the_id is None or in_procedure(tracker) or not _answered_just_before(tracker):
        return None
    if not named_id_types(text) <= {the_id}:
        return None
    dispatcher.utter_message(response="utter_password_of_the_id", id_name=ID_NAMES[the_id])
    return answer_topic(forgotten, dispatcher, tracker)


def ask_choice_again(question: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """「はい」 to 「どちらのパスワードでしょうか？」: a cushion, then the question again with its choices (after two
    asks running, both passwords' answers instead: answers.ask_which_password)."""
    if question == "which_password" and asked_which_password_enough(tracker):
        return ask_which_password(dispatcher, tracker)
    dispatcher.utter_message(response="utter_ask_choice_again")
    dispatcher.utter_message(response=f"utter_ask_{question}", buttons=choices.buttons(question))
    return [ask(question)]


def _chosen(question: str, choice: Choice, dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    assert question == "which_password"  # the only choice question asked outside the procedure form
    return resolve_which_password(dispatcher, tracker, choice.value)


async def answer_yes_no(
    question: str, yes: bool | None, dispatcher: CollectingDispatcher, tracker: Tracker
) -> Events | None:
    """yes=None: it could go either way, so the question is asked back with its buttons."""
    if yes is None:
        # The question itself again, after a cushion (on LINE the buttons may have scrolled away); the
        # offer of a new code has no short question of its own, so its buttons are pointed to.
        if question in ("survey", "offer_procedure"):
            dispatcher.utter_message(response="utter_ask_choice_again")
            _utter_question(question, dispatcher, tracker)
        else:
            dispatcher.utter_message(response="utter_ask_yes_no_again", buttons=_yes_no_buttons(question, tracker))
        return [ask(question)]
    if question == "survey":
        return record_survey(dispatcher, tracker, resolved=yes)
    if question == "offer_procedure":
        if yes:
            return start_procedure_events(tracker) + [FollowupAction(PROCEDURE_FORM)]
        return ask_survey(dispatcher)
    if question == "offer_resend":
        if yes:
            return await resend_code(dispatcher, tracker)
        dispatcher.utter_message(response="utter_keep_waiting")
        return [ask(None)]
    return None


def _stops_the_procedure(text: str) -> bool:
    """Also 「あ、やっはいいです 自分でまいぺーじからやる」: a change of mind flick-typed, while the code is awaited."""
    word = fold(text)
    stops = STOPS_THE_PROCEDURE.search(word) or CHANGE_OF_MIND_SLIPPED.search(without_slips(word))
    stops = stops or ANOTHER_TIME.search(after_the_reason(word))  # 「…出なきゃだからまた今度にするわ」
    return bool(stops) and not KEEPS_ON.search(word)


def _yes_no_buttons(question: str, tracker: Tracker) -> list[dict[str, str]]:
    if question == "offer_procedure":
        procedure = tracker.get_slot("offered_procedure") or ""
        return buttons.yes_no(question, buttons.payload("start_procedure", procedure=procedure))
    if question == "offer_resend":
        return buttons.yes_no(question, "/resend_code")
    return buttons.yes_no(question)


def _ask_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> Events:
    """After a follow-up, the open question comes back (the form re-asks its own)."""
    question = tracker.get_slot("pending_question")
    if question in ("survey", "offer_procedure"):
        _utter_question(question, dispatcher, tracker)
    elif in_procedure(tracker):
        dispatcher.utter_message(response="utter_back_to_procedure")
    return []


def _utter_question(question: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """「疑問・問題は解決しましたか？」 or 「チャットでのお手続きをご希望ですか？」, with its buttons."""
    if question == "survey":
        dispatcher.utter_message(response="utter_ask_survey")
    else:
        dispatcher.utter_message(response="utter_offer_procedure", buttons=_yes_no_buttons(question, tracker))


# The order in which a message is read before it counts as a new question (docs/architecture.md).
READERS: tuple[tuple[str, Reader], ...] = (
    ("person", answer_person_asked_for),
    ("password_shared", answer_password_shared),
    ("apology", answer_apology_after_the_warning),
    ("procedure_change", answer_procedure_change),
    ("next_procedure", answer_next_procedure_asked),
    ("open_question", answer_open_question),
    ("topic_chosen", answer_topic_chosen_in_words),
    ("procedure_button_typed", answer_procedure_button_typed),
    ("late_answer", answer_late_choice),
    ("receiving", answer_receiving_question),
    ("d_account", answer_d_account_question),
    ("code_step", answer_code_step),
    ("cancel_taken_back", answer_cancel_taken_back),
    ("after_the_login_history", answer_after_the_login_history),
    ("earlier_topic_again", answer_earlier_topic_again),
    ("courtesy", answer_courtesy),
    ("acknowledgement", answer_acknowledgement),
    ("same_or_different", answer_same_or_different),
    ("follow_up", answer_follow_up),
    ("about_the_id", answer_about_the_id),
    ("current_one_forgotten", answer_current_one_forgotten),
    ("two_questions", answer_two_topics),
)
