"""Deleting what the console's store keeps of customers (bot_server/retention.py runs these): handoff
queue rows (with their notes and outcomes) and review-queue items older than the retention period, or those of one customer.

The review queue keeps one item per distinct (redacted) text, not per sender, so one customer's items
are found by the texts they typed: each loses that customer's sendings from its count, and an item
no one else sent is deleted.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from console.desk_tables import notes, outcomes
from console.insight.nlu_files import comparable
from console.insight.privacy import safe_text
from console.insight.review import items as review_items
from console.insight.review import metadata as review_metadata
from console.tables import handoffs
from console.tables import metadata as console_metadata


def ensure_tables(engine: sa.engine.Engine) -> None:
    """A store the console has never opened still answers (with nothing to delete)."""
    console_metadata.create_all(engine)
    review_metadata.create_all(engine)


def purge_handoffs(engine: sa.engine.Engine, cutoff: float) -> int:
    """Handoffs whose last change (end, take or queueing) is before `cutoff`."""
    last_change = sa.func.coalesce(handoffs.c.ended_at, handoffs.c.taken_at, handoffs.c.created_at)
    with engine.begin() as db:
        deleted = db.execute(handoffs.delete().where(last_change < cutoff)).rowcount
        db.execute(notes.delete().where(notes.c.created_at < cutoff))
        _drop_orphan_outcomes(db)
        return deleted


def handoff_conversations(engine: sa.engine.Engine) -> list[str]:
    """Every conversation the console's store holds a handoff of."""
    with engine.connect() as db:
        return list(db.execute(sa.select(handoffs.c.conversation_id).distinct()).scalars())


def forget_handoffs(engine: sa.engine.Engine, conversation_id: str, before: float | None = None) -> int:
    """Deletes one conversation's handoffs and notes (made before `before`, if given); returns how many handoffs."""
    cutoff = float("inf") if before is None else before
    with engine.begin() as db:
        mine = (handoffs.c.conversation_id == conversation_id) & (handoffs.c.created_at < cutoff)
        deleted = db.execute(handoffs.delete().where(mine)).rowcount
        db.execute(notes.delete().where(notes.c.conversation_id == conversation_id, notes.c.created_at < cutoff))
        _drop_orphan_outcomes(db)
        return deleted


def _drop_orphan_outcomes(db: sa.engine.Connection) -> None:
    """Outcomes (with the operator's note) go with their handoff."""
    db.execute(outcomes.delete().where(outcomes.c.handoff_id.not_in(sa.select(handoffs.c.id))))


def purge_review(engine: sa.engine.Engine, cutoff: float) -> int:
    """Review items last sent before `cutoff`."""
    with engine.begin() as db:
        return db.execute(review_items.delete().where(review_items.c.last_seen < cutoff)).rowcount


def forget_review(engine: sa.engine.Engine, texts: Counter[str]) -> int:
    """Takes one customer's messages (as the tracker store holds them) out of the review queue;
    returns how many items were deleted."""
    sendings: Counter[str] = Counter()
    for text, times in texts.items():
        key = comparable(" ".join(safe_text(text.strip()).split()))[:512]  # as review.ReviewQueue._add keys it
        if key:
            sendings[key] += times
    deleted = 0
    with engine.begin() as db:
        for key, times in sendings.items():
            match = review_items.c.text_key == key
            deleted += db.execute(review_items.delete().where(match, review_items.c.times <= times)).rowcount
            db.execute(review_items.update().where(match).values(times=review_items.c.times - times))
    return deleted
