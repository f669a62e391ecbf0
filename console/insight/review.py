"""The review queue: customer messages the bot fell back on or understood with low confidence,
redacted before they enter the queue, one item per distinct text (with how often it was sent),
newest first. An operator assigns the right intent, or marks it out of scope or not useful;
`export` writes the assigned ones as Rasa NLU YAML (data/nlu/review.yml, picked up by `make train`).

The queue lives in the console's store (CONSOLE_STORE_URL), next to the console's own tables.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from console.insight import queries
from console.insight.dialect import dialect_of
from console.insight.nlu_files import comparable
from console.insight.privacy import masked_sender, safe_text
from console.insight.report import LOW_CONFIDENCE

# A first sync on an existing store looks this far back; later syncs take what is new.
FIRST_SYNC_DAYS = 30
SYNC_BATCH = 5000
NEW, ASSIGNED, NOT_USEFUL = "new", "assigned", "not_useful"
OUT_OF_SCOPE_INTENT = "out_of_scope"  # marking "out of scope" assigns the domain's out_of_scope intent

metadata = sa.MetaData()
items = sa.Table(
    "insight_review_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("text_key", sa.String(512), nullable=False, unique=True),  # comparable(text): one item per text
    sa.Column("text", sa.Text, nullable=False),  # redacted, IDs masked
    sa.Column("predicted_intent", sa.String(255)),
    sa.Column("confidence", sa.Float),
    sa.Column("times", sa.Integer, nullable=False),
    sa.Column("sender", sa.String(64), nullable=False),  # masked sender id of the newest
    sa.Column("first_seen", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("intent", sa.String(255)),
    sa.Column("decided_by", sa.String(64)),
    sa.Column("decided_at", sa.Float),
)
sync_state = sa.Table(
    "insight_review_sync",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("last_event_id", sa.Integer, nullable=False),
)


@dataclass(frozen=True)
class ReviewItem:
    id: int
    text: str
    predicted_intent: str | None
    confidence: float | None
    times: int
    sender: str
    last_seen: float
    status: str
    intent: str | None
    decided_by: str | None


class ReviewQueue:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    # --- filling ------------------------------------------------------------------------
    def sync(self, tracker: sa.engine.Engine, now: float | None = None) -> int:
        """Take the messages to review that reached the tracker store since the last sync."""
        now = time.time() if now is None else now
        with self.engine.connect() as connection:
            after = connection.execute(sa.select(sync_state.c.last_event_id)).scalar() or 0
        since = now - FIRST_SYNC_DAYS * 86400 if after == 0 else 0.0
        sql = queries.unanswered(dialect_of(tracker.dialect.name), None, after_id=True)
        params = {"since": since, "until": now + 86400, "after_id": after}
        with tracker.connect() as connection:
            rows = connection.execute(
                sa.text(sql), {**params, "low_confidence": LOW_CONFIDENCE, "limit": SYNC_BATCH}
            ).all()
        added = 0
        try:
            with self.engine.begin() as connection:
                for _event_id, sender, timestamp, intent, confidence, text in sorted(rows):
                    added += self._add(connection, sender, timestamp, intent, confidence, text)
                if rows:
                    last = max(row[0] for row in rows)
                    updated = connection.execute(sync_state.update().values(last_event_id=last)).rowcount
                    if not updated:
                        connection.execute(sync_state.insert().values(name="tracker", last_event_id=last))
        except sa.exc.IntegrityError:
            return 0  # another console synced the same messages at the same moment; its batch stands
        return added

    def _add(
        self,
        connection: sa.engine.Connection,
        sender: str,
        at: float,
        intent: str | None,
        conf: float | None,
        text: str,
    ) -> int:
        text = (text or "").strip()
        if not text or text.startswith("/"):  # empty, or a button's payload
            return 0
        shown = " ".join(safe_text(text).split())  # redacted before it is stored
        key = comparable(shown)[:512]
        if not key:
            return 0
        row = {"sender": masked_sender(sender), "last_seen": at, "predicted_intent": intent, "confidence": conf}
        updated = connection.execute(
            items.update().where(items.c.text_key == key).values(times=items.c.times + 1, **row)
        ).rowcount
        if updated:
            return 0
        connection.execute(items.insert().values(text_key=key, text=shown, times=1, first_seen=at, status=NEW, **row))
        return 1

    # --- reading and deciding -------------------------------------------------------------
    def page(self, status: str = NEW, limit: int = 50, offset: int = 0) -> list[ReviewItem]:
        query = (
            sa.select(*[items.c[f] for f in ReviewItem.__dataclass_fields__])
            .where(items.c.status == status)
            .order_by(items.c.last_seen.desc(), items.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as connection:
            return [ReviewItem(**row) for row in connection.execute(query).mappings()]

    def counts(self) -> dict[str, int]:
        query = sa.select(items.c.status, sa.func.count()).group_by(items.c.status)
        with self.engine.connect() as connection:
            found = dict(connection.execute(query).all())
        return {status: int(found.get(status, 0)) for status in (NEW, ASSIGNED, NOT_USEFUL)}

    def assign(self, item_id: int, intent: str, operator: str) -> bool:
        """The right intent (OUT_OF_SCOPE_INTENT for "out of scope")."""
        return self._decide(item_id, ASSIGNED, intent, operator)

    def not_useful(self, item_id: int, operator: str) -> bool:
        return self._decide(item_id, NOT_USEFUL, None, operator)

    def reopen(self, item_id: int, operator: str) -> bool:
        return self._decide(item_id, NEW, None, operator)

    def _decide(self, item_id: int, status: str, intent: str | None, operator: str) -> bool:
        values = {"status": status, "intent": intent, "decided_by": operator, "decided_at": time.time()}
        with self.engine.begin() as connection:
            return bool(connection.execute(items.update().where(items.c.id == item_id).values(**values)).rowcount)

    def assigned(self) -> list[ReviewItem]:
        return self.page(ASSIGNED, limit=1_000_000)
