"""Build rasa_sdk trackers and run actions the way the action server does."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

SLOTS = [
    "pending_question",
    "offered_procedure",
    "procedure",
    "account_ref",
    "otp_code",
    "delivery_method",
    "procedure_confirmed",
    "verification_id",
    "verified_until",
    "verified_account",
    "procedure_halt",
    "survey_answer",
    "requested_slot",
    "topic",
    "code_destination",
    "code_expires_at",
    "password_warned",
]


def tracker(
    intent: str = "greet",
    text: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    ranking: list[tuple[str, float]] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender: str = "conv-1",
    metadata: dict[str, Any] | None = None,
    paused: bool = False,
) -> Tracker:
    values = {name: None for name in SLOTS}
    values.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [])],
        "message_id": "m-1",
        "metadata": metadata or {},
    }
    return Tracker(
        sender, values, latest, events or [], paused, None, {"name": active_loop} if active_loop else {}, None
    )


def run(
    action: Action, t: Tracker, domain: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(messages, events)"""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain or {}))
    return dispatcher.messages, events


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") or m.get("text") or "" for m in messages]
