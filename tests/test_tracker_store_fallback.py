"""When the tracker store cannot save: a clear error for an over-long conversation id, and a fallback
that keeps nothing unredacted and does not grow without bound (bot_server/tracker_stores.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy.exc as sa_exc
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server import tracker_stores
from bot_server.tracker_stores import RedactingInMemoryTrackerStore, RedactingSQLTrackerStore, SenderIdTooLong


@pytest.fixture(autouse=True)
def _patched() -> None:
    tracker_stores.install()  # what bot_server.rasa_patches.apply_all() does when the server starts


SECRET_TEXT = "電話は090-1234-5678、コードは 482913 です"


def tracker(sender: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen"), UserUttered(SECRET_TEXT, {"name": "inform", "confidence": 1.0})]
    return DialogueStateTracker.from_events(sender, events)


def fail_safe(tmp_path: Path) -> FailSafeTrackerStore:
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    return FailSafeTrackerStore(store)  # what Rasa's agent wraps every tracker store in


def remembered(store: FailSafeTrackerStore) -> str:
    fallback = store._fallback_tracker_store
    return "".join(fallback.store.values()) if fallback is not None else ""


def test_a_300_character_sender_gets_a_clear_error_and_is_kept_nowhere(tmp_path: Path) -> None:
    store = fail_safe(tmp_path)
    with pytest.raises(SenderIdTooLong, match="300 characters"):
        asyncio.run(store.save(tracker("web:" + "x" * 296)))
    assert remembered(store) == ""
    asyncio.run(store.save(tracker("web:" + "x" * 251)))  # 255 fit
    assert asyncio.run(store.retrieve("web:" + "x" * 251)) is not None


def test_a_failing_store_falls_back_to_a_redacted_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def database_down(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
        raise sa_exc.OperationalError("INSERT", {}, Exception("database is down"))

    monkeypatch.setattr(SQLTrackerStore, "save", database_down)
    monkeypatch.setenv("TRACKER_STORE_RETRY_SECONDS", "0")
    store = fail_safe(tmp_path)
    asyncio.run(store.save(tracker("web:abc")))
    kept = remembered(store)
    assert "web:abc" in kept
    assert "090-1234-5678" not in kept and "482913" not in kept


def test_the_fallback_memory_is_bounded() -> None:
    memory = RedactingInMemoryTrackerStore(Domain.empty(), max_trackers=3)
    for n in range(5):
        asyncio.run(memory.save(tracker(f"web:{n}")))
    assert list(memory.store) == ["web:2", "web:3", "web:4"]
