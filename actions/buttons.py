"""Buttons built by the actions: yes/no, and those whose payloads carry entities
(`/inform{"procedure": ...}`). Labels and payloads of the questions' choices come from
actions/choices.py, which also reads the same labels when they are typed.

They are built here, not in domain.yml, because Rasa fills `{...}` in domain responses as
slot templates and would log an error for every JSON payload.
"""

from __future__ import annotations

import json

from actions import choices


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def _buttons(items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": value} for title, value in items]


def which_password() -> list[dict[str, str]]:
    return choices.buttons("which_password")


def procedures() -> list[dict[str, str]]:
    return choices.buttons("procedure")


def delivery_methods() -> list[dict[str, str]]:
    return choices.buttons("delivery_method")


def start_procedure(procedure: str, title: str) -> dict[str, str]:
    return {"title": title, "payload": payload("start_procedure", procedure=procedure)}


def yes_no(question: str, yes_payload: str = "/affirm") -> list[dict[str, str]]:
    """Buttons for a yes/no question of actions.choices (their labels are understood when typed)."""
    asked = choices.YES_NO_QUESTIONS[question]
    return _buttons([(asked.yes_title, yes_payload), (asked.no_title, "/deny")])


def cancel() -> list[dict[str, str]]:
    """Stops the procedure being asked for (the same label as utter_ask_account_ref's button)."""
    return _buttons([("やめる", "/cancel")])


def talk_to_person() -> list[dict[str, str]]:
    """Offers a person (actions/handoff_actions.py), after the bot could not help."""
    return _buttons([("担当者と話す", payload("request_human"))])
