"""Conversations are kept for the retention period and no longer, and one customer can be forgotten
everywhere (bot_server/retention.py), on the one-machine SQLite stores and on PostgreSQL (a private
PostgreSQL 15 cluster, started as the scaled mode starts it: deploy/postgres.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.retention import DAY, RetentionSettings, run_forget, run_retention, sender_hash
from bot_server.tracker_stores import RedactingSQLTrackerStore
from console.handoff_queue import HandoffQueue
from console.insight.review import ReviewQueue
from console.insight.review import items as review_items
from console.tables import handoffs, make_engine, metadata
from deploy.postgres import Postgres
from deploy.settings import Ports, load
from devstack.ports import free_block

ROOT = Path(__file__).resolve().parents[1]
NOW = time.time()
OLD, RECENT = NOW - 100 * DAY, NOW - 2 * DAY
CUSTOMER, OTHER = "line:U4af4980629aaaaaaaaaaaaaaaaaaaaaaaa", "web:b2222222"


@dataclass
class Stores:
    tracker_url: str
    console_url: str


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    state = tmp_path_factory.mktemp("retention-pg")
    base = free_block(Ports(0).by_part(1, 1))
    env = {key: value for key, value in os.environ.items() if key != "SCALED_PG_HOME"}
    server = Postgres(load(env=env, base_port=base, state_dir=state))  # its own cluster, removed at the end
    server.start()
    yield server
    server.remove()


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stores]:
    if request.param == "sqlite":
        yield Stores(f"sqlite:///{tmp_path / 'tracker.sqlite3'}", f"sqlite:///{tmp_path / 'console.sqlite3'}")
        return
    server: Postgres = request.getfixturevalue("postgres")
    url = server.s.tracker_store_url
    # The URL carries no password: libpq reads it from the role's PGPASSFILE, as the scaled mode's processes do.
    monkeypatch.setenv("PGPASSFILE", str(server.s.pgpass_file("tracker")))
    yield Stores(url, url)  # one database for both stores keeps the test short; the queries are the same
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in sa.inspect(connection).get_table_names():
            connection.execute(sa.text(f'DROP TABLE "{table}" CASCADE'))  # the next test starts empty
    engine.dispose()


def settings_for(stores: Stores, tmp_path: Path, days: int = 90) -> RetentionSettings:
    return RetentionSettings(days, "test-audit-key", tmp_path / "audit.log", stores.tracker_url, stores.console_url)


def tracker_store(url: str) -> RedactingSQLTrackerStore:
    return RedactingSQLTrackerStore(Domain.empty(), host=url)


def save_conversation(url: str, sender: str, at: float, texts: list[str]) -> None:
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen", timestamp=at)])
    for n, text in enumerate(texts):
        tracker.update(UserUttered(text, {"name": "nlu_fallback", "confidence": 0.3}, timestamp=at + n))
        tracker.update(BotUttered("恐れ入りますが、もう一度お聞かせください。", timestamp=at + n + 0.5))
        tracker.update(ActionExecuted("action_listen", timestamp=at + n + 0.6))
    store = tracker_store(url)
    asyncio.run(store.save(tracker))
    store.engine.dispose()


def texts_of(url: str, sender: str) -> list[str]:
    store = tracker_store(url)
    tracker = asyncio.run(store.retrieve_full_tracker(sender))
    store.engine.dispose()
    return [event.text for event in tracker.events if isinstance(event, UserUttered)] if tracker else []


def add_handoff(engine: sa.engine.Engine, conversation_id: str, at: float) -> None:
    handoff, _ = HandoffQueue(engine).enqueue(conversation_id, conversation_id.split(":")[0], "forgot_password")
    with engine.begin() as connection:
        connection.execute(
            handoffs.update().where(handoffs.c.id == handoff.id).values(created_at=at, status="closed", ended_at=at)
        )


def handoff_conversations(engine: sa.engine.Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(sa.select(handoffs.c.conversation_id)).scalars())


def review_texts(engine: sa.engine.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(review_items.c.text, review_items.c.times)).all())


def console_engine(stores: Stores) -> sa.engine.Engine:
    engine = make_engine(stores.console_url)
    metadata.create_all(engine)
    return engine


def test_retention_deletes_what_is_older_than_the_period_everywhere(stores: Stores, tmp_path: Path) -> None:
    save_conversation(stores.tracker_url, "web:old00000", OLD, ["古い質問です"])
    save_conversation(stores.tracker_url, "web:new00000", RECENT, ["新しい質問です"])
    console = console_engine(stores)
    add_handoff(console, "web:old00000", OLD)
    add_handoff(console, "web:new00000", RECENT)
    review = ReviewQueue(console)
    tracker = sa.create_engine(stores.tracker_url)
    review.sync(tracker, now=OLD + 1)  # the review queue took the old message when it was new ...
    review.sync(tracker, now=NOW)  # ... and the recent one since
    tracker.dispose()

    deleted = run_retention(settings_for(stores, tmp_path), now=NOW)

    assert texts_of(stores.tracker_url, "web:old00000") == []
    assert texts_of(stores.tracker_url, "web:new00000") == ["新しい質問です"]  # the kept one still loads whole
    assert handoff_conversations(console) == ["web:new00000"]
    assert review_texts(console) == {"新しい質問です": 1}
    assert deleted == {"tracker_events": 4, "handoffs": 1, "review_items": 1}
    audit = json.loads((tmp_path / "audit.log").read_text().splitlines()[-1])
    assert audit["event"] == "retention" and audit["days"] == 90 and audit["deleted"] == deleted


def test_forget_removes_one_customer_everywhere_and_audits_without_personal_data(
    stores: Stores, tmp_path: Path
) -> None:
    save_conversation(stores.tracker_url, CUSTOMER, RECENT, ["私だけの質問です", "共通の質問です"])
    save_conversation(stores.tracker_url, OTHER, RECENT, ["共通の質問です"])
    console = console_engine(stores)
    add_handoff(console, CUSTOMER, RECENT)
    add_handoff(console, OTHER, RECENT)
    ReviewQueue(console).sync(sa.create_engine(stores.tracker_url), now=NOW)
    assert review_texts(console) == {"私だけの質問です": 1, "共通の質問です": 2}

    deleted = run_forget(settings_for(stores, tmp_path), CUSTOMER)

    assert texts_of(stores.tracker_url, CUSTOMER) == []
    assert texts_of(stores.tracker_url, OTHER) == ["共通の質問です"]
    assert handoff_conversations(console) == [OTHER]
    assert review_texts(console) == {"共通の質問です": 1}  # the other customer's sending stays
    assert deleted == {"tracker_events": 7, "handoffs": 1, "review_items": 1}
    line = (tmp_path / "audit.log").read_text()
    assert CUSTOMER not in line and "U4af" not in line and "私だけ" not in line
    assert json.loads(line)["sender_hmac"] == sender_hash("test-audit-key", CUSTOMER)


def test_a_deletion_request_outlives_a_restored_backup(stores: Stores, tmp_path: Path) -> None:
    """A backup taken before a customer asked to be forgotten brings their conversation back when it is
    restored; the next retention run (deploy.backup restore runs one at once) forgets it again, from the
    audit log's keyed hash alone."""
    settings = settings_for(stores, tmp_path)
    console = console_engine(stores)
    save_conversation(stores.tracker_url, CUSTOMER, RECENT, ["私だけの質問です"])
    save_conversation(stores.tracker_url, OTHER, RECENT, ["共通の質問です"])
    run_forget(settings, CUSTOMER)
    # The restore: the forgotten customer's rows are back, as the backup held them.
    save_conversation(stores.tracker_url, CUSTOMER, RECENT, ["私だけの質問です"])
    add_handoff(console, CUSTOMER, RECENT)

    run_retention(settings)

    assert texts_of(stores.tracker_url, CUSTOMER) == [] and handoff_conversations(console) == []
    assert texts_of(stores.tracker_url, OTHER) == ["共通の質問です"]
    last = json.loads((tmp_path / "audit.log").read_text().splitlines()[-1])
    assert last["event"] == "retention" and last["forgotten_again"] == 1
    assert CUSTOMER not in (tmp_path / "audit.log").read_text()


def test_a_customer_who_comes_back_after_being_forgotten_keeps_the_new_conversation(
    stores: Stores, tmp_path: Path
) -> None:
    """Security review 8, S2: every hourly run deleted the returning customer's new conversation (and a
    waiting handoff) again. Only what is older than the request is forgotten again."""
    settings = settings_for(stores, tmp_path)
    console = console_engine(stores)
    save_conversation(stores.tracker_url, CUSTOMER, RECENT, ["私だけの質問です"])
    run_forget(settings, CUSTOMER)
    later = time.time() + 5  # the customer writes again after the request
    save_conversation(stores.tracker_url, CUSTOMER, later, ["また質問です"])
    add_handoff(console, CUSTOMER, later)

    run_retention(settings)

    assert texts_of(stores.tracker_url, CUSTOMER) == ["また質問です"]
    assert handoff_conversations(console) == [CUSTOMER]


def run_cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        TRACKER_STORE_URL=f"sqlite:///{tmp_path / 'tracker.sqlite3'}",
        CONSOLE_STORE_URL=f"sqlite:///{tmp_path / 'console.sqlite3'}",
        RETENTION_AUDIT_LOG=str(tmp_path / "audit.log"),
    )
    command = [sys.executable, "-m", "bot_server", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_commands_forget_a_sender_and_refuse_an_empty_one_politely(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    save_conversation(url, CUSTOMER, RECENT, ["私だけの質問です"])

    done = run_cli("forget", "--sender", CUSTOMER, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["deleted"]["tracker_events"] == 4
    assert texts_of(url, CUSTOMER) == []

    refused = run_cli("forget", "--sender", " ", tmp_path=tmp_path)
    assert refused.returncode == 2 and "--sender is empty" in refused.stderr and "Traceback" not in refused.stderr

    kept = run_cli("retention", "--days", "0", tmp_path=tmp_path)
    assert kept.returncode == 2 and "at least 1 day" in kept.stderr


def test_a_store_that_was_never_written_is_left_as_it_is(tmp_path: Path) -> None:
    stores = Stores(f"sqlite:///{tmp_path / 'tracker.sqlite3'}", f"sqlite:///{tmp_path / 'console.sqlite3'}")
    assert run_retention(settings_for(stores, tmp_path)) == {"tracker_events": 0, "handoffs": 0, "review_items": 0}


def test_backups_older_than_the_retention_period_are_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A backup holds conversations too: kept no longer than RETENTION_DAYS (deploy/backup.py)."""
    from datetime import datetime, timezone

    from deploy.backup import BACKUP_NAME, prune_backups

    monkeypatch.setenv("RETENTION_DAYS", "30")
    s = load(env={}, base_port=free_block(Ports(0).by_part(1, 1)), state_dir=tmp_path)
    folder = tmp_path / "backups"
    names = {
        age: datetime.fromtimestamp(NOW - age * DAY, timezone.utc).strftime(BACKUP_NAME) for age in (45, 31, 29, 1)
    }
    for name in names.values():
        (folder / name).mkdir(parents=True)
    (folder / "keep-me").mkdir()  # not a backup's name: left alone

    deleted = prune_backups(s, NOW)

    assert sorted(p.name for p in deleted) == sorted([names[45], names[31]])
    assert sorted(p.name for p in folder.iterdir()) == sorted([names[29], names[1], "keep-me"])
