"""Which operator a conversation goes to: capacity, offers and transfers.

- Capacity: an operator holds at most CONSOLE_MAX_CONVERSATIONS_PER_OPERATOR conversations (active or
  ending) at once. The take checks it in its own UPDATE (console/handoff_queue.py: `take(capacity=)`),
  so two takes at once cannot both use the last place.
- Offers: a waiting conversation is offered to the available operator (console/presence.py, 受付中)
  holding the fewest (counting what is already offered to them), oldest conversation first. The offer
  is what the queue page highlights for that operator; any operator under capacity may still take any
  waiting conversation. An offer to someone who is no longer available or is full moves on (`route`,
  run on enqueue and by every sweep of console/waiting.py).
- Transfer: the operator holding a conversation passes it, with a note, to another available
  operator under capacity: one conditional UPDATE (the same handoff row, so the transcript stays).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from console.handoff_queue import HELD, HandoffQueue, held_count, lock_operator
from console.presence import PresenceRepository
from console.tables import handoffs

MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class Desk:
    """What routing needs to know, from console/settings.py."""

    capacity: int
    idle_seconds: float
    grace_seconds: float


def held_counts(queue: HandoffQueue) -> dict[int, int]:
    """Conversations each operator holds now."""
    query = (
        sa.select(handoffs.c.operator_id, sa.func.count())
        .where(handoffs.c.status.in_(HELD), handoffs.c.operator_id.is_not(None))
        .group_by(handoffs.c.operator_id)
    )
    with queue.engine.connect() as db:
        return {operator: int(count) for operator, count in db.execute(query)}


def route(queue: HandoffQueue, presence: PresenceRepository, desk: Desk) -> int:
    """Offers each waiting conversation without a valid offer to the least busy available operator
    under capacity; how many offers changed."""
    available = presence.available(desk.idle_seconds, desk.grace_seconds)
    load = {operator: 0 for operator in available}
    for operator, count in held_counts(queue).items():
        if operator in load:
            load[operator] = count
    changed = 0
    for handoff in (h for h in queue.open() if h.status == "waiting"):  # oldest first
        current = handoff.offered_to
        if current in load and load[current] < desk.capacity:
            load[current] += 1  # still a good offer
            continue
        room = [op for op, count in load.items() if count < desk.capacity]
        target = min(room, key=lambda op: (load[op], op)) if room else None
        if target is not None:
            load[target] += 1
        if target != current and _offer(queue, handoff.id, current, target):
            changed += 1
    return changed


def _offer(queue: HandoffQueue, handoff_id: str, current: int | None, target: int | None) -> bool:
    same_offer = handoffs.c.offered_to.is_(None) if current is None else handoffs.c.offered_to == current
    with queue.engine.begin() as db:
        return (
            db.execute(
                handoffs.update()
                .where(handoffs.c.id == handoff_id, handoffs.c.status == "waiting", same_offer)
                .values(offered_to=target)
            ).rowcount
            == 1
        )


def transfer(
    queue: HandoffQueue, handoff_id: str, from_operator: int, to_operator: int, note: str, capacity: int
) -> bool:
    """Passes a conversation `from_operator` holds to `to_operator` (under capacity) with a note:
    True for exactly one request."""
    with queue.engine.begin() as db:
        lock_operator(db, to_operator)
        return (
            db.execute(
                handoffs.update()
                .where(
                    handoffs.c.id == handoff_id,
                    handoffs.c.status == "active",
                    handoffs.c.operator_id == from_operator,
                    held_count(to_operator) < capacity,
                )
                .values(
                    operator_id=to_operator,
                    transferred_from=from_operator,
                    transfer_note=note[:MAX_NOTE_CHARS],
                )
            ).rowcount
            == 1
        )
