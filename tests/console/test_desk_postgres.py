"""The desk's tables on PostgreSQL as the scaled mode runs them: the console's least-privileged role
creates and uses them in its own database (no grants added), and every query of canned_replies.py,
notes.py, outcomes.py and the retention of notes and outcomes works there."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.insight.desk import desk_report
from console.insight.period import Scope, today_jst
from console.outcomes import earlier_handoffs
from console.retention import forget_handoffs, purge_handoffs
from console.store import Store
from deploy.settings import ScaledSettings
from tests.support.private_postgres import private_postgres


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledSettings]:
    with private_postgres(tmp_path_factory.mktemp("pg-desk")) as (settings, _):
        yield settings


def test_desk_records_on_postgres_as_the_console_role(postgres: ScaledSettings, tmp_path: Path) -> None:
    s = postgres
    url = f"postgresql://{s.console_pg_user}:{s.console_pg_password}@127.0.0.1:{s.ports.postgres}/{s.console_pg_db}"
    store = Store(url)
    Store(url)  # a second console on the same database: tables and seeds are not duplicated
    seeded = store.canned.all()
    assert seeded and len(seeded) == len({r.id for r in seeded})
    reply_id = store.canned.add("general", "見出し", "本文です。", 1)
    assert store.canned.update(reply_id, "check_ocn_id", "見出し2", "本文2です。", 1)
    assert store.canned.get(reply_id).topic == "check_ocn_id"
    assert store.canned.delete(reply_id) and store.canned.get(reply_id) is None

    store.operators.add("alice", "Alice", "hash")
    alice = store.password_hash("alice")[0].id
    first, _ = store.handoffs.enqueue("web:pg-desk", "web", None)
    assert store.handoffs.take(first.id, alice)
    store.notes.add(first.id, first.conversation_id, alice, "社内メモ")
    store.outcomes.note_first_reply(first.id)
    store.outcomes.note_first_reply(first.id)
    assert store.handoffs.finish(first.id, alice, "closed")
    store.outcomes.record(first.id, "unresolved", None, alice)
    store.outcomes.record(first.id, "callback", "明日", alice)  # recorded again: the last one counts
    second, _ = store.handoffs.enqueue("web:pg-desk", "web", None)

    (past,) = earlier_handoffs(store.engine, "web:pg-desk", second.created_at)
    assert (past.id, past.outcome_label, past.note) == (first.id, "折り返し要", "明日")
    today = today_jst(time.time())
    desk = desk_report(store.outcomes, Scope(today, today), {alice: "Alice"})
    assert desk.overall.handled == 1 and desk.overall.outcomes["callback"] == 1
    assert desk.overall.first_response.count == 1

    assert forget_handoffs(store.engine, "web:pg-desk") == 2
    assert store.notes.for_conversation("web:pg-desk") == [] and store.outcomes.for_handoffs([first.id]) == {}
    assert purge_handoffs(store.engine, time.time() + 1) == 0
