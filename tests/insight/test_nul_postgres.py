"""A customer message with a NUL (or an unpaired surrogate) on PostgreSQL: PostgreSQL cannot turn "\\u0000"
in an event's JSON into text, so before the fix the report's indexes made the tracker store's INSERT fail
(the message was lost) and, without them, every report and review query failed on that row."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot_server.tracker_stores import RedactingSQLTrackerStore
from console.insight.indexes import ensure_indexes
from console.insight.period import JST, Scope
from console.insight.report import build_report
from console.insight.review import NEW, ReviewQueue
from deploy.settings import ScaledSettings
from tests.support.private_postgres import private_postgres


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledSettings]:
    with private_postgres(tmp_path_factory.mktemp("pg-nul")) as (settings, _):
        yield settings


def test_a_nul_in_a_message_is_stored_and_the_report_and_review_still_work(
    postgres: ScaledSettings, tmp_path: Path
) -> None:
    s = postgres
    store = RedactingSQLTrackerStore(
        Domain.empty(), dialect="postgresql", host="127.0.0.1", port=s.ports.postgres, db=s.pg_db,
        username=s.pg_user, password=s.pg_password,
    )  # fmt: skip
    tracker_db = store.engine
    ensure_indexes(tracker_db)  # the console's report indexes exist, as in the scaled mode
    now = time.time()
    tracker = DialogueStateTracker("web:nul00001", [])
    for text in ("料金を\x00変えたい", "支払い\ud800方法"):
        intent = {"name": "nlu_fallback", "confidence": 0.3}
        tracker.update(UserUttered(text, intent, parse_data={"text": text, "intent": intent}, timestamp=now))
    asyncio.run(store.save(tracker))

    with tracker_db.connect() as connection:
        texts = connection.execute(sa.text("SELECT data FROM events WHERE type_name = 'user'")).scalars().all()
    assert len(texts) == 2 and not any("\\u0000" in t or "\\ud800" in t for t in texts)

    queue = ReviewQueue(sa.create_engine(f"sqlite:///{tmp_path / 'console.sqlite3'}"))
    assert queue.sync(tracker_db, now=now + 1) == 2
    assert {item.text for item in queue.page(NEW)} == {"料金を変えたい", "支払い方法"}
    today = datetime.fromtimestamp(now, JST).date()
    report = build_report(tracker_db, Scope(today, today, None)).as_dict()
    assert report["messages"] == 2 and report["nlu_fallback"]["count"] == 2
