"""First message answered directly (the complement of what docomo and others report as 初回発話エラー).

Of the conversations in the period, the share whose first customer message got a direct answer: before
the customer's second message the bot neither asked back (utter_clarify) nor gave up (the fallback),
and no person was called (action_handoff); the first message was not itself below the NLU's threshold or
a request for a person; and the second message does not ask the same help-page question again (a
rephrase: the answer did not fit). The blind conversations measure the same figure offline
(benchmarks/blind_conversations.py, `first_messages_direct`).

Its own two queries, so the rest of the report does not change: the first two customer messages of each
conversation, and the times of the replies that are not a direct answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from console.insight.dialect import Dialect
from console.insight.queries import CLARIFY_RESPONSE, FALLBACK_RESPONSE, HANDOFF_ACTION, NLU_FALLBACK, PERSON_INTENT

NOT_DIRECT_RESPONSES = (CLARIFY_RESPONSE, FALLBACK_RESPONSE, f"{FALLBACK_RESPONSE}_no_link")
# Intents that are replies or small talk, not questions: the same one twice in a row is no rephrase.
NOT_QUESTIONS = frozenset(
    {
        "affirm",
        "deny",
        "inform",
        "greet",
        "thank",
        "goodbye",
        "bot_challenge",
        "cancel",
        "code_not_received",
        "resend_code",
        "start_procedure",
    }
)
_RANGE = "timestamp >= :since AND timestamp < :until"


def first_two_messages(d: Dialect) -> str:
    """Per conversation (sender, JST day): its first two customer messages, with time and intent."""
    return f"""
SELECT sender_id, day, n, timestamp, intent_name FROM (
  SELECT sender_id, {d.day} AS day, timestamp, intent_name,
         ROW_NUMBER() OVER (PARTITION BY sender_id, {d.day} ORDER BY timestamp, id) AS n
  FROM events WHERE type_name = 'user' AND action_name IS NULL AND {_RANGE}
) AS numbered WHERE n <= 2
"""


def not_direct_replies(d: Dialect) -> str:
    """When the bot asked back, gave up or called a person."""
    names = ", ".join(f"'{name}'" for name in NOT_DIRECT_RESPONSES)
    return f"""
SELECT sender_id, timestamp FROM events WHERE type_name = 'bot' AND {d.bot_utter_action} IN ({names}) AND {_RANGE}
UNION ALL
SELECT sender_id, timestamp FROM events WHERE type_name = 'action' AND action_name = '{HANDOFF_ACTION}' AND {_RANGE}
"""


@dataclass
class _Opening:
    first_at: float = 0.0
    first_intent: str | None = None
    second_at: float = float("inf")
    second_intent: str | None = None


def direct_first_messages(
    messages: Iterable[tuple[str, int, int, float, str | None]],
    not_direct: Iterable[tuple[str, float]],
    included: set[tuple[str, int]] | None = None,
) -> tuple[int, int]:
    """(conversations whose first message was answered directly, conversations) from the two queries'
    rows; `included` limits it to the report's conversations (its channel)."""
    openings: dict[tuple[str, int], _Opening] = {}
    for sender, day, n, timestamp, intent in messages:
        key = (sender, int(day))
        if included is not None and key not in included:
            continue
        opening = openings.setdefault(key, _Opening())
        if int(n) == 1:
            opening.first_at, opening.first_intent = float(timestamp), intent
        else:
            opening.second_at, opening.second_intent = float(timestamp), intent
    by_sender: dict[str, list[_Opening]] = {}
    for (sender, _), opening in openings.items():
        by_sender.setdefault(sender, []).append(opening)
    missed: set[int] = set()
    for sender, timestamp in not_direct:
        for opening in by_sender.get(sender, ()):
            if opening.first_at <= float(timestamp) < opening.second_at:
                missed.add(id(opening))
    direct = sum(1 for o in openings.values() if id(o) not in missed and _answered(o))
    return direct, len(openings)


def _answered(opening: _Opening) -> bool:
    if opening.first_intent in (NLU_FALLBACK, PERSON_INTENT) or opening.second_intent == PERSON_INTENT:
        return False
    rephrased = opening.second_intent == opening.first_intent and opening.first_intent not in NOT_QUESTIONS
    return not rephrased
