"""The report's SQL. Each query reads one kind of event over the time range through an index
that holds every column it needs (`indexes.py`), so the big `data` column is parsed only for
the few rows that need it; results are per conversation and joined in Python.

A conversation is one sender id on one JST day (Rasa's sessions expire after 60 minutes, so a
customer returning another day is a new conversation; one crossing midnight counts on both days).
"""

from __future__ import annotations

from console.insight.dialect import Dialect

# Rasa's FallbackClassifier intent (config.yml) and the responses that mean "the bot gave up" or
# "the bot asked which topic was meant" (actions/faq_actions.py ActionClarify).
NLU_FALLBACK = "nlu_fallback"
FALLBACK_RESPONSE = "utter_fallback"
CLARIFY_RESPONSE = "utter_clarify"
PERSON_INTENT = "request_human"
HANDOFF_ACTION = "action_handoff"
SURVEY_SLOT = "survey_answer"
PROCEDURE_SLOT = "procedure"
VERIFIED_SLOT = "verified_until"
DONE_PREFIX = "utter_done_"
# Every string starting with DONE_PREFIX sorts between these two (an index range, in any collation
# the rows are re-checked in Python).
_DONE_RANGE = ("utter_done_", "utter_donf")

_RANGE = "timestamp >= :since AND timestamp < :until"


def customer_messages(d: Dialect) -> str:
    """Per conversation: customer messages, NLU fallbacks, asked for a person."""
    return f"""
SELECT sender_id, {d.day} AS day, COUNT(*) AS messages,
       SUM(CASE WHEN intent_name = '{NLU_FALLBACK}' THEN 1 ELSE 0 END) AS nlu_fallbacks,
       MAX(CASE WHEN intent_name = '{PERSON_INTENT}' THEN 1 ELSE 0 END) AS asked_person
FROM events
WHERE type_name = 'user' AND action_name IS NULL AND {_RANGE}
GROUP BY sender_id, {d.day}
"""


def input_channels(d: Dialect) -> str:
    """The channel Rasa recorded for conversations whose sender id has no channel prefix (old ids)."""
    return f"""
SELECT sender_id, {d.day} AS day, MAX({d.json_text("input_channel")}) AS input_channel
FROM events
WHERE type_name = 'user' AND action_name IS NULL AND {_RANGE} AND {d.sender_prefix} IS NULL
GROUP BY sender_id, {d.day}
"""


def handoffs() -> str:
    """Conversations handed to a person (`pause`) or where the handoff action ran."""
    return f"""
SELECT sender_id, timestamp, type_name FROM events
WHERE ((type_name = 'pause' AND action_name IS NULL) OR (type_name = 'action' AND action_name = '{HANDOFF_ACTION}'))
  AND {_RANGE}
"""


def bot_replies(d: Dialect) -> str:
    """Fallback, clarification and completion replies, and replies built without a response
    (kinds: fallback, clarify, done, text). One index seek per kind."""
    utter = d.bot_utter_action
    kinds = {
        "fallback": f"{utter} = '{FALLBACK_RESPONSE}'",
        "clarify": f"{utter} = '{CLARIFY_RESPONSE}'",
        "done": f"{utter} >= '{_DONE_RANGE[0]}' AND {utter} < '{_DONE_RANGE[1]}'",
        # A reply built from data (the login history): it has a text and is not the operator's (the
        # widget's handoff markers and operator messages have no response either). Only these few rows
        # are read beyond the index.
        "text": f"{utter} IS NULL AND {d.json_text('text')} IS NOT NULL AND {d.json_text('metadata', 'operator')} IS NULL",
    }
    return "\nUNION ALL\n".join(
        f"""SELECT sender_id, {d.day} AS day, '{kind}' AS kind, COUNT(*) AS n,
       MIN(timestamp) AS first_at, MAX(timestamp) AS last_at
FROM events WHERE type_name = 'bot' AND {condition} AND {_RANGE}
GROUP BY sender_id, {d.day}"""
        for kind, condition in kinds.items()
    )


def slots(d: Dialect) -> str:
    """Survey answers, verifications and procedures started (only the last needs the value read)."""
    value = d.slot_value
    per_value = {
        "resolved": f"action_name = '{SURVEY_SLOT}' AND {value} = 'resolved'",
        "unresolved": f"action_name = '{SURVEY_SLOT}' AND {value} = 'unresolved'",
        "verified": f"action_name = '{VERIFIED_SLOT}' AND {value} IS NOT NULL",
    }
    fixed = [
        f"""SELECT sender_id, {d.day} AS day, '{kind}' AS kind, '' AS value, COUNT(*) AS n,
       MIN(timestamp) AS first_at, MAX(timestamp) AS last_at
FROM events WHERE type_name = 'slot' AND {condition} AND {_RANGE}
GROUP BY sender_id, {d.day}"""
        for kind, condition in per_value.items()
    ]
    procedures = f"""SELECT sender_id, {d.day} AS day, 'procedure' AS kind, {value} AS value, COUNT(*) AS n,
       MIN(timestamp) AS first_at, MAX(timestamp) AS last_at
FROM events WHERE type_name = 'slot' AND action_name = '{PROCEDURE_SLOT}' AND {value} IS NOT NULL AND {_RANGE}
GROUP BY sender_id, {d.day}, {value}"""
    return "\nUNION ALL\n".join([*fixed, procedures])


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _user_channel_filter(d: Dialect, channel_values: tuple[str, ...] | None) -> str:
    if channel_values is None:
        return ""
    prefix, inputs = channel_values[0], channel_values[1:]
    return (
        f" AND ({d.sender_prefix} = '{prefix}' OR ({d.sender_prefix} IS NULL"
        f" AND {d.json_text('input_channel')} IN {_in(inputs)}))"
    )


def top_intents(d: Dialect, channel_values: tuple[str, ...] | None) -> str:
    return f"""
SELECT intent_name, COUNT(*) AS n FROM events
WHERE type_name = 'user' AND action_name IS NULL AND {_RANGE}{_user_channel_filter(d, channel_values)}
GROUP BY intent_name ORDER BY n DESC
"""


def unanswered(d: Dialect, channel_values: tuple[str, ...] | None, after_id: bool = False) -> str:
    """Customer messages the bot fell back on or understood with low confidence, newest first."""
    confidence = d.intent_confidence
    since_id = " AND id > :after_id" if after_id else ""
    return f"""
SELECT id, sender_id, timestamp, intent_name, {confidence} AS confidence, {d.json_text("text")} AS text
FROM events
WHERE type_name = 'user' AND action_name IS NULL AND {_RANGE}{since_id}{_user_channel_filter(d, channel_values)}
  AND (intent_name = '{NLU_FALLBACK}' OR {confidence} < :low_confidence)
ORDER BY timestamp DESC
LIMIT :limit
"""
