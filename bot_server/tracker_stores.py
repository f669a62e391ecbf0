"""Tracker stores that write conversations with one-time codes and phone numbers redacted.

Referenced from endpoints.yml. The redaction happens on save, so the current turn still
sees what the customer typed (the form needs the code to check it) but nothing persists it.
"""
from __future__ import annotations

import copy

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.redaction import redact_event


def redacted_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    events = [redact_event(event) for event in tracker.events]
    return DialogueStateTracker.from_events(
        tracker.sender_id,
        events,
        copy.deepcopy(list(tracker.slots.values())),
        max_event_history=tracker._max_event_history,
    )


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore (SQLite by default, PostgreSQL in the scaled mode) with redaction."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(redacted_copy(tracker))


class RedactingInMemoryTrackerStore(InMemoryTrackerStore):
    """For `rasa shell` and tests."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(redacted_copy(tracker))
