"""What a customer asks of dアカウント and dポイント beyond what the help page says. The page says only that an
OCN ID linked with a dアカウント collects dポイント, and links to how to link them; the points themselves, the
dアカウント's own ID, password or creation, and taking the link back are not on it. Such a question is told so
honestly, with the page's link, instead of the linking answer given again (the blind conversations' writers
expected "not covered here" for them). The reader that replies is `answer_d_account_question` in
actions/replies.py."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.conversation_state import asked_in_recent_turns, latest_confidence, latest_intent
from ocn_ids.answers import (
    D_ACCOUNT_DETAILS,
    D_ACCOUNT_WORDS,
    D_POINTS_PROBLEM,
    LINKING_ASKED,
    LINKING_WORDS,
    UNLINKING,
    WHICH_ID_ASKED,
    fold,
)

NOT_ON_PAGE = "utter_d_account_details_not_on_page"
# At or above this, a reading of the linking topic is the linking question (「dポイントをためたいのでdアカウントと
# つなぎたい」), whatever details its words name.
SURE_OF_THE_LINK = 0.9
_TOPIC = "link_d_account"
# The classifier's readings of such a question: the linking topic, out of scope, or none.
_READINGS = frozenset({_TOPIC, "out_of_scope", "nlu_fallback"})


def asks_beyond_the_link(tracker: Tracker, text: str) -> bool:
    """「dポイントってどれくらいたまるの」「dアカウントのパスワードを忘れた」, and 「連携を解除したい」 right after
    the linking answer; not 「dアカウントと連携するには？」 (the page's answer) nor a question the classifier is
    sure is another topic."""
    if text.startswith("/") or latest_intent(tracker) not in _READINGS:
        return False
    if latest_intent(tracker) == _TOPIC and latest_confidence(tracker) >= SURE_OF_THE_LINK:
        return False  # the classifier sure of the linking question: the blind writers expected its answer
    word = fold(text)
    just_answered = asked_in_recent_turns(tracker, f"utter_answer_{_TOPIC}", turns=2)
    named = D_ACCOUNT_WORDS.search(word) or (just_answered and LINKING_WORDS.search(word))
    if not named or not D_ACCOUNT_DETAILS.search(word):
        return False
    return bool(UNLINKING.search(word) or D_POINTS_PROBLEM.search(word)) or not LINKING_ASKED.search(word)


def asks_which_id_links(tracker: Tracker, text: str) -> bool:
    """「連携にはどのIDを使うんでしょう？お客さま番号？」 right after the linking answer: the page's answer says it (the
    OCN ID is what is linked), so it is given again."""
    if text.startswith("/") or not asked_in_recent_turns(tracker, f"utter_answer_{_TOPIC}", turns=2):
        return False
    word = fold(text)
    return bool(LINKING_WORDS.search(word) and WHICH_ID_ASKED.search(word))
