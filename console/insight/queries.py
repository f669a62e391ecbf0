"""The report's SQL: each query reads the time range once, through the indexes in `indexes.py`,
and aggregates in the database; Python only joins small results.

A conversation is one sender id on one JST day (Rasa's sessions expire after 60 minutes, so a
customer returning another day is a new conversation; one crossing midnight counts on both days).
"""

from __future__ import annotations

from console.insight.dialect import Dialect

# Rasa's FallbackClassifier intent (config.yml) and the responses that mean "the bot gave up" or
# "the bot asked which topic was meant" (actions/faq_actions.py ActionClarify).
NLU_FALLBACK = "nlu_fallback"
FALLBACK_RESPONSES = ("utter_fallback",)
CLARIFY_RESPONSES = ("utter_clarify",)
PERSON_INTENT = "request_human"
HANDOFF_ACTION = "action_handoff"
SURVEY_SLOT = "survey_answer"
PROCEDURE_SLOT = "procedure"
VERIFIED_SLOT = "verified_until"
DONE_PREFIX = "utter_done_"

_RANGE = "timestamp >= :since AND timestamp < :until"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def conversations(d: Dialect) -> str:
    """One row per conversation: its channel and what happened in it."""
    utter = d.json_text("metadata", "utter_action")
    return f"""
SELECT sender_id, day, MAX(prefix) AS prefix, MAX(input_channel) AS input_channel,
       SUM(is_user) AS messages,
       SUM(CASE WHEN is_user = 1 AND intent_name = '{NLU_FALLBACK}' THEN 1 ELSE 0 END) AS nlu_fallbacks,
       SUM(CASE WHEN utter IN {_in(FALLBACK_RESPONSES)} THEN 1 ELSE 0 END) AS fallbacks,
       SUM(CASE WHEN utter IN {_in(CLARIFY_RESPONSES)} THEN 1 ELSE 0 END) AS clarifications,
       MAX(CASE WHEN type_name = 'pause' THEN 1 ELSE 0 END) AS paused,
       MAX(CASE WHEN (is_user = 1 AND intent_name = '{PERSON_INTENT}')
                  OR (type_name = 'action' AND action_name = '{HANDOFF_ACTION}') THEN 1 ELSE 0 END) AS wanted_person,
       SUM(CASE WHEN survey = 'resolved' THEN 1 ELSE 0 END) AS resolved,
       SUM(CASE WHEN survey = 'unresolved' THEN 1 ELSE 0 END) AS unresolved
FROM (
    SELECT sender_id, {d.day} AS day, type_name, intent_name, action_name, {d.sender_prefix} AS prefix,
           CASE WHEN type_name = 'user' THEN 1 ELSE 0 END AS is_user,
           CASE WHEN type_name = 'user' AND {d.sender_prefix} IS NULL
                THEN {d.json_text("input_channel")} END AS input_channel,
           CASE WHEN type_name = 'bot' THEN {utter} END AS utter,
           CASE WHEN type_name = 'slot' AND action_name = '{SURVEY_SLOT}'
                THEN {d.json_text("value")} END AS survey
    FROM events
    WHERE {_RANGE} AND type_name IN ('user', 'bot', 'slot', 'pause', 'action')
) AS e
GROUP BY sender_id, day
HAVING SUM(is_user) > 0
"""


def procedure_marks(d: Dialect) -> str:
    """Per conversation: when each procedure was started, when the customer was verified, and the
    bot's completion replies (utter_done_*, or a reply built without a response, as login history)."""
    utter = d.json_text("metadata", "utter_action")
    return f"""
SELECT sender_id, day, kind, value, MIN(timestamp) AS first_at, MAX(timestamp) AS last_at
FROM (
    SELECT sender_id, {d.day} AS day, timestamp,
           CASE WHEN type_name = 'bot' THEN 'reply' ELSE action_name END AS kind,
           CASE WHEN type_name = 'bot' THEN COALESCE({utter}, '')
                WHEN action_name = '{VERIFIED_SLOT}' THEN '' ELSE {d.json_text("value")} END AS value,
           CASE WHEN type_name = 'slot' THEN {d.json_text("value")} END AS slot_value
    FROM events
    WHERE {_RANGE} AND ((type_name = 'slot' AND action_name IN ('{PROCEDURE_SLOT}', '{VERIFIED_SLOT}'))
                        OR type_name = 'bot')
) AS m
WHERE (kind = 'reply' AND (value LIKE '{DONE_PREFIX}%' OR value = ''))
   OR (kind <> 'reply' AND slot_value IS NOT NULL)
GROUP BY sender_id, day, kind, value
"""


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
WHERE type_name = 'user' AND {_RANGE}{_user_channel_filter(d, channel_values)}
GROUP BY intent_name ORDER BY n DESC
"""


def unanswered(d: Dialect, channel_values: tuple[str, ...] | None) -> str:
    """Customer messages the bot fell back on or understood with low confidence, newest first."""
    confidence = d.json_number("parse_data", "intent", "confidence")
    return f"""
SELECT id, sender_id, timestamp, intent_name, {confidence} AS confidence, {d.json_text("text")} AS text
FROM events
WHERE type_name = 'user' AND {_RANGE}{_user_channel_filter(d, channel_values)}
  AND (intent_name = '{NLU_FALLBACK}' OR {confidence} < :low_confidence)
ORDER BY timestamp DESC
LIMIT :limit
"""
