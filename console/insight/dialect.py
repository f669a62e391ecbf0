"""The few SQL expressions that differ between SQLite and PostgreSQL.

The tracker store is Rasa's SQLTrackerStore table `events` (id, sender_id, type_name, timestamp,
intent_name, action_name, data). `data` is the event's JSON as text; `action_name` holds an action
event's action and a slot event's slot name, `intent_name` a user event's intent.
"""

from __future__ import annotations

from dataclasses import dataclass

# Days are counted in Japan time: the support team's day, not UTC's.
JST_OFFSET_SECONDS = 9 * 3600


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def postgres(self) -> bool:
        return self.name == "postgresql"

    def json_text(self, *path: str) -> str:
        """The text at a path inside the event JSON (NULL when absent)."""
        if self.postgres:
            return "(CAST(data AS json) #>> '{" + ",".join(path) + "}')"
        return "json_extract(data, '$." + ".".join(path) + "')"

    def json_number(self, *path: str) -> str:
        if self.postgres:
            return f"CAST({self.json_text(*path)} AS double precision)"
        return self.json_text(*path)

    @property
    def bot_utter_action(self) -> str:
        """The response a bot event was built from; spelled exactly as in the bot-reply index."""
        return self.json_text("metadata", "utter_action")

    @property
    def intent_confidence(self) -> str:
        """A user event's intent confidence; spelled exactly as in the confidence index."""
        return self.json_number("parse_data", "intent", "confidence")

    @property
    def slot_value(self) -> str:
        """A slot event's value as text; spelled exactly as in the slot index."""
        return self.json_text("value")

    @property
    def day(self) -> str:
        """Days since 1970-01-01 in JST, as an integer."""
        if self.postgres:
            return f"CAST(FLOOR((timestamp + {JST_OFFSET_SECONDS}) / 86400) AS integer)"
        return f"CAST((timestamp + {JST_OFFSET_SECONDS}) / 86400 AS integer)"

    @property
    def sender_prefix(self) -> str:
        """The channel a namespaced sender id (`web:…`) carries; NULL for old un-prefixed ids."""
        if self.postgres:
            return "(CASE WHEN strpos(sender_id, ':') > 0 THEN split_part(sender_id, ':', 1) END)"
        return "(CASE WHEN instr(sender_id, ':') > 0 THEN substr(sender_id, 1, instr(sender_id, ':') - 1) END)"


def dialect_of(engine_name: str) -> Dialect:
    return Dialect("postgresql" if engine_name.startswith("postgres") else "sqlite")
