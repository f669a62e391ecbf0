"""What a customer has been asking about over their last few messages, when no single message said it.

A customer whose question the bot could not place (the clarification, then a second try) and who then asks
「チャットで手続きできますか」 still means the thing they were asking about. The classifier's readings of their
recent messages, added up, often point at one procedure even when no message alone was sure enough to be
answered; when they do not point clearly at one, the form asks which (actions/procedure_form.py). A request
that goes back to an earlier answer (「さっきの確認の件、チャットで」 after a follow-up about something the chat
cannot do) takes the one chat procedure among the bot's last two answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from rasa_sdk import Tracker

from actions.topics import TOPICS
from ocn_ids.normalize import has_meaningful_content

RECENT_MESSAGES = 3  # at most this many of the customer's unplaced messages before the request are read
SURE_ENOUGH = 0.4  # the leading procedure's summed probability over those messages
CLEAR_LEAD = 2.0  # how many times the next procedure's it must be
_A_PROCEDURE_ENDED = ("action_run_procedure", "action_cancel_procedure")
_UNPLACED = "nlu_fallback"


def _ends_a_thread(event: dict[str, Any]) -> bool:
    """The session's start or a procedure the chat ran or cancelled: what came before is another request."""
    kind = event.get("event")
    return kind == "session_started" or (kind == "action" and event.get("name") in _A_PROCEDURE_ENDED)


def _earlier_readings(tracker: Tracker) -> Iterator[dict[str, Any]]:
    """The parse data of the customer's messages just before the latest one that the classifier could not
    place, newest first: back to a message it placed (answered, a yes or a no: what came before is another
    thread), the last procedure the chat ran, or the session's start."""
    seen_latest = False
    read = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if _ends_a_thread(event):
            return
        if kind != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        parse_data = event.get("parse_data") or {}
        if (parse_data.get("intent") or {}).get("name") != _UNPLACED:
            return
        if not has_meaningful_content(str(event.get("text") or "")):
            return  # 👍 🙅 ○ ×: a yes or a no (read apart from the classifier), not a question
        yield parse_data
        read += 1
        if read == RECENT_MESSAGES:
            return


def procedure_of_the_thread(tracker: Tracker) -> str | None:
    """The one chat procedure the customer's recent messages lean to, if they lean clearly to one."""
    scores: dict[str, float] = defaultdict(float)
    for parse_data in _earlier_readings(tracker):
        for item in parse_data.get("intent_ranking") or []:
            topic = TOPICS.get(str(item.get("name") or ""))
            if topic is not None and topic.procedure:
                scores[topic.procedure] += float(item.get("confidence") or 0.0)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda pair: -pair[1])
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return best if score >= SURE_ENOUGH and score >= CLEAR_LEAD * runner_up else None


RECENT_ANSWERS = 2  # the bot's last answers a request may go back to (「さっきの確認の件、チャットでお願いします」)


def procedure_of_recent_answers(tracker: Tracker) -> str | None:
    """The one chat procedure among the topics of the bot's last two answers: 「さっきの確認の件、チャットで
    お願いします」 after the customer number's answer and a follow-up about changing it (which has none)."""
    answered: list[str] = []
    for event in reversed(tracker.events):
        kind = event.get("event")
        if _ends_a_thread(event):
            break
        said = str((event.get("metadata") or {}).get("utter_action") or "") if kind == "bot" else ""
        if said.startswith("utter_answer_") and said.removeprefix("utter_answer_") not in answered:
            answered.append(said.removeprefix("utter_answer_"))
            if len(answered) == RECENT_ANSWERS:
                break
    procedures = {TOPICS[topic].procedure for topic in answered if topic in TOPICS and TOPICS[topic].procedure}
    return procedures.pop() if len(procedures) == 1 else None
