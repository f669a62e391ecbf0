"""Deleting conversations from Rasa's tracker store (its `events` table): everything older than the
retention period, or everything of one sender.

Deleting single old events rather than whole conversations is safe because a Rasa session ends after
`session_expiration_time` (60 minutes, domain.yml), far shorter than any retention period: an event
older than the period belongs to a session that has ended, and Rasa only replays the last session.

Deletes run in batches of BATCH rows, each its own short transaction, so a live bot's writes (SQLite
has one writer at a time) wait at most one batch; the batches walk the table once, in id order.
"""

from __future__ import annotations

import json
from collections import Counter

import sqlalchemy as sa

BATCH = 5000


def _events_table_exists(engine: sa.engine.Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def _delete_in_batches(engine: sa.engine.Engine, where: str, params: dict[str, object]) -> int:
    """One pass over the table in id order: each batch finds its next BATCH rows after the last one
    deleted (a rescan from the start would grow with every batch where old and new rows interleave)."""
    find = sa.text(f"SELECT id FROM events WHERE id > :after AND {where} ORDER BY id LIMIT {BATCH}")
    delete = sa.text(f"DELETE FROM events WHERE id >= :first AND id <= :last AND {where}")
    deleted, after = 0, -1
    while True:
        with engine.begin() as connection:
            ids = connection.execute(find, {**params, "after": after}).scalars().all()
            if not ids:
                return deleted
            deleted += connection.execute(delete, {**params, "first": ids[0], "last": ids[-1]}).rowcount
        after = ids[-1]


def purge_events(engine: sa.engine.Engine, cutoff: float) -> int:
    """Deletes every event stored before `cutoff` (a Unix time); returns how many."""
    if not _events_table_exists(engine):
        return 0
    return _delete_in_batches(engine, "timestamp < :cutoff", {"cutoff": cutoff})


def sender_ids(engine: sa.engine.Engine) -> list[str]:
    """Every conversation the tracker store holds."""
    if not _events_table_exists(engine):
        return []
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(sa.text("SELECT DISTINCT sender_id FROM events"))]


def customer_texts(engine: sa.engine.Engine, sender_id: str, before: float | None = None) -> Counter[str]:
    """What one sender typed (as stored: redacted; before `before` if given), with how often: the review
    queue holds copies."""
    if not _events_table_exists(engine):
        return Counter()
    query = sa.text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' AND timestamp < :before")
    texts: Counter[str] = Counter()
    with engine.connect() as connection:
        for (data,) in connection.execute(query, {"sender": sender_id, "before": _or_never(before)}):
            text = _text_of(data)
            if text:
                texts[text] += 1
    return texts


def _text_of(data: str | None) -> str:
    try:
        value = json.loads(data or "{}").get("text")
    except (ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


def forget_events(engine: sa.engine.Engine, sender_id: str, before: float | None = None) -> int:
    """Deletes every event of one conversation (stored before `before`, if given); returns how many."""
    if not _events_table_exists(engine):
        return 0
    where, params = "sender_id = :sender AND timestamp < :before", {"sender": sender_id, "before": _or_never(before)}
    return _delete_in_batches(engine, where, params)


def _or_never(before: float | None) -> float:
    return float("inf") if before is None else before
